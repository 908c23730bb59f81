"""An attacker with linear programmes, written apart from the library, for the disclosure tests.

``attack_table`` works on one published table: every published cell (zeros included), every
additive line and non-negativity. ``attack_releases`` holds two releases of a table and knows
that one company left (or joined) in between; it tries to place that company.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog


def _line_cells(shape: tuple[int, int], rows: bool, cols: bool) -> list[np.ndarray]:
    index = np.arange(shape[0] * shape[1]).reshape(shape)
    return [*(index if rows else []), *(index.T if cols else [])]


@dataclass
class _Programme:
    """``a_eq x = b_eq`` with bounds, over named unknowns."""

    a_eq: list[np.ndarray]
    b_eq: list[float]
    bounds: list[tuple[float, float | None]]

    def extremes(self, form: np.ndarray) -> tuple[float, float]:
        """Return the smallest and largest value of ``form · x`` (inf where unbounded)."""
        kwargs = {"A_eq": np.array(self.a_eq), "b_eq": np.array(self.b_eq)} if self.a_eq else {}
        out = []
        for sign in (1.0, -1.0):
            result = linprog(sign * form, bounds=self.bounds, method="highs", **kwargs)
            if result.status == 3:
                out.append(-sign * np.inf)
                continue
            assert result.status == 0, result.message
            out.append(sign * result.fun)
        return out[0], out[1]


def attack_table(
    table: np.ndarray, hidden: np.ndarray, rows: bool, cols: bool, lower: float = 0.0
) -> list[tuple[str, tuple[int, ...]]]:
    """Return what the attacker learns: hidden cells with a range of 0.5 or less, or pinned to a total.

    A pinned cell is an inner cell of a line whose total is hidden too, where the LP shows that
    total minus cell is 0: every company of the line is in that cell. Lines that share no
    hidden cell are solved apart; a hidden cell on no line is free.
    """
    table = np.atleast_2d(table).astype(float)
    hidden = np.atleast_2d(hidden).astype(bool)
    flat, flat_hidden = table.ravel(), hidden.ravel()
    lines = [cells for cells in _line_cells(table.shape, rows, cols) if flat_hidden[cells].any()]
    # Group lines that share hidden cells (each group is an independent programme).
    group = list(range(len(lines)))

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i in range(len(lines)):
        for j in range(i):
            if np.intersect1d(lines[i][flat_hidden[lines[i]]], lines[j][flat_hidden[lines[j]]]).size:
                group[root(i)] = root(j)
    found = []
    for g in sorted({root(i) for i in range(len(lines))}):
        members = [lines[i] for i in range(len(lines)) if root(i) == g]
        unknown = np.unique(np.concatenate([c[flat_hidden[c]] for c in members]))
        where = {int(cell): i for i, cell in enumerate(unknown)}
        programme = _Programme([], [], [(lower, None)] * unknown.size)
        for cells in members:
            row, known = np.zeros(unknown.size), 0.0
            for position, cell in enumerate(cells):
                sign = -1.0 if position == len(cells) - 1 else 1.0
                if int(cell) in where:
                    row[where[int(cell)]] += sign
                else:
                    known += sign * flat[cell]
            programme.a_eq.append(row)
            programme.b_eq.append(-known)
        for cell, i in where.items():
            low, high = programme.extremes(np.eye(unknown.size)[i])
            if high - low <= 0.5 + 1e-7:
                found.append(("determined", np.unravel_index(cell, table.shape)))
        for cells in members:
            total = int(cells[-1])
            if total not in where:
                continue
            for cell in map(int, cells[:-1]):
                if cell not in where:
                    continue
                form = np.zeros(unknown.size)
                form[where[total]], form[where[cell]] = 1.0, -1.0
                low, high = programme.extremes(form)
                if high <= 0.5 + 1e-7 and low >= -0.5 - 1e-7:
                    found.append(("pinned", np.unravel_index(cell, table.shape)))
    return found


def attack_releases(
    previous: np.ndarray,
    previous_hidden: np.ndarray,
    current: np.ndarray,
    current_hidden: np.ndarray,
    rows: bool,
    cols: bool,
    *,
    direction: int = -1,
    known: tuple[tuple[int, int], ...] = (),
) -> dict[tuple[int, int], tuple[float, float]]:
    """Return, per cell, the range of the one changed company's presence the attacker finds.

    ``direction`` -1: a company left (current = previous - e); +1: one joined. ``e`` is the
    company's membership table (0..1 per cell, additive like the tables); ``known`` cells are
    where the attacker already knows the company is (e = 1), e.g. its domain.
    """
    previous, current = np.atleast_2d(previous).astype(float), np.atleast_2d(current).astype(float)
    hid_a, hid_b = np.atleast_2d(previous_hidden).astype(bool), np.atleast_2d(current_hidden).astype(bool)
    size = previous.size
    # Unknowns: every previous cell, every current cell, every e cell (published ones fixed).
    n = 3 * size
    bounds: list[tuple[float, float | None]] = []
    for table, hid in ((previous, hid_a), (current, hid_b)):
        for cell in range(size):
            value = table.ravel()[cell]
            bounds.append((0.0, None) if hid.ravel()[cell] else (value, value))
    bounds += [(0.0, 1.0)] * size
    programme = _Programme([], [], bounds)
    for cell in range(size):
        row = np.zeros(n)
        # current - previous = direction * e
        row[size + cell], row[cell], row[2 * size + cell] = 1.0, -1.0, -float(direction)
        programme.a_eq.append(row)
        programme.b_eq.append(0.0)
    for offset in (0, size):
        for cells in _line_cells(previous.shape, rows, cols):
            row = np.zeros(n)
            row[offset + cells[:-1]] = 1.0
            row[offset + cells[-1]] = -1.0
            programme.a_eq.append(row)
            programme.b_eq.append(0.0)
    for r, c in known:
        row = np.zeros(n)
        row[2 * size + r * previous.shape[1] + c] = 1.0
        programme.a_eq.append(row)
        programme.b_eq.append(1.0)
    ranges = {}
    for cell in range(size):
        form = np.zeros(n)
        form[2 * size + cell] = 1.0
        ranges[tuple(int(i) for i in np.unravel_index(cell, previous.shape))] = programme.extremes(form)
    return ranges
