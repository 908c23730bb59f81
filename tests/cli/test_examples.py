"""F4: a newcomer's first chain: `chain example`, then import and exposure, as the README shows."""

from __future__ import annotations

import json
import re
import shlex
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _readme_chain_commands() -> list[list[str]]:
    block = (ROOT / "README.md").read_text()
    lines = [line.split("#")[0].strip() for line in block.splitlines()]
    return [
        shlex.split(line)[1:]
        for line in lines
        if re.match(r"\.venv/bin/ketenradar chain (example|import|exposure) ", line)
    ]


def test_f04_readme_chain_lines_work_as_written(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KETENRADAR_WORKSPACE", str(tmp_path / "w.sqlite"))
    commands = _readme_chain_commands()
    assert [c[:2] for c in commands] == [["chain", "example"], ["chain", "import"], ["chain", "exposure"]]
    outputs = []
    for command in commands:
        result = run(*command)
        assert result.exit_code == 0, (command, result.output)
        outputs.append(result.stdout)
    assert "stored 'mine' version 1: 45 items" in outputs[1]
    exposure = run("chain", "exposure", "mine", "--format", "json")
    assert {p["id"] for p in json.loads(exposure.stdout)["platforms"]} >= {"frigate", "fighter"}


def test_f04_example_workbook_has_instructions_drop_downs_and_no_formulas(run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "my_chain.xlsx"
    result = run("chain", "example", str(out))
    assert result.exit_code == 0
    assert f"ketenradar chain import {out} --name NAME" in result.stdout
    book = load_workbook(out)
    assert {"instructions", "items", "bom", "sourcing", "lists"} <= set(book.sheetnames)
    assert book["items"].data_validations.count >= 2
    assert any("example chain" in str(c.value) for c in book["instructions"]["A"])
    ids = [c.value for c in book["items"]["A"][1:] if c.value]
    assert {"frigate", "fighter"} <= set(ids)
    with zipfile.ZipFile(out) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if "worksheets/" in n)


@pytest.mark.parametrize("name", ["example.json", "example_csv"])
def test_f04_example_in_other_formats_imports(run, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    assert run("chain", "example", str(out)).exit_code == 0
    result = run("chain", "import", str(out), "--name", "e", "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 0, result.output
    assert "45 items" in result.stdout
