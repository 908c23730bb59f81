"""Charts as self-contained SVG strings, drawn with matplotlib's object API (no pyplot state).

Text stays text in the SVG (searchable, and checked by the tests for its language); every
label arrives translated and every tick is formatted for the active language.
"""

from __future__ import annotations

import hashlib
import io
import re
import textwrap
from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ketenradar.locale import N_, _, format_number, format_percent

__all__ = [
    "concentration_chart",
    "country_risk_chart",
    "exposure_chart",
    "impact_effort_chart",
    "loss_comparison_chart",
    "loss_histogram_chart",
    "matrix_chart",
    "sr_ei_chart",
    "timeline_chart",
    "weight_sweep_chart",
]

_PALETTE = ["#1f4e79", "#c0392b", "#e67e22", "#27ae60", "#8e44ad", "#16a085", "#7f8c8d"]
_OTHER = "#bdc3c7"


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ketenradar"}):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    # The drawing alone: no XML prolog and no metadata block naming the drawing library.
    drawing = re.sub(r"<metadata>.*?</metadata>\s*", "", text[text.index("<svg") :], flags=re.DOTALL)
    return _unique_ids(drawing)


def _unique_ids(drawing: str) -> str:
    """Return the drawing with its ids (and the references to them) prefixed by a hash of it.

    matplotlib names the parts of every drawing alike (figure_1, axes_1, clip paths): several
    charts inlined in one page would repeat ids. The prefix comes from the drawing itself, so the
    same chart gives the same text on every run.
    """
    prefix = "c" + hashlib.sha1(drawing.encode("utf-8"), usedforsecurity=False).hexdigest()[:10] + "-"
    drawing = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', drawing)
    drawing = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", drawing)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', drawing)


def _ticks(
    ax: Axes, *, x_digits: int | None = None, y_digits: int | None = None, x_percent: bool = False
) -> None:
    """Format tick labels in the active language (decimal comma in Dutch)."""
    if x_digits is not None:
        fmt = format_percent if x_percent else format_number
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt(v, x_digits)))
    if y_digits is not None:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, y_digits)))


# Label placement: the gap between a point and its label, in points, and how far (in rows of
# text and in columns of that gap) a crowded label may move before it gets a leader line.
_LABEL_GAP = 3.0
_LABEL_ROWS = 14
_LABEL_COLUMNS = (1.0, 5.0, 10.0)
_LEADER_COLOUR = "#555555"


