"""Company A can neither read, list, infer nor modify company B's data, through any route.

Every (method, path) of the OpenAPI description has a rule here, and so has every dashboard page:
a route added without one fails :func:`test_every_route_has_an_isolation_rule`. The rules:

- ``read``: A asking for B's object and for one that never existed get the same status (404)
  and the same body, but for the name itself; so do the analyst and the administrator.
- ``run``: the same for a request body naming B's chain.
- ``list``: A's listing shows A's objects only, the analyst's none of the companies'.
- ``write``: A writing under B's name makes A's own version 1 and leaves B's data as they were.
- ``shared``: data of no company (reference data, stateless documents): A and B get the same.
- ``own``: what concerns only the caller's own login.
- ``aggregate``: A gets the 404 of a path that does not exist; the analyst gets the
  disclosure-controlled counts over A and B together.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.routing import APIRoute

from ketenradar.ingest.workbook_writer import write_chain, write_sheets
from ketenradar.model.chain import Chain
from ketenradar.model.survey import SURVEY_SHEETS
from ketenradar.services.synth import synthetic_survey
from ketenradar.storage.server import ServerStore
from tests.api.support import DEMO_SCENARIO, TestClient, demo_measures
from tests.server.conftest import login

B_CHAIN, B_SURVEY = "secret-b", "survey-b"
A_CHAIN = "own-a"
NEVER = "never-existed"

API_RULES: dict[tuple[str, str], str] = {
    ("POST", "/api/v1/auth/token"): "own",
    ("POST", "/api/v1/auth/logout"): "own",
    ("GET", "/api/v1/auth/me"): "own",
    ("GET", "/api/v1/materials"): "shared",
    ("GET", "/api/v1/countries"): "shared",
    ("GET", "/api/v1/scenarios"): "shared",
    ("GET", "/api/v1/measures"): "shared",
    ("POST", "/api/v1/roadmaps/show"): "shared",
    ("POST", "/api/v1/roadmaps/draft"): "run",
    ("GET", "/api/v1/chains"): "list",
    ("POST", "/api/v1/chains"): "write",
    ("GET", "/api/v1/chains/{chain_id}"): "read",
    ("GET", "/api/v1/chains/{chain_id}/exposure"): "read",
    ("GET", "/api/v1/chains/{chain_id}/outlook"): "read",
    ("POST", "/api/v1/scenarios/run"): "run",
    ("POST", "/api/v1/scenarios/simulate"): "run",
    ("POST", "/api/v1/scenarios/montecarlo"): "run",
    ("POST", "/api/v1/measures/rank"): "run",
    ("GET", "/api/v1/jobs/{job_id}"): "read",
    ("POST", "/api/v1/surveys"): "write",
    ("GET", "/api/v1/surveys"): "list",
    ("GET", "/api/v1/surveys/aggregate"): "aggregate",
    ("GET", "/api/v1/surveys/{name}"): "read",
}
# The dashboard's pages (not in the OpenAPI description), by the same rules.
PAGE_RULES: dict[tuple[str, str], str] = {
    ("GET", "/"): "list",
    ("GET", "/chains"): "list",
    ("GET", "/scenarios"): "list",
    ("GET", "/chains/{chain_id}"): "read",
    ("GET", "/materials/{material_id}"): "shared",
    ("GET", "/countries/{iso3}"): "shared",
    ("GET", "/measures"): "list",
    ("GET", "/roadmaps"): "shared",
    ("POST", "/dashboard/document"): "shared",
    ("GET", "/login"): "own",
    ("POST", "/login"): "own",
    ("POST", "/logout"): "own",
}


def _api_routes(client: TestClient) -> set[tuple[str, str]]:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def _page_routes(client: TestClient) -> set[tuple[str, str]]:
    """Return every route the OpenAPI description leaves out (FastAPI 0.165 keeps included routers)."""
    found = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        contexts = getattr(route, "effective_route_contexts", None)
        for context in contexts() if contexts is not None else [route]:
            original = getattr(context, "original_route", context)
            if isinstance(original, APIRoute) and not getattr(context, "include_in_schema", True):
                path = getattr(context, "path", original.path)
                methods: set[str] = getattr(context, "methods", None) or original.methods or set()
                found |= {(method, path) for method in methods}
    return found - {("HEAD", path) for _method, path in found}


@dataclass
class World:
    """A's and B's data and everyone's tokens."""

    client: TestClient
    store: ServerStore
    headers: dict[str, dict[str, str]]
    b_job: str
    chain_file: Path
    survey_file: Path

    def as_(self, name: str, method: str, path: str, **options: Any) -> Any:
        return self.client.request(method, path, headers=self.headers[name], **options)


