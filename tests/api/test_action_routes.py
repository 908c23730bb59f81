"""The measure catalogue and roadmap routes answer the CLI's JSON, and refuse bad files as it does."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from ketenradar.api import create_app
from ketenradar.cli import cli
from ketenradar.storage.sqlite import SqliteStore
from tests.api.support import DEMO_SCENARIO, TestClient, demo_measures, error_of

CliJson = Callable[..., Any]
DEMO_ROADMAP = Path(__file__).resolve().parents[2] / "src/ketenradar/demo_data/roadmap/military_ships.yaml"


def _ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_f21_measure_catalogue_equals_the_cli(client: TestClient, cli_json: CliJson) -> None:
    api = _ok(client.get("/api/v1/measures"))
    assert api == cli_json("measures", "list")
    # The report's 26 priority measures; O01 is a government measure the report does not rate.
    assert len(api["measures"]) == 26
    first = api["measures"][0]
    assert (first["measure_id"], first["actor"], first["impact"], first["effort"]) == (
        "O01",
        "government",
        None,
        None,
    )


def test_f21_measure_catalogue_in_dutch_equals_the_cli_in_dutch(client: TestClient) -> None:
    api = _ok(client.get("/api/v1/measures", params={"lang": "nl"}))
    assert api == _cli("--lang", "nl", "measures", "list")
    labels = {t["type"]: t["label"] for t in api["measure_types"]}
    # Keys and codes stay English; only the words of the labels follow the language.
    assert labels["stockpiling"] == "voorraadvorming"
    assert api["measures"][0]["type"] == "country_partnerships"


def test_f21_roadmap_show_equals_the_cli(client: TestClient, tmp_path: Path) -> None:
    text = DEMO_ROADMAP.read_text(encoding="utf-8")
    file = tmp_path / "ships.yaml"
    file.write_bytes(text.encode("utf-8"))
    api = _ok(client.post("/api/v1/roadmaps/show", json={"roadmap": text, "name": "ships.yaml"}))
    cli_document = _cli("roadmap", "show", str(file))
    api_inputs, cli_inputs = api["provenance"].pop("inputs"), cli_document["provenance"].pop("inputs")
    assert api == cli_document
    # The same bytes: the same checksum; the request's file is recorded as coming from the request.
    (record,) = api_inputs
    (expected,) = cli_inputs
    assert record == {**expected, "source": "request"}
    assert record["name"] == "military ships"
    assert "ketenradar-request" not in json.dumps(api)
    # Hand-counted in the file: 7 milestones, all planned; no interventions.
    assert api["progress"]["milestones"] == {
        "planned": 7,
        "in_progress": 0,
        "done": 0,
        "dropped": 0,
        "share_done": 0.0,
    }
    assert api["progress"]["interventions"]["share_done"] is None


def test_f21_roadmap_document_shows_the_same_roadmap_as_its_text(client: TestClient) -> None:
    text = DEMO_ROADMAP.read_text(encoding="utf-8").replace("  status: planned\n", "  status: done\n", 2)
    from_text = _ok(client.post("/api/v1/roadmaps/show", json={"roadmap": text}))
    from_document = _ok(client.post("/api/v1/roadmaps/show", json={"roadmap": yaml.safe_load(text)}))
    assert from_document["roadmap"] == from_text["roadmap"]
    assert from_document["progress"] == from_text["progress"]
    # 2 of 7 milestones done.
    assert from_text["progress"]["overall"]["done"] == 2
    assert from_text["progress"]["overall"]["share_done"] == pytest.approx(2 / 7)


def test_f21_roadmap_named_json_is_read_as_json(client: TestClient) -> None:
    document = yaml.safe_load(DEMO_ROADMAP.read_text(encoding="utf-8"))
    text = json.dumps(document)
    api = _ok(client.post("/api/v1/roadmaps/show", json={"roadmap": text, "name": "ships.json"}))
    assert api["roadmap"]["product_group"] == "military ships"
    refused = client.post("/api/v1/roadmaps/show", json={"roadmap": "product_group: x\n", "name": "x.json"})
    (problem,) = error_of(refused, 422, "invalid_input")["details"]["problems"]
    assert problem["file"] == "x.json" and "JSON" in problem["message"]


def test_f21_bad_roadmap_gets_every_problem_located_in_the_clients_file(client: TestClient) -> None:
    text = (
        DEMO_ROADMAP.read_text(encoding="utf-8")
        .replace("  status: planned\n", "  status: finished\n", 1)
        .replace("  - companies\n", "  - firms\n", 1)
    )
    response = client.post(
        "/api/v1/roadmaps/show", params={"lang": "nl"}, json={"roadmap": text, "name": "../work/ships.yaml"}
    )
    problems = error_of(response, 422, "invalid_input")["details"]["problems"]
    # Both at once, each naming the client's file (without its folders) and its place.
    assert [p["file"] for p in problems] == ["ships.yaml", "ships.yaml"]
    columns = sorted(p["column"] for p in problems)
    assert columns == ["milestones, 1 (m-scope), owners", "milestones, 1 (m-scope), status"]
    by_column = {p["column"].rsplit(", ", 1)[1]: p for p in problems}
    assert by_column["status"]["value"] == "finished"
    assert "firms" in by_column["owners"]["message"]
    assert all(p["text"].startswith("ships.yaml, kolom") for p in problems)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"roadmap": "x", "path": "/etc/passwd"}, "body.path"),
        ({}, "body.roadmap"),
        ({"roadmap": 3}, "body.roadmap"),
    ],
)
def test_f21_roadmap_request_is_checked_at_the_edge(client: TestClient, body: Any, field: str) -> None:
    error = error_of(client.post("/api/v1/roadmaps/show", json=body), 422, "invalid_request")
    # A union (text or document) names each alternative it tried: body.roadmap.str, ...
    assert any(f["field"].startswith(field) for f in error["details"]["fields"])


def test_f21_roadmap_text_that_is_not_utf8_is_refused_by_the_reader(client: TestClient) -> None:
    response = client.post(
        "/api/v1/roadmaps/show",
        content=b'{"roadmap": "\\ud800"}',
        headers={"content-type": "application/json"},
    )
    (problem,) = error_of(response, 422, "invalid_input")["details"]["problems"]
    assert problem["file"] == "roadmap.yaml" and "UTF-8" in problem["message"]


def test_f21_roadmap_larger_than_the_upload_limit_is_refused(workspace: Path) -> None:
    app = create_app(SqliteStore(workspace), max_upload_bytes=1000)
    text = DEMO_ROADMAP.read_text(encoding="utf-8") * 40
    with TestClient(app) as small:
        response = small.post("/api/v1/roadmaps/show", json={"roadmap": text})
    error_of(response, 413, "too_large")


def _draft_cli(workspace: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli,
        ["roadmap", "draft", "--chain", "demo", "--workspace", str(workspace), *args],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_f21_roadmap_draft_gives_the_yaml_of_the_cli(client: TestClient, workspace: Path) -> None:
    body = {
        "chain": "demo",
        "product_group": "military ships",
        "platforms": ["frigate"],
        "scenario": DEMO_SCENARIO,
        "start": "2027-Q1",
    }
    api = _ok(client.post("/api/v1/roadmaps/draft", json=body))
    cli_yaml = _draft_cli(
        workspace,
        "--product-group",
        "military ships",
        "--platform",
        "frigate",
        "--scenario",
        DEMO_SCENARIO,
        "--start",
        "2027-Q1",
    )
    assert api["yaml"] == cli_yaml
    # The document is the YAML's, and it reads back through /show as the same roadmap.
    assert api["roadmap"] == yaml.safe_load(cli_yaml) | {"drafted": api["roadmap"]["drafted"]}
    shown = _ok(client.post("/api/v1/roadmaps/show", json={"roadmap": api["yaml"]}))
    assert shown["roadmap"] == api["roadmap"] and shown["progress"] == api["progress"]
    # Seven standard steps, one milestone each, the first due in the start quarter.
    assert api["roadmap"]["milestones"][0]["due"] == "2027-Q1"
    assert len(api["roadmap"]["milestones"]) == 7
    kinds = {r["kind"] for r in api["roadmap"]["risks"]}
    assert "scenario_availability" in kinds
    roles = [r["role"] for r in api["provenance"]["inputs"]]
    assert roles == ["chain", "scenario"]


def test_f21_roadmap_draft_takes_up_the_apis_ranking(client: TestClient) -> None:
    measures = yaml.safe_load(demo_measures().read_text(encoding="utf-8"))
    ranking = _ok(
        client.post(
            "/api/v1/measures/rank", json={"chain": "demo", "scenario": DEMO_SCENARIO, "measures": measures}
        )
    )
    body = {"chain": "demo", "product_group": "ships", "ranking": ranking, "start": "2027-Q1"}
    api = _ok(client.post("/api/v1/roadmaps/draft", json=body))
    interventions = api["roadmap"]["interventions"]
    assert [i["id"] for i in interventions] == [m["id"] for m in ranking["measures"]]
    assert [i["loss_avoided"] for i in interventions] == [m["loss_avoided"] for m in ranking["measures"]]
    (record,) = [r for r in api["provenance"]["inputs"] if r["role"] == "ranking"]
    assert record["source"] == "request" and len(record["sha256"]) == 64


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"chain": "demo", "product_group": "   "}, 422, "invalid_request"),
        ({"chain": "demo", "product_group": "x", "start": "2027-Q5"}, 422, "invalid_request"),
        ({"chain": "demo", "product_group": "x", "platforms": ["nope"]}, 422, "unknown_item"),
        ({"chain": "nope", "product_group": "x"}, 404, "not_found"),
        ({"chain": "demo", "product_group": "x", "ranking": {"measures": [{"x": 1}]}}, 422, "invalid_input"),
        ({"chain": "demo", "product_group": "x", "scenario": "no-such-scenario"}, 404, "not_found"),
    ],
)
def test_f21_roadmap_draft_refusals(client: TestClient, body: Any, status: int, code: str) -> None:
    error_of(client.post("/api/v1/roadmaps/draft", json=body), status, code)
