"""Every error of the REST API as one JSON shape: ``{"error": {"code", "message", "details"}}``.

Each family of ketenradar's exceptions has its status and code in :data:`STATUS`; one handler per
family turns it into the shape (STYLE: the API maps exceptions to status codes in one module).
Request validation errors are given in the same words as the readers' (``describe_error``), HTTP
errors of the framework (an unknown path, a wrong method) keep their status, and anything else is
logged with its traceback and answered with a 500 that shows none.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ketenradar.errors import (
    ConfigError,
    CyclicChain,
    InputFileError,
    KetenradarError,
    MissingReferenceData,
    NonFiniteResult,
    NotFound,
    OutputRefused,
    Problem,
    SnapshotExists,
    UnknownCountry,
    UnknownItem,
    UnknownMaterial,
)
from ketenradar.ingest.validation import describe_error, error_value
from ketenradar.locale import _, use_language

__all__ = [
    "STATUS",
    "ApiError",
    "BadName",
    "CatchAllMiddleware",
    "CrossSiteRefused",
    "JobNotFound",
    "NotAuthenticated",
    "TooManyJobs",
    "TooManyLogins",
    "UploadRefused",
    "UploadTooLarge",
    "error_body",
    "error_response",
    "install_error_handlers",
    "problem_json",
]

logger = logging.getLogger(__name__)


class ApiError(KetenradarError):
    """An error of the API's own edge (uploads, jobs); ``details`` go into the error shape."""

    def __init__(self, message: str, **details: Any) -> None:
        self.details = details
        super().__init__(message)


class UploadRefused(ApiError):
    """An uploaded file is not of an accepted type (by its name's extension or by its content)."""


class UploadTooLarge(ApiError):
    """A request body is larger than the server's upload limit."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(
            _("the upload is larger than the limit of {limit} MB").format(limit=f"{limit_bytes / 1e6:g}"),
            limit_bytes=limit_bytes,
        )


class JobNotFound(ApiError):
    """No job of that id is known to this server (it never existed, or was forgotten)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(_("no job {id!r}").format(id=job_id), job=job_id)


class TooManyJobs(ApiError):
    """The job table is full of unfinished jobs; a new one is refused until some finish."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            _("{n} jobs are already waiting or running; try again when one has finished").format(n=limit),
            limit=limit,
        )


class BadName(ApiError):
    """A name for a stored object that cannot be used in the API's paths."""


class NotAuthenticated(ApiError):
    """The request names no valid caller: no token, an unknown or expired one, or a wrong login.

    The one message for every case, so a wrong name and a wrong password cannot be told apart.
    """

    def __init__(self) -> None:
        self.headers = {"WWW-Authenticate": "Bearer"}
        super().__init__(_("not logged in, or the name, password or token is not valid"))


class CrossSiteRefused(ApiError):
    """A change asked by another site's page with this site's session cookie (CSRF)."""

    def __init__(self) -> None:
        super().__init__(_("the request did not come from this site's own pages and was refused"))


