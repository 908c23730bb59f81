"""Roadmaps: ``POST /api/v1/roadmaps/draft`` drafts one from a stored chain, ``/show`` reads one sent in.

A roadmap lives in a file the user keeps (``ketenradar roadmap draft --out``), not in the
workspace, so the server has none to list. ``draft`` returns the drafted roadmap with the YAML
text ``ketenradar roadmap draft`` prints; ``show`` takes a file's text (or its document) and
returns the document of ``ketenradar roadmap show FILE --format json``. The text is read by the
same reader as the file on the command line, so problems are the same, with the file named as
the client named it.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from ketenradar.api.app import ContextDep, StoreDep
from ketenradar.api.routes.common import (
    ERROR_RESPONSES,
    JSON_DOCUMENT,
    REQUEST_SOURCE,
    json_response,
    scenario_from_request,
    stored_chain,
)
from ketenradar.api.schemas import RoadmapDraftRequest, RoadmapShowRequest
from ketenradar.api.uploads import client_file_name, relabelled, request_document

__all__ = ["DEFAULT_ROADMAP_NAME", "roadmap_request_file", "router"]

router = APIRouter(prefix="/roadmaps", tags=["roadmaps"], responses=ERROR_RESPONSES)

DEFAULT_ROADMAP_NAME = "roadmap.yaml"


@contextmanager
def roadmap_request_file(roadmap: str | dict[str, Any], name: str | None) -> Iterator[tuple[Path, str]]:
    """Write a request's roadmap to a private temporary file; yield its path and the client's name for it.

    Text is written byte for byte (so its SHA-256 is the file's), as ``.json`` when the name ends
    in .json and else as ``.yaml``; a document is written as JSON. Problems the reader finds
    name the client's file, and the folder is removed whatever happens.
    """
    label = client_file_name(name) if name else DEFAULT_ROADMAP_NAME
    is_json = isinstance(roadmap, dict) or label.lower().endswith(".json")
    folder = Path(tempfile.mkdtemp(prefix="ketenradar-request-"))
    try:
        path = folder / ("roadmap.json" if is_json else "roadmap.yaml")
        # NaN and infinity in a document stay as written, so the reader refuses them by name; text
        # that is not valid UTF-8 (a lone surrogate) is kept as it is, so the reader says so.
        text = roadmap if isinstance(roadmap, str) else json.dumps(roadmap, ensure_ascii=False)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        with relabelled(path, label):
            yield path, label
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.post(
    "/show",
    summary="A roadmap file's steps, risks, interventions and milestones, with its progress",
    responses=JSON_DOCUMENT,
)
def show(body: RoadmapShowRequest) -> Response:
    """Return the document of ``ketenradar roadmap show FILE --format json`` for the roadmap in the body."""
    from ketenradar.services.roadmap import show_roadmap

    with roadmap_request_file(body.roadmap, body.name) as (path, _label):
        document: dict[str, Any] = show_roadmap(path).to_json()
    # The file came in the request: its temporary path is not a source anyone can find again.
    for record in document["provenance"]["inputs"]:
        if record["source"] == str(path):
            record["source"] = REQUEST_SOURCE
    return json_response(document)


@router.post(
    "/draft",
    summary="A roadmap drafted from a stored chain's analysis, with the YAML file to edit",
    responses=JSON_DOCUMENT,
)
def draft(context: ContextDep, store: StoreDep, body: RoadmapDraftRequest) -> Response:
    """Return the roadmap ``ketenradar roadmap draft --chain NAME --product-group G`` drafts.

    The document has ``roadmap``, ``progress`` and ``provenance``, and ``yaml``: the file text the
    command prints (save it, edit it, send it to ``/show``). A ranking is the JSON document of
    ``POST /api/v1/measures/rank``; it is checked as ``--ranking FILE`` is.
    """
    from ketenradar.ingest.roadmap_file import read_ranking
    from ketenradar.services.chains import OpenedChain
    from ketenradar.services.provenance import InputRecord, file_digest
    from ketenradar.services.roadmap import draft_roadmap

    chain, catalogue = stored_chain(store, context.catalogue, body.chain)
    # The stored chain's record, as the command line makes it for --chain NAME.
    record = InputRecord(role="chain", source=chain.source, name=chain.name, version=chain.version)
    loaded = scenario_from_request(body.scenario, catalogue) if body.scenario is not None else None
    ranking = None
    ranking_record = None
    if body.ranking is not None:
        with request_document(body.ranking, "ranking") as path:
            ranking = {"measures": read_ranking(path)}
            ranking_record = InputRecord(role="ranking", source=REQUEST_SOURCE, sha256=file_digest(path))
    drafted = draft_roadmap(
        OpenedChain(chain, record),
        catalogue,
        body.product_group,
        ranking,
        platforms=body.platforms,
        scenario=loaded,
        start=body.start,
        ranking_record=ranking_record,
    )
    return json_response({**drafted.to_json(), "yaml": drafted.to_yaml()})
