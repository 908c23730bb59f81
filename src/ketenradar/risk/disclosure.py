"""Statistical disclosure control for tables of company counts.

Primary suppression hides a cell that rests on fewer than ``min_companies`` companies or in
which one company holds more than ``max_dominance`` of the FTE-weighted total. Secondary
suppression then hides further cells so that no suppressed cell can be recovered from the
published cells: along every additive line (a row or column whose total is published) there
are either no suppressed cells or at least two, a published 0 never pins a line's one hidden
cell to its hidden total (which would say that every company of the line answered alike), and
where lines cross, a linear programme plays the attacker (every published cell, margin and 0,
values at least ``lower``) until every hidden cell's feasible range is wider than half a
company. The smallest remaining cell is chosen, so as little as possible is hidden.

A new release of a table is also checked against the previously published one
(:func:`ketenradar.risk.releases.check_release`), with the linear programme of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse import vstack as stack
from scipy.sparse.csgraph import connected_components

from ketenradar._types import BoolArray, FloatArray, IntArray
from ketenradar.model.defaults import DISCLOSURE_MAX_DOMINANCE, DISCLOSURE_MIN_COMPANIES

__all__ = [
    "DisclosureRules",
    "exposed_cells",
    "primary_suppression",
    "secondary_suppression",
]

# A hidden value whose feasible range is not wider than this (in companies) counts as known:
# counts are whole, so a range of half a company rests on a split company and leaves one value.
DETERMINED = 0.5 + 1e-7


@dataclass(frozen=True, slots=True)
class DisclosureRules:
    """Thresholds of the disclosure rules; the defaults follow common practice for business data."""

    min_companies: int = DISCLOSURE_MIN_COMPANIES
    max_dominance: float = DISCLOSURE_MAX_DOMINANCE


def primary_suppression(
    counts: np.ndarray,
    largest_fte: FloatArray,
    total_fte: FloatArray,
    rules: DisclosureRules = DisclosureRules(),
) -> BoolArray:
    """Return the cells to hide: too few companies, or one company dominating the FTE total.

    ``counts`` are companies per cell; ``largest_fte`` the FTE of the largest company in the
    cell and ``total_fte`` the cell's FTE total (NaN where FTE is unknown: no dominance test).
    Empty cells (0 companies) reveal nothing and stay published.
    """
    counts = np.asarray(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        dominance = np.asarray(largest_fte, dtype=np.float64) / np.asarray(total_fte, dtype=np.float64)
    too_few = (counts > 0) & (counts < rules.min_companies)
    dominated = (counts > 0) & (np.nan_to_num(dominance, nan=0.0) > rules.max_dominance)
    return np.asarray(too_few | dominated)


def _lines(shape: tuple[int, int], rows_additive: bool, cols_additive: bool) -> list[IntArray]:
    """Return the flat cell indices of every additive line, its published total last."""
    index = np.arange(shape[0] * shape[1]).reshape(shape)
    return [*(index if rows_additive else []), *(index.T if cols_additive else [])]


def _pair_lone_lines(
    table: FloatArray, mask: BoolArray, fixed: BoolArray, rows_additive: bool, cols_additive: bool
) -> None:
    """Hide cells in place until no additive line has exactly one hidden cell."""
    changed = True
    while changed:
        changed = False
        for axis, additive in ((1, rows_additive), (0, cols_additive)):
            if not additive:
                continue
            lone = np.flatnonzero(mask.sum(axis=axis) == 1)
            for line in lone:
                cells = table[line] if axis == 1 else table[:, line]
                taken = (mask[line] | fixed[line]) if axis == 1 else (mask[:, line] | fixed[:, line])
                candidates = np.flatnonzero(~taken & (cells > 0))
                if candidates.size == 0:
                    # Only zeros are left: publishing them reveals the hidden cell's value,
                    # so hide one zero as well.
                    candidates = np.flatnonzero(~taken)
                if candidates.size == 0:
                    continue
                # Prefer a cell whose crossing line also has a lone hidden cell: one pick then
                # protects both; among those (or all), the smallest.
                other_axis_additive = cols_additive if axis == 1 else rows_additive
                crossing = mask.sum(axis=0)[candidates] if axis == 1 else mask.sum(axis=1)[candidates]
                pairs = candidates[crossing == 1] if other_axis_additive else candidates[:0]
                pool = pairs if pairs.size else candidates
                pick = pool[np.argmin(cells[pool])]
                if axis == 1:
                    mask[line, pick] = True
                else:
                    mask[pick, line] = True
                changed = True


def _cover_pinning_zeros(
    table: FloatArray, mask: BoolArray, fixed: BoolArray, rows_additive: bool, cols_additive: bool
) -> bool:
    """Hide one more cell on the first line whose published zeros pin its hidden cell; say if any.

    On a line whose total is hidden, with one hidden cell beside it and only published zeros
    otherwise, the hidden cell equals the total: every company of the line gave that answer.
    """
    for axis, additive in ((1, rows_additive), (0, cols_additive)):
        if not additive:
            continue
        hidden = mask if axis == 1 else mask.T
        values = table if axis == 1 else table.T
        free = ~(hidden | (fixed if axis == 1 else fixed.T))
        published_sum = np.where(hidden[:, :-1], 0.0, values[:, :-1]).sum(axis=1)
        pinned = (
            hidden[:, -1]
            & (hidden[:, :-1].sum(axis=1) == 1)
            & (published_sum == 0)
            & free[:, :-1].any(axis=1)
        )
        for line in np.flatnonzero(pinned):
            candidates = np.flatnonzero(free[line, :-1])
            crossing_additive = cols_additive if axis == 1 else rows_additive
            crossing = hidden.sum(axis=0)[candidates]
            # A zero whose crossing line has one hidden cell pairs it up; one whose crossing
            # line already has two or more adds nothing to protect there; else the smallest.
            preference = np.where(crossing == 1, 0, np.where(crossing >= 2, 1, 2)) if crossing_additive else 0
            order = np.lexsort((values[line, candidates], np.broadcast_to(preference, candidates.shape)))
            pick = candidates[order[0]]
            if axis == 1:
                mask[line, pick] = True
            else:
                mask[pick, line] = True
            return True
    return False


def _line_system(
    table: FloatArray, mask: BoolArray, lines: Sequence[IntArray], unknown: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Return ``A x = b`` over the hidden cells: every line's cells minus its total is zero."""
    column = np.full(table.size, -1)
    column[unknown] = np.arange(unknown.size)
    flat = table.ravel()
    rows, rhs = [], []
    for cells in lines:
        sign = np.ones(cells.size)
        sign[-1] = -1.0
        hidden = column[cells] >= 0
        if not hidden.any():
            continue
        row = np.zeros(unknown.size)
        np.add.at(row, column[cells[hidden]], sign[hidden])
        rows.append(row)
        rhs.append(-float(sign[~hidden] @ flat[cells[~hidden]]))
    if not rows:
        return np.zeros((0, unknown.size)), np.zeros(0)
    return np.array(rows), np.array(rhs)


