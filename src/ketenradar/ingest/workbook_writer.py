"""Write chain workbooks: templates with drop-downs (empty or holding an example), and exports.

What a person types stays text: no cell of a written workbook is a formula, and a CSV cell
that a spreadsheet would run as one (starting with ``= + - @``, a tab or a carriage return) is
written with a leading single quote, as OWASP recommends against CSV injection (a reader that
takes the file back drops that one quote, see :data:`CSV_ESCAPED`). Every file is written
beside its target first and renamed into place when complete, so a failure leaves the old
file as it was and never a half-written one.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ketenradar.errors import OutputRefused
from ketenradar.ingest.tables import Column
from ketenradar.ingest.workbook import SHEETS
from ketenradar.locale import N_, _, format_number
from ketenradar.model.chain import Chain
from ketenradar.model.material import Material
from ketenradar.model.vocabulary import CHAIN_STAGES, DOMAINS, ITEM_KINDS
from ketenradar.refdata import known_country_codes, load_defence_materials_extra, load_materials

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = [
    "CSV_ESCAPED",
    "EXCEL_MAX_ROWS",
    "MATERIAL_COLUMNS",
    "chain_materials_frame",
    "save_workbook",
    "template_workbook",
    "write_chain",
    "write_sheets",
    "write_template",
    "write_workbook_template",
]

# Rows of an Excel sheet, the header included (Excel 2007 and later).
EXCEL_MAX_ROWS = 1_048_576
# Characters in one Excel cell.
EXCEL_MAX_CELL_TEXT = 32_767
# A CSV text cell matching this gets one leading quote; a reader removes one quote from a cell
# that matches it after the quote (quotes already there are escaped too, so the reading is exact).
CSV_ESCAPED = re.compile(r"'*[=+\-@\t\r]")
# Text that Excel reads as something else than text: an error value.
_EXCEL_ERROR_VALUES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
_EXCEL_ERROR_PATTERN = "|".join(re.escape(value) for value in _EXCEL_ERROR_VALUES)
# The same tests after a newline, for a quick scan of a whole column joined by newlines (an
# anchor "^" in MULTILINE mode would make the search try every position: three times slower).
_CSV_ESCAPED_LINE = re.compile("\n" + CSV_ESCAPED.pattern)
_NOT_TEXT_LINE = re.compile(rf"\n(?:=|{_EXCEL_ERROR_PATTERN})")
# Characters an .xlsx file cannot hold (XML 1.0), as openpyxl refuses them.
_EXCEL_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_EXCEL_ALTERNATIVE = N_("write a folder of CSV files (a path without .xlsx) or a .json file instead")
# The optional sheet of catalogue materials an exported chain carries (beyond the shipped ones).
MATERIAL_COLUMNS = ["id", "name_en", "name_nl", "category", "note"]

INSTRUCTIONS = (
    N_("ketenradar chain workbook (v1.1)"),
    "",
    N_("Fill in three sheets; columns marked * are required. One row per item, BOM edge or sourcing line."),
    N_(
        "items*: id*, name*, kind* (platform, subsystem, component, semi_finished, material), domain, "
        "dis_area, material (for kind material: the material id), unit, stock_days (stock in days of "
        "the item's normal consumption, >= 0; empty = no stock)"
    ),
    N_("bom*: parent*, child*, quantity* (units of child per unit of parent, > 0)"),
    N_(
        "sourcing*: item*, country* (ISO 3166 alpha-3), share* (0..1; per item and stage the shares sum "
        "to 1), stage (manufacturing, processing, mining; empty = manufacturing for parts, mining and "
        "processing for materials), supplier, tier, lead_time_days, stock_days"
    ),
    "",
    N_("Drop-downs offer the accepted kinds, domains, stages, country codes and material ids."),
    N_("Import with: ketenradar chain import THIS_FILE.xlsx --name NAME"),
    N_("Every problem is reported with sheet, row and column; nothing is stored until the file is clean."),
)
EXAMPLE_INSTRUCTIONS = (
    "",
    N_(
        "This workbook holds an example chain with illustrative quantities and sourcing: change it, "
        "or replace its rows with your own chain, then import it."
    ),
)


def write_template(
    path: str | Path, materials: Sequence[str], chain: Chain | None = None, *, example: bool = False
) -> Path:
    """Write a chain workbook with an instructions sheet and drop-downs: empty, or holding ``chain``.

    ``example`` adds a line to the instructions saying that the rows are an illustrative
    example to edit or replace.
    """
    lists: dict[str, list[str]] = {
        "kind": list(ITEM_KINDS),
        "domain": list(DOMAINS),
        "stage": list(CHAIN_STAGES),
        "country": sorted(known_country_codes()),
        "material": sorted(materials),
    }
    lines = [*INSTRUCTIONS, *(EXAMPLE_INSTRUCTIONS if example else ())]
    data = _export_frames(chain) if chain is not None else None
    book = template_workbook(SHEETS, lists, [_(line) for line in lines], data=data)
    return save_workbook(book, path)


def write_workbook_template(
    path: str | Path,
    schema: dict[str, list[Column]],
    lists: dict[str, list[str]],
    instructions: list[str],
    *,
    reference: Mapping[str, pd.DataFrame] | None = None,
    prompts: Mapping[tuple[str, str], str] | None = None,
    highlights: Mapping[str, str] | None = None,
) -> Path:
    """Write an empty workbook: instructions, one sheet per schema entry, drop-downs from ``lists``.

    The keyword arguments are those of :func:`template_workbook`.
    """
    book = template_workbook(
        schema, lists, instructions, reference=reference, prompts=prompts, highlights=highlights
    )
    return save_workbook(book, path)


def template_workbook(
    schema: dict[str, list[Column]],
    lists: dict[str, list[str]],
    instructions: list[str],
    *,
    data: Mapping[str, pd.DataFrame] | None = None,
    reference: Mapping[str, pd.DataFrame] | None = None,
    prompts: Mapping[tuple[str, str], str] | None = None,
    highlights: Mapping[str, str] | None = None,
) -> Workbook:
    """Return a workbook: instructions, one sheet per schema entry, drop-downs from ``lists``.

    A column whose name is a key of ``lists`` gets a drop-down of those values (kept in a
    hidden ``lists`` sheet). ``instructions`` arrive in the user's language; the drop-down
    messages are written in the active language too. Every text is written as text, never as
    a formula.

    ``data`` fills sheets with rows (columns by name). ``reference`` adds visible sheets to
    look things up in, after the instructions. ``prompts`` gives the message shown when a
    cell of a drop-down column is selected, by (sheet, column). ``highlights`` gives per sheet
    a condition that turns a row's cells red: an Excel formula for row 2 in which ``{name}``
    stands for the letter of column ``name``; the columns it names are the ones coloured.
    """
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    info = book.active
    info.title = "instructions"
    for row, line in enumerate(instructions, start=1):
        _put(info, row, 1, line)
    info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 120

    for title, frame in (reference or {}).items():
        ws = book.create_sheet(title)
        for col, name in enumerate(frame.columns, start=1):
            ws.cell(row=1, column=col, value=str(name)).font = Font(bold=True)
            width = max([len(str(name)), *(len(str(v)) for v in frame[name])]) + 2
            ws.column_dimensions[get_column_letter(col)].width = min(80, max(12, width))
            for row, value in enumerate(_cells(frame[name]), start=2):
                _put(ws, row, col, value)
        ws.freeze_panes = "A2"

    list_sheet = book.create_sheet("lists")
    ranges: dict[str, str] = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        list_sheet.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            _put(list_sheet, row, col, value)
        ranges[name] = f"lists!${letter}$2:${letter}${len(values) + 1}"
    list_sheet.sheet_state = "hidden"

    for sheet, columns in schema.items():
        ws = book.create_sheet(sheet)
        frame = (data or {}).get(sheet)
        filled = 0 if frame is None else len(frame)
        rows = max(5000, filled + 1000)
        letters = {column.name: get_column_letter(col) for col, column in enumerate(columns, start=1)}
        for col, column in enumerate(columns, start=1):
            letter = letters[column.name]
            ws.cell(row=1, column=col, value=column.name).font = Font(bold=column.required)
            ws.column_dimensions[letter].width = max(12, len(column.name) + 4)
            if frame is not None and column.name in frame.columns:
                for row, value in enumerate(_cells(frame[column.name]), start=2):
                    _put(ws, row, col, value)
            if column.name not in ranges:
                continue
            validation = DataValidation(
                type="list",
                formula1=f"={ranges[column.name]}",
                allow_blank=not column.required or column.allow_empty,
                showErrorMessage=True,
                errorTitle=_("invalid {column}").format(column=column.name),
                error=_("choose a value from the list ({expected})").format(expected=column.expected()),
            )
            prompt = (prompts or {}).get((sheet, column.name))
            if prompt:
                validation.showInputMessage = True
                validation.promptTitle = column.name
                validation.prompt = prompt
            validation.add(f"{letter}2:{letter}{rows}")
            ws.add_data_validation(validation)
        condition = (highlights or {}).get(sheet)
        if condition:
            named = [letters[n] for n in letters if "{" + n + "}" in condition]
            red = PatternFill(start_color="FFC7CE", end_color="FFC7CE", fill_type="solid")
            ws.conditional_formatting.add(
                f"{named[0]}2:{named[-1]}{rows}",
                FormulaRule(formula=[condition.format(**letters)], fill=red),
            )
        ws.freeze_panes = "A2"
    return book


def save_workbook(book: Workbook, path: str | Path) -> Path:
    """Save an openpyxl workbook to ``path`` at once: written beside it, then renamed into place."""
    path = Path(path)
    with _replacing_file(path) as temporary:
        book.save(temporary)
    return path


def write_chain(chain: Chain, path: str | Path, materials: Iterable[Material] = ()) -> Path:
    """Write a chain as .xlsx, .json, or a folder of CSV files (any other path).

    ``materials`` are catalogue materials (a catalogue file's, or those kept with a stored
    chain): the ones the chain uses that ketenradar does not ship go into a ``materials``
    sheet, so the file imports again without the catalogue file.
    """
    path = Path(path)
    frames = _export_frames(chain)
    extra = chain_materials_frame(chain, materials)
    is_folder = path.suffix.lower() not in (".xlsx", ".json")
    if not extra.empty or (is_folder and (path / "materials.csv").is_file()):
        # An earlier export's materials.csv in that folder would otherwise still be read back.
        frames["materials"] = extra
    return write_sheets(frames, path)


def chain_materials_frame(chain: Chain, materials: Iterable[Material]) -> pd.DataFrame:
    """Return the ``materials`` sheet: those of ``materials`` the chain uses that are not shipped."""
    used = set(chain.items.loc[chain.items["kind"] == "material", "material"])
    wanted = [m for m in materials if m.id in used]
    if wanted:
        shipped = set(load_materials()) | {m.id for m in load_defence_materials_extra()}
        wanted = [m for m in wanted if m.id not in shipped]
    rows = {m.id: [getattr(m, c) for c in MATERIAL_COLUMNS] for m in wanted}
    return pd.DataFrame(list(rows.values()), columns=MATERIAL_COLUMNS, dtype=object)


def write_sheets(frames: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write named sheets as .xlsx, .json, or a folder of CSV files (any other path), all at once.

    A workbook is refused before anything is written when a sheet has more rows than Excel
    holds, or a cell more text; the refusal names the CSV-folder and JSON alternatives.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _check_excel_limits(frames, path)
        with _replacing_file(path) as temporary:
            _write_xlsx(frames, temporary, path)
    elif suffix == ".json":
        text = _json_document(frames)
        with _replacing_file(path) as temporary:
            temporary.write_text(text, encoding="utf-8")
    else:
        _write_csv_folder(frames, path)
    return path


def _export_frames(chain: Chain) -> dict[str, pd.DataFrame]:
    """Return the three sheets; stages are written explicitly so the export reads back the same."""
    return {"items": chain.items, "bom": chain.bom, "sourcing": chain.sourcing}


# -- cells -------------------------------------------------------------------------------------


def _cells(series: pd.Series) -> list[Any]:
    """Return a column's values as Python objects, with None for a missing value."""
    if series.hasnans:
        series = series.astype(object).where(series.notna(), None)
    values: list[Any] = series.tolist()
    return values


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    """Set one cell; text stays text (openpyxl would make ``=...`` a formula, ``#N/A`` an error)."""
    if isinstance(value, np.generic):
        value = value.item()
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"


