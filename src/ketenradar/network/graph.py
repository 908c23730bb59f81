"""Graph structure of a bill of materials: topological levels, longest paths and cycles.

A chain is walked in one of two ways, chosen by its shape (``strategy="auto"``):

- ``"levels"``: NumPy handles one whole level per step, and each step costs only the edges
  leaving that level. A broad chain (a handful of tiers, however many items) takes a few
  steps.
- ``"compiled"``: a deep chain, up to one item per level, would spend its time in the fixed
  cost of each step, so it goes to SciPy's compiled graph routines over the whole graph.
  Tarjan's strongly connected components (``scipy.sparse.csgraph.connected_components``) give
  a topological order in one pass, and a longest path becomes a shortest path under the
  reduced cost ``2·(rank[head] − rank[tail]) − 1``, which is positive on every edge of an
  acyclic graph, so Dijkstra's algorithm applies.

Both give the same numbers; tests/network/test_graph.py checks them against each other.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from ketenradar._types import BoolArray, IntArray

__all__ = [
    "Strategy",
    "find_cycle",
    "level_walk_is_cheaper",
    "longest_path_lengths",
    "row_positions",
    "topological_levels",
]

Strategy = Literal["auto", "levels", "compiled"]

# A level step costs a fixed 10-100 µs of Python and NumPy calls; a compiled pass over the
# whole graph costs about 0.3-0.5 µs per edge (measured on the 2-core development machine:
# benchmarks/README.md). Levels are cheaper up to roughly one level per few hundred edges.
MIN_LEVEL_STEPS = 64
EDGES_PER_LEVEL_STEP = 256


def level_walk_is_cheaper(n_levels: int, n_edges: int) -> bool:
    """Return whether walking ``n_levels`` levels beats one compiled pass over ``n_edges`` edges."""
    return n_levels <= max(MIN_LEVEL_STEPS, n_edges // EDGES_PER_LEVEL_STEP)


def row_positions(indptr: IntArray, rows: IntArray) -> IntArray:
    """Return the positions in a CSR matrix's ``indices``/``data`` of all entries of ``rows``.

    Costs the number of entries returned, not the size of the matrix.
    """
    starts = indptr[rows].astype(np.intp)
    counts = indptr[rows + 1] - starts
    # Entry i of row j sits at starts[j] + (i - first output position of row j).
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    positions: IntArray = offsets + np.arange(len(offsets))
    return positions


def topological_levels(
    parent: IntArray,
    child: IntArray,
    n: int,
    *,
    strategy: Strategy = "auto",
    pattern: sp.csr_matrix | None = None,
) -> IntArray:
    """Return each node's level (longest path from a root), or -1 for nodes on or below a cycle.

    ``parent[e] -> child[e]`` are the edges. ``"levels"`` is Kahn's algorithm, one vectorised
    step per level: a node gets its level when its last parent has been placed, and a step
    reads only the edges of the nodes just placed, so it costs the edges plus a fixed amount per
    level. ``"auto"`` starts so and switches to the compiled route (``O(E log n)`` however deep)
    when the chain turns out deep; see the module docstring. ``pattern`` is the n × n matrix
    with an entry at every ``(parent, child)``, if the caller has built it already (its values
    are not read).
    """
    if pattern is not None and pattern.shape != (n, n):
        raise ValueError("pattern must be n × n")
    if strategy != "compiled":
        budget = None if strategy == "levels" else max(MIN_LEVEL_STEPS, len(parent) // EDGES_PER_LEVEL_STEP)
        level = _levels_by_steps(parent, child, n, budget, pattern)
        if level is not None:
            return level
    return _levels_compiled(parent, child, n, pattern)


def _levels_by_steps(
    parent: IntArray, child: IntArray, n: int, budget: int | None, pattern: sp.csr_matrix | None = None
) -> IntArray | None:
    """Kahn's algorithm level by level; None if it needs more than ``budget`` steps."""
    multiplicity: IntArray | None
    if pattern is not None and pattern.nnz == len(parent):
        # One stored entry per edge: no edge is repeated, so every entry counts once.
        indptr, indices, multiplicity = pattern.indptr, pattern.indices, None
    else:
        # data counts repeated bom rows, as ``remaining`` does.
        down = sp.csr_matrix((np.ones(len(parent), dtype=np.int64), (parent, child)), shape=(n, n))
        indptr, indices, multiplicity = down.indptr, down.indices, down.data
    remaining = np.bincount(child, minlength=n).astype(np.int64)
    level = np.full(n, -1, dtype=np.intp)
    slot = np.zeros(n, dtype=np.intp)  # scratch for removing repeats without sorting
    frontier = np.flatnonzero(remaining == 0)
    depth = 0
    while frontier.size:
        if budget is not None and depth >= budget:
            return None
        level[frontier] = depth
        positions = row_positions(indptr, frontier)
        reached = indices[positions]
        if 8 * len(reached) >= n:
            # A broad level: one counting pass over all nodes beats scattering (at most 8·E/n such levels).
            if multiplicity is None:
                removed = np.bincount(reached, minlength=n)
            else:
                removed = np.bincount(reached, weights=multiplicity[positions], minlength=n).astype(np.int64)
            touched = np.flatnonzero(removed)
            remaining[touched] -= removed[touched]
            frontier = touched[remaining[touched] == 0]
        else:
            np.subtract.at(remaining, reached, 1 if multiplicity is None else multiplicity[positions])
            done = reached[remaining[reached] == 0]
            # A node reached twice appears twice; keep the occurrence that wrote its slot last.
            order = np.arange(len(done))
            slot[done] = order
            frontier = done[slot[done] == order]
        depth += 1
    return level


