"""Interactive charts (issue 12): every chart as a Plotly figure beside its SVG, plotly.js inlined once.

The builders are checked on small hand-made inputs (the numbers worked out here), the figures
of the demo report against its tables, the page in a headless Chromium (offline, every chart
drawn, no request leaves the file) and the PDF with pdftotext (still the static charts, no
Plotly left over).
"""

from __future__ import annotations

import html as html_lib
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go  # type: ignore[import-untyped]
import pytest
from playwright.sync_api import Page

from ketenradar.locale import use_language
from ketenradar.reports.html import Section, chart_config, chart_json, figure, render_report
from ketenradar.reports.interactive import (
    concentration_figure,
    country_risk_figure,
    exposure_figure,
    impact_effort_figure,
    loss_comparison_figure,
    loss_histogram_figure,
    matrix_figure,
    plotly_script,
    plotly_version,
    separators,
    sr_ei_figure,
    timeline_figure,
    weight_sweep_figure,
)
from tests.helpers.browser import chromium
from tests.helpers.report import section, sections

CHART_DATA = re.compile(r'<script type="application/json" class="chart-data">(.*?)</script>', flags=re.S)
SVG = '<svg width="10" height="10"><text>static</text></svg>'
# The sections of the demo report whose charts are interactive here (the chain section's
# exposure chart is its owner's) and how many charts each has.
INTERACTIVE = {"materials": 2, "countries": 1, "foresight": 3, "action": 2, "sector": 2}


def _figures(document: str) -> list[dict[str, Any]]:
    """Return the Plotly figures of a page (or part of one), parsed from their JSON."""
    return [json.loads(text) for text in CHART_DATA.findall(document)]


def _valid(fig: dict[str, Any]) -> dict[str, Any]:
    """Check a figure with plotly's own validators (unknown properties raise) and as strict JSON."""
    go.Figure(fig)
    json.dumps(fig, allow_nan=False)
    return fig


