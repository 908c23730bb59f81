"""The shipped world map: TopoJSON decoded with numpy, country shapes keyed by ISO3, checksummed."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from ketenradar.refdata import load_supply_shares
from ketenradar.refdata.geo import (
    TOPOLOGY_DATASET,
    _decoded_arcs,
    _ring,
    country_shapes,
    geojson,
    not_drawn,
    topology_json,
)
from ketenradar.refdata.provenance import data_dir, provenance_of


def test_arcs_are_delta_decoded_scaled_and_joined() -> None:
    # Two arcs of a unit square, quantized with scale 0.5 and origin (10, 20), by hand:
    # arc 0: (0,0) (+4,0) (0,+4) -> (0,0) (4,0) (4,4) -> degrees (10,20) (12,20) (12,22)
    # arc 1: (4,4) (-4,0) (0,-4) -> (4,4) (0,4) (0,0) -> degrees (12,22) (10,22) (10,20)
    topology = {
        "arcs": [[[0, 0], [4, 0], [0, 4]], [[4, 4], [-4, 0], [0, -4]]],
        "transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
    }
    arcs = _decoded_arcs(topology)
    assert arcs[0].tolist() == [[10, 20], [12, 20], [12, 22]]
    assert arcs[1].tolist() == [[12, 22], [10, 22], [10, 20]]
    # The ring [0, 1] drops arc 1's first point (it repeats arc 0's last): a closed square.
    assert _ring([0, 1], arcs).tolist() == [[10, 20], [12, 20], [12, 22], [10, 22], [10, 20]]
    # ~1 walks arc 1 backwards: (10,20) (10,22) (12,22).
    assert _ring([~1], arcs).tolist() == [[10, 20], [10, 22], [12, 22]]


@pytest.mark.parametrize(
    ("iso3", "expected"),
    [
        # (west, south, east, north) from an atlas: Netherlands mainland 3.36-7.23 E, 50.75-53.55 N
        # (1:110m leaves out the Wadden islands' tips); China 73.5-134.8 E, 18.2 (Hainan)-53.6 N;
        # Australia 113.2-153.6 E, 43.6 (Tasmania)-10.7 S.
        ("NLD", (3.36, 50.75, 7.23, 53.55)),
        ("CHN", (73.5, 18.2, 134.8, 53.6)),
        ("AUS", (113.2, -43.6, 153.6, -10.7)),
    ],
)
def test_country_bounding_boxes_are_right(iso3: str, expected: tuple[float, float, float, float]) -> None:
    bounds = country_shapes().bounds[iso3]
    assert np.allclose(bounds, expected, atol=0.5), bounds


def test_shapes_are_keyed_by_iso3_with_kosovo_and_the_uncoded_areas() -> None:
    shapes = country_shapes()
    assert len(shapes.polygons) == 175
    assert shapes.names["NLD"] == "Netherlands"
    assert "XKX" in shapes.polygons  # Natural Earth gives Kosovo no numeric code
    assert sorted(shapes.uncoded) == ["N. Cyprus", "Somaliland"]
    # Every ring is closed: its first point is its last.
    for shape in shapes.polygons.values():
        for polygon in shape:
            for ring in polygon:
                assert np.array_equal(ring[0], ring[-1])


def test_every_supplier_has_a_shape_except_the_listed_small_states() -> None:
    codes = load_supply_shares().frame["country"].dropna().unique()
    # City states and small islands are not drawn at 1:110m; French Guiana is part of France's shape.
    assert not_drawn(codes) == ["BHR", "BRB", "CPV", "GRD", "GUF", "HKG", "MUS", "NRU", "SGP", "SMR"]


def test_geojson_features_are_the_shapes_with_iso3_ids() -> None:
    collection = geojson(2)
    ids = [f["id"] for f in collection["features"]]
    assert ids == sorted(country_shapes().polygons)
    netherlands = next(f for f in collection["features"] if f["id"] == "NLD")
    points = np.asarray([p for polygon in netherlands["geometry"]["coordinates"] for r in polygon for p in r])
    assert points[:, 0].min() >= 3.3 and points[:, 0].max() <= 7.3


def test_the_topology_is_the_recorded_file() -> None:
    provenance = provenance_of(TOPOLOGY_DATASET)
    stored = (data_dir() / provenance.file).read_bytes()
    assert hashlib.sha256(stored).hexdigest() == provenance.sha256
    assert topology_json() == stored.decode("utf-8")
    assert "public domain" in provenance.licence and "ISC" in provenance.licence
