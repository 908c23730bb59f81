"""F16: each measure kind changes a copy of the chain exactly as documented; effects equal re-runs."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.ingest.measures_file import MEASURE_KINDS as FILE_KINDS
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.mitigation.measures import (
    MEASURE_KINDS,
    Measure,
    MeasureNotApplicable,
    apply_measure,
    apply_measures,
)
from ketenradar.mitigation.ranking import rank_measures
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.availability import run_scenario
from ketenradar.scenarios.simulate import simulate
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.measures import rank_measures_on_chain
from tests.helpers.chains import CATALOGUE, write_chain

# Platform p ← component comp ← gallium a (2 kg) and cobalt b (1 kg). Gallium processing is
# 80 % CHN, 20 % JPN; cobalt has no rows of its own (world shares). China stops processed
# gallium for 100 days: a and p at 0.2, 100 × 0.8 = 80 platform-days lost.
FILES = {
    "items.csv": """id,name,kind,domain,dis_area,material,unit
p,Platform,platform,land,,,unit
comp,Component,component,land,,,unit
a,Gallium,material,,,gallium,kg
b,Cobalt,material,,,cobalt,kg
""",
    "bom.csv": """parent,child,quantity
p,comp,1
comp,a,2
comp,b,1
""",
    "sourcing.csv": """item,country,share,stage,supplier,tier
