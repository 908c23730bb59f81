"""Read the chain workbook (v1) from Excel, a folder of CSV files or JSON, and validate it.

Every sheet is checked cell by cell, then across sheets (unknown ids, cycles, shares per item
and stage). All problems are collected and raised together; a chain is returned only when
there are none, so a caller can store it in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import MAX_PROBLEMS, ROW, Column, read_csv_text, validate_frame
from ketenradar.locale import N_, _
from ketenradar.model.chain import CHAIN_COLUMNS, Chain
from ketenradar.model.vocabulary import CHAIN_STAGES, DOMAINS, ITEM_KINDS, RAW_MATERIAL_STAGES
from ketenradar.network.graph import find_cycle, topological_levels
from ketenradar.refdata import known_country_codes

__all__ = [
    "SHARE_TOLERANCE",
    "SHEETS",
    "chain_from_frames",
    "read_chain_workbook",
    "read_sheets",
    "validate_sheets",
]

SHARE_TOLERANCE = 1e-6

SHEETS: dict[str, list[Column]] = {
    "items": [
        Column("id"),
        Column("name"),
        Column("kind", "choice", choices=ITEM_KINDS),
        Column("domain", "choice", required=False, allow_empty=True, choices=DOMAINS),
        Column("dis_area", required=False, allow_empty=True),
        Column("material", required=False, allow_empty=True),
        Column("unit", required=False, allow_empty=True),
    ],
    "bom": [
        Column("parent"),
        Column("child"),
        Column("quantity", "number", minimum=0.0, exclusive_minimum=True),
    ],
    "sourcing": [
        Column("item"),
        Column("country", "iso3"),
        Column("share", "number", minimum=0.0, maximum=1.0),
        Column("stage", "choice", required=False, allow_empty=True, choices=CHAIN_STAGES),
        Column("supplier", required=False, allow_empty=True),
        Column("tier", "number", required=False, allow_empty=True, minimum=0.0, maximum=50.0),
        Column("lead_time_days", "number", required=False, allow_empty=True, minimum=0.0),
        Column("stock_days", "number", required=False, allow_empty=True, minimum=0.0),
    ],
}


def read_chain_workbook(path: str | Path, materials: Collection[str], name: str | None = None) -> Chain:
    """Read and validate a chain workbook: ``.xlsx``, a folder of CSV files, or ``.json``.

    ``materials`` are the material ids the catalogue knows; a material item must use one.
    """
    path = Path(path)
    sheets, first_row = read_sheets(path, list(SHEETS), what=N_("a chain workbook"))
    return chain_from_frames(
        sheets, file=str(path), materials=materials, name=name or path.stem, first_row=first_row
    )


def read_sheets(path: Path, names: list[str], what: str) -> tuple[dict[str, pd.DataFrame | None], int]:
    """Read the named sheets as text cells from ``.xlsx``, a CSV folder or ``.json``.

    Returns the sheets (None for a missing one) and the row number of the first data row
    (2 for spreadsheets, 1 for JSON lists). ``what`` names the file's kind (a catalogue msgid).
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
        _("unsupported file type {suffix}").format(suffix=path.suffix or _("(none)")),
        expected=expected,
    )


