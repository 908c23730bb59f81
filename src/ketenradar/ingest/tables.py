"""Read a user's CSV file against a column schema, collecting every problem before refusing.

A file is read completely and checked completely: encoding, header, every cell. Either a clean,
typed frame comes back, or :class:`~ketenradar.errors.InputFileError` lists every problem with
its file, row (as a spreadsheet shows it: the header is row 1, and blank rows keep their
numbers) and column. Nothing is written by this module, so callers can validate everything
first and write afterwards.

Numbers follow the file, never a guess per cell: a file separated by semicolons (as Dutch Excel
saves "CSV") uses the decimal comma and no thousands separator; any other file uses the decimal
point. Values that cannot be computed with (NaN, infinity, a quantity outside a column's
``limits``) are refused with the reason.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ketenradar._types import BoolArray
from ketenradar.errors import MAX_QUOTED, InputFileError, Problem, quoted
from ketenradar.locale import _, translate

__all__ = [
    "ID_PATTERN",
    "MAX_PROBLEMS",
    "MAX_VALUE_CHARS",
    "ROW",
    "CheckedTable",
    "Column",
    "case_clashes",
    "check_csv_table",
    "check_frame",
    "clip",
    "column_letter",
    "read_csv_table",
    "read_csv_text",
    "suggest_material",
    "unknown_columns",
]

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ColumnKind = Literal["text", "id", "number", "iso3", "material", "choice", "bool"]
_TRUE = {"true", "yes", "1", "y", "ja"}
_FALSE = {"false", "no", "0", "n", "nee"}
MAX_PROBLEMS = 200
# A message quotes at most this many characters of a value: one huge cell must not make a huge message.
MAX_VALUE_CHARS = MAX_QUOTED
# The column that keeps each row's position in the file, for messages after reshaping.
ROW = "_row"
# Spreadsheet exporters (OWASP "CSV injection") put a single quote before text that starts with
# one of these characters, so that Excel does not run it as a formula.
# One quote before any run of quotes that ends in a formula character is the exporter's.
_ESCAPED_START = re.compile(r"^'(?='*[=+\-@\t\r])")
_ESCAPE_MARK = re.compile(r"'[=+\-@\t\r]")
_NON_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)
_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def clip(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """Return ``value`` as text of at most ``limit`` characters, cut with "…"."""
    return quoted(value, limit)


def column_letter(position: int) -> str:
    """Return the spreadsheet letter of a 0-based column position (0 → A, 26 → AA)."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Column:
    """What one column of a user file must hold.

    ``minimum``/``maximum`` are the rule of the data (a share lies in 0..1); ``limits`` is the
    range ketenradar can compute with (e.g. BOM quantities, which multiply along the chain),
    and ``limits_reason`` (a catalogue msgid, translated where shown) says why.
    """

    name: str
    kind: ColumnKind = "text"
    required: bool = True
    allow_empty: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    exclusive_minimum: bool = False
    limits: tuple[float, float] | None = None
    limits_reason: str = ""

    def expected(self, decimal: str = ".") -> str:
        """Describe the accepted values for an error message, in the active language."""
        if self.kind == "number":
            low = "" if self.minimum is None else f"{'>' if self.exclusive_minimum else '≥'} {self.minimum:g}"
            high = "" if self.maximum is None else f"≤ {self.maximum:g}"
            separator = " " + _("and") + " "
            bounds = separator.join(b for b in (low, high) if b)
            text = (
                _("a number with a decimal comma and no thousands separator (the file uses semicolons)")
                if decimal == ","
                else _("a number with a dot as decimal separator")
            ) + (f", {bounds}" if bounds else "")
            if self.limits is not None:
                text += "; " + _("between {low} and {high}").format(
                    low=f"{self.limits[0]:g}", high=f"{self.limits[1]:g}"
                )
                if self.limits_reason:
                    text += f" ({translate(self.limits_reason)})"
            return text
        if self.kind == "choice":
            return _("one of {choices}").format(choices=", ".join(self.choices))
        return {
            "text": _("text"),
            "id": _("an id of lower-case letters, digits and underscores, starting with a letter"),
            "iso3": _("an ISO 3166 alpha-3 country code such as NLD"),
            "material": _("a material id of the catalogue"),
            "bool": _("true or false"),
        }[self.kind]


