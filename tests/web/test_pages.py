"""The dashboard's pages in-process: status, content with the API's numbers, Dutch, errors, local assets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ketenradar.locale import translate
from ketenradar.web.pages import CONTENT_SECURITY_POLICY
from tests.api.support import DEMO_SCENARIO, TestClient
from tests.web.support import read_page

PAGES = ["/", "/materials/gallium", "/countries/CHN", "/chains", "/chains/demo", "/scenarios"]


@pytest.mark.parametrize("path", PAGES)
def test_f21_every_page_answers_html_with_only_local_assets(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page = read_page(response.text)
    assert page.lang == "en"
    assert page.assets and all(a.startswith("/static/") for a in page.assets), page.assets
    # No page names another site: every link and asset is a path on this server.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", response.text)
    for asset in page.assets:
        assert client.get(asset).status_code == 200, asset


def test_f21_overview_shows_the_apis_key_numbers(client: TestClient) -> None:
    api = client.get("/api/v1/materials").json()["materials"]
    page = read_page(client.get("/").text)
    strategic = sum(1 for m in api if m["flags"]["eu_2023_strategic"])
    cards = page.plain.split("Key numbers", 1)[1]
    assert f"34 materials on the EU list (2023) {strategic} of which strategic 1 stored chains" in cards
    assert len(page.rows["eu-list"]) == 1 + 34
    # The most concentrated supply, found by hand in the API's document: the largest one-country share.
    largest = max(
        (stage["largest_share"], m["names"]["en"], name)
        for m in api
        for name, stage in m["stages"].items()
        if stage["largest_share"] is not None
    )
    first = page.rows["concentrated"][1]
    assert first[0] == largest[1]
    assert first[1] == largest[2]
    assert first[3] == f"{largest[0] * 100:.1f}%"
    assert len(page.rows["concentrated"]) == 1 + 10
    assert "/chains/demo" in page.links


def test_f21_material_page_shows_scores_flags_and_country_shares(client: TestClient) -> None:
    html = client.get("/materials/gallium").text
    page = read_page(html)
    scores = page.rows["scores"]
    # EC 2023: gallium SR 3.9 (published), 3.80 recomputed; EI 3.7 published.
    assert scores[1][:2] == ["Supply risk (SR)", "3.9"] and scores[1][2] == "3.80"
    assert scores[2][:2] == ["Economic importance (EI)", "3.7"]
    assert "EU strategic raw material (2023) yes" in page.plain
    shares = page.rows["stage-processing"]
    assert shares[0] == ["Country", "Share of global supply", "Share of EU sourcing"]
    # EC 2023 Annex 7: processing, China 93.8 % of global supply and 69 % of EU sourcing.
    assert shares[1] == ["China", "93.8%", "69.0%"]
    # Six countries have a share of global supply; the chart has one bar each, China's 0.938 × 360.
    assert html.count('class="bar"') == 6
    assert 'width="337.7"' in html


def test_f21_material_page_in_dutch(client: TestClient) -> None:
    for response in (
        client.get("/materials/gallium?lang=nl"),
        client.get("/materials/gallium", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"}),
    ):
        page = read_page(response.text)
        assert page.lang == "nl"
        assert page.rows["scores"][1][2] == "3,80"
        assert page.rows["stage-processing"][1] == ["China", "93,8%", "69,0%"]
        assert translate("Scores", "nl") in page.plain
        assert "Oekraïne" in page.plain  # country names in Dutch
    # Links keep the language that was asked for in the query.
    assert "/countries/CHN?lang=nl" in read_page(client.get("/materials/gallium?lang=nl").text).links


def test_f21_country_page_shows_risk_and_supplied_materials(client: TestClient) -> None:
    api = {c["iso3"]: c for c in client.get("/api/v1/countries").json()["countries"]}
    page = read_page(client.get("/countries/chn").text)
    assert f"{api['CHN']['composite_risk']:.2f}" in page.plain
    supplies = page.rows["supplies"]
    assert ["Gallium", "processing", "93.8%"] in supplies
    dutch = read_page(client.get("/countries/CHN?lang=nl").text)
    assert f"{api['CHN']['composite_risk']:.2f}".replace(".", ",") in dutch.plain
    assert ["Gallium", "verwerking", "93,8%"] in dutch.rows["supplies"]


def test_f21_chain_pages_show_the_tree_with_country_shares(client: TestClient) -> None:
    listing = read_page(client.get("/chains").text)
    assert listing.rows["chain-list"][1][:2] == ["demo", "1"]
    # Items, bom rows and sourcing rows of the demo chain (45, 61, 49), not a dict's method.
    assert listing.rows["chain-list"][1][3:] == ["45", "61", "49"]
    html = client.get("/chains/demo").text
    page = read_page(html)
    assert html.count('data-item="frigate"') == 1 and html.count('data-item="fighter"') == 1
    # The demo chain sources gallium's processing itself: 90 % China, 10 % Japan.
    assert "processing: CHN 90%, JPN 10% (chain)" in page.plain
    assert ["platform", "2"] in page.rows["kinds"]
    assert "/scenarios?chain=demo" in page.links


def test_f21_scenario_page_offers_the_library_and_the_chains(client: TestClient) -> None:
    html = client.get("/scenarios?lang=nl").text
    assert f'<option value="{DEMO_SCENARIO}">' in html
    assert '<option value="demo">' in html
    config = json.loads(re.search(r'id="dashboard-config">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert config["lang"] == "nl" and config["decimal"] == "," and config["group"] == "\u202f"
    assert config["texts"]["availability"] == translate("Availability", "nl")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/materials/unobtainium", "unobtainium"),
        ("/countries/XXX", "XXX"),
        ("/chains/nope", "nope"),
    ],
)
def test_f21_unknown_ids_answer_an_html_404(client: TestClient, path: str, words: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert words in read_page(response.text).plain


def test_f21_the_api_keeps_its_json_errors_beside_the_pages(client: TestClient) -> None:
    response = client.get("/api/v1/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert all(not path.startswith("/materials") for path in client.get("/openapi.json").json()["paths"])


def test_f21_an_empty_workspace_says_no_chain_is_stored(tmp_path: Path) -> None:
    from ketenradar.api import create_app
    from ketenradar.storage import SqliteStore

    with TestClient(create_app(SqliteStore(tmp_path / "empty.sqlite"))) as empty:
        for path in ("/", "/chains", "/scenarios"):
            response = empty.get(path)
            assert response.status_code == 200
            assert "No chain is stored yet" in read_page(response.text).plain


def test_f21_every_material_and_country_has_a_page(client: TestClient) -> None:
    materials = client.get("/api/v1/materials?all=true").json()["materials"]
    countries = client.get("/api/v1/countries").json()["countries"]
    for path in [f"/materials/{m['id']}" for m in materials] + [f"/countries/{c['iso3']}" for c in countries]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "nan" not in read_page(response.text).plain.lower().split(), path
