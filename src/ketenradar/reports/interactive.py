"""The report's charts as Plotly figures (plain JSON-able dicts) for the interactive HTML report.

One builder per chart of :mod:`ketenradar.reports.charts`, with the same inputs: the same data,
the same numbers, the same colours and the same translated labels. Hover text is formatted in
Python with :func:`~ketenradar.locale.format_number` / :func:`~ketenradar.locale.format_percent`
(decimal comma in Dutch) and tick labels follow the layout's ``separators`` (",." in Dutch,
".," in English). A missing value is ``None`` in the figure: no bar, no point, never a zero.

Plotly reads its text as a small HTML subset; every label from the data is escaped
(:func:`_text`), so a label is always shown as written. The JavaScript library itself is the
file shipped in the installed ``plotly`` Python package (:func:`plotly_script`), inlined by
:mod:`ketenradar.reports.html`: the report needs no network.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.locale import _, current_language, format_number, format_percent
from ketenradar.model.vocabulary import label as vocabulary_label
from ketenradar.reports.charts import (
    _CELL_LABELS,
    _HORIZON_LABELS,
    _HORIZON_MARKERS,
    _LABEL_WIDTH,
    _OTHER,
    _PALETTE,
)

__all__ = [
    "concentration_figure",
    "country_risk_figure",
    "exposure_figure",
    "impact_effort_figure",
    "loss_comparison_figure",
    "loss_histogram_figure",
    "matrix_figure",
    "plotly_script",
    "plotly_version",
    "separators",
    "sr_ei_figure",
    "timeline_figure",
    "weight_sweep_figure",
]

Figure = dict[str, Any]

# The matplotlib line styles of charts.py as Plotly dashes, in the same order.
_DASHES = ["solid", "dash", "dot", "dashdot"]
# matplotlib marker → Plotly symbol, for the impact-effort chart's time horizons.
_SYMBOLS = {"o": "circle", "s": "square", "^": "triangle-up", "x": "x"}
_FONT = '"DejaVu Sans", "Segoe UI", Arial, sans-serif'
_GRID = "#e5e8e8"
_LINE = "#555555"
# Pixels per inch of the static chart's height: the interactive chart is about as tall.
_PX_PER_INCH = 80
_HOVER = "%{hovertext}<extra></extra>"
# The legend beside the plot, right: Plotly makes room for it, so it never covers an axis or
# its title (a legend below the plot would, on a short chart).
_BESIDE = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top", "traceorder": "normal"}


@cache
def plotly_script() -> str:
    """Return plotly.js as shipped in the installed ``plotly`` package (``package_data/plotly.min.js``)."""
    return (files("plotly") / "package_data" / "plotly.min.js").read_text(encoding="utf-8")


def plotly_version() -> str:
    """Return the version of the shipped plotly.js, read from the banner at the top of the file."""
    head = plotly_script()[:200]
    start = head.find("plotly.js v")
    return head[start + len("plotly.js v") :].split()[0] if start >= 0 else ""


def separators() -> str:
    """Return Plotly's ``separators`` for the active language: decimal mark, then thousands."""
    return ",." if current_language() == "nl" else ".,"


def _text(value: object) -> str:
    """Return ``value`` as text Plotly shows as written (its HTML subset escaped)."""
    return html.escape(str(value), quote=False)


def _floats(values: Iterable[Any]) -> list[float | None]:
    """Return the values as floats, a missing or non-finite one as None (no mark, never zero)."""
    array = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=np.float64)
    return [v if math.isfinite(v) else None for v in array.tolist()]


def _px(inches: float) -> int:
    return round(inches * _PX_PER_INCH)


def _axis(title: str = "", **extra: Any) -> dict[str, Any]:
    """Return an axis with its title, a light grid and the automatic margin for long tick labels."""
    return {
        "title": {"text": _text(title)},
        "gridcolor": _GRID,
        "zeroline": False,
        "automargin": True,
        **extra,
    }


