"""Start-up: help, version and mistakes answer without importing pandas & co. (issue 9).

Each case runs in a fresh interpreter, which reports the heavy modules and the command modules
that were imported. What is checked is what gets imported, not how long it takes (that is
benchmarks/bench_startup.py's job).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

import ketenradar.cli
from ketenradar import __version__
from ketenradar.cli import COMMAND_MODULES, cli
from ketenradar.locale import translate

HEAVY = ("pandas", "numpy", "scipy", "matplotlib", "duckdb", "openpyxl", "jinja2", "pydantic")
# What the defaults and choices shown in `chain` and `survey` help still pull in (see below).
COMMAND_MODULE_NAMES = {module for modules in COMMAND_MODULES.values() for module in modules}
SCRIPT = f"""
import sys
from ketenradar.cli import main
sys.argv[0] = "ketenradar"
code = 0
try:
    main()
except SystemExit as stop:
    code = stop.code
loaded = [m for m in sys.modules if m in {HEAVY!r} or m.startswith("ketenradar.cli.")]
print("exit", code, *sorted(loaded), file=sys.stderr)
"""


@cache
def _fresh(*args: str) -> tuple[int, str, set[str]]:
    """Run the command line in a new interpreter; return exit code, output and imported modules."""
    env = {k: v for k, v in os.environ.items() if k not in ("KETENRADAR_LANG", "KETENRADAR_CONFIG")}
    env["COLUMNS"] = "80"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, env=env, check=False
    )
    *errors, report = done.stderr.splitlines()
    word, code, *modules = report.split()
    assert word == "exit", done.stderr
    return int(code), done.stdout + "\n".join(errors), set(modules)


ROOT_CASES = [
    (("--help",), 0, ["Usage: ketenradar [OPTIONS] COMMAND [ARGS]...", "Commands:", *COMMAND_MODULES]),
    (
        ("--lang", "nl", "--help"),
        0,
        [translate("Usage:", "nl"), translate("Commands", "nl"), "chain", "trade"],
    ),
    (("--version",), 0, [f"ketenradar, version {__version__}"]),
    (("chian",), 2, ["No such command 'chian'", "Did you mean 'chain'?"]),
    (("--no-such-option",), 2, ["No such option '--no-such-option'"]),
]
SUBCOMMAND_CASES = [
    (("trade", "--help"), 0, ["Usage: ketenradar trade [OPTIONS] COMMAND", "concentration", "groups"]),
    (("trade", "concentraton"), 2, ["No such command 'concentraton'", "'concentration'"]),
    (("trade", "concentration"), 2, ["Usage: ketenradar trade concentration", "Missing argument 'FILE'"]),
    (("criticality", "compute"), 2, ["Missing argument 'INPUTS'"]),
]
# These groups show defaults and choices from modules that import pandas, NumPy and SciPy
# (services.chains, services.survey, model.vocabulary through ketenradar.model).
HEAVY_DEFAULT_CASES = [
    (("chain", "--help"), 0, ["Usage: ketenradar chain [OPTIONS] COMMAND", "exposure", "example"]),
    (("chain", "exposur"), 2, ["No such command 'exposur'", "'exposure'"]),
    (("chain", "exposure"), 2, ["Missing argument 'WORKBOOK|NAME'"]),
    (("survey", "--help"), 0, ["Usage: ketenradar survey [OPTIONS] COMMAND", "summary", "synth"]),
]


def _ids(case: tuple[tuple[str, ...], int, list[str]]) -> str:
    return " ".join(case[0])


def _light_run(case: tuple[tuple[str, ...], int, list[str]]) -> set[str]:
    """Run a case in a fresh process, check its exit code and text; return the modules it loaded."""
    args, exit_code, expected = case
    code, output, modules = _fresh(*args)
    assert code == exit_code, output
    for text in expected:
        assert text in output
    assert modules.isdisjoint(HEAVY), modules
    return modules


@pytest.mark.parametrize("case", ROOT_CASES, ids=_ids)
def test_root_help_version_and_mistakes_import_no_command_module(
    case: tuple[tuple[str, ...], int, list[str]],
) -> None:
    assert _light_run(case).isdisjoint(COMMAND_MODULE_NAMES)


@pytest.mark.parametrize("case", SUBCOMMAND_CASES, ids=_ids)
def test_group_help_and_mistakes_import_no_heavy_module(case: tuple[tuple[str, ...], int, list[str]]) -> None:
    assert "ketenradar.cli.chains" not in _light_run(case)


@pytest.mark.parametrize("case", HEAVY_DEFAULT_CASES, ids=_ids)
def test_chain_and_survey_help_import_no_heavy_module(case: tuple[tuple[str, ...], int, list[str]]) -> None:
    # The defaults these commands show live in ketenradar.model.defaults, which imports nothing.
    _light_run(case)


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_root_help_lists_the_commands_as_they_are_once_imported(lang: str) -> None:
    # A fresh root lists stand-ins made from the commands' docstrings; here every command is loaded.
    code, fresh, modules = _fresh("--lang", lang, "--help")
    assert code == 0 and modules.isdisjoint(COMMAND_MODULE_NAMES)
    assert all(command.help for command in cli.commands.values())
    # click wraps help at the terminal's width less 2: COLUMNS=80 in the fresh process.
    result = CliRunner().invoke(cli, ["--lang", lang, "--help"], prog_name="ketenradar", terminal_width=78)
    assert result.exit_code == 0
    assert fresh.strip() == result.stdout.strip()


def test_every_command_of_the_root_is_in_the_table_with_its_module() -> None:
    # A command added to the root in a module the table does not name would never be imported.
    found = {}
    for path in sorted(Path(ketenradar.cli.__file__).parent.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and isinstance(d.func.value, ast.Name)
                and d.func.value.id == "cli"
                for d in node.decorator_list
            ):
                found[node.name] = f"ketenradar.cli.{path.stem}"
    assert found == {name: modules[0] for name, modules in COMMAND_MODULES.items()}
