"""Protection of the dashboard's forms and cookies: CSRF double submit and same-origin checks.

The login and logout forms carry a random token that must equal the one in the
``ketenradar_csrf`` cookie (HttpOnly, SameSite=Strict): another site can make a browser send
the cookie's request, but can neither read the cookie nor guess the token. A request
authenticated by the session cookie that changes something (POST, PUT, PATCH, DELETE) is refused
when the browser says it came from another site, so the scenario runner's own ``fetch`` calls
work and another site's do not. The secure headers themselves are sent by
:class:`ketenradar.api.app.SecureHeadersMiddleware`, in both modes.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.types import Scope

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "cookie_options",
    "csrf_matches",
    "from_other_site",
    "new_csrf_token",
    "safe_next",
]

SESSION_COOKIE = "ketenradar_session"
CSRF_COOKIE = "ketenradar_csrf"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_csrf_token() -> str:
    """Return a fresh random CSRF token (256 bits)."""
    return secrets.token_urlsafe(32)


def csrf_matches(cookie: str | None, field: str | None) -> bool:
    """Return whether a form's CSRF field equals its cookie (both present, compared in constant time)."""
    if not cookie or not field:
        return False
    return secrets.compare_digest(cookie.encode("utf-8"), field.encode("utf-8"))


def cookie_options(secure: bool) -> dict[str, object]:
    """Return the options of the session and CSRF cookies: HttpOnly, SameSite=Strict, whole site."""
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": "/"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            text: str = value.decode("latin-1")
            return text
    return None


def from_other_site(scope: Scope) -> bool:
    """Return whether the browser says a request came from another site (Sec-Fetch-Site or Origin).

    A request without either header (curl, a script with a token) is not from a browser page.
    """
    fetch_site = _header(scope, b"sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in ("same-origin", "none"):
        return True
    origin = _header(scope, b"origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    host = _header(scope, b"host") or ""
    return urlsplit(origin).netloc.lower() != host.lower()


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Return a path on this server to go to after logging in; anything else becomes ``fallback``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    if any(ord(c) < 32 for c in target):
        return fallback
    return target
