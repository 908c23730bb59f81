"""NATO membership by year, from NATO's list of member countries and their accession."""

from __future__ import annotations

from functools import cache

import pandas as pd

from ketenradar.refdata.loaders import SourcedTable, _sourced, read_dataset

__all__ = ["load_nato_accessions", "nato_members"]


@cache
def load_nato_accessions() -> SourcedTable:
    """Return one row per NATO member (index ``iso3``): name, accession year and date.

    ``accession_date`` is given where the shipped table has it (Finland, Sweden) and missing
    otherwise; the year is known for every member.
    """
    raw = read_dataset("nato_accessions")
    frame = pd.DataFrame(
        {
            "iso3": raw["iso3"],
            "name": raw["country_name"],
            "accession_year": raw["accession_year"].astype(int),
            "accession_date": pd.to_datetime(raw["accession_date"], format="%Y-%m-%d"),
        }
    ).set_index("iso3")
    return _sourced(frame, "nato_accessions")


def nato_members(year: int) -> set[str]:
    """Return the ISO3 codes of the NATO members at the end of ``year`` (accession year <= year).

    Finland (joined 2023-04-04) counts from 2023, Sweden (2024-03-07) from 2024: neither is a
    member for orders of 2018-2022.
    """
    frame = load_nato_accessions().frame
    return set(frame.index[frame["accession_year"] <= year])