def _layout(title: str, *, height: int, x_title: str = "", y_title: str = "", **extra: Any) -> dict[str, Any]:
    """Return the layout every chart shares: title, language separators, fonts, legend beside."""
    layout: dict[str, Any] = {
        "title": {"text": _text(title), "font": {"size": 15}, "x": 0.01, "xanchor": "left"},
        "separators": separators(),
        "height": height,
        "autosize": True,
        "font": {"family": _FONT, "size": 12, "color": "#1b2631"},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "legend": _BESIDE,
        "xaxis": _axis(x_title),
        "yaxis": _axis(y_title),
    }
    layout.update(extra)
    return layout


def _line(x: float | None = None, y: float | None = None, **extra: Any) -> dict[str, Any]:
    """Return a dashed reference line across the plot, vertical at ``x`` or horizontal at ``y``."""
    if x is not None:
        span = {"x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "y domain"}
    else:
        span = {"y0": y, "y1": y, "yref": "y", "x0": 0, "x1": 1, "xref": "x domain"}
    return {"type": "line", "line": {"color": _LINE, "width": 1, "dash": "dash"}, **span, **extra}


def sr_ei_figure(
    frame: pd.DataFrame,
    *,
    sr_threshold: float = 1.0,
    ei_threshold: float = 2.8,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
) -> Figure:
    """Return economic importance (x) against supply risk (y), EC thresholds dashed (as sr_ei_chart)."""
    data = frame.dropna(subset=["sr", "ei"])
    strategic = data["strategic"].fillna(False).astype(bool).to_numpy()
    traces = []
    for chosen, name, colour, symbol, size in (
        (~strategic, _("critical"), _PALETTE[0], "circle", 8),
        (strategic, _("strategic and critical"), _PALETTE[1], "diamond", 9),
    ):
        part = data[chosen]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _text(name),
                "x": _floats(part["ei"]),
                "y": _floats(part["sr"]),
                "marker": {"color": colour, "symbol": symbol, "size": size},
                "hovertext": [
                    f"<b>{_text(label)}</b><br>{_text(x_label)}: {format_number(ei, 1)}"
                    f"<br>{_text(y_label)}: {format_number(sr, 1)}"
                    for label, ei, sr in zip(part["label"], part["ei"], part["sr"], strict=True)
                ],
                "hovertemplate": _HOVER,
            }
        )
    top_ei = float(data["ei"].max()) if len(data) else 0.0
    top_sr = float(data["sr"].max()) if len(data) else 0.0
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(6.2),
            xaxis=_axis(x_label, range=[0, max(10.0, top_ei + 0.5)], tickformat=",.0f"),
            yaxis=_axis(y_label, range=[0, top_sr + 0.5], tickformat=",.0f"),
            legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top"},
            shapes=[_line(y=sr_threshold), _line(x=ei_threshold)],
        ),
    }


