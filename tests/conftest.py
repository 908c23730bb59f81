"""Shared fixtures: the CLI runner, cached overviews, the English demo report and small file writers.

``tests/`` is a package that mirrors ``src/ketenradar/``, so test modules of the same name in
different folders do not clash; helpers shared by several modules are in ``tests/helpers/``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# Plain asserts in the helpers report their values like those in the tests.
pytest.register_assert_rewrite("tests.helpers")

from click.testing import CliRunner, Result  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from ketenradar.cli import cli  # noqa: E402
from ketenradar.services.countries import CountryOverview, build_country_overview  # noqa: E402
from ketenradar.services.materials import MaterialOverview, build_material_overview  # noqa: E402

# A real PostgreSQL and the server store on both databases (postgres_server, database_url, ...).
pytest_plugins = ["tests.helpers.postgres"]

# A loaded machine (pytest -n auto, CI) must not turn slow examples into failures: no deadline,
# no too_slow health check. Each test keeps its own max_examples (unset here: Hypothesis' 100).
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def material_overview() -> MaterialOverview:
    return build_material_overview()


@pytest.fixture(scope="session")
def country_overview() -> CountryOverview:
    return build_country_overview()


@pytest.fixture(scope="session")
def demo_report_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the English demo report once per session (per xdist worker); return its index.html.

    Shared by every test that only reads the report: do not write into its folder. A test that
    needs its own build (another language, a failing section) calls ``run_demo`` itself.
    """
    from ketenradar.reports.demo import run_demo

    return run_demo(tmp_path_factory.mktemp("demo-en") / "ketenradar-report")


@pytest.fixture(scope="session")
def demo_report_nl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the Dutch demo report once per session (per xdist worker); return its index.html."""
    from ketenradar.reports.demo import run_demo

    return run_demo(tmp_path_factory.mktemp("demo-nl") / "rapport", lang="nl")


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
