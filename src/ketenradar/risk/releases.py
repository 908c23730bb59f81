"""Check a new release of a table against the previously published one.

The difference between two releases must not tell what the companies that joined, left or
changed their answers answered. :func:`check_release` suppresses the cells whose change
concerns fewer than ``min_companies`` companies and adds cells (smallest first) until an
attacker holding both releases, with the linear programme of :mod:`ketenradar.risk.disclosure`,
can work out neither such a change nor a suppressed value of either release; a table that
cannot be protected so is withheld whole (``WITHHELD_*`` codes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse import vstack as stack

from ketenradar._types import BoolArray, FloatArray, IntArray
from ketenradar.risk.disclosure import (
    DisclosureRules,
    _audit,
    _cell_targets,
    _hide_beside,
    _Knowledge,
    _line_system,
    _lines,
    secondary_suppression,
)

__all__ = [
    "WITHHELD_FEW_CHANGES",
    "WITHHELD_UNPROTECTABLE",
    "ReleaseChange",
    "ReleaseCheck",
    "check_release",
]

# Why a table is withheld from a release as a whole (JSON codes).
WITHHELD_FEW_CHANGES = "few_companies_changed"
WITHHELD_UNPROTECTABLE = "change_cannot_be_hidden"


@dataclass(frozen=True, slots=True)
class ReleaseChange:
    """What differs between two releases of a table.

    ``cells``: per cell, the companies counted in it in one release but not in the other.
    ``companies``: companies that joined, left or changed any answer (survey-wide);
    ``in_previous`` and ``in_current``: how many of them each release counts, so that no cell
    can change by more than that (the attacker may know it).
    """

    cells: np.ndarray
    companies: int
    in_previous: int
    in_current: int


@dataclass(frozen=True, slots=True)
class ReleaseCheck:
    """The suppression of a new release after comparing it with the previous one.

    ``hidden``: the cells to suppress; ``differencing``: those suppressed only because of the
    comparison; ``withheld``: a code saying why the whole table is suppressed, or None.
    """

    hidden: BoolArray
    differencing: BoolArray
    withheld: str | None = None


def _joint_exposure(
    current: FloatArray,
    mask: BoolArray,
    previous: FloatArray,
    previous_hidden: BoolArray,
    change: ReleaseChange,
    concerned: BoolArray,
    lines: Sequence[IntArray],
) -> dict[tuple[str, str, int, int], int]:
    """Return what an attacker holding both releases works out: target key -> its cell.

    Unknowns are the hidden cells of both releases; each release's lines hold, and each cell
    changed by at most the changed companies counted in either release. Targets: every hidden
    cell of either release, every hidden total minus one of its cells, and the change of every
    cell whose change concerns fewer than ``min_companies`` companies, alone and against its
    line's total. Keys start with ``previous``, ``current`` or ``change``.
    """
    a_cells, b_cells = np.flatnonzero(previous_hidden.ravel()), np.flatnonzero(mask.ravel())
    n_a, n = a_cells.size, a_cells.size + b_cells.size
    col_a, col_b = np.full(mask.size, -1), np.full(mask.size, -1)
    col_a[a_cells], col_b[b_cells] = np.arange(n_a), n_a + np.arange(b_cells.size)
    eq_a, rhs_a = _line_system(previous, previous_hidden, lines, a_cells)
    eq_b, rhs_b = _line_system(current, mask, lines, b_cells)
    a_eq = stack([
        csr_matrix(np.hstack([eq_a, np.zeros((eq_a.shape[0], b_cells.size))])),
        csr_matrix(np.hstack([np.zeros((eq_b.shape[0], n_a)), eq_b])),
    ]).tocsr()  # fmt: skip
    b_eq = np.concatenate([rhs_a, rhs_b])
    down, up = float(change.in_previous), float(change.in_current)
    low, high = np.zeros(n), np.full(n, np.inf)
    flat_a, flat_b = previous.ravel(), current.ravel()
    # A value hidden in one release lies within the changed companies of the other's value.
    only_b = mask.ravel() & ~previous_hidden.ravel()
    low[col_b[only_b]] = np.maximum(0.0, flat_a[only_b] - down)
    high[col_b[only_b]] = flat_a[only_b] + up
    only_a = previous_hidden.ravel() & ~mask.ravel()
    low[col_a[only_a]] = np.maximum(0.0, flat_b[only_a] - up)
    high[col_a[only_a]] = flat_b[only_a] + down
    both = np.flatnonzero(previous_hidden.ravel() & mask.ravel())
    # current - previous <= joined and previous - current <= left, for cells hidden in both.
    rows = np.tile(np.arange(2 * both.size), 2)
    columns = np.concatenate([col_b[both], col_a[both], col_a[both], col_b[both]])
    signs = np.repeat([1.0, -1.0], 2 * both.size)
    a_ub = coo_matrix((signs, (rows, columns)), shape=(2 * both.size, n)).tocsr()
    b_ub = np.concatenate([np.full(both.size, up), np.full(both.size, down)])

    published_change = np.where(mask.ravel(), 0.0, flat_b) - np.where(previous_hidden.ravel(), 0.0, flat_a)

    def difference(cell: np.intp) -> FloatArray:
        form = np.zeros(n)
        if col_b[cell] >= 0:
            form[col_b[cell]] += 1.0
        if col_a[cell] >= 0:
            form[col_a[cell]] -= 1.0
        return form

    forms_a, kinds_a, owners_a, keys_a = _cell_targets(previous_hidden, lines, col_a, n)
    forms_b, kinds_b, owners_b, keys_b = _cell_targets(mask, lines, col_b, n)
    forms, kinds, owners = [forms_a, forms_b], [kinds_a, kinds_b], [owners_a, owners_b]
    offsets = [np.zeros(owners_a.size + owners_b.size)]
    keys = [("previous", *k) for k in keys_a] + [("current", *k) for k in keys_b]
    unknown_change = (previous_hidden | mask).ravel()
    flat_concerned = concerned.ravel()
    for cell in np.flatnonzero(flat_concerned):
        forms.append(difference(cell)[None, :])
        kinds.append(np.zeros(1, dtype=bool))
        owners.append(np.array([cell]))
        offsets.append(published_change[[cell]])
        keys.append(("change", "value", -1, int(cell)))
    for number, line in enumerate(lines):
        total = line[-1]
        if not unknown_change[total]:
            continue
        for cell in line[:-1][unknown_change[line[:-1]] & flat_concerned[line[:-1]]]:
            forms.append((difference(total) - difference(cell))[None, :])
            kinds.append(np.ones(1, dtype=bool))
            owners.append(np.array([cell]))
            offsets.append(published_change[[total]] - published_change[[cell]])
            keys.append(("change", "pinned", number, int(cell)))
    truth = np.concatenate([flat_a[a_cells], flat_b[b_cells]])
    known = _Knowledge(a_eq, b_eq, a_ub, b_ub, low, high, truth)
    determined = _audit(known, np.vstack(forms), np.concatenate(kinds), np.concatenate(offsets))
    return {
        key: int(cell) for key, cell, hit in zip(keys, np.concatenate(owners), determined, strict=True) if hit
    }


def check_release(
    current: np.ndarray,
    current_hidden: BoolArray,
    previous: np.ndarray,
    previous_hidden: BoolArray,
    change: ReleaseChange,
    *,
    rows_additive: bool,
    cols_additive: bool,
    rules: DisclosureRules = DisclosureRules(),
    keep: BoolArray | None = None,
) -> ReleaseCheck:
    """Suppress what a new release would give away when set beside the previous one.

    ``current``/``previous`` are the two releases' count tables on the same grid (with their
    margins), ``current_hidden`` the new release's own suppression and ``previous_hidden``
    what the previous release suppressed. A cell whose change concerns 1 to
    ``min_companies - 1`` companies is suppressed, and cells are added (smallest first) until
    an attacker holding both releases can work out neither such a change, nor a suppressed
    value of either release, nor pin a change to one cell of its line. ``keep`` cells stay
    published (the number of respondents is public; so is how many joined or left).

    Suppression cannot hide a change in a table that is not additive both ways (a multiple-
    answer question): the cells that became suppressed would point at the answers. Such a table
    is withheld whole when fewer than ``min_companies`` companies changed (decided on that
    count alone, so the decision says nothing about where they changed); so is any table the
    added cells cannot protect.
    """
    table = np.atleast_2d(np.asarray(current, dtype=np.float64))
    before = np.atleast_2d(np.asarray(previous, dtype=np.float64))
    was_hidden = np.atleast_2d(np.asarray(previous_hidden, dtype=bool))
    own = np.atleast_2d(np.asarray(current_hidden, dtype=bool))
    fixed = np.zeros(table.shape, dtype=bool) if keep is None else np.atleast_2d(np.asarray(keep, dtype=bool))
    changed = np.atleast_2d(np.asarray(change.cells))
    lines = _lines(table.shape, rows_additive, cols_additive)
    two_way = rows_additive and cols_additive

    def withheld(reason: str) -> ReleaseCheck:
        return ReleaseCheck(hidden=(~fixed).reshape(np.shape(current_hidden)),
                            differencing=(~fixed & ~own).reshape(np.shape(current_hidden)),
                            withheld=reason)  # fmt: skip

    if 0 < change.companies < rules.min_companies and not two_way:
        return withheld(WITHHELD_FEW_CHANGES)
    concerned = (changed > 0) & (changed < rules.min_companies) & ~fixed

    def exposure(mask: BoolArray) -> dict[tuple[str, str, int, int], int]:
        return _joint_exposure(table, mask, before, was_hidden, change, concerned, lines)

    # What the previous release and the public count of respondents give away whatever this
    # release suppresses (e.g. a published 0 that already said all of a line answered alike)
    # cannot be protected here; everything else must stay hidden.
    given_away = exposure(~fixed).keys()
    mask = own | concerned
    exposed = np.zeros(0, dtype=np.intp)
    for _round in range(table.size + 1):
        mask = np.atleast_2d(
            secondary_suppression(
                table, mask, rows_additive=rows_additive, cols_additive=cols_additive, keep=fixed
            )
        )
        found = exposure(mask)
        exposed = np.unique([cell for key, cell in found.items() if key not in given_away]).astype(np.intp)
        if exposed.size == 0 or not _hide_beside(table, mask, fixed, exposed, lines):
            break
    if exposed.size:
        return withheld(WITHHELD_UNPROTECTABLE)
    return ReleaseCheck(
        hidden=mask.reshape(np.shape(current_hidden)),
        differencing=(mask & ~own).reshape(np.shape(current_hidden)),
    )
