"""F14 stockpile planning: hand-solved optima, the budget, the bound and the re-run on the same draws.

The two-platform chain: platform ``p1`` ← gallium ``a`` (processed half in CHN, half in JPN) and
platform ``p2`` ← germanium ``b`` (processed in CHN only). A full loss of CHN gallium on days
10–49 leaves ``a`` at 0.5: 0.5 · 40 = 20 platform-days of ``p1``. A full loss of CHN germanium on
days 100–109 leaves ``b`` at 0: 10 platform-days of ``p2``. Each day of stock of an item covers
one day of its consumption, so it saves one platform-day while the shortfall lasts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ketenradar import refdata
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.montecarlo import draw_plan, monte_carlo
from ketenradar.scenarios.stockpile import (
    StockpileCandidates,
    StockpilePlan,
    nearest_candidates_below,
    plan_stockpile,
    with_added_stock,
)
from ketenradar.services.materials import defence_catalogue, world_supply_shares

WORLD = world_supply_shares(refdata.load_materials())

GALLIUM = Shock(("CHN",), 1.0, stage="processing", materials=("gallium",), start_day=10, duration_days=40)
GERMANIUM = Shock(
    ("CHN",), 1.0, stage="processing", materials=("germanium",), start_day=100, duration_days=10
)


def _items(ids: list[str], kinds: list[str], materials: list[str | None]) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "id": ids,
            "name": [i.upper() for i in ids],
            "kind": kinds,
            "domain": ["land" if k != "material" else None for k in kinds],
            "dis_area": [None] * n,
            "material": materials,
            "unit": ["unit" if k != "material" else "kg" for k in kinds],
        }
    )


def _sourcing(rows: list[tuple[str, str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item": [r[0] for r in rows],
            "country": [r[1] for r in rows],
            "share": [r[2] for r in rows],
            "stage": [r[3] for r in rows],
            "supplier": [""] * len(rows),
            "tier": [1.0] * len(rows),
            "lead_time_days": [np.nan] * len(rows),
        }
    )


def _two_platforms() -> Chain:
    items = _items(
        ["p1", "p2", "a", "b"],
        ["platform", "platform", "material", "material"],
        [None, None, "gallium", "germanium"],
    )
    bom = pd.DataFrame({"parent": ["p1", "p2"], "child": ["a", "b"], "quantity": [1.0, 1.0]})
    sourcing = _sourcing(
        [
            ("a", "AUS", 1.0, "mining"),
            ("a", "CHN", 0.5, "processing"),
            ("a", "JPN", 0.5, "processing"),
            ("b", "AUS", 1.0, "mining"),
            ("b", "CHN", 1.0, "processing"),
        ]
    )
    return Chain("two", items, bom, sourcing)


def _candidates(
    cost: list[float], max_days: list[float] | None = None, positions: list[int] | None = None
) -> StockpileCandidates:
    n = len(cost)
    return StockpileCandidates(
        positions=np.asarray(positions if positions is not None else [2, 3], dtype=np.intp),
        cost_per_day=np.asarray(cost, dtype=np.float64),
        max_days=np.asarray(max_days if max_days is not None else [np.nan] * n, dtype=np.float64),
    )


def _plan(
    chain: Chain,
    shocks: tuple[Shock, ...],
    candidates: StockpileCandidates,
    budget: float,
    draws: int = 20,
    seed: int = 0,
) -> StockpilePlan:
    return plan_stockpile(
        chain, build_chain_matrix(chain), Scenario("t", shocks), WORLD, candidates, budget, draws, seed
    )


def test_f14_two_platform_plan_equals_the_hand_optimum_not_the_naive_plan() -> None:
    # a: shortfall 20 days at 100 €/day; b: shortfall 10 days at 50 €/day; budget 1000 €.
    # Per euro b saves twice as much: all 10 days of b (500 €), then 5 days of a (500 €),
    # losing 30 − 15 = 15. The naive plan ranks a first (20 > 10): 10 days of a, losing 20.
    result = _plan(_two_platforms(), (GALLIUM, GERMANIUM), _candidates([100.0, 50.0]), 1000.0)
    assert result.days.tolist() == [5, 10]
    assert result.naive_days.tolist() == [10, 0]
    assert result.risk.tolist() == pytest.approx([20.0, 10.0])
    assert result.cost.tolist() == [500.0, 500.0]
    assert result.expected_loss_before == pytest.approx(30.0)
    assert result.expected_loss_after == pytest.approx(15.0)
    assert result.expected_loss_naive == pytest.approx(20.0)
    # One candidate per platform and a constant shortfall: greedy use is optimal, bound = re-run.
    assert result.model_bound == pytest.approx(15.0)
    assert result.before.mean_days_lost.tolist() == pytest.approx([20.0, 10.0])
    assert result.after.mean_days_lost.tolist() == pytest.approx([15.0, 0.0])
    assert result.solver_status == "optimal"
    assert result.months.tolist() == pytest.approx([5 / (365 / 12), 10 / (365 / 12)])


def test_f14_max_days_bounds_a_candidate_and_the_rest_goes_to_the_next() -> None:
    # b at most 4 days (200 €); the remaining 800 € buy 8 days of a: loss 30 − 12 = 18.
    result = _plan(_two_platforms(), (GALLIUM, GERMANIUM), _candidates([100.0, 50.0], [np.nan, 4.0]), 1000.0)
    assert result.days.tolist() == [8, 4]
    assert result.expected_loss_after == pytest.approx(18.0)


def test_f14_probabilities_weight_the_patterns() -> None:
    # b's shock occurs with probability 0.5 (share q of the draws); a's always. b costs 40 €/day:
    # a day of b saves q platform-days for 40 €, a day of a saves 1 for 100 €. With q > 0.4
    # b first: 10 days (400 €), then 6 days of a (600 €); the loss 20 − 6 + q · 0 = 14.
    shocks = (
        GALLIUM,
        Shock(
            ("CHN",),
            1.0,
            stage="processing",
            materials=("germanium",),
            start_day=100,
            duration_days=10,
            probability=0.5,
        ),
    )
    draws = 400
    q = float((draw_plan(Scenario("t", shocks), draws, 0)[:, 1] >= 0).mean())
    assert q > 0.4
    result = _plan(_two_platforms(), shocks, _candidates([100.0, 40.0]), 1000.0, draws=draws)
    assert result.days.tolist() == [6, 10]
    assert result.expected_loss_before == pytest.approx(20.0 + 10.0 * q)
    assert result.expected_loss_after == pytest.approx(14.0)
    assert result.model_bound == pytest.approx(14.0)
    assert result.n_patterns == 2  # a alone, a with b


def test_f14_budget_is_respected_and_a_large_budget_buys_only_what_helps() -> None:
    chain = _two_platforms()
    candidates = _candidates([100.0, 50.0])
    for budget in (0.0, 49.0, 137.0, 1000.0, 1850.0):
        result = _plan(chain, (GALLIUM, GERMANIUM), candidates, budget)
        assert result.cost.sum() <= budget
        assert result.naive_cost.sum() <= budget
    nothing = _plan(chain, (GALLIUM, GERMANIUM), candidates, 0.0)
    assert nothing.days.tolist() == [0, 0]
    assert nothing.expected_loss_after == nothing.expected_loss_before
    # More than enough money: exactly the days that cover every shortfall (20 and 10), no more.
    plenty = _plan(chain, (GALLIUM, GERMANIUM), candidates, 1e6)
    assert plenty.days.tolist() == [20, 10]
    assert plenty.expected_loss_after == 0.0


def test_f14_stock_above_a_short_candidate_can_cover_it() -> None:
    # p ← component c ← gallium m; m is half short on days 10–49 (20 platform-days). Stock of c
    # (10 €/day) covers the shortfall coming from below as well as stock of m (20 €/day) does,
    # so the plan takes c: 20 days for 200 €.
    items = _items(["p", "c", "m"], ["platform", "component", "material"], [None, None, "gallium"])
    bom = pd.DataFrame({"parent": ["p", "c"], "child": ["c", "m"], "quantity": [1.0, 1.0]})
    sourcing = _sourcing(
        [("m", "AUS", 1.0, "mining"), ("m", "CHN", 0.5, "processing"), ("m", "JPN", 0.5, "processing")]
    )
    chain = Chain("nested", items, bom, sourcing)
    result = _plan(chain, (GALLIUM,), _candidates([10.0, 20.0], positions=[1, 2]), 200.0)
    assert result.days.tolist() == [20, 0]
    assert result.expected_loss_after == 0.0
    assert result.model_bound == pytest.approx(0.0, abs=1e-9)


def test_f14_nearest_candidates_below_skip_past_candidates() -> None:
    # p ← c ← x ← m and p ← y ← m: candidates c and m. Below p the nearest are c and (through y) m;
    # below c it is m (through the non-candidate x).
    items = _items(
        ["p", "c", "x", "y", "m"],
        ["platform", "component", "component", "component", "material"],
        [None] * 4 + ["gallium"],
    )
    bom = pd.DataFrame(
        {"parent": ["p", "c", "x", "p", "y"], "child": ["c", "x", "m", "y", "m"], "quantity": [1.0] * 5}
    )
    chain = Chain("paths", items, bom, _sourcing([("m", "CHN", 1.0, "processing")]))
    upper, lower = nearest_candidates_below(build_chain_matrix(chain), np.array([1, 4], dtype=np.intp))
    assert sorted(zip(upper.tolist(), lower.tolist(), strict=True)) == [(0, 0), (0, 1), (1, 1)]


def _demo() -> tuple[Chain, Scenario, StockpileCandidates]:
    from importlib import resources

    from ketenradar.ingest.candidates import read_candidates
    from ketenradar.ingest.scenario_file import read_scenario
    from ketenradar.services.chains import open_chain

    folder = resources.files("ketenradar.demo_data")
    catalogue = defence_catalogue()
    chain = open_chain(str(folder / "chains" / "defence_demo"), None, catalogue).chain
    scenario = read_scenario(str(folder / "stockpile" / "scenario.yaml"), list(catalogue))
    table = read_candidates(str(folder / "stockpile" / "candidates.csv"), chain.items["id"].tolist())
    positions = build_chain_matrix(chain).index.positions(table["item"].to_numpy(dtype=object))
    candidates = StockpileCandidates(
        positions.astype(np.intp), table["cost_per_day"].to_numpy(), table["max_days"].to_numpy()
    )
    return chain, scenario, candidates


def test_f14_demo_plan_beats_the_naive_plan_and_equals_an_independent_rerun() -> None:
    chain, scenario, candidates = _demo()
    matrix = build_chain_matrix(chain)
    catalogue_world = world_supply_shares(defence_catalogue())
    budget, draws, seed = 50_000.0, 150, 4
    result = plan_stockpile(chain, matrix, scenario, catalogue_world, candidates, budget, draws, seed)
    assert result.cost.sum() <= budget
    assert result.expected_loss_after < result.expected_loss_naive < result.expected_loss_before
    # No item between the candidates and the platforms holds stock: the bound is a lower bound.
    assert result.model_bound <= result.expected_loss_after + 1e-9
    # The re-run equals Monte Carlo on a chain with the stock added by hand, on the same draws.
    stock = pd.to_numeric(chain.items["stock_days"], errors="coerce").fillna(0.0).to_numpy(copy=True)
    stock[candidates.positions] += result.days
    stocked = chain.with_frames(items=chain.items.assign(stock_days=stock))
    again = monte_carlo(stocked, build_chain_matrix(stocked), scenario, catalogue_world, draws, seed)
    assert np.array_equal(again.days_lost, result.after.days_lost)
    assert result.expected_loss_after == pytest.approx(float(again.mean_days_lost.sum()), rel=1e-12)
    before = monte_carlo(chain, matrix, scenario, catalogue_world, draws, seed)
    assert np.array_equal(before.days_lost, result.before.days_lost)
    # Same seed, same plan and numbers.
    repeat = plan_stockpile(chain, matrix, scenario, catalogue_world, candidates, budget, draws, seed)
    assert repeat.days.tolist() == result.days.tolist()
    assert repeat.naive_days.tolist() == result.naive_days.tolist()
    assert repeat.model_bound == result.model_bound
    assert repeat.expected_loss_after == result.expected_loss_after


def test_f14_with_added_stock_adds_to_existing_stock() -> None:
    chain = _two_platforms()
    chain = chain.with_frames(items=chain.items.assign(stock_days=[np.nan, np.nan, 2.5, np.nan]))
    stocked = with_added_stock(chain, np.array([2, 3], dtype=np.intp), np.array([3, 0]))
    assert stocked.items["stock_days"].tolist()[2] == 5.5
    assert np.isnan(stocked.items["stock_days"].tolist()[3])
    assert chain.items["stock_days"].tolist()[2] == 2.5


def test_f14_existing_stock_counts_in_the_plan() -> None:
    # a already holds 5 days: only 15 more help; b needs 10. Budget 2000: 15 · 100 + 10 · 50 = 2000.
    chain = _two_platforms()
    chain = chain.with_frames(items=chain.items.assign(stock_days=[np.nan, np.nan, 5.0, np.nan]))
    result = _plan(chain, (GALLIUM, GERMANIUM), _candidates([100.0, 50.0]), 1e6)
    assert result.existing_days.tolist() == [5.0, 0.0]
    assert result.days.tolist() == [15, 10]
    assert result.expected_loss_before == pytest.approx(25.0)
    assert result.expected_loss_after == 0.0


def test_f14_progress_reaches_the_end() -> None:
    calls: list[tuple[int, int]] = []
    chain = _two_platforms()
    plan_stockpile(
        chain,
        build_chain_matrix(chain),
        Scenario("t", (GALLIUM,)),
        WORLD,
        _candidates([100.0, 50.0]),
        100.0,
        5,
        0,
        lambda done, total: calls.append((done, total)),
    )
    assert calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_f14_a_platform_as_candidate_holds_its_own_stock() -> None:
    # Stock of platform p1 covers a's shortfall as stock of a does: the same plan, on p1.
    result = _plan(
        _two_platforms(), (GALLIUM, GERMANIUM), _candidates([100.0, 50.0], positions=[0, 3]), 1000.0
    )
    assert result.days.tolist() == [5, 10]
    assert result.expected_loss_after == pytest.approx(15.0)
    assert result.model_bound == pytest.approx(15.0)