def _renderer(figure: Figure) -> RendererBase:
    """Return an Agg renderer for ``figure``, to measure text as it will be drawn."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    renderer: RendererBase = canvas.get_renderer()  # type: ignore[no-untyped-call]
    return renderer


def _candidate_offsets(width: float, height: float, gap: float) -> np.ndarray:
    """Return lower-left corners of a label's candidate boxes relative to its point, nearest first.

    First the eight places around the point, then rows of text above and below on either
    side, then the same rows further out; the order is fixed, so the placement is deterministic.
    """
    diagonal = gap * 0.7
    near = [
        (gap, -height / 2),
        (diagonal, diagonal),
        (-gap - width, -height / 2),
        (-diagonal - width, diagonal),
        (diagonal, -diagonal - height),
        (-diagonal - width, -diagonal - height),
        (-width / 2, gap),
        (-width / 2, -gap - height),
    ]
    rows = np.arange(1, _LABEL_ROWS + 1, dtype=np.float64)
    # Alternate above and below, the nearest row first.
    steps = np.column_stack([rows, -rows]).ravel() * height * 1.1
    far: list[tuple[float, float]] = []
    for column in _LABEL_COLUMNS:
        dx = gap * column
        for dy in ([0.0] if column > 1 else []) + steps.tolist():
            far.append((dx, dy - height / 2))
            far.append((-dx - width, dy - height / 2))
    return np.asarray(near + far, dtype=np.float64)


def _overlaps(boxes: np.ndarray, obstacles: np.ndarray) -> np.ndarray:
    """Return, per box (x0, y0, x1, y1), whether it intersects any obstacle box."""
    if obstacles.size == 0:
        return np.zeros(len(boxes), dtype=bool)
    b = boxes[:, None, :]
    o = obstacles[None, :, :]
    hit = (
        (b[..., 0] < o[..., 2]) & (b[..., 2] > o[..., 0]) & (b[..., 1] < o[..., 3]) & (b[..., 3] > o[..., 1])
    )
    return np.asarray(hit.any(axis=1))


def _place_labels(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    labels: list[str],
    *,
    fontsize: float,
    marker_size: float,
) -> None:
    """Write each label beside its point (data coordinates) so that no two labels overprint.

    Each label takes the first of its candidate places (:func:`_candidate_offsets`) that stays
    inside the axes and touches no placed label and no marker; a label moved away from its
    point gets a thin leader line. Call it after the axes' limits are final: the places are
    measured with the renderer on the drawn layout. No randomness: the same data give the
    same picture.
    """
    figure = ax.get_figure()
    assert isinstance(figure, Figure)
    renderer = _renderer(figure)
    # Freeze the limits: the labels must not move the axes they are measured on.
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    scale = figure.dpi / 72.0
    points = ax.transData.transform(np.column_stack([x, y]).astype(np.float64))
    frame = ax.get_window_extent(renderer)
    half = np.sqrt(marker_size) * scale / 2
    # The gap is measured from the marker's edge, so a label never touches its own marker.
    gap = half + _LABEL_GAP * scale
    obstacles = np.column_stack([points - half, points + half])
    # Label order: left to right, then bottom to top, so the result does not depend on row order.
    order = np.lexsort((points[:, 1], points[:, 0]))
    # The legend counts as a placed label: no label may hide under it.
    legend = ax.get_legend()
    placed: list[np.ndarray] = (
        [] if legend is None else [np.asarray(legend.get_window_extent(renderer).extents)]
    )
    for i in order:
        text = ax.text(0, 0, labels[i], fontsize=fontsize, ha="left", va="bottom")
        extent = text.get_window_extent(renderer)
        width, height = extent.width + 1.0, extent.height + 1.0
        corners = points[i] + _candidate_offsets(width, height, gap)
        boxes = np.column_stack([corners, corners + np.array([width, height])])
        inside = (
            (boxes[:, 0] >= frame.x0)
            & (boxes[:, 2] <= frame.x1)
            & (boxes[:, 1] >= frame.y0)
            & (boxes[:, 3] <= frame.y1)
        )
        labels_placed = np.asarray(placed).reshape(-1, 4)
        others = np.delete(obstacles, i, axis=0)
        free = inside & ~_overlaps(boxes, labels_placed)
        best = free & ~_overlaps(boxes, others)
        choice = np.flatnonzero(best if best.any() else free if free.any() else inside)
        k = int(choice[0]) if choice.size else 0
        box = boxes[k]
        placed.append(box)
        anchor = ax.transData.inverted().transform(box[:2])
        text.set_position((float(anchor[0]), float(anchor[1])))
        if k >= 8:
            # Moved away from its point: a leader line from the point to the nearest box edge.
            edge = np.clip(points[i], box[:2], box[2:])
            end = ax.transData.inverted().transform(edge)
            ax.annotate(
                "",
                xy=(float(x[i]), float(y[i])),
                xytext=(float(end[0]), float(end[1])),
                arrowprops={
                    "arrowstyle": "-",
                    "color": _LEADER_COLOUR,
                    "lw": 0.7,
                    "shrinkA": 0,
                    "shrinkB": 2,
                },
            )


def sr_ei_chart(
    frame: pd.DataFrame,
    *,
    sr_threshold: float = 1.0,
    ei_threshold: float = 2.8,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
) -> str:
    """Scatter of economic importance (x) against supply risk (y) with the EC thresholds."""
    return _svg(
        _sr_ei_figure(
            frame,
            sr_threshold=sr_threshold,
            ei_threshold=ei_threshold,
            title=title,
            x_label=x_label,
            y_label=y_label,
        )
    )


def _sr_ei_figure(
    frame: pd.DataFrame,
    *,
    sr_threshold: float,
    ei_threshold: float,
    title: str,
    x_label: str,
    y_label: str,
) -> Figure:
    """Draw the SR/EI scatter; labels are placed apart by :func:`_place_labels`."""
    data = frame.dropna(subset=["sr", "ei"])
    figure = Figure(figsize=(9, 6.2))
    ax = figure.subplots()
    strategic = data["strategic"].fillna(False).astype(bool).to_numpy()
    ax.scatter(data["ei"][~strategic], data["sr"][~strategic], s=36, color=_PALETTE[0], label=_("critical"))
    ax.scatter(
        data["ei"][strategic],
        data["sr"][strategic],
        s=44,
        color=_PALETTE[1],
        marker="D",
        label=_("strategic and critical"),
    )
    ax.axhline(sr_threshold, color="#555", lw=0.8, ls="--")
    ax.axvline(ei_threshold, color="#555", lw=0.8, ls="--")
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title, fontsize=11)
    ax.set_xlim(0, max(10.0, float(data["ei"].max()) + 0.5))
    ax.set_ylim(0, float(data["sr"].max()) + 0.5)
    _ticks(ax, x_digits=0, y_digits=0)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.grid(alpha=0.25)
    _place_labels(
        ax,
        data["ei"].to_numpy(dtype=np.float64),
        data["sr"].to_numpy(dtype=np.float64),
        data["label"].astype(str).tolist(),
        fontsize=7,
        marker_size=44,
    )
    return figure


def concentration_chart(frame: pd.DataFrame, *, title: str = "", x_label: str = "") -> str:
    """Horizontal bars of the largest supplier's share per material, mining and processing."""
    data = frame.sort_values("sort_key")
    labels = data["label"].tolist()
    y = np.arange(len(labels))
    figure = Figure(figsize=(9, max(4.0, 0.26 * len(labels) + 1.2)))
    ax = figure.subplots()
    top_countries = pd.concat([data["mining_country"], data["processing_country"]]).value_counts().index[:6]
    colour = {c: _PALETTE[i] for i, c in enumerate(top_countries)}

    def colours(column: str) -> list[str]:
        return [colour.get(c, _PALETTE[-1]) for c in data[column]]

    ax.barh(
        y - 0.2,
        data["mining_share"].fillna(0),
        height=0.38,
        color=colours("mining_country"),
        edgecolor="white",
        hatch="//",
    )
    ax.barh(
        y + 0.2,
        data["processing_share"].fillna(0),
        height=0.38,
        color=colours("processing_country"),
        edgecolor="white",
    )
    for i, (share, country) in enumerate(zip(data["mining_share"], data["mining_country"], strict=True)):
        if pd.notna(share):
            ax.text(float(share) + 0.01, i - 0.2, str(country), va="center", fontsize=6)
    for i, (share, country) in enumerate(
        zip(data["processing_share"], data["processing_country"], strict=True)
    ):
        if pd.notna(share):
            ax.text(float(share) + 0.01, i + 0.2, str(country), va="center", fontsize=6)
    ax.axvline(0.65, color="#555", lw=0.8, ls="--")
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel(x_label)
    ax.set_title(title, fontsize=11)
    _ticks(ax, x_digits=0, x_percent=True)
    # Legend entries are proxies: drawing empty bars for them would leave marks on the axes.
    handles = [Patch(color=colour[c], label=c) for c in top_countries]
    handles.append(Patch(color=_PALETTE[-1], label=_("other")))
    handles.append(Patch(facecolor="white", edgecolor="#333", hatch="//", label=_("mining (hatched)")))
    ax.legend(handles=handles, fontsize=7, loc="lower right", frameon=False)
    ax.grid(axis="x", alpha=0.25)
    return _svg(figure)


