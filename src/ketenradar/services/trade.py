"""Trade-flow concentration for defence-relevant product groups (F8).

Files are read and aggregated to supplier shares in DuckDB (:mod:`ketenradar.storage.trade_duckdb`);
the indicators over those shares (HHI, largest supplier, regional shares, Dutch import
dependence, change between the first and last year) use the core's one HHI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.risk.concentration import hhi
from ketenradar.services.jsonable import json_records
from ketenradar.services.provenance import ResultProvenance, input_file, provenance, sources_json

__all__ = ["ProductGroups", "TradeConcentration", "analyse_trade", "product_groups"]


@dataclass(frozen=True, slots=True)
class TradeConcentration:
    """Exporter concentration per product code and year, by region, and Dutch import dependence."""

    file: str
    concentration: pd.DataFrame
    exporter_shares: pd.DataFrame
    regions: pd.DataFrame
    nl_dependence: pd.DataFrame
    change: pd.DataFrame
    hs_digits: int
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``trade concentration --format json`` document."""
        return {
            "file": self.file,
            "hs_digits": self.hs_digits,
            "concentration": json_records(self.concentration),
            "top_exporters": json_records(self.exporter_shares),
            "regions": json_records(self.regions),
            "nl_import_dependence": json_records(self.nl_dependence),
            "change": json_records(self.change),
            "regions_source": refdata.provenance_of("country_regions").cite(),
            "provenance": self.provenance.to_json(),
        }


def _per_group(shares: pd.DataFrame, supplier: str) -> pd.DataFrame:
    """Total, number of suppliers, HHI and largest supplier per (year, hs) of a shares frame.

    ``shares`` is sorted by (hs, year) with the largest share first in each group, as the
    storage queries return it, so the first row of a group is its largest supplier.
    """
    columns = ["year", "hs", "total_value", "suppliers", "hhi", f"top_{supplier}", "top_share"]
    if shares.empty:
        return pd.DataFrame(columns=columns)
    keys = shares[["year", "hs"]].to_numpy(dtype=object)
    start = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
    sizes = np.diff(np.r_[start, len(shares)])
    group = np.repeat(np.arange(len(start)), sizes).astype(np.intp)
    first = shares.iloc[start]
    return pd.DataFrame(
        {
            "year": first["year"].to_numpy(),
            "hs": first["hs"].to_numpy(),
            "total_value": np.add.reduceat(shares["value"].to_numpy(dtype=np.float64), start),
            "suppliers": sizes,
            "hhi": hhi(shares["share"].to_numpy(dtype=np.float64), group, len(start)),
            f"top_{supplier}": first[supplier].to_numpy(),
            "top_share": first["share"].to_numpy(dtype=np.float64),
        },
        columns=columns,
    )


def analyse_trade(path: str | Path, hs_digits: int = 6, top: int = 5) -> TradeConcentration:
    """Read a trade file and compute shares, HHI, regions, NL dependence and change between years."""
    from ketenradar.storage.trade_duckdb import exporter_shares, load_flows, nl_partner_shares

    if hs_digits not in (2, 4, 6):
        raise ValueError("hs_digits must be 2, 4 or 6")
    connection = load_flows(path)
    regions = refdata.read_dataset("country_regions")[["iso3", "continent"]]
    shares = exporter_shares(connection, hs_digits, regions)
    per_code = _per_group(shares, "exporter")
    concentration = per_code.rename(columns={"suppliers": "exporters"})[
        ["year", "hs", "total_value", "exporters", "hhi", "top_exporter", "top_share"]
    ]
    rank = shares.groupby(["year", "hs"], sort=False).cumcount()
    top_exporters = shares.loc[rank < top, ["year", "hs", "exporter", "value", "share"]].reset_index(
        drop=True
    )
    region_shares = (
        shares.groupby(["year", "hs", "region"], sort=False)["share"]
        .sum()
        .reset_index()
        .sort_values(
            ["hs", "year", "share", "region"], ascending=[True, True, False, True], ignore_index=True
        )
    )

    imports = nl_partner_shares(connection, hs_digits)
    partners = _per_group(imports, "partner")
    split = refdata.load_countries().frame["nl_split"]
    third = imports["partner"].map(split).fillna("third").eq("third").to_numpy()
    third_share = (
        imports.assign(third=np.where(third, imports["share"], 0.0))
        .groupby(["year", "hs"], sort=False)["third"]
        .sum()
        .to_numpy()
    )
    nl = pd.DataFrame(
        {
            "year": partners["year"],
            "hs": partners["hs"],
            "nl_imports": partners["total_value"],
            "top_partner": partners["top_partner"],
            "top_partner_share": partners["top_share"],
            "partner_hhi": partners["hhi"],
            "third_country_share": third_share,
        }
    )

    years = concentration.groupby("hs")["year"].agg(["min", "max"])
    years = years[years["min"] < years["max"]]
    by_year = concentration.set_index(["hs", "year"])
    first = by_year.loc[list(zip(years.index, years["min"], strict=True)), ["hhi", "top_share"]].to_numpy()
    last = by_year.loc[list(zip(years.index, years["max"], strict=True)), ["hhi", "top_share"]].to_numpy()
    change = pd.DataFrame(
        {
            "hs": years.index.to_numpy(),
            "year_from": years["min"].to_numpy(),
            "year_to": years["max"].to_numpy(),
            "hhi_from": first[:, 0] if len(years) else [],
            "hhi_to": last[:, 0] if len(years) else [],
            "hhi_change": (last[:, 0] - first[:, 0]) if len(years) else [],
            "top_share_change": (last[:, 1] - first[:, 1]) if len(years) else [],
        }
    )
    return TradeConcentration(
        file=str(path),
        concentration=concentration,
        exporter_shares=top_exporters,
        regions=region_shares,
        nl_dependence=nl,
        change=change,
        hs_digits=hs_digits,
        provenance=provenance(
            ["country_regions", "country_groups"],
            {"hs_digits": hs_digits, "top": top},
            [input_file("trade flows", path)],
        ),
    )


@dataclass(frozen=True, slots=True)
class ProductGroups:
    """The source report's world production-value shares by region for its eleven HS groups."""

    table: pd.DataFrame
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``trade groups --format json`` document."""
        return {
            "product_groups": json_records(self.table),
            "source": "TNO/Comtrade 2022 as cited in Berenschot (2024)",
            "sources": sources_json(self.provenance.datasets),
            "provenance": self.provenance.to_json(),
        }


def product_groups() -> ProductGroups:
    """Return the source report's world production-value shares for its eleven HS product groups."""
    raw = refdata.read_dataset("seed_product_groups").dropna(subset=["hs_code"])
    table = raw.assign(hs_code=raw["hs_code"].astype("int64").astype(str).str.zfill(6)).reset_index(drop=True)
    return ProductGroups(table, provenance(["seed_product_groups"]))
