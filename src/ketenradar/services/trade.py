"""Trade-flow concentration for defence-relevant product groups (F8).

Files are read and aggregated to supplier shares in DuckDB (:mod:`ketenradar.storage.trade_duckdb`);
the indicators over those shares (HHI, largest supplier, regional shares, Dutch import
dependence, change between the first and last year) use the core's one HHI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.risk.concentration import hhi
from ketenradar.services.jsonable import json_records
from ketenradar.services.provenance import ResultProvenance, input_file, provenance, sources_json

if TYPE_CHECKING:  # DuckDB loads only when a trade file is read
    from ketenradar.storage.trade_duckdb import SupplierShares

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


def _indicators(shares: SupplierShares, supplier: str) -> pd.DataFrame:
    """Total, number of suppliers, HHI and largest supplier per (year, hs), in (hs, year) order."""
    groups = shares.groups
    first = shares.top.drop_duplicates(["year", "hs"]).set_index(["year", "hs"])
    largest = first.reindex(pd.MultiIndex.from_frame(groups[["year", "hs"]]))
    return pd.DataFrame(
        {
            "year": groups["year"].to_numpy(),
            "hs": groups["hs"].to_numpy(),
            "total_value": groups["total_value"].to_numpy(dtype=np.float64),
            "suppliers": groups["suppliers"].to_numpy(dtype=np.int64),
            "hhi": hhi(shares.share, shares.group, len(groups)),
            f"top_{supplier}": largest["supplier"].to_numpy(),
            "top_share": largest["share"].to_numpy(dtype=np.float64),
        }
    )


def analyse_trade(path: str | Path, hs_digits: int = 6, top: int = 5) -> TradeConcentration:
    """Read a trade file and compute shares, HHI, regions, NL dependence and change between years."""
    from ketenradar.storage.trade_duckdb import load_flows, supplier_shares

    if hs_digits not in (2, 4, 6):
        raise ValueError("hs_digits must be 2, 4 or 6")
    connection = load_flows(path)
    # World regions are UN M49 continents, with China apart as the source report shows it.
    regions = refdata.read_dataset("country_regions")[["iso3", "continent"]].rename(
        columns={"continent": "category"}
    )
    regions.loc[regions["iso3"] == "CHN", "category"] = "China"
    exporters = supplier_shares(connection, hs_digits, top=top, categories=regions)
    concentration = _indicators(exporters, "exporter").rename(columns={"suppliers": "exporters"})
    top_exporters = exporters.top.rename(columns={"supplier": "exporter"})
    region_shares = exporters.categories.rename(columns={"category": "region"})

    splits = refdata.load_countries().frame["nl_split"].rename("category").reset_index()
    imports = supplier_shares(
        connection, hs_digits, top=1, importer="NLD", categories=splits, uncategorised="third"
    )
    partners = _indicators(imports, "partner")
    third = imports.categories[imports.categories["category"] == "third"].set_index(["year", "hs"])["share"]
    keys = pd.MultiIndex.from_frame(partners[["year", "hs"]])
    nl = pd.DataFrame(
        {
            "year": partners["year"],
            "hs": partners["hs"],
            "nl_imports": partners["total_value"],
            "top_partner": partners["top_partner"],
            "top_partner_share": partners["top_share"],
            "partner_hhi": partners["hhi"],
            "third_country_share": third.reindex(keys).fillna(0.0).to_numpy(dtype=np.float64),
        }
    )

    years = concentration.groupby("hs")["year"].agg(["min", "max"])
    years = years[years["min"] < years["max"]]
    by_year = concentration.set_index(["hs", "year"])[["hhi", "top_share"]]
    first = by_year.reindex(pd.MultiIndex.from_arrays([years.index, years["min"]])).to_numpy()
    last = by_year.reindex(pd.MultiIndex.from_arrays([years.index, years["max"]])).to_numpy()
    change = pd.DataFrame(
        {
            "hs": years.index.to_numpy(),
            "year_from": years["min"].to_numpy(),
            "year_to": years["max"].to_numpy(),
            "hhi_from": first[:, 0],
            "hhi_to": last[:, 0],
            "hhi_change": last[:, 0] - first[:, 0],
            "top_share_change": last[:, 1] - first[:, 1],
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
