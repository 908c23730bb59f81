r"""The report's tables as one Excel workbook: a contents sheet, a sheet per table, a sources sheet.

The tables are the ones the HTML report shows (captured by
:func:`~ketenradar.reports.html.collect_tables`), with the same column labels in the report's
language. Numbers stay numbers (a fraction shown as a percentage is stored as the fraction with
a percentage format, so that it equals the JSON output); text stays text and is never a formula
(the same protection as :mod:`ketenradar.ingest.workbook_writer`); a missing value is an empty
cell. Sheet names follow Excel's rules: at most 31 characters, none of ``[]:*?/\``, unique.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.errors import OutputRefused
from ketenradar.locale import _, current_language, format_number, yes_no
from ketenradar.model.vocabulary import label
from ketenradar.reports.formatting import sentences
from ketenradar.reports.html import CapturedTable, TableColumn
from ketenradar.services.reference import DatasetList

__all__ = ["EXCEL_MAX_SHEET_NAME", "report_workbook", "sheet_names"]

# Characters in a sheet name (Excel refuses longer names).
EXCEL_MAX_SHEET_NAME = 31
# Characters in one Excel cell.
_EXCEL_MAX_CELL_TEXT = 32_767
# Characters Excel does not allow in a sheet name.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Control characters an .xlsx file cannot hold (XML 1.0).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The widest a column is made, in characters; longer text wraps in Excel's own way.
_MAX_WIDTH = 60


def sheet_names(titles: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    r"""Return a valid, unique Excel sheet name for each title (≤ 31 characters, no ``[]:*?/\``).

    Excel compares names without regard to case; a repeated name gets `` (2)``, `` (3)`` ... at
    the end, the title shortened to make room. ``reserved`` names are taken already.
    """
    taken = {name.casefold() for name in reserved}
    names: list[str] = []
    for position, title in enumerate(titles, start=1):
        # A name may not start or end with an apostrophe, nor be empty.
        base = re.sub(r"\s+", " ", _SHEET_FORBIDDEN.sub(" ", title)).strip().strip("'").strip()
        base = base or _("table {number}").format(number=position)
        name, count = base[:EXCEL_MAX_SHEET_NAME].rstrip(), 1
        while name.casefold() in taken:
            count += 1
            suffix = f" ({count})"
            name = base[: EXCEL_MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _number_format(column: TableColumn) -> str:
    """Return the Excel number format of a numeric column: its decimals, as a percentage if shown so."""
    decimals = "0" if column.digits <= 0 else "0." + "0" * column.digits
    return decimals + "%" if column.percent else decimals


def _value(value: object, column: TableColumn) -> Any:
    """Return the cell value: a number as a Python number, text as shown in the report, None if missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return yes_no(bool(value))
    if isinstance(value, int | float | np.integer | np.floating) and column.digits >= 0:
        number = value.item() if isinstance(value, np.generic) else value
        return None if isinstance(number, float) and not math.isfinite(number) else number
    if column.vocabulary is not None:
        return label(column.vocabulary, str(value))
    return str(value)


def _text(value: str, where: str) -> str:
    """Return text an .xlsx cell can hold: control characters dropped; refuse text longer than a cell."""
    if len(value) > _EXCEL_MAX_CELL_TEXT:
        raise OutputRefused(
            _("report.xlsx: {where} holds text longer than an Excel cell holds ({limit} characters)").format(
                where=where, limit=format_number(_EXCEL_MAX_CELL_TEXT, 0)
            )
        )
    return _ILLEGAL.sub("", value)


def _write_rows(
    ws: Any, header: Sequence[str], rows: Sequence[Sequence[Any]], formats: Sequence[str]
) -> None:
    """Write a bold header row and the rows; text cells are kept as text, widths fit the content."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    widths = [len(h) for h in header]
    for j, text in enumerate(header, start=1):
        cell = ws.cell(row=1, column=j, value=_text(text, ws.title))
        cell.data_type = "s"
        cell.font = bold
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, str):
                text = _text(value, ws.title)
                cell = ws.cell(row=i, column=j, value=text)
                # openpyxl would make "=..." a formula and "#N/A" an error value: keep it text.
                cell.data_type = "s"
                widths[j - 1] = max(widths[j - 1], len(text))
            else:
                cell = ws.cell(row=i, column=j, value=value)
                cell.number_format = formats[j - 1] or "General"
                widths[j - 1] = max(widths[j - 1], 12)
    ws.freeze_panes = "A2"
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 6) + 2, _MAX_WIDTH)


def _table_rows(table: CapturedTable) -> list[list[Any]]:
    """Return a captured table's cell values, row by row (columns by position: names may repeat)."""
    columns = [
        [_value(v, column) for v in table.frame.iloc[:, j].tolist()] for j, column in enumerate(table.columns)
    ]
    return [list(row) for row in zip(*columns, strict=True)] if columns else []


def _dataset_rows(datasets: DatasetList) -> list[list[Any]]:
    """Return one row per shipped dataset: id, title in the report's language, edition, year, sha256."""
    dutch = current_language() == "nl"
    return [
        [
            p.dataset,
            (p.title_nl or p.title) if dutch else p.title,
            p.publisher,
            p.edition,
            p.year,
            p.sha256,
        ]
        for p in datasets.datasets
    ]


def report_workbook(tables: Sequence[CapturedTable], datasets: DatasetList) -> bytes:
    """Return the .xlsx file of a report's tables in the active language, with contents and sources."""
    from openpyxl import Workbook

    contents_name, sources_name = sheet_names([_("contents"), _("sources")])
    titles = [t.caption or t.section for t in tables]
    names = sheet_names(titles, reserved=[contents_name, sources_name])
    book = Workbook()
    contents = book.active
    contents.title = contents_name
    _write_rows(
        contents,
        [_("sheet"), _("section"), _("table"), _("source note")],
        [
            [name, t.section, t.caption, sentences(*t.source_note)]
            for name, t in zip(names, tables, strict=True)
        ],
        ["", "", "", ""],
    )
    for name, table in zip(names, tables, strict=True):
        ws = book.create_sheet(name)
        formats = [_number_format(c) if c.digits >= 0 else "" for c in table.columns]
        _write_rows(ws, table.headers, _table_rows(table), formats)
    sources = book.create_sheet(sources_name)
    header = [_("dataset"), _("title"), _("publisher"), _("edition"), _("year"), _("sha256")]
    rows = _dataset_rows(datasets)
    _write_rows(sources, header, rows, ["", "", "", "", "0", ""])
    # Below the datasets: each table's source note, so that every sheet can be traced.
    start = len(rows) + 3
    from openpyxl.styles import Font

    for j, text in enumerate([_("sheet"), _("table"), _("source note")], start=1):
        cell = sources.cell(row=start, column=j, value=text)
        cell.data_type = "s"
        cell.font = Font(bold=True)
    for i, (name, table) in enumerate(zip(names, tables, strict=True), start=start + 1):
        for j, text in enumerate([name, table.caption, sentences(*table.source_note)], start=1):
            if text:
                cell = sources.cell(row=i, column=j, value=_text(text, sources_name))
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