def _wait(world: World, name: str, job: str) -> dict[str, Any]:
    for _attempt in range(600):
        state: dict[str, Any] = world.as_(name, "GET", f"/api/v1/jobs/{job}").json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not finish")


@pytest.fixture
def world(client: TestClient, accounts: ServerStore, demo_chain: Chain, tmp_path: Path) -> World:
    """B (bolt) has a chain, a survey and a finished job; A (acme) has a chain of its own."""
    chain_file = write_chain(demo_chain, tmp_path / "chain.json")
    survey = synthetic_survey(30, seed=3)
    survey_file = write_sheets(
        {sheet: getattr(survey, sheet) for sheet in SURVEY_SHEETS}, tmp_path / "s.json"
    )
    headers = {name: login(client, name) for name in ("alice", "bob", "ana", "root")}
    world = World(client, accounts, headers, "", chain_file, survey_file)
    for owner, name in (("bob", B_CHAIN), ("alice", A_CHAIN)):
        response = world.as_(
            owner,
            "POST",
            "/api/v1/chains",
            files={"file": ("c.json", chain_file.read_bytes())},
            data={"name": name},
        )
        assert response.status_code == 201, response.text
    response = world.as_(
        "bob",
        "POST",
        "/api/v1/surveys",
        files={"file": ("s.json", survey_file.read_bytes())},
        data={"name": B_SURVEY},
    )
    assert response.status_code == 201, response.text
    accepted = world.as_(
        "bob",
        "POST",
        "/api/v1/scenarios/montecarlo",
        json={"chain": B_CHAIN, "scenario": DEMO_SCENARIO, "draws": 20, "seed": 1},
    )
    assert accepted.status_code == 202, accepted.text
    world.b_job = accepted.json()["job"]
    assert _wait(world, "bob", world.b_job)["status"] == "done"
    return world


@pytest.fixture(scope="session")
def demo_chain() -> Chain:
    from ketenradar.ingest.workbook import read_chain_workbook
    from ketenradar.services.materials import defence_catalogue
    from tests.api.support import demo_folder

    return read_chain_workbook(demo_folder(), list(defence_catalogue()), name="demo")


def test_every_route_has_an_isolation_rule(client: TestClient) -> None:
    assert _api_routes(client) == set(API_RULES), "a route without an isolation rule (or a rule too many)"
    pages = {(method, path) for method, path in _page_routes(client) if not path.startswith("/static/")}
    assert pages == set(PAGE_RULES), "a page without an isolation rule (or a rule too many)"


def test_the_static_assets_are_the_same_for_everyone(world: World) -> None:
    # Routes under /static/ need no login: each must be a shipped file, the same for anyone.
    assets = sorted(path for method, path in _page_routes(world.client) if path.startswith("/static/"))
    for path in [*assets, "/static/dashboard.css"]:
        anonymous = world.client.get(path, headers={})
        assert anonymous.status_code == 200, path
        assert anonymous.content == world.as_("bob", "GET", path).content
        assert B_CHAIN.encode() not in anonymous.content and B_SURVEY.encode() not in anonymous.content


