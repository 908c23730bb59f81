"""The sector picture: who owns the defence industry (F9) and where materiel comes from (F10).

Works on a user's company register or import records, or on the source report's shipped
tables, which reproduce its published figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import UnknownCountry
from ketenradar.locale import _
from ketenradar.refdata.loaders import read_dataset
from ketenradar.risk.concentration import hhi
from ketenradar.risk.shares import group_shares
from ketenradar.services.countries import country_risk
from ketenradar.services.jsonable import json_records, json_value
from ketenradar.services.provenance import InputRecord, ResultProvenance, provenance, sources_json

__all__ = [
    "DEFAULT_HIGH_RISK_THRESHOLD",
    "MaterielOrigin",
    "OwnershipPicture",
    "materiel_from_records",
    "materiel_from_seed",
    "ownership_from_register",
    "ownership_from_seed",
]

# Composite country risk (0..1) above which an owner country counts as high-risk. A setting,
# not a finding: with the default weights every EU/EEA member scores below it (highest: Greece,
# 0.44) and China (0.46), Brazil (0.58), Turkey (0.67), Russia (0.80) and Iran (0.83) above it.
# Users who need a political rather than a risk-based list pass their own (--high-risk).
DEFAULT_HIGH_RISK_THRESHOLD = 0.45
# The tables whose figures the documents cite under ``sources``; the country data behind the
# high-risk flags and the NL/EU/third split are listed in the provenance.
CITED = ("seed_owner_countries", "seed_arms_imports")


@dataclass(frozen=True, slots=True)
class OwnershipPicture:
    """Shares of companies and FTE by owner country, with high-risk flags."""

    by_country: pd.DataFrame
    companies: pd.DataFrame | None
    basis: str
    foreign_share_count: float
    foreign_share_fte: float
    high_risk_countries: list[str]
    provenance: ResultProvenance
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the ``ownership --format json`` document."""
        depth = None
        if self.companies is not None:
            counts = self.companies["ownership_depth"].value_counts().sort_index()
            depth = {str(k): int(v) for k, v in counts.items()}
        return {
            "basis": self.basis,
            "by_country": json_records(
                self.by_country.rename(
                    columns={
                        "count": "companies",
                        "count_share": "companies_share",
                        "weight": "fte",
                        "weight_share": "fte_share",
                        "weight_missing": "fte_missing",
                    }
                )
            ),
            "foreign_owned_share_companies": self.foreign_share_count,
            "foreign_owned_share_fte": json_value(self.foreign_share_fte),
            "high_risk_owner_countries": self.high_risk_countries,
            "companies_under_high_risk_control": (
                None
                if self.companies is None
                else self.companies.loc[self.companies["high_risk_control"], "company"].tolist()
            ),
            "ownership_depth_distribution": depth,
            "notes": self.notes,
            "sources": sources_json(d for d in self.provenance.datasets if d.dataset in CITED),
            "provenance": self.provenance.to_json(),
        }


def _risky(countries: pd.Series, threshold: float, listed: list[str] | None) -> pd.Series:
    if listed:
        return countries.isin(listed)
    return countries.map(country_risk()).fillna(0.0) > threshold


def _checked(high_risk: list[str] | None) -> list[str] | None:
    """Return the listed high-risk countries upper-cased, or raise UnknownCountry."""
    if not high_risk:
        return None
    codes = [c.strip().upper() for c in high_risk if c.strip()]
    unknown = [c for c in codes if c not in refdata.known_country_codes()]
    if unknown:
        raise UnknownCountry(unknown)
    return codes


def _flag_parameters(threshold: float, listed: list[str] | None) -> dict[str, Any]:
    if listed:
        return {"high_risk_countries": listed}
    return {"high_risk_threshold": threshold, "country_risk_weights": "default (equal)"}


def _by_country(shares: pd.DataFrame, threshold: float, listed: list[str] | None) -> pd.DataFrame:
    names = refdata.load_countries().frame["name"]
    shares = shares.rename(columns={"group": "country"})
    shares.insert(1, "name", shares["country"].map(names))
    shares["high_risk"] = _risky(shares["country"], threshold, listed).to_numpy()
    return shares


