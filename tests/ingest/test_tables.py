"""CSV files against a column schema: real row numbers, Dutch CSV, headers, values that cannot be computed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ketenradar.errors import InputFileError
from ketenradar.ingest.tables import (
    MAX_VALUE_CHARS,
    Column,
    _parse_numbers,
    _read_columnar,
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


# Issue 9: plain files go to Arrow's columnar reader, the rest to the text reader; both must
# give the same frame, so every message built on it stays as it was.
COLUMNAR_CASES = {
    "plain": "id,name,quantity\na,Alpha,1.5\nb,Beta,2\n",
    "crlf and bom": "\ufeffid,name,quantity\r\na,Alpha,1.5\r\nb,Beta,2\r\n",
    "semicolons": "id;name;quantity\na;Alpha;1,5\nb;Beta;2\n",
    "tabs": "id\tname\tquantity\na\tAlpha\t1.5\n",
    "spaces around cells": "id, name ,quantity\n a ,Alpha , 1.5\n",
    "quoted delimiter": 'id,name,quantity\na,"Alpha, the first",1.5\n',
    "quoted newline": 'id,name,quantity\na,"two\nlines",1.5\nb,Beta,2\n',
    "quote after spaces": 'id,name,quantity\na, "Alpha, A",1.5\n',
    "blank lines": "id,name,quantity\na,Alpha,1.5\n\nb,Beta,2\n\n",
    "blank line in one column": "id\na\n\nb\n",
    "exporter quote": "id,name,quantity\na,'=SUM(1),1\n",
    "short row": "id,name,quantity\na,Alpha\n",
    "long row": "id,name,quantity\na,Alpha,1,extra\n",
    "repeated header": "id,id,quantity\na,b,1\n",
    "empty header cell": "id,,quantity\na,x,1\n",
    "NA texts": "id,name,quantity\nNA,null,\n",
    "no final newline": "id,name,quantity\na,Alpha,1.5",
    "non-ASCII": "id,name,quantity\nü,Ærø ☃,1\n",
}


@pytest.mark.parametrize("content", COLUMNAR_CASES.values(), ids=COLUMNAR_CASES.keys())
def test_f09_columnar_reader_gives_the_text_readers_frame(tmp_path: Path, content: str) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(content, encoding="utf-8")
    try:
        expected = read_csv_text(path, columnar=False)
    except InputFileError as error:
        with pytest.raises(InputFileError) as raised:
            read_csv_text(path)
        assert str(raised.value) == str(error)
        return
    found = read_csv_text(path)

    # Cells are compared as check_frame sees them: stripped (pandas also skips initial spaces).
    def stripped(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.apply(lambda column: column.str.strip() if column.name != "_row" else column)

    assert list(found.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(stripped(found), stripped(expected), check_dtype=False)
    assert found.attrs["decimal"] == expected.attrs["decimal"]


def test_f09_plain_files_take_the_columnar_reader() -> None:
    # The cases the fast path is for must not silently fall back to the text reader.
    for name in ("plain", "crlf and bom", "semicolons", "quoted delimiter", "non-ASCII", "blank lines"):
        assert _read_columnar(COLUMNAR_CASES[name].encode("utf-8")) is not None, name
    for name in ("quote after spaces", "exporter quote", "short row", "long row"):
        assert _read_columnar(COLUMNAR_CASES[name].encode("utf-8")) is None, name


NUMBER_TEXTS = [
    "1",
    "1.5",
    "-2",
    ".5",
    "5.",
    "1e5",
    "1E-3",
    "+5",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1_000",
    "0x10",
    "1,5",
    "1.2.3",
    "",
    "1d5",
    "1e400",
    "-0",
    "00012",
    "1e",
    "e5",
    "--1",
    "0.1e+2",
    "4.9e-324",
    "1.7976931348623157e308",
    "TRUE",
    "1.5f",
    "١٢",
    "0.30000000000000004",
]


def test_f09_arrow_numbers_are_a_subset_of_pandas_numbers_with_equal_values() -> None:
    # _parse_numbers trusts Arrow for a clean column and asks pandas otherwise: per cell,
    # whatever Arrow accepts pandas must accept with the same float.
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    for text in NUMBER_TEXTS:
        by_pandas = pd.to_numeric(pd.Series([text], dtype=object), errors="coerce").to_numpy(dtype=float)[0]
        try:
            by_arrow = pc.cast(pa.array([text]), pa.float64())[0].as_py() + 0.0
        except pa.ArrowInvalid:
            continue
        assert (np.isnan(by_pandas) and np.isnan(by_arrow)) or by_pandas == by_arrow, text
    cells = pd.Series(NUMBER_TEXTS, dtype=str)
    usable = np.ones(len(cells), dtype=bool)
    mixed = _parse_numbers(cells, usable)
    expected = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=float)
    np.testing.assert_array_equal(mixed, expected)
    clean = cells[[0, 1, 2, 5, 20]]
    np.testing.assert_array_equal(
        _parse_numbers(clean, np.ones(len(clean), dtype=bool)), [1.0, 1.5, -2.0, 1e5, 0.0]
    )
