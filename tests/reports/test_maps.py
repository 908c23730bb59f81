"""World maps of country shares: classes and colours by hand, the not-drawn note, the Plotly map."""

from __future__ import annotations

import json
import math
import re
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ketenradar.locale import _, use_language
from ketenradar.reports.maps import (
    GEOJSON_KEY,
    MISSING_COLOUR,
    SHARE_COLOURS,
    MapPanel,
    choropleth_figure,
    geo_assets_js,
    map_grid_svg,
    not_drawn_note,
    share_classes,
    share_colours,
    world_map_svg,
)

# Gallium, processing, EC 2023 as shipped (rounded here): China 93.8 %, Japan 3 %, Korea 1.2 %;
# Germany with a share listed as "<0.1%" (no figure: NaN); Singapore has no shape at 1:110m.
SHARES = pd.Series(
    {"CHN": 0.938, "JPN": 0.03, "KOR": 0.012, "RUS": 0.06, "USA": 0.25, "DEU": math.nan, "SGP": 0.02}
)


def _fill(svg: str, iso3: str) -> str:
    """Return the fill colour of a country's path in a single-map SVG."""
    match = re.search(rf'id="c[0-9a-f]{{10}}-country-{iso3}">\s*<path[^>]*style="fill: (#[0-9a-f]{{6}})', svg)
    assert match is not None, iso3
    return match.group(1)


def test_share_classes_by_hand() -> None:
    values = pd.Series([0.0, 0.049, 0.05, 0.0999, 0.10, 0.25, 0.4999, 0.5, 0.938, 1.0, math.nan])
    assert share_classes(values).tolist() == [0, 0, 1, 1, 2, 3, 3, 4, 4, 4, -1]


def test_map_colours_follow_the_shares() -> None:
    colours = share_colours(SHARES)
    assert colours["CHN"] == SHARE_COLOURS[4]  # 93.8 % >= 50 %
    assert colours["USA"] == SHARE_COLOURS[3]  # 25 % in [25, 50)
    assert colours["RUS"] == SHARE_COLOURS[1]  # 6 % in [5, 10)
    assert colours["JPN"] == colours["KOR"] == SHARE_COLOURS[0]  # below 5 %
    assert colours["DEU"] == MISSING_COLOUR  # listed without a figure: grey, not a share of 0
    svg = world_map_svg(SHARES, title="Gallium · processing")
    assert _fill(svg, "CHN") == SHARE_COLOURS[4]
    assert _fill(svg, "USA") == SHARE_COLOURS[3]
    assert _fill(svg, "RUS") == SHARE_COLOURS[1]
    assert _fill(svg, "DEU") == MISSING_COLOUR
    assert _fill(svg, "BRA") == MISSING_COLOUR  # not in the data at all
    assert "no figure in the data" in svg and "50% or more" in svg
    assert "Gallium · processing" in svg


def test_the_legend_is_in_the_reports_language() -> None:
    with use_language("nl"):
        svg = world_map_svg(SHARES)
        expected = [_("no figure in the data"), _("Share of global supply")]
    assert all(text in svg for text in expected)


def test_small_states_with_a_share_are_named_not_dropped() -> None:
    note = not_drawn_note(SHARES, {"SGP": "Singapore"})
    assert note == "Not drawn (too small for a world map at 1:110m): Singapore 2.0%."
    assert not_drawn_note(SHARES.drop("SGP"), {}) == ""


def test_small_multiples_draw_one_map_per_panel() -> None:
    panels = [MapPanel(f"panel {i}", SHARES) for i in range(3)]
    svg = map_grid_svg(panels, columns=2)
    assert all(f"panel {i}" in svg for i in range(3))
    assert svg.count("<image") == 3  # the shapes of each map as one image; text stays text


