"""An independent check of disclosure control: can a suppressed cell be derived from the margins?"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def check_lines(table: np.ndarray, hidden: np.ndarray, rows: bool, cols: bool) -> bool:
    """Return whether no hidden cell of ``table`` can be recovered from its published totals.

    Every additive line (cells and its total) has 0 or at least 2 hidden entries, and the LP
    over all lines at once leaves every hidden cell undetermined.
    """
    lines = []
    if rows:
        lines += [hidden[r, :] for r in range(table.shape[0])]
    if cols:
        lines += [hidden[:, c] for c in range(table.shape[1])]
    if any(line.sum() == 1 for line in lines):
        return False
    # Express each line as: Σ cells − total = 0 with the total as the last element.
    unknown = np.flatnonzero(hidden.ravel())
    if unknown.size == 0:
        return True
    position = {cell: i for i, cell in enumerate(unknown)}
    A, b = [], []
    shape = table.shape
    index = np.arange(table.size).reshape(shape)
    line_cells = []
    if rows:
        line_cells += [index[r, :] for r in range(shape[0])]
    if cols:
        line_cells += [index[:, c] for c in range(shape[1])]
    flat = table.ravel().astype(float)
    for cells in line_cells:
        sign = np.ones(len(cells))
        sign[-1] = -1.0  # the last entry of an augmented line is its total
        row = np.zeros(unknown.size)
        known = 0.0
        for cell, s in zip(cells, sign, strict=True):
            if cell in position:
                row[position[cell]] += s
            else:
                known += s * flat[cell]
        if row.any():
            A.append(row)
            b.append(-known)
    for i in range(unknown.size):
        goal = np.zeros(unknown.size)
        goal[i] = 1.0
        kwargs = {"A_eq": np.array(A), "b_eq": np.array(b)} if A else {}
        low = linprog(goal, bounds=(0, None), **kwargs)
        high = linprog(-goal, bounds=(0, None), **kwargs)
        if high.status == 3:
            continue
        if low.status != 0 or high.x[i] - low.x[i] < 0.5:
            return False
    return True
