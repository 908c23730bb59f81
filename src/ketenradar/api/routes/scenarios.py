"""Scenarios: the shipped library, runs, day-by-day simulations and Monte Carlo jobs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import Response

from ketenradar.api.app import ContextDep, StoreDep
from ketenradar.api.jobs import Progress
from ketenradar.api.routes.common import (
    ERROR_RESPONSES,
    JSON_DOCUMENT,
    json_response,
    scenario_from_request,
    stored_chain,
)
from ketenradar.api.schemas import (
    ErrorResponse,
    JobAccepted,
    MonteCarloRequest,
    ScenarioRunRequest,
    SimulateRequest,
)

__all__ = ["router"]

router = APIRouter(prefix="/scenarios", tags=["scenarios"], responses=ERROR_RESPONSES)


@router.get("", summary="The shipped reference scenarios", responses=JSON_DOCUMENT)
def library() -> Response:
    """Return the document of ``ketenradar scenario list --format json``."""
    from ketenradar.services.provenance import provenance
    from ketenradar.services.scenarios import library_record, scenario_library

    entries = scenario_library()
    used = provenance([], {}, [library_record(s.id) for s in entries])
    return json_response({"scenarios": [s.to_json() for s in entries], "provenance": used.to_json()})


@router.post(
    "/run",
    summary="Availability of every item and platform under a scenario (baseline rule)",
    responses=JSON_DOCUMENT,
)
def run(context: ContextDep, store: StoreDep, body: ScenarioRunRequest) -> Response:
    """Return the document of ``ketenradar scenario run SCENARIO --chain NAME --format json``."""
    from ketenradar.services.scenarios import run_on_chain

    chain, catalogue = stored_chain(store, context.catalogue, body.chain)
    loaded = scenario_from_request(body.scenario, catalogue)
    return json_response(run_on_chain(chain, loaded, catalogue).to_json())


@router.post(
    "/simulate",
    summary="Daily platform output under a scenario over a horizon",
    responses=JSON_DOCUMENT,
)
def simulate(context: ContextDep, store: StoreDep, body: SimulateRequest) -> Response:
    """Return the document of ``ketenradar scenario simulate SCENARIO --chain NAME --format json``."""
    from ketenradar.services.simulation import simulate_on_chain

    chain, catalogue = stored_chain(store, context.catalogue, body.chain)
    loaded = scenario_from_request(body.scenario, catalogue)
    return json_response(simulate_on_chain(chain, loaded, catalogue, body.horizon_days).to_json())


@router.post(
    "/montecarlo",
    summary="Start a Monte Carlo run over simulated years (a background job)",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobAccepted,
    responses={429: {"model": ErrorResponse, "description": "Too many jobs are waiting or running."}},
)
def montecarlo(
    context: ContextDep, store: StoreDep, body: MonteCarloRequest, response: Response
) -> JobAccepted:
    """Check the chain and scenario now, then run the draws in the background; poll the job for the result.

    The result is the document of ``ketenradar scenario montecarlo SCENARIO --chain NAME --draws N
    --seed S --format json``.
    """
    from ketenradar.services.simulation import montecarlo_on_chain

    chain, catalogue = stored_chain(store, context.catalogue, body.chain)
    loaded = scenario_from_request(body.scenario, catalogue)

    def work(progress: Progress) -> dict[str, Any]:
        report = montecarlo_on_chain(chain, loaded, catalogue, body.draws, body.seed, progress)
        document: dict[str, Any] = report.to_json()
        return document

    job = context.jobs.submit("montecarlo", work)
    url = f"/api/v1/jobs/{job.id}"
    response.headers["Location"] = url
    return JobAccepted(job=job.id, status=job.status, status_url=url)
