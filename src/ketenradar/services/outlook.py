"""The outlook beside the material picture: USGS reserve lifetimes, prices and the report's call-outs.

Adds the USGS MCS 2025 reserves, production and reserve lifetimes beside the report's figures
(:func:`add_usgs_outlook`), compares the report's country call-outs with the EC's shares
(:func:`report_callouts`) and shapes the call-outs, the report's regional shares and the USGS
price series for a material's JSON record. :class:`OutlookResult` is the ``outlook --format
json`` view of a :class:`~ketenradar.services.materials.MaterialOverview`. The helpers take
frames, so :mod:`ketenradar.services.materials` uses them and this module imports it only for
type checking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.locale import N_, _
from ketenradar.model.material import MaterialCatalogue
from ketenradar.risk.outlook import reserve_lifetime_years
from ketenradar.risk.shares import catalogue_supply_shares
from ketenradar.services.jsonable import json_records, json_value
from ketenradar.services.provenance import ResultProvenance, sources_json

if TYPE_CHECKING:  # materials imports this module: the overview is needed for the annotation only
    from ketenradar.services.materials import MaterialOverview

__all__ = [
    "CALLOUT_DIFFERENCE_LIMIT_PCT_POINTS",
    "LIFETIME_CONFLICT_TOLERANCE",
    "OutlookResult",
    "add_usgs_outlook",
    "callout_records",
    "price_records",
    "region_records",
    "report_callouts",
]

NO_USGS_SERIES = N_("USGS MCS 2025 has no reserves series for this material")
USGS_LOWER_BOUND = N_("USGS gives the world reserves only as a lower bound ({printed})")
NO_USGS_RESERVES = N_("USGS gives no world reserves")
NO_USGS_PRODUCTION = N_("USGS gives no world production")
NO_VOLATILITY = N_(
    "the report prints no price volatility, and no shipped source defines a volatility formula "
    "for the USGS price series"
)
# The report's lifetime conflicts with USGS when it lies more than this fraction outside the
# range of the two USGS lifetimes (production 2023 and 2024).
LIFETIME_CONFLICT_TOLERANCE = 0.20
# A call-out of the report differs from the EC when more than this many percentage points apart.
CALLOUT_DIFFERENCE_LIMIT_PCT_POINTS = 10.0
# USGS publishes rare earths only as a total: both groups take it, as a proxy.
_USGS_ID = {"heavy_rare_earths": "rare_earths", "light_rare_earths": "rare_earths"}


def add_usgs_outlook(materials: pd.DataFrame, eol_rir_ec: pd.Series) -> None:
    """Add the USGS MCS 2025 reserves, production and lifetimes beside the report's figures."""
    usgs = refdata.load_usgs_reserves_production().frame
    ids = [_USGS_ID.get(m, m) for m in materials.index]
    u = usgs.reindex(ids).set_axis(materials.index)
    excluded = materials.index.isin(list(refdata.USGS_LIFETIME_EXCLUDED))
    valid = ~excluded & ~u["unit_mismatch"].fillna(False).astype(bool)
    materials["usgs_reserves"] = u["reserves"]
    materials["usgs_reserves_as_printed"] = u["reserves_raw"]
    materials["usgs_world_production_2023"] = u["production_2023"]
    materials["usgs_world_production_2024"] = u["production_2024"]
    materials["usgs_unit"] = u["unit"]
    materials["usgs_series"] = u["series"]
    materials["usgs_is_proxy"] = u["is_proxy"]
    lifetime = reserve_lifetime_years(u["reserves"], u["production_2024"])
    lifetime_2023 = reserve_lifetime_years(u["reserves"], u["production_2023"])
    materials["reserve_lifetime_years_usgs"] = np.where(valid, lifetime, np.nan)
    materials["reserve_lifetime_years_usgs_2023"] = np.where(valid, lifetime_2023, np.nan)
    printed = u["reserves_raw"].fillna("").astype(str)
    reason = np.select(
        [
            u["series"].isna(),
            excluded,
            printed.str.startswith(">"),
            u["reserves"].isna(),
            u["production_2024"].isna(),
        ],
        [
            _(NO_USGS_SERIES),
            [_(refdata.USGS_LIFETIME_EXCLUDED.get(m, "")) for m in materials.index],
            [_(USGS_LOWER_BOUND).format(printed=p) for p in printed],
            _(NO_USGS_RESERVES),
            _(NO_USGS_PRODUCTION),
        ],
        default="",
    )
    materials["usgs_lifetime_unavailable_reason"] = reason
    low = materials[["reserve_lifetime_years_usgs", "reserve_lifetime_years_usgs_2023"]].min(axis=1)
    high = materials[["reserve_lifetime_years_usgs", "reserve_lifetime_years_usgs_2023"]].max(axis=1)
    report = materials["reserve_lifetime_years_published"]
    outside = (report < low * (1 - LIFETIME_CONFLICT_TOLERANCE)) | (
        report > high * (1 + LIFETIME_CONFLICT_TOLERANCE)
    )
    known = report.notna() & low.notna()
    materials["reserve_lifetime_conflict"] = outside.where(known, other=None).astype(object)
    materials.loc[~known, "reserve_lifetime_conflict"] = None
    materials["price_volatility_source"] = pd.Series(None, index=materials.index, dtype=object)
    materials.loc[materials["price_volatility_pct"].notna(), "price_volatility_source"] = "report"
    materials["price_volatility_unavailable_reason"] = np.where(
        materials["price_volatility_pct"].isna(), _(NO_VOLATILITY), ""
    )
    materials["eu_eol_rir_ec"] = eol_rir_ec
    differs = (materials["eu_eol_rir"] - eol_rir_ec).abs() > 0.005
    both = materials["eu_eol_rir"].notna() & eol_rir_ec.notna()
    materials["eu_eol_rir_conflict"] = differs.where(both, other=None).astype(object)
    materials.loc[~both, "eu_eol_rir_conflict"] = None


