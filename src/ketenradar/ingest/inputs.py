"""Readers for the user files that change the material and country picture.

Each reader checks the whole file with :func:`check_csv_table`, adds the cross-row checks a
schema cannot express (shares per group ≤ 1, inputs a supply-data variant needs) on the cells
that passed, reports every problem together, and returns frames in the core's conventions.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import (
    MAX_PROBLEMS,
    ROW,
    CheckedTable,
    Column,
    case_clashes,
    check_csv_table,
    clip,
    read_csv_table,
)
from ketenradar.locale import _
from ketenradar.model.material import Material, MaterialCatalogue
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES, SCOPES, SUPPLY_VARIANTS
from ketenradar.refdata import known_country_codes, load_countries

__all__ = [
    "MATERIAL_COLUMNS",
    "SHARE_SUM_TOLERANCE",
    "default_trade_factors",
    "materials_from_table",
    "read_country_indicators",
    "read_criticality_inputs",
    "read_eu_sourcing",
    "read_material_catalogue",
    "read_parameters",
]

# Published share tables list main countries only and round to 0.1 %; their sums reach 101 %.
SHARE_SUM_TOLERANCE = 0.02

_STAGE = Column("stage", "choice", choices=RAW_MATERIAL_STAGES)
_FRACTION = {"kind": "number", "minimum": 0.0, "maximum": 1.0}


def default_trade_factors(countries: pd.Series) -> np.ndarray:
    """Return the EC's default trade variable: 0.8 for EU members, else 1.0 (spec §4.4)."""
    eu = set(load_countries().frame.query("eu27").index)
    return np.where(countries.isin(eu), 0.8, 1.0)


def _rows(frame: pd.DataFrame) -> np.ndarray:
    rows: np.ndarray = frame[ROW].to_numpy()
    return rows


def _check_share_sums(checked: CheckedTable, keys: list[str]) -> list[Problem]:
    """Check the share sums of the groups whose rows all passed the cell checks."""
    frame = checked.frame
    if not checked.header_ok or frame.empty:
        return []
    failed = ~checked.ok("share", *keys)
    # A group with a refused row would sum wrongly: leave it to the cell problem.
    spoiled = frame[keys][failed].drop_duplicates()
    usable = ~failed
    if len(spoiled):
        marker = frame[keys].merge(spoiled.assign(_spoiled=True), on=keys, how="left")["_spoiled"]
        usable &= marker.isna().to_numpy()
    frame = frame[usable]
    sums = frame.groupby(keys, sort=False)["share"].sum()
    too_big = sums[sums > 1.0 + SHARE_SUM_TOLERANCE]
    problems = []
    rows = _rows(frame)
    for key, total in too_big.items():
        key_tuple = key if isinstance(key, tuple) else (key,)
        mask = np.logical_and.reduce([frame[k].to_numpy() == v for k, v in zip(keys, key_tuple, strict=True)])
        problems.append(
            Problem(
                file=frame.attrs["source_file"],
                row=int(rows[mask][0]),
                column="share",
                message=_("shares of {key} sum to {total}, {excess} more than 1").format(
                    key=" / ".join(map(str, key_tuple)), total=f"{total:.4f}", excess=f"{total - 1:.4f}"
                ),
                expected=_("shares per {keys} summing to at most 1 (+{tolerance})").format(
                    keys=", ".join(keys), tolerance=SHARE_SUM_TOLERANCE
                ),
            )
        )
    return problems


def _with_trade_factors(frame: pd.DataFrame) -> pd.DataFrame:
    defaults = default_trade_factors(frame["country"])
    factor = frame["trade_factor"].to_numpy(dtype=np.float64)
    frame = frame.copy()
    frame["trade_factor_defaulted"] = np.isnan(factor)
    frame["trade_factor"] = np.where(np.isnan(factor), defaults, factor)
    return frame


