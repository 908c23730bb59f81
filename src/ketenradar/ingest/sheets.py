"""Read the sheets of an input workbook as text frames: ``.xlsx``, a folder of CSV files or JSON.

:func:`read_sheets` gives every named sheet as a frame of text cells (``None`` for a missing
sheet), with each row's number as the sheet shows it in column ``ROW``. An ``.xlsx`` is
refused before reading when it unpacks to more than ``MAX_XLSX_UNPACKED_BYTES``.
:func:`explain_empty_cells` says where an Excel cell only looks empty (a formula without a saved
value, a merged cell). The checks of the cells are the callers' (``ingest.workbook``,
``ingest.questionnaire``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from zipfile import BadZipFile, ZipFile

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import MAX_PROBLEMS, ROW, clip, column_letter, read_csv_text
from ketenradar.ingest.validation import duplicate_keys, load_json_text
from ketenradar.locale import _

__all__ = ["MAX_XLSX_UNPACKED_BYTES", "explain_empty_cells", "read_sheets"]

# An .xlsx is a zip archive; 200 MB of unpacked XML is some millions of cells, more than a
# chain needs, and keeps a small "zip bomb" from filling the memory.
MAX_XLSX_UNPACKED_BYTES = 200_000_000


def read_sheets(path: Path, names: list[str], what: str) -> tuple[dict[str, pd.DataFrame | None], int]:
    """Read the named sheets as text cells from ``.xlsx``, a CSV folder or ``.json``.

    Returns the sheets (None for a missing one) and the row number of the first data row
    (2 for spreadsheets, 1 for JSON lists). CSV and Excel sheets carry their real row numbers
    in column ``ROW``. ``what`` names the file's kind (a catalogue msgid).
    """
    if path.is_dir():
        return _read_csv_folder(path, names), 2
    if path.suffix.lower() == ".json":
        return _read_json(path, names), 1
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_excel(path, names), 2
    expected = _("{what} (.xlsx), a folder of CSV files or .json").format(what=_(what))
    if not path.exists():
        raise InputFileError.single(str(path), _("file not found"), expected=expected)
    raise InputFileError.single(
        str(path),
        _("unsupported file type {suffix}").format(suffix=clip(path.suffix) or _("(none)")),
        expected=expected,
    )


def explain_empty_cells(
    path: Path, sheet: str, letters: dict[str, str], problems: list[Problem]
) -> list[Problem]:
    """Say "formula without a saved value" or "merged cell" where an Excel cell only looks empty.

    Runs only when a sheet has empty cells, streaming that sheet's XML once.
    """
    import xml.etree.ElementTree as ET

    from openpyxl.utils.cell import range_boundaries

    empty = _("empty cell")
    wanted = {
        f"{letters[p.column]}{p.row}"
        for p in problems
        if p.message == empty and p.column in letters and p.row is not None
    }
    formulas: set[str] = set()
    merged: list[tuple[int, int, int, int]] = []
    try:
        with ZipFile(path) as archive:
            part = _sheet_xml(archive, sheet)
            if part is None:
                return problems
            with archive.open(part) as stream:
                for _event, element in ET.iterparse(stream):
                    tag = element.tag.rsplit("}", 1)[-1]
                    if tag == "c":
                        ref = element.get("r", "")
                        if ref in wanted:
                            parts = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                            value = parts.get("v")
                            if "f" in parts and (value is None or not (value.text or "").strip()):
                                formulas.add(ref)
                        element.clear()
                    elif tag == "mergeCell":
                        low_col, low_row, high_col, high_row = range_boundaries(element.get("ref", ""))
                        merged.append((low_col or 0, low_row or 0, high_col or 0, high_row or 0))
    except (BadZipFile, KeyError, OSError, ET.ParseError, ValueError, TypeError):
        return problems
    explained: list[Problem] = []
    for problem in problems:
        ref = f"{letters.get(problem.column or '', '')}{problem.row}"
        if problem.message != empty or ref not in wanted:
            explained.append(problem)
            continue
        if ref in formulas:
            message = _("a formula without a saved value (open and save the file in Excel)")
            explained.append(replace(problem, message=message))
            continue
        col, row = _column_number(letters[problem.column or ""]), int(problem.row or 0)
        anchor = next(
            (m for m in merged if m[0] <= col <= m[2] and m[1] <= row <= m[3] and (col, row) != (m[0], m[1])),
            None,
        )
        if anchor is None:
            explained.append(problem)
        else:
            message = _("merged cell: the value is only in {cell}; unmerge the cells and fill in each")
            cell = f"{column_letter(anchor[0] - 1)}{anchor[1]}"
            explained.append(replace(problem, message=message.format(cell=cell)))
    return explained


def _read_csv_folder(folder: Path, names: list[str]) -> dict[str, pd.DataFrame | None]:
    sheets: dict[str, pd.DataFrame | None] = {}
    for sheet in names:
        file = folder / f"{sheet}.csv"
        sheets[sheet] = read_csv_text(file, sheet=sheet) if file.is_file() else None
    return sheets


def _read_json(path: Path, names: list[str]) -> dict[str, pd.DataFrame | None]:
    if not path.is_file():
        raise InputFileError.single(str(path), _("file not found"), expected=_("a JSON document"))
    shape = "{" + ", ".join(f'"{n}": [...]' for n in names) + "}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError.single(
            str(path), _("the file is not UTF-8 text"), expected=_("a JSON document saved as UTF-8")
        ) from None
    document = load_json_text(
        text, file=str(path), expected=_("an object {shape}").format(shape=shape), constants_as_text=True
    )
    if not isinstance(document, dict):
        raise InputFileError.single(str(path), _("the top level is not an object"), expected=shape)
    problems = [
        Problem(
            file=str(path),
            sheet=str(where[0]) if len(where) > 0 else None,
            row=where[1] + 1 if len(where) > 1 and isinstance(where[1], int) else None,
            column=clip(key),
            message=_("the key appears twice in the same object"),
            expected=_("each key once (delete or merge the repeated one)"),
        )
        for where, key in duplicate_keys(document)
    ]
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: (p.sheet or "", p.row or 0))[:MAX_PROBLEMS])
    sheets: dict[str, pd.DataFrame | None] = {}
    for sheet in names:
        rows = document.get(sheet)
        if rows is None:
            sheets[sheet] = None
        elif not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InputFileError.single(
                str(path),
                _("{sheet!r} is not a list of objects").format(sheet=sheet),
                sheet=sheet,
                expected=_("a list of objects, one per row"),
            )
        else:
            sheets[sheet] = pd.DataFrame(rows, dtype=object)
    return sheets


def _check_unpacked_size(path: Path) -> None:
    """Refuse an .xlsx whose parts unpack to more than MAX_XLSX_UNPACKED_BYTES, before reading any."""
    try:
        with ZipFile(path) as archive:
            # The declared sizes bound what zipfile will unpack, so their sum is a real limit.
            unpacked = sum(info.file_size for info in archive.infolist())
    except (BadZipFile, OSError):
        return  # openpyxl reports an unreadable file in its own words
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise InputFileError.single(
            str(path),
            _("the workbook unpacks to {size} MB, more than the limit of {limit} MB").format(
                size=f"{unpacked / 1e6:,.0f}", limit=f"{MAX_XLSX_UNPACKED_BYTES / 1e6:,.0f}"
            ),
            expected=_("a smaller workbook: remove unused sheets and formatting, or save the sheets as CSV"),
        )


def _read_excel(path: Path, names: list[str]) -> dict[str, pd.DataFrame | None]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise InputFileError.single(str(path), _("file not found"), expected=_("an Excel workbook (.xlsx)"))
    _check_unpacked_size(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as error:
        raise InputFileError.single(
            str(path),
            _("not a readable Excel workbook ({error})").format(error=clip(error)),
            expected=_("an .xlsx file saved by Excel or LibreOffice"),
        ) from None
    sheets: dict[str, pd.DataFrame | None] = {}
    try:
        for sheet in names:
            if sheet not in book.sheetnames:
                sheets[sheet] = None
                continue
            rows = book[sheet].iter_rows(values_only=True)
            header = next(rows, None)
            if header is None:
                sheets[sheet] = pd.DataFrame()
                continue
            columns = [str(h).strip() if h is not None else "" for h in header]
            data: list[tuple[object, ...]] = []
            numbers: list[int] = []
            # Read-only sheets yield every row from row 1, blank ones included: the count is the
            # sheet's own row number, which messages must show.
            width = len(columns)
            for number, row in enumerate(rows, start=2):
                if any(v is not None and (not isinstance(v, str) or v.strip()) for v in row):
                    # Rows may stop at their last filled cell; cells beyond the header have no column.
                    data.append(row[:width] + (None,) * (width - len(row)))
                    numbers.append(number)
            frame = (
                pd.DataFrame(data, columns=columns, dtype=object) if data else pd.DataFrame(columns=columns)
            )
            frame[ROW] = np.asarray(numbers, dtype=np.int64)
            frame.attrs["xlsx"] = str(path)
            frame.attrs["letters"] = {c: column_letter(i) for i, c in reversed(list(enumerate(columns))) if c}
            sheets[sheet] = frame
    finally:
        book.close()
    return sheets


def _sheet_xml(archive: ZipFile, sheet: str) -> str | None:
    """Return the archive path of a sheet's XML, from the workbook's relationships."""
    import xml.etree.ElementTree as ET

    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for element in book.iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet" and element.get("name") == sheet:
            rid = next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            target = targets.get(rid, "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _column_number(letters: str) -> int:
    """Return the 1-based number of a column letter (A → 1)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