@dataclass(frozen=True, slots=True)
class CheckedTable:
    """A sheet checked cell by cell: the typed frame, its problems and which cells failed.

    ``bad[column]`` marks the rows whose cell in that column failed its check, so cross-row
    checks can run on the cells that passed and report together with the cell problems.
    """

    frame: pd.DataFrame
    problems: list[Problem]
    bad: dict[str, BoolArray] = field(default_factory=dict)
    header_ok: bool = True

    def ok(self, *columns: str) -> BoolArray:
        """Return the rows whose cells in ``columns`` all passed (every row if none is named)."""
        mask = np.ones(len(self.frame), dtype=bool)
        for column in columns:
            failed = self.bad.get(column)
            if failed is not None:
                mask &= ~failed
        return mask


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
    checked = check_csv_table(path, columns, materials=materials, countries=countries, unique=unique)
    if checked.problems:
        raise InputFileError(checked.problems[:MAX_PROBLEMS])
    return checked.frame


def check_csv_table(
    path: str | Path,
    columns: Sequence[Column],
    *,
    materials: Collection[str] | None = None,
    countries: Collection[str] | None = None,
    unique: Sequence[str] = (),
) -> CheckedTable:
    """Read and check a CSV file; return the typed frame with every cell problem (no raise).

    Callers add their cross-row checks on the cells that passed and raise once.
    """
    path = Path(path)
    return check_frame(
        read_csv_text(path), columns, file=str(path), materials=materials, countries=countries, unique=unique
    )


def _delimiter(header: str) -> str:
    """Return the file's delimiter: the most frequent of , ; and tab in the header line (ties: comma)."""
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_text(path: Path, *, sheet: str | None = None, columnar: bool = True) -> pd.DataFrame:
    """Read a CSV file as text cells (no typing), refusing missing, empty or non-UTF-8 files.

    The frame carries its rows' spreadsheet numbers in column :data:`ROW` (blank lines keep
    theirs) and the file's decimal separator in ``attrs["decimal"]``. A plain file is read by
    Arrow's columnar reader; ``columnar=False`` always takes the text reader, which gives the
    same frame (the tests hold one against the other).
    """
    name = str(path)
    if not path.is_file():
        raise InputFileError.single(
            name, _("file not found"), sheet=sheet, expected=_("an existing CSV file")
        )
    # The bytes go to the columnar reader without a name here, so it can drop them once parsed.
    fast = _read_columnar(path.read_bytes()) if columnar else None
    if fast is not None:
        return fast
    raw = path.read_bytes()
    text, problems = _decode(path, raw)
    if text is None:
        raise InputFileError(problems)
    if not text or text.isspace():
        raise InputFileError.single(
            name, _("the file is empty"), sheet=sheet, expected=_("a header row and data rows")
        )
    end = text.find("\n")
    delimiter = _delimiter(text[: end if end >= 0 else len(text)])
    # pandas renames a repeated header ("share.1"); the header as written is needed to report it.
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True), [])
    options = {"dtype": str, "keep_default_na": False, "sep": delimiter, "skipinitialspace": True}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            try:
                # No skipped blank lines: data record i is spreadsheet row i + 2. No index column:
                # pandas would otherwise take a longer first row's extra cell as an index.
                frame = pd.read_csv(io.StringIO(text), skip_blank_lines=False, index_col=False, **options)
            except pd.errors.ParserWarning:
                # The first data row is longer than the header; reading without one locates it.
                frame = pd.read_csv(io.StringIO(text), header=None, skip_blank_lines=False, **options)
    except pd.errors.ParserError as error:
        fields = _TOO_MANY_FIELDS.search(str(error))
        if fields:
            header_cells, line, found = (int(g) for g in fields.groups())
            raise InputFileError.single(
                name,
                _("the row has {found} cells but the header has {header}").format(
                    found=found, header=header_cells
                ),
                sheet=sheet,
                row=line,
                expected=_("as many cells per row as header columns (give an extra column a header)"),
            ) from None
        raise InputFileError.single(
            name,
            _("not a readable CSV table: {error}").format(error=clip(error, 200)),
            sheet=sheet,
            expected=_("comma-separated values with one header row"),
        ) from None
    if len(header) == len(frame.columns):
        frame.columns = header
    if "'" in text and _ESCAPE_MARK.search(text):
        frame = frame.apply(_unescape)
    frame[ROW] = np.arange(2, len(frame) + 2)
    frame.attrs["decimal"] = "," if delimiter == ";" else "."
    return frame


