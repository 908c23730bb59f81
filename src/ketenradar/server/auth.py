"""Who is asking: password login with a rate limit, bearer tokens, and the authentication middleware.

A token is ``secrets.token_urlsafe(32)``; the database keeps only its SHA-256 digest, with the
user and the expiry, so any server process can check it and a stolen database holds no usable
token. Every failed login is recorded in the database: after ``max_failures`` failures for a
name or from a client within ``window``, logins for that name or from that client are refused
with 429 until the window has passed, across every server process.

A wrong name, a wrong password and a disabled account give one and the same answer, and an
unknown name costs one password verification too, so neither the answer nor its time tells
which names exist.

:class:`AuthenticationMiddleware` resolves the caller of every request (except the login
itself, the login page, ``/static/`` and ``/openapi.json``) from ``Authorization: Bearer`` or the
session cookie, and leaves on the request the store scoped to the caller's organisation
(``request.state.ketenradar_store``, read by every route and page through
:func:`ketenradar.web.state.request_store`) and the caller (``request.state.ketenradar_user``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

from anyio import to_thread
from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from ketenradar.api.errors import CrossSiteRefused, NotAuthenticated, TooManyLogins, error_response
from ketenradar.api.jobs import job_owner
from ketenradar.server.passwords import Passwords
from ketenradar.server.security import SAFE_METHODS, SESSION_COOKIE, from_other_site
from ketenradar.web.state import REQUEST_STORE_ATTRIBUTE

if TYPE_CHECKING:
    from ketenradar.model.survey import Survey
    from ketenradar.storage.base import Store
    from ketenradar.storage.server import UserRecord

__all__ = [
    "DEFAULT_TOKEN_LIFETIME",
    "PUBLIC_PATHS",
    "USER_ATTRIBUTE",
    "Accounts",
    "AuthenticationMiddleware",
    "Authenticator",
    "IssuedToken",
    "LoginPolicy",
    "caller",
    "new_token",
    "token_digest",
    "utc_now",
]

DEFAULT_TOKEN_LIFETIME = timedelta(hours=8)
TOKEN_BYTES = 32
# The longest user name and client address the database keeps; longer input is cut to record it.
MAX_RECORDED = 200
# Where the middleware leaves the caller (the scoped store goes to web.state's attribute).
USER_ATTRIBUTE = "ketenradar_user"
TOKEN_ATTRIBUTE = "ketenradar_token"
# Paths anyone may ask for: the login itself, its page, the assets and the API's description.
PUBLIC_PATHS = frozenset({"/api/v1/auth/token", "/login", "/logout", "/openapi.json"})
PUBLIC_PREFIXES = ("/static/",)


class Accounts(Protocol):
    """What the server uses of :class:`ketenradar.storage.server.ServerStore`."""

    def user_with_hash(self, name: str) -> tuple[UserRecord, str] | None:
        """Return a user and their password hash, or None."""
        ...

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a user's password hash."""
        ...

    def add_token(self, token_digest: str, user_id: int, expires_at: datetime) -> None:
        """Store a token's digest for a user until ``expires_at``."""
        ...

    def user_for_token(self, token_digest: str, now: datetime) -> UserRecord | None:
        """Return the user of a valid token, or None (unknown, expired, revoked or disabled)."""
        ...

    def revoke_token(self, token_digest: str) -> None:
        """Make a token invalid."""
        ...

    def record_login(self, name: str, client: str, success: bool, at: datetime) -> int:
        """Record one login attempt; return its key."""
        ...

    def settle_login(self, attempt: int, success: bool) -> None:
        """Set the outcome of an attempt recorded before its password was checked (True: not a failure)."""
        ...

    def failed_logins_since(self, name: str, client: str, since: datetime) -> int:
        """Return the failed logins for that name or from that client since ``since``."""
        ...

    def append_audit(
        self, user: str, organisation: str, action: str, target: str, outcome: str, detail: str = ""
    ) -> None:
        """Append one row to the audit log."""
        ...

    def scoped(self, organisation: str, *, user: str = "") -> Store:
        """Return the store of one organisation's data, audited as ``user``."""
        ...

    def latest_surveys(self, before: int | None = None) -> list[tuple[str, Survey]]:
        """Return each organisation's most recent answers (before the submission ``before``)."""
        ...

    def latest_survey_keys(self) -> tuple[int, ...]:
        """Return the keys of each organisation's most recent answers."""
        ...

    def save_job(self, job_id: str, organisation: str, kind: str, state: dict[str, Any]) -> None:
        """Save (insert or replace) a background job's state."""
        ...

    def load_job(self, job_id: str, organisation: str) -> dict[str, Any] | None:
        """Return a job's saved state, or None if unknown or another organisation's."""
        ...