def concentration_figure(frame: pd.DataFrame, *, title: str = "", x_label: str = "") -> Figure:
    """Return bars of the largest supplier's share per material and stage (as concentration_chart).

    One trace per stage and colour (the six countries that lead most often, then "other"),
    grouped by stage: a click on a country in the legend hides its bars in both stages.
    """
    data = frame.sort_values("sort_key")
    labels = [_text(label) for label in data["label"]]
    top = list(pd.concat([data["mining_country"], data["processing_country"]]).value_counts().index[:6])
    stage_names = {stage: vocabulary_label("stage", stage) for stage in ("mining", "processing")}
    traces = []
    for stage in ("mining", "processing"):
        countries = data[f"{stage}_country"]
        group = countries.where(countries.isin(top), other="")
        for rank, (g, colour) in enumerate(
            [*((c, _PALETTE[i]) for i, c in enumerate(top)), ("", _PALETTE[-1])]
        ):
            part = data[(group == g).to_numpy()]
            shares = part[f"{stage}_share"]
            if part.empty or shares.isna().all():
                continue
            legend = _text(g) if g else _text(_("other"))
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": legend,
                    "legendgroup": legend,
                    # The legend lists the countries as the static chart does: most often largest first.
                    "legendrank": 1000 + rank,
                    "offsetgroup": stage,
                    "x": _floats(shares),
                    "y": [_text(label) for label in part["label"]],
                    "text": [
                        _text(c) if pd.notna(s) else ""
                        for c, s in zip(part[f"{stage}_country"], shares, strict=True)
                    ],
                    "textposition": "outside",
                    "textfont": {"size": 9},
                    "cliponaxis": False,
                    "marker": {
                        "color": colour,
                        "line": {"color": "white", "width": 0.5},
                        "pattern": {
                            "shape": "/" if stage == "mining" else "",
                            "fgcolor": "white",
                            "fillmode": "overlay",
                        },
                    },
                    "hovertext": [
                        f"<b>{_text(label)}</b><br>{_text(stage_names[stage])}: "
                        f"{_text(c)} {format_percent(s, 0)}"
                        for label, c, s in zip(part["label"], part[f"{stage}_country"], shares, strict=True)
                    ],
                    "hovertemplate": _HOVER,
                }
            )
    # One legend entry per colour, the plain (processing) bar's if the country has one.
    seen: set[object] = set()
    for trace in sorted(traces, key=lambda t: t["offsetgroup"] != "processing"):
        trace["showlegend"] = trace["name"] not in seen
        seen.add(trace["name"])
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(max(4.0, 0.26 * len(labels) + 1.2)) + 60,
            barmode="group",
            bargap=0.15,
            xaxis=_axis(x_label, range=[0, 1.08], tickformat=".0%"),
            yaxis=_axis(categoryorder="array", categoryarray=labels, tickfont={"size": 10}),
            shapes=[_line(x=0.65)],
        ),
    }


def country_risk_figure(
    frame: pd.DataFrame, components: Mapping[str, str], *, title: str = "", x_label: str = ""
) -> Figure:
    """Return each country's weighted risk components as stacked bars (as country_risk_chart)."""
    labels = [_text(label) for label in frame["label"]]
    traces = []
    for i, (column, legend) in enumerate(components.items()):
        values = pd.to_numeric(frame[column], errors="coerce")
        if not values.fillna(0).to_numpy().any():
            continue  # as in the static chart: an indicator no shown country has gets no entry
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": _text(legend),
                "x": _floats(values),
                "y": labels,
                "marker": {"color": _PALETTE[i]},
                "hovertext": [
                    f"<b>{label}</b><br>{_text(legend)}: {format_number(v, 2)}"
                    for label, v in zip(labels, values, strict=True)
                ],
                "hovertemplate": _HOVER,
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(max(3.5, 0.28 * len(labels) + 1.0)) + 60,
            barmode="stack",
            xaxis=_axis(x_label, range=[0, 1], tickformat=".1f"),
            yaxis=_axis(
                categoryorder="array", categoryarray=labels, autorange="reversed", tickfont={"size": 10}
            ),
        ),
    }