def _trace(fig: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [t for t in fig["data"] if t["name"] == name]
    assert len(found) == 1, (name, [t["name"] for t in fig["data"]])
    return found[0]


# --- the builders, on hand-made inputs ---------------------------------------------------------


def test_sr_ei_points_are_the_inputs_and_a_missing_value_is_no_point() -> None:
    frame = pd.DataFrame(
        {
            "sr": [2.25, 1.0, np.nan],
            "ei": [4.5, 3.0, 5.0],
            "strategic": [True, None, False],
            "label": ["Gallium", "Cobalt", "Lithium"],
        }
    )
    with use_language("nl"):
        fig = _valid(sr_ei_figure(frame, title="t", x_label="Economisch belang", y_label="Aanbodrisico"))
    critical, strategic = fig["data"]
    assert (critical["name"], strategic["name"]) == ("kritiek", "strategisch en kritiek")
    assert (strategic["x"], strategic["y"]) == ([4.5], [2.25])
    assert (critical["x"], critical["y"]) == ([3.0], [1.0])  # None counts as not strategic; lithium: no SR
    assert strategic["hovertext"] == ["<b>Gallium</b><br>Economisch belang: 4,5<br>Aanbodrisico: 2,2"]
    layout = fig["layout"]
    assert layout["separators"] == ",."
    assert layout["xaxis"]["range"] == [0, 10.0] and layout["yaxis"]["range"] == [0, 2.75]
    assert [(s.get("x0"), s.get("y0")) for s in layout["shapes"]] == [(0, 1.0), (2.8, 0)]


def test_concentration_bars_are_the_shares_and_missing_shares_draw_nothing() -> None:
    frame = pd.DataFrame(
        {
            "label": ["Gallium", "Cobalt"],
            "mining_share": [np.nan, 0.7],
            "mining_country": [None, "COD"],
            "processing_share": [0.98, 0.75],
            "processing_country": ["CHN", "CHN"],
            "sort_key": [0.98, 0.75],
        }
    )
    fig = _valid(concentration_figure(frame, title="t", x_label="share"))
    bars = {(t["offsetgroup"], t["name"]): t for t in fig["data"]}
    assert sorted(bars) == [("mining", "COD"), ("processing", "CHN")]  # no bar for gallium's mining
    assert bars["processing", "CHN"]["x"] == [0.75, 0.98] and bars["processing", "CHN"]["y"] == [
        "Cobalt",
        "Gallium",
    ]
    assert bars["mining", "COD"]["x"] == [0.7] and bars["mining", "COD"]["marker"]["pattern"]["shape"] == "/"
    assert bars["mining", "COD"]["hovertext"] == ["<b>Cobalt</b><br>mining: COD 70%"]
    assert fig["layout"]["yaxis"]["categoryarray"] == ["Cobalt", "Gallium"]  # smallest at the bottom
    assert sorted(t["name"] for t in fig["data"] if t["showlegend"]) == ["CHN", "COD"]


def test_country_risk_stacks_the_weighted_components_and_skips_an_absent_one() -> None:
    frame = pd.DataFrame(
        {
            "label": ["A (AAA)", "B (BBB)"],
            "w_wgi": [0.3, 0.1],
            "w_fsi": [0.25, np.nan],
            "w_star": [np.nan] * 2,
        }
    )
    fig = _valid(country_risk_figure(frame, {"w_wgi": "WGI", "w_fsi": "FSI", "w_star": "STAR"}, title="t"))
    assert [t["name"] for t in fig["data"]] == ["WGI", "FSI"]
    assert _trace(fig, "WGI")["x"] == [0.3, 0.1]
    assert _trace(fig, "FSI")["x"] == [0.25, None]  # missing adds nothing, and is not a zero
    assert fig["layout"]["barmode"] == "stack" and fig["layout"]["yaxis"]["autorange"] == "reversed"


def test_exposure_pools_other_and_leaves_the_rest_unknown() -> None:
    # Bar A: CHN 0.5, USA 0.2 and a country called "other" 0.1 → unknown 1 − 0.8 = 0.2.
    # Bar B has no rows: all unknown. Only CHN and USA get a colour; "other" is one segment.
    frame = pd.DataFrame(
        {"label": ["A", "A", "A"], "country": ["CHN", "USA", "other"], "share": [0.5, 0.2, 0.1]}
    )
    fig = _valid(
        exposure_figure(
            frame,
            ["A", "B"],
            title="t",
            unknown_label="unknown",
            other_label="other",
            country_names={"CHN": "China"},
        )
    )
    assert [t["name"] for t in fig["data"]] == ["China", "USA", "other", "unknown"]
    assert _trace(fig, "China")["x"] == [0.5, 0.0]
    assert _trace(fig, "USA")["x"] == [0.2, 0.0]
    assert _trace(fig, "other")["x"] == [0.1, 0.0]
    assert _trace(fig, "unknown")["x"] == pytest.approx([0.2, 1.0])
    assert _trace(fig, "China")["y"] == ["A", "B"]
    assert _trace(fig, "other")["hovertext"][0] == "<b>A</b><br>other: 10.0%<br>other 10.0%"


def test_exposure_pools_countries_beyond_the_six_largest() -> None:
    countries = [f"C{i}" for i in range(8)]
    shares = [0.2, 0.18, 0.16, 0.14, 0.12, 0.1, 0.06, 0.04]
    frame = pd.DataFrame({"label": "bar", "country": countries, "share": shares})
    fig = _valid(exposure_figure(frame, ["bar"]))
    assert [t["name"] for t in fig["data"]][:6] == countries[:6]
    assert _trace(fig, "other")["x"] == pytest.approx([0.1])  # C6 + C7
    assert _trace(fig, "unknown")["x"] == pytest.approx([0.0])


def test_matrix_panels_share_axes_and_draw_their_means() -> None:
    panel = pd.DataFrame(
        {"label": ["Gallium", "Cobalt"], "usage_share": [0.4, 0.1], "supply_risk": [1.5, 3.0]}
    )
    panel.attrs.update(mean_usage_share=0.25, mean_supply_risk=2.25)
    empty = pd.DataFrame({"label": ["x"], "usage_share": [np.nan], "supply_risk": [1.0]})
    fig = _valid(matrix_figure({"sea": panel, "air": empty}, title="t", x_label="usage", y_label="SR"))
    sea, air = fig["data"]
    assert (sea["x"], sea["y"], sea["xaxis"], air["xaxis"]) == ([0.4, 0.1], [1.5, 3.0], "x", "x2")
    assert air["x"] == []  # a suppressed count gives no point
    assert fig["layout"]["xaxis2"]["matches"] == "x"
    assert fig["layout"]["xaxis"]["range"] == pytest.approx([-0.008, 0.5])
    means = [(s["xref"], s["x0"]) for s in fig["layout"]["shapes"] if s["xref"] == "x"]
    assert means == [("x", 0.25)]
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["sea", "air"]


def test_timeline_lines_are_the_daily_output() -> None:
    series = {
        "without": pd.DataFrame([[1.0, 0.5, 0.25]], index=["Frigate"]),
        "with": pd.DataFrame([[1.0, 1.0, 0.75]], index=["Frigate"]),
    }
    with use_language("nl"):
        fig = _valid(timeline_figure(series, title="t", x_label="dag", y_label="output"))
    first, second = fig["data"]
    assert (first["name"], first["x"], first["y"]) == ("Frigate · without", [0, 1, 2], [1.0, 0.5, 0.25])
    assert second["y"] == [1.0, 1.0, 0.75] and second["line"]["dash"] == "dash"
    assert first["line"]["shape"] == "hv"  # a step per day, as the static chart
    assert first["hovertext"][2] == "<b>Frigate · without</b><br>dag 2: output 0,25"


def test_loss_histogram_gives_the_share_of_draws_per_bin() -> None:
    # Edges 0, 1, 2, 3 (top 3, 3 bins): draws 0, 0, 1, 3 → shares 2/4, 1/4, 1/4.
    fig = _valid(
        loss_histogram_figure({"Frigate": np.array([0.0, 0.0, 1.0, 3.0]), "Jet": np.array([])}, bins=3)
    )
    frigate, jet = fig["data"]
    assert frigate["x"] == [0.0, 1.0, 2.0] and frigate["y"] == [0.5, 0.25, 0.25]
    assert jet["y"] == [None, None, None]  # no draws: no share, not zero
    assert frigate["width"] == 1.0 and frigate["offset"] == 0


def test_loss_comparison_bars_and_their_labels() -> None:
    frame = pd.DataFrame({"label": ["Frigate", "all"], "before": [41.84, 83.6], "after": [18.5, np.nan]})
    with use_language("nl"):
        fig = _valid(loss_comparison_figure(frame, {"before": "geen", "after": "plan"}, title="t"))
    before, after = fig["data"]
    assert before["x"] == [41.84, 83.6] and before["text"] == ["41,8", "83,6"]
    assert after["x"] == [18.5, None] and after["text"] == ["18,5", ""]
    assert fig["layout"]["xaxis"]["range"] == pytest.approx([0, 83.6 * 1.15])


def test_impact_effort_hover_lists_every_measure_of_the_cell() -> None:
    frame = pd.DataFrame(
        {
            "label": ["G02", "G01", "C01", "X"],
            "impact": [2.0, 2.0, 3.0, np.nan],
            "effort": [4.0, 4.0, 6.0, 2.0],
            "time_horizon": ["short", "long", "long", "short"],
            "loss_avoided": np.nan,
        }
    )
    fig = _valid(impact_effort_figure(frame, title="t", x_label="effort", y_label="impact"))
    assert [t["name"] for t in fig["data"]] == ["short term", "long term"]
    short, long_ = fig["data"]
    assert (short["x"], short["y"]) == ([4.0], [2.0])  # the unrated X is left out
    assert (long_["x"], long_["y"]) == ([6.0, 4.0], [3.0, 2.0])  # by label: C01, then G01
    assert short["hovertext"][0] == "<b>effort 4 · impact 2</b><br>G01<br>G02"
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["• G01<br>• G02", "• C01"]
    assert fig["layout"]["yaxis"]["ticktext"] == ["low", "medium", "high"]


def test_weight_sweep_lines_and_the_weight_in_use() -> None:
    grid = np.array([0.0, 0.5, 1.0])
    fig = _valid(
        weight_sweep_figure(
            grid,
            {"nl": np.array([0.1, 0.5, 1.0]), "asia": np.array([0.9, 0.4, 0.0])},
            current=0.3,
            flips=np.array([0.45]),
            current_label="weight in use",
        )
    )
    assert _trace(fig, "nl")["y"] == [0.1, 0.5, 1.0] and _trace(fig, "asia")["x"] == [0.0, 0.5, 1.0]
    current, flip = fig["layout"]["shapes"]
    assert (current["x0"], current["name"], current["showlegend"]) == (0.3, "weight in use", True)
    assert flip["x0"] == 0.45 and flip["line"]["dash"] == "dot"


def test_separators_follow_the_language() -> None:
    with use_language("nl"):
        assert separators() == ",."
        assert chart_config()["locale"] == "nl"
    with use_language("en"):
        assert separators() == ".,"


def test_labels_are_shown_as_written_not_as_markup() -> None:
    frame = pd.DataFrame({"label": ["a<b>c & d"], "sr": [1.0], "ei": [2.0], "strategic": [False]})
    fig = sr_ei_figure(frame, title="<i>t</i>")
    assert fig["data"][0]["hovertext"][0].startswith("<b>a&lt;b&gt;c &amp; d</b>")
    assert fig["layout"]["title"]["text"] == "&lt;i&gt;t&lt;/i&gt;"


def test_config_has_no_logo_and_sends_nothing() -> None:
    config = chart_config()
    assert config["displaylogo"] is False and config["responsive"] is True
    assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
    assert config["showLink"] is False and config["plotlyServerURL"] == ""


# --- the page: figure(), the JSON in its script, plotly.js once ---------------------------------


def test_figure_json_cannot_end_its_script_element() -> None:
    hostile = {
        "data": [{"type": "bar", "name": "</script><script>alert(1)</script>", "x": [1]}],
        "layout": {},
    }
    markup = str(figure(SVG, "caption", interactive=hostile))
    assert markup.lower().count("</script") == 1  # only the element's own end tag
    assert "<!--" not in markup
    (text,) = CHART_DATA.findall(markup)
    assert json.loads(text) == hostile
    assert '<div class="chart-static">' + SVG + "</div>" in markup


def test_figure_without_interactive_is_the_static_chart_alone() -> None:
    assert str(figure(SVG, "caption")) == f"<figure>{SVG}<figcaption>caption</figcaption></figure>"


def test_chart_json_refuses_nan_and_writes_numpy_values() -> None:
    assert json.loads(chart_json({"x": np.array([1.5, 2.0]), "n": np.int64(3)})) == {"x": [1.5, 2.0], "n": 3}
    with pytest.raises(ValueError):
        chart_json({"x": [float("nan")]})


def _page(*blocks: dict[str, Any]) -> str:
    built = Section("s", "S", "intro", tuple(figure(SVG, "c", interactive=b) for b in blocks), ("source",))
    return render_report("t", "s", "f", [built], "en")


def test_plotly_is_inlined_once_and_only_when_a_chart_needs_it() -> None:
    plain = render_report("t", "s", "f", [Section("s", "S", "i", (figure(SVG, "c"),), ("x",))], "en")
    assert "<script" not in plain and "Plotly.newPlot" not in plain and "plotly.js v" not in plain
    document = _page({"data": [], "layout": {}}, {"data": [], "layout": {"title": {"text": "b"}}})
    parts = re.findall(r'<script type="text/plain" class="plotly-js">(.*?)</script>', document, flags=re.S)
    assert "".join(parts) == plotly_script()  # the package's file, whole and unchanged
    assert all(len(part) <= 1 << 16 for part in parts)
    assert document.count(f"plotly.js v{plotly_version()}") == 1
    assert document.count('id="chart-config"') == 1 and document.count("Plotly.newPlot") == 1
    assert not re.search(r"""<(script|link|img)\b[^>]*\b(src|href)=""", document)  # nothing fetched


def test_plotly_is_the_package_file(tmp_path: Path) -> None:
    import plotly

    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert plotly_script() == shipped.read_text(encoding="utf-8")
    assert re.fullmatch(r"\d+\.\d+\.\d+", plotly_version())


# --- the demo report --------------------------------------------------------------------------


def _cells(table_html: str) -> list[list[str]]:
    """Return the text of the body rows' cells of a table."""
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table_html, re.S)
    ]
    return [[html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row] for row in rows if row]