# Files the columnar reader leaves to pandas, which reports their problems cell by cell: a
# quote after the spaces that pandas skips, and text an exporter protected from spreadsheet
# formulas. (Blank lines reach pandas too: Arrow keeps them as rows of the wrong length.)
_QUOTE_AFTER_SPACES = re.compile(rb"[,;\t] +\"")
_ESCAPE_MARK_BYTES = re.compile(rb"'[=+\-@\t\r]")


def _needs_text_reader(body: bytes) -> bool:
    """Whether the file has what only the text reader handles (see above); a regex only where a hint is."""
    # A substring test runs at memory speed; a regex over a few hundred megabytes takes seconds.
    return (b' "' in body and _QUOTE_AFTER_SPACES.search(body) is not None) or (
        b"'" in body and _ESCAPE_MARK_BYTES.search(body) is not None
    )


def _read_columnar(raw: bytes) -> pd.DataFrame | None:
    """Read a plain, well-formed CSV file with Arrow's columnar reader, or return None.

    The common case of a large file: whole columns of text in C++, no Python object per cell.
    Anything unusual (not UTF-8, rows of the wrong length, see ``_needs_text_reader``)
    returns None, and :func:`read_csv_text` reads the file as text and says exactly what is
    wrong. Both readers give the same cells, except that pandas also drops the spaces that
    start a cell, which :func:`check_frame` strips from every cell anyway.
    """
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    end = body.find(b"\n")
    if end < 0 or not body[end + 1 :].strip() or _needs_text_reader(body):
        return None
    try:
        header_line = body[:end].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    delimiter = _delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter, skipinitialspace=True), [])
    if not header:
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = arrow_csv.read_csv(
            pa.py_buffer(body),
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1),
            # Blank lines are rows: in a file of several columns one is a row of the wrong
            # length, so the text reader takes the file and numbers its rows as pandas does.
            parse_options=arrow_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=b'"' in body, ignore_empty_lines=False
            ),
            convert_options=arrow_csv.ConvertOptions(
                # pandas keeps text as large_string: parsed so, nothing is converted afterwards.
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    del raw, body
    frame = table.to_pandas()
    frame.columns = header
    frame[ROW] = np.arange(2, len(frame) + 2)
    frame.attrs["decimal"] = "," if delimiter == ";" else "."
    return frame


def _unescape(values: pd.Series) -> pd.Series:
    """Remove the quote an exporter put before text that would start a formula ('=..., '+...)."""
    text = values.fillna("").astype(str)
    marked = text.str.lstrip().str.startswith("'")
    if not marked.any():
        return values
    return text.where(~marked, text.str.lstrip().str.replace(_ESCAPED_START, "", regex=True))


def _header_problems(
    names: list[str], columns: Sequence[Column], file: str, sheet: str | None, header_row: int | None
) -> list[Problem]:
    problems: list[Problem] = []
    named = pd.Series(names)
    repeated = named[(named != "") & named.duplicated(keep=False)]
    for name, positions in repeated.groupby(repeated, sort=False).groups.items():
        letters = ", ".join(column_letter(int(p)) for p in positions)
        problems.append(
            Problem(
                file=file,
                sheet=sheet,
                row=header_row,
                column=clip(name),
                message=_("the column name appears more than once in the header (columns {letters})").format(
                    letters=letters
                ),
                expected=_("each column name once: rename or delete the extra column"),
            )
        )
    present = set(names)
    found = ", ".join(clip(n, 40) for n in names[:30] if n) or _("none")
    problems.extend(
        Problem(
            file=file,
            sheet=sheet,
            row=header_row,
            column=c.name,
            message=_("required column is missing"),
            expected=_("a header with {column!r} (found columns: {found})").format(
                column=c.name, found=found
            ),
        )
        for c in columns
        if c.required and c.name not in present
    )
    return problems


def unknown_columns(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    file: str,
    *,
    header_row: int | None,
    sheet: str | None = None,
) -> list[Problem]:
    """Return a problem for each column (or key) the schema does not name: a misspelt one must not pass."""
    known = {c.name for c in columns}
    names = [str(c).strip() for c in frame.columns if str(c) != ROW]
    return [
        Problem(
            file=file,
            sheet=sheet,
            row=header_row,
            column=clip(name, 40),
            message=_("unknown column (check its spelling)"),
            expected=_("only the columns {columns}").format(columns=", ".join(c.name for c in columns)),
        )
        for name in dict.fromkeys(names)
        if name and name not in known
    ]


def check_frame(
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
    decimal: str | None = None,
) -> CheckedTable:
    """Check text cells against the schema; return the typed frame, every problem and the failed cells.

    Row numbers come from the frame's :data:`ROW` column when it has one (the reader's real
    sheet rows), else they count from ``first_row``. Rows whose cells are all empty are
    skipped, as a spreadsheet's blank rows are. ``decimal`` defaults to the reader's
    ``attrs["decimal"]``, else the dot.
    """
    decimal = decimal or str(frame.attrs.get("decimal", "."))
    header_row = 1 if first_row == 2 else None
    if frame.empty and len(frame.columns) == 0 and allow_empty_table:
        frame = pd.DataFrame(columns=[c.name for c in columns])
    labels = [str(c) for c in frame.columns]
    if ROW in labels:
        rows = frame[ROW].to_numpy(dtype=np.int64)
    else:
        rows = np.arange(len(frame), dtype=np.int64) + first_row
    names = [c.strip() for c in labels]
    data = [i for i, c in enumerate(labels) if c != ROW]
    header = _header_problems([names[i] for i in data], columns, file, sheet, header_row)
    if header:
        return CheckedTable(frame, header, header_ok=False)
    keep = [i for i in data if names[i]]
    out = frame.iloc[:, keep].fillna("").astype(str)
    out.columns = [names[i] for i in keep]
    if not out.empty:
        # Column by column: a national sheet is held once more for one column, not for all.
        for name in out.columns:
            out[name] = out[name].str.strip()
        filled = (out != "").to_numpy().any(axis=1)
        if not filled.all():
            out, rows = out[filled].reset_index(drop=True), rows[filled]
    if out.empty and not allow_empty_table:
        return CheckedTable(
            out,
            [
                Problem(
                    file=file,
                    sheet=sheet,
                    message=_("the table has a header but no data rows"),
                    expected=_("at least one data row"),
                )
            ],
            header_ok=True,
        )
    problems: list[Problem] = []
    bad: dict[str, BoolArray] = {}
    for column in columns:
        if column.name not in out.columns:
            out[column.name] = np.nan if column.kind == "number" else ""
            continue
        values = out[column.name]
        cell = _CellCheck(column, values, rows, file, sheet, decimal)
        out[column.name] = cell.run(materials=materials, countries=countries)
        problems.extend(cell.problems)
        bad[column.name] = cell.failed
    if unique:
        ok = np.ones(len(out), dtype=bool)
        for u in unique:
            if u in bad:
                ok &= ~bad[u]
        if ok.all():
            duplicated = out.duplicated(list(unique), keep="first").to_numpy()
        else:
            duplicated = np.zeros(len(out), dtype=bool)
            duplicated[ok] = out[ok].duplicated(list(unique), keep="first").to_numpy()
        positions = np.flatnonzero(duplicated)
        problems.extend(
            Problem(
                file=file,
                sheet=sheet,
                row=int(rows[p]),
                column=unique[-1],
                message=_("duplicate row for {columns} ({values})").format(
                    columns=", ".join(unique),
                    values=", ".join(clip(out.iloc[p][u]) for u in unique),
                ),
                expected=_("each combination once"),
            )
            for p in positions
        )
        bad[unique[-1]] = bad.get(unique[-1], np.zeros(len(out), dtype=bool)) | duplicated
    problems.sort(key=lambda p: p.row or 0)
    out.attrs["source_file"] = file
    out[ROW] = rows
    return CheckedTable(out, problems, bad)


class _CellCheck:
    """The checks of one column, collecting located problems for the failing cells only."""

    def __init__(
        self, column: Column, values: pd.Series, rows: np.ndarray, file: str, sheet: str | None, decimal: str
    ) -> None:
        self.column, self.values, self.rows = column, values, rows
        self.file, self.sheet, self.decimal = file, sheet, decimal
        self.problems: list[Problem] = []
        self.failed = np.zeros(len(values), dtype=bool)
        self.present = (values != "").to_numpy()

    def report(self, mask: BoolArray, message: str, hint: Callable[[str], str] | None = None) -> None:
        """Add one problem per row of ``mask``; ``hint`` adds words that depend on the cell's value."""
        if not mask.any():
            return
        self.failed |= mask
        expected = self.column.expected(self.decimal)
        self.problems.extend(
            Problem(
                file=self.file,
                sheet=self.sheet,
                row=int(r),
                column=self.column.name,
                message=message + (hint(str(v)) if hint is not None else ""),
                value=clip(v) if v != "" else None,
                expected=expected,
            )
            for r, v in zip(self.rows[mask], self.values[mask], strict=True)
        )

    def run(self, *, materials: Collection[str] | None, countries: Collection[str] | None) -> pd.Series:
        """Check every cell; return the column typed."""
        column, values, present = self.column, self.values, self.present
        if not column.allow_empty:
            self.report(~present, _("empty cell"))
        if column.kind == "number":
            return self._numbers()
        if column.kind == "iso3":
            codes = values.str.upper()
            if countries is not None:
                self.report(present & ~codes.isin(list(countries)).to_numpy(), _("unknown country code"))
            return codes
        if column.kind == "material":
            if materials is not None:
                self.report(
                    present & ~values.isin(list(materials)).to_numpy(),
                    _("unknown material id"),
                    hint=lambda value: suggest_material(value, materials),
                )
            return values
        if column.kind == "id":
            self.report(present & ~values.str.fullmatch(ID_PATTERN.pattern).to_numpy(), _("not a valid id"))
            return values
        if column.kind == "choice":
            lowered = values.str.lower()
            self.report(present & ~lowered.isin(list(column.choices)).to_numpy(), _("not an accepted value"))
            return lowered
        if column.kind == "bool":
            lowered = values.str.lower()
            self.report(present & ~lowered.isin(list(_TRUE | _FALSE)).to_numpy(), _("not true or false"))
            return lowered.map(lambda v: True if v in _TRUE else (False if v in _FALSE else None))
        return values

    def _numbers(self) -> pd.Series:
        column, values, present = self.column, self.values, self.present
        text = values
        if self.decimal == ",":
            # A decimal-comma file: a dot is neither guessed as decimal point nor as thousands separator.
            dotted = present & values.str.contains(".", regex=False).to_numpy()
            self.report(dotted, _("a dot in a number of a file with decimal commas"))
            text = values.str.replace(",", ".", regex=False).where(~dotted, "")
        arr = _parse_numbers(text, present & ~self.failed)
        bad = present & ~self.failed & np.isnan(arr)
        if bad.any():
            # Classify only the failing cells: the common path costs nothing extra.
            positions = np.flatnonzero(bad)
            failing = values.iloc[positions]
            comma = np.zeros(len(arr), dtype=bool)
            special = np.zeros(len(arr), dtype=bool)
            if self.decimal == ".":
                comma[positions] = failing.str.fullmatch(r"-?\d+,\d+").to_numpy()
            special[positions] = failing.str.fullmatch(_NON_FINITE.pattern, case=False).to_numpy()
            boolean = np.zeros(len(arr), dtype=bool)
            # JSON true/false arrives as the text True/False: name the mistake, not just "not a number".
            boolean[positions] = failing.str.lower().isin(["true", "false"]).to_numpy()
            self.report(comma, _("decimal comma"))
            self.report(special, _("not a finite number (NaN or infinity cannot be computed with)"))
            self.report(boolean, _("true/false where a number is expected"))
            self.report(bad & ~comma & ~special & ~boolean, _("not a number"))
        infinite = np.isinf(arr)
        self.report(infinite, _("not a finite number (NaN or infinity cannot be computed with)"))
        ok = np.isfinite(arr)
        out_of_range = np.zeros(len(arr), dtype=bool)
        if column.minimum is not None:
            below = arr <= column.minimum if column.exclusive_minimum else arr < column.minimum
            out_of_range |= ok & below
        if column.maximum is not None:
            out_of_range |= ok & (arr > column.maximum)
        self.report(out_of_range, _("value out of range"))
        if column.limits is not None:
            low, high = column.limits
            outside = ok & ~out_of_range & ((arr < low) | (arr > high))
            self.report(outside, _("value outside the range ketenradar can compute with"))
        arr = np.where(self.failed, np.nan, arr)
        return pd.Series(arr, index=values.index, dtype=np.float64)


def _parse_numbers(text: pd.Series, usable: BoolArray) -> np.ndarray:
    """Return the usable cells as float64 (NaN elsewhere and where a cell is not a number).

    Arrow parses a clean column in C++; its grammar is a subset of pandas' with the same
    values (tests/ingest/test_tables.py), so a column with any cell Arrow refuses goes to
    pandas, whose verdict per cell the messages are built on.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    cells = text.where(usable)
    try:
        parsed = pc.cast(pa.array(cells, from_pandas=True, type=pa.string()), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        numbers: np.ndarray = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64)
        return numbers
    # "-0" is 0 to pandas; Arrow keeps the sign, which no quantity or share needs.
    values: np.ndarray = parsed.to_numpy(zero_copy_only=False) + 0.0
    return values


def case_clashes(
    frame: pd.DataFrame, column: str, ok: BoolArray, *, file: str, sheet: str | None = None
) -> tuple[BoolArray, list[Problem]]:
    """Find ids that differ from an earlier row's only in upper/lower case (``Tank`` after ``tank``).

    Only rows marked ``ok`` take part; returns the clashing rows and one problem for each,
    naming the earlier row.
    """
    ids = frame[column].where(ok, "")
    lowered = ids.str.lower()
    repeated = lowered.duplicated(keep="first").to_numpy()
    if not repeated.any():
        # No id repeats even ignoring case: nothing can clash (the common case, one hash pass).
        return repeated, []
    clash = ok & repeated & ~ids.duplicated(keep="first").to_numpy()
    if not clash.any():
        return clash, []
    first = pd.Series(np.arange(len(frame)), index=lowered.to_numpy()).groupby(level=0).first()
    rows = frame[ROW].to_numpy()
    problems = []
    for position in np.flatnonzero(clash):
        earlier = int(first[lowered.iloc[position]])
        problems.append(
            Problem(
                file=file,
                sheet=sheet,
                row=int(rows[position]),
                column=column,
                value=clip(ids.iloc[position]),
                message=_("differs from {other!r} (row {row}) only in upper/lower case").format(
                    other=clip(ids.iloc[earlier]), row=int(rows[earlier])
                ),
                expected=_("ids that differ in more than case: use one spelling for one thing"),
            )
        )
    return clash, problems


def suggest_material(value: str, known: Collection[str]) -> str:
    """Return a hint for an unknown material id: its group, or a close known id ("" if none).

    ``known`` may be a catalogue (a mapping of ids to materials), whose groups are used; for a
    plain collection of ids the groups of the shipped catalogue are used.
    """
    lowered = value.strip().lower()
    groups = _groups(known)
    group = groups.get(lowered)
    if group is not None and group in known:
        return "; " + _("{material} is part of {group}: use {group}").format(material=lowered, group=group)
    close = difflib.get_close_matches(lowered, [str(k) for k in known], n=1, cutoff=0.75)
    if close:
        return "; " + _("did you mean {material!r}?").format(material=close[0])
    return ""


def _groups(known: Collection[str]) -> dict[str, str]:
    """Return member id → group id, from ``known`` if it is a catalogue, else the shipped catalogue."""
    if isinstance(known, Mapping):
        materials = list(known.values())
    else:
        # Only reached on the error path, so loading the shipped catalogue here costs nothing usual.
        from ketenradar.refdata import load_materials

        materials = list(load_materials().materials)
    groups = {member: m.id for m in materials for member in getattr(m, "members", ())}
    groups.update({m.id: m.group for m in materials if getattr(m, "group", "")})
    return groups
