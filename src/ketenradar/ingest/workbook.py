"""Read the chain workbook (v1.1) from Excel, a folder of CSV files or JSON, and validate it.

Validation is one pass: every sheet is checked cell by cell, then the cross-sheet checks
(unknown ids, duplicates, cycles, quantities along a path, shares per item and stage) run on
the cells that passed, and all problems are raised together. A chain is returned only when
there are none, so a caller can store it in one transaction. Rows are numbered as the sheet
shows them, blank rows included.

An optional ``materials`` sheet (id, name_en, name_nl, category, note) names materials outside
the catalogue, so a workbook exported with them reads back without a catalogue file.

The sheets are read as text by :mod:`ketenradar.ingest.sheets`; this module checks them cell
by cell and :mod:`ketenradar.ingest.chain_checks` across rows and sheets.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.chain_checks import MAX_PATH_QUANTITY, SHARE_TOLERANCE, cross_checks
from ketenradar.ingest.inputs import MATERIAL_COLUMNS, materials_from_table
from ketenradar.ingest.sheets import explain_empty_cells, read_sheets
from ketenradar.ingest.tables import (
    MAX_PROBLEMS,
    CheckedTable,
    Column,
    check_frame,
)
from ketenradar.locale import N_, _
from ketenradar.model.chain import CHAIN_COLUMNS, Chain, ChainCodes
from ketenradar.model.material import Material
from ketenradar.model.vocabulary import CHAIN_STAGES, DOMAINS, ITEM_KINDS
from ketenradar.refdata import known_country_codes

__all__ = [
    "MATERIALS_SHEET",
    "MAX_PATH_QUANTITY",
    "QUANTITY_LIMITS",
    "SHARE_TOLERANCE",
    "SHEETS",
    "chain_from_frames",
    "check_sheets",
    "read_chain_and_materials",
    "read_chain_workbook",
]

# Quantities multiply along every path of the BOM; outside this range products overflow or
# vanish in floating point long before a real bill of materials needs them.
QUANTITY_LIMITS = (1e-9, 1e9)
MATERIALS_SHEET = "materials"

SHEETS: dict[str, list[Column]] = {
    "items": [
        Column("id"),
        Column("name"),
        Column("kind", "choice", choices=ITEM_KINDS),
        Column("domain", "choice", required=False, allow_empty=True, choices=DOMAINS),
        Column("dis_area", required=False, allow_empty=True),
        Column("material", required=False, allow_empty=True),
        Column("unit", required=False, allow_empty=True),
        # Workbook v1.1: stock in days of the item's normal consumption; a v1 workbook has none.
        Column("stock_days", "number", required=False, allow_empty=True, minimum=0.0),
    ],
    "bom": [
        Column("parent"),
        Column("child"),
        Column(
            "quantity",
            "number",
            minimum=0.0,
            exclusive_minimum=True,
            limits=QUANTITY_LIMITS,
            limits_reason=N_(
                "units of child per unit of parent; quantities multiply along the chain, so larger or "
                "smaller ones cannot be computed with: choose another unit"
            ),
        ),
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

    ``materials`` are the material ids the catalogue knows (or the catalogue itself, whose
    groups then feed the "did you mean" hints); a material item must use one, or one of the
    workbook's own ``materials`` sheet.
    """
    return read_chain_and_materials(path, materials, name)[0]


def read_chain_and_materials(
    path: str | Path, materials: Collection[str], name: str | None = None
) -> tuple[Chain, tuple[Material, ...]]:
    """Read and validate a chain workbook; return the chain and the new materials of its materials sheet."""
    import pyarrow as pa

    path = Path(path)
    sheets, first_row = read_sheets(path, [*SHEETS, MATERIALS_SHEET], what=N_("a chain workbook"))
    try:
        return _chain_and_materials(
            sheets,
            file=str(path),
            materials=materials,
            name=name or path.stem,
            first_row=first_row,
            release=True,
        )
    finally:
        # Arrow's pool keeps the pages of the text it parsed for its own reuse; the numerical
        # core allocates from the system, so they go back (a national chain: about 0.3 GiB).
        pa.default_memory_pool().release_unused()


