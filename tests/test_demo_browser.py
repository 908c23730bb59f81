"""The demo report in a real headless Chromium: it renders offline and its content is visible."""

from __future__ import annotations

import shutil

import pytest

from ketenradar.reports.demo import run_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    index = run_demo(tmp_path_factory.mktemp("browser") / "report")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(index.as_uri())
        page.wait_for_load_state("load")
        page.errors = errors  # type: ignore[attr-defined]
        page.requests = requests  # type: ignore[attr-defined]
        yield page
        browser.close()


def test_f01_report_renders_offline_without_errors_or_requests(page) -> None:
    assert page.errors == []
    assert all(url.startswith("file://") for url in page.requests)
    assert page.title() == "ketenradar — critical raw materials for defence"


def test_f01_charts_and_tables_are_visible(page) -> None:
    assert page.locator("figure svg").count() == 6
    for i in range(6):
        box = page.locator("figure svg").nth(i).bounding_box()
        assert box is not None and box["width"] > 400 and box["height"] > 250
    rows = page.locator("#materials table tbody tr")
    assert rows.count() == 34
    assert rows.first.locator("td").first.inner_text() == "Heavy rare earth elements"


def test_f01_navigation_jumps_to_the_countries_section(page) -> None:
    page.locator("nav a[href='#countries']").click()
    assert page.evaluate("location.hash") == "#countries"
    assert page.locator("#countries table tbody tr").count() == 20
    top = page.locator("#countries table tbody tr").first.locator("td").nth(10).inner_text()
    assert 0 < float(top) <= 1