def exposure_figure(
    frame: pd.DataFrame,
    labels: list[str],
    *,
    title: str = "",
    x_label: str = "",
    unknown_label: str = "",
    other_label: str = "",
    country_names: Mapping[str, str] | None = None,
) -> Figure:
    """Return stacked bars of country shares per bar, the rest to 1 unknown (inputs as charts.exposure_chart).

    The six countries with the largest summed shares get their colour, the rest (and a country
    named ``other`` in the data) one grey "other" segment; the hover names each country.
    """
    names = country_names or {}
    totals = frame[frame["country"] != "other"].groupby("country")["share"].sum().sort_values(ascending=False)
    top = [str(c) for c in totals.index[:6]]
    # labels × countries; a bar without rows is all unknown.
    table = frame.pivot_table(index="label", columns="country", values="share", aggfunc="sum", fill_value=0.0)
    table = table.reindex(index=labels, fill_value=0.0).fillna(0.0)
    table.columns = [str(c) for c in table.columns]
    pooled = [c for c in table.columns if c not in top]
    other = table[pooled].sum(axis=1)
    known = table[[c for c in top if c in table.columns]].sum(axis=1) + other
    unknown = (1.0 - known).clip(lower=0.0)
    shown = [_text(label) for label in labels]

    def hover(name: str, values: pd.Series, detail: list[str] | None = None) -> list[str]:
        return [
            f"<b>{bar}</b><br>{_text(name)}: {format_percent(v, 1)}" + (f"<br>{extra}" if extra else "")
            for bar, v, extra in zip(shown, values, detail or [""] * len(values), strict=True)
        ]

    traces = []
    segments = [(c, table[c] if c in table.columns else pd.Series(0.0, index=table.index)) for c in top]
    for i, (country, values) in enumerate(segments):
        legend = names.get(country, country)
        traces.append(_stack_bar(legend, values, shown, _PALETTE[i % len(_PALETTE)], hover(legend, values)))
    # The pooled countries by name, largest first, in the "other" segment's hover.
    detail = [
        ", ".join(
            f"{_text(names.get(c, c))} {format_percent(v, 1)}"
            for c, v in row.sort_values(ascending=False).items()
            if v > 0
        )
        for _label, row in table[pooled].iterrows()
    ]
    other_name = other_label or _("other")
    traces.append(_stack_bar(other_name, other, shown, _OTHER, hover(other_name, other, detail)))
    unknown_name = unknown_label or _("unknown")
    traces.append(
        _stack_bar(
            unknown_name,
            unknown,
            shown,
            "white",
            hover(unknown_name, unknown),
            pattern={"shape": ".", "fgcolor": "#999999", "fillmode": "overlay"},
            line={"color": "#999999", "width": 0.5},
        )
    )
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(max(3.0, 0.32 * len(labels) + 1.6)) + 60,
            barmode="stack",
            xaxis=_axis(x_label, range=[0, 1], tickformat=".0%"),
            yaxis=_axis(
                categoryorder="array", categoryarray=shown, autorange="reversed", tickfont={"size": 10}
            ),
        ),
    }


def _stack_bar(
    name: str,
    values: pd.Series,
    labels: list[str],
    colour: str,
    hovertext: list[str],
    **marker: Any,
) -> dict[str, Any]:
    """Return one horizontal bar trace of a stacked chart."""
    return {
        "type": "bar",
        "orientation": "h",
        "name": _text(name),
        "x": _floats(values),
        "y": labels,
        "marker": {"color": colour, **marker},
        "hovertext": hovertext,
        "hovertemplate": _HOVER,
    }


# The risk-impact matrices' 2 × 2 grid: (x domain, y domain) per panel, top left first.
_GRID_DOMAINS = (
    ([0.0, 0.47], [0.56, 1.0]),
    ([0.53, 1.0], [0.56, 1.0]),
    ([0.0, 0.47], [0.0, 0.44]),
    ([0.53, 1.0], [0.0, 0.44]),
)