def validate_sheets(
    sheets: dict[str, pd.DataFrame | None],
    schema: dict[str, list[Column]],
    *,
    file: str,
    unique: dict[str, tuple[str, ...]],
    required_rows: Collection[str],
    first_row: int,
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Validate every sheet of a workbook against its schema; a missing sheet is a problem too.

    ``unique`` gives the columns whose combination must not repeat per sheet;
    ``required_rows`` names the sheets that must have at least one data row.
    """
    problems: list[Problem] = []
    typed: dict[str, pd.DataFrame] = {}
    for sheet, columns in schema.items():
        frame = sheets.get(sheet)
        if frame is None:
            problems.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    message=_("missing sheet"),
                    expected=_("a sheet {sheet!r} with columns {columns}").format(
                        sheet=sheet, columns=", ".join(c.name for c in columns if c.required)
                    ),
                )
            )
            continue
        out, found = validate_frame(
            frame,
            columns,
            file=file,
            sheet=sheet,
            countries=known_country_codes(),
            unique=unique.get(sheet, ()),
            allow_empty_table=sheet not in required_rows,
            first_row=first_row,
        )
        problems.extend(found)
        typed[sheet] = out
    return typed, problems


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
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputFileError.single(
            str(path), _("the file is not UTF-8 text"), expected=_("a JSON document saved as UTF-8")
        ) from None
    except json.JSONDecodeError as error:
        raise InputFileError.single(
            str(path),
            _("not valid JSON: {error}").format(error=error.msg),
            row=error.lineno,
            expected=_("an object {shape}").format(shape=shape),
        ) from None
    if not isinstance(document, dict):
        raise InputFileError.single(str(path), _("the top level is not an object"), expected=shape)
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


def _read_excel(path: Path, names: list[str]) -> dict[str, pd.DataFrame | None]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise InputFileError.single(str(path), _("file not found"), expected=_("an Excel workbook (.xlsx)"))
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as error:
        raise InputFileError.single(
            str(path),
            _("not a readable Excel workbook ({error})").format(error=error),
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
            data = [r for r in rows if any(v is not None and str(v).strip() != "" for v in r)]
            frame = (
                pd.DataFrame(data, columns=columns, dtype=object) if data else pd.DataFrame(columns=columns)
            )
            sheets[sheet] = frame.loc[:, [c for c in columns if c]]
    finally:
        book.close()
    return sheets


def _expand_default_stages(sourcing: pd.DataFrame, kinds: pd.Series) -> pd.DataFrame:
    """Give every sourcing row a stage: parts default to manufacturing, materials to both raw stages."""
    kind = sourcing["item"].map(kinds)
    no_stage = sourcing["stage"] == ""
    is_material = (kind == "material").to_numpy()
    parts = sourcing[no_stage.to_numpy() & ~is_material].assign(stage="manufacturing")
    raw = sourcing[no_stage.to_numpy() & is_material]
    expanded = [raw.assign(stage=stage) for stage in RAW_MATERIAL_STAGES]
    return pd.concat([sourcing[~no_stage.to_numpy()], parts, *expanded]).sort_index(kind="stable")


def chain_from_frames(
    sheets: dict[str, pd.DataFrame | None],
    *,
    file: str,
    materials: Collection[str],
    name: str,
    first_row: int = 2,
) -> Chain:
    """Validate the three sheets and build the chain, or raise with every problem found."""
    typed, problems = validate_sheets(
        sheets, SHEETS, file=file, unique={"items": ("id",)}, required_rows={"items"}, first_row=first_row
    )
    if problems:
        raise InputFileError(problems[:MAX_PROBLEMS])
    items, bom, sourcing = typed["items"], typed["bom"], typed["sourcing"]
    problems.extend(_check_items(items, materials, file))
    problems.extend(_check_references(items, bom, sourcing, file))
    if not problems:
        problems.extend(_check_bom(items, bom, file))
    kinds = items.set_index("id")["kind"]
    if not problems:
        sourcing = _expand_default_stages(sourcing, kinds)
        problems.extend(_check_sourcing(sourcing, kinds, file))
    if problems:
        raise InputFileError(problems[:MAX_PROBLEMS])
    return Chain(
        name=name,
        items=items[CHAIN_COLUMNS["items"]].reset_index(drop=True),
        bom=bom[CHAIN_COLUMNS["bom"]].reset_index(drop=True),
        sourcing=sourcing[CHAIN_COLUMNS["sourcing"]].reset_index(drop=True),
        source=file,
    )


def _rows(frame: pd.DataFrame) -> np.ndarray:
    rows: np.ndarray = frame[ROW].to_numpy()
    return rows


def _problem_rows(
    frame: pd.DataFrame,
    mask: np.ndarray,
    column: str,
    message: str,
    expected: str,
    file: str,
    sheet: str,
) -> list[Problem]:
    rows = _rows(frame)[mask]
    values = frame[column].to_numpy()[mask]
    return [
        Problem(
            file=file,
            sheet=sheet,
            row=int(r),
            column=column,
            message=message,
            value=str(v),
            expected=expected,
        )
        for r, v in zip(rows, values, strict=True)
    ]


def _check_items(items: pd.DataFrame, materials: Collection[str], file: str) -> list[Problem]:
    is_material = (items["kind"] == "material").to_numpy()
    has_id = (items["material"] != "").to_numpy()
    known = items["material"].isin(list(materials)).to_numpy()
    return [
        *_problem_rows(
            items,
            is_material & ~has_id,
            "material",
            _("material item without a material id"),
            _("the material's id, e.g. gallium"),
            file,
            "items",
        ),
        *_problem_rows(
            items,
            is_material & has_id & ~known,
            "material",
            _("unknown material id"),
            _("a material id of the catalogue (add other materials with a catalogue file)"),
            file,
            "items",
        ),
        *_problem_rows(
            items,
            ~is_material & has_id,
            "kind",
            _("wrong kind on a material row"),
            _("kind 'material' for a row that names a material (or leave 'material' empty)"),
            file,
            "items",
        ),
    ]


def _check_references(
    items: pd.DataFrame, bom: pd.DataFrame, sourcing: pd.DataFrame, file: str
) -> list[Problem]:
    ids = set(items["id"])
    expected = _("an id from the items sheet")
    problems: list[Problem] = []
    for column in ("parent", "child"):
        problems += _problem_rows(
            bom, ~bom[column].isin(ids).to_numpy(), column, _("unknown item id"), expected, file, "bom"
        )
    problems += _problem_rows(
        sourcing,
        ~sourcing["item"].isin(ids).to_numpy(),
        "item",
        _("unknown item id"),
        expected,
        file,
        "sourcing",
    )
    duplicated = bom.duplicated(["parent", "child"]).to_numpy()
    problems += _problem_rows(
        bom,
        duplicated,
        "child",
        _("the same parent and child appear twice"),
        _("one row per parent and child (add the quantities)"),
        file,
        "bom",
    )
    return problems


def _check_bom(items: pd.DataFrame, bom: pd.DataFrame, file: str) -> list[Problem]:
    index = pd.Index(items["id"])
    parent = index.get_indexer(bom["parent"])
    child = index.get_indexer(bom["child"])
    kinds = items["kind"].to_numpy()
    problems = _problem_rows(
        bom,
        kinds[parent] == "material",
        "parent",
        _("a material item has components"),
        _("a raw material as a leaf (no bom rows with it as parent)"),
        file,
        "bom",
    )
    self_loop = parent == child
    problems += _problem_rows(
        bom,
        self_loop,
        "child",
        _("an item contains itself"),
        _("a child different from its parent"),
        file,
        "bom",
    )
    if self_loop.any():
        return problems
    levels = topological_levels(parent, child, len(index))
    unplaced = np.flatnonzero(levels < 0)
    if unplaced.size:
        cycle = find_cycle(parent, child, unplaced)
        names = [str(index[i]) for i in cycle]
        edge = (bom["parent"] == names[0]) & (bom["child"] == names[1])
        row = int(_rows(bom)[edge.to_numpy()][0])
        problems.append(
            Problem(
                file=file,
                sheet="bom",
                row=row,
                column="child",
                message=_("the bill of materials has a cycle: {cycle}").format(cycle=" → ".join(names)),
                expected=_("an acyclic bill of materials (no item inside itself)"),
            )
        )
    return problems


def _check_sourcing(sourcing: pd.DataFrame, kinds: pd.Series, file: str) -> list[Problem]:
    kind = sourcing["item"].map(kinds).to_numpy()
    problems = _problem_rows(
        sourcing,
        (kind == "material") & (sourcing["stage"] == "manufacturing").to_numpy(),
        "stage",
        _("a raw material is sourced at mining or processing"),
        _("mining, processing or empty (both)"),
        file,
        "sourcing",
    )
    sums = sourcing.groupby(["item", "stage"], sort=False)["share"].sum()
    off = sums[(sums - 1.0).abs() > SHARE_TOLERANCE]
    rows = _rows(sourcing)
    for (item, stage), total in off.items():
        first = rows[((sourcing["item"] == item) & (sourcing["stage"] == stage)).to_numpy()][0]
        diff = total - 1.0
        problems.append(
            Problem(
                file=file,
                sheet="sourcing",
                row=int(first),
                column="share",
                message=(
                    _("shares of item {item!r} at stage {stage} sum to {total}, {diff} more than 1")
                    if diff > 0
                    else _("shares of item {item!r} at stage {stage} sum to {total}, {diff} less than 1")
                ).format(item=item, stage=stage, total=f"{total:.6g}", diff=f"{abs(diff):.6g}"),
                expected=_("shares per item and stage summing to 1 (±{tolerance})").format(
                    tolerance=f"{SHARE_TOLERANCE:g}"
                ),
            )
        )
    duplicated = sourcing.duplicated(["item", "stage", "country", "supplier"]).to_numpy()
    problems += _problem_rows(
        sourcing,
        duplicated,
        "country",
        _("the same item, stage, country and supplier appear twice"),
        _("one row per supplier (add the shares)"),
        file,
        "sourcing",
    )
    return problems