def ownership_from_register(
    register: pd.DataFrame,
    *,
    threshold: float = DEFAULT_HIGH_RISK_THRESHOLD,
    high_risk: list[str] | None = None,
    inputs: Sequence[InputRecord] = (),
) -> OwnershipPicture:
    """Shares by ultimate owner country (legal owner where the ultimate owner is not known)."""
    high_risk = _checked(high_risk)
    owner = register["ultimate_owner_country"].where(
        register["ultimate_owner_country"] != "", register["legal_owner_country"]
    )
    shares = group_shares(owner, register["fte"])
    by_country = _by_country(shares, threshold, high_risk)
    companies = register.assign(owner_country=owner.to_numpy())
    companies["high_risk_control"] = _risky(companies["owner_country"], threshold, high_risk).to_numpy()
    foreign = owner != "NLD"
    fte = register["fte"]
    notes = []
    if (register["ultimate_owner_country"] == "").any():
        notes.append(
            _("{n} companies without an ultimate owner are counted under their legal owner's country").format(
                n=int((register["ultimate_owner_country"] == "").sum())
            )
        )
    if fte.isna().any():
        notes.append(
            _("{n} companies without FTE are left out of the FTE shares").format(n=int(fte.isna().sum()))
        )
    used = ["country_groups", "wgi_2023", "oecd_crc", "fsi_2023"] if not high_risk else []
    return OwnershipPicture(
        by_country=by_country,
        companies=companies,
        basis=_("company register (ultimate owner)"),
        foreign_share_count=float(foreign.mean()),
        foreign_share_fte=float(fte[foreign].sum() / fte.sum()) if fte.notna().any() else float("nan"),
        high_risk_countries=sorted(by_country.loc[by_country["high_risk"], "country"]),
        provenance=provenance(used, _flag_parameters(threshold, high_risk), inputs),
        notes=notes,
    )


def ownership_from_seed(
    *, threshold: float = DEFAULT_HIGH_RISK_THRESHOLD, high_risk: list[str] | None = None
) -> OwnershipPicture:
    """Shares by legal-owner country from the source report's table (Company.info/KvK 2024)."""
    high_risk = _checked(high_risk)
    raw = read_dataset("seed_owner_countries")
    countries = raw[raw["country_iso3"].notna()]
    shares = pd.DataFrame(
        {
            "group": countries["country_iso3"].to_numpy(),
            "count": countries["n_companies"].to_numpy(dtype=np.int64),
            "weight": countries["fte_nl_2022"].to_numpy(dtype=np.float64),
            "weight_missing": 0,
        }
    )
    shares["count_share"] = shares["count"] / shares["count"].sum()
    shares["weight_share"] = shares["weight"] / shares["weight"].sum()
    shares["published_count_pct"] = countries["companies_pct"].to_numpy()
    shares["published_weight_pct"] = countries["fte_pct"].to_numpy()
    by_country = _by_country(shares, threshold, high_risk)
    nld = by_country["country"] == "NLD"
    return OwnershipPicture(
        by_country=by_country,
        companies=None,
        basis=_("Berenschot (2024) table of legal-owner countries (Company.info, KvK 2024)"),
        foreign_share_count=float(by_country.loc[~nld, "count"].sum() / by_country["count"].sum()),
        foreign_share_fte=float(by_country.loc[~nld, "weight"].sum() / by_country["weight"].sum()),
        high_risk_countries=sorted(by_country.loc[by_country["high_risk"], "country"]),
        provenance=provenance(
            [
                "seed_owner_countries",
                *([] if high_risk else ["country_groups", "wgi_2023", "oecd_crc", "fsi_2023"]),
            ],
            _flag_parameters(threshold, high_risk),
        ),
        notes=[
            _(
                "aggregated table: no company-level ownership chains; the printed total FTE is "
                "209,513, the rows add up to 209,514 (noted in the source table)"
            )
        ],
    )