def country_risk_chart(
    frame: pd.DataFrame, components: Mapping[str, str], *, title: str = "", x_label: str = ""
) -> str:
    """Stacked bars of each country's weighted risk components; ``components`` maps column to legend."""
    data = frame.iloc[::-1]
    figure = Figure(figsize=(9, max(3.5, 0.28 * len(data) + 1.0)))
    ax = figure.subplots()
    left = np.zeros(len(data))
    for i, (column, legend) in enumerate(components.items()):
        values = data[column].fillna(0).to_numpy()
        if not values.any():
            continue  # an indicator no shown country has (e.g. STAR without a user file) gets no legend entry
        ax.barh(np.arange(len(data)), values, left=left, color=_PALETTE[i], label=legend)
        left += values
    ax.set_yticks(np.arange(len(data)), data["label"], fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel(x_label)
    ax.set_title(title, fontsize=11)
    _ticks(ax, x_digits=1)
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    ax.grid(axis="x", alpha=0.25)
    return _svg(figure)


def exposure_chart(
    frame: pd.DataFrame,
    labels: list[str],
    *,
    title: str = "",
    x_label: str = "",
    unknown_label: str = "",
    other_label: str = "",
    country_names: Mapping[str, str] | None = None,
) -> str:
    """Stacked bars of country shares per bar (platform · material), largest countries coloured.

    ``frame`` has columns label, country, share, one row per (label, country); ``labels`` gives
    the bars in order (a label without rows is all unknown); the remainder to 1 is unknown.
    Countries beyond the six largest, and a country named ``other`` in the data, are pooled
    into one "other" bar segment. ``country_names`` maps a country code to the name the legend
    shows (the code where it has none).
    """
    return _svg(
        _exposure_figure(
            frame,
            labels,
            title=title,
            x_label=x_label,
            unknown_label=unknown_label,
            other_label=other_label,
            country_names=country_names or {},
        )
    )


def _exposure_figure(
    frame: pd.DataFrame,
    labels: list[str],
    *,
    title: str,
    x_label: str,
    unknown_label: str,
    other_label: str,
    country_names: Mapping[str, str],
) -> Figure:
    """Draw the exposure bars with one legend entry per colour, below the axes and their label."""
    totals = frame[frame["country"] != "other"].groupby("country")["share"].sum().sort_values(ascending=False)
    top = list(totals.index[:6])
    colour = {c: _PALETTE[i % len(_PALETTE)] for i, c in enumerate(top)}
    # Constrained layout keeps the figure legend outside the axes: it can never cover the axis label.
    figure = Figure(figsize=(9, max(3.0, 0.32 * len(labels) + 1.6)), layout="constrained")
    ax = figure.subplots()
    left = np.zeros(len(labels))
    position = {label: i for i, label in enumerate(labels)}
    in_top = frame["country"].isin(top).to_numpy()
    for country in [*top, None]:
        part = frame[in_top] if country is not None else frame[~in_top]
        if country is not None:
            part = part[part["country"] == country]
        values = np.zeros(len(labels))
        np.add.at(values, [position[v] for v in part["label"]], part["share"].to_numpy())
        ax.barh(
            np.arange(len(labels)),
            values,
            left=left,
            color=colour.get(country, _OTHER) if country is not None else _OTHER,
        )
        left += values
    ax.barh(
        np.arange(len(labels)),
        np.clip(1 - left, 0, None),
        left=left,
        color="white",
        edgecolor="#999",
        hatch="..",
    )
    ax.set_yticks(np.arange(len(labels)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(x_label)
    ax.set_title(title, fontsize=11)
    _ticks(ax, x_digits=0, x_percent=True)
    # Legend entries are proxies, one per colour: the pooled countries and a country called
    # "other" in the data share one grey entry.
    handles = [Patch(color=colour[c], label=country_names.get(str(c), str(c))) for c in top]
    handles.append(Patch(color=_OTHER, label=other_label or _("other")))
    handles.append(
        Patch(facecolor="white", edgecolor="#999", hatch="..", label=unknown_label or _("unknown"))
    )
    figure.legend(handles=handles, fontsize=7, loc="outside lower center", frameon=False, ncols=4)
    return figure


def matrix_chart(
    panels: dict[str, pd.DataFrame], *, title: str = "", x_label: str = "", y_label: str = ""
) -> str:
    """Risk-impact matrices side by side: usage share (x) against supply risk (y), averages dashed.

    Each panel frame has label, usage_share, supply_risk; ``attrs`` carries the means.
    """
    return _svg(_matrix_figure(panels, title=title, x_label=x_label, y_label=y_label))


def _matrix_figure(panels: dict[str, pd.DataFrame], *, title: str, x_label: str, y_label: str) -> Figure:
    """Draw the risk-impact matrices; labels are placed apart per panel by :func:`_place_labels`."""
    figure = Figure(figsize=(10, 7.5))
    axes = figure.subplots(2, 2, sharex=True, sharey=True).ravel()
    drawn: list[tuple[Axes, pd.DataFrame]] = []
    for ax, (name, frame) in zip(axes, panels.items(), strict=False):
        data = frame.dropna(subset=["usage_share", "supply_risk"])
        ax.scatter(data["usage_share"].astype(float), data["supply_risk"], s=22, color=_PALETTE[0])
        ax.axvline(frame.attrs.get("mean_usage_share", np.nan), color="#555", lw=0.8, ls="--")
        ax.axhline(frame.attrs.get("mean_supply_risk", np.nan), color="#555", lw=0.8, ls="--")
        ax.set_title(name, fontsize=9)
        ax.grid(alpha=0.25)
        _ticks(ax, x_digits=0, y_digits=0, x_percent=True)
        drawn.append((ax, data))
    for ax in axes[2:]:
        ax.set_xlabel(x_label)
    for ax in axes[::2]:
        ax.set_ylabel(y_label)
    figure.suptitle(title, fontsize=11)
    # Room on the right for the labels of the largest shares (axes are shared: set once).
    top = max((float(d["usage_share"].astype(float).max()) for _ax, d in drawn if len(d)), default=1.0)
    axes[0].set_xlim(-0.02 * top, top * 1.25)
    for ax, data in drawn:
        _place_labels(
            ax,
            data["usage_share"].to_numpy(dtype=np.float64),
            data["supply_risk"].to_numpy(dtype=np.float64),
            data["label"].astype(str).tolist(),
            fontsize=6,
            marker_size=22,
        )
    return figure


# Line styles of the timeline's variants (without added stock, with the plan's stock).
_DASHES = ["-", "--", ":", "-."]


def timeline_chart(
    series: Mapping[str, pd.DataFrame], *, title: str = "", x_label: str = "", y_label: str = ""
) -> str:
    """Lines of daily output (0..1) per platform; ``series`` maps a variant's legend to a frame.

    Each frame has one row per platform (index: the platform's label) and one column per day;
    each variant gets its own line style, each platform its own colour.
    """
    figure = Figure(figsize=(9, 4.2))
    ax = figure.subplots()
    for v, (variant, frame) in enumerate(series.items()):
        days = np.arange(frame.shape[1])
        for p, (platform, values) in enumerate(frame.iterrows()):
            ax.plot(
                days,
                values.to_numpy(dtype=float),
                color=_PALETTE[p % len(_PALETTE)],
                ls=_DASHES[v % len(_DASHES)],
                lw=1.4,
                drawstyle="steps-post",
                label=f"{platform} · {variant}",
            )
    ax.set_ylim(-0.02, 1.05)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title, fontsize=11)
    _ticks(ax, x_digits=0, y_digits=1)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False, ncols=2)
    ax.grid(alpha=0.25)
    return _svg(figure)


def loss_histogram_chart(
    losses: Mapping[str, np.ndarray], *, bins: int = 30, title: str = "", x_label: str = "", y_label: str = ""
) -> str:
    """Step histograms of platform-days lost per simulated year, one per platform (share of draws)."""
    figure = Figure(figsize=(9, 4.0))
    ax = figure.subplots()
    values = [np.asarray(v, dtype=float) for v in losses.values()]
    top = max((float(v.max()) for v in values if v.size), default=0.0)
    edges = np.linspace(0.0, max(top, 1.0), bins + 1).tolist()
    for p, (platform, lost) in enumerate(zip(losses, values, strict=True)):
        weights = np.full(lost.size, 1.0 / lost.size) if lost.size else None
        ax.hist(
            lost,
            bins=edges,
            weights=weights,
            histtype="step",
            lw=1.6,
            ls=_DASHES[p % len(_DASHES)],
            color=_PALETTE[p % len(_PALETTE)],
            label=platform,
        )
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title, fontsize=11)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_percent(v, 0)))
    _ticks(ax, x_digits=0)
    ax.legend(fontsize=7, loc="upper right", frameon=False)
    ax.grid(alpha=0.25)
    return _svg(figure)


