"""The observatory server: the REST API and dashboard for many users over one database (issue 13).

``create_server_app(server_store)`` is :func:`ketenradar.api.create_app` with who is asking:
password login (argon2) with a rate limit, bearer tokens and a session cookie kept in the
database (several server processes can share it), roles, the dashboard's login page with CSRF
protection, questionnaire routes, and each request's store scoped to the caller's organisation.
docs/server.md describes accounts, login and isolation.
"""

from __future__ import annotations

from ketenradar.server.app import DESCRIPTION, create_server_app

__all__ = ["DESCRIPTION", "create_server_app"]