def _same_but_name(mine: Any, other: Any, *names: str) -> None:
    """Assert two responses have the same status and the same body once the names are blanked."""

    def blank(text: str) -> str:
        for name in names:
            text = text.replace(name, "<name>")
        return text

    assert mine.status_code == other.status_code, (mine.text, other.text)
    assert blank(mine.text) == blank(other.text)


def _b_and_never(world: World, path: str) -> list[tuple[str, str]]:
    """Return (B's id, a never-existing id) for each kind of id a path takes."""
    if "{job_id}" in path:
        return [(path.replace("{job_id}", world.b_job), path.replace("{job_id}", uuid.uuid4().hex))]
    if "{name}" in path:
        return [(path.replace("{name}", B_SURVEY), path.replace("{name}", NEVER))]
    return [(path.replace("{chain_id}", B_CHAIN), path.replace("{chain_id}", NEVER))]


def _run_body(path: str) -> dict[str, Any]:
    """Return a valid request body of a route that runs something on a chain (the chain left out)."""
    if path.endswith("/measures/rank"):
        return {"scenario": DEMO_SCENARIO, "measures": yaml.safe_load(demo_measures().read_text())}
    if path.endswith("/simulate"):
        return {"scenario": DEMO_SCENARIO, "horizon_days": 30}
    if path.endswith("/roadmaps/draft"):
        return {"product_group": "military ships"}
    if path.endswith("/montecarlo"):
        return {"scenario": DEMO_SCENARIO, "draws": 10}
    return {"scenario": DEMO_SCENARIO}


@pytest.mark.parametrize("route", sorted(k for k, rule in API_RULES.items() if rule in ("read", "run")))
def test_no_one_but_b_can_read_or_infer_bs_objects(world: World, route: tuple[str, str]) -> None:
    method, path = route
    for caller in ("alice", "ana", "root"):
        if method == "GET":
            ((b_path, never_path),) = _b_and_never(world, path)
            theirs = world.as_(caller, "GET", b_path)
            never = world.as_(caller, "GET", never_path)
            assert theirs.status_code == 404, (caller, theirs.text)
            _same_but_name(
                theirs, never, B_CHAIN, B_SURVEY, NEVER, world.b_job, never_path.rsplit("/", 1)[-1]
            )
        else:
            body = _run_body(path)
            theirs = world.as_(caller, "POST", path, json={**body, "chain": B_CHAIN})
            never = world.as_(caller, "POST", path, json={**body, "chain": NEVER})
            assert theirs.status_code == 404, (caller, theirs.text)
            _same_but_name(theirs, never, B_CHAIN, NEVER)
    # B itself gets them, so the 404s above are isolation, not a broken request.
    if method == "GET":
        assert world.as_("bob", "GET", _b_and_never(world, path)[0][0]).status_code == 200
    else:
        mine = world.as_("bob", "POST", path, json={**_run_body(path), "chain": B_CHAIN})
        assert mine.status_code in (200, 202), mine.text


@pytest.mark.parametrize("route", sorted(k for k, rule in API_RULES.items() if rule == "list"))
def test_listings_show_only_the_callers_own_objects(world: World, route: tuple[str, str]) -> None:
    _method, path = route
    key = "chains" if path.endswith("chains") else "surveys"
    listed = {
        name: {item["name"] for item in world.as_(name, "GET", path).json()[key]} for name in world.headers
    }
    assert listed["alice"] == ({A_CHAIN} if key == "chains" else set())
    assert listed["bob"] == ({B_CHAIN} if key == "chains" else {B_SURVEY})
    assert listed["ana"] == listed["root"] == set()
    for name in ("alice", "ana", "root"):
        text = world.as_(name, "GET", path).text
        assert B_CHAIN not in text and B_SURVEY not in text