def test_choropleth_has_a_selector_with_the_shares_of_each_layer() -> None:
    other = pd.Series({"AUS": 0.5, "CHL": 0.25})
    with use_language("nl"):
        figure = choropleth_figure([("Gallium · processing", SHARES), ("Lithium · mining", other)], {})
    trace = figure["data"][0]
    assert trace["geojson"] == GEOJSON_KEY and trace["featureidkey"] == "id"
    # The first layer is shown; missing figures are left out (grey land), never drawn as 0.
    assert dict(zip(trace["locations"], trace["customdata"], strict=True)) == {
        "CHN": 0.938,
        "JPN": 0.03,
        "KOR": 0.012,
        "RUS": 0.06,
        "USA": 0.25,
        "SGP": 0.02,
    }
    # The colour is the share's class (the middle of its step of the colour bar): 50 % or more is
    # class 4, 25 % class 3, 6 % class 1, the rest below 5 % class 0.
    assert dict(zip(trace["locations"], trace["z"], strict=True)) == {
        "CHN": 4.5,
        "JPN": 0.5,
        "KOR": 0.5,
        "RUS": 1.5,
        "USA": 3.5,
        "SGP": 0.5,
    }
    assert "CHN: 93,8%" in trace["text"]
    assert figure["layout"]["separators"] == ",."
    buttons = figure["layout"]["updatemenus"][0]["buttons"]
    assert [b["label"] for b in buttons] == ["Gallium · processing", "Lithium · mining"]
    assert buttons[1]["args"][0]["locations"] == [["AUS", "CHL"]]
    assert buttons[1]["args"][0]["customdata"] == [[0.5, 0.25]]
    assert buttons[1]["args"][0]["z"] == [[4.5, 3.5]]
    json.dumps(figure)  # plain JSON for the page


@pytest.mark.parametrize("highlight", [None, "NLD"])
def test_choropleth_outlines_the_highlighted_country(highlight: str | None) -> None:
    figure = choropleth_figure([("x", SHARES)], {}, highlight=highlight)
    assert len(figure["data"]) == (1 if highlight is None else 2)
    assert "updatemenus" not in figure["layout"]
    if highlight:
        assert figure["data"][1]["locations"] == ["NLD"]


def test_geo_assets_hold_the_topology_and_the_shapes_and_name_no_server() -> None:
    script = geo_assets_js()
    assert "a.topojson.world_110m={" in script
    assert f'a["{GEOJSON_KEY}"]={{"type":"FeatureCollection"' in script
    assert "http" not in script.replace("http://www.naturalearthdata.com", "")


@pytest.fixture(scope="module")
def maps_section() -> Any:
    from ketenradar.reports.context import build_demo_context
    from ketenradar.reports.sections import maps

    context = build_demo_context("en")
    with use_language("en"):
        return maps.build(context)


def test_report_section_has_one_interactive_map_and_small_multiples_of_the_strategic_materials(
    maps_section: Any,
) -> None:
    blocks = [str(b) for b in maps_section.blocks]
    assert maps_section.id == "maps" and maps_section.title == "Where the materials come from"
    # First the shapes for Plotly, then four figures of four strategic materials and one of one (17).
    assert blocks[0].startswith("<script>(function(){var a=window.PlotlyGeoAssets")
    assert len(blocks) == 1 + 5
    assert sum('class="chart-interactive"' in b for b in blocks) == 1
    figure = json.loads(re.search(r'class="chart-data">(.*?)</script>', blocks[1], re.DOTALL).group(1))  # type: ignore[union-attr]
    labels = [b["label"] for b in figure["layout"]["updatemenus"][0]["buttons"]]
    assert "Gallium · processing" in labels and "Gallium · mining" not in labels  # EC: no mining shares
    # Small states with a share are named, not dropped.
    assert maps_section.notes == (
        "Not drawn (too small for a world map at 1:110m), though they have a share: Bahrain (BHR), "
        "Hong Kong (HKG), Nauru (NRU), Singapore (SGP).",
    )


def test_report_pdf_shows_the_static_maps(maps_section: Any, tmp_path: Path) -> None:
    from ketenradar.reports.html import render_report
    from ketenradar.reports.pdf import render_pdf

    with use_language("en"):
        html = render_report("maps", "", "", [maps_section], "en")
        pdf = tmp_path / "maps.pdf"
        pdf.write_bytes(render_pdf(html))
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Where the materials come from" in text
    for panel in ("Gallium · processing", "Lithium · mining", "Tungsten · processing"):
        assert panel in text, panel
    assert "no figure in the data" in text and "50% or more" in text
    assert "Not drawn (too small for a world map at 1:110m)" in text
