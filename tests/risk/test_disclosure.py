"""F6: disclosure control: the primary rules by hand, and no suppressed cell can be undone."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ketenradar.risk.disclosure import DisclosureRules, primary_suppression, secondary_suppression
from ketenradar.risk.releases import ReleaseChange, check_release
from tests.helpers.disclosure import check_lines
from tests.risk.lp_attack import attack_releases, attack_table


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


def _suppress(table: np.ndarray, rows: bool, cols: bool, min_companies: int = 3) -> np.ndarray:
    """Primary and secondary suppression as the survey service applies them."""
    hidden = primary_suppression(
        table, np.zeros(table.shape), np.ones(table.shape), DisclosureRules(min_companies)
    )
    keep = np.zeros(table.shape, dtype=bool)
    if rows and cols:
        keep[-1, -1] = True  # the number of respondents is public
        hidden[-1, -1] = False
    return secondary_suppression(table, hidden, rows_additive=rows, cols_additive=cols, keep=keep)


def test_f06_a_published_zero_does_not_pin_a_suppressed_cell_to_its_total() -> None:
    # Issue 8, point 2. Rows yes/no, columns d1/d2, both margins. Domain d1 has 2 companies,
    # both "no": (no, d1) and the d1 total are suppressed (2 < 3) but "yes" = 0 is published,
    # so no = total: every d1 company answered "no". Before the fix the attacker learnt that.
    table = _augmented(np.array([[0, 5], [2, 5]]), True, True)
    hidden = _suppress(table, True, True)
    assert attack_table(table, hidden, True, True) == []
    assert hidden[0, 0]  # the zero beside them is suppressed too (the smallest extra cell)


def test_f06_a_row_whose_users_all_sit_in_one_domain_is_not_given_away() -> None:
    # A material used by 2 companies, both in one domain: cell and row total suppressed, the
    # other domains published as 0 would say "all its users are in that domain".
    table = _augmented(np.array([[0, 2, 0, 0], [4, 5, 6, 3]]), True, False)
    hidden = _suppress(table, True, False)
    assert attack_table(table, hidden, True, False) == []
    assert hidden[0].sum() == 3  # the pair plus one zero, nothing more


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(2, 4), st.integers(2, 5)), elements=st.integers(0, 6)),
    st.booleans(),
    st.booleans(),
)
def test_f06_lp_attacker_with_published_zeros_determines_no_suppressed_cell(core, rows, cols) -> None:
    # Zeros and small counts are frequent here (elements 0-6): every hidden cell keeps a range
    # of at least half a company, and no hidden cell is pinned to its hidden line total.
    table = _augmented(core, rows, cols)
    hidden = _suppress(table, rows, cols)
    assert attack_table(table, hidden, rows, cols) == []
    assert check_lines(table, hidden, rows, cols)


def _one_company(shape: tuple[int, int], row: int, col: int, rows: bool, cols: bool) -> np.ndarray:
    """Return one company's membership table (with margins) for a company in (row, col)."""
    core = np.zeros(shape, dtype=np.int64)
    core[row, col] = 1
    return _augmented(core, rows, cols)


def _release(
    previous: np.ndarray, current: np.ndarray, changed: np.ndarray, direction: int, rows: bool, cols: bool
):
    keep = np.zeros(current.shape, dtype=bool)
    keep[-1, -1] = rows and cols
    return check_release(
        current,
        _suppress(current, rows, cols),
        previous,
        _suppress(previous, rows, cols),
        ReleaseChange(
            cells=changed, companies=1, in_previous=int(direction < 0), in_current=int(direction > 0)
        ),
        rows_additive=rows,
        cols_additive=cols,
        keep=keep,
    )


