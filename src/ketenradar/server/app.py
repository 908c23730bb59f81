"""``create_server_app(server_store)``: the REST API and the dashboard with accounts, over one database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NoReturn, cast

from fastapi import FastAPI
from starlette.middleware import Middleware

from ketenradar.api.app import DEFAULT_MAX_UPLOAD_BYTES, create_app
from ketenradar.model.material import MaterialCatalogue
from ketenradar.server.auth import (
    DEFAULT_TOKEN_LIFETIME,
    Accounts,
    AuthenticationMiddleware,
    Authenticator,
    LoginPolicy,
    utc_now,
)
from ketenradar.server.passwords import Passwords
from ketenradar.server.routes import auth_router, pages_router, surveys_router
from ketenradar.settings import Settings

if TYPE_CHECKING:
    from ketenradar.storage.base import Store

__all__ = ["DESCRIPTION", "SECURITY_SCHEME", "create_server_app"]

DESCRIPTION = """\
ketenradar's observatory server (REST API v1): critical raw materials, country risk, value chains,
scenarios and measures, computed by the same services as the command line; each result is the JSON
document of the matching `ketenradar ... --format json` command.

Log in with `POST /api/v1/auth/token` (form fields `username`, `password`; OAuth2 password flow)
and send the token as `Authorization: Bearer <token>`; it expires (`expires_in` seconds) and
`POST /api/v1/auth/logout` revokes it. Without a valid token every route but the login answers
401. A company user sees only its own organisation's chains, surveys and jobs: anything else is
404 with the same body as a thing that does not exist. Analysts and administrators also get
`GET /api/v1/surveys/aggregate`, counts over every organisation with disclosure control.

Every error is `{"error": {"code", "message", "details"}}`. Messages are in English, or in Dutch
with `Accept-Language: nl` or `?lang=nl`. Monte Carlo runs as a background job: `POST
/api/v1/scenarios/montecarlo` answers 202 with a job id, `GET /api/v1/jobs/{id}` gives its progress
and, when done, its result (from any server process).
"""

SECURITY_SCHEME = "OAuth2PasswordBearer"
LOGIN_PATH = "/api/v1/auth/token"
UNAUTHENTICATED_RESPONSE = {
    "description": "Not logged in, or the token has expired or was revoked (WWW-Authenticate: Bearer).",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
}


class Unscoped:
    """The store of a request that has no caller: every use is a bug, so it fails loudly."""

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError(f"store.{name} used without a logged-in caller (no organisation)")


def create_server_app(
    server_store: Accounts,
    catalogue: MaterialCatalogue | None = None,
    settings: Settings | None = None,
    *,
    passwords: Passwords | None = None,
    token_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME,
    login_policy: LoginPolicy | None = None,
    clock: Callable[[], datetime] = utc_now,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    job_workers: int = 2,
) -> FastAPI:
    """Return the multi-user API and dashboard over ``server_store`` (a ServerStore, upgraded).

    ``passwords``: the argon2 parameters (default: argon2-cffi's); ``token_lifetime``: how long
    a login lasts; ``login_policy``: the rate limit of failed logins; ``clock``: the time (UTC).
    """
    authenticator = Authenticator(
        accounts=server_store,
        passwords=passwords if passwords is not None else Passwords(),
        token_lifetime=token_lifetime,
        policy=login_policy if login_policy is not None else LoginPolicy(),
        clock=clock,
    )
    app = create_app(
        cast("Store", Unscoped()),
        catalogue,
        settings,
        max_upload_bytes=max_upload_bytes,
        job_workers=job_workers,
        routers=(auth_router, surveys_router),
        middleware=(Middleware(AuthenticationMiddleware, authenticator=authenticator),),
        description=DESCRIPTION,
        job_states=server_store,
        no_store=True,
    )
    app.state.ketenradar_auth = authenticator
    app.include_router(pages_router)
    _document_security(app)
    return app


def _document_security(app: FastAPI) -> None:
    """Add the bearer token login to the OpenAPI description (every operation but the login)."""
    made = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = made()
        schema.setdefault("components", {})["securitySchemes"] = {
            SECURITY_SCHEME: {
                "type": "oauth2",
                "flows": {"password": {"tokenUrl": LOGIN_PATH, "scopes": {}}},
            }
        }
        schema["security"] = [{SECURITY_SCHEME: []}]
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                if path == LOGIN_PATH:
                    operation["security"] = []
                    continue
                operation.setdefault("responses", {}).setdefault("401", UNAUTHENTICATED_RESPONSE)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