def loss_comparison_chart(
    frame: pd.DataFrame, bars: Mapping[str, str], *, title: str = "", x_label: str = ""
) -> str:
    """Draw grouped horizontal bars per row of ``frame`` (its ``label``); ``bars`` maps column to legend."""
    labels = frame["label"].tolist()
    y = np.arange(len(labels))
    height = 0.8 / max(len(bars), 1)
    figure = Figure(figsize=(9, max(2.6, 0.9 * len(labels) + 1.2)))
    ax = figure.subplots()
    for i, (column, legend) in enumerate(bars.items()):
        values = frame[column].to_numpy(dtype=float)
        offset = (i - (len(bars) - 1) / 2) * height
        ax.barh(y + offset, np.nan_to_num(values), height=height * 0.95, color=_PALETTE[i], label=legend)
        for position, value in zip(y + offset, values, strict=True):
            if np.isfinite(value):
                ax.text(value, position, " " + format_number(float(value), 1), va="center", fontsize=7)
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(x_label)
    ax.set_title(title, fontsize=11)
    ax.set_xlim(0, max(1.0, float(np.nanmax(frame[list(bars)].to_numpy(dtype=float)))) * 1.15)
    _ticks(ax, x_digits=0)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, ncols=len(bars))
    ax.grid(axis="x", alpha=0.25)
    return _svg(figure)