@pytest.mark.parametrize("route", sorted(k for k, rule in API_RULES.items() if rule == "write"))
def test_writing_under_bs_name_changes_nothing_of_bs(world: World, route: tuple[str, str]) -> None:
    _method, path = route
    b_store = world.store.scoped("bolt")
    before: list[Any]
    if path.endswith("chains"):
        before = b_store.versions(B_CHAIN)
        upload = world.chain_file
        name = B_CHAIN
    else:
        before = b_store.survey_versions(B_SURVEY)
        upload = world.survey_file
        name = B_SURVEY
    response = world.as_(
        "alice", "POST", path, files={"file": (upload.name, upload.read_bytes())}, data={"name": name}
    )
    assert response.status_code == 201, response.text
    # A's own first version: version numbers are per organisation, so nothing about B shows.
    assert response.json()["version"] == 1
    after: list[Any] = (
        list(b_store.versions(B_CHAIN)) if path.endswith("chains") else b_store.survey_versions(B_SURVEY)
    )
    assert after == before
    # B still reads exactly its own.
    assert world.as_("bob", "GET", f"{path}/{name}").status_code == 200


@pytest.mark.parametrize("route", sorted(k for k, rule in API_RULES.items() if rule == "shared"))
def test_shared_routes_answer_a_and_b_alike(world: World, route: tuple[str, str]) -> None:
    method, path = route
    options: dict[str, Any] = {}
    if method == "POST":
        options["json"] = {"roadmap": "not: [a roadmap", "name": "r.yaml"}
    mine = world.as_("alice", method, path, **options)
    theirs = world.as_("bob", method, path, **options)
    assert mine.status_code == theirs.status_code
    assert mine.text == theirs.text
    assert B_CHAIN not in mine.text and B_SURVEY not in mine.text


def test_the_callers_own_login_concerns_only_them(world: World) -> None:
    me = world.as_("alice", "GET", "/api/v1/auth/me").json()
    assert me == {"name": "alice", "role": "company", "organisation": "acme"}
    assert world.as_("alice", "POST", "/api/v1/auth/logout").status_code == 204
    assert world.as_("alice", "GET", "/api/v1/auth/me").status_code == 401
    assert world.as_("bob", "GET", "/api/v1/auth/me").json()["organisation"] == "bolt"


def test_the_aggregate_is_the_analysts_only(world: World) -> None:
    world.as_(
        "alice",
        "POST",
        "/api/v1/surveys",
        files={"file": ("s.json", world.survey_file.read_bytes())},
        data={"name": "survey-a"},
    )
    for company in ("alice", "bob"):
        refused = world.as_(company, "GET", "/api/v1/surveys/aggregate")
        unknown = world.as_(company, "GET", "/api/v1/no-such-route")
        _same_but_name(refused, unknown, "/api/v1/surveys/aggregate", "/api/v1/no-such-route")
        assert refused.status_code == 404
    for analyst in ("ana", "root"):
        response = world.as_(analyst, "GET", "/api/v1/surveys/aggregate")
        assert response.status_code == 200, response.text
        document = response.json()
        # The same 30 synthetic companies from A and from B are 60 respondents, not 30.
        assert document["respondents"] == 60
        assert document["organisations"] == 2
        assert document["disclosure_control"]["min_companies"] >= 3
    refusals = world.store.audit(action="access.refused")
    assert [(r.user, r.outcome) for r in refusals] == [("alice", "not_found"), ("bob", "not_found")]
    assert [r.user for r in world.store.audit(action="survey.aggregate")] == ["ana", "root"]


@pytest.mark.parametrize("caller", ["alice", "ana"])
def test_pages_show_nothing_of_b(world: World, caller: str) -> None:
    for (method, path), rule in PAGE_RULES.items():
        if method != "GET" or rule == "own":
            continue
        if rule == "read":
            theirs = world.as_(caller, "GET", path.replace("{chain_id}", B_CHAIN))
            never = world.as_(caller, "GET", path.replace("{chain_id}", NEVER))
            assert theirs.status_code == 404
            _same_but_name(theirs, never, B_CHAIN, NEVER)
            continue
        concrete = path.replace("{material_id}", "gallium").replace("{iso3}", "CHN")
        response = world.as_(caller, "GET", concrete)
        assert response.status_code == 200, (concrete, response.status_code)
        assert B_CHAIN not in response.text and B_SURVEY not in response.text, concrete
    assert B_CHAIN in world.as_("bob", "GET", "/chains").text
    assert world.as_("bob", "GET", f"/chains/{B_CHAIN}").status_code == 200