class TooManyLogins(ApiError):
    """Too many failed logins for a name or from a client: logins are refused for a while."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.headers = {"Retry-After": str(retry_after_seconds)}
        super().__init__(
            _("too many failed logins; try again in {minutes} minutes").format(
                minutes=max(1, -(-retry_after_seconds // 60))
            ),
            retry_after=retry_after_seconds,
        )


# Status and code per exception family; the first class in a raised error's MRO that is listed wins.
STATUS: dict[type[Exception], tuple[int, str]] = {
    InputFileError: (422, "invalid_input"),
    NotFound: (404, "not_found"),
    JobNotFound: (404, "not_found"),
    UnknownItem: (422, "unknown_item"),
    UnknownMaterial: (422, "unknown_material"),
    UnknownCountry: (422, "unknown_country"),
    CyclicChain: (422, "cyclic_chain"),
    NonFiniteResult: (422, "non_finite_result"),
    ConfigError: (400, "bad_settings"),
    SnapshotExists: (409, "conflict"),
    OutputRefused: (409, "conflict"),
    UploadRefused: (400, "unsupported_file"),
    BadName: (422, "invalid_name"),
    UploadTooLarge: (413, "too_large"),
    NotAuthenticated: (401, "not_authenticated"),
    CrossSiteRefused: (403, "cross_site_refused"),
    TooManyJobs: (429, "too_many_jobs"),
    TooManyLogins: (429, "too_many_logins"),
    MissingReferenceData: (500, "missing_reference_data"),
    KetenradarError: (400, "bad_request"),
}

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
}


def problem_json(problem: Problem) -> dict[str, Any]:
    """Return one problem of a refused input as JSON: where, what was found and expected, and the text."""
    return {
        "file": problem.file,
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "value": problem.value,
        "message": problem.message,
        "expected": problem.expected or None,
        "text": str(problem),
    }


def status_of(error: Exception) -> tuple[int, str]:
    """Return the HTTP status and error code of an exception (500, internal_error if not ketenradar's)."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500, "internal_error"


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the error shape of every API error."""
    return {"error": {"code": code, "message": message, "details": details or {}}}


def details_of(error: Exception) -> dict[str, Any]:
    """Return the details of a ketenradar error as JSON: its problems or its named attributes."""
    if isinstance(error, InputFileError):
        return {"problems": [problem_json(p) for p in error.problems]}
    if isinstance(error, ApiError):
        return dict(error.details)
    if isinstance(error, NotFound):
        return {"name": error.name, "version": error.version}
    if isinstance(error, UnknownItem):
        return {"items": error.item_ids, "chain": error.chain}
    if isinstance(error, UnknownMaterial):
        return {"material": error.material_id}
    if isinstance(error, UnknownCountry):
        return {"codes": error.codes}
    if isinstance(error, CyclicChain):
        return {"cycle": error.cycle}
    return {}


def ketenradar_error_body(error: KetenradarError) -> tuple[int, dict[str, Any]]:
    """Return the status and error shape of a ketenradar error (also used for failed jobs)."""
    status, code = status_of(error)
    if status >= 500:
        logger.error("server-side error: %s", error)
    return status, error_body(code, str(error), details_of(error))


def request_language(request: Request) -> str | None:
    """Return the language the language middleware chose for this request."""
    language: str | None = request.scope.get("ketenradar.lang")
    return language


def error_response(error: KetenradarError) -> JSONResponse:
    """Return the response of a ketenradar error: its status, the error shape and its headers."""
    status, body = ketenradar_error_body(error)
    headers: dict[str, str] | None = getattr(error, "headers", None)
    return JSONResponse(body, status_code=status, headers=headers)


def _ketenradar_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, KetenradarError)
    return error_response(error)


def _field(location: Sequence[int | str]) -> str:
    """Return where in the request a value sits, e.g. ``body.draws`` or ``query.detail``."""
    return ".".join(str(part) for part in location)


def _message(error: Any) -> str:
    """Return one request validation error in the readers' words (a body that is not JSON said so)."""
    if error.get("type") == "json_invalid":
        return _("the request body is not valid JSON")
    return describe_error(error)


def _validation_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    with use_language(request_language(request)):
        fields = [
            {"field": _field(e.get("loc", ())), "message": _message(e), "value": error_value(e)}
            for e in error.errors()
        ]
        lines = [f"{f['field']}: {f['message']}" for f in fields]
        message = _("the request was refused: {problems}").format(problems="; ".join(lines))
    return JSONResponse(error_body("invalid_request", message, {"fields": fields}), status_code=422)


def _http_handler(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if isinstance(error.__cause__, KetenradarError):
        # FastAPI turns any error while reading the body into a bare 400; the body limit's is a 413.
        return _ketenradar_handler(request, error.__cause__)
    with use_language(request_language(request)):
        if error.status_code == 404:
            message = _("no such path: {path}").format(path=request.url.path)
        elif error.status_code == 405:
            message = _("method {method} is not allowed on {path}").format(
                method=request.method, path=request.url.path
            )
        else:
            message = _("the request was refused (HTTP {status})").format(status=error.status_code)
    code = _HTTP_CODES.get(error.status_code, "http_error")
    return JSONResponse(
        error_body(code, message), status_code=error.status_code, headers=getattr(error, "headers", None)
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register one handler per exception family, request validation and HTTP errors on ``app``."""
    for family in STATUS:
        app.add_exception_handler(family, _ketenradar_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)


class CatchAllMiddleware:
    """Answer any exception no handler took with a logged 500 in the error shape, never a traceback.

    Starlette's own last-resort handler sends its response and then raises again; this one ends
    the request, so a server keeps one log line with the traceback and the client gets the shape.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; on an unhandled exception, log it and send a 500 if nothing was sent yet."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as error:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                return
            if isinstance(error, KetenradarError):
                await error_response(error)(scope, receive, send)
                return
            with use_language(scope.get("ketenradar.lang")):
                body = error_body("internal_error", _("an internal error occurred; it has been logged"))
            await JSONResponse(body, status_code=500)(scope, receive, send)
