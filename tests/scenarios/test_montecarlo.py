"""F13 Monte Carlo over simulated years: seeding, an analytic one-shock case and contributions.

The chain: platform ``p`` ← component ``c`` ← gallium ``m`` (processed half in CHN, half in
JPN) and germanium ``g`` (processed 40 % in CHN, 60 % in JPN). A full loss of CHN gallium for
50 days loses 0.5 · 50 = 25 platform-days; of CHN germanium for 30 days 0.4 · 30 = 12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ketenradar import refdata
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.dask_groups import LOCAL
from ketenradar.scenarios.montecarlo import MonteCarloResult, draw_plan, monte_carlo
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import synthetic_chain

WORLD = world_supply_shares(refdata.load_materials())


def _chain() -> Chain:
    items = pd.DataFrame(
        {
            "id": ["p", "c", "m", "g"],
            "name": ["Platform", "Component", "Gallium", "Germanium"],
            "kind": ["platform", "component", "material", "material"],
            "domain": ["land", "land", None, None],
            "dis_area": [None] * 4,
            "material": [None, None, "gallium", "germanium"],
            "unit": ["unit", "unit", "kg", "kg"],
        }
    )
    bom = pd.DataFrame({"parent": ["p", "c", "c"], "child": ["c", "m", "g"], "quantity": [1.0, 2.0, 1.0]})
    sourcing = pd.DataFrame(
        {
            "item": ["p", "c", "m", "m", "m", "g", "g", "g"],
            "country": ["NLD", "DEU", "AUS", "CHN", "JPN", "AUS", "CHN", "JPN"],
            "share": [1.0, 1.0, 1.0, 0.5, 0.5, 1.0, 0.4, 0.6],
            "stage": ["manufacturing", "manufacturing"] + ["mining", "processing", "processing"] * 2,
            "supplier": [""] * 8,
            "tier": [0.0, 1.0, 3.0, 2.0, 2.0, 3.0, 2.0, 2.0],
            "lead_time_days": [np.nan] * 8,
        }
    )
    return Chain("three", items, bom, sourcing)


GALLIUM = Shock(("CHN",), 1.0, materials=("gallium",), probability=0.3, start_day=100, duration_days=50)
GERMANIUM = Shock(("CHN",), 1.0, materials=("germanium",), probability=0.6, start_day=200, duration_days=30)


def _run(*shocks: Shock, draws: int = 2000, seed: int = 0, chain: Chain | None = None) -> MonteCarloResult:
    chain = chain or _chain()
    return monte_carlo(chain, build_chain_matrix(chain), Scenario("t", shocks), WORLD, draws, seed)


def test_f13_same_seed_gives_the_same_numbers_and_another_seed_differs() -> None:
    random_day = Shock(("CHN",), 1.0, materials=("gallium",), probability=0.5, duration_days=40)
    first, again, other = (_run(random_day, GERMANIUM, draws=300, seed=s) for s in (7, 7, 8))
    assert np.array_equal(first.days_lost, again.days_lost)
    assert np.array_equal(first.start_day, again.start_day)
    assert np.array_equal(first.removed_mean, again.removed_mean)
    assert not np.array_equal(first.days_lost, other.days_lost)


def test_f13_one_shock_loses_25_days_in_each_draw_it_occurs() -> None:
    draws, p = 2000, 0.3
    result = _run(GALLIUM, draws=draws)
    occurred = result.occurred[:, 0]
    p_hat = occurred.mean()
    # Every occurring draw loses exactly 0.5 · 50 = 25 platform-days, every other draw none.
    assert result.days_lost[0].tolist() == np.where(occurred, 25.0, 0.0).tolist()
    assert result.mean_days_lost[0] == pytest.approx(25 * p_hat, rel=1e-12)
    standard_error = 25 * np.sqrt(p * (1 - p) / draws)  # 0.256 platform-days
    assert abs(result.mean_days_lost[0] - 25 * p) < 3 * standard_error
    assert result.p_loss[0] == p_hat
    assert abs(p_hat - p) < 3 * np.sqrt(p * (1 - p) / draws)
    # Fixed start day 100: the shock starts there in every draw it occurs.
    assert set(result.start_day[occurred, 0].tolist()) == {100}
    # With p_hat < 0.5 the median is 0; the 99th percentile is 25.
    assert result.percentiles()[0, 0] == 0.0
    assert result.percentiles()[0, 3] == 25.0
    # Removing the only shock leaves nothing: its contribution is the whole mean.
    assert result.contributions[0, 0] == pytest.approx(25 * p_hat, rel=1e-12)
    # Fixed start days: at most 2^1 patterns.
    assert result.n_patterns == 2


def test_f13_contribution_of_independent_disjoint_shocks_is_their_own_mean_loss() -> None:
    # Gallium on days 100–149, germanium on days 200–229: the losses add up day by day.
    result = _run(GALLIUM, GERMANIUM, draws=1000, seed=3)
    occurred = result.occurred
    own = np.array([25.0 * occurred[:, 0].mean(), 12.0 * occurred[:, 1].mean()])
    assert result.contributions[0] == pytest.approx(own, rel=1e-12)
    assert result.mean_days_lost[0] == pytest.approx(own.sum(), rel=1e-12)
    assert result.p_loss[0] == occurred.any(axis=1).mean()
    assert result.n_patterns <= 4


def test_f13_shocks_without_probability_occur_in_every_draw() -> None:
    certain = Shock(("CHN",), 1.0, materials=("germanium",), start_day=200, duration_days=30)
    result = _run(certain, draws=50)
    assert result.occurred.all()
    # Summed day by day in another order than 30 × 0.4: equal to within rounding.
    np.testing.assert_allclose(result.days_lost[0], [12.0] * 50, rtol=1e-12)
    assert result.p_loss[0] == 1.0


def test_f13_drawn_start_days_are_cut_at_the_years_end() -> None:
    # No duration: the shock lasts from its drawn day to day 364, losing 0.5 a day.
    shock = Shock(("CHN",), 1.0, materials=("gallium",), probability=1.0)
    result = _run(shock, draws=200, seed=5)
    start = result.start_day[:, 0]
    assert start.min() >= 0 and start.max() <= 364
    assert result.days_lost[0] == pytest.approx(0.5 * (365 - start))
    assert np.array_equal(start, draw_plan(Scenario("t", (shock,)), 200, 5)[:, 0])


def test_f13_progress_reports_every_pattern() -> None:
    calls: list[tuple[int, int]] = []
    chain = synthetic_chain(200, seed=1)
    shocks = (Shock(("CHN",), 1.0, probability=0.5, start_day=10, duration_days=20),)
    monte_carlo(
        chain,
        build_chain_matrix(chain),
        Scenario("t", shocks),
        WORLD,
        20,
        0,
        lambda d, t: calls.append((d, t)),
    )
    # One simulated group: the shock moved to day 0 (the quiet years need no simulation).
    assert calls == [(1, 1)]


def test_f13_a_blocks_draws_do_not_depend_on_the_number_of_draws() -> None:
    scenario = Scenario("t", (GALLIUM, Shock(("COD",), 0.5, probability=0.2)))
    longer = draw_plan(scenario, 2500, seed=4)
    assert np.array_equal(draw_plan(scenario, 1200, seed=4), longer[:1200])


def test_f13_dask_on_two_local_processes_equals_the_in_process_run() -> None:
    chain = synthetic_chain(200, seed=3, platforms=2)
    rng = np.random.default_rng(3)
    chain = chain.with_frames(
        items=chain.items.assign(
            stock_days=np.where(rng.random(len(chain.items)) < 0.2, rng.random(len(chain.items)) * 20, np.nan)
        )
    )
    scenario = Scenario(
        "t",
        (
            Shock(("CHN",), 0.8, probability=0.4, duration_days=60),
            Shock(("COD", "ZAF"), 0.9, probability=0.3, duration_days=40),
        ),
    )
    matrix = build_chain_matrix(chain)
    in_process = monte_carlo(chain, matrix, scenario, WORLD, 2300, seed=11)
    done: list[tuple[int, int]] = []
    on_dask = monte_carlo(
        chain,
        matrix,
        scenario,
        WORLD,
        2300,
        seed=11,
        progress=lambda d, t: done.append((d, t)),
        scheduler=LOCAL,
        workers=2,
    )
    assert in_process.days_lost.any()
    assert np.array_equal(on_dask.days_lost, in_process.days_lost)
    assert np.array_equal(on_dask.removed_mean, in_process.removed_mean)
    assert np.array_equal(on_dask.start_day, in_process.start_day)
    assert done[-1][0] == done[-1][1] == 4  # two chunks of groups per worker
