"""The chain contracted for simulation over time: levels, fixed minima and the node graph.

The daily simulation (:mod:`ketenradar.scenarios.simulate`) follows only the items whose output
can change from day to day; this module lays the chain out for it. :func:`levels_of` gives the
levels deepest first, :func:`fixed_minimum` folds everything that cannot change while a set of
shocks is active into one number per item, and :class:`NodeGraph` links the simulated items to
their nearest dynamic descendants.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ketenradar._types import FloatArray, IntArray
from ketenradar.network.build import ChainMatrix

__all__ = ["Levels", "NodeGraph", "fixed_minimum", "levels_of", "nearest_dynamic"]


@dataclass(frozen=True, slots=True)
class Levels:
    """Per level (deepest first): the rows, and the children to reduce into the rows that have some."""

    rows: list[IntArray]
    children: list[IntArray]
    offsets: list[IntArray]
    targets: list[IntArray]


def levels_of(matrix: ChainMatrix) -> Levels:
    """Return the chain's levels, deepest first, with each level's children in one array."""
    down = matrix.down_level
    rows, children, offsets, targets = [], [], [], []
    for level in range(matrix.depth - 1, -1, -1):
        start, stop = int(matrix.level_bounds[level]), int(matrix.level_bounds[level + 1])
        level_rows = matrix.order[start:stop]
        indptr = down.indptr[start : stop + 1]
        with_children = np.diff(indptr) > 0
        rows.append(level_rows)
        children.append(down.indices[indptr[0] : indptr[-1]])
        offsets.append((indptr[:-1] - indptr[0])[with_children])
        targets.append(level_rows[with_children])
    return Levels(rows, children, offsets, targets)


def fixed_minimum(
    levels: Levels, own: FloatArray, own_dynamic: np.ndarray, dynamic: np.ndarray, forced: np.ndarray
) -> FloatArray:
    """Return each item's minimum over what cannot change while a set of shocks is active.

    That is its own supply (unless it changes by the day) and its inputs' values, where a
    dynamic input counts as no limit (+inf: the node graph adds it day by day) and an input
    held available as 1.
    """
    value = np.where(own_dynamic, np.inf, own)
    as_input = value.copy()
    for k in range(len(levels.rows)):
        targets = levels.targets[k]
        if len(targets):
            reduced = np.minimum.reduceat(as_input[levels.children[k]], levels.offsets[k])
            value[targets] = np.minimum(value[targets], reduced)
        rows = levels.rows[k]
        as_input[rows] = np.where(dynamic[rows], np.inf, np.where(forced[rows], 1.0, value[rows]))
    return value


@dataclass(frozen=True, slots=True)
class NodeGraph:
    """The chain contracted to the items whose output can change by the day, and those observed.

    Nodes are the items with a stock, a buffered sourcing row, an alternative or a substitute
    (the *dynamic* items), the platforms and the watched items, by level, deepest first:
    ``order[j]`` is node ``j``'s chain position, ``local_of`` the reverse (−1 for other items),
    level ``k`` holds nodes ``bounds[k] … bounds[k + 1] − 1``. A node's ``children`` are its
    *nearest dynamic descendants*: the dynamic items below it with no dynamic or held-available
    item between. Everything else below a node is fixed while a set of shocks is active and
    enters as one number, its ``base`` (:meth:`Simulator._shock_set`). ``targets``, ``forced``
    and ``stocked`` are node numbers.
    """

    order: IntArray
    local_of: IntArray
    bounds: IntArray
    children: list[IntArray]
    offsets: list[IntArray]
    targets: list[IntArray]
    forced: list[IntArray]
    stocked: list[IntArray]

    @classmethod
    def of(
        cls,
        matrix: ChainMatrix,
        nodes: np.ndarray,
        dynamic: np.ndarray,
        forced: np.ndarray,
        stocked: np.ndarray,
    ) -> NodeGraph:
        """Contract the chain to ``nodes`` (a mask) with edges to their nearest dynamic descendants."""
        n = matrix.n
        # Deepest level first; within a level in chain order.
        positions = np.flatnonzero(nodes)
        order = positions[np.lexsort((positions, -matrix.level[positions]))].astype(np.intp)
        local_of = np.full(n, -1, dtype=np.intp)
        local_of[order] = np.arange(len(order))
        near = nearest_dynamic(matrix, order, dynamic, forced)
        levels = matrix.level[order]
        bounds = np.r_[0, np.flatnonzero(np.diff(levels)) + 1, len(order)]
        children, offsets, targets, held, held_stock = [], [], [], [], []
        for a, b in itertools.pairwise(bounds.tolist()):
            counts = np.diff(near.indptr[a : b + 1])
            with_children = counts > 0
            children.append(local_of[near.indices[near.indptr[a] : near.indptr[b]]])
            offsets.append(np.r_[0, np.cumsum(counts)[:-1]][with_children].astype(np.intp))
            targets.append(np.arange(a, b)[with_children])
            held.append(np.arange(a, b)[forced[order[a:b]]])
            held_stock.append(np.arange(a, b)[stocked[order[a:b]]])
        return cls(order, local_of, np.asarray(bounds), children, offsets, targets, held, held_stock)


def nearest_dynamic(
    matrix: ChainMatrix, order: IntArray, dynamic: np.ndarray, forced: np.ndarray
) -> sp.csr_matrix:
    """Return, per node, its nearest dynamic descendants (a boolean node × item CSR in node order)."""
    down = matrix.down.astype(bool)
    # Paths go on through items that are neither dynamic nor held available.
    through = sp.diags((~dynamic & ~forced).astype(np.float64)).astype(bool)
    keep = sp.diags(dynamic.astype(np.float64)).astype(bool)
    frontier = down[order]
    found = sp.csr_matrix((len(order), matrix.n), dtype=bool)
    for _ in range(matrix.depth):
        if frontier.nnz == 0:
            break
        found = found + frontier @ keep
        frontier = (frontier @ through) @ down
    found = found.tocsr()
    found.sort_indices()
    return found
