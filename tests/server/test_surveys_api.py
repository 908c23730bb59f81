"""Questionnaires on the server: submit, list, a company's own summary, and the analysts' aggregate."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from ketenradar.cli import cli
from ketenradar.ingest.workbook_writer import write_sheets
from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.server.routes import AGGREGATE_INTERVAL, combined_survey
from ketenradar.services.survey import DisclosureRules, summarise_survey
from ketenradar.services.synth import synthetic_survey
from ketenradar.storage.server import ServerStore
from tests.api.support import TestClient, error_of
from tests.server.conftest import Clock, login


def _answers(tmp_path: Path, companies: int, seed: int, name: str = "answers.json") -> Path:
    survey = synthetic_survey(companies, seed=seed)
    return write_sheets({sheet: getattr(survey, sheet) for sheet in SURVEY_SHEETS}, tmp_path / name)


def _submit(client: TestClient, headers: dict[str, str], path: Path, name: str | None = None) -> Any:
    data = {"name": name} if name is not None else None
    return client.post(
        "/api/v1/surveys", headers=headers, files={"file": (path.name, path.read_bytes())}, data=data
    )


def test_a_company_submits_lists_and_reads_its_own_summary(client: TestClient, tmp_path: Path) -> None:
    headers = login(client, "alice")
    path = _answers(tmp_path, 40, seed=5)
    first = _submit(client, headers, path)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "id": "answers",
        "name": "answers",
        "version": 1,
        "companies": 40,
        "source": "answers.json",
    }
    assert _submit(client, headers, path).json()["version"] == 2
    listing = client.get("/api/v1/surveys", headers=headers).json()
    assert listing == {"surveys": [{"name": "answers", "versions": [1, 2]}]}
    summary = client.get("/api/v1/surveys/answers", headers=headers)
    assert summary.status_code == 200
    document = summary.json()
    # The same tables as `ketenradar survey summary` of the same answers stored in a workspace.
    workspace = tmp_path / "workspace.sqlite"
    runner = CliRunner()
    for _version in (1, 2):
        imported = runner.invoke(cli, ["survey", "import", str(path), "--workspace", str(workspace)])
        assert imported.exit_code == 0, imported.output
    result = runner.invoke(
        cli, ["survey", "summary", "answers", "--workspace", str(workspace), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    expected = json.loads(result.stdout)
    assert document["respondents"] == expected["respondents"] == 40
    assert document["tables"] == expected["tables"]
    assert document["release_check"] == expected["release_check"]
    assert document["disclosure_control"] == expected["disclosure_control"]


def test_refused_answers_name_the_file_and_store_nothing(client: TestClient, tmp_path: Path) -> None:
    headers = login(client, "alice")
    survey = synthetic_survey(10, seed=1)
    companies = survey.companies.astype(object)
    companies.loc[0, "fte"] = "many"
    companies.loc[1, "domain"] = "space"
    path = write_sheets(
        {**{s: getattr(survey, s) for s in SURVEY_SHEETS}, "companies": companies}, tmp_path / "bad.json"
    )
    response = _submit(client, headers, path)
    error = error_of(response, 422, "invalid_input")
    problems = error["details"]["problems"]
    assert {p["file"] for p in problems} == {"bad.json"}
    assert {(p["sheet"], p["column"]) for p in problems} >= {("companies", "fte"), ("companies", "domain")}
    assert client.get("/api/v1/surveys", headers=headers).json() == {"surveys": []}


def test_a_survey_name_is_never_taken_for_a_file_on_the_server(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = login(client, "alice")
    monkeypatch.chdir(tmp_path)
    _answers(tmp_path, 20, seed=2, name="answers.json")  # a file in the server's working folder
    response = client.get("/api/v1/surveys/answers.json", headers=headers)
    error = error_of(response, 404, "not_found")
    assert "answers.json" in error["message"]


def test_a_wrong_file_type_is_refused(client: TestClient) -> None:
    headers = login(client, "alice")
    response = client.post("/api/v1/surveys", headers=headers, files={"file": ("answers.csv", b"company\n")})
    error_of(response, 400, "unsupported_file")


def test_combined_answers_keep_companies_of_different_organisations_apart() -> None:
    first = synthetic_survey(12, seed=1)
    second = synthetic_survey(8, seed=2)
    combined = combined_survey([("acme", first), ("bolt", second)])
    assert len(combined.companies) == 20
    assert combined.companies["company"].is_unique
    assert combined.companies["company"].iloc[0] == "acme/" + first.companies["company"].iloc[0]
    assert combined.companies["company"].iloc[12] == "bolt/" + second.companies["company"].iloc[0]
    for sheet in ("materials", "areas", "measures"):
        frame: pd.DataFrame = getattr(combined, sheet)
        assert len(frame) == len(getattr(first, sheet)) + len(getattr(second, sheet))
        assert set(frame["company"]) <= set(combined.companies["company"])
    assert combined.synthetic


def test_the_aggregate_counts_every_organisations_latest_answers(
    client: TestClient, accounts: ServerStore, tmp_path: Path
) -> None:
    alice, bob, ana = (login(client, name) for name in ("alice", "bob", "ana"))
    assert (
        _submit(client, alice, _answers(tmp_path, 10, seed=1, name="a1.json"), "answers").status_code == 201
    )
    # alice's second version replaces her first in the aggregate: 25 + 30, not 10 + 25 + 30.
    assert (
        _submit(client, alice, _answers(tmp_path, 25, seed=2, name="a2.json"), "answers").status_code == 201
    )
    assert _submit(client, bob, _answers(tmp_path, 30, seed=2, name="b.json"), "answers").status_code == 201
    # bob's answers again under another name: one organisation's newest answers count, once.
    assert _submit(client, bob, _answers(tmp_path, 30, seed=2, name="b.json"), "again").status_code == 201
    response = client.get("/api/v1/surveys/aggregate", headers=ana)
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["respondents"] == 55
    assert document["organisations"] == 2
    # The same tables as the disclosure-controlled summary of the combined answers.
    latest: list[tuple[str, Survey]] = accounts.latest_surveys()
    expected = summarise_survey(combined_survey(latest), DisclosureRules()).to_json()
    assert document["tables"] == json.loads(json.dumps(expected["tables"]))
    assert document["disclosure_control"]["min_companies"] == DisclosureRules().min_companies
    # Nothing names an organisation's survey or company.
    assert "acme/" not in response.text and "bolt/" not in response.text


def test_the_aggregate_with_no_answers_says_so(client: TestClient) -> None:
    error = error_of(client.get("/api/v1/surveys/aggregate", headers=login(client, "ana")), 404, "not_found")
    assert "no organisation" in error["message"]


def test_the_name_of_the_analysts_route_is_not_a_survey_name(client: TestClient, tmp_path: Path) -> None:
    headers = login(client, "alice")
    error = error_of(
        _submit(client, headers, _answers(tmp_path, 10, seed=1), "aggregate"), 422, "invalid_name"
    )
    assert "aggregate" in error["message"]
    assert client.get("/api/v1/surveys", headers=headers).json() == {"surveys": []}


def test_two_reads_around_one_companys_submission_do_not_tell_its_answers(
    client: TestClient, clock: Clock, tmp_path: Path
) -> None:
    """The reviewer's attack: bob's 30 companies, an aggregate, then alice's one company, an aggregate.

    Without a release check the published counts differ by exactly alice's answers. Checked
    against the release before her submission, every cell her one company changes is suppressed.
    """
    alice, bob, ana = (login(client, name) for name in ("alice", "bob", "ana"))
    assert _submit(client, bob, _answers(tmp_path, 30, seed=2, name="b.json"), "answers").status_code == 201
    before = client.get("/api/v1/surveys/aggregate", headers=ana).json()
    assert _submit(client, alice, _answers(tmp_path, 1, seed=7, name="a.json"), "answers").status_code == 201
    # Within the release interval the same release is served; after it, a new one.
    assert client.get("/api/v1/surveys/aggregate", headers=ana).json() == before
    clock.advance(AGGREGATE_INTERVAL + timedelta(seconds=1))
    after = client.get("/api/v1/surveys/aggregate", headers=ana).json()
    assert (before["respondents"], after["respondents"]) == (30, 31)

    def published(document: dict[str, Any]) -> dict[tuple[str, str, str], int]:
        return {
            (table["name"], cell["row"], cell["col"]): cell["companies"]
            for table in document["tables"]
            if not table["withheld"]
            for cell in table["cells"]
            if not cell["suppressed"] and cell["companies"] is not None
        }

    old, new = published(before), published(after)
    both = old.keys() & new.keys()
    assert both  # the totals and unchanged cells are still published
    # A published count never moves by fewer than min_companies (3) between the two releases, but
    # the grand totals: the number of respondents is published (30, then 31) and says no answer.
    moved = {
        key: new[key] - old[key]
        for key in both
        if 0 < abs(new[key] - old[key]) < 3 and key[1:] != ("total", "total")
    }
    assert moved == {}
