"""F4: the chain matrix and total requirements agree with hand calculations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.propagate import material_content, reduce_up, total_requirements
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
