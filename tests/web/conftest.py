"""Fixtures of the dashboard tests: a workspace with the demo chain and the application's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ketenradar.api import create_app
from ketenradar.storage import SqliteStore
from tests.api.support import TestClient
from tests.web.support import demo_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_workspace(tmp_path_factory.mktemp("web") / "workspace.sqlite")


@pytest.fixture(scope="module")
def client(workspace: Path) -> Iterator[TestClient]:
    with TestClient(create_app(SqliteStore(workspace))) as test_client:
        yield test_client
