"""Shared fixtures: the CLI runner, cached overviews and small file writers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ketenradar.cli import cli
from ketenradar.services.countries import CountryOverview, build_country_overview
from ketenradar.services.materials import MaterialOverview, build_material_overview


@pytest.fixture(scope="session")
def material_overview() -> MaterialOverview:
    return build_material_overview()


@pytest.fixture(scope="session")
def country_overview() -> CountryOverview:
    return build_country_overview()


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process and return click's result."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def run_json(run: Callable[..., Result]) -> Callable[..., Any]:
    """Run a CLI command with --format json, assert success and parse the output."""

    def invoke(*args: str) -> Any:
        result = run(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a small input file into the test's folder and return its path."""

    def writer(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return writer