p,NLD,1,,OEM,0
comp,DEU,1,,Maker,1
a,AUS,1,mining,,2
a,CHN,0.8,processing,,2
a,JPN,0.2,processing,,2
""",
}

SCENARIO = Scenario(
    name="China stops processed gallium",
    shocks=(
        Shock(
            countries=("CHN",), stage="processing", materials=("gallium",), severity=1.0, duration_days=100.0
        ),
    ),
)

# A tiny world-share table for the pure tests: cobalt mining 70 % COD, 30 % AUS.
WORLD = pd.DataFrame(
    {
        "material": ["cobalt", "cobalt", "germanium"],
        "stage": ["mining", "mining", "processing"],
        "country": ["COD", "AUS", "CHN"],
        "share": [0.7, 0.3, 1.0],
    }
)


@pytest.fixture
def chain(tmp_path: Path) -> Chain:
    return read_chain_workbook(write_chain(tmp_path / "c", FILES), list(CATALOGUE))


def _rows(chain: Chain, item: str, stage: str) -> dict[str, float]:
    rows = chain.sourcing[(chain.sourcing["item"] == item) & (chain.sourcing["stage"] == stage)]
    return {str(c): pytest.approx(float(s)) for c, s in zip(rows["country"], rows["share"], strict=True)}


def test_f16_kinds_are_the_same_in_the_reader_and_the_core() -> None:
    assert FILE_KINDS == MEASURE_KINDS


def test_f16_add_supplier_scales_the_other_rows_by_one_minus_share(chain: Chain) -> None:
    measure = Measure("kor", "add_supplier", "a", stage="processing", country="KOR", share=0.5)
    changed = apply_measure(chain, measure, WORLD)
    assert _rows(changed, "a", "processing") == {"CHN": 0.4, "JPN": 0.1, "KOR": 0.5}
    assert _rows(changed, "a", "mining") == {"AUS": 1.0}
    assert len(changed.sourcing) == len(chain.sourcing) + 1


def test_f16_add_supplier_on_world_shares_writes_them_out_first(chain: Chain) -> None:
    measure = Measure("aus", "add_supplier", "b", stage="mining", country="CAN", share=0.2)
    changed = apply_measure(chain, measure, WORLD)
    assert _rows(changed, "b", "mining") == {"COD": 0.56, "AUS": 0.24, "CAN": 0.2}


def test_f16_add_stock_adds_days_and_leaves_other_items_without_stock(chain: Chain) -> None:
    changed = apply_measure(chain, Measure("s", "add_stock", "comp", days=30.0), WORLD)
    stock = dict(zip(changed.items["id"], changed.items["stock_days"], strict=True))
    assert stock["comp"] == 30.0
    assert np.isnan(stock["a"]) and np.isnan(stock["p"])
    again = apply_measure(changed, Measure("t", "add_stock", "comp", days=15.0), WORLD)
    assert again.items.loc[again.items["id"] == "comp", "stock_days"].item() == 45.0


def test_f16_substitute_moves_a_share_of_the_bom_quantity_to_a_new_material_item(chain: Chain) -> None:
    measure = Measure("ge", "substitute", "a", material="germanium", share=0.25)
    changed = apply_measure(chain, measure, WORLD, {"germanium": "Germanium"})
    bom = {(p, c): q for p, c, q in changed.bom[["parent", "child", "quantity"]].itertuples(index=False)}
    assert bom[("comp", "a")] == pytest.approx(1.5)
    assert bom[("comp", "m_germanium")] == pytest.approx(0.5)
    assert bom[("comp", "b")] == 1.0 and bom[("p", "comp")] == 1.0
    new = changed.items[changed.items["id"] == "m_germanium"].iloc[0]
    assert (new["kind"], new["material"], new["name"], new["unit"]) == (
        "material",
        "germanium",
        "Germanium",
        "kg",
    )
    # No sourcing rows: the baseline rule takes the substitute's world shares.
    assert not (changed.sourcing["item"] == "m_germanium").any()


def test_f16_substitute_into_an_existing_material_item_merges_the_rows(chain: Chain) -> None:
    changed = apply_measure(chain, Measure("co", "substitute", "a", material="cobalt", share=1.0), WORLD)
    bom = {(p, c): q for p, c, q in changed.bom[["parent", "child", "quantity"]].itertuples(index=False)}
    assert ("comp", "a") not in bom
    assert bom[("comp", "b")] == pytest.approx(3.0)
    assert len(changed.items) == len(chain.items)


def test_f16_remove_country_rescales_the_rest_to_one(chain: Chain) -> None:
    changed = apply_measure(chain, Measure("x", "remove_country", "b", stage="mining", country="COD"), WORLD)
    assert _rows(changed, "b", "mining") == {"AUS": 1.0}
    with pytest.raises(MeasureNotApplicable) as caught:
        apply_measure(chain, Measure("y", "remove_country", "a", stage="mining", country="AUS"), WORLD)
    assert caught.value.reason == "nothing_remains"
    with pytest.raises(MeasureNotApplicable) as caught:
        apply_measure(chain, Measure("z", "remove_country", "a", stage="processing", country="USA"), WORLD)
    assert caught.value.reason == "country_not_at_stage"


def test_f16_the_original_chain_is_unchanged(chain: Chain) -> None:
    before = copy.deepcopy((chain.items, chain.bom, chain.sourcing))
    apply_measures(
        chain,
        [
            Measure("k", "add_supplier", "a", stage="processing", country="KOR", share=0.5),
            Measure("s", "add_stock", "comp", days=30.0),
            Measure("g", "substitute", "a", material="germanium", share=0.5),
            Measure("r", "remove_country", "a", stage="processing", country="CHN"),
        ],
        WORLD,
    )
    for frame, kept in zip((chain.items, chain.bom, chain.sourcing), before, strict=True):
        pd.testing.assert_frame_equal(frame, kept)


MEASURES_YAML = """measures:
  - id: kor
    kind: add_supplier
    item: a
    stage: processing
    country: KOR
    share: 0.5
    cost_eur: 1000000
  - id: stock
    kind: add_stock
    item: comp
    days: 30
    cost_eur: 100000
  - id: no_china
    kind: remove_country
    item: a
    stage: processing
    country: CHN
"""


def _direct(chain: Chain) -> tuple[float, float]:
    """Return the platform's availability and days lost, re-run directly on a chain."""
    world = world_supply_shares(CATALOGUE)
    matrix = build_chain_matrix(chain)
    availability = run_scenario(chain, matrix, SCENARIO, world).platforms["availability"].item()
    lost = float(simulate(chain, matrix, SCENARIO, world, 365).days_lost[0])
    return availability, lost


