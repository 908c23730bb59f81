"""F6: disclosure control: the primary rules by hand, and no suppressed cell can be undone."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ketenradar.risk.disclosure import DisclosureRules, primary_suppression, secondary_suppression
from tests.helpers.disclosure import check_lines


def _augmented(core: np.ndarray, rows: bool, cols: bool) -> np.ndarray:
    table = core
    if rows:
        table = np.column_stack([table, table.sum(axis=1)])
    if cols:
        table = np.vstack([table, table.sum(axis=0)])
    return table


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(2, 5), st.integers(2, 5)), elements=st.integers(0, 12)),
    st.booleans(),
    st.booleans(),
)
def test_f06_no_suppressed_cell_can_be_derived_from_published_margins(core, rows, cols) -> None:
    table = _augmented(core, rows, cols)
    hidden = primary_suppression(table, np.zeros(table.shape), np.ones(table.shape))
    hidden = secondary_suppression(table, hidden, rows_additive=rows, cols_additive=cols)
    assert check_lines(table, hidden, rows, cols)


def test_f06_primary_rules_by_hand() -> None:
    counts = np.array([5, 2, 4, 0])
    largest = np.array([10.0, 1.0, 90.0, np.nan])
    total = np.array([30.0, 2.0, 100.0, np.nan])
    hidden = primary_suppression(counts, largest, total, DisclosureRules(3, 0.5))
    assert hidden.tolist() == [False, True, True, False]  # too few; one company holds 90 %