def matrix_figure(
    panels: dict[str, pd.DataFrame], *, title: str = "", x_label: str = "", y_label: str = ""
) -> Figure:
    """Return the risk-impact matrices in a 2 × 2 grid with shared axes, averages dashed (as matrix_chart)."""
    traces: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    axes: dict[str, Any] = {}
    drawn = list(panels.items())[: len(_GRID_DOMAINS)]
    tops = [
        float(pd.to_numeric(f["usage_share"], errors="coerce").max())
        for _name, f in drawn
        if f["usage_share"].notna().any()
    ]
    top = max(tops, default=1.0)
    for n, ((name, frame), (x_domain, y_domain)) in enumerate(
        zip(drawn, _GRID_DOMAINS, strict=False), start=1
    ):
        data = frame.dropna(subset=["usage_share", "supply_risk"])
        suffix = "" if n == 1 else str(n)
        usage = pd.to_numeric(data["usage_share"], errors="coerce")
        risk = pd.to_numeric(data["supply_risk"], errors="coerce")
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _text(name),
                "showlegend": False,
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "x": _floats(usage),
                "y": _floats(risk),
                "marker": {"color": _PALETTE[0], "size": 7},
                "hovertext": [
                    f"<b>{_text(label)}</b> ({_text(name)})<br>{_text(x_label)}: {format_percent(u, 0)}"
                    f"<br>{_text(y_label)}: {format_number(r, 1)}"
                    for label, u, r in zip(data["label"], usage, risk, strict=True)
                ],
                "hovertemplate": _HOVER,
            }
        )
        axes[f"xaxis{suffix}"] = _axis(
            x_label if n > 2 else "",
            domain=x_domain,
            anchor=f"y{suffix}",
            tickformat=".0%",
            **({"range": [-0.02 * top, top * 1.25]} if n == 1 else {"matches": "x"}),
        )
        axes[f"yaxis{suffix}"] = _axis(
            y_label if n % 2 else "",
            domain=y_domain,
            anchor=f"x{suffix}",
            tickformat=",.0f",
            **({} if n == 1 else {"matches": "y"}),
        )
        mean_usage = frame.attrs.get("mean_usage_share")
        mean_risk = frame.attrs.get("mean_supply_risk")
        line = {"color": _LINE, "width": 1, "dash": "dash"}
        if mean_usage is not None and math.isfinite(float(mean_usage)):
            x = float(mean_usage)
            shapes.append(
                {"type": "line", "line": line, "xref": f"x{suffix}", "x0": x, "x1": x}
                | {"yref": f"y{suffix} domain", "y0": 0, "y1": 1}
            )
        if mean_risk is not None and math.isfinite(float(mean_risk)):
            y = float(mean_risk)
            shapes.append(
                {"type": "line", "line": line, "yref": f"y{suffix}", "y0": y, "y1": y}
                | {"xref": f"x{suffix} domain", "x0": 0, "x1": 1}
            )
        annotations.append(
            {
                "text": _text(name),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": (x_domain[0] + x_domain[1]) / 2,
                "y": y_domain[1],
                "xanchor": "center",
                "yanchor": "bottom",
                "font": {"size": 12},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(7.5),
            margin={"l": 60, "r": 20, "t": 70, "b": 50},
            shapes=shapes,
            annotations=annotations,
            **axes,
        ),
    }


def timeline_figure(
    series: Mapping[str, pd.DataFrame], *, title: str = "", x_label: str = "", y_label: str = ""
) -> Figure:
    """Return step lines of daily output per platform (colour) and variant (dash), as timeline_chart."""
    traces = []
    for v, (variant, frame) in enumerate(series.items()):
        days = np.arange(frame.shape[1])
        for p, (platform, values) in enumerate(frame.iterrows()):
            name = f"{platform} · {variant}"
            output = values.to_numpy(dtype=float)
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": _text(name),
                    "x": days.tolist(),
                    "y": _floats(output),
                    "line": {
                        "color": _PALETTE[p % len(_PALETTE)],
                        "dash": _DASHES[v % len(_DASHES)],
                        "width": 1.6,
                        "shape": "hv",
                    },
                    "hovertext": [
                        f"<b>{_text(name)}</b><br>{_text(x_label)} {format_number(d, 0)}: "
                        f"{_text(y_label)} {format_number(o, 2)}"
                        for d, o in zip(days, output, strict=True)
                    ],
                    "hovertemplate": _HOVER,
                }
            )
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(4.2) + 80,
            xaxis=_axis(x_label, tickformat=",.0f"),
            yaxis=_axis(y_label, range=[-0.02, 1.05], tickformat=".1f"),
        ),
    }


