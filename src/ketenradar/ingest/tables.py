"""Read a user's CSV file against a column schema, collecting every problem before refusing.

A file is read completely and checked completely: encoding, header, every cell. Either a clean,
typed frame comes back, or :class:`~ketenradar.errors.InputFileError` lists every problem with
its file, row (as a spreadsheet shows it: the header is row 1) and column. Nothing is written
by this module, so callers can validate everything first and write afterwards.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.locale import _

__all__ = ["ID_PATTERN", "ROW", "Column", "read_csv_table", "read_csv_text", "validate_frame"]

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ColumnKind = Literal["text", "id", "number", "iso3", "material", "choice", "bool"]
_TRUE = {"true", "yes", "1", "y", "ja"}
_FALSE = {"false", "no", "0", "n", "nee"}
MAX_PROBLEMS = 200
# The column that keeps each row's position in the file, for messages after reshaping.
ROW = "_row"


@dataclass(frozen=True, slots=True)
class Column:
    """What one column of a user file must hold."""

    name: str
    kind: ColumnKind = "text"
    required: bool = True
    allow_empty: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    exclusive_minimum: bool = False

    def expected(self) -> str:
        """Describe the accepted values for an error message, in the active language."""
        if self.kind == "number":
            low = "" if self.minimum is None else f"{'>' if self.exclusive_minimum else '≥'} {self.minimum:g}"
            high = "" if self.maximum is None else f"≤ {self.maximum:g}"
            separator = " " + _("and") + " "
            bounds = separator.join(b for b in (low, high) if b)
            return _("a number with a dot as decimal separator") + (f", {bounds}" if bounds else "")
        if self.kind == "choice":
            return _("one of {choices}").format(choices=", ".join(self.choices))
        return {
            "text": _("text"),
            "id": _("an id of lower-case letters, digits and underscores, starting with a letter"),
            "iso3": _("an ISO 3166 alpha-3 country code such as NLD"),
            "material": _("a material id of the catalogue"),
            "bool": _("true or false"),
        }[self.kind]


def _decode(path: Path, raw: bytes) -> tuple[str | None, list[Problem]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                file=str(path),
                row=line,
                message=_("the file is not UTF-8 text (byte 0x{byte:02x} at offset {offset})").format(
                    byte=raw[error.start], offset=error.start
                ),
                expected=_("a CSV file saved as UTF-8 (in Excel: 'CSV UTF-8')"),
            )
        ]


def read_csv_table(
    path: str | Path,
    columns: Sequence[Column],
    *,
    materials: Collection[str] | None = None,
    countries: Collection[str] | None = None,
    unique: Sequence[str] = (),
) -> pd.DataFrame:
    """Return the file as a typed frame, or raise InputFileError listing every problem.

    Numbers become floats (NaN where empty and allowed), booleans become ``True``/``False``/
    ``None``, country codes are upper-cased. Columns the schema does not name are kept as
    text. ``unique`` names columns whose combination must not repeat.
    """
    path = Path(path)
    frame = read_csv_text(path)
    out, problems = validate_frame(
        frame, columns, file=str(path), materials=materials, countries=countries, unique=unique
    )
    if problems:
        raise InputFileError(problems[:MAX_PROBLEMS])
    return out


def read_csv_text(path: Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV file as text cells (no typing), refusing missing, empty or non-UTF-8 files."""
    name = str(path)
    if not path.is_file():
        raise InputFileError.single(
            name, _("file not found"), sheet=sheet, expected=_("an existing CSV file")
        )
    text, problems = _decode(path, path.read_bytes())
    if text is None:
        raise InputFileError(problems)
    if not text.strip():
        raise InputFileError.single(
            name, _("the file is empty"), sheet=sheet, expected=_("a header row and data rows")
        )
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            sep=delimiter,
            skipinitialspace=True,
        )
    except pd.errors.ParserError as error:
        raise InputFileError.single(
            name,
            _("not a readable CSV table: {error}").format(error=error),
            sheet=sheet,
            expected=_("comma-separated values with one header row"),
        ) from error