@dataclass(frozen=True, slots=True)
class _Knowledge:
    """What an attacker knows of the hidden values ``x``, and the real values (one solution).

    ``a_eq x = b_eq`` (the lines), ``a_ub x <= b_ub`` (how far a cell can change between
    releases) and ``low <= x <= high``.
    """

    a_eq: csr_matrix
    b_eq: FloatArray
    a_ub: csr_matrix
    b_ub: FloatArray
    low: FloatArray
    high: FloatArray
    truth: FloatArray

    def part(self, variables: IntArray) -> _Knowledge:
        """Return the knowledge about some variables (rows touching no other variable)."""
        eq = np.flatnonzero(np.asarray(abs(self.a_eq[:, variables]).sum(axis=1)).ravel() > 0)
        ub = np.flatnonzero(np.asarray(abs(self.a_ub[:, variables]).sum(axis=1)).ravel() > 0)
        return _Knowledge(
            csr_matrix(self.a_eq[eq][:, variables]),
            self.b_eq[eq],
            csr_matrix(self.a_ub[ub][:, variables]),
            self.b_ub[ub],
            self.low[variables],
            self.high[variables],
            self.truth[variables],
        )


def _decided_without_solving(
    known: _Knowledge, forms: FloatArray, pinned: BoolArray, offsets: FloatArray
) -> tuple[BoolArray, BoolArray]:
    """Return (decided, determined) for the targets that need no linear programme.

    A form in the row space of the lines is the same for every solution: determined outright.
    Otherwise moving from the real values along the form's projection on the lines' null space
    keeps every line, and as far as no bound is hit the form changes by ``gain`` per step: when
    that spans more than half a company (or leaves 0 by that much), it is shown undetermined.
    """
    from scipy.linalg import pinvh  # loaded when needed, not at start-up

    direction = forms.copy()
    if known.a_eq.shape[0]:
        # Projection on the null space, f - Aᵀ (A Aᵀ)⁺ A f, for every target at once.
        a = known.a_eq
        inverse = pinvh((a @ a.T).toarray())
        direction -= np.asarray(a.T @ (inverse @ np.asarray(a @ forms.T))).T
    direction[np.abs(direction) < 1e-9] = 0.0
    gain = (direction**2).sum(axis=1)
    value = forms @ known.truth + offsets
    fixed = gain < 1e-9
    room_up, room_down = known.high - known.truth, known.truth - known.low
    slack = known.b_ub - known.a_ub @ known.truth
    rate = np.asarray(known.a_ub @ direction.T).T
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(
            direction > 0, room_up / direction, np.where(direction < 0, room_down / -direction, np.inf)
        )
        down = np.where(
            direction < 0, room_up / -direction, np.where(direction > 0, room_down / direction, np.inf)
        )
        forward = np.minimum(
            up.min(axis=1, initial=np.inf),
            np.where(rate > 0, slack / rate, np.inf).min(axis=1, initial=np.inf),
        )
        backward = np.minimum(
            down.min(axis=1, initial=np.inf),
            np.where(rate < 0, slack / -rate, np.inf).min(axis=1, initial=np.inf),
        )
        highest, lowest = value + forward * gain, value - backward * gain
    moves = np.where(pinned, np.maximum(np.abs(highest), np.abs(lowest)), highest - lowest) > DETERMINED
    determined = fixed & (~pinned | (np.abs(value) <= DETERMINED))
    return fixed | (moves & ~fixed), determined


