"""The seed report's country call-outs and regional shares (Berenschot 2024), with material ids."""

from __future__ import annotations

from functools import cache

import pandas as pd

from ketenradar.errors import MissingReferenceData
from ketenradar.locale import _
from ketenradar.refdata.loaders import (
    SourcedTable,
    _sourced,
    load_element_materials,
    load_materials,
    read_dataset,
)

__all__ = ["load_country_callouts", "load_region_shares"]

# The one label of the report that is not a catalogue name (palladium is an element id).
_ALIASES = {"aluminium/bauxite": "aluminium"}


def _material_ids(names_en: pd.Series) -> pd.Series:
    """Map the report's English material labels to catalogue ids (EU list and elements)."""
    known = [*load_materials().values(), *load_element_materials()]
    by_name = {m.name_en.lower(): m.id for m in known} | _ALIASES
    ids = names_en.str.lower().map(by_name)
    if ids.isna().any():
        raise MissingReferenceData(
            _("seed-report materials without a catalogue id: {materials}").format(
                materials=sorted(set(names_en[ids.isna()]))
            )
        )
    return ids


@cache
def load_country_callouts() -> SourcedTable:
    """Return the report's country call-outs: a country's share of a material's mining (%).

    Columns: country (ISO3), country_name (English, as printed), material (catalogue id;
    ``palladium`` is an element of the PGM group), material_label, share_pct as printed,
    country_share_of_all_crm_mining_pct and the extraction note.
    """
    raw = read_dataset("seed_country_top_mining")
    frame = pd.DataFrame(
        {
            "country": raw["country_iso3"],
            "country_name": raw["country"],
            "material": _material_ids(raw["material"]),
            "material_label": raw["material"],
            "share_pct": raw["share_pct"].astype(float),
            "country_share_of_all_crm_mining_pct": raw["country_share_of_all_crm_mining_pct"],
            "note": raw["note"].fillna(""),
        }
    )
    return _sourced(frame, "seed_country_top_mining")


@cache
def load_region_shares() -> SourcedTable:
    """Return the report's mining and processing shares by world region (%), per material.

    Columns: material (catalogue id), stage, region (the re-mapped label; see the seed
    README), share_pct as printed.
    """
    raw = read_dataset("seed_region_shares")
    frame = pd.DataFrame(
        {
            "material": _material_ids(raw["material"]),
            "stage": raw["stage"],
            "region": raw["region"],
            "share_pct": raw["share_pct"].astype(float),
        }
    )
    return _sourced(frame, "seed_region_shares")
