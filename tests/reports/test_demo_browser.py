"""The demo report in a real headless Chromium: it renders offline and its content is visible."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar import refdata
from tests.helpers.browser import chromium
from tests.helpers.report import CHARTS_PER_SECTION


@pytest.fixture(scope="module")
def page(demo_report_en: Path):
    with chromium() as browser:
        context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(demo_report_en.as_uri())
        page.wait_for_load_state("load")
        # The interactive charts are drawn by Plotly after the page has loaded.
        page.wait_for_function(
            "document.querySelectorAll('figure.chart-drawn').length"
            " === document.querySelectorAll('.chart-interactive').length",
            timeout=60_000,
        )
        page.errors = errors  # type: ignore[attr-defined]
        page.requests = requests  # type: ignore[attr-defined]
        yield page


def test_f01_report_renders_offline_without_errors_or_requests(page) -> None:
    assert page.errors == []
    assert all(url.startswith("file://") for url in page.requests)
    assert page.title() == "ketenradar — critical raw materials for defence"


def test_f01_charts_and_tables_are_visible(page) -> None:
    # The static drawings (Plotly draws its own SVGs inside .chart-interactive, and one outside
    # any figure to measure text).
    static = "figure > svg, figure > .chart-static > svg"
    for name, charts in CHARTS_PER_SECTION.items():
        assert page.locator(f"#{name}").locator(static).count() == charts, name
    figures = page.locator("figure")
    assert figures.count() == page.locator(static).count()  # one chart per figure
    for i in range(figures.count()):
        # The chart on screen: the Plotly drawing where there is one, else the static SVG.
        shown = figures.nth(i).locator(".chart-interactive, :scope > svg").first
        box = shown.bounding_box()
        # Large enough to read (the last grid of small maps holds one material: two maps side by side).
        assert box is not None and box["width"] > 400 and box["height"] > 200
    rows = page.locator("#materials table tbody tr")
    assert rows.count() == 34
    assert rows.first.locator("td").first.inner_text() == "Heavy rare earth elements"


def test_f01_navigation_jumps_to_the_countries_section(page, material_overview, country_overview) -> None:
    page.locator("nav a[href='#countries']").click()
    assert page.evaluate("location.hash") == "#countries"
    assert page.locator("#countries table tbody tr").count() == 20
    first = page.locator("#countries table tbody tr").first.locator("td")
    top = first.nth(10).inner_text()
    assert 0 < float(top) <= 1
    # The riskiest supplying country, by hand: countries with ≥ 1 % of EC 2023 global supply of a
    # listed material (or of a group's member element), the highest composite risk among them.
    shares = refdata.load_supply_shares().frame
    listed = set(material_overview.catalogue)
    listed |= {m for material in material_overview.catalogue.values() for m in material.members}
    supply = shares[(shares["scope"] == "gs") & shares["material"].isin(listed) & (shares["share"] >= 0.01)]
    composite = country_overview.countries.loc[sorted(set(supply["country"])), "composite_risk"]
    assert first.nth(0).inner_text() == composite.idxmax()
    assert top == f"{composite.max():.2f}"
