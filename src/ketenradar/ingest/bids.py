"""Bids files for procurement (F18): ``.xlsx``, a folder of CSV files or JSON, checked in one pass.

Two sheets, as PRODUCT.md's "Action files" define them:

- ``bids``: ``bid``, ``price`` (> 0), ``delivery_days`` (≥ 0), ``nl_eu_content`` (0..1, may be
  empty: not known), ``chain`` (a stored chain's name or a chain workbook's path, relative to
  the folder of the bids file) and ``platform`` (which platform of a chain with several);
- ``origin``: ``bid``, ``level`` (product, component or material), ``country`` (ISO3),
  ``share`` (0..1; the shares of a bid and level sum to 1), for the bids without a chain.

A CSV folder holds ``bids.csv`` and ``origin.csv``; as Dutch Excel saves them (semicolons,
decimal commas) they are read as well. Every cell is checked, then the rules between rows and
sheets; every problem is reported at once with its file, sheet, row and column, and nothing is
returned from a file with a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.chain_checks import SHARE_TOLERANCE
from ketenradar.ingest.sheets import read_sheets
from ketenradar.ingest.tables import MAX_PROBLEMS, ROW, CheckedTable, Column, clip, unknown_columns
from ketenradar.ingest.workbook import check_sheets
from ketenradar.locale import N_, _

__all__ = ["BID_COLUMNS", "LEVELS", "ORIGIN_COLUMNS", "BidsInput", "read_bids"]

# The levels of a bid's origin, downstream first (as mitigation.procurement.LEVELS).
LEVELS = ("product", "component", "material")
_OPTIONAL: dict[str, Any] = {"required": False, "allow_empty": True}

BID_COLUMNS = [
    Column("bid"),
    Column("price", "number", minimum=0.0, exclusive_minimum=True),
    Column("delivery_days", "number", minimum=0.0),
    Column("nl_eu_content", "number", minimum=0.0, maximum=1.0, **_OPTIONAL),
    Column("chain", **_OPTIONAL),
    Column("platform", **_OPTIONAL),
]
ORIGIN_COLUMNS = [
    Column("bid"),
    Column("level", "choice", choices=LEVELS),
    Column("country", "iso3"),
    Column("share", "number", minimum=0.0, maximum=1.0),
]
_SCHEMA = {"bids": BID_COLUMNS, "origin": ORIGIN_COLUMNS}


@dataclass(frozen=True, slots=True)
class BidsInput:
    """A checked bids file: one row per bid (file order) and the origin rows of the bids without a chain.

    ``bids``: bid, price, delivery_days, nl_eu_content (NaN: not known), chain, platform ("" where
    none) and ``_row``; ``origin``: bid, level, country, share and ``_row``. ``folder`` is where
    a relative chain path is looked for.
    """

    source: str
    bids: pd.DataFrame
    origin: pd.DataFrame
    folder: Path


def read_bids(path: str | Path) -> BidsInput:
    """Read and check a bids file (``.xlsx``, a CSV folder or ``.json``); refuse it with every problem."""
    path = Path(path)
    file = str(path)
    sheets, first_row = read_sheets(path, list(_SCHEMA), what=N_("a bids workbook"))
    present = {name: columns for name, columns in _SCHEMA.items() if sheets.get(name) is not None}
    problems = [
        problem
        for name in present
        for problem in unknown_columns(
            sheets[name], _SCHEMA[name], file, header_row=1 if first_row == 2 else None, sheet=name
        )
    ]
    tables, found = check_sheets(
        sheets,
        {"bids": BID_COLUMNS, **({"origin": ORIGIN_COLUMNS} if "origin" in present else {})},
        file=file,
        unique={"bids": ("bid",), "origin": ("bid", "level", "country")},
        required_rows={"bids"},
        first_row=first_row,
    )
    problems += found
    bids = tables.get("bids")
    origin = tables.get("origin")
    if bids is not None and bids.header_ok and len(bids.frame):
        problems += _cross_checks(bids, origin, file, origin_sheet="origin" in present)
    if problems:
        order = {"bids": 0, "origin": 1}
        problems.sort(key=lambda p: (order.get(p.sheet or "", -1), p.row or 0))
        raise InputFileError(problems[:MAX_PROBLEMS])
    assert bids is not None
    origin_frame = (
        origin.frame[["bid", "level", "country", "share", ROW]].reset_index(drop=True)
        if origin is not None
        else pd.DataFrame({"bid": [], "level": [], "country": [], "share": [], ROW: []})
    )
    folder = path if path.is_dir() else path.parent
    return BidsInput(
        source=file,
        bids=bids.frame[[c.name for c in BID_COLUMNS] + [ROW]].reset_index(drop=True),
        origin=origin_frame,
        folder=folder,
    )


def _cross_checks(
    bids: CheckedTable, origin: CheckedTable | None, file: str, *, origin_sheet: bool
) -> list[Problem]:
    """Check the rules between rows and sheets on the cells that passed."""
    problems: list[Problem] = []
    frame = bids.frame
    rows = frame[ROW].to_numpy()
    has_chain = (frame["chain"] != "").to_numpy()
    has_platform = (frame["platform"] != "").to_numpy()
    problems += [
        Problem(
            file=file,
            sheet="bids",
            row=int(r),
            column="platform",
            value=clip(v),
            message=_("a platform is named but the bid has no chain"),
            expected=_("a chain in column chain, or an empty platform"),
        )
        for r, v in zip(
            rows[has_platform & ~has_chain], frame["platform"][has_platform & ~has_chain], strict=True
        )
    ]
    known = set(frame["bid"][bids.ok("bid")])
    with_chain = set(frame["bid"][bids.ok("bid") & has_chain])
    given: set[str] = set()
    if origin is not None and origin.header_ok and len(origin.frame):
        table = origin.frame
        origin_rows = table[ROW].to_numpy()
        named = origin.ok("bid")
        unknown = named & ~table["bid"].isin(known).to_numpy()
        problems += [
            Problem(
                file=file,
                sheet="origin",
                row=int(r),
                column="bid",
                value=clip(v),
                message=_("no bid of this name in sheet 'bids'"),
                expected=_("a bid listed in sheet 'bids'"),
            )
            for r, v in zip(origin_rows[unknown], table["bid"][unknown], strict=True)
        ]
        chained = named & table["bid"].isin(with_chain).to_numpy()
        first_chained = chained & ~table["bid"].where(chained).duplicated().to_numpy()
        problems += [
            Problem(
                file=file,
                sheet="origin",
                row=int(r),
                column="bid",
                value=clip(v),
                message=_("the bid has a chain, so its origin comes from the chain"),
                expected=_(
                    "origin rows only for bids without a chain (empty its chain or delete these rows)"
                ),
            )
            for r, v in zip(origin_rows[first_chained], table["bid"][first_chained], strict=True)
        ]
        given = set(table["bid"][named])
        problems += _share_sums(origin, file)
    missing = bids.ok("bid") & ~has_chain & ~frame["bid"].isin(given).to_numpy()
    expected = (
        _("origin rows (bid, level, country, share) in sheet 'origin', or a chain in column chain")
        if origin_sheet
        else _("a sheet 'origin' with rows (bid, level, country, share) for it, or a chain in column chain")
    )
    problems += [
        Problem(
            file=file,
            sheet="bids",
            row=int(r),
            column="chain",
            message=_("bid {bid!r} has neither a chain nor origin rows").format(bid=clip(v, 40)),
            expected=expected,
        )
        for r, v in zip(rows[missing], frame["bid"][missing], strict=True)
    ]
    return problems


def _share_sums(origin: CheckedTable, file: str) -> list[Problem]:
    """Return a problem for each bid and level whose shares do not sum to 1 (± SHARE_TOLERANCE)."""
    table = origin.frame
    usable = origin.ok("bid", "level", "share")
    # A group with a refused share would sum wrongly: leave it to the cell problem.
    refused = origin.ok("bid", "level") & ~origin.ok("share")
    keys = table["bid"] + "\x00" + table["level"]
    if refused.any():
        usable &= ~keys.isin(keys[refused]).to_numpy()
    used = table[usable]
    if used.empty:
        return []
    grouped = used.groupby(keys[usable], sort=False)
    sums = grouped["share"].sum()
    first = grouped[ROW].min()
    off = np.abs(sums.to_numpy(dtype=np.float64) - 1.0) > SHARE_TOLERANCE
    problems = []
    for key, total, row in zip(sums.index[off], sums.to_numpy()[off], first.to_numpy()[off], strict=True):
        bid, level = str(key).split("\x00", 1)
        diff = float(total) - 1.0
        problems.append(
            Problem(
                file=file,
                sheet="origin",
                row=int(row),
                column="share",
                message=(
                    _("shares of bid {bid!r} at level {level} sum to {total}, {diff} more than 1")
                    if diff > 0
                    else _("shares of bid {bid!r} at level {level} sum to {total}, {diff} less than 1")
                ).format(bid=clip(bid, 40), level=level, total=f"{total:.6g}", diff=f"{abs(diff):.6g}"),
                expected=_("shares per bid and level summing to 1 (±{tolerance})").format(
                    tolerance=f"{SHARE_TOLERANCE:g}"
                ),
            )
        )
    return problems