def loss_histogram_figure(
    losses: Mapping[str, np.ndarray], *, bins: int = 30, title: str = "", x_label: str = "", y_label: str = ""
) -> Figure:
    """Return histograms of platform-days lost a simulated year (as loss_histogram_chart)."""
    values = [np.asarray(v, dtype=float) for v in losses.values()]
    top = max((float(v.max()) for v in values if v.size), default=0.0)
    edges = np.linspace(0.0, max(top, 1.0), bins + 1)
    width = float(edges[1] - edges[0])
    traces = []
    for p, (platform, lost) in enumerate(zip(losses, values, strict=True)):
        if lost.size:
            counts, _edges = np.histogram(lost, bins=edges)
            shares: np.ndarray = counts / lost.size
        else:
            shares = np.full(bins, np.nan)  # no draws: no share, not zero
        traces.append(
            {
                "type": "bar",
                "name": _text(platform),
                "x": edges[:-1].tolist(),
                "y": _floats(shares),
                "width": width,
                "offset": 0,
                "opacity": 0.55,
                "marker": {
                    "color": _PALETTE[p % len(_PALETTE)],
                    "line": {"color": _PALETTE[p % len(_PALETTE)], "width": 1.2},
                },
                "hovertext": [
                    f"<b>{_text(platform)}</b><br>{_text(x_label)}: {format_number(lo, 1)}–"
                    f"{format_number(hi, 1)}<br>{_text(y_label)}: {format_percent(s, 1)}"
                    for lo, hi, s in zip(edges[:-1], edges[1:], shares, strict=True)
                ],
                "hovertemplate": _HOVER,
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(4.0) + 60,
            barmode="overlay",
            xaxis=_axis(x_label, tickformat=",.0f"),
            yaxis=_axis(y_label, tickformat=".0%"),
            legend={"x": 0.99, "y": 0.99, "xanchor": "right", "yanchor": "top"},
        ),
    }


def loss_comparison_figure(
    frame: pd.DataFrame, bars: Mapping[str, str], *, title: str = "", x_label: str = ""
) -> Figure:
    """Return grouped bars per row of ``frame``; ``bars`` maps column to legend (as loss_comparison_chart)."""
    labels = [_text(label) for label in frame["label"]]
    traces = []
    for i, (column, legend) in enumerate(bars.items()):
        values = pd.to_numeric(frame[column], errors="coerce")
        texts = [format_number(v, 1) if pd.notna(v) else "" for v in values]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": _text(legend),
                "x": _floats(values),
                "y": labels,
                "text": texts,
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": _PALETTE[i]},
                "hovertext": [
                    f"<b>{label}</b><br>{_text(legend)}: {format_number(v, 1)}"
                    for label, v in zip(labels, values, strict=True)
                ],
                "hovertemplate": _HOVER,
            }
        )
    largest = np.nanmax(frame[list(bars)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float))
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(max(2.6, 0.9 * len(labels) + 1.2)) + 60,
            barmode="group",
            xaxis=_axis(x_label, range=[0, max(1.0, float(largest)) * 1.15], tickformat=",.0f"),
            # The first row on top, as in the static chart; traces in legend order from the top.
            yaxis=_axis(categoryorder="array", categoryarray=labels, autorange="reversed"),
        ),
    }


