"""What the maps and Sankey diagrams draw, for the report and the dashboard alike.

The country shapes come from the shipped Natural Earth 1:110m topology (:mod:`ketenradar.refdata.geo`).
A share is shown in fixed classes (:data:`SHARE_BINS`); a country without a figure is grey and
said so, never given a share. The Sankey flows of a chain exposure are quantity × share per
platform, material and country. The Plotly figures are plain JSON documents (``{"data",
"layout"}``); the page that draws a map must first give Plotly the shapes (``window.PlotlyGeoAssets``
with the topology under ``world_110m`` and the GeoJSON under :data:`GEOJSON_KEY`), so that Plotly
fetches nothing.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.locale import _, current_language, format_percent
from ketenradar.refdata.geo import (
    TOPOLOGY_DATASET,
    CountryShapes,
    country_shapes,
    geojson,
    not_drawn,
    topology_json,
)
from ketenradar.refdata.provenance import Provenance, provenance_of

__all__ = [
    "GEOJSON_KEY",
    "HIGHLIGHT_COLOUR",
    "MISSING_COLOUR",
    "OTHER",
    "SHARE_BINS",
    "SHARE_COLOURS",
    "UNKNOWN",
    "CountryShapes",
    "SankeyFlows",
    "choropleth_figure",
    "class_labels",
    "country_shapes",
    "geojson",
    "legend",
    "map_provenance",
    "missing_label",
    "node_colours",
    "not_drawn",
    "sankey_figure",
    "sankey_flows",
    "separators",
    "share_classes",
    "share_colours",
    "topology_json",
]

# Class limits of the shares (fractions): [0, 5 %), [5, 10 %), [10, 25 %), [25, 50 %), [50, 100 %].
SHARE_BINS = (0.0, 0.05, 0.10, 0.25, 0.50)
SHARE_COLOURS = ("#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b")
MISSING_COLOUR = "#d0d3d4"
HIGHLIGHT_COLOUR = "#c0392b"
EDGE_COLOUR = "#ffffff"
# The key under which a page stores the country GeoJSON for Plotly (window.PlotlyGeoAssets).
GEOJSON_KEY = "ketenradar-countries"
# The maps' latitude range: Antarctica (below 60° S) supplies nothing and would take a third of it.
SOUTH, NORTH = -58.0, 84.0
# Node codes of the Sankey's pooled countries and of the quantity without a known country.
OTHER = "other"
UNKNOWN = "unknown"
PLATFORM_COLOUR = "#1f4e79"
MATERIAL_COLOUR = "#16a085"
COUNTRY_COLOUR = "#e67e22"
UNKNOWN_COLOUR = "#95a5a6"
LINK_ALPHA = 0.35


def map_provenance() -> Provenance:
    """Return the provenance of the shipped country shapes (checksum checked)."""
    return provenance_of(TOPOLOGY_DATASET)


def separators() -> str:
    """Return Plotly's ``separators`` for the active language: decimal mark, then thousands."""
    return ",." if current_language() == "nl" else ".,"


def share_classes(shares: pd.Series) -> pd.Series:
    """Return each country's class index 0-4 by its share (-1: no figure), as :data:`SHARE_BINS`."""
    values = pd.to_numeric(shares, errors="coerce").to_numpy(dtype=np.float64)
    classes = np.digitize(values, SHARE_BINS[1:], right=False)
    classes = np.where(np.isnan(values), -1, classes)
    return pd.Series(classes, index=shares.index, dtype="int64")


def share_colours(shares: pd.Series) -> dict[str, str]:
    """Return ISO3 → fill colour for every country with a share (missing figures: grey)."""
    palette = np.asarray([*SHARE_COLOURS, MISSING_COLOUR], dtype=object)
    # Class -1 (no figure) indexes the last entry: the grey.
    return dict(zip(shares.index.astype(str), palette[share_classes(shares).to_numpy()], strict=True))


def class_labels() -> list[str]:
    """Return the legend text of each share class, in the active language."""
    limits = [*SHARE_BINS, 1.0]
    return [
        _("{low} to under {high}").format(low=format_percent(lo, 0), high=format_percent(hi, 0))
        if hi < 1.0
        else _("{low} or more").format(low=format_percent(lo, 0))
        for lo, hi in itertools.pairwise(limits)
    ]


def legend() -> list[tuple[str, str]]:
    """Return the map legend as (colour, text): the five share classes, then "no figure"."""
    return [*zip(SHARE_COLOURS, class_labels(), strict=True), (MISSING_COLOUR, missing_label())]


def missing_label() -> str:
    """Return the legend text of a country without a figure."""
    return _("no figure in the data")


def _hover(names: Mapping[str, str], shares: pd.Series) -> list[str]:
    """Return each country's hover text: its name (escaped for Plotly) and its share."""
    return [
        f"{html.escape(names.get(code, code), quote=False)}: {format_percent(float(v), 1)}"
        for code, v in shares.items()
    ]


def _class_values(shares: pd.Series) -> list[float]:
    """Return each share's class as the middle of its step of the colour bar (0.5 to 4.5)."""
    return [float(c) + 0.5 for c in share_classes(shares)]


