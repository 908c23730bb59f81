"""The REST API application: ``create_app(store, ...)`` over the same services as the command line.

Everything a route needs comes through FastAPI dependencies (:func:`get_context`,
:func:`get_store`): the store, the material catalogue, the settings, the limits and the job
table. The multi-user server adds who is asking: its authentication leaves a store scoped to the
caller's organisation on the request, which :func:`get_store` returns; the routes stay as they are.

The language of messages follows ``?lang=nl`` or the ``Accept-Language`` header (English when
neither names a supported language). Request bodies are limited to ``max_upload_bytes``. Every
response carries the secure headers of :class:`SecureHeadersMiddleware`.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ketenradar.api.errors import CatchAllMiddleware, UploadTooLarge, install_error_handlers
from ketenradar.api.jobs import JobStates, JobTable
from ketenradar.locale import DEFAULT_LANGUAGE, LANGUAGES, use_language
from ketenradar.model.material import MaterialCatalogue
from ketenradar.services.provenance import package_version
from ketenradar.settings import Settings
from ketenradar.storage.base import Store
from ketenradar.web.state import request_store

__all__ = [
    "DEFAULT_MAX_UPLOAD_BYTES",
    "SECURE_HEADERS",
    "ApiContext",
    "ContextDep",
    "SecureHeadersMiddleware",
    "StoreDep",
    "create_app",
    "get_context",
    "get_store",
    "language_of",
]

DEFAULT_MAX_UPLOAD_BYTES = 50_000_000
# Documents an application keeps made (reference documents and chain versions' exposures).
MAX_DOCUMENTS = 256
# Requests one server process computes at once (anyio's default is 40 threads).
ROUTE_THREADS = int(os.environ.get("KETENRADAR_ROUTE_THREADS", "4"))
# Multipart framing and the name field around an uploaded file.
_FORM_OVERHEAD_BYTES = 64_000

DESCRIPTION = """\
ketenradar's REST API (v1): critical raw materials, country risk, value chains, scenarios and
measures, computed by the same services as the command line; each result is the JSON document of
the matching `ketenradar ... --format json` command.

Every error is `{"error": {"code", "message", "details"}}`. Messages are in English, or in Dutch
with `Accept-Language: nl` or `?lang=nl`. Monte Carlo runs as a background job: `POST
/api/v1/scenarios/montecarlo` answers 202 with a job id, `GET /api/v1/jobs/{id}` gives its progress
and, when done, its result. This is the single-user local mode: there is no authentication.
"""

# Sent with every response of both modes (the Content-Security-Policy is the dashboard's).
SECURE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

TAGS = [
    {"name": "reference", "description": "Materials and countries from the shipped reference data."},
    {"name": "chains", "description": "Stored value chains: upload, list, show, exposure, outlook."},
    {"name": "scenarios", "description": "Disruption scenarios: the library, runs and simulations."},
    {"name": "jobs", "description": "Background jobs (Monte Carlo): progress and result."},
    {"name": "measures", "description": "Mitigation measures ranked by the losses they avoid."},
]


@dataclass(frozen=True, slots=True)
class ApiContext:
    """What the routes work with: the store, the catalogue, the settings, the limits and the jobs."""

    store: Store
    catalogue: MaterialCatalogue
    settings: Settings
    max_upload_bytes: int
    jobs: JobTable
    # Documents that never change for their key (shipped data, settings and language, or a stored
    # chain version), the most recently used kept: callers choose parts of the keys.
    reference_documents: OrderedDict[tuple[str, ...], bytes] = field(default_factory=OrderedDict)
    reference_lock: threading.Lock = field(default_factory=threading.Lock)

    def reference_document(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        """Return the document made by ``make`` for ``key``; the last MAX_DOCUMENTS are kept."""
        with self.reference_lock:
            found = self.reference_documents.get(key)
            if found is not None:
                self.reference_documents.move_to_end(key)
                return found
        # Made outside the lock: one slow document does not hold up every other request.
        made = make()
        with self.reference_lock:
            self.reference_documents[key] = made
            while len(self.reference_documents) > MAX_DOCUMENTS:
                self.reference_documents.popitem(last=False)
        return made


def get_context(request: Request) -> ApiContext:
    """Return the application's context (a dependency of every route)."""
    context: ApiContext = request.app.state.ketenradar
    return context


def get_store(request: Request) -> Store:
    """Return the store a request may use: the caller's scoped store in server mode, else the workspace."""
    return request_store(request)


ContextDep = Annotated[ApiContext, Depends(get_context)]
StoreDep = Annotated[Store, Depends(get_store)]