def _not_kept_as_text(strings: Any) -> Any:
    return strings.startswith("=") | strings.fullmatch(_EXCEL_ERROR_PATTERN)


def _has_illegal_character(strings: Any) -> Any:
    return strings.contains(_EXCEL_ILLEGAL)


def _may_start_with(series: pd.Series, after_newline: re.Pattern[str]) -> bool:
    """Whether some cell may start with ``after_newline``'s text (a quick scan: False is certain).

    The cells are joined by newlines and searched once, so that a column of ordinary text
    costs one pass in C; a match (also one after a newline inside a cell) is checked cell by
    cell by the caller.
    """
    try:
        joined = "\n" + "\n".join(series.tolist())
    except TypeError:  # not only text
        return True
    return after_newline.search(joined) is not None


def _longest_text(series: pd.Series) -> int:
    """Return the length of the longest text cell of a column (0 for none)."""
    return max((len(v) for v in series.tolist() if isinstance(v, str)), default=0)


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]


def _string_mask(series: pd.Series, test: Any) -> np.ndarray:
    """Return ``test(series.str)`` as a boolean array, False where a cell is not text."""
    try:
        strings = series.str
    except AttributeError:  # a column of other objects (booleans, None)
        return np.zeros(len(series), dtype=bool)
    mask: np.ndarray = test(strings).to_numpy(dtype=bool, na_value=False)
    return mask


