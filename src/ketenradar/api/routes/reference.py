"""``GET /api/v1/materials`` and ``GET /api/v1/countries``: the reference picture."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ketenradar.api.app import ContextDep
from ketenradar.api.routes.common import ERROR_RESPONSES, JSON_DOCUMENT, bytes_response, json_bytes
from ketenradar.locale import current_language

__all__ = ["router"]

router = APIRouter(tags=["reference"], responses=ERROR_RESPONSES)


@router.get(
    "/materials",
    summary="Materials with EC supply risk, economic importance and supply",
    responses=JSON_DOCUMENT,
)
def materials(
    context: ContextDep,
    all_materials: bool = Query(
        False,
        alias="all",
        description="Every material the catalogue knows (default: the 34 EU list entries).",
    ),
) -> Response:
    """Return the document of ``ketenradar materials --format json`` (``--all`` with ``all=true``)."""
    from ketenradar.services.materials import AssessmentOptions, build_material_overview, eu_catalogue

    settings = context.settings

    def make() -> bytes:
        catalogue = context.catalogue if all_materials else eu_catalogue()
        options = AssessmentOptions(
            wgi_years=settings.criticality.wgi_years, crma_limit=settings.outlook.crma_limit
        )
        return json_bytes(build_material_overview(catalogue, options).to_json())

    # The same for every request of the application: computed once per language (0.25 s each).
    key = ("materials", str(all_materials), current_language())
    return bytes_response(context.reference_document(key, make))


@router.get(
    "/countries", summary="Countries with groups, risk indicators and composite risk", responses=JSON_DOCUMENT
)
def countries(context: ContextDep) -> Response:
    """Return the document of ``ketenradar countries --format json``."""
    from ketenradar.services.countries import build_country_overview

    def make() -> bytes:
        return json_bytes(build_country_overview(context.settings.country_risk.weights).to_json())

    return bytes_response(context.reference_document(("countries", current_language()), make))