def test_f16_effects_equal_a_direct_rerun_on_a_hand_built_copy(chain: Chain, tmp_path: Path) -> None:
    path = tmp_path / "measures.yaml"
    path.write_text(MEASURES_YAML, encoding="utf-8")
    effects = rank_measures_on_chain(chain, SCENARIO, CATALOGUE, path, combine=["kor", "stock"])
    platforms = effects.platforms.set_index("measure")
    sourcing = chain.sourcing
    a_processing = (sourcing["item"] == "a") & (sourcing["stage"] == "processing")
    kor_row = sourcing[a_processing].iloc[[0]].assign(country="KOR", share=0.5, supplier="kor")
    by_hand = {
        "kor": chain.with_frames(
            sourcing=pd.concat(
                [
                    sourcing.assign(share=np.where(a_processing, sourcing["share"] * 0.5, sourcing["share"])),
                    kor_row,
                ],
                ignore_index=True,
            )
        ),
        "stock": chain.with_frames(
            items=chain.items.assign(stock_days=np.where(chain.items["id"] == "comp", 30.0, np.nan))
        ),
        "no_china": chain.with_frames(
            sourcing=sourcing[~(a_processing & (sourcing["country"] == "CHN"))].assign(
                share=lambda f: np.where((f["item"] == "a") & (f["stage"] == "processing"), 1.0, f["share"])
            )
        ),
    }
    base_availability, base_lost = _direct(chain)
    assert (base_availability, base_lost) == (pytest.approx(0.2), pytest.approx(80.0))
    for measure_id, changed in by_hand.items():
        availability, lost = _direct(changed)
        row = platforms.loc[measure_id]
        assert row["availability_before"] == pytest.approx(base_availability)
        assert row["days_lost_before"] == pytest.approx(base_lost)
        assert row["availability_after"] == pytest.approx(availability), measure_id
        assert row["days_lost_after"] == pytest.approx(lost), measure_id
    # Hand values: KOR takes half → 0.6 available, 100 × 0.4 = 40 days lost; without China, none.
    assert platforms.loc["kor", "days_lost_after"] == pytest.approx(40.0)
    assert platforms.loc["no_china", "days_lost_after"] == pytest.approx(0.0)
    frame = effects.measures.set_index("id")
    assert frame.loc["kor", "loss_avoided"] == pytest.approx(40.0)
    assert frame.loc["kor", "loss_avoided_per_eur"] == pytest.approx(40.0 / 1e6)
    assert np.isnan(frame.loc["no_china", "loss_avoided_per_eur"])
    combined = apply_measures(
        chain,
        [
            Measure("kor", "add_supplier", "a", stage="processing", country="KOR", share=0.5),
            Measure("stock", "add_stock", "comp", days=30.0),
        ],
        world_supply_shares(CATALOGUE),
    )
    assert platforms.loc["combined", "days_lost_after"] == pytest.approx(_direct(combined)[1])
    assert frame.loc["combined", "cost_eur"] == pytest.approx(1_100_000.0)
    # Per euro: stock and kor first (by that figure), then no_china by its 80 platform-days.
    assert frame.loc["no_china", "rank"] == 4
    assert list(effects.measures["rank"]) == [1, 2, 3, 4]


def test_f16_monte_carlo_effects_equal_a_direct_monte_carlo(chain: Chain, tmp_path: Path) -> None:
    from ketenradar.scenarios.montecarlo import monte_carlo

    path = tmp_path / "measures.yaml"
    path.write_text(MEASURES_YAML, encoding="utf-8")
    effects = rank_measures_on_chain(chain, SCENARIO, CATALOGUE, path, draws=7, seed=4)
    world = world_supply_shares(CATALOGUE)
    expected = monte_carlo(chain, build_chain_matrix(chain), SCENARIO, world, 7, 4).mean_days_lost[0]
    assert effects.platforms["days_lost_before"].iloc[0] == pytest.approx(expected)
    assert effects.to_json()["seed"] == 4 and effects.method == "montecarlo"


