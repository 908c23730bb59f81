"""Derive the shipped alternatives table from the package's own USGS MCS 2025 files.

Writes ``src/ketenradar/refdata/data/alternatives_usgs_spare_capacity.csv``: per material,
stage and like-minded partner country (a member of EU27, EEA, NATO or OECD in
``country_groups.csv``) where USGS MCS 2025 gives both a plant capacity and a production figure
for the same series and year (the latest such year), the spare capacity and the share of world
production it could replace::

    spare_capacity_t = capacity_t − production_t          (only where ≥ 0)
    max_share        = spare_capacity_t / world_production_t   (same series and year)

No ramp-up time is given by any shipped source, so ``lead_time_days`` stays empty. Run it after
a change of the USGS files, then ``scripts/update_snapshot.py``; the tests hold the shipped
table against :func:`derive_alternatives` on the shipped inputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from ketenradar.refdata.loaders import LIKE_MINDED_GROUPS

OUTPUT = "alternatives_usgs_spare_capacity.csv"
# Metric tons per unit of the USGS files (masses only; other units are not compared).
TONNES = {
    "metric tons": 1.0,
    "thousand metric tons": 1_000.0,
    "thousand metric dry tons": 1_000.0,
    "kilograms": 0.001,
}
COLUMNS = [
    "material",
    "stage",
    "country",
    "partner_groups",
    "year",
    "series",
    "unit",
    "capacity",
    "production",
    "spare_capacity_t",
    "world_production_t",
    "max_share",
    "lead_time_days",
    "is_estimate",
    "source",
    "note",
]
_KEYS = ["material_id", "series", "stage", "year"]


def _flag(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower().eq("true")


def derive_alternatives(
    capacity: pd.DataFrame, production: pd.DataFrame, groups: pd.DataFrame
) -> pd.DataFrame:
    """Return the alternatives table from the USGS capacity and production files and the groups.

    Inputs are the shipped CSV files as read (``refdata.read_dataset``). Rows: like-minded
    countries with both figures for one series and year, per material, stage and country the
    latest such year, kept only where production is not above capacity in that year.
    """
    partners = (
        groups[groups["group"].isin(LIKE_MINDED_GROUPS)]
        .groupby("iso3")["group"]
        .agg(lambda g: ";".join(sorted(set(g))))
        .rename("partner_groups")
    )
    country_rows = ["country"]
    cap = capacity[capacity["row_type"].isin(country_rows) & capacity["country_iso3"].notna()]
    prod = production[production["row_type"].isin(country_rows) & production["country_iso3"].notna()]
    both = cap.merge(
        prod[[*_KEYS, "country_iso3", "quantity", "unit", "is_estimate"]],
        on=[*_KEYS, "country_iso3"],
        suffixes=("_capacity", "_production"),
    )
    both = both[
        both["capacity"].notna()
        & both["quantity"].notna()
        & both["unit_capacity"].eq(both["unit_production"])
        & both["unit_capacity"].isin(list(TONNES))
        & both["country_iso3"].isin(partners.index)
    ]
    world = production[
        (production["row_type"] == "world_total")
        # A world total over two series ("ilmenite and rutile") is no total of one series.
        & ~production["country_name_source"].fillna("").str.contains(" and ", regex=False)
    ]
    world = world[[*_KEYS, "quantity", "unit", "note"]].rename(
        columns={"quantity": "world", "unit": "unit_world", "note": "world_note"}
    )
    both = both.merge(world, on=_KEYS, how="inner")
    both = both[both["unit_world"].eq(both["unit_capacity"]) & both["world"].gt(0)]
    factor = both["unit_capacity"].map(TONNES)
    spare = (both["capacity"] - both["quantity"]) * factor
    both = both.assign(spare=spare, world_t=both["world"] * factor)
    # The latest year with both figures, per material, stage and country; an older year is not
    # used when the latest shows no spare capacity (production above capacity).
    both = both.sort_values("year", kind="stable").drop_duplicates(
        ["material_id", "stage", "country_iso3"], keep="last"
    )
    both = both[both["spare"].ge(0)]
    estimate = _flag(both["is_estimate_capacity"]) | _flag(both["is_estimate_production"])
    source = "USGS MCS 2025 data release, series '" + both["series"] + "', " + both["year"].astype(str)
    frame = pd.DataFrame(
        {
            "material": both["material_id"],
            "stage": both["stage"],
            "country": both["country_iso3"],
            "partner_groups": both["country_iso3"].map(partners),
            "year": both["year"].astype(int),
            "series": both["series"],
            "unit": both["unit_capacity"],
            "capacity": both["capacity"].astype(float),
            "production": both["quantity"].astype(float),
            "spare_capacity_t": both["spare"].astype(float),
            "world_production_t": both["world_t"].astype(float),
            "max_share": (both["spare"] / both["world_t"]).astype(float),
            "lead_time_days": float("nan"),
            "is_estimate": estimate.map({True: "true", False: "false"}),
            "source": source,
            "note": both["world_note"].fillna("").map(lambda n: f"USGS world total: {n}" if n else ""),
        }
    )
    return frame.sort_values(["material", "stage", "country"], kind="stable").reset_index(drop=True)[COLUMNS]


def main() -> None:
    """Recompute the table from the shipped USGS files and write it into the package data."""
    from ketenradar.refdata import read_dataset
    from ketenradar.refdata.provenance import data_dir

    frame = derive_alternatives(
        read_dataset("usgs_capacity"), read_dataset("usgs_production"), read_dataset("country_groups")
    )
    target = Path(str(data_dir() / OUTPUT))
    frame.to_csv(target, index=False, lineterminator="\n")
    print(f"wrote {len(frame)} rows to {target}; now run scripts/update_snapshot.py", file=sys.stderr)


if __name__ == "__main__":
    main()