def _assert_company_not_placed(previous, previous_hidden, current, hidden, company, direction) -> None:
    """The attacker holding both releases cannot place the changed company more than before.

    "Before" is what the previous release and the public number of respondents alone tell
    (e.g. a published 0 that already said all of a domain answered alike); the new release
    must add nothing to it.
    """
    rows, cols = previous.shape
    nothing = np.ones(current.shape, dtype=bool)
    nothing[-1, -1] = False
    where = [tuple(int(i) for i in c) for c in np.argwhere(company > 0) if tuple(c) != (rows - 1, cols - 1)]
    cell, row_total, col_total = where[0], (where[0][0], cols - 1), (rows - 1, where[0][1])
    # No side knowledge; knowing its column (e.g. the company's domain); knowing its row.
    for known, targets in (((), where), ((col_total,), [cell, row_total]), ((row_total,), [cell, col_total])):
        kwargs = {"direction": direction, "known": known}
        after = attack_releases(previous, previous_hidden, current, hidden, True, True, **kwargs)
        placed = [target for target in targets if after[target][0] >= 0.5]
        if placed:
            before = attack_releases(previous, previous_hidden, current, nothing, True, True, **kwargs)
            assert all(before[target][0] >= 0.5 for target in placed), (known, placed, after)


def test_f06_differencing_one_company_left_does_not_give_away_its_answers() -> None:
    # Issue 8, point 1, by hand: "few suppliers" (yes/no) by domain. Between the releases one
    # company of domain d1 that answered "yes" left. Subtracting the published cells of the
    # two releases showed yes/d1, the yes total and the d1 total each down by one.
    core = np.array([[6, 4, 5], [7, 9, 8]])
    previous = _augmented(core, True, True)
    company = _one_company(core.shape, 0, 0, True, True)
    current = previous - company
    naive = _suppress(current, True, True)
    assert not naive[0, 0]  # on its own the new release would publish yes/d1 = 5 (was 6)
    check = _release(previous, current, company, -1, True, True)
    assert check.withheld is None
    hidden = check.hidden
    assert hidden[0, 0] and hidden[0, -1] and hidden[-1, 0] and not hidden[-1, -1]
    published_both = ~hidden & ~_suppress(previous, True, True)
    published_both[-1, -1] = False  # the number of respondents is public: one company left
    assert ((previous - current)[published_both] == 0).all()  # subtraction shows no change
    _assert_company_not_placed(previous, _suppress(previous, True, True), current, hidden, company, -1)
    assert attack_table(current, hidden, True, True) == []  # still safe on its own


@settings(max_examples=12, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(2, 3), st.integers(2, 4)), elements=st.integers(0, 9)),
    st.integers(0, 2),
    st.integers(0, 3),
    st.sampled_from([-1, 1]),
)
def test_f06_differencing_attack_on_random_tables(core, row, col, direction) -> None:
    # One company left (or joined) in a random cell of a random table with both margins.
    row, col = row % core.shape[0], col % core.shape[1]
    if direction < 0 and core[row, col] == 0:
        core = core.copy()
        core[row, col] = 1
    assume(core.sum() >= 6)  # with a handful of respondents the previous release alone may tell
    company = _one_company(core.shape, row, col, True, True)
    previous = _augmented(core, True, True)
    current = previous + direction * company
    check = _release(previous, current, company, direction, True, True)
    _assert_company_not_placed(
        previous, _suppress(previous, True, True), current, check.hidden, company, direction
    )
    assert attack_table(current, check.hidden, True, True) == []


def test_f06_multiple_answer_table_is_withheld_when_fewer_than_three_companies_changed() -> None:
    # Materials by domain (rows: materials, a company may use several; only row totals). Cells
    # that turn suppressed would show which materials the company used, so the table is
    # withheld, whatever the company answered.
    core = np.array([[5, 6, 7], [8, 3, 4], [9, 9, 9]])
    previous = _augmented(core, True, False)
    company = _augmented(np.array([[1, 0, 0], [0, 0, 0], [1, 0, 0]]), True, False)
    check = _release(previous, previous - company, company, -1, True, False)
    assert check.withheld == "few_companies_changed" and check.hidden.all()
    untouched = _release(previous, previous, np.zeros_like(company), -1, True, False)
    assert untouched.withheld == "few_companies_changed"  # the same answer when it used nothing