def read_shares(path: str | Path, *, with_scope: bool, materials: Collection[str] | None) -> pd.DataFrame:
    """Read country shares (material, stage, [scope,] country, share, trade_factor)."""
    material = Column("material", "material" if materials is not None else "id")
    columns = [
        material,
        _STAGE,
        *([Column("scope", "choice", choices=SCOPES)] if with_scope else []),
        Column("country", "iso3"),
        Column("share", **_FRACTION),  # type: ignore[arg-type]
        Column(
            "trade_factor",
            "number",
            required=False,
            allow_empty=True,
            minimum=0.0,
            exclusive_minimum=True,
            maximum=5.0,
        ),
    ]
    keys = ["material", "stage", *(["scope"] if with_scope else []), "country"]
    countries = known_country_codes()
    checked = check_csv_table(path, columns, materials=materials, countries=countries, unique=keys)
    problems = checked.problems + _check_share_sums(checked, keys[:-1])
    if problems:
        raise InputFileError(_in_order(problems))
    return _with_trade_factors(checked.frame)


def read_eu_sourcing(path: str | Path, catalogue: MaterialCatalogue) -> pd.DataFrame:
    """Read sourcing shares that replace the EC's EU sourcing (e.g. Dutch sourcing)."""
    return read_shares(path, with_scope=False, materials=list(catalogue))


