"""Propagation through the chain: total requirements downwards, reductions upwards.

Both walk the topological levels with one sparse operation per level; there is no loop over
items or paths.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp

from ketenradar._types import FloatArray, IntArray
from ketenradar.network.build import ChainMatrix

__all__ = ["material_content", "reduce_up", "total_requirements"]


def total_requirements(
    matrix: ChainMatrix, demand_items: IntArray, A: sp.csr_matrix | None = None
) -> sp.csr_matrix:
    """Return ``X = (I − A)⁻¹ D``, every item's total requirement per demanded unit (n × k, CSR).

    Column ``j`` is per one unit of ``demand_items[j]``.

    The chain is acyclic, so in level order ``I − A`` is block lower-triangular: the rows of
    level ``k`` are ``D_k + A[level k, levels < k] · X[levels < k]``, one sparse product each.
    ``A`` replaces the chain's matrix (same pattern or a subset), e.g. to follow only some edges.
    """
    n, k = matrix.n, len(demand_items)
    D = sp.csr_matrix((np.ones(k), (demand_items, np.arange(k))), shape=(n, k))
    order = matrix.order
    A_ordered = (matrix.A if A is None else A)[order][:, order].tocsr()
    D_ordered = D[order]
    blocks: list[sp.csr_matrix] = []
    above: sp.csr_matrix | None = None
    for level in range(matrix.depth):
        start, stop = matrix.level_bounds[level], matrix.level_bounds[level + 1]
        block = D_ordered[start:stop]
        if above is not None:
            block = (block + A_ordered[start:stop, :start] @ above).tocsr()
        blocks.append(block)
        above = block if above is None else sp.vstack([above, block], format="csr")
    X_ordered = above if above is not None else sp.csr_matrix((0, k))
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.arange(n)
    return X_ordered[inverse].tocsr()


def material_content(matrix: ChainMatrix, X: sp.csr_matrix) -> tuple[list[str], FloatArray]:
    """Return the material ids and their total quantity per demanded unit (materials × k)."""
    is_material = matrix.kind == "material"
    codes, ids = np.unique(matrix.material[is_material].astype(str), return_inverse=True)
    rows = np.flatnonzero(is_material)
    M = sp.csr_matrix((np.ones(len(rows)), (ids, rows)), shape=(len(codes), matrix.n))
    return codes.tolist(), np.asarray((M @ X).todense())


def reduce_up(matrix: ChainMatrix, own: FloatArray, how: Literal["min", "max"]) -> FloatArray:
    """Return each item's value combined with all its inputs' values (min or max over the subtree).

    Walks levels from the deepest up; an item's children sit at deeper levels and are final
    when the item is reached.
    """
    value = np.array(own, dtype=np.float64, copy=True)
    ufunc = np.minimum if how == "min" else np.maximum
    for level in range(matrix.depth - 2, -1, -1):
        rows = matrix.level_rows(level)
        sub = matrix.down[rows]
        counts = np.diff(sub.indptr)
        has_children = counts > 0
        if not has_children.any():
            continue
        child_values = value[sub.indices]
        reduced = ufunc.reduceat(child_values, sub.indptr[:-1][has_children])
        targets = rows[has_children]
        value[targets] = ufunc(value[targets], reduced)
    return value
