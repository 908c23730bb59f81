"""F14 candidates files: every problem at once with row and column; Dutch CSV, xlsx and JSON read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ketenradar.errors import InputFileError
from ketenradar.ingest.candidates import read_candidates

ITEMS = ["frigate", "m_gallium", "m_germanium", "m_cobalt"]


def test_f14_bad_candidates_file_lists_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "candidates.csv"
    path.write_text(
        "item,cost_per_day,max_days\n"
        "m_gallium,100,\n"
        "m_germanium,-5,2.5\n"
        "m_galium,,3\n"
        "m_gallium,10,-1\n"
        "m_cobalt,0,x\n",
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        read_candidates(path, ITEMS)
    found = {(p.row, p.column, p.message) for p in caught.value.problems}
    assert found == {
        (3, "cost_per_day", "value out of range"),
        (3, "max_days", "not a whole number of days"),
        (4, "cost_per_day", "empty cell"),
        (4, "item", "no item of the chain has this id (did you mean 'm_gallium'?)"),
        (5, "max_days", "value out of range"),
        (5, "item", "duplicate row for item (m_gallium)"),
        (6, "cost_per_day", "value out of range"),
        (6, "max_days", "not a number"),
    }
    assert all(p.file == str(path) for p in caught.value.problems)
    text = str(caught.value)
    assert "nothing was changed" in text
    assert "row 4, column 'item'" in text


def test_f14_dutch_semicolon_csv_with_decimal_commas_is_read(tmp_path: Path) -> None:
    path = tmp_path / "kandidaten.csv"
    path.write_text("item;cost_per_day;max_days\nm_gallium;12,5;10\nm_cobalt;7,25;\n", encoding="utf-8")
    table = read_candidates(path, ITEMS)
    assert table["item"].tolist() == ["m_gallium", "m_cobalt"]
    assert table["cost_per_day"].tolist() == [12.5, 7.25]
    assert table["max_days"].tolist()[0] == 10.0
    assert np.isnan(table["max_days"].tolist()[1])


def test_f14_dot_in_a_dutch_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kandidaten.csv"
    path.write_text("item;cost_per_day\nm_gallium;12.5\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_candidates(path, ITEMS)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (2, "cost_per_day")


def test_f14_missing_required_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "candidates.csv"
    path.write_text("item,max_days\nm_gallium,3\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_candidates(path, ITEMS)
    assert any("cost_per_day" in str(p) for p in caught.value.problems)


def test_f14_xlsx_and_json_candidates_are_read(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "candidates"
    sheet.append(["item", "cost_per_day", "max_days"])
    sheet.append(["m_gallium", 12.5, 30])
    sheet.append(["m_cobalt", 4, None])
    xlsx = tmp_path / "candidates.xlsx"
    book.save(xlsx)
    table = read_candidates(xlsx, ITEMS)
    assert table["cost_per_day"].tolist() == [12.5, 4.0]
    assert table["max_days"].tolist()[0] == 30.0

    document = tmp_path / "candidates.json"
    document.write_text(
        json.dumps(
            {"candidates": [{"item": "m_gallium", "cost_per_day": 12.5}, {"item": "nope", "cost_per_day": 1}]}
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputFileError) as caught:
        read_candidates(document, ITEMS)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("candidates", 2, "item")


def test_f14_workbook_without_candidates_sheet_is_refused(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "other"
    path = tmp_path / "c.xlsx"
    book.save(path)
    with pytest.raises(InputFileError, match="no sheet 'candidates'"):
        read_candidates(path, ITEMS)


def test_f14_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        read_candidates(tmp_path / "absent.csv", ITEMS)