# Time horizon of a measure as a marker symbol (the report's short / medium / long term).
_HORIZON_MARKERS = {"short": "o", "medium": "s", "long": "^"}
_HORIZON_LABELS = {"short": N_("short term"), "medium": N_("medium term"), "long": N_("long term")}
# A cell of the impact-effort grid lists at most this many labels, then "+ n more".
_CELL_LABELS = 10
_LABEL_WIDTH = 22


def _impact_effort_figure(frame: pd.DataFrame, *, title: str, x_label: str, y_label: str) -> Figure:
    """Draw the impact-effort grid; labels of one cell form one text block (they cannot overprint)."""
    data = frame.dropna(subset=["impact", "effort"]).sort_values("label", kind="stable")
    # Wide enough for a column of labels of _LABEL_WIDTH characters between two effort values.
    figure = Figure(figsize=(12, 7))
    ax = figure.subplots()
    loss = pd.to_numeric(data["loss_avoided"], errors="coerce").to_numpy(dtype=np.float64)
    largest = float(np.nanmax(loss)) if np.isfinite(loss).any() and np.nanmax(loss) > 0 else 1.0
    sizes = 30.0 + 270.0 * np.sqrt(np.clip(np.nan_to_num(loss, nan=0.0), 0.0, None) / largest)
    horizons = data["time_horizon"].fillna("").astype(str).to_numpy()
    for horizon, marker in (*_HORIZON_MARKERS.items(), ("", "x")):
        chosen = horizons == horizon
        if not chosen.any():
            continue
        label = _(_HORIZON_LABELS[horizon]) if horizon else _("time horizon not rated")
        ax.scatter(
            data["effort"].to_numpy(dtype=np.float64)[chosen],
            data["impact"].to_numpy(dtype=np.float64)[chosen],
            s=sizes[chosen],
            marker=marker,
            color=_PALETTE[list(_HORIZON_MARKERS).index(horizon) if horizon else 6],
            alpha=0.6,
            label=label,
        )
    for (effort, impact), cell in data.groupby(["effort", "impact"], sort=True):
        # Long labels (the report's are up to 80 characters) wrap so a block stays in its column.
        # A bullet starts each label, so wrapped lines show which measure they belong to.
        labels = [
            textwrap.fill(
                text,
                _LABEL_WIDTH,
                initial_indent="• ",
                subsequent_indent="  ",
                break_long_words=False,
                break_on_hyphens=False,
            )
            for text in cell["label"].astype(str)
        ]
        if len(labels) > _CELL_LABELS:
            rest = len(labels) - _CELL_LABELS + 1
            labels = [*labels[: _CELL_LABELS - 1], _("+ {n} more").format(n=rest)]
        ax.annotate(
            "\n".join(labels),
            (float(effort), float(impact)),
            fontsize=7,
            xytext=(9, 0),
            textcoords="offset points",
            va="center",
        )
    ax.set_xlim(1.5, 7.0)
    ax.set_ylim(0.4, 3.6)
    ax.set_xticks([2, 3, 4, 5, 6])
    ax.set_yticks([1, 2, 3], [_("low"), _("medium"), _("high")])
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title, fontsize=11)
    _ticks(ax, x_digits=0)
    ax.grid(alpha=0.25)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False, ncols=4)
    return figure


