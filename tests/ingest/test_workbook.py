"""F4: bad workbooks are refused with sheet, row and column, all at once; nothing is stored."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers.chains import SHARED, write_chain


def _edit(files: dict[str, str], sheet: str, old: str, new: str) -> dict[str, str]:
    edited = dict(files)
    assert old in edited[sheet], old
    edited[sheet] = edited[sheet].replace(old, new)
    return edited


def _counts(workspace: Path) -> tuple[int, ...]:
    if not workspace.exists():
        return (0, 0, 0, 0)
    with sqlite3.connect(workspace) as connection:
        return tuple(
            connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("chains", "items", "bom", "sourcing")
        )


CASES = [
    pytest.param(
        _edit(SHARED, "bom.csv", "turret,w,10", "turret,wolfram,10"),
        ["sheet 'bom'", "row 6", "column 'child'", "unknown item id", "'wolfram'"],
        id="unknown-id",
    ),
    pytest.param(
        _edit(SHARED, "items.csv", "ifv,Infantry", "tank,Infantry"),
        ["sheet 'items'", "row 3", "column 'id'", "duplicate row"],
        id="duplicate-id",
    ),
    pytest.param(
        _edit(SHARED, "bom.csv", "magnet,ndpr,0.5", "magnet,ndpr,0.5\nmagnet,engine,1"),
        ["sheet 'bom'", "has a cycle: "],
        id="cycle",
    ),
    pytest.param(
        _edit(SHARED, "sourcing.csv", "engine,FRA,0.4", "engine,FRA,0.3"),
        ["sheet 'sourcing'", "row 4", "column 'share'", "sum to 0.9", "0.1 less than 1"],
        id="shares-not-one",
    ),
    pytest.param(
        _edit(SHARED, "sourcing.csv", "magnet,CHN,1", "magnet,CHINA,1"),
        ["sheet 'sourcing'", "row 7", "column 'country'", "unknown country code"],
        id="unknown-country",
    ),
    pytest.param(
        _edit(
            SHARED,
            "items.csv",
            "ga,Gallium,material,,,gallium,kg",
            "ga,Gallium,material,,,galium,kg",
        ),
        ["sheet 'items'", "row 9", "column 'material'", "unknown material id", "'galium'"],
        id="unknown-material",
    ),
    pytest.param(
        _edit(SHARED, "bom.csv", "engine,magnet,4", "engine,magnet,-4"),
        ["sheet 'bom'", "row 5", "column 'quantity'", "out of range", "> 0"],
        id="negative-quantity",
    ),
    pytest.param(
        _edit(SHARED, "bom.csv", "engine,magnet,4", "engine,magnet,four"),
        ["sheet 'bom'", "row 5", "column 'quantity'", "not a number"],
        id="non-numeric-quantity",
    ),
    pytest.param(
        _edit(
            SHARED,
            "items.csv",
            "magnet,Magnet,component,land,,,unit",
            "magnet,Magnet,component,land,,gallium,unit",
        ),
        ["sheet 'items'", "row 6", "column 'kind'", "wrong kind on a material row"],
        id="wrong-kind",
    ),
    pytest.param(
        _edit(SHARED, "items.csv", "w,Tungsten,material,,,tungsten,kg", "w,Tungsten,material,,,,kg"),
        ["sheet 'items'", "row 7", "column 'material'", "material item without a material id"],
        id="material-without-id",
    ),
    pytest.param(
        _edit(SHARED, "items.csv", "id,name,kind", "id,label,kind"),
        ["sheet 'items'", "row 1", "column 'name'", "required column is missing"],
        id="missing-column",
    ),
    pytest.param(
        _edit(SHARED, "sourcing.csv", "w,CHN,1,mining", "w,CHN,1,manufacturing"),
        ["sheet 'sourcing'", "column 'stage'", "mining or processing"],
        id="material-manufacturing",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_f04_bad_workbook_is_refused_and_nothing_is_stored(run, tmp_path: Path, files, expected) -> None:
    workspace = tmp_path / "ws.sqlite"
    good = write_chain(tmp_path / "good", SHARED)
    assert run("chain", "import", str(good), "--name", "x", "--workspace", str(workspace)).exit_code == 0
    before = _counts(workspace)
    bad = write_chain(tmp_path / "bad", files)
    result = run("chain", "import", str(bad), "--name", "x", "--workspace", str(workspace))
    assert result.exit_code == 1
    for fragment in expected:
        assert fragment in result.stderr, fragment
    assert str(bad) in result.stderr
    assert _counts(workspace) == before


def test_f04_cycle_is_named_edge_by_edge(run, tmp_path: Path) -> None:
    files = _edit(SHARED, "bom.csv", "magnet,ndpr,0.5", "magnet,ndpr,0.5\nmagnet,tank,1")
    result = run(
        "chain",
        "import",
        str(write_chain(tmp_path / "c", files)),
        "--workspace",
        str(tmp_path / "w.sqlite"),
    )
    cycle = result.stderr.split("has a cycle: ")[1].split(";")[0].split(" → ")
    assert cycle[0] == cycle[-1] and set(cycle) == {"tank", "engine", "magnet"}
    edges = set(itertools.pairwise(cycle))
    bom = {tuple(line.split(",")[:2]) for line in files["bom.csv"].splitlines()[1:]}
    assert edges <= bom  # each step is a parent -> child row of the bom


def test_f04_missing_sheet_is_named(run, tmp_path: Path) -> None:
    folder = write_chain(tmp_path / "c", {k: v for k, v in SHARED.items() if k != "bom.csv"})
    result = run("chain", "import", str(folder), "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 1
    assert "sheet 'bom': missing sheet" in result.stderr
    assert not (tmp_path / "w.sqlite").exists()


def test_f04_all_problems_across_sheets_are_reported_at_once(run, tmp_path: Path) -> None:
    files = _edit(SHARED, "bom.csv", "engine,magnet,4", "engine,magnet,-4")
    files = _edit(files, "sourcing.csv", "magnet,CHN,1", "magnet,ZZZ,1")
    files = _edit(files, "items.csv", "tank,Tank,platform", "tank,Tank,vehicle")
    result = run(
        "chain",
        "import",
        str(write_chain(tmp_path / "c", files)),
        "--workspace",
        str(tmp_path / "w.sqlite"),
    )
    assert "3 problem(s)" in result.stderr
    for sheet in ("items", "bom", "sourcing"):
        assert f"sheet '{sheet}'" in result.stderr


def test_f04_excel_workbook_errors_name_the_sheet_row_and_column(run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    template = tmp_path / "t.xlsx"
    assert run("chain", "template", str(template)).exit_code == 0
    book = load_workbook(template)
    assert {"instructions", "items", "bom", "sourcing", "lists"} <= set(book.sheetnames)
    assert book["items"].data_validations.count >= 2  # kind and domain drop-downs (+ material)
    book["items"].append(["p", "Platform", "platform", "land", "", "", "unit"])
    book["items"].append(["g", "Gallium", "material", "", "", "gallium", "kg"])
    book["bom"].append(["p", "g", "x"])
    book["sourcing"].append(["g", "CHN", 1.2, "processing"])
    book.save(template)
    result = run("chain", "import", str(template), "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 1
    assert "sheet 'bom', row 2, column 'quantity': not a number" in result.stderr
    assert "sheet 'sourcing', row 2, column 'share': value out of range" in result.stderr


def test_f04_json_workbook_round_trip_and_errors(run, tmp_path: Path) -> None:
    workspace = tmp_path / "w.sqlite"
    folder = write_chain(tmp_path / "c", SHARED)
    assert run("chain", "import", str(folder), "--name", "s", "--workspace", str(workspace)).exit_code == 0
    exported = tmp_path / "s.json"
    assert run("chain", "export", "s", str(exported), "--workspace", str(workspace)).exit_code == 0
    document = json.loads(exported.read_text())
    assert len(document["items"]) == 8
    document["bom"][0]["quantity"] = -1
    exported.write_text(json.dumps(document))
    result = run("chain", "import", str(exported), "--workspace", str(workspace))
    assert "sheet 'bom', row 1, column 'quantity': value out of range" in result.stderr


def test_f04_unreadable_files_are_refused(run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    result = run("chain", "import", str(broken), "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 1 and "not a readable Excel workbook" in result.stderr
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{items: ")
    result = run("chain", "import", str(bad_json), "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 1 and "not valid JSON" in result.stderr
