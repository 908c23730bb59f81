"""F4: the chain matrix and total requirements agree with hand calculations, on every route."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.chain import Chain
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.graph import topological_levels
from ketenradar.network.propagate import levels_below, material_content, reduce_up, total_requirements
from ketenradar.services.synth import synthetic_chain
from tests.helpers.chains import CATALOGUE, RADAR, SHARED, write_chain


@pytest.fixture
def shared_chain(tmp_path: Path):
    return read_chain_workbook(write_chain(tmp_path / "two_platforms", SHARED), list(CATALOGUE))


def test_f04_radar_material_content_matches_the_worked_example() -> None:
    chain = read_chain_workbook(RADAR, list(CATALOGUE))
    matrix = build_chain_matrix(chain)
    X = total_requirements(matrix, matrix.platforms)
    ids, content = material_content(matrix, X)
    assert dict(zip(ids, content[:, 0], strict=True)) == pytest.approx(
        {"copper": 2 * 15 + 1000 * 0.05, "gallium": 1000 * 2 * 0.0001, "light_rare_earths": 2.0}
    )


def test_f04_shared_component_counts_for_both_parents(shared_chain) -> None:
    matrix = build_chain_matrix(shared_chain)
    X = total_requirements(matrix, matrix.platforms).toarray()
    position = {label: i for i, label in enumerate(matrix.index.labels)}
    tank, ifv = (list(matrix.platforms).index(position[p]) for p in ("tank", "ifv"))
    assert X[position["magnet"], tank] == 4
    assert X[position["magnet"], ifv] == 8  # two engines of four magnets
    assert X[position["ndpr"], ifv] == pytest.approx(4.0)
    assert X[position["w"], ifv] == 0


def test_f04_total_requirements_equal_the_dense_inverse(shared_chain) -> None:
    matrix = build_chain_matrix(shared_chain)
    X = total_requirements(matrix, matrix.platforms).toarray()
    dense = np.linalg.inv(np.eye(matrix.n) - matrix.A.toarray())[:, matrix.platforms]
    assert pytest.approx(dense) == X


def test_f04_reduce_up_takes_the_subtree_minimum(shared_chain) -> None:
    matrix = build_chain_matrix(shared_chain)
    own = np.linspace(1.0, 0.2, matrix.n)
    value = reduce_up(matrix, own, "min")
    dense = np.linalg.inv(np.eye(matrix.n) - matrix.A.toarray())
    for item in range(matrix.n):
        subtree = np.flatnonzero(dense[:, item] > 1e-12)  # inv leaves round-off off the subtree
        assert value[item] == pytest.approx(own[subtree].min())


def _chain_of(pairs: list[tuple[int, int]], n: int, quantity: list[float] | None = None) -> Chain:
    """A chain of items ``i0 … i{n-1}`` with bom rows ``parent → child``; roots are platforms."""
    parent = np.array([p for p, _ in pairs], dtype=np.intp)
    child = np.array([c for _, c in pairs], dtype=np.intp)
    has_parent = np.bincount(child, minlength=n) > 0
    has_child = np.bincount(parent, minlength=n) > 0
    kind = np.where(~has_parent, "platform", np.where(has_child, "component", "material"))
    ids = np.array([f"i{k}" for k in range(n)], dtype=object)
    items = pd.DataFrame(
        {
            "id": ids,
            "name": ids,
            "kind": kind,
            "domain": "",
            "dis_area": "",
            "material": np.where(kind == "material", "copper", ""),
            "unit": "unit",
        }
    )
    bom = pd.DataFrame(
        {
            "parent": ids[parent],
            "child": ids[child],
            "quantity": np.ones(len(pairs)) if quantity is None else np.array(quantity, dtype=float),
        }
    )
    sourcing = pd.DataFrame(columns=["item", "country", "share", "stage", "supplier", "tier"])
    return Chain(name="t", items=items, bom=bom, sourcing=sourcing)


def test_f04_deep_chain_requirements_and_reductions_on_every_route() -> None:
    # Issue 8: a path 3,000 items deep (every 500th bom row needs 2 units) with a material off
    # each of two parts. Walking level by level and the compiled route give the hand numbers.
    depth = 3_000
    pairs = [(k, k + 1) for k in range(depth - 1)] + [(10, depth), (depth - 1, depth + 1)]
    quantity = [2.0 if k % 500 == 0 else 1.0 for k in range(depth - 1)] + [0.5, 3.0]
    matrix = build_chain_matrix(_chain_of(pairs, depth + 2, quantity))
    assert matrix.depth == depth + 1
    bottom = 2.0 ** len(range(0, depth - 1, 500))
    own = np.ones(matrix.n)
    own[depth] = 0.25  # the material off part 10
    own[500] = 0.5
    for strategy in ("auto", "levels", "compiled"):
        X = total_requirements(matrix, matrix.platforms, strategy=strategy).toarray()[:, 0]
        assert X[depth - 1] == pytest.approx(bottom)
        assert X[depth + 1] == pytest.approx(3 * bottom)
        assert X[depth] == pytest.approx(2 * 0.5)  # below bom rows 0 (×2) and 10 → material
        low = reduce_up(matrix, own, "min", strategy=strategy)
        assert low[:11].tolist() == [0.25] * 11
        assert low[11:501].tolist() == [0.5] * 490
        assert low[501:depth].tolist() == [1.0] * (depth - 501)
        below = levels_below(matrix, strategy=strategy)
        assert below[0] == depth and below[10] == depth - 10 and below[depth] == 0


def test_f05_levels_below_counts_the_branch_itself() -> None:
    # Issue 8: a material deeper in another branch made a branch look deeper. 0 → 1 → 2 → 3 and
    # 0 → 4 → 3: item 3 sits on level 3, yet below 4 there is one level, not two.
    matrix = build_chain_matrix(_chain_of([(0, 1), (1, 2), (2, 3), (0, 4), (4, 3)], 5))
    for strategy in ("levels", "compiled"):
        assert levels_below(matrix, strategy=strategy).tolist() == [3, 2, 1, 0, 1]


@st.composite
def random_chains(draw):
    n = draw(st.integers(2, 30))
    pairs = sorted(
        {
            (p, c)
            for p, c in draw(
                st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n)
            )
            if p < c
        }
    )
    relabel = draw(st.permutations(range(n)))
    pairs = [(relabel[p], relabel[c]) for p, c in pairs]
    quantity = draw(st.lists(st.floats(0.1, 5), min_size=len(pairs), max_size=len(pairs)))
    values = draw(
        st.lists(
            st.one_of(st.floats(-10, 10), st.sampled_from([np.inf, -np.inf, np.nan])), min_size=n, max_size=n
        )
    )
    return _chain_of(pairs, n, quantity), np.array(values)


@settings(max_examples=60, deadline=None)
@given(random_chains())
def test_f04_routes_agree_with_the_dense_inverse_on_random_chains(case) -> None:
    chain, values = case
    matrix = build_chain_matrix(chain)
    inverse = np.linalg.inv(np.eye(matrix.n) - matrix.A.toarray())
    # subtree[i, j]: item i is in item j's subtree (by the pattern; inv leaves round-off elsewhere).
    step = np.eye(matrix.n, dtype=np.int64) + (matrix.A.toarray() != 0)
    subtree = np.eye(matrix.n, dtype=bool)
    for _ in range(matrix.n):
        subtree = (step @ subtree) > 0
    for strategy in ("levels", "compiled"):
        X = total_requirements(matrix, matrix.platforms, strategy=strategy).toarray()
        np.testing.assert_allclose(X, inverse[:, matrix.platforms], rtol=1e-9, atol=1e-12)
        for how, ufunc in (("min", np.min), ("max", np.max)):
            reduced = reduce_up(matrix, values, how, strategy=strategy)
            expected = [ufunc(values[subtree[:, item]]) for item in range(matrix.n)]
            np.testing.assert_array_equal(reduced, expected)
    below = levels_below(matrix, strategy="levels")
    np.testing.assert_array_equal(levels_below(matrix, strategy="compiled"), below)
    # Levels below an item = the longest path in its subtree, by the levels of a walk from it.
    for item in range(matrix.n):
        rows = np.flatnonzero(subtree[:, item])
        edges = matrix.down[rows][:, rows].tocoo()
        depth = topological_levels(edges.row, edges.col, len(rows))
        assert below[item] == depth.max()


def _scipy_requirements(matrix, demand: np.ndarray) -> sp.csr_matrix:
    """X level by level with SciPy's own indexing and sums: the layout results are read in."""
    n, k = matrix.n, len(demand)
    order = matrix.order
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)
    A_ordered = matrix.A[order][:, order].tocsr()
    D = sp.csr_matrix((np.ones(k), (rank[demand], np.arange(k))), shape=(n, k))
    bounds = matrix.level_bounds
    X_top = D[bounds[0] : bounds[1]]
    for start, stop in itertools.pairwise(bounds[1:]):
        block = (D[start:stop] + A_ordered[start:stop, :start] @ X_top).tocsr()
        X_top = sp.vstack([X_top, block], format="csr")
    return X_top[rank].tocsr()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_f04_requirements_keep_scipys_entry_order(seed: int, platforms: int) -> None:
    # Issue 9: X is built in place without adding empty blocks, but single points and root
    # causes are read from X row by row, so its entries must stay in the order SciPy's sums
    # give them, including the reversed rows of an unsorted product.
    chain = synthetic_chain(150, seed=seed, platforms=platforms)
    matrix = build_chain_matrix(chain)
    # A platform inside another one has demand below level 0.
    demand = np.r_[matrix.platforms, matrix.level_rows(2)[:2]].astype(np.intp)
    expected = _scipy_requirements(matrix, demand)
    X = total_requirements(matrix, demand, strategy="levels")
    np.testing.assert_array_equal(X.indptr, expected.indptr)
    np.testing.assert_array_equal(X.indices, expected.indices)
    np.testing.assert_array_equal(X.data, expected.data)
    X_level = total_requirements(matrix, demand, strategy="levels", level_order=True)
    np.testing.assert_array_equal(X_level[matrix.rank].toarray(), X.toarray())
    np.testing.assert_array_equal(X_level[matrix.rank].indices, X.indices)
