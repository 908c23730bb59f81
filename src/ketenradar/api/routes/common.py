"""What the routes share: the error responses they document, JSON responses, chains and scenarios.

A chain is always a stored chain, looked up by name in the request's store, and a scenario is a
shipped scenario's id or a document in the request: a request never names a file on the server.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Any

from fastapi.responses import Response

from ketenradar.api.errors import BadName
from ketenradar.api.schemas import ErrorResponse
from ketenradar.api.uploads import request_document
from ketenradar.locale import _
from ketenradar.model.material import MaterialCatalogue
from ketenradar.services.chains import stored_chain
from ketenradar.services.jsonable import dumps
from ketenradar.services.provenance import InputRecord, file_digest
from ketenradar.services.scenarios import LoadedScenario, library_path, library_record

__all__ = [
    "ERROR_RESPONSES",
    "JSON_DOCUMENT",
    "MAX_NAME_LENGTH",
    "REQUEST_SOURCE",
    "bytes_response",
    "checked_name",
    "json_bytes",
    "json_response",
    "scenario_from_request",
    "stored_chain",
]

# The statuses every route may answer with, documented with the one error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Bad request (e.g. an unsupported upload)."},
    404: {"model": ErrorResponse, "description": "No such chain, scenario, job or path."},
    413: {"model": ErrorResponse, "description": "The request body is larger than the upload limit."},
    422: {"model": ErrorResponse, "description": "The request or a document in it was refused."},
    500: {"model": ErrorResponse, "description": "An internal error (logged on the server)."},
}
# A result document: the JSON of the matching command (see docs/api.md and PRODUCT.md).
JSON_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The JSON document of the matching `--format json` command.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
# The longest name a stored chain or survey may have (it stands in URL paths).
MAX_NAME_LENGTH = 200
# Where a request's own scenario is recorded in a result's provenance and sources.
REQUEST_SOURCE = "request"


def checked_name(name: str) -> str:
    """Return a name a stored chain or survey can have (it stands in a path), or refuse it."""
    name = name.strip()
    if (
        not name
        or len(name) > MAX_NAME_LENGTH
        or "/" in name
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
    ):
        raise BadName(
            _(
                "the name {name!r} cannot be used: give 1 to {n} characters without '/' or control characters"
            ).format(name=name[:80], n=MAX_NAME_LENGTH),
            name=name[:80],
        )
    return name


def json_bytes(document: Any) -> bytes:
    """Return a document as JSON bytes: a missing number is null, an infinite one is refused by name."""
    return dumps(document, ensure_ascii=False).encode("utf-8")


def bytes_response(body: bytes, status_code: int = 200) -> Response:
    """Return JSON bytes made before as a response."""
    return Response(body, status_code=status_code, media_type="application/json")


def json_response(document: Any, status_code: int = 200) -> Response:
    """Return a document as JSON: a missing number is null, an infinite one is refused by name."""
    return bytes_response(json_bytes(document), status_code)


def scenario_from_request(reference: str | dict[str, Any], catalogue: MaterialCatalogue) -> LoadedScenario:
    """Return the shipped scenario of that id, or the scenario document of the request, validated.

    A document is checked by the scenario file reader, so its problems are the command line's,
    with the file named "scenario".
    """
    from ketenradar.ingest.scenario_file import read_scenario

    materials = list(catalogue)
    if isinstance(reference, str):
        library_path(reference)  # NotFound, listing the library's ids, for any other text
        return _library_scenario(reference, tuple(materials))
    with request_document(reference, "scenario") as path:
        spec = read_scenario(path, materials)
        digest = file_digest(path)
    if spec.source == str(path):
        spec = replace(spec, source=REQUEST_SOURCE)
    return LoadedScenario(
        spec, InputRecord(role="scenario", source=REQUEST_SOURCE, sha256=digest, name=spec.name)
    )


@lru_cache(maxsize=64)
def _library_scenario(scenario_id: str, materials: tuple[str, ...]) -> LoadedScenario:
    """Return a shipped scenario read for a catalogue (by its ids): the files never change in a process."""
    from ketenradar.ingest.scenario_file import read_scenario

    return LoadedScenario(
        read_scenario(library_path(scenario_id), list(materials)), library_record(scenario_id)
    )
