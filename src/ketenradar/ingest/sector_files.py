"""Readers for the sector files: company registers (F9) and weapon-system imports (F10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import MAX_PROBLEMS, ROW, Column, check_csv_table, clip, read_csv_table
from ketenradar.locale import _
from ketenradar.model.vocabulary import MATERIEL_DOMAINS
from ketenradar.refdata import known_country_codes

__all__ = ["read_arms_imports", "read_company_register"]


def read_company_register(path: str | Path) -> pd.DataFrame:
    """Read a company register: company, fte, legal_owner_country[, ultimate_owner_country, owner_chain].

    ``owner_chain`` lists the known owners from the company upwards, separated by ``>``
    (e.g. ``Holding BV > Parent SA > Group Inc``); its length is the depth of the known chain.
    """
    columns = [
        Column("company"),
        Column("fte", "number", required=False, allow_empty=True, minimum=0.0),
        Column("legal_owner_country", "iso3"),
        Column("ultimate_owner_country", "iso3", required=False, allow_empty=True),
        Column("owner_chain", required=False, allow_empty=True),
    ]
    frame = read_csv_table(path, columns, countries=known_country_codes(), unique=["company"])
    chain = frame["owner_chain"].fillna("")
    frame["ownership_depth"] = np.where(chain == "", 0, chain.str.count(">") + 1)
    return frame


def read_arms_imports(path: str | Path) -> pd.DataFrame:
    """Read weapon-system import records: supplier, recipient, domain, units[, year]."""
    columns = [
        Column("supplier", "iso3"),
        Column("recipient", "iso3"),
        Column("domain", "choice", choices=MATERIEL_DOMAINS),
        Column("units", "number", minimum=0.0),
        Column("year", "number", required=False, allow_empty=True, minimum=1950, maximum=2100),
    ]
    checked = check_csv_table(path, columns, countries=known_country_codes())
    frame, problems = checked.frame, list(checked.problems)
    # One pass: the one-recipient rule is checked on the recipients that passed, with the rest.
    valid = checked.ok("recipient") if checked.header_ok and not frame.empty else np.zeros(0, dtype=bool)
    if valid.any():
        rows = frame[ROW].to_numpy()
        first = frame["recipient"][valid].iloc[0]
        other = valid & (frame["recipient"] != first).to_numpy()
        problems += [
            Problem(
                file=str(path),
                row=int(r),
                column="recipient",
                value=clip(v),
                message=_("more than one recipient in the file"),
                expected=_("records of one recipient (the first row has {first})").format(first=first),
            )
            for r, v in zip(rows[other][:20], frame["recipient"][other][:20], strict=True)
        ]
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: p.row or 0)[:MAX_PROBLEMS])
    return frame