def choropleth_figure(
    layers: Sequence[tuple[str, pd.Series]],
    names: Mapping[str, str],
    *,
    title: str = "",
    highlight: str | None = None,
    colour_bar: bool = True,
) -> dict[str, Any]:
    """Return a Plotly figure dict: one choropleth with a selector over ``layers`` (label, shares).

    ``colour_bar=False`` leaves Plotly's colour bar out (the page shows :func:`legend` itself).

    Shares are ISO3 → fraction; countries without a figure are left to the grey land layer.
    More than one layer adds a drop-down (Plotly ``updatemenus``) that swaps the shown shares.
    The page must give Plotly the shapes first (see the module's docstring).
    """
    values = [shares.dropna()[shares.dropna() > 0] for _label, shares in layers]
    count = len(SHARE_COLOURS)
    # z is the share's class (0-4, at the class's middle): each class one flat colour and one
    # equal step of the colour bar, labelled as the printed legend; the share is in the hover.
    scale: list[list[float | str]] = []
    for i, colour in enumerate(SHARE_COLOURS):
        scale += [[i / count, colour], [(i + 1) / count, colour]]
    first = values[0] if values else pd.Series(dtype="float64")
    trace: dict[str, Any] = {
        "type": "choropleth",
        "geojson": GEOJSON_KEY,
        "featureidkey": "id",
        "locations": list(first.index.astype(str)),
        "z": _class_values(first),
        "customdata": [float(v) for v in first],
        "text": _hover(names, first),
        "hoverinfo": "text",
        "zmin": 0.0,
        "zmax": float(count),
        "colorscale": scale,
        "showscale": colour_bar,
        "marker": {"line": {"color": EDGE_COLOUR, "width": 0.4}},
        "colorbar": {
            "title": {"text": html.escape(_("Share of global supply"), quote=False)},
            "tickvals": [i + 0.5 for i in range(count)],
            "ticktext": [html.escape(text, quote=False) for text in class_labels()],
            "thickness": 12,
        },
    }
    data: list[dict[str, Any]] = [trace]
    if highlight is not None:
        data.append(
            {
                "type": "choropleth",
                "geojson": GEOJSON_KEY,
                "featureidkey": "id",
                "locations": [highlight],
                "z": [0.0],
                "colorscale": [[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
                "showscale": False,
                "hoverinfo": "skip",
                "marker": {"line": {"color": HIGHLIGHT_COLOUR, "width": 2}},
            }
        )
    layout: dict[str, Any] = {
        "title": {"text": html.escape(title, quote=False)} if title else None,
        "separators": separators(),
        "margin": {"l": 0, "r": 0, "t": 40 if title else 10, "b": 0},
        "height": 420,
        "geo": {
            "projection": {"type": "natural earth"},
            "showland": True,
            "landcolor": MISSING_COLOUR,
            "showcountries": True,
            "countrycolor": EDGE_COLOUR,
            "showcoastlines": False,
            "showframe": False,
            "lataxis": {"range": [SOUTH, NORTH]},
        },
    }
    layout = {k: v for k, v in layout.items() if v is not None}
    if colour_bar:
        # Without the page's own legend, the figure says what grey means.
        layout["annotations"] = [
            {
                "text": _("grey: {missing}").format(missing=missing_label()),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "font": {"size": 11},
            }
        ]
    if len(layers) > 1:
        layout["updatemenus"] = [
            {
                "type": "dropdown",
                "x": 0,
                "y": 1.0,
                "xanchor": "left",
                "yanchor": "top",
                "showactive": True,
                "buttons": [
                    {
                        "label": html.escape(label, quote=False),
                        "method": "restyle",
                        "args": [
                            {
                                "locations": [list(v.index.astype(str))],
                                "z": [_class_values(v)],
                                "customdata": [[float(x) for x in v]],
                                "text": [_hover(names, v)],
                            },
                            [0],
                        ],
                    }
                    for (label, _shares), v in zip(layers, values, strict=True)
                ],
            }
        ]
    return {"data": data, "layout": layout}


@dataclass(frozen=True, slots=True)
class SankeyFlows:
    """The nodes and links of a chain's Sankey at one stage.

    ``nodes`` has columns column (0 platform, 1 material, 2 country), code and label, one row
    per node in drawing order; ``links`` has source, target (row positions in ``nodes``) and
    value (kg); ``stage`` is the stage whose shares split the materials.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    stage: str

    def platform_totals(self) -> pd.Series:
        """Return each platform's total outflow (kg), by platform code."""
        out = self.links.groupby("source")["value"].sum()
        platforms = self.nodes[self.nodes["column"] == 0]
        return pd.Series(
            out.reindex(platforms.index).fillna(0.0).to_numpy(), index=platforms["code"].to_numpy()
        )


def sankey_flows(
    content: pd.DataFrame,
    shares: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    stage: str = "processing",
    top_countries: int = 8,
    platform_names: Mapping[str, str] | None = None,
    material_names: Mapping[str, str] | None = None,
    country_names: Mapping[str, str] | None = None,
) -> SankeyFlows:
    """Return the flows platform → material → country of an exposure at one stage.

    ``content`` (platform, material, quantity), ``shares`` (platform, material, stage, country,
    share) and ``coverage`` (platform, material, stage, unknown_share) are the exposure's
    frames. A material's flow to a country is quantity × share; to "unknown" quantity ×
    unknown_share; countries outside the ``top_countries`` largest in kilograms are pooled.
    """
    platform_names = platform_names or {}
    material_names = material_names or {}
    country_names = country_names or {}
    quantity = content[["platform", "material", "quantity"]]
    here = shares[shares["stage"] == stage].merge(quantity, on=["platform", "material"])
    flows = pd.DataFrame(
        {
            "platform": here["platform"],
            "material": here["material"],
            "country": here["country"].astype(str),
            "value": here["quantity"] * here["share"],
        }
    )
    unknown = coverage[coverage["stage"] == stage].merge(quantity, on=["platform", "material"])
    unknown = pd.DataFrame(
        {
            "platform": unknown["platform"],
            "material": unknown["material"],
            "country": UNKNOWN,
            "value": unknown["quantity"] * unknown["unknown_share"],
        }
    )
    flows = pd.concat([flows, unknown], ignore_index=True)
    flows = flows[flows["value"].fillna(0) > 0]
    by_country = flows[flows["country"] != UNKNOWN].groupby("country")["value"].sum()
    ranked = by_country.sort_values(ascending=False, kind="stable")
    kept = set(ranked.index[:top_countries])
    pooled = ~flows["country"].isin(kept) & (flows["country"] != UNKNOWN)
    flows = flows.assign(country=flows["country"].where(~pooled, OTHER))

    platforms = list(dict.fromkeys(content["platform"]))
    materials = list(flows.groupby("material")["value"].sum().sort_values(ascending=False).index)
    countries = [c for c in ranked.index if c in kept]
    countries += [c for c in (OTHER, UNKNOWN) if c in set(flows["country"])]
    labels = {OTHER: _("other countries"), UNKNOWN: _("unknown")}
    nodes = pd.DataFrame(
        {
            "column": [0] * len(platforms) + [1] * len(materials) + [2] * len(countries),
            "code": platforms + materials + countries,
            "label": [platform_names.get(p, p) for p in platforms]
            + [material_names.get(m, m) for m in materials]
            + [labels.get(c) or country_names.get(c, c) for c in countries],
        }
    )
    position = {
        (col, code): i for i, (col, code) in enumerate(zip(nodes["column"], nodes["code"], strict=True))
    }
    first = flows.groupby(["platform", "material"], sort=False)["value"].sum().reset_index()
    second = flows.groupby(["material", "country"], sort=False)["value"].sum().reset_index()
    links = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": [position[(0, p)] for p in first["platform"]],
                    "target": [position[(1, m)] for m in first["material"]],
                    "value": first["value"].to_numpy(),
                }
            ),
            pd.DataFrame(
                {
                    "source": [position[(1, m)] for m in second["material"]],
                    "target": [position[(2, c)] for c in second["country"]],
                    "value": second["value"].to_numpy(),
                }
            ),
        ],
        ignore_index=True,
    )
    links = links.sort_values(["source", "target"], kind="stable").reset_index(drop=True)
    return SankeyFlows(nodes=nodes, links=links, stage=stage)


