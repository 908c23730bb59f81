"""Every read and run route answers the same JSON document as the command line for the same input."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ketenradar.model.chain import Chain
from ketenradar.services.materials import defence_catalogue
from ketenradar.services.scenarios import load_scenario
from ketenradar.services.simulation import montecarlo_on_chain
from ketenradar.storage.sqlite import SqliteStore
from tests.api.support import DEMO_SCENARIO, TestClient, demo_measures

CliJson = Callable[..., Any]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def test_materials_equal_the_cli(client: TestClient, cli_json: CliJson) -> None:
    api = _ok(client.get("/api/v1/materials"))
    assert api == cli_json("materials", workspace_option=False)
    assert len(api["materials"]) == 34  # the EU list entries


def test_all_materials_equal_the_cli_with_all(client: TestClient, cli_json: CliJson) -> None:
    api = _ok(client.get("/api/v1/materials", params={"all": "true"}))
    assert api == cli_json("materials", "--all", workspace_option=False)
    assert len(api["materials"]) > 34


def test_countries_equal_the_cli(client: TestClient, cli_json: CliJson) -> None:
    assert _ok(client.get("/api/v1/countries")) == cli_json("countries", workspace_option=False)


def test_chain_list_and_show_equal_the_cli(client: TestClient, cli_json: CliJson, demo_chain: Chain) -> None:
    listing = _ok(client.get("/api/v1/chains"))
    assert listing == cli_json("chain", "list")
    assert [(c["name"], c["version"], c["n_items"]) for c in listing["chains"]] == [
        ("demo", 1, len(demo_chain.items))
    ]
    assert _ok(client.get("/api/v1/chains/demo")) == cli_json("chain", "show", "demo")


def test_exposure_equals_the_cli(client: TestClient, cli_json: CliJson) -> None:
    api = _ok(client.get("/api/v1/chains/demo/exposure"))
    assert api == cli_json("chain", "exposure", "demo")
    assert api["chain"] == "demo" and api["platforms"]


def test_exposure_of_a_new_version_is_not_answered_from_the_cache(
    client: TestClient, workspace: Path, demo_chain: Chain, cli_json: CliJson
) -> None:
    first = _ok(client.get("/api/v1/chains/demo/exposure"))
    # A second version of 'demo' without the fighter: the answer must follow the new version.
    items = demo_chain.items[demo_chain.items["id"] != "fighter"]
    bom = demo_chain.bom[demo_chain.bom["parent"] != "fighter"]
    sourcing = demo_chain.sourcing[demo_chain.sourcing["item"] != "fighter"]
    SqliteStore(workspace).save_chain(demo_chain.with_frames(items=items, bom=bom, sourcing=sourcing))
    second = _ok(client.get("/api/v1/chains/demo/exposure"))
    assert [p["id"] for p in first["platforms"]] == ["frigate", "fighter"]
    assert [p["id"] for p in second["platforms"]] == ["frigate"]
    assert second == cli_json("chain", "exposure", "demo")


def test_exposure_options_equal_the_cli_options(client: TestClient, cli_json: CliJson) -> None:
    api = _ok(client.get("/api/v1/chains/demo/exposure", params={"spof_threshold": 0.6, "detail": "items"}))
    assert api == cli_json("chain", "exposure", "demo", "--spof-threshold", "0.6", "--detail", "items")
    assert api["settings"]["spof_share_threshold"] == 0.6 and api["detail"] == "items"


def test_chain_outlook_equals_the_cli(client: TestClient, cli_json: CliJson) -> None:
    assert _ok(client.get("/api/v1/chains/demo/outlook")) == cli_json("outlook", "--chain", "demo")


def test_scenario_library_equals_the_cli(client: TestClient, cli_json: CliJson) -> None:
    api = _ok(client.get("/api/v1/scenarios"))
    assert api == cli_json("scenario", "list", workspace_option=False)
    assert DEMO_SCENARIO in [s["id"] for s in api["scenarios"]]


def test_scenario_run_equals_the_cli(client: TestClient, cli_json: CliJson) -> None:
    api = _ok(client.post("/api/v1/scenarios/run", json={"chain": "demo", "scenario": DEMO_SCENARIO}))
    assert api == cli_json("scenario", "run", DEMO_SCENARIO, "--chain", "demo")
    assert {"scenario", "items", "platforms"} <= set(api)


def test_scenario_document_runs_as_the_same_scenario_file(
    client: TestClient, cli_json: CliJson, tmp_path: Path
) -> None:
    document = {
        "name": "Gallium halved",
        "source": "test",
        "shocks": [{"countries": ["CHN"], "stage": "processing", "materials": ["gallium"], "severity": 0.5}],
    }
    file = tmp_path / "scenario.json"
    file.write_text(json.dumps(document))
    api = _ok(client.post("/api/v1/scenarios/run", json={"chain": "demo", "scenario": document}))
    cli = cli_json("scenario", "run", str(file), "--chain", "demo")
    assert api["items"] == cli["items"] and api["platforms"] == cli["platforms"]
    assert api["scenario"] == cli["scenario"] == "Gallium halved"
    # The request's document is recorded as coming from the request, never a temporary path.
    (record,) = [r for r in api["provenance"]["inputs"] if r["role"] == "scenario"]
    assert record["source"] == "request" and record["name"] == "Gallium halved"
    assert "ketenradar-request" not in json.dumps(api)


def test_scenario_document_without_source_cites_the_request(client: TestClient) -> None:
    document = {"name": "x", "shocks": [{"countries": ["CHN"], "severity": 1}]}
    api = _ok(client.post("/api/v1/scenarios/run", json={"chain": "demo", "scenario": document}))
    assert api["sources"][0] == {"dataset": "scenario", "title": "x", "citation": "request"}


def test_simulate_equals_the_cli(client: TestClient, cli_json: CliJson) -> None:
    body = {"chain": "demo", "scenario": DEMO_SCENARIO, "horizon_days": 60}
    api = _ok(client.post("/api/v1/scenarios/simulate", json=body))
    assert api == cli_json("scenario", "simulate", DEMO_SCENARIO, "--chain", "demo", "--horizon", "60")
    assert api["horizon_days"] == 60 and all(len(p["series"]) == 60 for p in api["platforms"])


def test_measures_rank_equals_the_cli(client: TestClient, cli_json: CliJson) -> None:
    measures = yaml.safe_load(demo_measures().read_text(encoding="utf-8"))
    body = {"chain": "demo", "scenario": DEMO_SCENARIO, "measures": measures}
    api = _ok(client.post("/api/v1/measures/rank", json=body))
    cli = cli_json(
        "measures", "rank", "--chain", "demo", "--scenario", DEMO_SCENARIO, "--measures", str(demo_measures())
    )
    # The same measures, once as YAML file and once as JSON in the request: only their record differs.
    api_inputs, cli_inputs = api["provenance"].pop("inputs"), cli["provenance"].pop("inputs")
    assert api == cli
    assert [r for r in api_inputs if r["role"] != "measures"] == [
        r for r in cli_inputs if r["role"] != "measures"
    ]
    (record,) = [r for r in api_inputs if r["role"] == "measures"]
    assert record["source"] == "request"
    assert [m["id"] for m in api["measures"]] and sorted(m["rank"] for m in api["measures"]) == list(
        range(1, len(api["measures"]) + 1)
    )


def _wait_for(client: TestClient, url: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll a job until it has finished; return its last state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, Any] = _ok(client.get(url))
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {url} did not finish in {timeout} s")


def test_montecarlo_job_lifecycle_gives_the_cli_and_in_process_result(
    client: TestClient, cli_json: CliJson, demo_chain: Chain
) -> None:
    body = {"chain": "demo", "scenario": DEMO_SCENARIO, "draws": 300, "seed": 7}
    accepted = client.post("/api/v1/scenarios/montecarlo", json=body)
    started = _ok(accepted, 202)
    assert started["status"] == "queued" and accepted.headers["location"] == started["status_url"]
    state = _wait_for(client, started["status_url"])
    assert state["status"] == "done", state
    assert state["kind"] == "montecarlo" and state["error"] is None
    assert state["progress"]["done"] == state["progress"]["total"] > 0
    cli = cli_json(
        "scenario", "montecarlo", DEMO_SCENARIO, "--chain", "demo", "--draws", "300", "--seed", "7"
    )
    assert state["result"] == cli
    catalogue = defence_catalogue()
    stored = client.app.state.ketenradar.store.load_chain("demo")  # type: ignore[attr-defined]
    in_process = montecarlo_on_chain(stored, load_scenario(DEMO_SCENARIO, catalogue), catalogue, 300, 7)
    assert state["result"] == json.loads(json.dumps(in_process.to_json()))
    assert state["result"]["draws"] == 300 and state["result"]["seed"] == 7


def test_job_reports_its_progress_while_running(client: TestClient) -> None:
    # A job that reports 1 of 3 and waits: the route must show it running at 1 of 3, then done.
    release = threading.Event()
    reported = threading.Event()

    def work(progress: Callable[[int, int], None]) -> dict[str, Any]:
        progress(1, 3)
        reported.set()
        assert release.wait(10)
        progress(3, 3)
        return {"answer": 42}

    job = client.app.state.ketenradar.jobs.submit("test", work)  # type: ignore[attr-defined]
    assert reported.wait(10)
    running = _ok(client.get(f"/api/v1/jobs/{job.id}"))
    assert running["status"] == "running" and running["progress"] == {"done": 1, "total": 3}
    assert running["result"] is None
    release.set()
    done = _wait_for(client, f"/api/v1/jobs/{job.id}")
    assert done["status"] == "done" and done["progress"] == {"done": 3, "total": 3}
    assert done["result"] == {"answer": 42}


def test_a_failed_job_carries_the_error_shape(client: TestClient) -> None:
    from ketenradar.errors import ChainNotFound

    def work(progress: Callable[[int, int], None]) -> dict[str, Any]:
        raise ChainNotFound("gone")

    job = client.app.state.ketenradar.jobs.submit("test", work)  # type: ignore[attr-defined]
    state = _wait_for(client, f"/api/v1/jobs/{job.id}")
    assert state["status"] == "failed" and state["result"] is None
    assert state["error"]["code"] == "not_found" and "gone" in state["error"]["message"]


@pytest.mark.parametrize("draws", [0, 100_001])
def test_montecarlo_draws_out_of_bounds_are_refused(client: TestClient, draws: int) -> None:
    response = client.post(
        "/api/v1/scenarios/montecarlo", json={"chain": "demo", "scenario": DEMO_SCENARIO, "draws": draws}
    )
    assert response.status_code == 422
    (field,) = response.json()["error"]["details"]["fields"]
    assert field["field"] == "body.draws"