# -- xlsx --------------------------------------------------------------------------------------


def _check_excel_limits(frames: Mapping[str, pd.DataFrame], path: Path) -> None:
    """Refuse, before writing, sheets Excel cannot hold; name the alternatives."""
    alternative = _(_EXCEL_ALTERNATIVE)
    for sheet, frame in frames.items():
        if len(frame) + 1 > EXCEL_MAX_ROWS:
            raise OutputRefused(
                _(
                    "{path}: sheet {sheet!r} has {rows} rows, more than an Excel sheet holds "
                    "({limit} below the header); nothing was written: {alternative}"
                ).format(
                    path=path,
                    sheet=sheet,
                    rows=format_number(len(frame), 0),
                    limit=format_number(EXCEL_MAX_ROWS - 1, 0),
                    alternative=alternative,
                )
            )
        for column in _text_columns(frame):
            if _longest_text(frame[column]) > EXCEL_MAX_CELL_TEXT:
                raise OutputRefused(
                    _(
                        "{path}: sheet {sheet!r}, column {column!r} holds text longer than an Excel "
                        "cell holds ({limit} characters); nothing was written: {alternative}"
                    ).format(
                        path=path,
                        sheet=sheet,
                        column=column,
                        limit=format_number(EXCEL_MAX_CELL_TEXT, 0),
                        alternative=alternative,
                    )
                )