def _solve(known: _Knowledge, objective: FloatArray) -> FloatArray:
    """Return a solution minimising ``objective`` (unbounded values capped far away)."""
    from scipy.optimize import linprog  # loaded when an LP is solved, not at start-up

    # A cap keeps every programme bounded, so unrelated groups can share one solve; a value
    # able to reach it is as free as an unbounded one.
    cap = 1e6 + float(np.abs(known.truth).max(initial=0.0))
    problem: dict[str, Any] = {
        "bounds": np.column_stack([known.low, np.minimum(known.high, cap)]),
        "method": "highs",
    }
    if known.a_eq.shape[0]:
        problem.update(A_eq=known.a_eq, b_eq=known.b_eq)
    if known.a_ub.shape[0]:
        problem.update(A_ub=known.a_ub, b_ub=known.b_ub)
    result = linprog(objective, **problem)
    if result.status != 0:
        raise ValueError("the published values contradict the table's lines")
    return np.asarray(result.x)


def _audit(known: _Knowledge, forms: FloatArray, pinned: BoolArray, offsets: FloatArray) -> BoolArray:
    """Return which targets an attacker's linear programme determines.

    Each target is a linear form ``t·x + offset`` of the hidden values. A range target is
    determined when its feasible range is not wider than :data:`DETERMINED`; a pinned target
    (a total minus one of its cells) when it cannot leave 0 by more. Most targets are decided
    from the real values (:func:`_decided_without_solving`). The rest fall into independent
    groups of unknowns; one target per group is solved at a time, all groups in one programme
    (separate groups do not constrain each other), and every solution clears later targets.
    """
    support = forms != 0
    constant = ~support.any(axis=1)
    determined: BoolArray = constant & (~pinned | (np.abs(offsets) <= DETERMINED))
    decided, fixed = _decided_without_solving(known, forms, pinned, offsets)
    determined |= fixed & ~constant
    open_targets = ~decided & ~constant
    if not open_targets.any():
        return determined
    links = stack(
        [csr_matrix(known.a_eq != 0), csr_matrix(known.a_ub != 0), csr_matrix(support[open_targets])]
    ).astype(np.int64)
    _count, group = connected_components(links.T @ links, directed=False)
    owner = group[np.argmax(support, axis=1)]
    pending = {
        int(g): [int(t) for t in np.flatnonzero(open_targets & (owner == g))]
        for g in np.unique(owner[open_targets])
    }
    variables_of = {g: np.flatnonzero(group == g) for g in pending}
    points = [known.truth]
    while True:
        batch = []
        for g, queue in pending.items():
            while queue:
                t = queue.pop(0)
                seen = np.array(points) @ forms[t] + offsets[t]
                if not ((np.abs(seen).max() > DETERMINED) if pinned[t] else (np.ptp(seen) > DETERMINED)):
                    batch.append((g, t))
                    break
        if not batch:
            return determined
        variables = np.concatenate([variables_of[g] for g, _t in batch])
        together = known.part(variables)
        objective = forms[[t for _g, t in batch]].sum(axis=0)
        extremes = []
        for sign in (1.0, -1.0):
            point = known.truth.copy()
            point[variables] = _solve(together, sign * objective[variables])
            points.append(point)
            extremes.append(point)
        for _g, t in batch:
            lowest, highest = (float(forms[t] @ x) + offsets[t] for x in extremes)
            determined[t] = (
                highest <= DETERMINED and lowest >= -DETERMINED
                if pinned[t]
                else highest - lowest <= DETERMINED
            )


