"""The dependency direction of STYLE.md: the numerical core touches no files, SQL, clock or edges."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ketenradar"
CORE = ("risk", "network", "scenarios")
ALLOWED = ("ketenradar.model", "ketenradar._types", "ketenradar.errors", *(f"ketenradar.{c}" for c in CORE))
FORBIDDEN_MODULES = {
    "sqlite3",
    "duckdb",
    "pathlib",
    "os",
    "io",
    "open",
    "datetime",
    "time",
    "requests",
    "click",
    "rich",
    "yaml",
    "json",
    "openpyxl",
    "matplotlib",
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_core_imports_only_the_model_and_itself() -> None:
    offenders = []
    for package in CORE:
        for path in (PACKAGE / package).glob("*.py"):
            for name in _imports(path):
                if name.startswith("ketenradar") and not name.startswith(ALLOWED):
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
                if name.split(".")[0] in FORBIDDEN_MODULES:
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_core_never_opens_files() -> None:
    for package in CORE:
        for path in (PACKAGE / package).glob("*.py"):
            tree = ast.parse(path.read_text())
            calls = [
                n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            ]
            assert "open" not in calls, path


def test_sql_lives_only_in_storage_and_the_trade_engine() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        if "INSERT INTO" in text or "CREATE TABLE" in text:
            assert path.parent.name == "storage" or path.name == "trade.py", path
