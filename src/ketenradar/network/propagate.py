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
from ketenradar.network.build import ChainMatrix, level_ordered
from ketenradar.network.graph import Strategy, level_walk_is_cheaper, longest_path_lengths

__all__ = ["levels_below", "material_content", "reduce_up", "total_requirements"]

# Right-hand sides solved at once on the compiled route: columns × items ≤ this (32 MiB).
_BATCH_ENTRIES = 2**22


def _walk_levels(matrix: ChainMatrix, n_edges: int, strategy: Strategy) -> bool:
    if strategy == "auto":
        return level_walk_is_cheaper(matrix.depth, n_edges)
    return strategy == "levels"


def total_requirements(
    matrix: ChainMatrix,
    demand_items: IntArray,
    A: sp.csr_matrix | None = None,
    *,
    strategy: Strategy = "auto",
    level_order: bool = False,
) -> sp.csr_matrix:
    """Return ``X = (I − A)⁻¹ D``, every item's total requirement per demanded unit (n × k, CSR).

    Column ``j`` is per one unit of ``demand_items[j]``.

    The chain is acyclic, so in level order ``I − A`` is lower triangular. Level by level, the
    rows of level ``k`` are ``D_k + A[level k, levels < k] · X[levels < k]``, one sparse
    product each, appended to the rows above without copying them. The compiled route solves
    the triangular system with SuperLU in natural order (no pivoting, so no fill-in), a batch
    of columns at a time. ``A`` replaces the chain's matrix (same pattern or a subset), e.g.
    to follow only some edges. With ``level_order`` the work stays in level order: ``A`` is
    given as ``matrix.A_level`` is (rows and columns in ``matrix.order``), and X comes back
    with its rows in that order, ``X_level[r]`` being item ``matrix.order[r]``. A boolean
    ``A`` asks only which items each demand reaches: walking the levels, X is then boolean
    too (an eighth of the values to move); the entries are the same either way.
    """
    if A is None:
        A_ordered = matrix.A_level
    else:
        A_ordered = A if level_order else level_ordered(A, matrix.order, matrix.rank)
    if _walk_levels(matrix, A_ordered.nnz, strategy):
        return _requirements_by_level(matrix, A_ordered, demand_items, level_order)
    return _requirements_compiled(matrix, A_ordered, demand_items, level_order)


def _requirements_by_level(
    matrix: ChainMatrix, A_ordered: sp.csr_matrix, demand_items: IntArray, level_order: bool
) -> sp.csr_matrix:
    n, k = matrix.n, len(demand_items)
    rank = matrix.rank
    # X has A's type: quantities, or booleans when only the pattern is wanted.
    D_ordered = sp.csr_matrix(
        (np.ones(k, dtype=A_ordered.dtype), (rank[demand_items], np.arange(k))), shape=(n, k)
    )
    # X in level order, built in place: rows above the current level are never copied again.
    # Room for a few times A's entries is reserved up front; pages are only touched when written.
    index_dtype = np.int32 if max(n, k) < 2**31 - 1 else np.int64
    indptr = np.zeros(n + 1, dtype=index_dtype)
    indices = np.empty(max(k, 16, 4 * A_ordered.nnz), dtype=index_dtype)
    data = np.empty(len(indices), dtype=A_ordered.dtype)
    nnz = 0
    for level in range(matrix.depth):
        start, stop = int(matrix.level_bounds[level]), int(matrix.level_bounds[level + 1])
        block = D_ordered[start:stop]
        if start:
            # A level's parents all sit above it, so its rows need only the first ``start``
            # columns; the rows are views into A_ordered, not copies.
            first, last = A_ordered.indptr[start], A_ordered.indptr[stop]
            inputs = sp.csr_matrix(
                (
                    A_ordered.data[first:last],
                    A_ordered.indices[first:last],
                    A_ordered.indptr[start : stop + 1] - first,
                ),
                shape=(stop - start, start),
                copy=False,
            )
            above = sp.csr_matrix(
                (data[:nnz], indices[:nnz], indptr[: start + 1]), shape=(start, k), copy=False
            )
            product = inputs @ above
            block = product if block.nnz == 0 else (block + product).tocsr()
            # ``empty + product`` as SciPy lays it out, without the pass over a matrix of zeros.
            reverse = block is product and not product.has_canonical_format
        else:
            reverse = False
        if nnz + block.nnz > len(data):
            # np.resize would fill the new room with repeats of the old content: copy only what is used.
            capacity = max(2 * len(data), nnz + block.nnz)
            indices = _grown(indices, nnz, capacity)
            data = _grown(data, nnz, capacity)
        if reverse:
            order = _reversed_rows(block.indptr)
            np.take(block.indices, order, out=indices[nnz : nnz + block.nnz])
            np.take(block.data, order, out=data[nnz : nnz + block.nnz])
        else:
            indices[nnz : nnz + block.nnz] = block.indices
            data[nnz : nnz + block.nnz] = block.data
        indptr[start + 1 : stop + 1] = nnz + block.indptr[1:]
        nnz += block.nnz
    X_ordered = sp.csr_matrix((data[:nnz], indices[:nnz], indptr), shape=(n, k))
    return X_ordered if level_order else X_ordered[rank].tocsr()