def _write_xlsx(frames: Mapping[str, pd.DataFrame], temporary: Path, path: Path) -> None:
    """Stream the sheets into an .xlsx file (openpyxl's write-only mode); text cells stay text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet, frame in frames.items():
        ws = book.create_sheet(sheet)
        ws.freeze_panes = "A2"
        if len(frame.columns):
            # openpyxl writes a sheet's size only if it can ask for it; a streamed sheet cannot
            # tell, and without the size a reader in read-only mode scans the sheet twice.
            size = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
            ws.calculate_dimension = lambda size=size: size
        header = []
        for name in frame.columns:
            cell = WriteOnlyCell(ws, value=str(name))
            cell.data_type = "s"
            cell.font = bold
            header.append(cell)
        ws.append(header)
        text = _text_columns(frame)
        columns = [_cells(frame[c]) for c in frame.columns]
        try:
            for position, column in enumerate(frame.columns):
                if column not in text:
                    continue
                if not _may_start_with(frame[column], _NOT_TEXT_LINE):
                    continue
                # Only text openpyxl would not keep as text needs a cell object of its own (rare).
                risky = _string_mask(frame[column], _not_kept_as_text)
                for index in np.flatnonzero(risky):
                    cell = WriteOnlyCell(ws, value=columns[position][index])
                    cell.data_type = "s"
                    columns[position][index] = cell
            for row in zip(*columns, strict=True):
                ws.append(row)
        except IllegalCharacterError:
            column = next(c for c in text if _string_mask(frame[c], _has_illegal_character).any())
            raise OutputRefused(
                _(
                    "{path}: sheet {sheet!r}, column {column!r} holds a control character that an Excel "
                    "file cannot hold; nothing was written: {alternative}"
                ).format(
                    path=path,
                    sheet=sheet,
                    column=column,
                    alternative=_(_EXCEL_ALTERNATIVE),
                )
            ) from None
    book.save(temporary)


# -- json --------------------------------------------------------------------------------------


def _json_document(frames: Mapping[str, pd.DataFrame]) -> str:
    """Return the sheets as one JSON object of lists of rows, one row per line.

    Each row is encoded by the C encoder (an indented document would take the pure-Python one,
    several times slower on a large chain).
    """
    encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=_json_scalar)
    parts = []
    for sheet, frame in frames.items():
        rows = ",\n".join("  " + encoder.encode(row) for row in _records(frame))
        parts.append(
            f" {encoder.encode(str(sheet))}: [\n{rows}\n ]" if rows else f" {encoder.encode(str(sheet))}: []"
        )
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return the frame as JSON-ready rows: Python scalars, None for missing values, floats exact."""
    names = [str(c) for c in frame.columns]
    columns = [_cells(frame[c]) for c in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _json_scalar(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# -- csv ---------------------------------------------------------------------------------------


def _escaped_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells a spreadsheet would run as a formula with a single quote (OWASP)."""
    changed: dict[str, pd.Series] = {}
    for column in _text_columns(frame):
        series = frame[column]
        if not _may_start_with(series, _CSV_ESCAPED_LINE):
            continue
        risky = _string_mask(series, lambda s: s.match(CSV_ESCAPED.pattern))
        if risky.any():
            values = series.to_numpy(dtype=object, copy=True)
            values[risky] = ["'" + value for value in values[risky]]
            changed[column] = pd.Series(values, index=series.index, name=column)
    return frame.assign(**changed) if changed else frame


def _write_csv_folder(frames: Mapping[str, pd.DataFrame], path: Path) -> None:
    """Write one CSV file per sheet into a new folder beside ``path``, then move them into place."""
    path = Path(path).absolute()
    if path.exists() and not path.is_dir():
        raise OutputRefused(
            _(
                "{path} is a file; a folder of CSV files needs a folder name (or give a file name "
                "ending in .xlsx or .json)"
            ).format(path=path)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = _reserve(path, folder=True)
    try:
        for sheet, frame in frames.items():
            _escaped_for_csv(frame).to_csv(staging / f"{sheet}.csv", index=False)
        if not path.exists():
            staging.rename(path)
            return
        # An existing folder keeps its other files: only the files written here are replaced.
        for written in sorted(staging.iterdir()):
            target = path / written.name
            if target.is_file():
                shutil.copymode(target, written)
            written.replace(target)
        staging.rmdir()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# -- writing beside the target -----------------------------------------------------------------


def _reserve(target: Path, *, folder: bool) -> Path:
    """Create a new, hidden file or folder beside ``target`` (same file system) and return it.

    It is created with the usual permissions (the umask applies), unlike ``tempfile``'s
    private ones, since it becomes the user's file.
    """
    for _attempt in range(100):
        candidate = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            if folder:
                candidate.mkdir(mode=0o777)
            else:
                os.close(os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free temporary name beside {target}")


@contextmanager
def _replacing_file(path: Path) -> Iterator[Path]:
    """Yield a new file beside ``path``; it replaces ``path`` when the block completes, else vanishes."""
    target = Path(path).absolute()
    if target.is_symlink():
        target = target.resolve()  # write where the link points, keep the link
    if target.is_dir():
        raise OutputRefused(
            _("{path} is a folder; expected a file name ending in .xlsx or .json").format(path=path)
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _reserve(target, folder=False)
    try:
        yield temporary
        if target.is_file():
            shutil.copymode(target, temporary)
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