def utc_now() -> datetime:
    """Return the current time in UTC, without a time zone (as the server's database keeps times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_token() -> str:
    """Return a new random token (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest of a token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class LoginPolicy:
    """The rate limit of logins: at most ``max_failures`` failures per name or client per ``window``."""

    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token given at login: the token itself (shown once), its user and seconds until it expires."""

    token: str
    user: UserRecord
    expires_in: int

    def to_json(self) -> dict[str, Any]:
        """Return the OAuth2 token response."""
        return {"access_token": self.token, "token_type": "bearer", "expires_in": self.expires_in}


@dataclass
class Authenticator:
    """Logins, tokens and logouts over the server's database."""

    accounts: Accounts
    passwords: Passwords = field(default_factory=Passwords)
    token_lifetime: timedelta = DEFAULT_TOKEN_LIFETIME
    policy: LoginPolicy = field(default_factory=LoginPolicy)
    clock: Callable[[], datetime] = utc_now

    def login(self, name: str, password: str, client: str) -> IssuedToken:
        """Check a name and password and return a new token; raise NotAuthenticated or TooManyLogins.

        The attempt is recorded for the rate limit and in the audit log; a hash made with older
        parameters is renewed.
        """
        now = self.clock()
        # No user has a longer name, so a cut name still counts against the rate limit.
        recorded, client = name[:MAX_RECORDED], client[:MAX_RECORDED]
        # Counted as a failure before the password is checked, so guesses sent at the same moment
        # see one another: at most max_failures of them are checked (the review's 40 at once got
        # 7 when each was counted after its check). A right password settles it as a success.
        attempt = self.accounts.record_login(recorded, client, False, now)
        failures = self.accounts.failed_logins_since(recorded, client, now - self.policy.window)
        if failures > self.policy.max_failures:
            # Not a guess that was checked: it does not count once refused (the lock then ends
            # max_failures' window after the failures that caused it, as it did before).
            self.accounts.settle_login(attempt, True)
            self.accounts.append_audit(
                recorded, "", "auth.login", recorded, "rate_limited", f"client={client}"
            )
            raise TooManyLogins(int(self.policy.window.total_seconds()))
        found = self.accounts.user_with_hash(name) if len(name) <= MAX_RECORDED else None
        if found is None:
            self.passwords.verify_dummy(password)
            accepted = False
            organisation = ""
        else:
            user, password_hash = found
            # The password is checked for a disabled user too: the time must not tell.
            accepted = self.passwords.verify(password_hash, password) and not user.disabled
            organisation = user.organisation
        if accepted:
            self.accounts.settle_login(attempt, True)
        if not accepted or found is None:
            self.accounts.append_audit(
                recorded, organisation, "auth.login", recorded, "failed", f"client={client}"
            )
            raise NotAuthenticated()
        if self.passwords.needs_rehash(password_hash):
            self.accounts.set_password_hash(name, self.passwords.hash(password))
        token = new_token()
        self.accounts.add_token(token_digest(token), user.id, now + self.token_lifetime)
        self.accounts.append_audit(user.name, user.organisation, "auth.login", name, "ok", f"client={client}")
        return IssuedToken(token, user, int(self.token_lifetime.total_seconds()))

    def user_for(self, token: str) -> UserRecord | None:
        """Return the user of a valid token, or None."""
        return self.accounts.user_for_token(token_digest(token), self.clock())

    def logout(self, token: str, user: UserRecord) -> None:
        """Revoke a token and record the logout."""
        self.accounts.revoke_token(token_digest(token))
        self.accounts.append_audit(user.name, user.organisation, "auth.logout", user.name, "ok")

    def refused(self, user: UserRecord | None, target: str, outcome: str, detail: str = "") -> None:
        """Record a refused access in the audit log (who, what, why)."""
        self.accounts.append_audit(
            user.name if user else "",
            user.organisation if user else "",
            "access.refused",
            target,
            outcome,
            detail,
        )


def bearer_token(connection: HTTPConnection) -> tuple[str | None, bool]:
    """Return the request's token and whether it came from the session cookie (not a header)."""
    authorization = connection.headers.get("authorization", "")
    scheme, _sep, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = connection.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else (None, False)


def caller(request: Request) -> UserRecord:
    """Return the logged-in caller of a request (a dependency); raise NotAuthenticated if none."""
    user: UserRecord | None = getattr(request.state, USER_ATTRIBUTE, None)
    if user is None:
        raise NotAuthenticated()
    return user


def request_token(request: Request) -> str | None:
    """Return the token the request was authenticated with."""
    token: str | None = getattr(request.state, TOKEN_ATTRIBUTE, None)
    return token


def is_public(path: str) -> bool:
    """Return whether a path may be asked for without logging in."""
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


class AuthenticationMiddleware:
    """Resolve the caller of every request but the public ones; refuse or redirect when there is none."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate the request, then run the app with the caller's scoped store on it."""
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            # No route speaks anything but HTTP; a WebSocket is closed before it is accepted.
            await send({"type": "websocket.close", "code": 1008})
            return
        path: str = scope.get("path", "")
        if is_public(path):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        token, from_cookie = bearer_token(connection)
        user = await to_thread.run_sync(self.authenticator.user_for, token) if token else None
        if user is None:
            if token:
                await to_thread.run_sync(self.authenticator.refused, None, path, "invalid_token")
            if path.startswith("/api/"):
                await error_response(NotAuthenticated())(scope, receive, send)
                return
            target = path + (
                "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""
            )
            await RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)(
                scope, receive, send
            )
            return
        if from_cookie and scope.get("method", "GET") not in SAFE_METHODS and from_other_site(scope):
            await to_thread.run_sync(self.authenticator.refused, user, path, "cross_site")
            await error_response(CrossSiteRefused())(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        scoped = self.authenticator.accounts.scoped(user.organisation, user=user.name)
        state[REQUEST_STORE_ATTRIBUTE] = scoped
        state[USER_ATTRIBUTE] = user
        state[TOKEN_ATTRIBUTE] = token
        with job_owner(user.organisation):
            await self.app(scope, receive, send)
