"""One error shape for every error, the right status per family, and messages in the request's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ketenradar.api.app import language_of
from ketenradar.api.errors import STATUS, status_of
from ketenradar.cli import cli
from ketenradar.errors import ChainNotFound, InputFileError, KetenradarError, NotFound, Problem
from ketenradar.locale import translate, use_language
from tests.api.support import DEMO_SCENARIO, TestClient, error_of


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", "/api/v1/chains/nope", None),
        ("GET", "/api/v1/chains/nope/exposure", None),
        ("GET", "/api/v1/chains/nope/outlook", None),
        ("POST", "/api/v1/scenarios/run", {"chain": "nope", "scenario": DEMO_SCENARIO}),
        ("POST", "/api/v1/scenarios/simulate", {"chain": "nope", "scenario": DEMO_SCENARIO}),
        ("POST", "/api/v1/scenarios/montecarlo", {"chain": "nope", "scenario": DEMO_SCENARIO}),
        ("POST", "/api/v1/measures/rank", {"chain": "nope", "scenario": DEMO_SCENARIO, "measures": {}}),
    ],
)
def test_unknown_chain_is_404_in_the_error_shape(
    client: TestClient, method: str, url: str, body: object
) -> None:
    error = error_of(client.request(method, url, json=body), 404, "not_found")
    assert error["message"] == str(ChainNotFound("nope"))
    assert error["details"] == {"name": "nope", "version": None}


def test_unknown_library_scenario_is_404_naming_the_library(client: TestClient) -> None:
    body = {"chain": "demo", "scenario": "no-such-scenario"}
    error = error_of(client.post("/api/v1/scenarios/run", json=body), 404, "not_found")
    assert "no-such-scenario" in error["message"] and DEMO_SCENARIO in error["message"]


@pytest.mark.parametrize("reference", ["../../etc/passwd", "/etc/hostname", "scenario.yaml"])
def test_a_scenario_text_never_reads_a_server_file(client: TestClient, reference: str) -> None:
    error = error_of(
        client.post("/api/v1/scenarios/run", json={"chain": "demo", "scenario": reference}), 404, "not_found"
    )
    assert error["details"]["name"] == reference


def test_unknown_job_path_and_method(client: TestClient) -> None:
    assert error_of(client.get("/api/v1/jobs/abc"), 404, "not_found")["details"] == {"job": "abc"}
    assert "/api/v1/nothing" in error_of(client.get("/api/v1/nothing"), 404, "not_found")["message"]
    error_of(client.delete("/api/v1/materials"), 405, "method_not_allowed")


def test_request_validation_names_each_field_in_the_readers_words(client: TestClient) -> None:
    body = {"chain": "demo", "scenario": DEMO_SCENARIO, "horizon_days": 0, "extra": 1}
    error = error_of(client.post("/api/v1/scenarios/simulate", json=body), 422, "invalid_request")
    fields = {f["field"]: f["message"] for f in error["details"]["fields"]}
    assert fields == {
        "body.horizon_days": "value out of range: must be ≥ 1",
        "body.extra": "Extra inputs are not permitted: the key is unknown (check its spelling)",
    }


def test_scenario_document_problems_are_the_cli_problems(
    client: TestClient, workspace: Path, tmp_path: Path
) -> None:
    document = {
        "name": "bad",
        "shocks": [{"countries": ["CHN", "XXX"], "severity": 2, "materials": ["unobtainium"]}],
    }
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(document))
    error = error_of(
        client.post("/api/v1/scenarios/run", json={"chain": "demo", "scenario": document}),
        422,
        "invalid_input",
    )
    result = CliRunner().invoke(
        cli, ["scenario", "run", str(path), "--chain", "demo", "--workspace", str(workspace)]
    )
    assert result.exit_code == 1
    cli_lines = [line.strip()[2:] for line in result.stderr.splitlines() if line.strip().startswith("- ")]
    texts = [p["text"] for p in error["details"]["problems"]]
    assert len(texts) == 3 and texts == [line.replace(str(path), "scenario") for line in cli_lines]


def test_measures_document_problems_name_the_measures(client: TestClient) -> None:
    body = {
        "chain": "demo",
        "scenario": DEMO_SCENARIO,
        "measures": {"measures": [{"id": "x", "kind": "fly"}]},
    }
    error = error_of(client.post("/api/v1/measures/rank", json=body), 422, "invalid_input")
    assert {p["file"] for p in error["details"]["problems"]} == {"measures"}


def test_dutch_messages_with_accept_language_and_lang(client: TestClient) -> None:
    with use_language("nl"):
        expected = str(ChainNotFound("nope"))
    assert expected != str(ChainNotFound("nope"))  # the catalogue has it in Dutch
    by_header = client.get(
        "/api/v1/chains/nope/exposure", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"}
    )
    assert error_of(by_header, 404, "not_found")["message"] == expected
    by_query = client.get("/api/v1/chains/nope/exposure", params={"lang": "nl"})
    assert error_of(by_query, 404, "not_found")["message"] == expected
    english = client.get(
        "/api/v1/chains/nope/exposure", params={"lang": "en"}, headers={"Accept-Language": "nl"}
    )
    assert error_of(english, 404, "not_found")["message"] == str(ChainNotFound("nope"))


def test_dutch_validation_and_result_texts(client: TestClient) -> None:
    body = {"chain": "demo", "scenario": DEMO_SCENARIO, "horizon_days": 0}
    response = client.post("/api/v1/scenarios/simulate", json=body, headers={"Accept-Language": "nl"})
    (field,) = error_of(response, 422, "invalid_request")["details"]["fields"]
    assert field["message"] == translate("value out of range: must be ≥ {ge}", "nl").format(ge=1)
    run = client.post(
        "/api/v1/scenarios/run", json={"chain": "demo", "scenario": DEMO_SCENARIO}, params={"lang": "nl"}
    )
    from ketenradar.services.scenarios import BASELINE_RULE

    assert run.json()["rule"] == translate(BASELINE_RULE, "nl") != BASELINE_RULE


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        (b"", None, "en"),
        (b"", "nl", "nl"),
        (b"", "fr-FR, nl;q=0.5, en;q=0.4", "nl"),
        (b"", "en;q=0.9, nl", "nl"),
        (b"", "nl;q=0", "en"),
        (b"lang=nl", "en", "nl"),
        (b"lang=fr", "nl", "nl"),
        (b"lang=en", "nl", "en"),
    ],
)
def test_language_of_a_request(query: bytes, header: str | None, expected: str) -> None:
    assert language_of(query, header) == expected


def test_unexpected_error_is_a_logged_500_without_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import ketenradar.services.countries as countries

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(countries, "build_country_overview", broken)
    response = client.get("/api/v1/countries")
    error = error_of(response, 500, "internal_error")
    assert "secret internals" not in response.text
    assert error["details"] == {}
    assert any("secret internals" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_every_family_has_its_status() -> None:
    assert status_of(InputFileError([Problem(file="f", message="m")])) == (422, "invalid_input")
    assert status_of(NotFound("m", "n")) == (404, "not_found")
    assert status_of(KetenradarError("m")) == (400, "bad_request")
    assert status_of(ValueError("m")) == (500, "internal_error")
    assert {status for status, _code in STATUS.values()} <= {400, 401, 403, 404, 409, 413, 422, 429, 500}


def test_a_body_that_is_not_json_is_said_so(client: TestClient) -> None:
    response = client.post(
        "/api/v1/scenarios/run", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    error = error_of(response, 422, "invalid_request")
    assert [f["message"] for f in error["details"]["fields"]] == ["the request body is not valid JSON"]
