"""CSV files against a column schema: real row numbers, Dutch CSV, headers, values that cannot be computed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar.errors import InputFileError
from ketenradar.ingest.tables import (
    MAX_VALUE_CHARS,
    Column,
    check_frame,
    clip,
    read_csv_table,
    read_csv_text,
    suggest_material,
)

SHARE = [Column("material", "id"), Column("share", "number", minimum=0.0, maximum=1.0)]


def _problems(path: Path, columns=SHARE) -> list:
    with pytest.raises(InputFileError) as caught:
        read_csv_table(path, columns)
    return caught.value.problems


def test_f01_rows_keep_their_numbers_after_blank_lines(write) -> None:
    # Rows 3, 4 and 6 are blank (or only separators): the bad cell is on row 7 of the sheet.
    path = write("s.csv", "material,share\ngallium,0.5\n\n,\ngallium,0.1\n\ngermanium,abc\n")
    (problem,) = _problems(path)
    assert (problem.row, problem.column, problem.value) == (7, "share", "abc")


def test_f01_blank_separator_rows_are_skipped_not_refused(write) -> None:
    # Excel writes a row of separators for a row it thinks used; it is blank, not a row of empty cells.
    frame = read_csv_table(write("s.csv", "material,share\ngallium,0.5\n,\n , \n"), SHARE)
    assert list(frame["material"]) == ["gallium"]


def test_f01_duplicate_header_after_trimming_is_located(write) -> None:
    path = write("s.csv", "material,share, share,material \ngallium,0.5,0.4,x\n")
    problems = _problems(path)
    assert {(p.row, p.column) for p in problems} == {(1, "share"), (1, "material")}
    assert "columns B, C" in str(next(p for p in problems if p.column == "share"))


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity", "1e400"])
def test_f01_non_finite_numbers_are_refused(write, value: str) -> None:
    (problem,) = _problems(write("s.csv", f"material,share\ngallium,{value}\n"))
    assert problem.row == 2 and "not a finite number" in problem.message


def test_f01_long_values_are_quoted_short(write) -> None:
    path = write("s.csv", "material,share\ngallium," + "9x" * 500_000 + "\n")
    (problem,) = _problems(path)
    assert problem.value is not None and len(problem.value) == MAX_VALUE_CHARS
    assert problem.value.endswith("…") and len(str(problem)) < 400


def test_f01_semicolon_file_uses_the_decimal_comma(write) -> None:
    frame = read_csv_table(write("nl.csv", "material;share\ngallium;0,25\ngermanium;1\n"), SHARE)
    assert list(frame["share"]) == [0.25, 1.0]


def test_f01_semicolon_file_refuses_a_dot_rather_than_guessing(write) -> None:
    # 1.234 could be one and a bit or a thousand: a dot in a decimal-comma file is never guessed.
    (problem,) = _problems(write("nl.csv", "material;share\ngallium;0.25\n"))
    assert problem.row == 2 and "dot in a number" in problem.message
    assert "decimal comma" in problem.expected


def test_f01_comma_file_keeps_the_decimal_comma_error(write) -> None:
    (problem,) = _problems(write("en.csv", 'material,share\ngallium,"0,5"\n'))
    assert problem.message == "decimal comma" and "dot as decimal separator" in problem.expected


def test_f01_exporter_quote_before_formula_text_is_removed(write) -> None:
    columns = [Column("material", "text"), Column("note", "text")]
    path = write("q.csv", "material,note\n'=SUM(A1),'+31 20\n'@home,'-5\nit's,'plain\n")
    frame = read_csv_table(path, columns)
    assert list(frame["material"]) == ["=SUM(A1)", "@home", "it's"]
    assert list(frame["note"]) == ["+31 20", "-5", "'plain"]


def test_f01_row_with_too_many_cells_is_located(write) -> None:
    with pytest.raises(InputFileError) as caught:
        read_csv_text(write("s.csv", "material,share\ngallium,0.5\ngallium,0.5,9\n"))
    (problem,) = caught.value.problems
    assert problem.row == 3 and "3 cells" in problem.message


def test_f01_longer_first_row_is_refused_not_shifted(write) -> None:
    # pandas would take the extra first cell as an index and shift every column by one.
    with pytest.raises(InputFileError) as caught:
        read_csv_text(write("s.csv", "material,share\ngallium,0.5,9\ngallium,0.5\n"))
    (problem,) = caught.value.problems
    assert problem.row == 2 and "3 cells but the header has 2" in problem.message


def test_f04_quantity_limits_give_their_reason() -> None:
    import pandas as pd

    column = Column("quantity", "number", minimum=0.0, exclusive_minimum=True, limits=(1e-9, 1e9))
    frame = pd.DataFrame({"quantity": ["1e10", "1e-12", "5", "-1"]})
    checked = check_frame(frame, [column], file="f.csv")
    messages = {p.row: p.message for p in checked.problems}
    assert messages[2] == messages[3] == "value outside the range ketenradar can compute with"
    assert messages[5] == "value out of range"
    assert checked.bad["quantity"].tolist() == [True, True, False, True]


def test_f04_near_miss_material_ids_get_a_hint() -> None:
    from tests.helpers.chains import CATALOGUE

    assert "did you mean 'gallium'" in suggest_material("galium", list(CATALOGUE))
    assert suggest_material("unobtainium", list(CATALOGUE)) == ""
    # A group member named where only the group is known.
    hint = suggest_material("neodymium", ["light_rare_earths", "gallium"])
    assert "neodymium is part of light_rare_earths" in hint


def test_f01_clip_keeps_short_text() -> None:
    assert clip("abc") == "abc" and clip("x" * 100) == "x" * 79 + "…"
