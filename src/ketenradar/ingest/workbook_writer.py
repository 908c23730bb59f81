"""Write chain workbooks: an empty template with drop-downs, and exports of stored chains."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ketenradar.ingest.tables import Column
from ketenradar.ingest.workbook import SHEETS
from ketenradar.locale import N_, _
from ketenradar.model.chain import Chain
from ketenradar.model.vocabulary import CHAIN_STAGES, DOMAINS, ITEM_KINDS
from ketenradar.refdata import known_country_codes

__all__ = ["write_chain", "write_sheets", "write_template", "write_workbook_template"]

INSTRUCTIONS = (
    N_("ketenradar chain workbook (v1)"),
    "",
    N_("Fill in three sheets; columns marked * are required. One row per item, BOM edge or sourcing line."),
    N_(
        "items*: id*, name*, kind* (platform, subsystem, component, semi_finished, material), domain, "
        "dis_area, material (for kind material: the material id), unit"
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


def write_template(path: str | Path, materials: Sequence[str]) -> Path:
    """Write an empty chain workbook with an instructions sheet and drop-down validation."""
    lists: dict[str, list[str]] = {
        "kind": list(ITEM_KINDS),
        "domain": list(DOMAINS),
        "stage": list(CHAIN_STAGES),
        "country": sorted(known_country_codes()),
        "material": sorted(materials),
    }
    return write_workbook_template(path, SHEETS, lists, [_(line) for line in INSTRUCTIONS])


def write_workbook_template(
    path: str | Path, schema: dict[str, list[Column]], lists: dict[str, list[str]], instructions: list[str]
) -> Path:
    """Write an empty workbook: instructions, one sheet per schema entry, drop-downs from ``lists``.

    A column whose name is a key of ``lists`` gets a drop-down of those values (kept in a
    hidden ``lists`` sheet). ``instructions`` arrive in the user's language; the drop-down
    messages are written in the active language too.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    book = Workbook()
    info = book.active
    info.title = "instructions"
    for line in instructions:
        info.append([line])
    info["A1"].font = Font(bold=True, size=13)
    info.column_dimensions["A"].width = 120

    list_sheet = book.create_sheet("lists")
    ranges: dict[str, str] = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        list_sheet.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            list_sheet.cell(row=row, column=col, value=value)
        ranges[name] = f"lists!${letter}$2:${letter}${len(values) + 1}"
    list_sheet.sheet_state = "hidden"

    rows = 5000
    for sheet, columns in schema.items():
        ws = book.create_sheet(sheet)
        for col, column in enumerate(columns, start=1):
            letter = get_column_letter(col)
            ws.cell(row=1, column=col, value=column.name).font = Font(bold=column.required)
            ws.column_dimensions[letter].width = max(12, len(column.name) + 4)
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
            validation.add(f"{letter}2:{letter}{rows}")
            ws.add_data_validation(validation)
        ws.freeze_panes = "A2"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_chain(chain: Chain, path: str | Path) -> Path:
    """Write a chain as .xlsx, .json, or a folder of CSV files (any other path)."""
    return write_sheets(_export_frames(chain), path)


def write_sheets(frames: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write named sheets as .xlsx, .json, or a folder of CSV files (any other path)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for sheet, frame in frames.items():
                frame.to_excel(writer, sheet_name=sheet, index=False)
    elif path.suffix.lower() == ".json":
        document = {sheet: json.loads(frame.to_json(orient="records")) for sheet, frame in frames.items()}
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    else:
        path.mkdir(parents=True, exist_ok=True)
        for sheet, frame in frames.items():
            frame.to_csv(path / f"{sheet}.csv", index=False)
    return path


def _export_frames(chain: Chain) -> dict[str, pd.DataFrame]:
    """Return the three sheets; stages are written explicitly so the export reads back the same."""
    return {"items": chain.items, "bom": chain.bom, "sourcing": chain.sourcing}