def validate_frame(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    file: str,
    sheet: str | None = None,
    materials: Collection[str] | None = None,
    countries: Collection[str] | None = None,
    unique: Sequence[str] = (),
    allow_empty_table: bool = False,
    first_row: int = 2,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check text cells against the schema; return the typed frame and every problem found.

    Row numbers are as a spreadsheet shows them: the header is row 1, the first data row 2.
    """
    problems: list[Problem] = []
    if frame.empty and len(frame.columns) == 0 and allow_empty_table:
        frame = pd.DataFrame(columns=[c.name for c in columns])
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c.required and c.name not in frame.columns]
    if missing:
        found = ", ".join(frame.columns) or _("none")
        return frame, [
            Problem(
                file=file,
                sheet=sheet,
                row=1,
                column=c.name,
                message=_("required column is missing"),
                expected=_("a header with {column!r} (found columns: {found})").format(
                    column=c.name, found=found
                ),
            )
            for c in missing
        ]
    if frame.empty and not allow_empty_table:
        return frame, [
            Problem(
                file=file,
                sheet=sheet,
                message=_("the table has a header but no data rows"),
                expected=_("at least one data row"),
            )
        ]
    out = frame.fillna("").astype(str)
    if not out.empty:
        out = out.apply(lambda s: s.str.strip())
    rows = np.arange(len(frame)) + first_row
    for column in columns:
        if column.name not in out.columns:
            out[column.name] = np.nan if column.kind == "number" else ""
            continue
        values = out[column.name]
        empty = values == ""
        out[column.name] = _check(
            column,
            values,
            empty,
            rows,
            file,
            sheet,
            problems,
            materials=materials,
            countries=countries,
        )
    if unique and not problems:
        duplicated = out.duplicated(list(unique), keep="first").to_numpy()
        problems.extend(
            Problem(
                file=file,
                sheet=sheet,
                row=int(r),
                column=unique[-1],
                message=_("duplicate row for {columns} ({values})").format(
                    columns=", ".join(unique),
                    values=", ".join(str(out.iloc[r - first_row][u]) for u in unique),
                ),
                expected=_("each combination once"),
            )
            for r in rows[duplicated]
        )
    problems.sort(key=lambda p: p.row or 0)
    out.attrs["source_file"] = file
    out[ROW] = rows
    return out, problems


def _check(
    column: Column,
    values: pd.Series,
    empty: pd.Series,
    rows: np.ndarray,
    name: str,
    sheet: str | None,
    problems: list[Problem],
    *,
    materials: Collection[str] | None,
    countries: Collection[str] | None,
) -> pd.Series:
    def report(mask: np.ndarray, message: str) -> None:
        problems.extend(
            Problem(
                file=name,
                sheet=sheet,
                row=int(r),
                column=column.name,
                message=message,
                value=str(v) if v != "" else None,
                expected=column.expected(),
            )
            for r, v in zip(rows[mask], values[mask], strict=True)
        )

    present = ~empty.to_numpy()
    if not column.allow_empty:
        report(~present, _("empty cell"))
    if column.kind == "number":
        numbers = pd.to_numeric(values.where(present), errors="coerce")
        bad = present & numbers.isna().to_numpy()
        comma = bad & values.str.fullmatch(r"-?\d+,\d+").to_numpy()
        report(comma, _("decimal comma"))
        report(bad & ~comma, _("not a number"))
        arr = numbers.to_numpy(dtype=np.float64)
        ok = ~np.isnan(arr)
        out_of_range = np.zeros(len(arr), dtype=bool)
        if column.minimum is not None:
            below = arr <= column.minimum if column.exclusive_minimum else arr < column.minimum
            out_of_range |= ok & below
        if column.maximum is not None:
            out_of_range |= ok & (arr > column.maximum)
        out_of_range |= ok & ~np.isfinite(arr)
        report(out_of_range, _("value out of range"))
        return numbers.astype(np.float64)
    if column.kind == "iso3":
        codes = values.str.upper()
        if countries is not None:
            report(present & ~codes.isin(list(countries)).to_numpy(), _("unknown country code"))
        return codes
    if column.kind == "material":
        if materials is not None:
            report(present & ~values.isin(list(materials)).to_numpy(), _("unknown material id"))
        return values
    if column.kind == "id":
        report(present & ~values.str.fullmatch(ID_PATTERN.pattern).to_numpy(), _("not a valid id"))
        return values
    if column.kind == "choice":
        lowered = values.str.lower()
        report(present & ~lowered.isin(list(column.choices)).to_numpy(), _("not an accepted value"))
        return lowered
    if column.kind == "bool":
        lowered = values.str.lower()
        report(present & ~lowered.isin(list(_TRUE | _FALSE)).to_numpy(), _("not true or false"))
        return lowered.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None))
    return values
