"""The measures and roadmap pages in-process: the API's numbers, Dutch, local assets, the document reader."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ketenradar.api import create_app
from ketenradar.locale import MISSING, translate, use_language
from ketenradar.mitigation.roadmap import STEP_TITLES
from ketenradar.storage import SqliteStore
from ketenradar.web.action_pages import RATING_WORDS, STEP_WORDS, client_name, plain_document
from ketenradar.web.pages import CONTENT_SECURITY_POLICY
from tests.api.support import DEMO_SCENARIO, TestClient, error_of
from tests.web.support import read_page

PAGES = ["/measures", "/roadmaps", "/measures?lang=nl", "/roadmaps?lang=nl"]


def _config(html: str, element_id: str = "dashboard-config") -> Any:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert found is not None, element_id
    return json.loads(found.group(1))


@pytest.mark.parametrize("path", PAGES)
def test_f21_action_pages_answer_html_with_only_local_assets(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page = read_page(response.text)
    assert page.lang == ("nl" if "lang=nl" in path else "en")
    assert "/static/documents.js" in page.assets
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", response.text)
    for asset in page.assets:
        assert client.get(asset).status_code == 200, asset


@pytest.mark.parametrize("path", ["/", "/chains", "/scenarios", "/measures", "/roadmaps"])
def test_f21_every_page_links_to_the_action_pages_keeping_the_language(client: TestClient, path: str) -> None:
    page = read_page(client.get(path, params={"lang": "nl"}).text)
    assert "/measures?lang=nl" in page.links and "/roadmaps?lang=nl" in page.links


def _cell(value: Any) -> str:
    return MISSING if value is None else str(value)


def test_f21_measures_page_shows_the_apis_catalogue(client: TestClient) -> None:
    api = client.get("/api/v1/measures").json()
    page = read_page(client.get("/measures").text)
    rows = page.rows["catalogue-table"]
    assert rows[0] == [
        "id",
        "actor",
        "type",
        "measure",
        "impact",
        "time horizon",
        "investment",
        "complexity",
        "effort",
    ]
    assert len(rows) == 1 + len(api["measures"]) == 27
    labels = {t["type"]: t["label"] for t in api["measure_types"]}
    expected = [
        [
            m["measure_id"],
            m["actor"],
            labels[m["type"]],
            m["measure"],
            _cell(m["impact"]),
            _cell(m["time_horizon"]),
            _cell(m["investment"]),
            _cell(m["complexity"]),
            MISSING if m["effort"] is None else str(int(m["effort"])),
        ]
        for m in api["measures"]
    ]
    assert rows[1:] == expected
    # Effort = investment + complexity, by hand for every rated measure (low 1, medium 2, high 3).
    score = {"low": 1, "medium": 2, "high": 3}
    for row in rows[1:]:
        if row[6] != MISSING:
            assert int(row[8]) == score[row[6]] + score[row[7]]
    taken = page.rows["taken-table"]
    assert taken[1:] == [[str(t["rank"]), t["measure"], f"{t['pct_companies']}%"] for t in api["taken"]]


def test_f21_measures_page_in_dutch(client: TestClient) -> None:
    api = client.get("/api/v1/measures", params={"lang": "nl"}).json()
    page = read_page(client.get("/measures", params={"lang": "nl"}).text)
    rows = page.rows["catalogue-table"]
    assert rows[0][:4] == ["id", "actor", "soort", "maatregel"]
    first = api["measures"][0]
    assert rows[1][:4] == ["O01", "overheid", "landensamenwerking", first["measure_nl"]]
    rated = next(r for r in rows[1:] if r[4] != MISSING)
    with use_language("nl"):
        words = {translate(w) for w in RATING_WORDS.values()}
    assert {rated[4], rated[6], rated[7]} <= words
    assert page.rows["taken-table"][0] == ["rang", "maatregel", "% van de bedrijven"]


def test_f21_measures_form_offers_stored_chains_and_the_library(client: TestClient) -> None:
    html = client.get("/measures", params={"chain": "demo"}).text
    assert '<option value="demo" selected>' in html
    assert f'<option value="{DEMO_SCENARIO}">' in html
    for element_id in ("measures-file", "measures-text", "scenario-file", "source-own", "draws", "seed"):
        assert f'id="{element_id}"' in html
    config = _config(html)
    assert config["lang"] == "en" and config["decimal"] == "." and config["missing"] == MISSING
    dutch = _config(client.get("/measures", params={"lang": "nl"}).text)
    assert dutch["decimal"] == "," and dutch["texts"]["rank"] == "rang"


def test_f21_measures_page_without_chains_says_how_to_store_one(tmp_path: Path) -> None:
    with TestClient(create_app(SqliteStore(tmp_path / "empty.sqlite"))) as empty:
        html = empty.get("/measures").text
    assert 'id="measures-form"' not in html
    assert "ketenradar chain import" in read_page(html).plain
    assert len(read_page(html).rows["catalogue-table"]) == 27


def test_f21_roadmap_page_words_follow_the_language(client: TestClient) -> None:
    config = _config(client.get("/roadmaps", params={"lang": "nl"}).text)
    texts = config["texts"]
    assert texts["statuses"] == {
        "planned": "gepland",
        "in_progress": "in uitvoering",
        "done": "gereed",
        "dropped": "vervallen",
    }
    assert texts["owner_types"]["knowledge_institutes"] == "kennisinstellingen"
    assert texts["step_titles"]["interventions"] == "Interventies"
    english = _config(client.get("/roadmaps").text)["texts"]
    assert english["statuses"]["in_progress"] == "in progress"
    assert "{group}" in english["heading"] and "{chain}" in english["heading"]


def test_f21_scenario_runner_offers_a_scenario_file_of_ones_own(client: TestClient) -> None:
    html = client.get("/scenarios").text
    for element_id in ("source-library", "source-own", "scenario-file", "scenario-text", "scenario"):
        assert f'id="{element_id}"' in html
    assert _config(html, "document-config")["texts"]["refused"]
    page = read_page(html)
    assert page.assets.index("/static/documents.js") < page.assets.index("/static/scenarios.js")


def test_f21_document_reader_gives_a_yaml_files_document(client: TestClient) -> None:
    text = "name: x\nstarts: 2026-03-01\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n"
    answer = client.post("/dashboard/document", json={"name": "s.yaml", "text": text})
    assert answer.status_code == 200
    assert answer.json() == {
        "document": {
            "name": "x",
            "starts": "2026-03-01",
            "shocks": [{"countries": ["CHN"], "severity": 0.5}],
        }
    }


def test_f21_document_reader_refuses_with_located_translated_problems(client: TestClient) -> None:
    response = client.post(
        "/dashboard/document",
        params={"lang": "nl"},
        json={"name": "C:\\temp\\mijn.yaml", "text": "name: x\nname: y\nshocks: []\n"},
    )
    (problem,) = error_of(response, 422, "invalid_input")["details"]["problems"]
    assert (problem["file"], problem["row"], problem["column"]) == ("mijn.yaml", 2, "name")
    assert "twee keer" in problem["message"]
    bad_json = client.post("/dashboard/document", json={"name": "m.json", "text": '{"measures": [}'})
    (problem,) = error_of(bad_json, 422, "invalid_input")["details"]["problems"]
    assert problem["file"] == "m.json" and problem["row"] == 1


def test_f21_document_reader_keeps_non_finite_numbers_as_text() -> None:
    # So the reader of the file's kind refuses them by name rather than JSON failing.
    assert plain_document({"a": [float("nan"), float("inf"), 1.5]}) == {"a": ["nan", "inf", 1.5]}


def test_f21_step_titles_are_the_roadmap_methods() -> None:
    assert STEP_WORDS == STEP_TITLES


@pytest.mark.parametrize(
    ("given", "expected"),
    [("../../etc/x.yaml", "x.yaml"), ("C:\\Users\\a\\m.json", "m.json"), ("", "document"), ("/", "document")],
)
def test_f21_a_files_name_keeps_no_folders(given: str, expected: str) -> None:
    assert client_name(given) == expected


def test_f21_roadmap_page_offers_a_draft_from_the_stored_chains(client: TestClient, tmp_path: Path) -> None:
    html = client.get("/roadmaps", params={"chain": "demo"}).text
    assert 'id="draft-form"' in html and '<option value="demo" selected>' in html
    assert f'<option value="{DEMO_SCENARIO}">' in html
    with TestClient(create_app(SqliteStore(tmp_path / "empty.sqlite"))) as empty:
        bare = empty.get("/roadmaps").text
    # Without a stored chain there is nothing to draft from; a file can still be shown.
    assert 'id="draft-form"' not in bare and 'id="roadmap-form"' in bare
