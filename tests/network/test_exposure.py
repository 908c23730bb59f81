"""F5 properties of chain exposure on random chains: shares in [0, 1], invariance to row order.

Exposure by hand on small chains: tests/services/test_chains.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar import refdata
from ketenradar.ingest.workbook import chain_from_frames
from ketenradar.model.chain import Chain
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import compute_exposure
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import synthetic_chain
from tests.helpers.chains import as_sheets

CATALOGUE = refdata.load_materials()
WORLD = world_supply_shares(CATALOGUE)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(30, 120))
def test_f05_chain_shares_lie_in_0_1_and_sum_to_1(seed: int, n: int) -> None:
    chain = synthetic_chain(n, seed=seed, platforms=3)
    result = compute_exposure(chain, build_chain_matrix(chain), WORLD)
    assert result.shares["share"].between(0, 1 + 1e-9).all()
    coverage = result.coverage.set_index(["platform", "material", "stage"])
    sums = result.shares.groupby(["platform", "material", "stage"])["share"].sum()
    sums = sums.reindex(coverage.index, fill_value=0.0)
    # Shares and the unknown remainder add up to 1; published world shares may exceed 1 by
    # rounding (up to 1.02), never more.
    total = sums + coverage["unknown_share"]
    assert ((total >= 1 - 1e-9) & (total <= 1.02 + 1e-9)).all()
    chain_only = coverage["known_fraction"] == 1
    assert np.allclose(sums[chain_only], 1.0)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_f05_results_are_invariant_to_row_order(seed: int, rnd) -> None:
    chain = synthetic_chain(60, seed=seed, platforms=2)
    sheets = as_sheets(chain)
    shuffled = {}
    for name, frame in sheets.items():
        order = list(range(len(frame)))
        rnd.shuffle(order)
        shuffled[name] = frame.iloc[order].reset_index(drop=True)
    a = chain_from_frames(sheets, file="a", materials=list(CATALOGUE), name="a")
    b = chain_from_frames(shuffled, file="b", materials=list(CATALOGUE), name="b")
    ea = compute_exposure(a, build_chain_matrix(a), WORLD)
    eb = compute_exposure(b, build_chain_matrix(b), WORLD)
    keys = ["platform", "material", "stage", "country"]
    pd.testing.assert_frame_equal(
        ea.shares.sort_values(keys).reset_index(drop=True),
        eb.shares.sort_values(keys).reset_index(drop=True),
        atol=1e-12,
    )


def _sourced_chain(sourcing: list[tuple[str, str, float, str, str]]) -> Chain:
    """A platform over parts a–d and the material w; ``sourcing``: item, country, share, stage, supplier."""
    ids = ["p", "a", "b", "c", "d", "w"]
    items = pd.DataFrame(
        {
            "id": ids,
            "name": ids,
            "kind": ["platform", "component", "component", "component", "component", "material"],
            "domain": "",
            "dis_area": "",
            "material": ["", "", "", "", "", "tungsten"],
            "unit": "unit",
        }
    )
    bom = pd.DataFrame(
        {"parent": ["p", "p", "p", "p", "a"], "child": ["a", "b", "c", "d", "w"], "quantity": 1.0}
    )
    frame = pd.DataFrame(sourcing, columns=["item", "country", "share", "stage", "supplier"])
    return Chain(
        name="t",
        items=items,
        bom=bom,
        sourcing=frame.assign(tier=1.0, lead_time_days=np.nan, stock_days=np.nan),
    )


def test_f05_one_supplier_needs_the_same_named_supplier_on_every_row() -> None:
    # a: one country, two suppliers; b: one country, one supplier on two rows; c: one country,
    # no supplier named; d: two countries.
    chain = _sourced_chain(
        [
            ("a", "CHN", 0.5, "manufacturing", "S1"),
            ("a", "CHN", 0.5, "manufacturing", "S2"),
            ("b", "DEU", 0.5, "manufacturing", "S3"),
            ("b", "DEU", 0.5, "manufacturing", "S3"),
            ("c", "FRA", 1.0, "manufacturing", ""),
            ("d", "NLD", 0.6, "manufacturing", "S4"),
            ("d", "DEU", 0.4, "manufacturing", "S4"),
            ("w", "CHN", 1.0, "mining", "M1"),
            ("w", "CHN", 1.0, "processing", ""),
        ]
    )
    result = compute_exposure(chain, build_chain_matrix(chain), WORLD)
    points = result.single_points
    reasons = dict(
        zip(
            points["item"] + "/" + points["stage"].astype(str), points["reason_code"].astype(str), strict=True
        )
    )
    assert reasons["a/manufacturing"] == "single_country"
    assert reasons["b/manufacturing"] == "single_supplier"
    assert reasons["c/manufacturing"] == "single_country"
    assert "d/manufacturing" not in reasons
    # Both stages of w, in the order of the chain stages (processing before mining), then w as
    # a material ≥ 90 % from China at both raw-material stages (mining first).
    w = points[points["item"] == "w"]
    assert w["stage"].astype(str).tolist() == ["processing", "mining", "mining", "processing"]
    assert w["reason_code"].astype(str).tolist() == [
        "single_country",
        "single_supplier",
        "concentrated_material",
        "concentrated_material",
    ]


def test_f05_large_result_tables_keep_names_as_text_and_vocabularies_as_categories() -> None:
    # Issue 9: a national chain has millions of single-point rows. Ids stay text (they are the
    # user's own, and CSV export guards text cells); stages, countries and reasons are
    # categorical, with the values that occur as categories, sorted as text.
    chain = synthetic_chain(400, seed=5, platforms=3)
    result = compute_exposure(chain, build_chain_matrix(chain), WORLD)
    text = pd.Series(["x"]).dtype
    for frame, ids, vocabularies in (
        (result.single_points, ["platform", "item"], ["stage", "country", "reason", "reason_code"]),
        (result.node_hhi, ["item"], ["stage", "top_country"]),
    ):
        for column in ids:
            assert frame[column].dtype == text
        for column in vocabularies:
            assert isinstance(frame[column].dtype, pd.CategoricalDtype)
        for column in ("stage",):
            categories = list(frame[column].cat.categories)
            assert categories == sorted(set(frame[column].astype(str)))
