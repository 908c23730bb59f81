"""The layers of STYLE.md and docs/architecture.md, checked on the code's own imports.

``model ← refdata, ingest, risk, network ← scenarios ← mitigation ← services ← reports ← cli``, with
``locale``, ``errors`` and ``_types`` as the base every layer may use. Imports inside functions
count too. SQL runs only in ``storage``; the numerical core touches no files, SQL or clock.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ketenradar"
BASE = {"_types", "locale", "errors"}
# Which layers each layer may import (besides itself and the base).
ALLOWED: dict[str, set[str]] = {
    "_types": set(),
    "locale": {"_types"},
    "errors": {"locale"},
    "model": set(),
    "refdata": {"model"},
    "risk": {"model"},
    # network uses the one HHI of risk.concentration
    "network": {"model", "risk"},
    # ingest validates a bill of materials with the core's graph functions (levels, cycles)
    "ingest": {"model", "refdata", "network"},
    "scenarios": {"model", "risk", "network"},
    # action on the core's results: measures re-run scenarios, procurement scores bids
    "mitigation": {"model", "risk", "network", "scenarios"},
    "storage": {"model", "refdata"},
    "settings": {"model", "risk", "ingest"},
    "services": {
        "model",
        "refdata",
        "ingest",
        "risk",
        "network",
        "scenarios",
        "mitigation",
        "storage",
        "root",
    },
    "reports": {"model", "services"},
    # the REST API: the services' edge for HTTP, like cli; it validates bodies with ingest's readers
    "api": {"model", "ingest", "storage", "services", "settings", "root", "web"},
    # the dashboard: pages over the same services as the API, mounted by api.create_app
    "web": {"model", "ingest", "storage", "services", "settings", "root"},
    # the observatory server: the API and dashboard with who is asking, over the server store
    "server": {"model", "ingest", "storage", "services", "settings", "root", "api", "web"},
    # cli imports api and server only to serve them (`ketenradar serve`) and to hash passwords
    "cli": {"model", "ingest", "storage", "services", "reports", "settings", "root", "api", "server"},
    "root": {"model", "refdata", "risk", "services"},
    "demo_data": set(),
}
TOP_LEVEL_MODULES = {"__init__", "errors", "_types", "settings"}
CORE = ("risk", "network", "scenarios")
FORBIDDEN_IN_CORE = {
    "sqlite3",
    "duckdb",
    "pathlib",
    "os",
    "io",
    "datetime",
    "time",
    "requests",
    "click",
    "rich",
    "yaml",
    "json",
    "openpyxl",
    "matplotlib",
    "jinja2",
}
SQL_CALLS = {"execute", "executemany", "executescript", "read_sql", "read_sql_query", "sql"}
# SQL as ketenradar writes it: upper-case keywords.
SQL_TEXT = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|\bCREATE (OR REPLACE )?(TEMP )?TABLE\b"
    r"|\bUPDATE \w+ SET\b|\bDELETE FROM\b",
    re.DOTALL,
)


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    if len(relative.parts) == 1:
        return "root" if relative.stem == "__init__" else relative.stem
    return relative.parts[0]


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _ketenradar_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "ketenradar" or name.startswith("ketenradar.")]


def _target_layer(module: str) -> str:
    parts = module.split(".")
    return "root" if len(parts) == 1 else parts[1]


def test_only_the_allowed_top_level_modules() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules <= TOP_LEVEL_MODULES, modules - TOP_LEVEL_MODULES


def test_every_import_follows_the_dependency_direction() -> None:
    offenders = []
    for path in _modules():
        layer = _layer(path)
        assert layer in ALLOWED, f"{path.relative_to(PACKAGE)}: layer {layer!r} is not in the architecture"
        for line, module in _ketenradar_imports(path):
            target = _target_layer(module)
            if target == layer or target in BASE or target in ALLOWED[layer]:
                continue
            offenders.append(f"{path.relative_to(PACKAGE)}:{line} ({layer}) imports {module}")
    assert offenders == []


@pytest.mark.parametrize("package", CORE)
def test_core_touches_no_files_sql_clock_or_edges(package: str) -> None:
    offenders = []
    for path in (PACKAGE / package).glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                offenders.append(f"{path.name}:{node.lineno} calls open()")
            offenders += [
                f"{path.name}:{node.lineno} imports {n}"
                for n in names
                if n.split(".")[0] in FORBIDDEN_IN_CORE
            ]
    assert offenders == []


def test_sql_runs_only_in_storage() -> None:
    offenders = []
    for path in _modules():
        if _layer(path) == "storage":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} calls .{node.func.attr}(")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.search(node.value):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} holds SQL text")
    assert offenders == []


def test_the_architecture_check_sees_a_violation(tmp_path: Path) -> None:
    # A core module importing the command line must be caught by the same rules.
    tree = "from ketenradar.cli import cli\n"
    path = tmp_path / "bad.py"
    path.write_text(tree)
    (module,) = [m for _line, m in _ketenradar_imports(path)]
    assert _target_layer(module) == "cli" and "cli" not in ALLOWED["risk"]
