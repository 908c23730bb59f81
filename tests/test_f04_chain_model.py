"""F4/F5: chain matrix, material content and exposure agree with hand calculations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from chain_fixtures import RADAR, SHARED, write_chain

from ketenradar import refdata
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.propagate import material_content, reduce_up, total_requirements
from ketenradar.services.chains import chain_exposure
from ketenradar.services.materials import world_supply_shares

CATALOGUE = refdata.load_materials().with_materials(refdata.load_defence_materials_extra())


@pytest.fixture
def shared_chain(tmp_path: Path):
    return read_chain_workbook(write_chain(tmp_path / "shared", SHARED), list(CATALOGUE))


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


def test_f05_quantity_weighted_shares_and_world_fallback(shared_chain) -> None:
    result = chain_exposure(shared_chain, CATALOGUE).result
    shares = result.shares.set_index(["platform", "material", "stage", "country"])["share"]
    assert shares[("tank", "tungsten", "processing", "CHN")] == pytest.approx(0.8)
    assert shares[("tank", "tungsten", "processing", "AUT")] == pytest.approx(0.2)
    coverage = result.coverage.set_index(["platform", "material", "stage"])
    assert coverage.loc[("tank", "tungsten", "processing"), "basis"] == "chain"
    # NdPr has no sourcing in the chain: the EC's world shares stand in.
    world = world_supply_shares(CATALOGUE).set_index(["material", "stage", "country"])["share"]
    assert coverage.loc[("ifv", "light_rare_earths", "mining"), "basis"] == "world"
    assert shares[("ifv", "light_rare_earths", "mining", "CHN")] == pytest.approx(
        world[("light_rare_earths", "mining", "CHN")]
    )


def test_f05_partly_known_material_reports_the_known_fraction(tmp_path: Path) -> None:
    files = dict(SHARED)
    files["items.csv"] += "w2,Tungsten scrap route,material,,,tungsten,kg\n"
    files["bom.csv"] += "turret,w2,30\n"
    chain = read_chain_workbook(write_chain(tmp_path / "partial", files), list(CATALOGUE))
    result = chain_exposure(chain, CATALOGUE).result
    coverage = result.coverage.set_index(["platform", "material", "stage"])
    assert coverage.loc[("tank", "tungsten", "processing"), "known_fraction"] == pytest.approx(10 / 40)
    shares = result.shares.set_index(["platform", "material", "stage", "country"])["share"]
    world = world_supply_shares(CATALOGUE).set_index(["material", "stage", "country"])["share"]
    expected = (10 * 0.8 + 30 * world[("tungsten", "processing", "CHN")]) / 40
    assert shares[("tank", "tungsten", "processing", "CHN")] == pytest.approx(expected)


def test_f05_split_hhi_single_points_and_visibility(shared_chain) -> None:
    report = chain_exposure(shared_chain, CATALOGUE)
    result, document = report.result, report.to_json()
    tank = next(p for p in document["platforms"] if p["id"] == "tank")
    tungsten = next(m for m in tank["materials"] if m["material"] == "tungsten")
    processing = tungsten["stages"]["processing"]
    assert processing["split"] == pytest.approx({"NL": 0.0, "EU+EEA": 0.2, "third": 0.8})
    assert processing["hhi"] == pytest.approx(0.8**2 + 0.2**2)
    assert {"magnet", "turret", "w"} <= set(tank["single_points_of_failure"])
    assert "engine" not in tank["single_points_of_failure"]  # two suppliers in two countries
    ifv = next(p for p in document["platforms"] if p["id"] == "ifv")
    assert "w" not in ifv["single_points_of_failure"]  # tungsten is not in the IFV
    assert tank["visibility"]["deepest_known_tier"] == 4
    branches = {b["branch"]: b["deepest_known_tier"] for b in tank["visibility"]["branches"]}
    assert branches == {"engine": 2, "turret": 4}
    node = result.node_hhi.set_index(["item", "stage"])["hhi"]
    assert node[("engine", "manufacturing")] == pytest.approx(0.6**2 + 0.4**2)


def test_f05_spof_threshold_is_configurable(shared_chain) -> None:
    strict = chain_exposure(shared_chain, CATALOGUE, spof_threshold=0.79).result
    loose = chain_exposure(shared_chain, CATALOGUE, spof_threshold=1.0).result
    reason = "material ≥"
    strict_w = strict.single_points[
        (strict.single_points["item"] == "w") & strict.single_points["reason"].str.startswith(reason)
    ]
    loose_w = loose.single_points[
        (loose.single_points["item"] == "w") & loose.single_points["reason"].str.startswith(reason)
    ]
    assert set(strict_w["stage"]) == {"mining", "processing"}
    assert set(loose_w["stage"]) == {"mining"}


def test_f04_reduce_up_takes_the_subtree_minimum(shared_chain) -> None:
    matrix = build_chain_matrix(shared_chain)
    own = np.linspace(1.0, 0.2, matrix.n)
    value = reduce_up(matrix, own, "min")
    dense = np.linalg.inv(np.eye(matrix.n) - matrix.A.toarray())
    for item in range(matrix.n):
        subtree = np.flatnonzero(dense[:, item] > 1e-12)  # inv leaves round-off off the subtree
        assert value[item] == pytest.approx(own[subtree].min())
