"""Fixtures of the server tests: accounts in two companies and the observatory, the app, logins.

``server_store`` (tests/helpers/postgres.py) runs each test on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher

from ketenradar.server import create_server_app
from ketenradar.server.auth import LoginPolicy, utc_now
from ketenradar.server.passwords import Passwords
from ketenradar.storage.server import OBSERVATORY, ServerStore
from tests.api.support import TestClient

PASSWORD = "correct horse battery staple"
# name: (role, organisation)
USERS = {
    "alice": ("company", "acme"),
    "bob": ("company", "bolt"),
    "ana": ("analyst", OBSERVATORY),
    "root": ("admin", OBSERVATORY),
}


def fast_passwords() -> Passwords:
    """argon2id with the smallest parameters: the tests check the logic, not the cost."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@dataclass
class Clock:
    """A clock the test moves by hand (naive UTC, as the server's database keeps times)."""

    now: datetime = field(default_factory=utc_now)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def accounts(server_store: ServerStore) -> ServerStore:
    """The server's database with alice (acme), bob (bolt), ana (analyst) and root (admin)."""
    passwords = fast_passwords()
    for organisation in {org for _role, org in USERS.values()}:
        server_store.add_organisation(organisation)
    for name, (role, organisation) in USERS.items():
        server_store.add_user(name, role, organisation, passwords.hash(PASSWORD))
    return server_store


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_client(accounts: ServerStore, clock: Clock) -> Iterator[Callable[..., TestClient]]:
    """Return a function that starts the server app (options as create_server_app's) in a TestClient."""
    clients: list[TestClient] = []

    def make(**options: Any) -> TestClient:
        options.setdefault("passwords", fast_passwords())
        options.setdefault("clock", clock)
        options.setdefault("login_policy", LoginPolicy())
        client = TestClient(create_server_app(accounts, **options))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def login(client: TestClient, name: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in through the API and return the Authorization header of the token."""
    response = client.post("/api/v1/auth/token", data={"username": name, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
