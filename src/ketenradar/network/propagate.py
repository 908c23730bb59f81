"""Propagation through the chain: total requirements downwards, reductions upwards.

Each function walks the chain in one of two ways (``strategy``, see ``network.graph``): level by
level with one sparse operation per level, reading only that level's rows, for chains with few
levels; or one compiled pass over the whole graph (SuperLU's triangular solve, Dijkstra) for
deep chains, where a step per level would cost more than the work itself. ``"auto"`` picks by
the chain's number of levels and edges. There is no loop over items or paths.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse import csgraph

from ketenradar._types import FloatArray, IntArray
from ketenradar.network.build import ChainMatrix
from ketenradar.network.graph import Strategy, level_walk_is_cheaper, longest_path_lengths

__all__ = ["levels_below", "material_content", "reduce_up", "total_requirements"]

# Right-hand sides solved at once on the compiled route: columns × items ≤ this (32 MiB).
_BATCH_ENTRIES = 2**22


def _walk_levels(matrix: ChainMatrix, n_edges: int, strategy: Strategy) -> bool:
    if strategy == "auto":
        return level_walk_is_cheaper(matrix.depth, n_edges)
    return strategy == "levels"


def _position_in_order(matrix: ChainMatrix) -> IntArray:
    """Return each item's position in ``matrix.order`` (a topological rank)."""
    rank = np.empty(matrix.n, dtype=np.intp)
    rank[matrix.order] = np.arange(matrix.n)
    return rank


def total_requirements(
    matrix: ChainMatrix,
    demand_items: IntArray,
    A: sp.csr_matrix | None = None,
    *,
    strategy: Strategy = "auto",
) -> sp.csr_matrix:
    """Return ``X = (I − A)⁻¹ D``, every item's total requirement per demanded unit (n × k, CSR).

    Column ``j`` is per one unit of ``demand_items[j]``.

    The chain is acyclic, so in level order ``I − A`` is lower triangular. Level by level, the
    rows of level ``k`` are ``D_k + A[level k, levels < k] · X[levels < k]``, one sparse
    product each, appended to the rows above without copying them. The compiled route solves
    the triangular system with SuperLU in natural order (no pivoting, so no fill-in), a batch
    of columns at a time. ``A`` replaces the chain's matrix (same pattern or a subset), e.g.
    to follow only some edges.
    """
    A = matrix.A if A is None else A
    if _walk_levels(matrix, A.nnz, strategy):
        return _requirements_by_level(matrix, A, demand_items)
    return _requirements_compiled(matrix, A, demand_items)


def _requirements_by_level(matrix: ChainMatrix, A: sp.csr_matrix, demand_items: IntArray) -> sp.csr_matrix:
    n, k = matrix.n, len(demand_items)
    rank = _position_in_order(matrix)
    order = matrix.order
    A_ordered = A[order][:, order].tocsr()
    D_ordered = sp.csr_matrix((np.ones(k), (rank[demand_items], np.arange(k))), shape=(n, k))
    # X in level order, built in place: rows above the current level are never copied again.
    index_dtype = np.int32 if max(n, k) < 2**31 - 1 else np.int64
    indptr = np.zeros(n + 1, dtype=index_dtype)
    indices = np.empty(max(k, 16), dtype=index_dtype)
    data = np.empty(len(indices))
    nnz = 0
    for level in range(matrix.depth):
        start, stop = int(matrix.level_bounds[level]), int(matrix.level_bounds[level + 1])
        block = D_ordered[start:stop]
        if start:
            rows = A_ordered[start:stop]
            # A level's parents all sit above it, so its rows need only the first ``start`` columns.
            inputs = sp.csr_matrix((rows.data, rows.indices, rows.indptr), shape=(stop - start, start))
            above = sp.csr_matrix(
                (data[:nnz], indices[:nnz], indptr[: start + 1]), shape=(start, k), copy=False
            )
            block = (block + inputs @ above).tocsr()
        if nnz + block.nnz > len(data):
            capacity = max(2 * len(data), nnz + block.nnz)
            indices = np.resize(indices, capacity)
            data = np.resize(data, capacity)
        indices[nnz : nnz + block.nnz] = block.indices
        data[nnz : nnz + block.nnz] = block.data
        indptr[start + 1 : stop + 1] = nnz + block.indptr[1:]
        nnz += block.nnz
    X_ordered = sp.csr_matrix((data[:nnz], indices[:nnz], indptr), shape=(n, k))
    return X_ordered[rank].tocsr()