def impact_effort_chart(frame: pd.DataFrame, *, title: str = "", x_label: str = "", y_label: str = "") -> str:
    """Impact (y, 1–3) against effort (x, investment + complexity, 2–6), as in the seed report.

    ``frame`` has label, impact, effort, time_horizon (short|medium|long, the marker) and
    loss_avoided (platform-days, the marker's area; NaN: smallest). Measures on the same cell
    share one list of labels beside the point, so labels never overprint; unrated measures
    (NaN impact or effort) are left out — the caller lists them.
    """
    return _svg(_impact_effort_figure(frame, title=title, x_label=x_label, y_label=y_label))


def weight_sweep_chart(
    grid: np.ndarray,
    scores: Mapping[str, np.ndarray],
    *,
    current: float | None = None,
    flips: np.ndarray | None = None,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    current_label: str = "",
) -> str:
    """Lines of each bid's score (y) against the weight on origin risk (x, 0..1), one per bid.

    ``scores`` maps a bid's label to its scores on ``grid``; ``current`` (the weight in use) is
    drawn as a dashed line with ``current_label`` in the legend, the ``flips`` (where the first
    place changes hands) as dotted lines.
    """
    figure = Figure(figsize=(9, 4.0))
    ax = figure.subplots()
    x = np.asarray(grid, dtype=float)
    for b, (bid, values) in enumerate(scores.items()):
        ax.plot(
            x,
            np.asarray(values, dtype=float),
            color=_PALETTE[b % len(_PALETTE)],
            ls=_DASHES[b % len(_DASHES)],
            lw=1.6,
            label=bid,
        )
    if current is not None:
        ax.axvline(float(current), color=_PALETTE[6], ls="--", lw=1.0, label=current_label or None)
    for flip in np.asarray(flips if flips is not None else [], dtype=float):
        ax.axvline(float(flip), color=_OTHER, ls=":", lw=1.0)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    ax.set_title(title, fontsize=11)
    _ticks(ax, x_digits=1, y_digits=1)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False, ncols=4)
    ax.grid(alpha=0.25)
    return _svg(figure)