def node_colours(nodes: pd.DataFrame) -> list[str]:
    """Return each Sankey node's colour: platforms, materials, countries; pooled and unknown grey."""
    palette = np.asarray([PLATFORM_COLOUR, MATERIAL_COLOUR, COUNTRY_COLOUR], dtype=object)
    colours = palette[nodes["column"].to_numpy()]
    return [
        (UNKNOWN_COLOUR if code in (UNKNOWN, OTHER) and col == 2 else str(c))
        for c, code, col in zip(colours, nodes["code"], nodes["column"], strict=True)
    ]


def sankey_figure(flows: SankeyFlows, *, title: str = "") -> dict[str, Any]:
    """Return a Plotly figure dict of the flows (``{"data", "layout"}``), values in kg."""
    colours = node_colours(flows.nodes)
    link_colours = [_rgba(colours[s]) for s in flows.links["source"]]
    unit = _("kg")
    trace = {
        "type": "sankey",
        "arrangement": "snap",
        "valueformat": ",.1f",
        "valuesuffix": f" {unit}",
        "node": {
            "label": [html.escape(str(v), quote=False) for v in flows.nodes["label"]],
            "color": colours,
            "pad": 12,
            "thickness": 14,
        },
        "link": {
            "source": [int(s) for s in flows.links["source"]],
            "target": [int(t) for t in flows.links["target"]],
            "value": [float(v) for v in flows.links["value"]],
            "color": link_colours,
        },
    }
    layout: dict[str, Any] = {
        "separators": separators(),
        "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        "height": max(360, 26 * int((flows.nodes["column"] == 1).sum()) + 80),
        "font": {"size": 12},
    }
    if title:
        layout["title"] = {"text": html.escape(title, quote=False)}
    return {"data": [trace], "layout": layout}


def _rgba(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{LINK_ALPHA})"
