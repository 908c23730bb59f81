"""F12 properties of the baseline availability rule on random chains.

Availability by hand on small chains (through the scenario service): tests/services/test_scenarios.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar import refdata
from ketenradar.errors import UnknownItem
from ketenradar.ingest.workbook import chain_from_frames
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.propagate import total_requirements
from ketenradar.scenarios.availability import TOLERANCE, run_scenario
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import synthetic_chain
from tests.helpers.chains import as_sheets

CATALOGUE = refdata.load_materials()
WORLD = world_supply_shares(CATALOGUE)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.floats(0, 1), st.floats(0, 1))
def test_f12_availability_in_0_1_and_never_above_any_input(seed: int, s1: float, s2: float) -> None:
    chain = synthetic_chain(80, seed=seed, platforms=3)
    matrix = build_chain_matrix(chain)
    scenario = Scenario("p", (Shock(("CHN",), s1), Shock(("CHN", "USA"), s2, stage="processing")))
    items = run_scenario(chain, matrix, scenario, WORLD).items
    availability = items["availability"].to_numpy()
    assert ((availability >= -1e-12) & (availability <= 1 + 1e-12)).all()
    down = matrix.down.tocoo()
    assert (availability[down.row] <= availability[down.col] + 1e-12).all()
    assert (availability <= items["own_availability"].to_numpy() + 1e-12).all()


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_f12_availability_is_invariant_to_row_order(seed: int, rnd) -> None:
    # Split from test_f05_results_are_invariant_to_row_order (network/test_exposure.py): the same
    # shuffled workbook, here for the scenario's availabilities.
    chain = synthetic_chain(60, seed=seed, platforms=2)
    sheets = as_sheets(chain)
    shuffled = {}
    for name, frame in sheets.items():
        order = list(range(len(frame)))
        rnd.shuffle(order)
        shuffled[name] = frame.iloc[order].reset_index(drop=True)
    a = chain_from_frames(sheets, file="a", materials=list(CATALOGUE), name="a")
    b = chain_from_frames(shuffled, file="b", materials=list(CATALOGUE), name="b")
    scenario = Scenario("p", (Shock(("CHN",), 0.7),))
    ra = run_scenario(a, build_chain_matrix(a), scenario, WORLD).items.set_index("id")["availability"]
    rb = run_scenario(b, build_chain_matrix(b), scenario, WORLD).items.set_index("id")["availability"]
    pd.testing.assert_series_equal(ra.sort_index(), rb.sort_index())


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 8))
def test_f12_table_rows_are_the_first_rows_of_the_complete_result(seed: int, limit: int) -> None:
    # Issue 8: the table path builds only the rows it prints; they must match the full result.
    chain = synthetic_chain(120, seed=seed, platforms=3)
    result = run_scenario(chain, build_chain_matrix(chain), Scenario("p", (Shock(("CHN",), 0.6),)), WORLD)
    items = result.items
    affected = items[items["availability"] < 1].sort_values("availability", kind="stable")
    assert result.n_affected == len(affected)
    pd.testing.assert_frame_equal(
        result.most_affected(limit).reset_index(drop=True), affected.head(limit).reset_index(drop=True)
    )
    summary = result.platform_summary(limit)
    platforms = result.platforms
    assert summary["id"].tolist() == platforms["id"].tolist()
    assert summary["limited_by"].tolist() == [ids[:limit] for ids in platforms["limited_by"]]
    assert summary["limited_by_count"].tolist() == [len(ids) for ids in platforms["limited_by"]]


def _root_causes_by_item_order(matrix, own: np.ndarray, availability: np.ndarray) -> pd.DataFrame:
    """Root causes read from X in item order, with the binding edges taken from A as it is."""
    A = matrix.A.tocoo()
    keep = np.abs(availability[A.row] - availability[A.col]) <= TOLERANCE
    binding = sp.csr_matrix((np.ones(int(keep.sum())), (A.row[keep], A.col[keep])), shape=A.shape)
    reach = total_requirements(matrix, matrix.platforms, binding).tocoo()
    target = availability[matrix.platforms][reach.col]
    root = (np.abs(own[reach.row] - target) <= TOLERANCE) & (target < 1 - TOLERANCE)
    return pd.DataFrame({"platform": reach.col[root], "item": reach.row[root]})


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.05, 1))
def test_f12_root_causes_and_limits_in_the_order_of_the_full_matrices(seed: int, severity: float) -> None:
    # Issue 9: root causes come from X in level order and limits from the rows of affected
    # parents only; both keep the rows, and their order, that the whole matrices give.
    chain = synthetic_chain(150, seed=seed, platforms=4)
    matrix = build_chain_matrix(chain)
    result = run_scenario(chain, matrix, Scenario("p", (Shock(("CHN", "USA"), severity),)), WORLD)
    own, availability = result.own_availability, result.availability
    pd.testing.assert_frame_equal(result.root_causes, _root_causes_by_item_order(matrix, own, availability))
    down = matrix.down.tocoo()
    binding = (np.abs(availability[down.col] - availability[down.row]) <= TOLERANCE) & (
        availability[down.row] < 1 - TOLERANCE
    )
    own_binding = np.flatnonzero((np.abs(own - availability) <= TOLERANCE) & (own < 1 - TOLERANCE))
    np.testing.assert_array_equal(result.limits["item"], np.r_[own_binding, down.row[binding]])
    np.testing.assert_array_equal(result.limits["limit"], np.r_[own_binding, down.col[binding]])
    # The items' limiting inputs are the limits grouped by item, in row order.
    labels = np.asarray(result.labels, dtype=object)
    grouped = result.limits.groupby("item")["limit"].agg(list)
    expected = [[labels[i] for i in grouped.get(p, [])] for p in range(matrix.n)]
    assert result.items["limited_by"].tolist() == expected


def test_f12_unknown_items_are_named_in_the_order_the_shocks_name_them() -> None:
    chain = synthetic_chain(60, seed=1, platforms=2)
    known = chain.items["id"].iloc[5]
    scenario = Scenario(
        "p", (Shock(("CHN",), 0.5, items=("zz", known, "aa")), Shock(("CHN",), 0.2, items=("zz", "bb")))
    )
    with pytest.raises(UnknownItem) as raised:
        run_scenario(chain, build_chain_matrix(chain), scenario, WORLD)
    assert raised.value.item_ids == ["zz", "aa", "bb"]