def _levels_compiled(
    parent: IntArray, child: IntArray, n: int, pattern: sp.csr_matrix | None = None
) -> IntArray:
    """Levels from a topological rank and one Dijkstra run; -1 on or below a cycle."""
    if n == 0:
        return np.zeros(0, dtype=np.intp)
    if pattern is None:
        graph = sp.csr_matrix((np.ones(len(parent)), (parent, child)), shape=(n, n))
    else:
        # Only the structure is read; the caller's values may be anything, even zero.
        graph = sp.csr_matrix((np.ones(pattern.nnz), pattern.indices, pattern.indptr), shape=(n, n))
    n_components, labels = csgraph.connected_components(graph, directed=True, connection="strong")
    blocked = _on_or_below_cycle(graph, labels, parent, child)
    keep = ~blocked[child]  # a blocked parent blocks its child, so this drops all blocked edges
    # Tarjan's algorithm closes a component only after every component it reaches, and SciPy
    # numbers components in the order they close: the reverse of a topological order.
    rank = ((n_components - 1) - labels).astype(np.intp)
    tail, head = parent[keep], child[keep]
    if not (rank[tail] < rank[head]).all():  # guards an undocumented order
        fallback = _levels_by_steps(parent, child, n, None, pattern)
        assert fallback is not None
        return fallback
    roots = np.flatnonzero(~blocked & (np.bincount(head, minlength=n) == 0))
    level = longest_path_lengths(tail, head, n, rank, roots)
    level[blocked] = -1
    return level


def _on_or_below_cycle(
    graph: sp.csr_matrix, labels: IntArray, parent: IntArray, child: IntArray
) -> BoolArray:
    """Return the nodes on a cycle or reachable from one."""
    n = graph.shape[0]
    on_cycle = np.bincount(labels)[labels] > 1
    on_cycle[parent[parent == child]] = True
    blocked = np.zeros(n, dtype=bool)
    if not on_cycle.any():
        return blocked
    starts = np.flatnonzero(on_cycle)
    coo = graph.tocoo()
    extended = sp.csr_matrix(
        (
            np.ones(coo.nnz + len(starts)),
            (np.r_[coo.row, np.full(len(starts), n)], np.r_[coo.col, starts]),
        ),
        shape=(n + 1, n + 1),
    )
    reached = csgraph.breadth_first_order(extended, n, directed=True, return_predecessors=False)
    blocked[reached[reached < n]] = True
    return blocked


def longest_path_lengths(
    tail: IntArray, head: IntArray, n: int, rank: IntArray, sources: IntArray
) -> IntArray:
    """Return the number of edges on the longest path from any of ``sources`` to each node.

    Parameters
    ----------
    tail, head : int arrays (E,)
        The edges ``tail[e] -> head[e]`` of an acyclic graph on nodes ``0 … n−1``.
    n : int
        Number of nodes.
    rank : int array (n,)
        A topological rank: ``rank[tail[e]] < rank[head[e]]`` for every edge.
    sources : int array
        Where paths may start (length 0 there).

    Returns
    -------
    int array (n,)
        ``L(v) = max over paths s → … → v of their number of edges``, −1 where no source
        reaches ``v``.

    Notes
    -----
    A super-source ``σ`` with rank −1 gets an edge to every source. With the reduced cost
    ``w(u → v) = 2·(rank[v] − rank[u]) − 1 ≥ 1`` a path's cost telescopes to
    ``2·(rank[v] + 1) − (edges + 1)``, so the cheapest path (Dijkstra, ``O(E log n)``) is the
    longest and ``L(v) = 2·(rank[v] + 1) − dist(v) − 1``. All numbers are integers below
    ``2n + 2``, exact in float64.
    """
    sigma = n
    rows = np.r_[tail, np.full(len(sources), sigma)].astype(np.intp)
    cols = np.r_[head, sources].astype(np.intp)
    extended_rank = np.r_[rank, -1].astype(np.float64)
    # Build the pattern first (repeated edges merge), then give every stored edge its cost.
    graph = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    row_of = np.repeat(np.arange(n + 1), np.diff(graph.indptr))
    graph.data = 2.0 * (extended_rank[graph.indices] - extended_rank[row_of]) - 1.0
    dist = csgraph.dijkstra(graph, directed=True, indices=sigma)[:n]
    reached = np.isfinite(dist)
    length = np.full(n, -1, dtype=np.intp)
    length[reached] = (2.0 * (extended_rank[:n][reached] + 1.0) - dist[reached] - 1.0).astype(np.intp)
    return length


def find_cycle(parent: IntArray, child: IntArray, unplaced: IntArray) -> list[int]:
    """Return the nodes of one cycle among ``unplaced`` nodes, first node repeated at the end.

    Only called on the error path, so a plain walk is fine: every unplaced node has an
    unplaced parent, so following parents must revisit a node.
    """
    blocked = set(unplaced.tolist())
    parents: dict[int, int] = {}
    for p, c in zip(parent.tolist(), child.tolist(), strict=True):
        if p in blocked and c in blocked and c not in parents:
            parents[c] = p
    start = int(unplaced[0])
    seen: dict[int, int] = {}
    node = start
    path: list[int] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = parents[node]
    cycle = path[seen[node] :]
    # Report it in the direction of the BOM (parent -> child).
    cycle.reverse()
    return [*cycle, cycle[0]]