def _reversed_rows(indptr: IntArray) -> IntArray:
    """Return the positions of a CSR matrix's entries with each row's entries in reverse order.

    SciPy adds two matrices with sorted rows by merging them, which keeps the entries' order;
    any other pair through a linked list, which leaves each row's entries in reverse order.
    Adding a product to an empty block is the second case unless the product's rows are
    sorted, and the entries' order decides the order of rows in results built from X, so the
    propagation keeps it as it was without adding zeros.
    """
    count = int(indptr[-1])
    bounds = indptr if count < 2**30 else indptr.astype(np.int64)  # the sum below must not overflow
    last: IntArray = np.repeat(bounds[:-1] + bounds[1:] - 1, np.diff(bounds))
    last -= np.arange(count, dtype=last.dtype)
    return last


def _grown(array: np.ndarray, used: int, capacity: int) -> np.ndarray:
    """Return a new array of ``capacity`` entries that starts with ``array[:used]``."""
    grown = np.empty(capacity, dtype=array.dtype)
    grown[:used] = array[:used]
    return grown


def _requirements_compiled(
    matrix: ChainMatrix, A_ordered: sp.csr_matrix, demand_items: IntArray, level_order: bool
) -> sp.csr_matrix:
    n, k = matrix.n, len(demand_items)
    if n == 0 or k == 0:
        return sp.csr_matrix((n, k))
    order = matrix.order
    rank = matrix.rank
    system = (sp.identity(n, format="csc") - A_ordered.astype(np.float64)).tocsc()
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
        rows.append(r if level_order else order[r])
        columns.append(wanted[c])
        values.append(solution[r, c])
    return sp.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=(n, k)
    )


def material_content(matrix: ChainMatrix, X: sp.csr_matrix) -> tuple[list[str], FloatArray]:
    """Return the material ids and their total quantity per demanded unit (materials × k)."""
    rows = np.flatnonzero(matrix.kind == "material")
    # material_ids are sorted, so the codes sort as the names do.
    codes, ids = np.unique(matrix.material_code[rows], return_inverse=True)
    M = sp.csr_matrix((np.ones(len(rows)), (ids, rows)), shape=(len(codes), matrix.n))
    return [str(m) for m in matrix.material_ids[codes]], np.asarray((M @ X).todense())


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
        reduced: FloatArray = _combine_children_by_level(matrix, value, ufunc, 0.0)
        return reduced
    missing = np.isnan(value)
    if missing.any():
        value[missing] = np.inf if how == "min" else -np.inf
    result = _subtree_best(matrix, value, how)
    if missing.any():
        result[_subtree_best(matrix, missing.astype(np.float64), "max") > 0] = np.nan
    return result


def _combine_children_by_level(
    matrix: ChainMatrix, value: np.ndarray, ufunc: np.ufunc, step: float
) -> np.ndarray:
    """``value[item] = ufunc(value[item], ufunc(value[children]) + step)``, deepest level first."""
    down = matrix.down_level
    for level in range(matrix.depth - 2, -1, -1):
        start, stop = int(matrix.level_bounds[level]), int(matrix.level_bounds[level + 1])
        rows = matrix.order[start:stop]
        # The level's rows of down are consecutive: read them in place.
        indptr = down.indptr[start : stop + 1]
        has_children = np.diff(indptr) > 0
        if not has_children.any():
            continue
        children = down.indices[indptr[0] : indptr[-1]]
        reduced = ufunc.reduceat(value[children], (indptr[:-1] - indptr[0])[has_children]) + step
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
        # Heights are small whole numbers: 32-bit integers move half the bytes of floats.
        height = _combine_children_by_level(matrix, np.zeros(matrix.n, dtype=np.int32), np.maximum, 1)
        return height.astype(np.intp)
    down = matrix.down.tocoo()
    # Reversed edges child → parent; reversing the topological rank keeps it topological.
    rank = (matrix.n - 1) - matrix.rank
    leaves = np.flatnonzero(np.diff(matrix.down.indptr) == 0)
    return longest_path_lengths(down.col.astype(np.intp), down.row.astype(np.intp), matrix.n, rank, leaves)