Target = tuple[str, int, int]


def _cell_targets(
    mask: BoolArray, lines: Sequence[IntArray], column: IntArray, n: int
) -> tuple[FloatArray, BoolArray, IntArray, list[Target]]:
    """Return the range target of every hidden cell and the pinned target of every hidden total.

    Rows of the result: a unit form per hidden cell, then ``total - cell`` for each hidden
    cell on a line whose total is hidden too; with whether each is pinned, its cell and a key
    (``("value", -1, cell)`` or ``("pinned", line, cell)``).
    """
    flat = mask.ravel()
    cells = np.flatnonzero(flat)
    forms = [np.eye(n)[column[cells]]] if cells.size else [np.zeros((0, n))]
    kinds = [np.zeros(cells.size, dtype=bool)]
    owners = [cells]
    keys: list[Target] = [("value", -1, int(c)) for c in cells]
    for number, line in enumerate(lines):
        if not flat[line[-1]]:
            continue
        inner = line[:-1][flat[line[:-1]]]
        pair = np.zeros((inner.size, n))
        pair[:, column[line[-1]]] = 1.0
        pair[np.arange(inner.size), column[inner]] -= 1.0
        forms.append(pair)
        kinds.append(np.ones(inner.size, dtype=bool))
        owners.append(inner)
        keys += [("pinned", number, int(c)) for c in inner]
    return np.vstack(forms), np.concatenate(kinds), np.concatenate(owners), keys


def exposed_cells(
    values: np.ndarray,
    hidden: BoolArray,
    *,
    rows_additive: bool,
    cols_additive: bool,
    lower: float | np.ndarray = 0.0,
    upper: float | np.ndarray = np.inf,
) -> BoolArray:
    """Return the hidden cells an attacker can work out from the published cells of the table.

    The attacker knows every published cell (zeros included), that each additive line sums to
    its total and that each value lies in ``[lower, upper]`` (a count is at least 0; at least 1
    where a row is listed only because it has companies). A hidden cell is exposed when its
    feasible range is narrower than half a company, or when it is pinned to its line's hidden
    total (all of the line's companies in that cell).
    """
    table = np.atleast_2d(np.asarray(values, dtype=np.float64))
    mask = np.atleast_2d(np.asarray(hidden, dtype=bool))
    unknown = np.flatnonzero(mask.ravel())
    exposed = np.zeros(mask.size, dtype=bool)
    if unknown.size == 0:
        return exposed.reshape(np.shape(hidden))
    lines = _lines(mask.shape, rows_additive, cols_additive)
    column = np.full(mask.size, -1)
    column[unknown] = np.arange(unknown.size)
    a_eq, b_eq = _line_system(table, mask, lines, unknown)
    forms, kinds, owners, _keys = _cell_targets(mask, lines, column, unknown.size)
    low = np.broadcast_to(np.asarray(lower, dtype=np.float64), mask.shape).ravel()[unknown]
    high = np.broadcast_to(np.asarray(upper, dtype=np.float64), mask.shape).ravel()[unknown]
    nothing = csr_matrix((0, unknown.size))
    known = _Knowledge(csr_matrix(a_eq), b_eq, nothing, np.zeros(0), low, high, table.ravel()[unknown])
    determined = _audit(known, forms, kinds, np.zeros(kinds.size))
    exposed[owners[determined]] = True
    return exposed.reshape(np.shape(hidden))