def report_callouts(catalogue: MaterialCatalogue, ec_shares: pd.DataFrame) -> pd.DataFrame:
    """Return the report's country call-outs beside the EC 2023 global-supply share.

    The EC share is taken at mining where the EC assesses mining, else at processing (the
    stage is given); a country the EC does not list has no EC share (not zero).
    """
    callouts = refdata.load_country_callouts().frame
    known = {*catalogue, *refdata.load_materials()} | {m.id for m in refdata.load_element_materials()}
    groups = [m.id for m in refdata.load_materials().values() if m.is_group]
    ec = catalogue_supply_shares(ec_shares, sorted(known), groups)
    ec = ec[ec["scope"] == "gs"]
    mining = set(ec.loc[ec["stage"] == "mining", "material"])
    callouts = callouts.assign(ec_stage=np.where(callouts["material"].isin(mining), "mining", "processing"))
    ec_share = ec.groupby(["material", "stage", "country"])["share"].sum(min_count=1)
    key = pd.MultiIndex.from_frame(callouts[["material", "ec_stage", "country"]])
    # The EC prints one decimal; rounding removes the float noise of fraction -> percent.
    callouts["ec_share_pct"] = np.round(ec_share.reindex(key).to_numpy() * 100.0, 6)
    callouts["difference_pct_points"] = np.round(callouts["share_pct"] - callouts["ec_share_pct"], 6)
    over = callouts["difference_pct_points"].abs() > CALLOUT_DIFFERENCE_LIMIT_PCT_POINTS
    callouts["differs_over_limit"] = over.where(callouts["ec_share_pct"].notna(), other=None).astype(object)
    callouts.loc[callouts["ec_share_pct"].isna(), "differs_over_limit"] = None
    rolled = {m.id: m.group for m in refdata.load_element_materials() if m.group}
    callouts["rolls_up_to"] = callouts["material"].map(rolled).fillna(callouts["material"])
    return callouts.reset_index(drop=True)


def callout_records(callouts: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Return the call-outs per material id, an element's also under its group."""
    rows = callouts.rename(
        columns={"share_pct": "report_share_pct", "differs_over_limit": "differs_over_10_points"}
    )
    keep = [
        "country",
        "material",
        "report_share_pct",
        "ec_share_pct",
        "ec_stage",
        "difference_pct_points",
        "differs_over_10_points",
        "note",
    ]
    out: dict[str, list[dict[str, Any]]] = {}
    for record, own, group in zip(
        json_records(rows[keep]), rows["material"], rows["rolls_up_to"], strict=True
    ):
        for key in dict.fromkeys([own, group]):
            out.setdefault(key, []).append(record)
    return out


def region_records(regions: pd.DataFrame) -> dict[str, dict[str, dict[str, float]]]:
    """Return the report's regional shares per material id as {stage: {region: pct}}."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for row in regions.itertuples(index=False):
        out.setdefault(row.material, {}).setdefault(row.stage, {})[row.region] = float(row.share_pct)
    return out


def price_records(prices: pd.DataFrame, catalogue: MaterialCatalogue) -> dict[str, list[dict[str, Any]]]:
    """Return the USGS price series per material id; a group also gets its members' series."""
    out: dict[str, list[dict[str, Any]]] = {}
    for (material, series), rows in prices.groupby(["material", "series"], sort=True):
        record = {
            "series": series,
            "unit": rows["unit"].iloc[0] or None,
            "description": rows["description"].iloc[0] or None,
            "values": {str(y): json_value(v) for y, v in zip(rows["year"], rows["value"], strict=True)},
        }
        out.setdefault(str(material), []).append(record)
    for material in catalogue.values():
        sources = [*material.members, *([_USGS_ID[material.id]] if material.id in _USGS_ID else [])]
        for source in sources:
            out.setdefault(material.id, []).extend(out.get(source, []))
    return out


@dataclass(frozen=True, slots=True)
class OutlookResult:
    """Reserve lifetime, volatility, recycling, IEA demand/supply and the CRMA benchmark."""

    overview: MaterialOverview

    @property
    def provenance(self) -> ResultProvenance:
        """Return the provenance of the underlying material picture."""
        return self.overview.provenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``outlook --format json`` document."""
        flat = self.overview.summary()
        keep = [
            "material",
            "reserves_t",
            "world_production_t",
            "reserve_lifetime_years",
            "reserve_lifetime_years_published",
            "reserve_lifetime_years_usgs",
            "reserve_lifetime_years_usgs_2023",
            "reserve_lifetime_conflict",
            "usgs_reserves",
            "usgs_world_production_2024",
            "usgs_unit",
            "price_volatility_pct",
            "eu_eol_rir",
            "eu_eol_rir_ec",
            "eu_eol_rir_conflict",
            "us_government_stockpile",
            "crma_strategic",
            "crma_exceeds_limit",
        ]
        stage = [c for c in flat.columns if "crma_" in c and c not in keep]
        return {
            "materials": json_records(flat[keep + stage]),
            "iea_outlook": json_records(self.overview.iea_outlook),
            "settings": self.overview.options.describe(),
            "sources": sources_json(self.provenance.datasets),
            "provenance": self.provenance.to_json(),
        }
