"""The chain's Sankey (platform → material → country, widths in kg) drawn for print with matplotlib.

The flows and the Plotly figure are :mod:`ketenradar.services.maps`' (:func:`sankey_flows`,
:func:`sankey_figure`), shared with the dashboard; this module draws the same flows as a static
SVG with patches: nodes as bars, links as bands of the same widths.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from ketenradar.locale import _, format_number
from ketenradar.reports.charts import _svg
from ketenradar.services.maps import (
    LINK_ALPHA,
    OTHER,
    UNKNOWN,
    SankeyFlows,
    node_colours,
    sankey_figure,
    sankey_flows,
)

__all__ = ["OTHER", "UNKNOWN", "SankeyFlows", "sankey_figure", "sankey_flows", "sankey_svg"]


# Static drawing: the height of a column in data units, the gap between nodes and the smallest
# slot a node gets so that its label fits (the node itself keeps its true height).
_HEIGHT = 100.0
_GAP = 1.6
_MIN_SLOT = 2.8
_NODE_WIDTH = 0.05


def _layout(values: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Return each node's bottom and height in a column: true heights, slots at least _MIN_SLOT."""
    heights = values * scale
    slots = np.maximum(heights, _MIN_SLOT) + _GAP
    tops = _HEIGHT - np.concatenate([[0.0], np.cumsum(slots)[:-1]])
    return tops - heights, heights


def _band(x0: float, y0: tuple[float, float], x1: float, y1: tuple[float, float]) -> MplPath:
    """Return a band from (x0, y0 low..high) to (x1, y1 low..high) with cubic edges."""
    mid = (x0 + x1) / 2
    vertices = [
        (x0, y0[0]),
        (mid, y0[0]),
        (mid, y1[0]),
        (x1, y1[0]),
        (x1, y1[1]),
        (mid, y1[1]),
        (mid, y0[1]),
        (x0, y0[1]),
        (x0, y0[0]),
    ]
    codes = [MplPath.MOVETO, *[MplPath.CURVE4] * 3, MplPath.LINETO, *[MplPath.CURVE4] * 3, MplPath.CLOSEPOLY]
    return MplPath(vertices, codes)


def sankey_svg(flows: SankeyFlows, *, title: str = "") -> str:
    """Draw the flows as a static SVG Sankey (matplotlib patches), node labels with their kg."""
    nodes, links = flows.nodes, flows.links
    inflow = links.groupby("target")["value"].sum()
    outflow = links.groupby("source")["value"].sum()
    values = np.fmax(
        inflow.reindex(nodes.index).fillna(0.0).to_numpy(),
        outflow.reindex(nodes.index).fillna(0.0).to_numpy(),
    )
    columns = nodes["column"].to_numpy()
    counts = np.bincount(columns, minlength=3)
    total = max(float(values[columns == c].sum()) for c in range(3)) or 1.0
    # One scale for all columns (kg per unit of height), leaving room for the gaps and slots.
    scale = (_HEIGHT - _GAP * max(counts) - _MIN_SLOT * max(counts) * 0.5) / total
    bottom = np.zeros(len(nodes))
    height = np.zeros(len(nodes))
    for column in range(3):
        mask = columns == column
        bottom[mask], height[mask] = _layout(values[mask], scale)
    x = np.asarray([0.0, 1.0, 2.0])[columns]
    colours = node_colours(nodes)
    figure = Figure(figsize=(9.0, max(4.0, 0.26 * int(max(counts)) + 1.2)), layout="constrained")
    ax = figure.subplots()
    # Links leave and enter each node stacked in link order, from the top of the node down.
    out_used = np.zeros(len(nodes))
    in_used = np.zeros(len(nodes))
    for source, target, value in links[["source", "target", "value"]].itertuples(index=False):
        width = value * scale
        s_top = bottom[source] + height[source] - out_used[source]
        t_top = bottom[target] + height[target] - in_used[target]
        out_used[source] += width
        in_used[target] += width
        band = _band(x[source] + _NODE_WIDTH, (s_top - width, s_top), x[target], (t_top - width, t_top))
        ax.add_patch(PathPatch(band, facecolor=colours[source], alpha=LINK_ALPHA, edgecolor="none"))
    for i, (label, column) in enumerate(zip(nodes["label"], columns, strict=True)):
        ax.add_patch(Rectangle((x[i], bottom[i]), _NODE_WIDTH, max(height[i], 0.15), facecolor=colours[i]))
        quantity = format_number(float(values[i]), 1 if values[i] < 10 else 0)
        text = _("{name}: {quantity} kg").format(name=label, quantity=quantity)
        left = column == 2
        ax.text(
            x[i] + (_NODE_WIDTH + 0.02 if left or column == 1 else -0.02),
            bottom[i] + height[i] / 2,
            text,
            ha="left" if left or column == 1 else "right",
            va="center",
            fontsize=7.5,
        )
    ax.set_xlim(-0.55, 2.65)
    ax.set_ylim(min(float(bottom.min()), 0.0) - 1, _HEIGHT + 1)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10, loc="left")
    return _svg(figure)
