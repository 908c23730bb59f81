"""Statistical disclosure control for tables of company counts.

Primary suppression hides a cell that rests on fewer than ``min_companies`` companies or in
which one company holds more than ``max_dominance`` of the FTE-weighted total. Secondary
suppression then hides further cells so that no suppressed cell can be recovered from a
published total by subtraction: along every additive margin (a row or column whose total is
published) there are either no suppressed cells or at least two. The smallest remaining
non-zero cell is chosen, so as little as possible is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ketenradar._types import BoolArray, FloatArray

__all__ = ["DisclosureRules", "primary_suppression", "secondary_suppression"]


@dataclass(frozen=True, slots=True)
class DisclosureRules:
    """Thresholds of the disclosure rules; the defaults follow common practice for business data."""

    min_companies: int = 3
    max_dominance: float = 0.5


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


def secondary_suppression(
    counts: np.ndarray, hidden: BoolArray, *, rows_additive: bool, cols_additive: bool
) -> BoolArray:
    """Extend ``hidden`` until no additive row or column has exactly one hidden cell.

    ``rows_additive``: each row's total (sum over its columns) is published; likewise
    ``cols_additive`` for columns. A 1-D table is a single row.
    """
    table = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    mask = np.atleast_2d(np.asarray(hidden, dtype=bool)).copy()
    changed = True
    while changed:
        changed = False
        for axis, additive in ((1, rows_additive), (0, cols_additive)):
            if not additive:
                continue
            lone = np.flatnonzero(mask.sum(axis=axis) == 1)
            for line in lone:
                cells = table[line] if axis == 1 else table[:, line]
                taken = mask[line] if axis == 1 else mask[:, line]
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
    return mask.reshape(np.shape(hidden))
