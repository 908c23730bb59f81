"""Candidates files of a stockpile plan: the items that may get stock, their cost per day and bounds.

A CSV file (comma, or the Dutch semicolon with decimal commas), an ``.xlsx`` workbook with a
sheet ``candidates``, or JSON ``{"candidates": [{...}, ...]}``. Columns: ``item``* (an item id of
the chain), ``cost_per_day``* (euros to hold one day of the item's consumption for a year, > 0)
and ``max_days`` (the most whole days to add; empty: no bound but the budget). Every problem is
reported at once, with file, row and column; nothing is changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.sheets import read_sheets
from ketenradar.ingest.tables import MAX_PROBLEMS, ROW, Column, check_frame, clip, read_csv_text
from ketenradar.locale import N_, _

__all__ = ["CANDIDATES_SHEET", "CANDIDATE_COLUMNS", "read_candidates"]

CANDIDATES_SHEET = "candidates"
CANDIDATE_COLUMNS = (
    Column("item"),
    Column("cost_per_day", "number", minimum=0.0, exclusive_minimum=True),
    Column("max_days", "number", required=False, allow_empty=True, minimum=0.0),
)
_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".json")
# Close matches are looked for among at most this many ids (difflib compares with each one).
_MAX_SUGGEST_AMONG = 20_000


def _text_cells(path: Path) -> tuple[pd.DataFrame, str | None, int]:
    """Return the file's cells as text, the sheet name (workbooks and JSON) and the first data row."""
    if path.suffix.lower() in _WORKBOOK_SUFFIXES:
        sheets, first_row = read_sheets(path, [CANDIDATES_SHEET], N_("a candidates workbook"))
        frame = sheets[CANDIDATES_SHEET]
        if frame is None:
            raise InputFileError.single(
                str(path),
                _("no sheet {sheet!r}").format(sheet=CANDIDATES_SHEET),
                expected=_(
                    "a sheet (or JSON key) {sheet!r} with columns item, cost_per_day, max_days"
                ).format(sheet=CANDIDATES_SHEET),
            )
        return frame, CANDIDATES_SHEET, first_row
    return read_csv_text(path), None, 2


def read_candidates(path: str | Path, items: Collection[str]) -> pd.DataFrame:
    """Read a candidates file against the chain's item ids; return item, cost_per_day, max_days.

    ``max_days`` is NaN where empty (no bound). Refuses, all at once: an item that is not in
    the chain, an item named twice, a missing, zero or negative cost, a negative or fractional
    ``max_days``.
    """
    path = Path(path)
    frame, sheet, first_row = _text_cells(path)
    checked = check_frame(
        frame, CANDIDATE_COLUMNS, file=str(path), sheet=sheet, unique=["item"], first_row=first_row
    )
    problems = list(checked.problems)
    out = checked.frame
    if checked.header_ok and not out.empty:
        rows = out[ROW].to_numpy()
        known = set(items)
        item_ok = checked.ok("item") & (out["item"] != "").to_numpy()
        unknown = item_ok & ~out["item"].isin(known).to_numpy()
        problems += [
            Problem(
                file=str(path),
                sheet=sheet,
                row=int(r),
                column="item",
                value=clip(v),
                message=_("no item of the chain has this id") + _suggestion(str(v), known),
                expected=_("an item id of the chain's items sheet"),
            )
            for r, v in zip(rows[unknown], out["item"][unknown], strict=True)
        ]
        days = out["max_days"].to_numpy(dtype=np.float64)
        fractional = checked.ok("max_days") & np.isfinite(days) & (days % 1 != 0)
        problems += [
            Problem(
                file=str(path),
                sheet=sheet,
                row=int(r),
                column="max_days",
                value=f"{v:g}",
                message=_("not a whole number of days"),
                expected=_("a whole number of days ≥ 0, or an empty cell for no bound"),
            )
            for r, v in zip(rows[fractional], days[fractional], strict=True)
        ]
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: p.row or 0)[:MAX_PROBLEMS])
    return out[["item", "cost_per_day", "max_days", ROW]].reset_index(drop=True)


def _suggestion(value: str, known: Collection[str]) -> str:
    """Return " (did you mean X?)" for the closest item id, or nothing."""
    if len(known) > _MAX_SUGGEST_AMONG:
        return ""
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.8)
    return " " + _("(did you mean {id!r}?)").format(id=close[0]) if close else ""