def _markup(document: str) -> str:
    """Return the page without the text of its script elements (plotly.js names its web site)."""
    return re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", document, flags=re.S)


def test_demo_report_has_plotly_once_and_every_chart_interactive(demo_report_en: Path) -> None:
    document = demo_report_en.read_text(encoding="utf-8")
    assert document.count(f"plotly.js v{plotly_version()}") == 1
    markup = _markup(document)
    assert not re.search(r"""(src|href)=["']?https?://""", markup)
    assert not re.search(r"<script\b[^>]*\bsrc=", markup)  # every script is inline
    bodies = dict(sections(document))
    for name, charts in INTERACTIVE.items():
        assert bodies[name].count('class="chart-interactive"') == charts, name
        for fig in _figures(bodies[name]):
            _valid(fig)
            assert fig["layout"]["separators"] == ".,"


def test_demo_sr_ei_scatter_is_the_materials_table(demo_report_en: Path) -> None:
    body = section(demo_report_en.read_text(encoding="utf-8"), "materials")
    table = body[: body.index("</table>")]
    headers = [html_lib.unescape(h) for h in re.findall(r"<th>(.*?)</th>", table)]
    name, sr, ei = headers.index("material"), headers.index("SR 2023"), headers.index("EI 2023")
    expected = {row[name]: (row[ei], row[sr]) for row in _cells(table) if row[sr] != "—" and row[ei] != "—"}
    scatter, concentration = _figures(body)
    drawn = {}
    for trace in scatter["data"]:
        for hover, x, y in zip(trace["hovertext"], trace["x"], trace["y"], strict=True):
            label = html_lib.unescape(re.match(r"<b>(.*?)</b>", hover).group(1))  # type: ignore[union-attr]
            drawn[label] = (f"{x:.1f}", f"{y:.1f}")
    assert drawn == expected and len(drawn) >= 30
    # The concentration bars: the largest processing share per material, as in the table.
    shares = {
        y: x
        for t in concentration["data"]
        if t["offsetgroup"] == "processing"
        for x, y in zip(t["x"], t["y"], strict=True)
    }
    processing = headers.index("largest processing")
    for row in _cells(table):
        if row[processing] != "—":
            assert f"{shares[row[name]]:.0%}" == row[processing].split()[-1], row[name]