def test_the_audit_shows_who_read_and_wrote_what(world: World) -> None:
    world.as_("alice", "GET", f"/api/v1/chains/{B_CHAIN}")
    rows = [r for r in world.store.audit(user="alice") if r.action.startswith("chain.")]
    assert rows and all(r.organisation == "acme" for r in rows)
    assert rows[-1].target.startswith(B_CHAIN) and rows[-1].outcome == "not_found"
    writes = world.store.audit(user="bob", action="chain.write")
    assert [(r.organisation, r.target.startswith(B_CHAIN), r.outcome) for r in writes] == [
        ("bolt", True, "ok")
    ]


def test_jobs_are_kept_in_the_database_for_every_server_process(
    world: World, make_client: Callable[..., TestClient]
) -> None:
    other_process = make_client()
    state = other_process.get(f"/api/v1/jobs/{world.b_job}", headers=world.headers["bob"])
    assert state.status_code == 200
    assert state.json()["status"] == "done" and state.json()["result"]["draws"] == 20
    theirs = other_process.get(f"/api/v1/jobs/{world.b_job}", headers=world.headers["alice"])
    never = other_process.get(f"/api/v1/jobs/{'0' * 32}", headers=world.headers["alice"])
    _same_but_name(theirs, never, world.b_job, "0" * 32)
    assert json.loads(theirs.text)["error"]["code"] == "not_found"


class _States:
    """The jobs table of a database, as a dict: (id, organisation) → state."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes = 0

    def save_job(self, job_id: str, organisation: str, kind: str, state: dict[str, Any]) -> None:
        self.saved[(job_id, organisation)] = json.loads(json.dumps(state))
        self.writes += 1

    def load_job(self, job_id: str, organisation: str) -> dict[str, Any] | None:
        return self.saved.get((job_id, organisation))


def test_a_job_belongs_to_its_organisation_in_memory_and_in_the_database() -> None:
    from ketenradar.api.errors import JobNotFound
    from ketenradar.api.jobs import JobTable, job_owner

    states = _States()
    table = JobTable(workers=1, states=states)

    def work(progress: Callable[[int, int], None]) -> dict[str, Any]:
        for done in range(1, 1001):
            progress(done, 1000)
        return {"answer": 42}

    with job_owner("bolt"):
        job = table.submit("montecarlo", work)
    table.shutdown()
    assert table.get(job.id, "bolt").result == {"answer": 42}
    with job_owner("bolt"):
        assert table.get(job.id).status == "done"
    for other in ("acme", ""):
        with pytest.raises(JobNotFound) as theirs:
            table.get(job.id, other)
        with pytest.raises(JobNotFound) as never:
            table.get("f" * 32, other)
        assert str(theirs.value).replace(job.id, "<id>") == str(never.value).replace("f" * 32, "<id>")
    # Another process (a new table over the same database) answers from the saved state.
    elsewhere = JobTable(workers=1, states=states)
    assert elsewhere.get(job.id, "bolt").result == {"answer": 42}
    saved = elsewhere.get(job.id, "bolt")
    assert (saved.status, saved.done, saved.total, saved.organisation) == ("done", 1000, 1000, "bolt")
    with pytest.raises(JobNotFound):
        elsewhere.get(job.id, "acme")
    elsewhere.shutdown()
    # queued, running and done are saved; 1000 progress calls within a second are saved at most once more.
    assert 3 <= states.writes <= 5
