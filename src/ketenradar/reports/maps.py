"""World maps of country shares: static SVG (matplotlib) for print; the Plotly maps' page assets.

Both draw the Natural Earth 1:110m shapes (:mod:`ketenradar.services.maps`). A country is
coloured by its share in fixed classes; a country without a figure stays grey and the legend
says so; a country with a share but no shape at this scale (a small state) is named in the
figure's "not drawn" note, never dropped silently. The interactive maps
(:func:`~ketenradar.services.maps.choropleth_figure`) read the shapes from the script of
:func:`geo_assets_js`, so that Plotly never fetches anything.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from ketenradar.locale import _, format_percent
from ketenradar.reports.charts import _svg, _unique_ids
from ketenradar.services.maps import (
    EDGE_COLOUR,
    GEOJSON_KEY,
    HIGHLIGHT_COLOUR,
    MISSING_COLOUR,
    NORTH,
    SHARE_BINS,
    SHARE_COLOURS,
    SOUTH,
    choropleth_figure,
    class_labels,
    country_shapes,
    geojson,
    missing_label,
    not_drawn,
    share_classes,
    share_colours,
    topology_json,
)

__all__ = [
    "GEOJSON_KEY",
    "MISSING_COLOUR",
    "SHARE_BINS",
    "SHARE_COLOURS",
    "MapPanel",
    "choropleth_figure",
    "geo_assets_js",
    "map_grid_svg",
    "not_drawn_note",
    "share_classes",
    "share_colours",
    "world_map_svg",
]


@dataclass(frozen=True, slots=True)
class MapPanel:
    """One map of a grid: its title and the shares (ISO3 → fraction; NaN = listed without a figure)."""

    title: str
    shares: pd.Series


@cache
def _country_paths() -> dict[str, MplPath]:
    """Return one compound path per ISO3 code (all its polygons and holes)."""
    shapes = country_shapes()
    # Antarctica lies below the map's southern edge and supplies none of the materials.
    return {code: _compound(shape) for code, shape in shapes.polygons.items() if code != "ATA"}


@cache
def _uncoded_paths() -> tuple[MplPath, ...]:
    return tuple(_compound(shape) for shape in country_shapes().uncoded.values())


def _planar(ring: np.ndarray) -> list[np.ndarray]:
    """Return a ring as drawn on a flat map: unwrapped where it crosses the 180° meridian, twice.

    A ring that crosses the antimeridian (Chukotka, Fiji) jumps from +180° to -180°; unwrapped,
    it runs past 180°, and a copy shifted by 360° fills the other edge (the axes clip both).
    """
    lon = np.unwrap(ring[:, 0], period=360.0)
    if lon.max() <= 180.0 and lon.min() >= -180.0:
        return [ring]
    shift = -360.0 if lon.max() > 180.0 else 360.0
    unwrapped = np.column_stack([lon, ring[:, 1]])
    return [unwrapped, unwrapped + np.asarray([shift, 0.0])]


def _compound(shape: Sequence[Sequence[np.ndarray]]) -> MplPath:
    rings = [MplPath(part, closed=False) for polygon in shape for ring in polygon for part in _planar(ring)]
    return MplPath.make_compound_path(*rings)


def _draw_map(ax: Any, shares: pd.Series, *, highlight: str | None, rasterized: bool, title: str) -> None:
    """Draw every country on ``ax``: coloured by share, grey without a figure, outlined if highlighted."""
    colours = share_colours(shares)
    paths = _country_paths()
    codes = sorted(paths)
    faces = [colours.get(code, MISSING_COLOUR) for code in codes]
    if rasterized:
        # Small multiples: one collection of the paths themselves, embedded as an image.
        collection = PathCollection(
            [paths[code] for code in codes],
            facecolors=faces,
            edgecolors=EDGE_COLOUR,
            linewidths=0.25,
            rasterized=True,
        )
        ax.add_collection(collection)
    else:
        # One map: each country its own vector path, named by its code (id "country-NLD").
        for code, face in zip(codes, faces, strict=True):
            patch = PathPatch(paths[code], facecolor=face, edgecolor=EDGE_COLOUR, linewidth=0.25)
            patch.set_gid(f"country-{code}")
            ax.add_patch(patch)
    land = PathCollection(
        list(_uncoded_paths()),
        facecolors=MISSING_COLOUR,
        edgecolors=EDGE_COLOUR,
        linewidths=0.25,
        rasterized=rasterized,
    )
    ax.add_collection(land)
    if highlight is not None and highlight in paths:
        ax.add_patch(PathPatch(paths[highlight], facecolor="none", edgecolor=HIGHLIGHT_COLOUR, linewidth=1.2))
    ax.set_xlim(-180, 180)
    ax.set_ylim(SOUTH, NORTH)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        # Placed as text above the axes: an axes title would measure the (hidden) axes on every draw.
        ax.text(0.0, 1.02, title, transform=ax.transAxes, fontsize=9, ha="left", va="bottom")


def _legend(figure: Figure, *, columns: int) -> None:
    handles = [Patch(facecolor=c, edgecolor="#7f8c8d", linewidth=0.3) for c in SHARE_COLOURS]
    handles.append(Patch(facecolor=MISSING_COLOUR, edgecolor="#7f8c8d", linewidth=0.3))
    figure.legend(
        handles,
        [*class_labels(), missing_label()],
        loc="outside lower center",
        ncols=columns,
        fontsize=8,
        frameon=False,
        title=_("Share of global supply"),
        title_fontsize=8,
    )


def world_map_svg(shares: pd.Series, *, title: str = "", highlight: str | None = None) -> str:
    """Draw one world map of country shares (ISO3 → fraction) as SVG, with its legend.

    ``highlight`` outlines one country (the dashboard's country page). Each country is a
    vector path whose fill follows :func:`share_colours`.
    """
    figure = Figure(figsize=(8.0, 4.4), layout="constrained")
    ax = figure.subplots()
    _draw_map(ax, shares, highlight=highlight, rasterized=False, title=title)
    _legend(figure, columns=3)
    return _svg(figure)


# Small multiples: panel size in inches (the map's 360° by 142° at the same scale both ways),
# the room for a panel's title and for the legend, and the raster resolution of the shapes.
_PANEL_WIDTH = 3.5
_PANEL_HEIGHT = _PANEL_WIDTH * (NORTH - SOUTH) / 360.0
_TITLE_ROOM = 0.25
_LEGEND_ROOM = 0.75
_GRID_DPI = 110


def map_grid_svg(panels: Sequence[MapPanel], *, columns: int = 2) -> str:
    """Draw small multiples of world maps with one shared legend, as SVG.

    The country shapes are embedded as images (text stays text) so that a page of maps stays
    small; one map alone is drawn as vectors by :func:`world_map_svg`. The panels sit on a fixed
    grid (no layout engine): many maps stay quick to draw.
    """
    rows = max(1, -(-len(panels) // columns))
    gap = 0.2
    width = columns * _PANEL_WIDTH + (columns - 1) * gap
    height = rows * (_PANEL_HEIGHT + _TITLE_ROOM) + _LEGEND_ROOM
    figure = Figure(figsize=(width, height), dpi=_GRID_DPI)
    for i, panel in enumerate(panels):
        row, column = divmod(i, columns)
        left = column * (_PANEL_WIDTH + gap) / width
        bottom = (height - (row + 1) * (_PANEL_HEIGHT + _TITLE_ROOM)) / height
        ax = figure.add_axes((left, bottom, _PANEL_WIDTH / width, _PANEL_HEIGHT / height))
        _draw_map(ax, panel.shares, highlight=None, rasterized=True, title=panel.title)
    handles = [
        Patch(facecolor=c, edgecolor="#7f8c8d", linewidth=0.3) for c in (*SHARE_COLOURS, MISSING_COLOUR)
    ]
    figure.legend(
        handles,
        [*class_labels(), missing_label()],
        loc="lower center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=3,
        fontsize=8,
        frameon=False,
        title=_("Share of global supply"),
        title_fontsize=8,
    )
    return _fixed_svg(figure)


def _fixed_svg(figure: Figure) -> str:
    """Return the figure as SVG at its own size (no tight box: nothing is measured twice)."""
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ketenradar"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    drawing = re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg") :], flags=re.DOTALL)
    return _unique_ids(drawing)


def not_drawn_note(shares: pd.Series, names: Mapping[str, str]) -> str:
    """Return the sentence naming the countries with a share that the map cannot draw (or "")."""
    known = shares.dropna()
    missing = not_drawn(known.index[known > 0])
    if not missing:
        return ""
    listed = ", ".join(
        f"{names.get(code, code)} {format_percent(float(known[code].max()), 1)}" for code in missing
    )
    return _("Not drawn (too small for a world map at 1:110m): {countries}.").format(countries=listed)


def geo_assets_js() -> str:
    """Return the script that gives Plotly the shipped shapes, so that no map fetches anything.

    Plotly's maps ask for a topology named ``world_110m`` (``window.PlotlyGeoAssets``) and the
    choropleths name their GeoJSON by :data:`GEOJSON_KEY`; both are set here, before or after
    plotly.js loads.
    """
    shapes = json.dumps(geojson(1), separators=(",", ":"))
    topology = topology_json().strip()
    return (
        "(function(){var a=window.PlotlyGeoAssets=window.PlotlyGeoAssets||{topojson:{}};"
        "a.topojson=a.topojson||{};"
        f"a.topojson.world_110m={topology};"
        f"a[{json.dumps(GEOJSON_KEY)}]={shapes};"
        "})();\n"
    )
