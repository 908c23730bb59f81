"""Measures: the catalogue (``GET /api/v1/measures``) and ranked effects (``POST /api/v1/measures/rank``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ketenradar.api.app import ContextDep, StoreDep
from ketenradar.api.routes.common import (
    ERROR_RESPONSES,
    JSON_DOCUMENT,
    REQUEST_SOURCE,
    bytes_response,
    json_bytes,
    json_response,
    scenario_from_request,
    stored_chain,
)
from ketenradar.api.schemas import MeasuresRankRequest
from ketenradar.api.uploads import request_document
from ketenradar.locale import current_language

__all__ = ["router"]

router = APIRouter(prefix="/measures", tags=["measures"], responses=ERROR_RESPONSES)


@router.get("", summary="The measure catalogue with the report's ratings", responses=JSON_DOCUMENT)
def catalogue(context: ContextDep) -> Response:
    """Return the document of ``ketenradar measures list --format json`` (the shipped catalogue)."""
    from ketenradar.services.measures import measure_catalogue

    def make() -> bytes:
        return json_bytes(measure_catalogue().to_json())

    # Shipped data only; the measure types' labels follow the language.
    return bytes_response(context.reference_document(("measures", current_language()), make))


@router.post("/rank", summary="Measures ranked under a scenario, each applied alone", responses=JSON_DOCUMENT)
def rank(context: ContextDep, store: StoreDep, body: MeasuresRankRequest) -> Response:
    """Return the document of ``ketenradar measures rank --format json`` on a stored chain.

    As ``--chain NAME --scenario S --measures F``; the stored chain is never changed.
    """
    from ketenradar.services.measures import rank_measures_on_chain

    chain, catalogue = stored_chain(store, context.catalogue, body.chain)
    loaded = scenario_from_request(body.scenario, catalogue)
    with request_document(body.measures, "measures") as path:
        result = rank_measures_on_chain(
            chain, loaded, catalogue, path, combine=body.combine, draws=body.draws, seed=body.seed
        )
        document: dict[str, Any] = result.to_json()
    # The measures came in the request: its temporary file is not a source anyone can find again.
    for record in document["provenance"]["inputs"]:
        if record["source"] == str(path):
            record["source"] = REQUEST_SOURCE
    return json_response(document)
