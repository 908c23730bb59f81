"""The report workbook: text stays text, sheet names fit Excel, numbers stay numbers."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from ketenradar.errors import OutputRefused
from ketenradar.locale import use_language
from ketenradar.reports.html import CapturedTable, TableColumn, collect_tables, render_table
from ketenradar.reports.xlsx import EXCEL_MAX_SHEET_NAME, report_workbook, sheet_names
from ketenradar.services.reference import list_datasets


def _book(tables: list[CapturedTable]) -> object:
    return load_workbook(io.BytesIO(report_workbook(tables, list_datasets())))


def _captured(frame: pd.DataFrame, columns: list[TableColumn], caption: str) -> CapturedTable:
    with collect_tables() as captured:
        render_table(frame, columns, caption=caption)
    assert len(captured) == 1
    return captured[0]


def test_f20_render_table_records_only_while_collecting() -> None:
    frame = pd.DataFrame({"a": [1.5], "b": ["x"]})
    columns = [TableColumn("a", "share", 0, percent=True), TableColumn("b", "name")]
    render_table(frame, columns)  # outside a collector: nothing is kept anywhere
    with collect_tables() as outer:
        render_table(frame, columns, caption="one")
        with collect_tables() as inner:
            render_table(frame, columns, caption="two")
    assert [t.caption for t in outer] == ["one"] and [t.caption for t in inner] == ["two"]
    assert outer[0].headers == ("share", "name") and list(outer[0].frame.columns) == ["a", "b"]


def test_f20_formula_like_text_stays_text() -> None:
    risky = ["=1+1", "+31 20 123", "-5", "@SUM(A1)", "#N/A", '=HYPERLINK("http://x")']
    table = _captured(pd.DataFrame({"t": risky}), [TableColumn("t", "text", verbatim=True)], "Risky")
    book = _book([table])
    ws = book["Risky"]  # type: ignore[index]
    cells = [row[0] for row in ws.iter_rows(min_row=2, max_row=len(risky) + 1)]
    assert [c.value for c in cells] == risky
    assert all(c.data_type == "s" for c in cells)  # a string, never a formula ("f") or an error ("e")


def test_f20_numbers_stay_numbers_with_their_format_and_missing_is_empty() -> None:
    frame = pd.DataFrame(
        {
            "share": [0.25, None],
            "days": [12.345, 3.0],
            "flag": [True, False],
            "stage": ["mining", "processing"],
        }
    )
    columns = [
        TableColumn("share", "share", 0, percent=True),
        TableColumn("days", "days", 1),
        TableColumn("flag", "flag"),
        TableColumn("stage", "stage", vocabulary="stage"),
    ]
    with use_language("en"):
        book = _book([_captured(frame, columns, "Numbers")])
    ws = book["Numbers"]  # type: ignore[index]
    assert [c.value for c in ws[1]] == ["share", "days", "flag", "stage"]
    assert ws["A2"].value == 0.25 and ws["A2"].number_format == "0%"
    assert ws["A3"].value is None
    assert ws["B2"].value == pytest.approx(12.345) and ws["B2"].number_format == "0.0"
    assert ws["C2"].value == "yes" and ws["C3"].value == "no"
    assert ws["D2"].value == "mining"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width >= 7


def test_f20_long_and_repeated_captions_give_unique_valid_sheet_names() -> None:
    long = "Country exposure per material and stage, split NL / EU+EEA / third countries"
    names = sheet_names([long, long, "Key: [figures]?", "", "contents", "KEY FIGURES"], reserved=["contents"])
    assert all(len(n) <= EXCEL_MAX_SHEET_NAME for n in names)
    assert len({n.casefold() for n in [*names, "contents"]}) == len(names) + 1
    assert names[0] == "Country exposure per material a"  # 31 characters, "/" removed
    assert names[1].endswith(" (2)") and len(names[1]) == 31
    assert names[2] == "Key figures"
    assert names[3] == "table 4"
    assert names[4] == "contents (2)"
    assert names[5] == "KEY FIGURES (2)"  # Excel ignores case


def test_f20_duplicate_captions_in_a_workbook_get_their_own_sheets() -> None:
    frame = pd.DataFrame({"v": [1.0]})
    tables = [_captured(frame, [TableColumn("v", "value", 0)], "Same caption") for _ in range(3)]
    book = _book(tables)
    assert book.sheetnames == ["contents", "Same caption", "Same caption (2)", "Same caption (3)", "sources"]  # type: ignore[attr-defined]


def test_f20_text_longer_than_a_cell_is_refused() -> None:
    table = _captured(pd.DataFrame({"t": ["x" * 40_000]}), [TableColumn("t", "text", verbatim=True)], "Long")
    with pytest.raises(OutputRefused, match="longer than an Excel cell"):
        report_workbook([table], list_datasets())