@dataclass(frozen=True, slots=True)
class MaterielOrigin:
    """Shares of imported weapon-system units by supplier and domain, with dependence indicators."""

    by_supplier: pd.DataFrame
    by_domain: pd.DataFrame
    indicators: dict[str, Any]
    basis: str
    provenance: ResultProvenance
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the ``materiel --format json`` document."""
        return {
            "basis": self.basis,
            "by_supplier": json_records(self.by_supplier),
            "by_domain": json_records(self.by_domain),
            "indicators": self.indicators,
            "notes": self.notes,
            "sources": sources_json(d for d in self.provenance.datasets if d.dataset in CITED),
            "provenance": self.provenance.to_json(),
        }


def _indicators(by_supplier: pd.DataFrame) -> dict[str, Any]:
    countries = refdata.load_countries().frame
    share = by_supplier["share"].to_numpy()
    split = by_supplier["supplier"].map(countries["nl_split"])
    nato = by_supplier["supplier"].map(countries["nato"]).fillna(False).astype(bool)
    top = by_supplier.iloc[0]
    return {
        "largest_supplier": top["supplier"],
        "largest_supplier_share": float(top["share"]),
        "supplier_hhi": float(hhi(share, np.zeros(len(share), dtype=np.intp), 1)[0]),
        "share_from_third_countries": float(share[(split == "third").to_numpy()].sum()),
        "share_from_outside_nato": float(share[~nato.to_numpy()].sum()),
        "suppliers": len(by_supplier),
    }


def materiel_from_records(records: pd.DataFrame, inputs: Sequence[InputRecord] = ()) -> MaterielOrigin:
    """Shares by supplier and by domain from import records (one recipient)."""
    names = refdata.load_countries().frame["name"]
    totals = records.groupby("supplier")["units"].sum().sort_values(ascending=False)
    by_supplier = pd.DataFrame(
        {"supplier": totals.index, "name": totals.index.map(names), "units": totals.to_numpy()}
    )
    by_supplier["share"] = by_supplier["units"] / by_supplier["units"].sum()
    domain = records.pivot_table(
        index="supplier", columns="domain", values="units", aggfunc="sum", fill_value=0.0
    )
    by_domain = (
        (domain / domain.sum()).reset_index().melt(id_vars="supplier", var_name="domain", value_name="share")
    )
    by_domain = by_domain[by_domain["share"] > 0].reset_index(drop=True)
    return MaterielOrigin(
        by_supplier=by_supplier,
        by_domain=by_domain,
        indicators=_indicators(by_supplier),
        basis=_("import records of {recipient}").format(recipient=records["recipient"].iloc[0]),
        provenance=provenance(["country_groups"], {}, inputs),
    )


def materiel_from_seed() -> MaterielOrigin:
    """Shares from the source report's SIPRI table (NL orders and deliveries 2018-2022)."""
    raw = read_dataset("seed_arms_imports")
    rows = raw[raw["country_iso3"].notna()]
    total_row = raw[raw["country_iso3"].isna()].iloc[0]
    by_supplier = pd.DataFrame(
        {
            "supplier": rows["country_iso3"].to_numpy(),
            "name": rows["supplier_country"].to_numpy(),
            "units": rows["total_units"].to_numpy(dtype=np.float64),
        }
    )
    by_supplier = by_supplier.sort_values("units", ascending=False, ignore_index=True)
    by_supplier["share"] = by_supplier["units"] / float(total_row["total_units"])
    domains = {"maritime": "maritime_units", "air": "air_units", "land": "land_units"}
    frames = []
    for domain, column in domains.items():
        known = rows.dropna(subset=[column])
        frames.append(
            pd.DataFrame(
                {
                    "supplier": known["country_iso3"].to_numpy(),
                    "domain": domain,
                    "share": known[column].to_numpy() / float(total_row[column]),
                }
            )
        )
    by_domain = pd.concat(frames, ignore_index=True)
    unassigned = int(rows["unassigned_units"].fillna(0).sum())
    return MaterielOrigin(
        by_supplier=by_supplier,
        by_domain=by_domain,
        indicators=_indicators(by_supplier),
        basis=_("Berenschot (2024) table of SIPRI arms transfers to the Netherlands, 2018-2022"),
        provenance=provenance(["seed_arms_imports", "country_groups"], {}),
        notes=[
            _(
                "{n} units of smaller suppliers have no recoverable domain in the source text; domain "
                "shares use the printed domain totals, supplier shares the overall total"
            ).format(n=unassigned)
        ],
    )
