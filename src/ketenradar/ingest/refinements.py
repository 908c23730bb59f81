"""Alternatives and substitutes files (F15): CSV, Excel or YAML/JSON, checked into frozen objects.

Both files are tables, one row per alternative or substitute, in any of these forms:

- CSV with commas and decimal points, or as Dutch Excel saves it: semicolons and decimal commas;
- an Excel workbook (``.xlsx``) with a sheet ``alternatives`` or ``substitutes``;
- YAML or JSON with a list under ``alternatives:`` or ``substitutes:`` (one file may hold both).

Every cell is checked with the shared table checks (:mod:`ketenradar.ingest.tables`), then the
rules between the cells of a row; every problem is reported at once with its file, row (entry
for YAML/JSON) and column, and nothing is returned from a file with a problem. Columns the
schema does not name are refused, so a misspelt ``lead_time_days`` cannot pass unnoticed.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.sheets import read_sheets
from ketenradar.ingest.tables import (
    MAX_PROBLEMS,
    ROW,
    CheckedTable,
    Column,
    check_frame,
    clip,
    read_csv_text,
    unknown_columns,
)
from ketenradar.ingest.validation import load_document
from ketenradar.locale import N_, _
from ketenradar.model.refinements import Alternative, Substitute
from ketenradar.model.vocabulary import CHAIN_STAGES
from ketenradar.refdata import known_country_codes

__all__ = [
    "ALTERNATIVE_COLUMNS",
    "SUBSTITUTE_COLUMNS",
    "alternatives_from_reference",
    "read_alternatives",
    "read_substitutes",
]

_FRACTION: dict[str, Any] = {"kind": "number", "minimum": 0.0, "maximum": 1.0}
_OPTIONAL: dict[str, Any] = {"required": False, "allow_empty": True}

ALTERNATIVE_COLUMNS = (
    # Exactly one of material and item per row (checked after the cells).
    Column("material", "material", **_OPTIONAL),
    Column("item", **_OPTIONAL),
    Column("stage", "choice", choices=CHAIN_STAGES),
    Column("country", "iso3"),
    Column("max_share", **_FRACTION),
    # Empty: the ramp-up time is not known, and the alternative is listed but not used.
    Column("lead_time_days", "number", minimum=0.0, **_OPTIONAL),
    Column("source", **_OPTIONAL),
    Column("note", **_OPTIONAL),
)

SUBSTITUTE_COLUMNS = (
    Column("material", "material"),
    Column("substitute", "material"),
    Column("max_share", **_FRACTION),
    Column("qualification_days", "number", minimum=0.0),
    Column("application", **_OPTIONAL),
    Column("performance_penalty", **_FRACTION, **_OPTIONAL),
    Column("cost_factor", "number", minimum=0.0, exclusive_minimum=True, **_OPTIONAL),
    Column("source", **_OPTIONAL),
)

# What each kind of file is, for "file not found" and unsupported types (catalogue msgids).
_WHAT = {"alternatives": N_("an alternatives file"), "substitutes": N_("a substitutes file")}
_TOP_KEYS = ("alternatives", "substitutes", "description", "source")
_STRUCTURED = (".yaml", ".yml", ".json")
_EXCEL = (".xlsx", ".xlsm")


def read_alternatives(path: str | Path, materials: Collection[str]) -> tuple[Alternative, ...]:
    """Read an alternatives file (CSV, Excel or YAML/JSON); refuse it with every problem located.

    ``materials`` is the material catalogue (or its ids) that ``material`` cells must name.
    """
    path = Path(path)
    checked, structured = _checked(path, "alternatives", ALTERNATIVE_COLUMNS, materials)
    problems = list(checked.problems)
    frame = checked.frame
    if checked.header_ok and not frame.empty:
        problems += _one_of_material_or_item(checked, str(path))
    _refuse(problems, structured)
    source = str(path)
    lead = frame["lead_time_days"].to_numpy(dtype=np.float64)
    return tuple(
        Alternative(
            stage=row.stage,
            country=row.country,
            max_share=float(row.max_share),
            lead_time_days=None if np.isnan(days) else float(days),
            material=row.material,
            item=row.item,
            source=row.source or source,
            note=row.note,
        )
        for row, days in zip(frame.itertuples(index=False), lead, strict=True)
    )


def read_substitutes(path: str | Path, materials: Collection[str]) -> tuple[Substitute, ...]:
    """Read a substitutes file (CSV, Excel or YAML/JSON); refuse it with every problem located.

    ``material`` and ``substitute`` must both name materials of ``materials``, and differ.
    """
    path = Path(path)
    checked, structured = _checked(path, "substitutes", SUBSTITUTE_COLUMNS, materials)
    problems = list(checked.problems)
    frame = checked.frame
    if checked.header_ok and not frame.empty:
        same = checked.ok("material", "substitute") & (frame["material"] == frame["substitute"]).to_numpy()
        problems += [
            Problem(
                file=str(path),
                row=int(r),
                column="substitute",
                value=clip(v),
                message=_("the substitute is the material itself"),
                expected=_("another material id than the one in column material"),
            )
            for r, v in zip(frame[ROW].to_numpy()[same], frame["substitute"][same], strict=True)
        ]
    _refuse(problems, structured)
    source = str(path)
    penalty = frame["performance_penalty"].to_numpy(dtype=np.float64)
    cost = frame["cost_factor"].to_numpy(dtype=np.float64)
    return tuple(
        Substitute(
            material=row.material,
            substitute=row.substitute,
            max_share=float(row.max_share),
            qualification_days=float(row.qualification_days),
            application=row.application,
            performance_penalty=None if np.isnan(p) else float(p),
            cost_factor=None if np.isnan(c) else float(c),
            source=row.source or source,
        )
        for row, p, c in zip(frame.itertuples(index=False), penalty, cost, strict=True)
    )


def alternatives_from_reference(frame: pd.DataFrame) -> tuple[Alternative, ...]:
    """Return the shipped alternatives table (``refdata.load_alternatives``) as Alternative objects.

    A missing ``lead_time_days`` stays None: such an alternative is listed but not used.
    """
    lead = pd.to_numeric(frame["lead_time_days"], errors="coerce").to_numpy(dtype=np.float64)
    notes = frame["note"].fillna("").astype(str) if "note" in frame else pd.Series("", index=frame.index)
    return tuple(
        Alternative(
            stage=str(stage),
            country=str(country),
            max_share=float(share),
            lead_time_days=None if np.isnan(days) else float(days),
            material=str(material),
            source=str(source),
            note=str(note),
        )
        for material, stage, country, share, days, source, note in zip(
            frame["material"],
            frame["stage"],
            frame["country"],
            frame["max_share"].to_numpy(dtype=np.float64),
            lead,
            frame["source"],
            notes,
            strict=True,
        )
    )


def _refuse(problems: list[Problem], structured: bool) -> None:
    """Raise every problem at once, by row; in YAML/JSON the row is the entry number."""
    if not problems:
        return
    ordered = sorted(problems, key=lambda p: p.row or 0)[:MAX_PROBLEMS]
    if structured:
        ordered = [_as_entry(p) for p in ordered]
    raise InputFileError(ordered)


def _as_entry(problem: Problem) -> Problem:
    """Locate a problem of a YAML/JSON list by entry number and key instead of row and column."""
    if problem.row is None:
        return problem
    where = _("entry {number}").format(number=problem.row)
    column = f"{where}, {problem.column}" if problem.column else where
    return replace(problem, row=None, column=column)


def _one_of_material_or_item(checked: CheckedTable, file: str) -> list[Problem]:
    """Return a problem for each row naming both a material and an item, or neither."""
    frame = checked.frame
    rows = frame[ROW].to_numpy()
    material = (frame["material"] != "").to_numpy() | ~checked.ok("material")
    item = (frame["item"] != "").to_numpy()
    both = material & item
    neither = ~material & ~item
    problems = [
        Problem(
            file=file,
            row=int(r),
            column="item",
            message=_("the row names both a material and an item"),
            expected=_("either a material (every item of it) or an item, not both (use two rows)"),
        )
        for r in rows[both]
    ]
    problems += [
        Problem(
            file=file,
            row=int(r),
            column="material",
            message=_("the row names neither a material nor an item"),
            expected=_("a material id in column material or an item id in column item"),
        )
        for r in rows[neither]
    ]
    return problems


def _checked(
    path: Path, kind: str, columns: tuple[Column, ...], materials: Collection[str]
) -> tuple[CheckedTable, bool]:
    """Return the file's table checked cell by cell, and whether it is YAML/JSON."""
    file = str(path)
    suffix = path.suffix.lower()
    structured = suffix in _STRUCTURED
    if suffix in _STRUCTURED:
        frame, first_row = _structured_table(path, kind), 1
    elif suffix in _EXCEL:
        sheets, first_row = read_sheets(path, [kind], what=_WHAT[kind])
        sheet = sheets[kind]
        if sheet is None:
            raise InputFileError.single(
                file,
                _("the workbook has no sheet {sheet!r}").format(sheet=kind),
                expected=_("a sheet named {sheet!r} with one row per entry").format(sheet=kind),
            )
        frame = sheet
    else:
        if not path.is_file():
            raise InputFileError.single(file, _("file not found"), expected=_expected_file(kind))
        if suffix not in (".csv", ".txt"):
            raise InputFileError.single(
                file,
                _("unsupported file type {suffix}").format(suffix=clip(path.suffix) or _("(none)")),
                expected=_expected_file(kind),
            )
        frame, first_row = read_csv_text(path), 2
    unknown = unknown_columns(frame, columns, file, header_row=1 if first_row == 2 else None)
    header = [str(c).strip() for c in frame.columns]
    no_key = kind == "alternatives" and len(frame.columns) > 0 and not {"material", "item"} & set(header)
    if no_key:
        unknown.append(
            Problem(
                file=file,
                row=1 if first_row == 2 else None,
                column="material",
                message=_("required column is missing"),
                expected=_("a column material or a column item (or both, one filled per row)"),
            )
        )
    checked = check_frame(
        frame,
        list(columns),
        file=file,
        materials=materials,
        countries=known_country_codes(),
        unique=["material", "item", "stage", "country"]
        if kind == "alternatives"
        else ["material", "substitute", "application"],
        first_row=first_row,
    )
    if unknown:
        # The known columns are still checked, so every problem is reported in one go.
        ok = checked.header_ok and not no_key
        checked = CheckedTable(checked.frame, unknown + checked.problems, checked.bad, ok)
    return checked, structured