def check_sheets(
    sheets: dict[str, pd.DataFrame | None],
    schema: dict[str, list[Column]],
    *,
    file: str,
    unique: dict[str, tuple[str, ...]],
    required_rows: Collection[str],
    first_row: int,
    release: bool = False,
) -> tuple[dict[str, CheckedTable], list[Problem]]:
    """Check every sheet cell by cell; return each sheet's checked table and every problem.

    A missing sheet is a problem and has no table. Empty cells of an Excel sheet that hold a
    formula without a saved value, or lie inside merged cells, are reported as such.
    ``release`` removes each text sheet from ``sheets`` once it is checked, so that a national
    workbook is not held as text and as checked tables at once.
    """
    problems: list[Problem] = []
    tables: dict[str, CheckedTable] = {}
    for sheet, columns in schema.items():
        frame = sheets.pop(sheet, None) if release else sheets.get(sheet)
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
        checked = check_frame(
            frame,
            columns,
            file=file,
            sheet=sheet,
            countries=known_country_codes(),
            unique=unique.get(sheet, ()),
            allow_empty_table=sheet not in required_rows,
            first_row=first_row,
        )
        found = checked.problems
        if "xlsx" in frame.attrs and any(p.message == _("empty cell") for p in found):
            found = explain_empty_cells(Path(frame.attrs["xlsx"]), sheet, frame.attrs["letters"], found)
        problems.extend(found)
        tables[sheet] = checked
    return tables, problems


def chain_from_frames(
    sheets: dict[str, pd.DataFrame | None],
    *,
    file: str,
    materials: Collection[str],
    name: str,
    first_row: int = 2,
) -> Chain:
    """Validate the sheets (and an optional materials sheet); build the chain or raise every problem."""
    return _chain_and_materials(sheets, file=file, materials=materials, name=name, first_row=first_row)[0]


def _chain_and_materials(
    sheets: dict[str, pd.DataFrame | None],
    *,
    file: str,
    materials: Collection[str],
    name: str,
    first_row: int,
    release: bool = False,
) -> tuple[Chain, tuple[Material, ...]]:
    extra, problems = _workbook_materials(sheets.get(MATERIALS_SHEET), materials, file, first_row)
    known: Collection[str] = materials
    if extra:
        known = {**dict.fromkeys(materials), **dict.fromkeys(m.id for m in extra)}.keys()
    tables, found = check_sheets(
        sheets,
        SHEETS,
        file=file,
        unique={"items": ("id",)},
        required_rows={"items"},
        first_row=first_row,
        release=release,
    )
    items = tables.get("items")
    nothing = items is not None and items.header_ok and items.frame.empty
    if nothing and not problems and all(_is_empty(tables.get(s)) for s in ("bom", "sourcing")):
        # A fresh template: one clear message instead of a list about empty sheets.
        raise InputFileError.single(
            file,
            _("the workbook has no items yet: fill in the items sheet, then bom and sourcing"),
            sheet="items",
            expected=_("at least one item (one row per item)"),
        )
    problems += found
    sourcing = pd.DataFrame()
    codes: ChainCodes | None = None
    if items is not None and items.header_ok and len(items.frame):
        more, sourcing, codes = cross_checks(
            items,
            _usable_table(tables.get("bom"), "bom"),
            _usable_table(tables.get("sourcing"), "sourcing"),
            known,
            materials,
            file,
        )
        problems += more
    if problems:
        order = {sheet: i for i, sheet in enumerate([*SHEETS, MATERIALS_SHEET])}
        problems.sort(key=lambda p: (order.get(p.sheet or "", -1), p.row or 0))
        raise InputFileError(problems[:MAX_PROBLEMS])
    item_frame, bom = tables["items"].frame, tables["bom"].frame
    chain = Chain(
        name=name,
        items=item_frame[CHAIN_COLUMNS["items"]].reset_index(drop=True),
        bom=bom[CHAIN_COLUMNS["bom"]].reset_index(drop=True),
        sourcing=sourcing[CHAIN_COLUMNS["sourcing"]].reset_index(drop=True),
        source=file,
        codes=codes,
    )
    return chain, extra


def _is_empty(table: CheckedTable | None) -> bool:
    """Whether a sheet is missing or has a header and no rows."""
    return table is None or (table.header_ok and table.frame.empty)


def _workbook_materials(
    frame: pd.DataFrame | None, catalogue: Collection[str], file: str, first_row: int
) -> tuple[tuple[Material, ...], list[Problem]]:
    """Check the optional materials sheet as a catalogue file is checked; return its new materials."""
    if frame is None:
        return (), []
    checked = check_frame(
        frame,
        MATERIAL_COLUMNS,
        file=file,
        sheet=MATERIALS_SHEET,
        unique=("id",),
        allow_empty_table=True,
        first_row=first_row,
    )
    materials, problems = materials_from_table(
        checked, catalogue, source=_("materials sheet of {file}").format(file=file), sheet=MATERIALS_SHEET
    )
    return materials, [*checked.problems, *problems]


def _usable_table(table: CheckedTable | None, sheet: str) -> CheckedTable:
    """Return a sheet's checked table, or an empty one for a missing sheet or unusable header."""
    if table is not None and table.header_ok:
        return table
    columns = SHEETS[sheet]
    return check_frame(
        pd.DataFrame(columns=[c.name for c in columns]), columns, file="", sheet=sheet, allow_empty_table=True
    )
