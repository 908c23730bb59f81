"""Country shapes for the maps: Natural Earth 1:110m, decoded from the shipped TopoJSON with numpy.

The shipped file (``world_atlas_countries_110m.json``, see SOURCES.md) holds quantized,
delta-encoded arcs; a country's polygon rings are sequences of arcs (a negative index ``~i``
walks arc ``i`` backwards). Shapes are keyed by ISO 3166-1 alpha-3 code; the three shapes
without a numeric code are Kosovo (``XKX``, as ketenradar codes it) and two areas kept as land
without a code (N. Cyprus, Somaliland).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pycountry

from ketenradar._types import FloatArray
from ketenradar.refdata.provenance import Provenance, data_dir, provenance_of

__all__ = [
    "TOPOLOGY_DATASET",
    "CountryShapes",
    "country_shapes",
    "geojson",
    "not_drawn",
    "topology_json",
]

TOPOLOGY_DATASET = "world_countries_110m"
# Shapes without an ISO 3166 numeric id in Natural Earth: the code ketenradar uses, where it has one.
_UNNUMBERED = {"Kosovo": "XKX"}

# One polygon: its rings (outer first, then holes), each an (n, 2) array of longitude, latitude.
Polygon = tuple[FloatArray, ...]


@dataclass(frozen=True, slots=True)
class CountryShapes:
    """The country polygons of the world map, keyed by ISO3, with the shapes that have no code.

    ``polygons[iso3]`` is a tuple of polygons; ``bounds[iso3]`` is (west, south, east, north) in
    degrees; ``uncoded`` holds the polygons of areas without an ISO code (drawn as plain land).
    """

    polygons: dict[str, tuple[Polygon, ...]]
    names: dict[str, str]
    bounds: dict[str, tuple[float, float, float, float]]
    uncoded: dict[str, tuple[Polygon, ...]]
    provenance: Provenance

    @property
    def codes(self) -> tuple[str, ...]:
        """Return the ISO3 codes that have a shape, sorted."""
        return tuple(sorted(self.polygons))


@cache
def topology_json() -> str:
    """Return the shipped TopoJSON text as stored, after checking its checksum."""
    provenance = provenance_of(TOPOLOGY_DATASET)
    return (data_dir() / provenance.file).read_text(encoding="utf-8")


def _decoded_arcs(topology: dict[str, Any]) -> list[FloatArray]:
    """Return every arc as an (n, 2) array of degrees: delta-decoded, scaled and translated."""
    arcs = topology["arcs"]
    lengths = np.fromiter((len(a) for a in arcs), dtype=np.int64, count=len(arcs))
    flat = np.concatenate([np.asarray(a, dtype=np.float64).reshape(-1, 2) for a in arcs])
    # Each arc's points are deltas from the previous point of the same arc: one cumulative sum
    # over all points, minus the sum reached before the arc starts.
    total = np.cumsum(flat, axis=0)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    before = np.vstack([np.zeros((1, 2)), total[starts[1:] - 1]])
    absolute = total - np.repeat(before, lengths, axis=0)
    transform = topology["transform"]
    degrees = absolute * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
    return np.split(degrees, np.cumsum(lengths)[:-1])


def _ring(indices: Iterable[int], arcs: list[FloatArray]) -> FloatArray:
    """Join a ring's arcs; each arc after the first repeats the previous arc's last point."""
    parts = [arcs[i] if i >= 0 else arcs[~i][::-1] for i in indices]
    return np.vstack([parts[0], *(p[1:] for p in parts[1:])])


def _polygons(geometry: dict[str, Any], arcs: list[FloatArray]) -> tuple[Polygon, ...]:
    rings = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    return tuple(tuple(_ring(r, arcs) for r in polygon) for polygon in rings)


def _code(geometry: dict[str, Any]) -> str | None:
    """Return the ISO3 code of a shape (from its numeric id), or None when it has none."""
    numeric = geometry.get("id")
    if numeric is None:
        return _UNNUMBERED.get(geometry.get("properties", {}).get("name", ""))
    country = pycountry.countries.get(numeric=str(numeric))
    return None if country is None else str(country.alpha_3)


@cache
def country_shapes() -> CountryShapes:
    """Return the decoded country polygons of the shipped 1:110m map, keyed by ISO3."""
    topology = json.loads(topology_json())
    arcs = _decoded_arcs(topology)
    polygons: dict[str, tuple[Polygon, ...]] = {}
    names: dict[str, str] = {}
    uncoded: dict[str, tuple[Polygon, ...]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        shape = _polygons(geometry, arcs)
        name = str(geometry.get("properties", {}).get("name", ""))
        code = _code(geometry)
        if code is None:
            uncoded[name] = shape
        else:
            polygons[code] = shape
            names[code] = name
    bounds = {}
    for code, shape in polygons.items():
        points = np.vstack([ring for polygon in shape for ring in polygon])
        west, south = points.min(axis=0)
        east, north = points.max(axis=0)
        bounds[code] = (float(west), float(south), float(east), float(north))
    return CountryShapes(polygons, names, bounds, uncoded, provenance_of(TOPOLOGY_DATASET))


def not_drawn(codes: Iterable[str]) -> list[str]:
    """Return the given ISO3 codes that have no shape on the 1:110m map (small states), sorted."""
    drawn = country_shapes().polygons
    return sorted({str(c) for c in codes} - set(drawn))


def _rounded(ring: FloatArray, digits: int) -> list[list[float]]:
    values: list[list[float]] = np.round(ring, digits).tolist()
    return values


@cache
def geojson(digits: int = 2) -> dict[str, Any]:
    """Return the countries as a GeoJSON FeatureCollection (``id`` = ISO3), coordinates rounded.

    Plotly draws the interactive maps from it (``featureidkey="id"``); the rounding keeps the
    page small (0.01° is about 1 km, far below what 1:110m resolves).
    """
    shapes = country_shapes()
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"name": shapes.names[code]},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[_rounded(ring, digits) for ring in polygon] for polygon in shape],
            },
        }
        for code, shape in sorted(shapes.polygons.items())
    ]
    return {"type": "FeatureCollection", "features": features}
