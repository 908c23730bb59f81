"""Issue 12: the demo report's defects as a new user met them, each checked in both languages.

Labels never overprint (SR/EI scatter, the four risk-impact matrices), the exposure chart's
legend sits outside the axes with one "other", one source note under the country-risk chart,
names instead of raw ids in the tables, the pink highlight explained, wide tables scroll
(screen) or wrap (print) instead of being clipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ketenradar.locale import _, use_language
from ketenradar.reports import charts
from ketenradar.reports.context import build_demo_context
from ketenradar.reports.demo import render_demo
from tests.helpers.labels import label_boxes, overprinting_labels
from tests.helpers.report import section


@dataclass
class _Drawn:
    """The report's HTML in one language and the figures its charts were drawn from."""

    lang: str
    html: str
    figures: dict[str, list[Figure]] = field(default_factory=dict)


def _recording(
    name: str, draw: Callable[..., Figure], store: dict[str, list[Figure]]
) -> Callable[..., Figure]:
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        figure = draw(*args, **kwargs)
        store.setdefault(name, []).append(figure)
        return figure

    return wrapper


@pytest.fixture(scope="module", params=["en", "nl"])
def drawn(request: pytest.FixtureRequest) -> Iterator[_Drawn]:
    """Render the demo report in one language, keeping the figures of the label-bearing charts."""
    lang = str(request.param)
    figures: dict[str, list[Figure]] = {}
    with pytest.MonkeyPatch.context() as patch:
        for name in ("_sr_ei_figure", "_matrix_figure", "_exposure_figure"):
            patch.setattr(charts, name, _recording(name, getattr(charts, name), figures))
        html = str(render_demo(build_demo_context(lang), pdf=False)["index.html"])
    yield _Drawn(lang, html, figures)


def _tables(body: str) -> list[str]:
    return re.findall(r"<table>.*?</table>", body, flags=re.S)


def _column(table: str, header: str) -> list[str]:
    """Return the cells (tags stripped) of the column headed ``header``."""
    headers = [re.sub("<.*?>", "", h) for h in re.findall(r"<th>(.*?)</th>", table, flags=re.S)]
    index = headers.index(header)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], flags=re.S)
    return [re.sub("<.*?>", "", re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)[index]) for r in rows]


# --- labels -------------------------------------------------------------------------------------


def test_sr_ei_scatter_labels_every_point_and_none_overprint(drawn: _Drawn) -> None:
    (figure,) = drawn.figures["_sr_ei_figure"]
    (boxes,) = label_boxes(figure)
    names = [text for text, _box in boxes]
    # The crowded ones of the issue are all written: graphite/germanium, antimony/beryllium, tantalum/silicon.
    expected = {"en": ["Antimony", "Beryllium", "Germanium", "Tantalum"], "nl": ["Antimoon", "Beryllium"]}
    for name in expected[drawn.lang]:
        assert name in names
    assert len(names) == len(set(names)) >= 30
    assert overprinting_labels(figure) == []


def test_risk_impact_matrices_labels_never_overprint(drawn: _Drawn) -> None:
    (figure,) = drawn.figures["_matrix_figure"]
    per_panel = label_boxes(figure)
    assert len(per_panel) == 4 and all(len(panel) >= 10 for panel in per_panel)
    assert overprinting_labels(figure) == []
    # Every label stays inside its own panel, so labels of two panels cannot meet either.
    for ax, panel in zip(figure.axes, per_panel, strict=True):
        frame = ax.get_window_extent()
        for _text, box in panel:
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def test_labels_of_points_on_one_spot_are_placed_apart_the_same_way_every_time() -> None:
    frame = pd.DataFrame(
        {
            "ei": [5.0] * 12 + [5.05] * 6,
            "sr": [2.0] * 12 + [2.02] * 6,
            "strategic": [False] * 18,
            "label": [f"Material with a long name {i}" for i in range(18)],
        }
    )

    def positions() -> list[tuple[float, float]]:
        figure = charts._sr_ei_figure(
            frame, sr_threshold=1.0, ei_threshold=2.8, title="t", x_label="x", y_label="y"
        )
        assert overprinting_labels(figure) == []
        return [t.get_position() for t in figure.axes[0].texts]

    assert positions() == positions()  # deterministic: no jitter


# --- the exposure chart ---------------------------------------------------------------------------


def _legend_and_axis_label(figure: Figure) -> tuple[list[str], Any, Any]:
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    figure.draw(renderer)
    legends = [*figure.legends, *(ax.legend_ for ax in figure.axes if ax.legend_ is not None)]
    assert len(legends) == 1
    legend = legends[0]
    entries = [t.get_text() for t in legend.get_texts()]
    axis_label = figure.axes[0].xaxis.label.get_window_extent(renderer)
    return entries, legend.get_window_extent(renderer), axis_label


def test_exposure_legend_has_one_other_names_countries_and_stays_off_the_axis_label() -> None:
    countries = ["CHN", "USA", "BRA", "AUS", "RUS", "TUR", "ZAF", "CAN", "other"]
    frame = pd.DataFrame(
        {
            "label": ["a"] * 9 + ["b"] * 9,
            "country": countries * 2,
            "share": [0.3, 0.15, 0.1, 0.1, 0.08, 0.07, 0.05, 0.05, 0.1] * 2,
        }
    )
    figure = charts._exposure_figure(
        frame,
        ["a", "b"],
        title="t",
        x_label="share of usage-weighted supply",
        unknown_label="",
        other_label="",
        country_names={"CHN": "China", "USA": "United States"},
    )
    entries, legend, axis_label = _legend_and_axis_label(figure)
    # ZAF, CAN (beyond the six largest) and the data's own "other" share one entry.
    assert entries.count("other") == 1
    assert entries[:2] == ["China", "United States"]  # names where known, the code otherwise
    assert entries == ["China", "United States", "BRA", "AUS", "RUS", "TUR", "other", "unknown"]
    assert not legend.overlaps(axis_label)
    assert legend.y1 < axis_label.y0  # below the axis label, outside the axes