def _frame(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_f16_ranking_per_euro_first_then_loss_then_ratings_then_id() -> None:
    nan = float("nan")
    frame = _frame(
        id=["d", "c", "b", "a", "e", "f"],
        loss_avoided=[10.0, 50.0, 50.0, 50.0, 1.0, nan],
        loss_avoided_per_eur=[0.01, nan, nan, nan, 0.001, nan],
        impact=[nan, 2.0, 3.0, 3.0, nan, 3.0],
        effort=[nan, 3.0, 5.0, 4.0, nan, 2.0],
    )
    ranks = dict(zip(frame["id"], rank_measures(frame), strict=True))
    # d, e have a cost (per euro first); a and b tie on loss and impact, a has less effort.
    assert ranks == {"d": 1, "e": 2, "a": 3, "b": 4, "c": 5, "f": 6}
    shuffled = frame.sample(frac=1.0, random_state=1)
    assert dict(zip(shuffled["id"], rank_measures(shuffled), strict=True)) == ranks
    ties = _frame(
        id=["z", "y"],
        loss_avoided=[1.0, 1.0],
        loss_avoided_per_eur=[nan, nan],
        impact=[nan, nan],
        effort=[nan, nan],
    )
    assert list(rank_measures(ties)) == [2, 1]


@given(share=st.floats(min_value=1e-6, max_value=1.0), country=st.sampled_from(["KOR", "JPN", "CHN", "USA"]))
@settings(max_examples=40, deadline=None)
def test_f16_add_supplier_keeps_shares_summing_to_one(share: float, country: str) -> None:
    chain = _hypothesis_chain()
    measure = Measure("m", "add_supplier", "a", stage="processing", country=country, share=share)
    changed = apply_measure(chain, measure, WORLD)
    rows = changed.sourcing[(changed.sourcing["item"] == "a") & (changed.sourcing["stage"] == "processing")]
    assert rows["share"].sum() == pytest.approx(1.0)
    assert ((rows["share"] >= 0) & (rows["share"] <= 1)).all()
    # Dropping China leaves the new supplier (and JPN) rescaled to 1, unless nothing else remains.
    if country == "CHN" or share > 1.0 - 1e-9:
        return
    removed = apply_measure(
        changed, Measure("r", "remove_country", "a", stage="processing", country="CHN"), WORLD
    )
    kept = removed.sourcing[(removed.sourcing["item"] == "a") & (removed.sourcing["stage"] == "processing")]
    assert kept["share"].sum() == pytest.approx(1.0)


def _hypothesis_chain() -> Chain:
    """Return the test chain built from frames (hypothesis runs without tmp_path)."""
    items = pd.DataFrame(
        {
            "id": ["p", "a"],
            "name": ["Platform", "Gallium"],
            "kind": ["platform", "material"],
            "domain": ["land", ""],
            "dis_area": ["", ""],
            "material": ["", "gallium"],
            "unit": ["unit", "kg"],
            "stock_days": [np.nan, np.nan],
        }
    )
    bom = pd.DataFrame({"parent": ["p"], "child": ["a"], "quantity": [1.0]})
    sourcing = pd.DataFrame(
        {
            "item": ["a", "a"],
            "country": ["CHN", "JPN"],
            "share": [0.8, 0.2],
            "stage": ["processing", "processing"],
            "supplier": ["", ""],
            "tier": [np.nan, np.nan],
            "lead_time_days": [np.nan, np.nan],
            "stock_days": [np.nan, np.nan],
        }
    )
    return Chain("h", items, bom, sourcing)


def test_f16_a_free_measure_ranks_first_and_a_measure_without_effect_last() -> None:
    frame = pd.DataFrame(
        {
            "id": ["paid_useless", "uncosted", "free", "paid"],
            "loss_avoided": [0.0, 146.0, 53.6, 4.6],
            "cost_eur": [1e6, np.nan, 0.0, 1e5],
            "loss_avoided_per_eur": [0.0, np.nan, np.nan, 4.6e-5],
            "impact": [np.nan] * 4,
            "effort": [np.nan] * 4,
        }
    )
    # Free and effective first; then per euro; then effective without a cost; nothing avoided last.
    assert rank_measures(frame).tolist() == [4, 3, 1, 2]
