"""Graph structure of a bill of materials: topological levels and cycles, vectorised."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ketenradar._types import IntArray

__all__ = ["find_cycle", "topological_levels"]


def topological_levels(parent: IntArray, child: IntArray, n: int) -> IntArray:
    """Return each node's level (longest path from a root), or -1 for nodes on or below a cycle.

    Kahn's algorithm, one vectorised step per level: a node gets its level when its last
    parent has been placed. ``parent[e] -> child[e]`` are the edges.
    """
    remaining = np.bincount(child, minlength=n).astype(np.int64)
    down = sp.csr_matrix((np.ones(len(parent), dtype=np.int64), (parent, child)), shape=(n, n))
    level = np.full(n, -1, dtype=np.intp)
    frontier = np.flatnonzero(remaining == 0)
    depth = 0
    while frontier.size:
        level[frontier] = depth
        reached = down[frontier]
        removed = np.asarray(reached.sum(axis=0)).ravel()
        touched = np.flatnonzero(removed)
        remaining[touched] -= removed[touched]
        frontier = touched[remaining[touched] == 0]
        depth += 1
    return level


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