def test_report_exposure_charts_legends(drawn: _Drawn) -> None:
    figures = drawn.figures["_exposure_figure"]
    assert len(figures) == 2  # the chain's and the sector's
    with use_language(drawn.lang):
        other, china = _("other"), {"en": "China", "nl": "China"}[drawn.lang]
    for figure in figures:
        entries, legend, axis_label = _legend_and_axis_label(figure)
        assert entries.count(other) == 1
        assert china in entries and "CHN" not in entries
        assert not legend.overlaps(axis_label)
        assert figure.axes[0].get_legend() is None  # not on the bars


# --- the country-risk chart's source note ---------------------------------------------------------


def test_country_risk_chart_has_one_source_note(drawn: _Drawn) -> None:
    body = section(drawn.html, "countries")
    sources = {"en": "Sources:", "nl": "Bronnen:"}[drawn.lang]
    assert body.count(sources) == 1
    assert body.count('<p class="source">') == 1
    caption = re.findall(r"<figcaption>(.*?)</figcaption>", body, flags=re.S)
    assert len(caption) == 1 and sources not in caption[0]
    # No sentence of the section is printed twice.
    notes = re.findall(r"<span>(.*?)</span>", body.split('<p class="source">')[1])
    assert len(notes) == len(set(notes))
    # The weights name the indicators, not the data's codes.
    with use_language(drawn.lang):
        oecd = _("OECD")
    assert "oecd_crc" not in body and "atradius_star" not in body
    assert f"{oecd}: 0,25" in body.replace(".", ",")


# --- names, not raw ids ----------------------------------------------------------------------------

_SUPPLIER_CODE = re.compile(r"^[A-Z]{3} \d")


def test_tables_show_names_not_raw_ids(drawn: _Drawn) -> None:
    with use_language(drawn.lang):
        h = {
            k: _(k)
            for k in (
                "largest mining",
                "largest processing",
                "largest country",
                "country",
                "item",
                "limited by",
                "missing indicators",
            )
        }
    materials = _tables(section(drawn.html, "materials"))[0]
    for header in ("largest mining", "largest processing"):
        cells = [c for c in _column(materials, h[header]) if c != "—"]
        assert cells and not any(_SUPPLIER_CODE.match(c) for c in cells), cells
    china = {"en": "China", "nl": "China"}[drawn.lang]
    assert any(c.startswith(china + " ") for c in _column(materials, h["largest processing"]))

    chain = _tables(section(drawn.html, "chain"))
    split = next(t for t in chain if h["largest country"] in t)
    assert not any(_SUPPLIER_CODE.match(c) for c in _column(split, h["largest country"]))
    points = next(t for t in chain if f"<th>{h['item']}</th>" in t and "<th>id</th>" in t)
    countries = _column(points, h["country"])
    assert countries and not any(re.fullmatch(r"[A-Z]{3}", c) for c in countries), countries
    assert not any(re.fullmatch(r"[a-z0-9_]+", c) for c in _column(points, h["item"]))

    scenario = _tables(section(drawn.html, "scenario"))
    for table in scenario:
        for cell in _column(table, h["limited by"]):
            # Every limiting item is named, its id in brackets.
            assert cell == "—" or all(re.fullmatch(r".+ \([\w.-]+\)", part) for part in cell.split(", ")), (
                cell
            )

    countries_table = _tables(section(drawn.html, "countries"))[0]
    assert not any(
        "atradius_star" in c or "oecd_crc" in c for c in _column(countries_table, h["missing indicators"])
    )


# --- the highlight -----------------------------------------------------------------------------------


def test_every_highlighted_table_explains_its_highlight(drawn: _Drawn) -> None:
    word = {"en": "Highlighted:", "nl": "Gemarkeerd:"}[drawn.lang]
    highlighted = 0
    for match in re.finditer(
        r'<div class="table-wrap">(.*?)</div>(<p class="note">.*?</p>)?', drawn.html, re.S
    ):
        if 'class="flag"' not in match.group(1):
            continue
        highlighted += 1
        note = match.group(2) or ""
        assert '<span class="swatch flag"></span>' in note, match.group(1)[:200]
        assert len(re.sub("<.*?>", "", note).strip()) > 10
    assert highlighted >= 5
    for name in ("materials", "outlook", "chain"):
        assert word in section(drawn.html, name)


# --- wide tables ----------------------------------------------------------------------------------


def test_wide_tables_scroll_on_screen_and_wrap_in_print(drawn: _Drawn) -> None:
    style = re.search(r"<style>(.*?)</style>", drawn.html, flags=re.S)
    assert style is not None
    css = style.group(1)
    assert not re.search(r"\b900\s*px", css)  # the old clip
    assert re.search(r"\.table-wrap\s*\{[^}]*overflow-x:\s*auto", css)
    assert not re.search(r"(table|\.table-wrap)\s*\{[^}]*overflow(-x)?:\s*hidden", css)
    print_rules = css.split("@media print", 1)[1]
    assert re.search(r"\.table-wrap\s*\{[^}]*overflow:\s*visible", print_rules)
    assert re.search(r"th, td\s*\{[^}]*overflow-wrap:\s*break-word", print_rules)
    assert "print-color-adjust: exact" in css  # the highlight is printed too
    # The materials table (13 columns) sits in a scrolling wrapper.
    materials = section(drawn.html, "materials")
    assert materials.count('<div class="table-wrap"><table>') == 1
    assert np.size(re.findall(r"<th>", _tables(materials)[0])) == 13
