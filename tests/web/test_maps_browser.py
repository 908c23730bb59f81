"""The dashboard's maps and Sankey in Debian's Chromium: drawn by Plotly from this server alone.

The country, material and chain pages draw their Plotly charts with no console error, and every
request (plotly.js, the topology, the country shapes) goes to the server on loopback. Each page is
saved as a screenshot artefact (``test-artifacts/screenshots``, see tests/web/support.py).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.web.test_browser import Watched, browser, server, watched

__all__ = ["browser", "server", "watched"]  # the fixtures, shared with test_browser


def _loopback_only(watched: Watched, base: str) -> None:
    # No console error: plotly.js wrote no <style> element the policy (style-src 'self') refuses.
    assert watched.problems == []
    assert watched.requests and all(url.startswith(base + "/") for url in watched.requests), watched.requests


def _drawn(page: Any, selector: str) -> None:
    page.wait_for_selector(f"{selector}[data-drawn='yes']", timeout=30_000)


def test_f21_country_page_draws_a_world_map_with_the_country_outlined(server: str, watched: Watched) -> None:
    page = watched.page
    watched.open(server + "/countries/CHN?lang=nl")
    _drawn(page, "#country-map .plotly-chart")
    page.wait_for_load_state("networkidle")
    # The coloured countries: the figure's locations, one path each (China's largest share first).
    figure = json.loads(page.locator("#country-map-data").text_content() or "{}")
    shown = figure["data"][0]["locations"]
    assert "CHN" in shown
    assert page.locator("#country-map .choroplethlocation").count() == len(shown) + 1  # + the outline
    assert page.locator("#country-map .updatemenu-container").count() == 1
    # The page's own legend: five classes and "no figure", in place of Plotly's colour bar.
    assert page.locator("#country-map svg.map-legend rect").count() == 6
    assert page.locator("#country-map .colorbar").count() == 0
    _loopback_only(watched, server)


def test_f21_material_page_draws_a_map_per_stage(server: str, watched: Watched) -> None:
    page = watched.page
    watched.open(server + "/materials/gallium")
    # Gallium has shares at processing only (the EC lists no mining stage for it).
    _drawn(page, "#map-processing .plotly-chart")
    page.wait_for_load_state("networkidle")
    figure = json.loads(page.locator("#map-data-processing").text_content() or "{}")
    trace = figure["data"][0]
    # China 93.8 % of processing: the darkest class (4, at the middle of its step: 4.5).
    assert dict(zip(trace["locations"], trace["z"], strict=True))["CHN"] == 4.5
    paths = page.locator("#map-processing .choroplethlocation")
    assert paths.count() == len(trace["locations"])
    _loopback_only(watched, server)


def test_f21_chain_page_switches_between_tree_and_sankey(server: str, watched: Watched) -> None:
    page = watched.page
    watched.open(server + "/chains/demo")
    assert page.locator("#tree").is_visible() and not page.locator("#sankey").is_visible()
    page.click("#show-sankey")
    _drawn(page, "#sankey .plotly-chart")
    assert page.locator("#sankey").is_visible() and not page.locator("#tree").is_visible()
    assert page.locator("#show-sankey").get_attribute("aria-pressed") == "true"
    figure = json.loads(page.locator("#sankey-data").text_content() or "{}")
    nodes = figure["data"][0]["node"]["label"]
    assert page.locator("#sankey g.sankey-node").count() == len(nodes)
    # The frigate's flows are the exposure's quantity × share at processing (hand-checked sum in
    # tests/reports/test_sankey.py); here: every frigate link leaves the frigate node.
    links = figure["data"][0]["link"]
    frigate = nodes.index("frigate") if "frigate" in nodes else 0
    assert sum(v for s, v in zip(links["source"], links["value"], strict=True) if s == frigate) > 0
    page.wait_for_load_state("networkidle")
    page.click("#show-tree")
    assert page.locator("#tree").is_visible() and not page.locator("#sankey").is_visible()
    _loopback_only(watched, server)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/static/vendor/plotly.min.js", "javascript"),
        ("/static/vendor/world-110m.json", "json"),
        ("/static/vendor/countries.geojson", "geo+json"),
    ],
)
def test_f21_vendored_assets_are_served_locally(server: str, path: str, kind: str) -> None:
    response = httpx.get(server + path, timeout=30)
    assert response.status_code == 200
    assert kind in response.headers["content-type"]
    assert len(response.content) > 50_000


def test_f21_material_map_names_the_small_states_it_cannot_draw(server: str) -> None:
    # Aluminium, processing: Bahrain 1.9 % of global supply (EC 2023) has no shape at 1:110m.
    page = httpx.get(server + "/materials/aluminium", timeout=60).text
    caption = page[page.index('id="map-processing"') :]
    caption = caption[caption.index("<figcaption>") : caption.index("</figcaption>")]
    assert "Not drawn (too small for a world map at 1:110m): Bahrain 1.9%." in caption


@pytest.mark.parametrize("path", ["/countries/CHN", "/materials/gallium", "/chains/demo"])
def test_f21_chart_pages_keep_the_strict_content_security_policy(server: str, path: str) -> None:
    response = httpx.get(server + path, timeout=60)
    policy = response.headers["content-security-policy"]
    assert "style-src 'self';" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert (
        'id="plotly.js-style-global" class="no-inline-styles" href="/static/vendor/plotly.css"'
        in response.text
    )
