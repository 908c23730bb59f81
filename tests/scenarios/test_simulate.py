"""F12 over time: stocks, buffered supply rows and shock windows, by hand on a 3-item chain.

The chain: platform ``p`` (made in NLD) ← component ``c`` (made in DEU) ← material ``m``
(gallium: mined in AUS, processed half in CHN and half in JPN). A shock on China at severity
``s`` leaves ``m`` an own supply of ``1 − 0.5·s`` (processing), and nothing else is hit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ketenradar import refdata
from ketenradar.model.chain import Chain
from ketenradar.model.refinements import Alternative, Refinements, Substitute
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.availability import run_scenario
from ketenradar.scenarios.simulate import SimulationResult, active_segments, simulate
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import synthetic_chain
from tests.helpers.plain_simulation import plain_outputs, plain_runout

WORLD = world_supply_shares(refdata.load_materials())


def _chain(item_stock: dict[str, float] | None = None, chn_buffer: float | None = None) -> Chain:
    stock = item_stock or {}
    items = pd.DataFrame(
        {
            "id": ["p", "c", "m"],
            "name": ["Platform", "Component", "Gallium"],
            "kind": ["platform", "component", "material"],
            "domain": ["land", "land", None],
            "dis_area": [None, None, None],
            "material": [None, None, "gallium"],
            "unit": ["unit", "unit", "kg"],
            "stock_days": [stock.get(i, np.nan) for i in ("p", "c", "m")],
        }
    )
    bom = pd.DataFrame({"parent": ["p", "c"], "child": ["c", "m"], "quantity": [1.0, 2.0]})
    sourcing = pd.DataFrame(
        {
            "item": ["p", "c", "m", "m", "m"],
            "country": ["NLD", "DEU", "AUS", "CHN", "JPN"],
            "share": [1.0, 1.0, 1.0, 0.5, 0.5],
            "stage": ["manufacturing", "manufacturing", "mining", "processing", "processing"],
            "supplier": ["", "", "", "", ""],
            "tier": [0.0, 1.0, 3.0, 2.0, 2.0],
            "lead_time_days": [np.nan] * 5,
            "stock_days": [np.nan, np.nan, np.nan, np.nan if chn_buffer is None else chn_buffer, np.nan],
        }
    )
    return Chain("three", items, bom, sourcing)


def _run(chain: Chain, *shocks: Shock, horizon: int = 10) -> SimulationResult:
    return simulate(chain, build_chain_matrix(chain), Scenario("t", shocks), WORLD, horizon)


def test_f12_no_stock_every_day_is_the_baseline_under_that_days_shocks() -> None:
    # China loses all its share of processing (m: 0.5) from day 2 for 3 days.
    result = _run(_chain(), Shock(("CHN",), 1.0, start_day=2, duration_days=3), horizon=8)
    assert result.series[0].tolist() == [1, 1, 0.5, 0.5, 0.5, 1, 1, 1]
    platform = result.platforms.iloc[0]
    assert platform["days_lost"] == pytest.approx(1.5)
    assert platform["stockout_day"] == 2
    assert platform["min_output"] == pytest.approx(0.5)
    assert platform["first_short"] is None


def test_f12_item_stock_of_2_5_days_under_a_50_percent_loss_lasts_5_whole_days() -> None:
    # A full CHN loss halves m (a = 0.5): 2.5 days of c's stock cover 0.5 a day for 5 days.
    result = _run(_chain({"c": 2.5}), Shock(("CHN",), 1.0), horizon=8)
    assert result.series[0].tolist() == [1, 1, 1, 1, 1, 0.5, 0.5, 0.5]
    platform = result.platforms.iloc[0]
    assert platform["days_lost"] == pytest.approx(1.5)
    assert platform["stockout_day"] == 5
    assert platform["first_short"] == "c"


def test_f12_item_stock_partial_last_day_is_a_plus_remaining_stock() -> None:
    # Severity 0.8 on CHN: m = 1 − 0.5·0.8 = 0.6, so c draws 0.4 a day from 2.5 days of stock:
    # six whole days (2.4), then 0.6 + 0.1 = 0.7 on day 6, then 0.6.
    result = _run(_chain({"c": 2.5}), Shock(("CHN",), 0.8), horizon=9)
    np.testing.assert_allclose(result.series[0], [1, 1, 1, 1, 1, 1, 0.7, 0.6, 0.6])
    platform = result.platforms.iloc[0]
    assert platform["days_lost"] == pytest.approx(0.3 + 0.4 + 0.4)
    assert platform["stockout_day"] == 6
    assert platform["min_output"] == pytest.approx(0.6)
    assert platform["first_short"] == "c"


def test_f12_stock_is_drawn_only_inside_the_shock_window() -> None:
    # 1 day of stock on p, shock (a = 0.5) on days 2, 3, 4: days 2 and 3 use it up, day 4 is
    # short, day 5 supply is back.
    result = _run(_chain({"p": 1.0}), Shock(("CHN",), 1.0, start_day=2, duration_days=3), horizon=7)
    assert result.series[0].tolist() == [1, 1, 1, 1, 0.5, 1, 1]
    assert result.platforms.iloc[0]["first_short"] == "p"
    assert result.platforms.iloc[0]["days_lost"] == pytest.approx(0.5)


def test_f12_the_first_stock_to_run_out_is_named() -> None:
    # m holds 1 day, c 3 days (a = 0.5): m covers days 0 and 1 (1 / 0.5) and is short on day 2;
    # c then covers from day 2 and runs out on day 2 + 3/0.5 = 8.
    result = _run(_chain({"m": 1.0, "c": 3.0}), Shock(("CHN",), 1.0), horizon=10)
    assert result.series[0].tolist() == [1] * 8 + [0.5, 0.5]
    assert result.platforms.iloc[0]["first_short"] == "m"
    assert result.runout_day.tolist() == [-1, 8, 2]


def test_f12_buffered_sourcing_row_delivers_while_its_buffer_lasts() -> None:
    # The CHN processing row (share 0.5) holds 2.5 days of its deliveries. A full loss draws 1 a
    # day: days 0, 1 whole; day 2 delivers 0 + 0.5 so m = 1 − 0.5·0.5 = 0.75; then 0.5.
    result = _run(_chain(chn_buffer=2.5), Shock(("CHN",), 1.0), horizon=5)
    np.testing.assert_allclose(result.series[0], [1, 1, 0.75, 0.5, 0.5])
    platform = result.platforms.iloc[0]
    assert platform["days_lost"] == pytest.approx(0.25 + 0.5 + 0.5)
    assert platform["stockout_day"] == 2
    assert platform["first_short"] == "m"


def test_f12_buffer_falls_by_the_rows_lost_fraction() -> None:
    # Severity 0.4: the row loses 0.4 a day, so 1 day of buffer covers days 0, 1 (0.8) and
    # 0.2 of day 2's 0.4: the row delivers 0.6 + 0.2 = 0.8, m = 1 − 0.5·0.2 = 0.9; then 0.8.
    result = _run(_chain(chn_buffer=1.0), Shock(("CHN",), 0.4), horizon=4)
    np.testing.assert_allclose(result.series[0], [1, 1, 0.9, 0.8])


def test_f12_buffer_and_item_stock_combine() -> None:
    # The row buffer covers days 0, 1 (full loss), day 2 at 0.75, then 0.5; c's 0.5 days of stock
    # covers day 2's 0.25 and 0.25 of day 3's 0.5: day 3 = 0.5 + 0.25.
    result = _run(_chain({"c": 0.5}, chn_buffer=2.5), Shock(("CHN",), 1.0), horizon=5)
    np.testing.assert_allclose(result.series[0], [1, 1, 1, 0.75, 0.5])
    assert result.platforms.iloc[0]["first_short"] == "m"  # the buffer (day 2) before c (day 3)


def test_f12_active_segments_follow_start_and_duration() -> None:
    shocks = (Shock(("CHN",), 0.5, start_day=3, duration_days=2.5), Shock(("USA",), 0.2))
    assert active_segments(shocks, 10) == [(0, 3, (1,)), (3, 6, (0, 1)), (6, 10, (1,))]
    assert active_segments((Shock(("CHN",), 0.5, start_day=20),), 10) == [(0, 10, ())]


def test_f12_daily_frame_has_one_row_per_platform_and_day() -> None:
    daily = _run(_chain(), Shock(("CHN",), 1.0, duration_days=1), horizon=3).daily()
    assert daily.to_dict("list") == {"platform": ["p"] * 3, "day": [0, 1, 2], "output": [0.5, 1.0, 1.0]}


@pytest.mark.parametrize("seed", [1, 7])
def test_f12_without_stocks_simulation_equals_run_scenario_exactly(seed: int) -> None:
    chain = synthetic_chain(400, seed=seed, platforms=4)
    chain = chain.with_frames(sourcing=chain.sourcing.assign(stock_days=np.nan))
    matrix = build_chain_matrix(chain)
    shocks = (
        Shock(("CHN",), 0.7, start_day=5, duration_days=10),
        Shock(("CHN", "USA"), 0.4, stage="processing", start_day=8),
        Shock(("COD",), 0.9, duration_days=12),
    )
    result = simulate(chain, matrix, Scenario("s", shocks), WORLD, 30)
    for start, stop, active in active_segments(shocks, 30):
        baseline = run_scenario(chain, matrix, Scenario("s", tuple(shocks[k] for k in active)), WORLD)
        expected = baseline.availability[matrix.platforms]
        for day in range(start, stop):
            assert result.series[:, day].tolist() == expected.tolist()
    assert (result.runout_day == -1).all()
    assert result.first_short == (None,) * 4


def test_f12_watched_items_keep_input_and_output_and_available_items_stay_at_1() -> None:
    chain = _chain({"c": 2.5})
    matrix = build_chain_matrix(chain)
    c, m = matrix.index.positions(["c", "m"])
    shock = Shock(("CHN",), 1.0)
    result = simulate(chain, matrix, Scenario("t", (shock,)), WORLD, 8, watch=np.array([c, m]))
    # c's input is m's half supply every day; its stock holds its output at 1 for 5 days.
    assert result.watched_input[0].tolist() == [0.5] * 8
    assert result.watched_output[0].tolist() == [1] * 5 + [0.5] * 3
    assert result.watched_output[1].tolist() == [0.5] * 8
    forced = simulate(
        chain, matrix, Scenario("t", (shock,)), WORLD, 8, watch=np.array([c, m]), available=np.array([m])
    )
    # With m always available c never draws its stock and the platform loses nothing.
    assert forced.series[0].tolist() == [1] * 8
    assert forced.watched_input[1].tolist() == [0.5] * 8
    assert forced.watched_output[1].tolist() == [1] * 8
    assert forced.first_short == (None,)


@pytest.mark.parametrize("seed", [2, 5])
def test_f12_engine_equals_a_plain_day_by_day_simulation_with_stocks_and_buffers(seed: int) -> None:
    rng = np.random.default_rng(seed)
    chain = synthetic_chain(300, seed=seed, platforms=3)
    items = chain.items.assign(
        stock_days=np.where(rng.random(len(chain.items)) < 0.15, rng.random(len(chain.items)) * 6, np.nan)
    )
    sourcing = chain.sourcing.assign(
        stock_days=np.where(
            rng.random(len(chain.sourcing)) < 0.1, rng.random(len(chain.sourcing)) * 3, np.nan
        )
    )
    chain = chain.with_frames(items=items, sourcing=sourcing)
    matrix = build_chain_matrix(chain)
    scenario = Scenario(
        "s",
        (
            Shock(("CHN",), 0.7, start_day=3, duration_days=9),
            Shock(("CHN", "USA"), 0.4, stage="processing", start_day=6),
            Shock(("COD", "ZAF"), 0.9, duration_days=5),
        ),
    )
    result = simulate(chain, matrix, scenario, WORLD, 25, watch=np.arange(matrix.n))
    expected = plain_outputs(chain, matrix, scenario, WORLD, 25)
    assert (result.runout_day >= 0).sum() > 10  # stocks and buffers do run out on the way
    np.testing.assert_allclose(result.watched_output, expected, atol=1e-9)
    np.testing.assert_allclose(result.series, expected[matrix.platforms], atol=1e-9)
    # Without watched items the engine simulates only the items that change and the platforms.
    contracted = simulate(chain, matrix, scenario, WORLD, 25)
    np.testing.assert_allclose(contracted.series, expected[matrix.platforms], atol=1e-9)
    assert np.array_equal(contracted.runout_day, result.runout_day)
    assert np.array_equal(result.runout_day, plain_runout(chain, matrix, scenario, WORLD, 25))


def _alternative(**fields: object) -> Refinements:
    values: dict[str, object] = {
        "stage": "processing",
        "country": "KOR",
        "max_share": 0.3,
        "lead_time_days": 3.0,
    }
    values.update(fields)
    return Refinements(alternatives=(Alternative(material="gallium", **values),))  # type: ignore[arg-type]


def _run_with(refinements: Refinements, *shocks: Shock, horizon: int = 6) -> SimulationResult:
    chain = _chain()
    return simulate(
        chain, build_chain_matrix(chain), Scenario("t", shocks), WORLD, horizon, refinements=refinements
    )


def test_f15_alternative_supplier_delivers_its_share_after_its_ramp_up() -> None:
    # m's processing is 0.5 under a full CHN loss; KOR delivers 0.3 more from day 0 + 3.
    result = _run_with(_alternative(), Shock(("CHN",), 1.0))
    np.testing.assert_allclose(result.series[0], [0.5, 0.5, 0.5, 0.8, 0.8, 0.8])
    assert result.platforms.iloc[0]["days_lost"] == pytest.approx(3 * 0.5 + 3 * 0.2)
    relief = result.relief.iloc[0]
    assert (relief["kind"], relief["item"], relief["from"], relief["first_day"]) == (
        "alternative",
        "m",
        "KOR",
        3,
    )
    assert relief["share_days"] == pytest.approx(0.9)


def test_f15_alternative_covers_at_most_the_gap_and_counts_from_the_first_day_hit() -> None:
    # A shock from day 2: the ramp-up of 3 days runs from day 2; 0.7 offered, the gap is 0.5.
    result = _run_with(_alternative(max_share=0.7), Shock(("CHN",), 1.0, start_day=2), horizon=8)
    np.testing.assert_allclose(result.series[0], [1, 1, 0.5, 0.5, 0.5, 1, 1, 1])
    assert result.relief.iloc[0]["share_days"] == pytest.approx(3 * 0.5)


def test_f15_alternative_in_a_shocked_country_or_without_ramp_up_time_gives_nothing() -> None:
    shocked = _run_with(_alternative(country="CHN"), Shock(("CHN",), 1.0))
    unknown = _run_with(_alternative(lead_time_days=None), Shock(("CHN",), 1.0))
    for result in (shocked, unknown):
        np.testing.assert_allclose(result.series[0], [0.5] * 6)
        assert result.relief.empty


def test_f15_substitute_replaces_up_to_its_share_after_qualification() -> None:
    # Only gallium is hit; germanium stays fully available, and after 2 days of qualification
    # it replaces 0.2 of gallium: 0.5 → 0.7.
    refinements = Refinements(
        substitutes=(
            Substitute("gallium", "germanium", max_share=0.2, qualification_days=2.0, cost_factor=1.5),
        )
    )
    result = _run_with(refinements, Shock(("CHN",), 1.0, materials=("gallium",)))
    np.testing.assert_allclose(result.series[0], [0.5, 0.5, 0.7, 0.7, 0.7, 0.7])
    assert result.relief.iloc[0]["from"] == "germanium"
    assert result.relief.iloc[0]["share_days"] == pytest.approx(0.8)


def test_f15_substitute_is_hit_by_the_same_shock_on_its_world_supply() -> None:
    # A shock on all of China also cuts germanium by China's share of its world supply.
    refinements = Refinements(
        substitutes=(Substitute("gallium", "germanium", max_share=0.2, qualification_days=0.0),)
    )
    result = _run_with(refinements, Shock(("CHN",), 1.0))
    germanium = WORLD[WORLD["material"] == "germanium"]
    china = germanium[germanium["country"] == "CHN"].groupby("stage")["share"].sum()
    expected = 0.5 + 0.2 * float((1.0 - china).clip(0, 1).min())
    np.testing.assert_allclose(result.series[0], [expected] * 6)