def impact_effort_figure(
    frame: pd.DataFrame, *, title: str = "", x_label: str = "", y_label: str = ""
) -> Figure:
    """Return impact (y, 1–3) against effort (x, 2–6), horizon as the marker (as impact_effort_chart).

    The hover of a point lists every measure on its cell; the labels beside the cells are the
    static chart's blocks (ten at most, then "+ n more").
    """
    data = frame.dropna(subset=["impact", "effort"]).sort_values("label", kind="stable")
    loss = pd.to_numeric(data["loss_avoided"], errors="coerce").to_numpy(dtype=np.float64)
    largest = float(np.nanmax(loss)) if np.isfinite(loss).any() and np.nanmax(loss) > 0 else 1.0
    # matplotlib's marker size is an area in points²; Plotly's a diameter in pixels.
    areas = 30.0 + 270.0 * np.sqrt(np.clip(np.nan_to_num(loss, nan=0.0), 0.0, None) / largest)
    diameters = np.sqrt(areas) * 1.8
    horizons = data["time_horizon"].fillna("").astype(str).to_numpy()
    cell_of = list(zip(data["effort"].astype(float), data["impact"].astype(float), strict=True))
    cell_labels: dict[tuple[float, float], list[str]] = {}
    for key, text in zip(cell_of, data["label"].astype(str), strict=True):
        cell_labels.setdefault(key, []).append(text)
    traces = []
    for horizon, marker in (*_HORIZON_MARKERS.items(), ("", "x")):
        chosen = horizons == horizon
        if not chosen.any():
            continue
        legend = _(_HORIZON_LABELS[horizon]) if horizon else _("time horizon not rated")
        index = np.flatnonzero(chosen)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _text(legend),
                "x": _floats(data["effort"].to_numpy(dtype=float)[chosen]),
                "y": _floats(data["impact"].to_numpy(dtype=float)[chosen]),
                "marker": {
                    "symbol": _SYMBOLS[marker],
                    "size": diameters[chosen].tolist(),
                    "color": _PALETTE[list(_HORIZON_MARKERS).index(horizon) if horizon else 6],
                    "opacity": 0.6,
                },
                "hovertext": [
                    f"<b>{_text(x_label)} {format_number(cell_of[i][0], 0)} · {_text(y_label)} "
                    f"{format_number(cell_of[i][1], 0)}</b><br>"
                    + "<br>".join(_text(t) for t in cell_labels[cell_of[i]])
                    for i in index
                ],
                "hovertemplate": _HOVER,
            }
        )
    annotations = []
    for (effort, impact), texts in sorted(cell_labels.items()):
        lines = [
            textwrap.fill(
                t,
                _LABEL_WIDTH,
                initial_indent="• ",
                subsequent_indent="  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            for t in texts
        ]
        if len(lines) > _CELL_LABELS:
            lines = [*lines[: _CELL_LABELS - 1], _("+ {n} more").format(n=len(lines) - _CELL_LABELS + 1)]
        annotations.append(
            {
                "text": "<br>".join(_text(line) for line in "\n".join(lines).split("\n")),
                "x": effort,
                "y": impact,
                "xref": "x",
                "yref": "y",
                "xanchor": "left",
                "xshift": 12,
                "align": "left",
                "showarrow": False,
                "font": {"size": 10},
            }
        )
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(7) + 40,
            xaxis=_axis(x_label, range=[1.5, 7.0], tickvals=[2, 3, 4, 5, 6], tickformat=",.0f"),
            yaxis=_axis(
                y_label,
                range=[0.4, 3.6],
                tickvals=[1, 2, 3],
                ticktext=[_text(_("low")), _text(_("medium")), _text(_("high"))],
            ),
            annotations=annotations,
            legend={**_BESIDE, "itemsizing": "constant"},
        ),
    }


def weight_sweep_figure(
    grid: np.ndarray,
    scores: Mapping[str, np.ndarray],
    *,
    current: float | None = None,
    flips: np.ndarray | None = None,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    current_label: str = "",
) -> Figure:
    """Return each bid's score against the weight on origin risk (as weight_sweep_chart)."""
    x = np.asarray(grid, dtype=float)
    traces = []
    for b, (bid, values) in enumerate(scores.items()):
        y = np.asarray(values, dtype=float)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _text(bid),
                "x": _floats(x),
                "y": _floats(y),
                "line": {"color": _PALETTE[b % len(_PALETTE)], "dash": _DASHES[b % len(_DASHES)], "width": 2},
                "hovertext": [
                    f"<b>{_text(bid)}</b><br>{_text(x_label)}: {format_number(w, 2)}"
                    f"<br>{_text(y_label)}: {format_number(s, 3)}"
                    for w, s in zip(x, y, strict=True)
                ],
                "hovertemplate": _HOVER,
            }
        )
    shapes = []
    if current is not None:
        shapes.append(
            _line(x=float(current), line={"color": _PALETTE[6], "width": 1.2, "dash": "dash"})
            | ({"name": _text(current_label), "showlegend": True} if current_label else {})
        )
    for flip in np.asarray(flips if flips is not None else [], dtype=float):
        shapes.append(_line(x=float(flip), line={"color": _OTHER, "width": 1.2, "dash": "dot"}))
    return {
        "data": traces,
        "layout": _layout(
            title,
            height=_px(4.0) + 80,
            xaxis=_axis(x_label, range=[0.0, 1.0], tickformat=".1f"),
            yaxis=_axis(y_label, tickformat=".1f"),
            shapes=shapes,
        ),
    }