def _expected_file(kind: str) -> str:
    return _("{what}: .csv, .xlsx (sheet {sheet!r}), .yaml or .json").format(what=_(_WHAT[kind]), sheet=kind)


def _structured_table(path: Path, kind: str) -> pd.DataFrame:
    """Return the list under ``kind`` of a YAML or JSON file as a frame, one row per entry."""
    file = str(path)
    expected = _("a mapping with a list {key}: [...] of entries").format(key=kind)
    if not path.is_file():
        raise InputFileError.single(file, _("file not found"), expected=_expected_file(kind))
    document = load_document(path, expected=expected, constants_as_text=True)
    if not isinstance(document, dict):
        raise InputFileError.single(file, _("the top level is not a mapping"), expected=expected)
    problems = [
        Problem(
            file=file,
            column=clip(key, 40),
            message=_("unknown key (check its spelling)"),
            expected=_("only the keys {keys}").format(keys=", ".join(_TOP_KEYS)),
        )
        for key in document
        if key not in _TOP_KEYS
    ]
    entries = document.get(kind)
    if entries is None:
        problems.append(
            Problem(file=file, column=kind, message=_("required key is missing"), expected=expected)
        )
    elif not isinstance(entries, list):
        problems.append(Problem(file=file, column=kind, message=_("a list is expected"), expected=expected))
    else:
        problems += [
            Problem(
                file=file,
                column=_("entry {number}").format(number=number),
                message=_("the entry is not a mapping of columns to values"),
                expected=_("keys such as {columns}").format(
                    columns=", ".join(c.name for c in _columns_of(kind) if c.required)
                ),
            )
            for number, entry in enumerate(entries, start=1)
            if not isinstance(entry, dict)
        ]
        problems += [
            Problem(
                file=file,
                column=_("entry {number}").format(number=number) + f", {clip(key, 40)}",
                message=_("a single value is expected, not a list or mapping"),
                value=None,
                expected=_("a number or text"),
            )
            for number, entry in enumerate(entries, start=1)
            if isinstance(entry, dict)
            for key, value in entry.items()
            if isinstance(value, dict | list)
        ]
    if problems:
        raise InputFileError(problems[:MAX_PROBLEMS])
    assert isinstance(entries, list)
    if not entries:
        return pd.DataFrame(columns=[c.name for c in _columns_of(kind)])
    # Booleans stay recognisable ("True" is refused as a number by the cell check).
    return pd.DataFrame([{str(k): v for k, v in entry.items()} for entry in entries], dtype=object)


def _columns_of(kind: str) -> tuple[Column, ...]:
    return ALTERNATIVE_COLUMNS if kind == "alternatives" else SUBSTITUTE_COLUMNS
