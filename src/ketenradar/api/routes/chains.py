"""Stored chains: upload, list, show, exposure and outlook (``/api/v1/chains``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import Response

from ketenradar.api.app import ContextDep, StoreDep
from ketenradar.api.routes.common import (
    ERROR_RESPONSES,
    JSON_DOCUMENT,
    MAX_NAME_LENGTH,
    bytes_response,
    checked_name,
    json_bytes,
    json_response,
    stored_chain,
)
from ketenradar.api.schemas import ChainStored
from ketenradar.api.uploads import saved_upload
from ketenradar.locale import current_language
from ketenradar.model.defaults import SPOF_SHARE_THRESHOLD

__all__ = ["MAX_NAME_LENGTH", "router"]

router = APIRouter(prefix="/chains", tags=["chains"], responses=ERROR_RESPONSES)


@router.get("", summary="The stored chains (latest version of each)", responses=JSON_DOCUMENT)
def list_chains(store: StoreDep) -> Response:
    """Return the document of ``ketenradar chain list --format json``."""
    from ketenradar.services.chains import list_chains as listing

    return json_response(listing(store).to_json())


@router.post(
    "",
    summary="Upload a chain workbook (.xlsx or .json) and store it as a new version",
    status_code=status.HTTP_201_CREATED,
    response_model=ChainStored,
)
def upload_chain(
    context: ContextDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="The chain workbook (v1.1) as .xlsx or .json.")],
    name: Annotated[
        str | None,
        Form(description="Name to store it under [default: the file name without extension]."),
    ] = None,
) -> ChainStored:
    """Validate the workbook and store it, as ``ketenradar chain import`` does.

    Every problem is reported at once, and a refused workbook stores nothing.
    """
    from ketenradar.ingest.workbook import read_chain_and_materials
    from ketenradar.services.materials import defence_catalogue

    catalogue = context.catalogue
    with saved_upload(file.file, file.filename, context.max_upload_bytes) as (path, label):
        chosen = checked_name(name if name is not None else label.rsplit(".", 1)[0])
        chain, sheet_materials = read_chain_and_materials(path, list(catalogue), name=chosen)
    chain = replace(chain, source=label)
    used = set(chain.items["material"])
    shipped = set(defence_catalogue())
    from_catalogue = [m for m in catalogue.values() if m.id in used and m.id not in shipped]
    known = {m.id for m in from_catalogue}
    extra = [*from_catalogue, *(m for m in sheet_materials if m.id in used and m.id not in known)]
    version = store.save_chain(chain, materials=extra)
    return ChainStored(
        id=version.name,
        name=version.name,
        version=version.version,
        created_at=version.created_at,
        source=version.source,
        n_items=version.n_items,
        n_bom=version.n_bom,
        n_sourcing=version.n_sourcing,
        materials_added=sorted(m.id for m in extra),
    )


@router.get(
    "/{chain_id}",
    summary="A stored chain: versions, items per kind, platforms, materials",
    responses=JSON_DOCUMENT,
)
def show_chain(store: StoreDep, chain_id: str) -> Response:
    """Return the document of ``ketenradar chain show NAME --format json``."""
    from ketenradar.services.chains import chain_details

    return json_response(chain_details(store, chain_id).to_json())


@router.get(
    "/{chain_id}/exposure",
    summary="Per platform: material content, country shares per stage, weak spots, visibility",
    responses=JSON_DOCUMENT,
)
def exposure(
    context: ContextDep,
    store: StoreDep,
    chain_id: str,
    spof_threshold: float = Query(
        SPOF_SHARE_THRESHOLD,
        ge=0.5,
        le=1.0,
        description="A material stage this much from one country is a single point of failure.",
    ),
    detail: Literal["none", "items"] = Query("none", description="items: add the per-item tables."),
) -> Response:
    """Return the document of ``ketenradar chain exposure NAME --format json``."""
    from ketenradar.services.chains import chain_exposure

    def make() -> bytes:
        chain, catalogue = stored_chain(store, context.catalogue, chain_id)
        return json_bytes(chain_exposure(chain, catalogue, spof_threshold).to_json(detail=detail == "items"))

    # A stored version never changes: its exposure is made once per workspace, version and
    # options. A store that cannot say which workspace it is (no cache_key) is not cached, so
    # one organisation's chain can never be answered from another's.
    workspace = getattr(store, "cache_key", None)
    if workspace is None:
        return bytes_response(make())
    latest = store.versions(chain_id)[-1]
    key = (
        "exposure",
        str(workspace),
        chain_id,
        str(latest.version),
        latest.created_at,
        repr(spof_threshold),
        detail,
        current_language(),
    )
    return bytes_response(context.reference_document(key, make))


@router.get(
    "/{chain_id}/outlook",
    summary="Outlook and CRMA benchmark flags per material of the chain's platforms",
    responses=JSON_DOCUMENT,
)
def outlook(context: ContextDep, store: StoreDep, chain_id: str) -> Response:
    """Return the document of ``ketenradar outlook --chain NAME --format json``."""
    from ketenradar.services.chain_outlook import BenchmarkThresholds, chain_outlook

    settings = context.settings.outlook
    thresholds = BenchmarkThresholds(
        single_third_country_limit=settings.crma_limit,
        extraction=settings.crma_extraction_benchmark,
        processing=settings.crma_processing_benchmark,
        recycling=settings.crma_recycling_benchmark,
    )
    chain, catalogue = stored_chain(store, context.catalogue, chain_id)
    return json_response(chain_outlook([chain], catalogue, thresholds).to_json())