_PARAMETER_COLUMNS = [
    Column("material", "id"),
    _STAGE,
    Column("supply_data_used", "choice", choices=SUPPLY_VARIANTS),
    Column("import_reliance", required=False, allow_empty=True, **_FRACTION),  # type: ignore[arg-type]
    Column("eol_rir", **_FRACTION),  # type: ignore[arg-type]
    Column("si_sr", "number", minimum=0.0, maximum=1.0, exclusive_minimum=True),
]
_NEEDED = {"gs+eu": ("import_reliance", "hhi_gs", "hhi_eu"), "gs": ("hhi_gs",), "eu": ("hhi_eu",)}


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Return the problems by row (cell and cross-row problems together), at most MAX_PROBLEMS."""
    return sorted(problems, key=lambda p: p.row or 0)[:MAX_PROBLEMS]


def _check_variant_inputs(checked: CheckedTable, available: Collection[str]) -> list[Problem]:
    problems: list[Problem] = []
    frame = checked.frame
    if not checked.header_ok or frame.empty:
        return problems
    rows = _rows(frame)
    for variant, needed in _NEEDED.items():
        of_variant = (frame["supply_data_used"] == variant).to_numpy() & checked.ok("supply_data_used")
        for column in needed:
            if column not in available:
                continue
            # A refused cell is already reported; only a truly empty one is missing here.
            empty = of_variant & frame[column].isna().to_numpy() & checked.ok(column)
            problems.extend(
                Problem(
                    file=frame.attrs["source_file"],
                    row=int(r),
                    column=column,
                    message=_("empty, but supply data variant {variant!r} needs it").format(variant=variant),
                    expected=_("a number (or choose a variant that does not use it)"),
                )
                for r in rows[empty]
            )
    return problems


def read_parameters(path: str | Path) -> pd.DataFrame:
    """Read per-material supply-risk parameters (variant, IR, EOL-RIR, SI_SR) per stage."""
    checked = check_csv_table(path, _PARAMETER_COLUMNS, unique=["material", "stage"])
    problems = checked.problems + _check_variant_inputs(checked, ["import_reliance"])
    if problems:
        raise InputFileError(_in_order(problems))
    return checked.frame


InputKind = Literal["intermediates", "shares"]


def read_criticality_inputs(path: str | Path) -> tuple[InputKind, pd.DataFrame]:
    """Read an EC-method input file: intermediates (hhi_gs, hhi_eu) or country shares."""
    header = _header(path)
    if "hhi_gs" in header or "hhi_eu" in header:
        columns = [
            *_PARAMETER_COLUMNS,
            Column("hhi_gs", "number", required=True, allow_empty=True, minimum=0.0, maximum=50.0),
            Column("hhi_eu", "number", required=True, allow_empty=True, minimum=0.0, maximum=50.0),
        ]
        checked = check_csv_table(path, columns, unique=["material", "stage"])
        problems = checked.problems + _check_variant_inputs(checked, ["import_reliance", "hhi_gs", "hhi_eu"])
        if problems:
            raise InputFileError(_in_order(problems))
        return "intermediates", checked.frame
    return "shares", read_shares(path, with_scope=True, materials=None)


def _header(path: str | Path) -> list[str]:
    try:
        with Path(path).open(encoding="utf-8-sig", errors="replace") as handle:
            first = handle.readline()
    except FileNotFoundError:
        raise InputFileError.single(
            str(path), _("file not found"), expected=_("an existing CSV file")
        ) from None
    return [c.strip().strip('"') for c in first.replace(";", ",").replace("\t", ",").split(",")]


MATERIAL_COLUMNS = (
    Column("id", "id"),
    Column("name_en"),
    Column("name_nl", required=False, allow_empty=True),
    Column("category", "id", required=False, allow_empty=True),
    Column("note", required=False, allow_empty=True),
)


def materials_from_table(
    checked: CheckedTable, catalogue: Collection[str], *, source: str, sheet: str | None = None
) -> tuple[tuple[Material, ...], list[Problem]]:
    """Return the new materials of a checked catalogue table and the problems of its rows.

    Rows with a problem are left out; ids already in ``catalogue`` are not new and are left
    out too (the caller decides whether that is a problem). Ids that differ only in case from
    another row's are refused.
    """
    frame = checked.frame
    if not checked.header_ok or frame.empty:
        return (), []
    file = frame.attrs["source_file"]
    clash, problems = case_clashes(frame, "id", checked.ok("id"), file=file, sheet=sheet)
    usable = checked.ok("id", "name_en", "category") & ~clash & ~frame["id"].isin(list(catalogue)).to_numpy()
    materials = tuple(
        Material(
            id=row.id,
            name_en=row.name_en,
            name_nl=row.name_nl or row.name_en,
            category=row.category or "user",
            note=row.note,
            source=source,
        )
        for row in frame[usable].itertuples(index=False)
    )
    return materials, problems


def read_material_catalogue(path: str | Path, catalogue: MaterialCatalogue) -> tuple[Material, ...]:
    """Read extra materials (id, name_en[, name_nl, category, note]); ids must be new."""
    checked = check_csv_table(path, MATERIAL_COLUMNS, unique=["id"])
    frame = checked.frame
    problems = list(checked.problems)
    if checked.header_ok and not frame.empty:
        clash = checked.ok("id") & frame["id"].isin(list(catalogue)).to_numpy()
        problems += [
            Problem(
                file=str(path),
                row=int(r),
                column="id",
                value=clip(v),
                message=_("id already in the catalogue"),
                expected=_("a new material id"),
            )
            for r, v in zip(_rows(frame)[clash], frame["id"][clash], strict=True)
        ]
    materials, more = materials_from_table(checked, catalogue, source=f"user file {path}")
    problems += more
    if problems:
        raise InputFileError(_in_order(problems))
    return materials


COUNTRY_INDICATOR_COLUMNS = {
    "atradius_star": (1.0, 10.0),
    "oecd_crc": (0.0, 7.0),
    "fsi_total": (0.0, 120.0),
    "wgi_mean": (-2.5, 2.5),
}


def read_country_indicators(path: str | Path) -> pd.DataFrame:
    """Read country indicators (iso3 plus any of atradius_star, oecd_crc, fsi_total, wgi_mean)."""
    header = _header(path)
    present = [c for c in COUNTRY_INDICATOR_COLUMNS if c in header]
    if "iso3" in header and not present:
        raise InputFileError.single(
            str(path),
            _("no indicator column"),
            row=1,
            expected=_("at least one of {columns} next to iso3").format(
                columns=", ".join(COUNTRY_INDICATOR_COLUMNS)
            ),
        )
    columns = [Column("iso3", "iso3")] + [
        Column(c, "number", allow_empty=True, minimum=low, maximum=high)
        for c, (low, high) in COUNTRY_INDICATOR_COLUMNS.items()
        if c in present
    ]
    frame = read_csv_table(path, columns, countries=known_country_codes(), unique=["iso3"])
    return frame.set_index("iso3")[present]
