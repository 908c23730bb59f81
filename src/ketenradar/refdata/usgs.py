"""USGS Mineral Commodity Summaries 2025: world reserves, world production and price series.

The reserves and production are the world totals of the series each material is mapped to in
the shipped files (``SOURCES.md``), converted to metric tons where the unit is a mass. Prices
are read as published, one row per series and year; nothing is derived from them here.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from ketenradar.locale import N_
from ketenradar.refdata.loaders import SourcedTable, _flag, _is_combined_total, _sourced, read_dataset

__all__ = ["USGS_LIFETIME_EXCLUDED", "load_usgs_prices", "load_usgs_reserves_production"]

# Metric tons per unit of the USGS files; other units (helium's million cubic metres) stay as
# they are and are compared only with the same unit.
_TONNES = {
    "metric tons": 1.0,
    "thousand metric tons": 1_000.0,
    "thousand metric dry tons": 1_000.0,
    "kilograms": 0.001,
}

# Materials whose USGS reserves and production are on different bases, so their ratio is no
# lifetime. Hafnium's host mineral: reserves are ZrO2 content, production gross weight.
USGS_LIFETIME_EXCLUDED = {
    "hafnium": N_("USGS reserves of zirconium are ZrO2 content, its production is gross weight"),
}

# Price series that name one element of a group chapter (rare earths, PGM) or another id.
_PRICE_ELEMENT = {
    "Price_CeO2_dkg": "cerium",
    "Price_La2O3_dkg": "lanthanum",
    "Price_Nd2O3_dkg": "neodymium",
    "Price_Dy2O3_dkg": "dysprosium",
    "Price_Eu2O3_dkg": "europium",
    "Price_TbO2_dkg": "terbium",
    "Price_Iridium_dto": "iridium",
    "Price_Palladium_dto": "palladium",
    "Price_Platinum_dto": "platinum",
    "Price_Rhodium_dto": "rhodium",
    "Price_Ruthenium_dto": "ruthenium",
}


def _world_totals(raw: pd.DataFrame, value: str, year: int) -> pd.DataFrame:
    """Return per material the world total of its mining series in ``year``, in metric tons.

    A combined world total over two series (titanium: ilmenite and rutile) is used alone;
    otherwise the series' totals add up (PGM production: palladium and platinum).
    """
    world = raw[(raw["row_type"] == "world_total") & (raw["stage"] == "mining") & (raw["year"] == year)]
    combined = _is_combined_total(world)
    has_combined = combined.groupby(world["material_id"]).transform("any")
    world = world[combined | ~has_combined]
    factor = world["unit"].map(_TONNES)
    world = world.assign(
        amount=world[value] * factor.fillna(1.0),
        unit=world["unit"].where(factor.isna(), "metric tons"),
        is_proxy=_flag(world["is_proxy"]),
    )
    grouped = world.groupby("material_id")
    return pd.DataFrame(
        {
            "amount": grouped["amount"].sum(min_count=1),
            "unit": grouped["unit"].agg(lambda u: ";".join(sorted(set(u)))),
            "value_raw": grouped["value_raw"].agg(lambda v: "; ".join(v.dropna().astype(str))),
            "series": grouped["series"].agg(lambda s: "; ".join(dict.fromkeys(s))),
            "is_proxy": grouped["is_proxy"].any(),
        }
    )


@cache
def load_usgs_reserves_production() -> SourcedTable:
    """Return per USGS material id the world reserves (2024) and mine production (2023, 2024).

    Index ``material`` (``rare_earths`` for the total of both rare-earth groups). Columns:
    reserves, production_2023, production_2024 (in ``unit``: metric tons for masses),
    reserves_raw (as printed, e.g. ">2000000" for a lower bound, which stays missing), series,
    is_proxy (a host mineral or aggregate, not the CRM itself) and unit_mismatch (reserves and
    production in different units).
    """
    reserves = _world_totals(read_dataset("usgs_reserves"), "reserves", 2024)
    production = read_dataset("usgs_production")
    p2023 = _world_totals(production, "quantity", 2023)
    p2024 = _world_totals(production, "quantity", 2024)
    frame = pd.DataFrame(
        {
            "reserves": reserves["amount"],
            "reserves_raw": reserves["value_raw"],
            "production_2023": p2023["amount"].reindex(reserves.index),
            "production_2024": p2024["amount"].reindex(reserves.index),
            "unit": reserves["unit"],
            "series": reserves["series"],
            "is_proxy": reserves["is_proxy"],
        }
    )
    frame["unit_mismatch"] = p2024["unit"].reindex(frame.index).ne(frame["unit"])
    frame.index.name = "material"
    return _sourced(frame, "usgs_reserves", "usgs_production")


@cache
def load_usgs_prices() -> SourcedTable:
    """Return the USGS price series 2020-2024 as published (nominal; 2024 estimated).

    Columns: material (the element for rare-earth and PGM series that name one, else the USGS
    chapter's material id), chapter_material, series, unit, description, year, value.
    """
    raw = read_dataset("usgs_prices")
    frame = pd.DataFrame(
        {
            "material": raw["price_series"].map(_PRICE_ELEMENT).fillna(raw["material_id"]),
            "chapter_material": raw["material_id"],
            "series": raw["price_series"],
            "unit": raw["unit"].fillna(""),
            "description": raw["description"].fillna(""),
            "year": raw["year"].astype(int),
            "value": raw["value"],
        }
    )
    return _sourced(frame, "usgs_prices")