def test_demo_country_risk_bars_add_up_to_the_composite(demo_report_en: Path) -> None:
    body = section(demo_report_en.read_text(encoding="utf-8"), "countries")
    (fig,) = _figures(body)
    table = body[: body.index("</table>")]
    headers = [html_lib.unescape(h) for h in re.findall(r"<th>(.*?)</th>", table)]
    composite = {f"{r[1]} ({r[0]})": r[headers.index("composite")] for r in _cells(table)}
    totals: dict[str, float] = {}
    for trace in fig["data"]:
        for x, y in zip(trace["x"], trace["y"], strict=True):
            totals[html_lib.unescape(y)] = totals.get(html_lib.unescape(y), 0.0) + (x or 0.0)
    assert {k: f"{v:.2f}" for k, v in totals.items()} == composite


# --- in a real browser, and on paper ----------------------------------------------------------


@dataclass
class Loaded:
    """The demo report open in Chromium, with what the page reported while it loaded."""

    page: Page
    errors: list[str]
    requests: list[str]


@pytest.fixture(scope="module")
def browser_page(demo_report_en: Path) -> Iterator[Loaded]:
    with chromium() as browser:
        context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("request", lambda request: requests.append(request.url))
        page.goto(demo_report_en.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_function(
            "document.querySelectorAll('figure.chart-drawn').length"
            " === document.querySelectorAll('.chart-interactive').length",
            timeout=60_000,
        )
        yield Loaded(page, errors, requests)


def test_browser_draws_every_chart_offline_without_errors(browser_page: Loaded) -> None:
    page = browser_page.page
    assert browser_page.errors == []
    assert browser_page.requests == [page.url]  # the file itself, nothing else
    charts = page.locator(".chart-interactive")
    for name, count in INTERACTIVE.items():
        assert page.locator(f"#{name} .chart-interactive .main-svg").count() >= count, name
    assert charts.count() == page.locator("figure.chart-drawn").count()
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator(".main-svg").count() >= 1
        box = chart.bounding_box()
        assert box is not None and box["width"] > 800 and box["height"] > 250
    # On screen the drawn chart replaces its SVG; the figure keeps its caption.
    assert page.locator("figure.chart-drawn > .chart-static").first.is_hidden()
    assert page.locator("figure.chart-drawn figcaption").first.is_visible()
    assert page.locator(".modebar a[href], .modebar-btn--logo").count() == 0  # no logo, no link out


def test_browser_hover_shows_the_formatted_value(browser_page: Loaded) -> None:
    page = browser_page.page
    chart = page.locator("#countries .chart-interactive")
    chart.scroll_into_view_if_needed()
    box = chart.locator(".trace.bars .point path").first.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#countries .hoverlayer .hovertext", timeout=5_000)
    text = page.locator("#countries .hoverlayer .hovertext").first.text_content() or ""
    assert re.search(r"WGI: 0\.\d\d$", text), text


def test_browser_legend_click_hides_a_trace(browser_page: Loaded) -> None:
    page = browser_page.page
    chart = page.locator("#countries .chart-interactive")
    before = chart.locator(".trace.bars").count()
    chart.locator(".legend .traces").first.click()
    page.wait_for_function(
        "document.querySelector('#countries .chart-interactive').data.some(t => t.visible === 'legendonly')"
    )
    assert chart.locator(".legend .traces").count() >= 2 and before >= 2
    chart.locator(".legend .traces").first.click()  # and back, for the other tests


def test_pdf_keeps_the_static_charts_and_no_plotly(demo_report_en: Path) -> None:
    pdf = demo_report_en.parent / "report.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for title in re.findall(r"<h2>(.*?)</h2>", demo_report_en.read_text(encoding="utf-8")):
        assert html_lib.unescape(title) in flat, title
    for leftover in ("plotly", "newPlot", "hovertext", "chart-interactive", "separators", '"data"'):
        assert leftover.lower() not in flat.lower(), leftover
    # The static SR/EI chart's title is text in the PDF, as before.
    assert "Supply risk against economic importance (EC 2023)" in flat


def test_dutch_report_charts_speak_dutch_with_decimal_commas() -> None:
    from ketenradar.reports.context import build_demo_context
    from ketenradar.reports.demo import render_demo
    from ketenradar.reports.sections import countries, materials

    ctx = build_demo_context("nl")
    document = render_demo(ctx, [materials.build, countries.build], pdf=False)["index.html"]
    assert isinstance(document, str)
    scatter, concentration, risk = _figures(document)
    assert all(f["layout"]["separators"] == ",." for f in (scatter, concentration, risk))
    assert [t["name"] for t in scatter["data"]] == ["kritiek", "strategisch en kritiek"]
    assert scatter["layout"]["xaxis"]["title"]["text"] == "Economisch belang (EI)"
    # Hover values with a decimal comma, e.g. "Aanbodrisico (SR): 5,1".
    hovers = [h for t in scatter["data"] for h in t["hovertext"]]
    assert all(re.search(r"\(SR\): \d+,\d$", h) for h in hovers), hovers[:3]
    assert all(re.search(r": \d+,\d\d$", h) for t in risk["data"] for h in t["hovertext"])
    config = json.loads(re.search(r'id="chart-config">(.*?)</script>', document).group(1))  # type: ignore[union-attr]
    assert config["locale"] == "nl" and "Zoom in" in config["locales"]["nl"]["dictionary"]
