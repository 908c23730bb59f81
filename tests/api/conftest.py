"""Fixtures of the REST API tests: a workspace with the demo chain, the app and its TestClient."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ketenradar.api import create_app
from ketenradar.cli import cli
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.chain import Chain
from ketenradar.services.materials import defence_catalogue
from ketenradar.storage import SqliteStore
from tests.api.support import TestClient, demo_folder


@pytest.fixture(scope="session")
def demo_chain() -> Chain:
    return read_chain_workbook(demo_folder(), list(defence_catalogue()), name="demo")


@pytest.fixture
def workspace(tmp_path: Path, demo_chain: Chain) -> Path:
    """A workspace file holding the demo chain as 'demo' (version 1)."""
    path = tmp_path / "workspace.sqlite"
    SqliteStore(path).save_chain(demo_chain)
    return path


@pytest.fixture
def client(workspace: Path) -> Iterator[TestClient]:
    with TestClient(create_app(SqliteStore(workspace))) as test_client:
        yield test_client


@pytest.fixture
def cli_json(workspace: Path) -> Callable[..., Any]:
    """Run a command with --format json (and --workspace where the command takes it); parse its output."""

    def invoke(*args: str, workspace_option: bool = True) -> Any:
        extra = ["--workspace", str(workspace)] if workspace_option else []
        result = CliRunner().invoke(cli, [*args, *extra, "--format", "json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke
