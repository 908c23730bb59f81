"""Output for people and programs: bounded tables and lists, spreadsheet-safe CSV (issue 8)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from ketenradar.cli import output
from ketenradar.cli.output import bounded_list, emit_csv, emit_table, spreadsheet_safe
from ketenradar.locale import use_language

COLUMNS = [("id", "item", -1), ("value", "share", 2)]


def _big_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"id": [f"item-{k}" for k in range(n)], "value": np.linspace(0, 1, n)})


def test_f05_long_table_shows_its_first_rows_and_says_how_many_more(capsys, monkeypatch) -> None:
    # Issue 8: 100,000 rows printed 157,661 lines in 297 s. Only the rows shown are formatted.
    formatted = []
    cell = output._cell
    monkeypatch.setattr(output, "_cell", lambda *a: formatted.append(1) or cell(*a))
    emit_table(_big_frame(100_000), COLUMNS, title="Big", limit=20)
    printed = capsys.readouterr().out
    assert len(formatted) == 20 * len(COLUMNS)
    assert "item-19" in printed and "item-20" not in printed
    assert printed.rstrip().endswith("… 99,980 more (use --format csv or json for all)")
    assert len(printed.splitlines()) < 40


def test_f05_table_of_preselected_rows_counts_the_whole_table(capsys) -> None:
    emit_table(_big_frame(3), COLUMNS, title="Top", limit=20, total=1_000)
    assert "… 997 more (use --format csv or json for all)" in capsys.readouterr().out


def test_f05_short_table_has_no_more_line_and_every_table_is_capped(capsys) -> None:
    emit_table(_big_frame(20), COLUMNS, title="Small", limit=20)
    assert "more (use" not in capsys.readouterr().out
    emit_table(_big_frame(output.MAX_TABLE_ROWS + 5), COLUMNS, title="Default")
    assert "… 5 more (use --format csv or json for all)" in capsys.readouterr().out


def test_f05_more_line_counts_in_the_active_language(capsys) -> None:
    # The words come from the catalogue (checked by scripts/i18n.py); the count is a number.
    with use_language("nl"):
        emit_table(_big_frame(1_021), COLUMNS, title="Groot", limit=20)
        assert bounded_list(list("abcdef"), 2).startswith("a, b … ")
    assert "1\u202f001" in capsys.readouterr().out


def test_f12_long_list_in_a_cell_shows_the_first_ids() -> None:
    assert bounded_list(["a", "b", "c"]) == "a, b, c"
    assert bounded_list([f"m{k}" for k in range(2_000)]) == "m0, m1, m2, m3, m4 … and 1,995 more"
    assert bounded_list(["a", "b"], total=7) == "a, b … and 5 more"


def test_f12_list_cells_of_a_table_are_bounded(capsys) -> None:
    frame = pd.DataFrame({"id": ["p"], "limited_by": [[f"m{k}" for k in range(1_000)]]})
    emit_table(frame, [("id", "platform", -1), ("limited_by", "limited by", -1)], title="Limits")
    printed = capsys.readouterr().out
    assert "m4 … and 995 more" in printed and "m5" not in printed


def test_f05_csv_cells_that_would_run_as_formulas_are_quoted(capsys) -> None:
    # OWASP CSV injection: text starting with = + - @ tab or carriage return gets a leading '.
    frame = pd.DataFrame(
        {
            "text": ["=HYPERLINK(1)", "+31", "-x", "@SUM(A1)", "\tTab", "plain", None],
            "number": [-0.5, 1.0, -2.0, 3.0, np.nan, 0.0, -1e-9],
            "mixed": [-3, "-3", "=1", 2.5, None, "", "+"],
        }
    )
    emit_csv(frame)
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["text"] for r in rows] == ["'=HYPERLINK(1)", "'+31", "'-x", "'@SUM(A1)", "'\tTab", "plain", ""]
    assert [r["number"] for r in rows] == ["-0.5", "1.0", "-2.0", "3.0", "", "0.0", "-1e-09"]
    assert [r["mixed"] for r in rows] == ["-3", "'-3", "'=1", "2.5", "", "", "'+"]
    # The caller's frame is left alone.
    assert frame.loc[0, "text"] == "=HYPERLINK(1)"
    assert spreadsheet_safe(pd.DataFrame({"id": ["\rCR", "a\r"]}))["id"].tolist() == ["'\rCR", "a\r"]


@pytest.mark.parametrize("dtype", [object, "string", "str"])
def test_f05_spreadsheet_safe_handles_every_text_dtype(dtype) -> None:
    frame = pd.DataFrame({"id": pd.Series(["=cmd", "ok", None], dtype=dtype)})
    assert spreadsheet_safe(frame)["id"].tolist()[:2] == ["'=cmd", "ok"]
    untouched = pd.DataFrame({"id": pd.Series(["ok", "fine"], dtype=dtype)})
    assert spreadsheet_safe(untouched) is untouched