def language_of(query_string: bytes, accept_language: str | None) -> str:
    """Return the language of a request: ``?lang=``, else the best of ``Accept-Language``, else English."""
    asked = parse_qs(query_string.decode("latin-1")).get("lang", [])
    for value in asked:
        if value.strip().lower() in LANGUAGES:
            return value.strip().lower()
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, parameters = part.strip().partition(";")
        weight = 1.0
        for parameter in parameters.split(";"):
            key, _eq, value = parameter.strip().partition("=")
            if key == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


class LanguageMiddleware:
    """Make the request's language the active one while the request is handled."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Choose the language from the query and headers, then run the app in it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        language = language_of(scope.get("query_string", b""), accept)
        scope["ketenradar.lang"] = language
        with use_language(language):
            await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse a request body larger than the limit: by its Content-Length, else while it streams in."""

    def __init__(self, app: ASGIApp, limit_bytes: int) -> None:
        self.app = app
        self.limit_bytes = limit_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with a receive channel that counts the body's bytes."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_bytes + _FORM_OVERHEAD_BYTES
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise UploadTooLarge(self.limit_bytes)
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from fastapi.responses import JSONResponse

        from ketenradar.api.errors import ketenradar_error_body

        with use_language(scope.get("ketenradar.lang")):
            status, body = ketenradar_error_body(UploadTooLarge(self.limit_bytes))
        await JSONResponse(body, status_code=status, headers={"Connection": "close"})(scope, receive, send)


class SecureHeadersMiddleware:
    """Add the secure headers to every response that does not set them itself.

    ``no_store``: responses other than the static assets also say ``Cache-Control: no-store``
    (the multi-user server: company data must not stay in a shared or browser cache).
    """

    def __init__(self, app: ASGIApp, content_security_policy: str, *, no_store: bool = False) -> None:
        self.app = app
        self.headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in {**SECURE_HEADERS, "Content-Security-Policy": content_security_policy}.items()
        ]
        self.no_store = no_store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, adding the missing headers to its response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.headers)
        if self.no_store and not str(scope.get("path", "")).startswith("/static/"):
            extra.append((b"cache-control", b"no-store"))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _value in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    store: Store,
    catalogue: MaterialCatalogue | None = None,
    settings: Settings | None = None,
    *,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    job_workers: int = 2,
    routers: Sequence[APIRouter] = (),
    middleware: Sequence[Middleware] = (),
    description: str | None = None,
    job_states: JobStates | None = None,
    no_store: bool = False,
) -> FastAPI:
    """Return the REST API over ``store`` (the shipped catalogue and default settings unless given).

    The multi-user server adds its ``routers`` (under ``/api/v1``, before the dashboard), its
    ``middleware`` (innermost: inside the language, body-limit and catch-all middlewares), its
    ``description``, the database that keeps the jobs' states and ``no_store`` caching.
    """
    from ketenradar.api.routes import ROUTERS
    from ketenradar.services.materials import defence_catalogue
    from ketenradar.web import include_dashboard
    from ketenradar.web.pages import CONTENT_SECURITY_POLICY

    jobs = JobTable(workers=job_workers, states=job_states)
    context = ApiContext(
        store=store,
        catalogue=catalogue if catalogue is not None else defence_catalogue(),
        settings=settings if settings is not None else Settings(),
        max_upload_bytes=max_upload_bytes,
        jobs=jobs,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # The routes compute with NumPy and pandas under the GIL: many threads at once only take
        # turns more often (measured: twice the CPU per request at 25 at once). Requests beyond
        # these wait in the event loop, which costs nothing; see benchmarks/README.md.
        anyio.to_thread.current_default_thread_limiter().total_tokens = ROUTE_THREADS
        yield
        jobs.shutdown()

    app = FastAPI(
        title="ketenradar",
        version=package_version(),
        description=description if description is not None else DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.ketenradar = context
    install_error_handlers(app)
    for router in (*ROUTERS, *routers):
        app.include_router(router, prefix="/api/v1")
    include_dashboard(app)  # the pages at / and their assets at /static/ (ketenradar.web)
    # Added last = outermost: the secure headers go on every response, the language is chosen,
    # then the body is limited, and the catch-all answers anything the handlers inside did not,
    # including an error of the server's own middleware (e.g. its database is unreachable).
    for extra in reversed(middleware):
        options: dict[str, Any] = dict(extra.kwargs)
        app.add_middleware(extra.cls, *extra.args, **options)
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit_bytes=max_upload_bytes)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(
        SecureHeadersMiddleware, content_security_policy=CONTENT_SECURITY_POLICY, no_store=no_store
    )
    return app
