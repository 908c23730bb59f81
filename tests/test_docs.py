"""Docs stay current: every command in the CLI reference, a methodology page per indicator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from ketenradar.cli import cli
from ketenradar.risk.country import COUNTRY_INDICATORS

ROOT = Path(__file__).resolve().parent.parent


def _command_paths(group: click.Group, prefix: str) -> list[str]:
    paths = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}"
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, path))
    return paths


def test_docs_cli_reference_is_generated_and_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_cli_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_docs_every_command_is_documented() -> None:
    reference = (ROOT / "docs" / "cli.md").read_text()
    for path in _command_paths(cli, "ketenradar"):
        assert f"## `{path}`" in reference, path


def test_docs_every_indicator_has_a_methodology_page() -> None:
    pages = {p.stem: p.read_text() for p in (ROOT / "docs" / "methodology").glob("*.md")}
    assert {"supply-risk", "economic-importance", "country-risk", "outlook"} <= set(pages)
    for page in pages.values():
        for heading in ("## Formula", "## Limits", "## Sources"):
            assert heading in page or heading.replace("Formula", "Reserve lifetime") in page
    for name in COUNTRY_INDICATORS:
        assert f"`{name}`" in pages["country-risk"], name


def test_docs_readme_starts_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    commands = [line for line in lines[:6] if line.startswith("bash ")]
    assert [c.split()[1] for c in commands] == ["scripts/demo", "scripts/test"]
    assert "ketenradar demo" in (ROOT / "scripts" / "demo").read_text()
    assert "pytest" in (ROOT / "scripts" / "test").read_text()


def test_docs_tutorials_run(tmp_path, monkeypatch) -> None:
    import runpy

    monkeypatch.chdir(tmp_path)
    for tutorial in sorted((ROOT / "docs" / "tutorials").glob("*.py")):
        runpy.run_path(str(tutorial), run_name="__main__")
    assert (tmp_path / "ketenradar-report" / "index.html").is_file()
