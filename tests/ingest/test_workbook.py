"""F4: bad workbooks are refused with sheet, row and column, all at once; nothing is stored."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from ketenradar.errors import InputFileError
from ketenradar.ingest.workbook import read_chain_workbook
from tests.helpers.chains import CATALOGUE, SHARED, write_chain


def _edit(files: dict[str, str], sheet: str, old: str, new: str) -> dict[str, str]:
    edited = dict(files)
    assert old in edited[sheet], old
    edited[sheet] = edited[sheet].replace(old, new)
    return edited


def _counts(workspace: Path) -> dict[str, int]:
    """Rows per table of the workspace: whatever its layout, a refused import must add none."""
    if not workspace.exists():
        return {}
    with sqlite3.connect(workspace) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


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


# --- issue 8: limits, one pass, precise places and messages ---------------------------------


def _refused(tmp_path: Path, files: dict[str, str], materials=None) -> list:
    from ketenradar.errors import InputFileError
    from ketenradar.ingest.workbook import read_chain_workbook
    from tests.helpers.chains import CATALOGUE

    folder = write_chain(tmp_path / "bad", files)
    with pytest.raises(InputFileError) as caught:
        read_chain_workbook(folder, list(CATALOGUE) if materials is None else materials)
    return caught.value.problems


def test_f04_all_phases_are_reported_in_one_pass(tmp_path: Path) -> None:
    # A bad kind, a duplicate id, a cycle and shares of 1.1: four runs before, one now.
    files = _edit(SHARED, "items.csv", "tank,Tank,platform", "tank,Tank,vehicle")
    files = _edit(
        files,
        "items.csv",
        "magnet,Magnet,component,land,,,unit",
        "magnet,Magnet,component,land,,,unit\nturret,Again,component,,,,",
    )
    files = _edit(files, "bom.csv", "magnet,ndpr,0.5", "magnet,ndpr,0.5\nmagnet,engine,1")
    files = _edit(files, "sourcing.csv", "engine,FRA,0.4", "engine,FRA,0.5")
    messages = [str(p) for p in _refused(tmp_path, files)]
    assert any("column 'kind'" in m and "not an accepted value" in m for m in messages)
    assert any("column 'id'" in m and "duplicate row" in m for m in messages)
    assert any("has a cycle" in m for m in messages)
    assert any("sum to 1.1" in m for m in messages)


def test_f04_structural_checks_skip_cells_that_failed(tmp_path: Path) -> None:
    # A refused share is reported once, not again as a share sum of 0.6.
    files = _edit(SHARED, "sourcing.csv", "engine,FRA,0.4", "engine,FRA,abc")
    problems = _refused(tmp_path, files)
    assert [(p.sheet, p.row, p.column) for p in problems] == [("sourcing", 5, "share")]


def test_f04_ids_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    files = _edit(SHARED, "items.csv", "ifv,Infantry", "Tank,Infantry")
    files = _edit(files, "bom.csv", "ifv,engine,2", "Tank,engine,2")
    files = _edit(files, "sourcing.csv", "ifv,DEU", "Tank,DEU")
    (problem,) = _refused(tmp_path, files)
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("items", 3, "id", "Tank")
    assert "'tank' (row 2) only in upper/lower case" in problem.message


def test_f04_item_id_in_other_case_gets_did_you_mean(tmp_path: Path) -> None:
    (problem,) = _refused(tmp_path, _edit(SHARED, "bom.csv", "tank,engine,1", "tank,Engine,1"))
    assert (problem.row, problem.column) == (2, "child")
    assert problem.message == "unknown item id; did you mean 'engine'?"


def test_f04_unknown_material_gets_did_you_mean(tmp_path: Path) -> None:
    files = _edit(SHARED, "items.csv", "ga,Gallium,material,,,gallium,kg", "ga,Gallium,material,,,galium,kg")
    (problem,) = _refused(tmp_path, files)
    assert "unknown material id" in problem.message and "did you mean 'gallium'?" in problem.message


def test_f04_group_member_points_to_its_group(tmp_path: Path) -> None:
    from tests.helpers.chains import CATALOGUE

    files = _edit(
        SHARED, "items.csv", "ndpr,NdPr,material,,,light_rare_earths,kg", "ndpr,NdPr,material,,,neodymium,kg"
    )
    known = [m for m in CATALOGUE if m != "neodymium"]  # the group is known, the element is not
    (problem,) = _refused(tmp_path, files, known)
    assert "neodymium is part of light_rare_earths" in problem.message


def test_f04_raw_material_at_manufacturing_says_the_rule_the_right_way(tmp_path: Path) -> None:
    files = _edit(SHARED, "sourcing.csv", "w,CHN,1,mining", "w,CHN,1,manufacturing")
    (problem,) = _refused(tmp_path, files)
    assert problem.message.startswith("a raw material cannot be sourced at manufacturing")


@pytest.mark.parametrize(
    ("quantity", "fragment"),
    [
        ("1e10", "between 1e-09 and 1e+09"),
        ("1e-12", "choose another unit"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
    ],
)
def test_f04_quantities_that_cannot_be_computed_are_refused(
    tmp_path: Path, quantity: str, fragment: str
) -> None:
    files = _edit(SHARED, "bom.csv", "engine,magnet,4", f"engine,magnet,{quantity}")
    (problem,) = _refused(tmp_path, files)
    assert (problem.row, problem.column) == (5, "quantity") and fragment in str(problem)


def test_f04_quantities_overflowing_along_a_path_are_refused(tmp_path: Path) -> None:
    # Each quantity is allowed, but 1e9 over 12 levels multiplies to 1e108.
    ids = [f"l{i}" for i in range(13)]
    items = "id,name,kind\n" + "".join(f"{i},{i},component\n" for i in ids[:-1]) + "l12,x,material\n"
    items = items.replace("l0,l0,component", "l0,l0,platform").replace(
        "l12,x,material", "l12,x,semi_finished"
    )
    bom = "parent,child,quantity\n" + "".join(f"{a},{b},1e9\n" for a, b in itertools.pairwise(ids))
    sourcing = "item,country,share\n" + "".join(f"{i},NLD,1\n" for i in ids)
    (problem,) = _refused(tmp_path, {"items.csv": items, "bom.csv": bom, "sourcing.csv": sourcing})
    assert problem.sheet == "bom" and problem.column == "quantity" and "multiply to 1e108" in problem.message
    assert "l0 → l1" in problem.message and problem.row == 13


def test_f04_empty_workbook_gives_one_clear_message(run, tmp_path: Path) -> None:
    template = tmp_path / "x.xlsx"
    assert run("chain", "template", str(template)).exit_code == 0
    result = run("chain", "import", str(template), "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 1
    assert "1 problem(s)" in result.stderr and "the workbook has no items yet" in result.stderr


def _xlsx(path: Path, sheets: dict[str, list[list]], merge: dict[str, str] | None = None) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if merge and name in merge:
            sheet.merge_cells(merge[name])
    book.save(path)
    return path


ITEMS = [["id", "name", "kind", "material"], ["p", "P", "platform", None], ["g", "G", "material", "gallium"]]


def test_f04_excel_rows_keep_their_sheet_numbers_after_blank_rows(tmp_path: Path) -> None:
    from ketenradar.errors import InputFileError
    from ketenradar.ingest.workbook import read_chain_workbook
    from tests.helpers.chains import CATALOGUE

    sourcing = [["item", "country", "share"], ["p", "NLD", 1], *([[]] * 9), ["g", "CHN", 1.5]]
    path = _xlsx(
        tmp_path / "b.xlsx",
        {"items": ITEMS, "bom": [["parent", "child", "quantity"], ["p", "g", 1]], "sourcing": sourcing},
    )
    with pytest.raises(InputFileError) as caught:
        read_chain_workbook(path, list(CATALOGUE))
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("sourcing", 12, "share")


def test_f04_excel_formula_without_value_and_merged_cells_are_named(tmp_path: Path) -> None:
    from ketenradar.errors import InputFileError
    from ketenradar.ingest.workbook import read_chain_workbook
    from tests.helpers.chains import CATALOGUE

    items = [*ITEMS, ["ge", "Ge", "material", "germanium"]]
    bom = [["parent", "child", "quantity"], ["p", "g", "=2*3"], [None, "ge", 1]]
    sourcing = [["item", "country", "share"], ["p", "NLD", 1]]
    path = _xlsx(
        tmp_path / "f.xlsx", {"items": items, "bom": bom, "sourcing": sourcing}, merge={"bom": "A2:A3"}
    )
    with pytest.raises(InputFileError) as caught:
        read_chain_workbook(path, list(CATALOGUE))
    by_cell = {(p.row, p.column): p.message for p in caught.value.problems}
    assert by_cell[(2, "quantity")] == "a formula without a saved value (open and save the file in Excel)"
    assert by_cell[(3, "parent")].startswith("merged cell: the value is only in A2")


def test_f04_excel_duplicate_header_is_located(tmp_path: Path) -> None:
    from ketenradar.errors import InputFileError
    from ketenradar.ingest.workbook import read_chain_workbook
    from tests.helpers.chains import CATALOGUE

    items = [["id", "name", "kind", "material", " kind"], ["p", "P", "platform", None, "x"]]
    path = _xlsx(
        tmp_path / "d.xlsx",
        {
            "items": items,
            "bom": [["parent", "child", "quantity"]],
            "sourcing": [["item", "country", "share"]],
        },
    )
    with pytest.raises(InputFileError) as caught:
        read_chain_workbook(path, list(CATALOGUE))
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == (
        "items",
        1,
        "kind",
    ) and "columns C, E" in problem.message


def test_f04_excel_that_unpacks_too_large_is_refused_before_reading(tmp_path: Path, monkeypatch) -> None:
    import zipfile

    import openpyxl

    from ketenradar.errors import InputFileError
    from ketenradar.ingest import sheets, workbook

    path = _xlsx(tmp_path / "z.xlsx", {"items": ITEMS})
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/pad.bin", b"\0" * 3_000_000)  # packs to a few kB
    monkeypatch.setattr(sheets, "MAX_XLSX_UNPACKED_BYTES", 2_000_000)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("openpyxl read the file"))
    with pytest.raises(InputFileError) as caught:
        workbook.read_chain_workbook(path, [])
    assert "unpacks to 3 MB, more than the limit of 2 MB" in caught.value.problems[0].message


def test_f04_json_nan_duplicate_keys_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    from ketenradar.errors import InputFileError
    from ketenradar.ingest.workbook import read_chain_workbook
    from tests.helpers.chains import CATALOGUE

    base = (
        '{"items": [{"id": "p", "name": "P", "kind": "platform"}, '
        '{"id": "g", "name": "G", "kind": "material", "material": "gallium"}], '
        '"bom": [{"parent": "p", "child": "g", "quantity": QTY}], '
        '"sourcing": [{"item": "p", "country": "NLD", "share": 1}]}'
    )
    cases = {
        "NaN": ("bom", 1, "quantity", "not a finite number"),
        "Infinity": ("bom", 1, "quantity", "not a finite number"),
        '1, "quantity": 2': ("bom", 1, "quantity", "appears twice"),
        "true": ("bom", 1, "quantity", "true/false where a number is expected"),
    }
    for quantity, (sheet, row, column, fragment) in cases.items():
        path = tmp_path / "c.json"
        path.write_text(base.replace("QTY", quantity))
        with pytest.raises(InputFileError) as caught:
            read_chain_workbook(path, list(CATALOGUE))
        (problem,) = caught.value.problems
        assert (problem.sheet, problem.row, problem.column) == (
            sheet,
            row,
            column,
        ) and fragment in problem.message
    path.write_text('{"items": ' + "[" * 2000 + "]" * 2000 + "}")
    with pytest.raises(InputFileError) as caught:
        read_chain_workbook(path, list(CATALOGUE))
    assert "nested deeper than 64 levels" in caught.value.problems[0].message


def test_f04_materials_sheet_makes_its_materials_known(tmp_path: Path) -> None:
    from ketenradar.ingest.workbook import read_chain_and_materials
    from tests.helpers.chains import CATALOGUE

    files = _edit(
        SHARED, "items.csv", "ga,Gallium,material,,,gallium,kg", "ga,Aramid X,material,,,aramid_x,kg"
    )
    files["materials.csv"] = (
        "id,name_en,name_nl,category,note\n"
        "aramid_x,Aramid X,Aramide X,super_fibre,test\n"
        "gallium,Gallium,Gallium,,\n"
    )
    chain, extra = read_chain_and_materials(write_chain(tmp_path / "m", files), list(CATALOGUE))
    assert [m.id for m in extra] == ["aramid_x"] and extra[0].name_nl == "Aramide X"
    assert "aramid_x" in set(chain.items["material"])


def test_f04_materials_sheet_is_checked_like_a_catalogue_file(tmp_path: Path) -> None:
    files = dict(SHARED)
    files["materials.csv"] = "id,name_en\nAramid X,Aramid\nsteel_x,\nkevlar,K\nKevlar,K2\n"
    problems = {(p.row, p.column): p.message for p in _refused(tmp_path, files)}
    assert problems[(2, "id")] == "not a valid id" and problems[(3, "name_en")] == "empty cell"
    assert problems[(5, "id")] == "not a valid id" and len(problems) == 3


def test_f04_overflow_on_a_deep_path_is_named_by_its_ends(tmp_path: Path) -> None:
    # 20,000 levels of 1.02 each multiply to about 1e172: refused, and the message names the
    # path by its first and last items instead of listing all of them.
    n = 20_000
    ids = [f"p{k}" for k in range(n)]
    folder = tmp_path / "deep"
    folder.mkdir()
    kinds = ["platform"] + ["component"] * (n - 2) + ["material"]
    materials = [""] * (n - 1) + ["gallium"]
    pd.DataFrame({"id": ids, "name": ids, "kind": kinds, "material": materials}).to_csv(
        folder / "items.csv", index=False
    )
    pd.DataFrame({"parent": ids[:-1], "child": ids[1:], "quantity": 1.02}).to_csv(
        folder / "bom.csv", index=False
    )
    (folder / "sourcing.csv").write_text("item,country,share\n")
    with pytest.raises(InputFileError) as caught:
        read_chain_workbook(folder, list(CATALOGUE))
    (problem,) = caught.value.problems
    assert "p0 → p1 → p2 → … →" in problem.message and problem.message.count("→") == 6
    assert f"p{n - 1}" in problem.message and len(problem.message) < 300


# --- workbook v1.1: stock_days on the items sheet --------------------------------------------

# SHARED with item stocks: 30 days of engines, half a day of gallium, the rest empty.
STOCKED = _edit(
    _edit(
        _edit(SHARED, "items.csv", "material,unit\n", "material,unit,stock_days\n"),
        "items.csv",
        "engine,Engine,subsystem,land,,,unit",
        "engine,Engine,subsystem,land,,,unit,30",
    ),
    "items.csv",
    "ga,Gallium,material,,,gallium,kg",
    "ga,Gallium,material,,,gallium,kg,0.5",
)


def test_f04_items_stock_days_is_read_from_csv_json_and_excel(tmp_path: Path) -> None:
    import numpy as np

    expected = {"engine": 30.0, "ga": 0.5}
    chain = read_chain_workbook(write_chain(tmp_path / "c", STOCKED), list(CATALOGUE))
    stocks = chain.items.set_index("id")["stock_days"]
    assert stocks.dtype == np.float64
    assert stocks.dropna().to_dict() == expected
    assert list(chain.items.columns)[-1] == "stock_days"
    records = {sheet: pd.read_csv(tmp_path / "c" / sheet, dtype=str).to_dict("records") for sheet in STOCKED}
    document = {name.removesuffix(".csv"): rows for name, rows in records.items()}
    (tmp_path / "c.json").write_text(json.dumps(document).replace("NaN", "null"))
    assert (
        read_chain_workbook(tmp_path / "c.json", list(CATALOGUE))
        .items.set_index("id")["stock_days"]
        .dropna()
        .to_dict()
        == expected
    )
    items = [["id", "name", "kind", "material", "stock_days"], ["p", "P", "platform", None, 12]]
    items.append(["g", "G", "material", "gallium", None])
    path = _xlsx(
        tmp_path / "b.xlsx",
        {
            "items": items,
            "bom": [["parent", "child", "quantity"], ["p", "g", 1]],
            "sourcing": [["item", "country", "share"], ["p", "NLD", 1], ["g", "CHN", 1]],
        },
    )
    stocks = read_chain_workbook(path, list(CATALOGUE)).items["stock_days"].tolist()
    assert stocks[0] == 12.0 and np.isnan(stocks[1])


def test_f04_a_workbook_without_stock_days_reads_as_before(tmp_path: Path) -> None:
    chain = read_chain_workbook(write_chain(tmp_path / "c", SHARED), list(CATALOGUE))
    assert chain.items["stock_days"].isna().all() and chain.items["stock_days"].dtype == "float64"
    stocked = read_chain_workbook(write_chain(tmp_path / "s", STOCKED), list(CATALOGUE))
    without = ["id", "name", "kind", "domain", "dis_area", "material", "unit"]
    pd.testing.assert_frame_equal(chain.items[without], stocked.items[without])
    pd.testing.assert_frame_equal(chain.sourcing, stocked.sourcing)


@pytest.mark.parametrize(
    ("cell", "said"),
    [("-1", "value out of range"), ("lots", "not a number"), ("inf", "not a finite number")],
)
def test_f04_a_bad_stock_days_is_refused_with_row_and_column(tmp_path: Path, cell: str, said: str) -> None:
    files = _edit(
        STOCKED,
        "items.csv",
        "engine,Engine,subsystem,land,,,unit,30",
        f"engine,Engine,subsystem,land,,,unit,{cell}",
    )
    (problem,) = _refused(tmp_path, files)
    assert (problem.sheet, problem.row, problem.column) == ("items", 4, "stock_days")
    assert said in problem.message