def _requirements_compiled(matrix: ChainMatrix, A: sp.csr_matrix, demand_items: IntArray) -> sp.csr_matrix:
    n, k = matrix.n, len(demand_items)
    if n == 0 or k == 0:
        return sp.csr_matrix((n, k))
    order = matrix.order
    rank = _position_in_order(matrix)
    system = (sp.identity(n, format="csc") - A[order][:, order]).tocsc()
    lu = spla.splu(system, permc_spec="NATURAL", diag_pivot_thresh=0.0, options={"SymmetricMode": True})
    batch = max(1, min(k, _BATCH_ENTRIES // n))
    rows, columns, values = [], [], []
    for first in range(0, k, batch):
        wanted = np.arange(first, min(k, first + batch))
        rhs = np.zeros((n, len(wanted)))
        rhs[rank[demand_items[wanted]], np.arange(len(wanted))] = 1.0
        solution = lu.solve(rhs)
        # Quantities are not negative, so nothing cancels: items outside the chain stay exactly 0.
        r, c = np.nonzero(solution)
        rows.append(order[r])
        columns.append(wanted[c])
        values.append(solution[r, c])
    return sp.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=(n, k)
    )


def material_content(matrix: ChainMatrix, X: sp.csr_matrix) -> tuple[list[str], FloatArray]:
    """Return the material ids and their total quantity per demanded unit (materials × k)."""
    is_material = matrix.kind == "material"
    codes, ids = np.unique(matrix.material[is_material].astype(str), return_inverse=True)
    rows = np.flatnonzero(is_material)
    M = sp.csr_matrix((np.ones(len(rows)), (ids, rows)), shape=(len(codes), matrix.n))
    return codes.tolist(), np.asarray((M @ X).todense())


def reduce_up(
    matrix: ChainMatrix,
    own: FloatArray,
    how: Literal["min", "max"],
    *,
    strategy: Strategy = "auto",
) -> FloatArray:
    """Return each item's value combined with all its inputs' values (min or max over the subtree).

    Level by level from the deepest up: an item's children sit at deeper levels and are final
    when the item is reached. The compiled route finds, for every item, the best-ranked value
    in its subtree with one Dijkstra run (see ``_subtree_best``). A NaN anywhere in the subtree
    gives NaN, as ``numpy.minimum`` does.
    """
    value = np.array(own, dtype=np.float64, copy=True)
    ufunc = np.minimum if how == "min" else np.maximum
    if _walk_levels(matrix, matrix.down.nnz, strategy):
        return _combine_children_by_level(matrix, value, ufunc, 0.0)
    missing = np.isnan(value)
    if missing.any():
        value[missing] = np.inf if how == "min" else -np.inf
    result = _subtree_best(matrix, value, how)
    if missing.any():
        result[_subtree_best(matrix, missing.astype(np.float64), "max") > 0] = np.nan
    return result


def _combine_children_by_level(
    matrix: ChainMatrix, value: FloatArray, ufunc: np.ufunc, step: float
) -> FloatArray:
    """``value[item] = ufunc(value[item], ufunc(value[children]) + step)``, deepest level first."""
    for level in range(matrix.depth - 2, -1, -1):
        rows = matrix.level_rows(level)
        sub = matrix.down[rows]
        has_children = np.diff(sub.indptr) > 0
        if not has_children.any():
            continue
        reduced = ufunc.reduceat(value[sub.indices], sub.indptr[:-1][has_children]) + step
        targets = rows[has_children]
        value[targets] = ufunc(value[targets], reduced)
    return value


def _subtree_best(matrix: ChainMatrix, value: FloatArray, how: Literal["min", "max"]) -> FloatArray:
    """Return the min (or max) of ``value`` over each item's subtree, with one Dijkstra run.

    Items are ranked by value (best first). A super-source has an edge of cost
    ``(rank[u] + 1)·(n + 1)`` to every item ``u``, and every child an edge of cost 1 to each
    parent. A path from the source through ``u`` up to ``v`` costs less than
    ``(rank[u] + 2)·(n + 1)``, so ``⌊dist(v) / (n + 1)⌋ − 1`` is the best rank in ``v``'s
    subtree, and the value is read back exactly from the sorted values.
    """
    n = matrix.n
    if n == 0:
        return value.copy()
    by_rank = np.argsort(value if how == "min" else -value, kind="stable")
    rank = np.empty(n, dtype=np.float64)
    rank[by_rank] = np.arange(n)
    up = matrix.A  # rows are children, columns parents: the edges child → parent
    graph = sp.csr_matrix(
        (
            np.r_[np.ones(up.nnz), (rank + 1.0) * (n + 1)],
            np.r_[up.indices, np.arange(n)],
            np.r_[up.indptr, up.nnz + n],
        ),
        shape=(n + 1, n + 1),
    )
    dist = csgraph.dijkstra(graph, directed=True, indices=n)[:n]
    best = (dist // (n + 1)).astype(np.intp) - 1
    result: FloatArray = value[by_rank][best]
    return result


def levels_below(matrix: ChainMatrix, *, strategy: Strategy = "auto") -> IntArray:
    """Return the number of levels below each item: edges on its longest path down to a leaf.

    Counted within the item's own subtree, so a part that sits deeper in another branch of the
    chain does not make this branch look deeper. Level by level from the deepest up, or one
    longest-path run over the reversed graph (``network.graph.longest_path_lengths``).
    """
    if _walk_levels(matrix, matrix.down.nnz, strategy):
        height = _combine_children_by_level(matrix, np.zeros(matrix.n), np.maximum, 1.0)
        return height.astype(np.intp)
    down = matrix.down.tocoo()
    # Reversed edges child → parent; reversing the topological rank keeps it topological.
    rank = (matrix.n - 1) - _position_in_order(matrix)
    leaves = np.flatnonzero(np.diff(matrix.down.indptr) == 0)
    return longest_path_lengths(down.col.astype(np.intp), down.row.astype(np.intp), matrix.n, rank, leaves)
