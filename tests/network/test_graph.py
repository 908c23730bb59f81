"""F4: levels, longest paths and cycles of a bill of materials, on both walking strategies.

Issue 8: a chain as deep as it is long took time quadratic in its depth. The level walk now
reads only the edges of each level, and deep chains go to SciPy's compiled graph routines;
both must give the same levels, checked here by hand and on random graphs.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.network import graph
from ketenradar.network.graph import (
    level_walk_is_cheaper,
    longest_path_lengths,
    topological_levels,
)

STRATEGIES = ("auto", "levels", "compiled")


def _edges(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    array = np.array(pairs, dtype=np.intp).reshape(-1, 2)
    return array[:, 0], array[:, 1]


def _reference_levels(parent: np.ndarray, child: np.ndarray, n: int) -> np.ndarray:
    """Longest path from a root by plain relaxation; -1 for nodes on or below a cycle."""
    level = np.zeros(n, dtype=np.intp)
    for _ in range(n + 1):
        changed = False
        for p, c in zip(parent.tolist(), child.tolist(), strict=True):
            if level[c] < level[p] + 1:
                level[c] = level[p] + 1
                changed = True
        if not changed:
            return level
    # Relaxation never settles below a cycle; find those nodes by reachability.
    reach = np.eye(n, dtype=bool)
    for _ in range(n):
        for p, c in zip(parent.tolist(), child.tolist(), strict=True):
            reach[:, c] |= reach[:, p]
    on_cycle = np.array(
        [any(reach[c, p] for p, c in zip(parent, child, strict=True) if p == i) for i in range(n)]
    )
    below = reach[on_cycle].any(axis=0)
    level[below] = -1
    return level


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_f04_levels_of_a_small_chain_by_hand(strategy) -> None:
    # 0 → 1 → 2 → 3 and a shortcut 0 → 3: 3 is on level 3 (the longest path), 4 hangs off 1.
    parent, child = _edges([(0, 1), (1, 2), (2, 3), (0, 3), (1, 4)])
    levels = topological_levels(parent, child, 5, strategy=strategy)
    assert levels.tolist() == [0, 1, 2, 3, 2]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_f04_repeated_bom_rows_count_once_each(strategy) -> None:
    parent, child = _edges([(0, 1), (0, 1), (1, 2), (0, 2)])
    assert topological_levels(parent, child, 3, strategy=strategy).tolist() == [0, 1, 2]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_f04_nodes_on_and_below_a_cycle_get_minus_one(strategy) -> None:
    # 0 → 1 → 2 → 1 is a cycle; 3 hangs below it, 4 beside it.
    parent, child = _edges([(0, 1), (1, 2), (2, 1), (2, 3), (0, 4)])
    levels = topological_levels(parent, child, 5, strategy=strategy)
    assert levels.tolist() == [0, -1, -1, -1, 1]
    unplaced = np.flatnonzero(levels < 0)
    assert graph.find_cycle(parent, child, unplaced) in ([1, 2, 1], [2, 1, 2])


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_f04_empty_chain_has_no_levels(strategy) -> None:
    empty = np.array([], dtype=np.intp)
    assert topological_levels(empty, empty, 0, strategy=strategy).tolist() == []


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_f04_self_loop_is_a_cycle(strategy) -> None:
    parent, child = _edges([(0, 1), (1, 1), (1, 2)])
    assert topological_levels(parent, child, 3, strategy=strategy).tolist() == [0, -1, -1]


def test_f04_deep_chain_takes_the_compiled_route_and_gets_every_level(monkeypatch) -> None:
    # Issue 8: 20,000 levels, one item each. The level walk gives up after its budget and the
    # compiled route places every item (before, every level reduced the whole matrix).
    n = 20_000
    parent, child = np.arange(n - 1), np.arange(1, n)
    calls = []
    compiled = graph._levels_compiled
    monkeypatch.setattr(graph, "_levels_compiled", lambda *a: calls.append(1) or compiled(*a))
    levels = topological_levels(parent[::-1].copy(), child[::-1].copy(), n)
    assert calls == [1]
    assert np.array_equal(levels, np.arange(n))
    assert not level_walk_is_cheaper(n, n - 1)
    assert level_walk_is_cheaper(5, 3_000_000)


def test_f04_compiled_route_falls_back_when_scipy_numbers_components_otherwise(monkeypatch) -> None:
    # The topological order comes from how SciPy numbers strong components (undocumented); if a
    # SciPy release numbered them otherwise, the level walk must take over, not give wrong levels.
    real = graph.csgraph.connected_components

    def shuffled(*args, **kwargs):
        count, labels = real(*args, **kwargs)
        return count, (count - 1) - labels

    monkeypatch.setattr(graph.csgraph, "connected_components", shuffled)
    parent, child = _edges([(0, 1), (1, 2), (0, 2)])
    assert topological_levels(parent, child, 3, strategy="compiled").tolist() == [0, 1, 2]


def test_f04_longest_path_lengths_by_hand() -> None:
    # Edges 0 → 1 → 3, 0 → 2 → 3, 2 → 4 → 3: the longest path to 3 has three edges.
    tail, head = _edges([(0, 1), (1, 3), (0, 2), (2, 4), (4, 3)])
    rank = np.array([0, 1, 2, 4, 3])
    lengths = longest_path_lengths(tail, head, 6, np.r_[rank, 5], np.array([0]))
    assert lengths.tolist() == [0, 1, 1, 3, 2, -1]  # node 5 is not reached


@st.composite
def random_graphs(draw, cycles: bool = False):
    n = draw(st.integers(1, 25))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n).map(
            lambda ps: [(p, c) for p, c in ps if cycles or p < c]
        )
    )
    relabel = np.array(draw(st.permutations(range(n))), dtype=np.intp)
    parent, child = _edges(pairs)
    return relabel[parent], relabel[child], n


@settings(max_examples=60, deadline=None)
@given(random_graphs(cycles=True))
def test_f04_both_routes_give_the_reference_levels(case) -> None:
    parent, child, n = case
    expected = _reference_levels(parent, child, n)
    for strategy in STRATEGIES:
        assert topological_levels(parent, child, n, strategy=strategy).tolist() == expected.tolist()


@settings(max_examples=60, deadline=None)
@given(random_graphs(cycles=True), st.floats(0.0, 3.0))
def test_f04_a_prebuilt_pattern_gives_the_same_levels(case, value: float) -> None:
    # Issue 9: build hands its parent → child matrix over instead of having it built again. Its
    # values are never read (even zeros), and repeated edges still count once each.
    parent, child, n = case
    pattern = sp.csr_matrix((np.full(len(parent), value), (parent, child)), shape=(n, n))
    expected = _reference_levels(parent, child, n)
    for strategy in STRATEGIES:
        levels = topological_levels(parent, child, n, strategy=strategy, pattern=pattern)
        assert levels.tolist() == expected.tolist()


def test_f04_a_pattern_of_another_shape_is_refused() -> None:
    parent, child = _edges([(0, 1)])
    with pytest.raises(ValueError, match="n × n"):
        topological_levels(parent, child, 2, pattern=sp.csr_matrix((3, 3)))