def _hide_beside(
    table: FloatArray, mask: BoolArray, fixed: BoolArray, exposed: IntArray, lines: Sequence[IntArray]
) -> bool:
    """Hide, for each exposed cell, the smallest published cell on one of its lines; say if any."""
    free = ~(mask | fixed).ravel()
    values = table.ravel()
    touched: set[int] = set()
    added = False
    for cell in exposed:
        through = [i for i, line in enumerate(lines) if cell in line]
        if touched.intersection(through):
            continue
        candidates = np.unique(np.concatenate([lines[i] for i in through])) if through else np.zeros(0, int)
        candidates = candidates[free[candidates]]
        if candidates.size == 0:
            # Its own lines are all hidden: widen to every line that holds a hidden cell.
            holding = [line for line in lines if mask.flat[line].any()]
            candidates = np.unique(np.concatenate(holding)) if holding else np.flatnonzero(free)
            candidates = candidates[free[candidates]]
        if candidates.size == 0:
            continue
        order = np.lexsort((values[candidates], values[candidates] <= 0))
        pick = int(candidates[order[0]])
        free[pick] = False
        mask.flat[pick] = True
        touched.update(i for i, line in enumerate(lines) if pick in line or cell in line)
        added = True
    return added


def secondary_suppression(
    counts: np.ndarray,
    hidden: BoolArray,
    *,
    rows_additive: bool,
    cols_additive: bool,
    keep: BoolArray | None = None,
    lower: float | np.ndarray = 0.0,
) -> BoolArray:
    """Extend ``hidden`` until no hidden cell can be worked out from the published ones.

    ``rows_additive``: each row's total (sum over its columns) is published, as its last
    column; likewise ``cols_additive`` for columns, as the last row. A 1-D table is a single
    row. ``keep`` marks cells that must stay published (e.g. the number of respondents);
    ``lower`` is what the attacker knows each value to be at least. No additive line keeps
    exactly one hidden cell, no published zero pins a hidden cell to its line's hidden total,
    and where lines cross (or ``lower`` is above 0) :func:`exposed_cells` confirms it.
    """
    table = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    mask = np.atleast_2d(np.asarray(hidden, dtype=bool)).copy()
    fixed = np.zeros(mask.shape, dtype=bool) if keep is None else np.atleast_2d(np.asarray(keep, dtype=bool))
    lines = _lines(mask.shape, rows_additive, cols_additive)
    # On separate lines the two rules are exact (a line with two hidden cells, or a hidden
    # total with a hidden cell and a non-zero or a second hidden cell, leaves each free); only
    # crossing lines or known lower bounds can combine into more, so only then solve.
    audit = (rows_additive and cols_additive) or bool(np.any(np.asarray(lower) > 0))
    for _round in range(mask.size + 1):
        _pair_lone_lines(table, mask, fixed, rows_additive, cols_additive)
        if _cover_pinning_zeros(table, mask, fixed, rows_additive, cols_additive):
            continue
        if not audit:
            break
        exposed = exposed_cells(
            table, mask, rows_additive=rows_additive, cols_additive=cols_additive, lower=lower
        )
        if not exposed.any() or not _hide_beside(table, mask, fixed, np.flatnonzero(exposed), lines):
            break
    return mask.reshape(np.shape(hidden))
