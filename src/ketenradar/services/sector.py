"""The sector picture: who owns the defence industry (F9) and where materiel comes from (F10).

Works on a user's company register or import records, or on the source report's shipped
tables, which reproduce its published figures. Owner countries from a company register go
through the same disclosure control as the questionnaire tables (threshold and dominance,
then secondary suppression over the total); the shipped table is published by its source and
is shown as published, marked so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import UnknownCountry
from ketenradar.locale import N_, _, format_percent
from ketenradar.model.defaults import HIGH_RISK_OWNERSHIP_THRESHOLD
from ketenradar.refdata.loaders import read_dataset
from ketenradar.risk.concentration import hhi
from ketenradar.risk.disclosure import DisclosureRules, primary_suppression, secondary_suppression
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

# Composite country risk above which an owner country counts as high-risk (see model.defaults).
DEFAULT_HIGH_RISK_THRESHOLD = HIGH_RISK_OWNERSHIP_THRESHOLD
# The tables whose figures the documents cite under ``sources``; the country data behind the
# high-risk flags and the NL/EU/third split are listed in the provenance.
CITED = ("seed_owner_countries", "seed_arms_imports")
# The last year of the source report's SIPRI period (orders 2018-2022): NATO membership as then.
SEED_ORDER_YEAR = 2022
# The by-country columns that count or weigh companies: None where a country is suppressed.
DISCLOSIVE = ("count", "count_share", "weight", "weight_share", "weight_missing")
OWNERSHIP_SECONDARY_RULE = (
    "at least 2 suppressed countries (or none), so that no suppressed country follows from the total"
)
UNSUPPRESSED_OWNERSHIP_NOTE = N_(
    "UNSUPPRESSED view of the company register: disclosure control switched off; not for publication"
)


@dataclass(frozen=True, slots=True)
class OwnershipPicture:
    """Shares of companies and FTE by owner country, with high-risk flags.

    ``by_country`` has a ``suppressed`` column; a suppressed country's counts, FTE and shares
    are missing (never 0). ``rules`` are the disclosure rules applied (None when none were:
    a table published by its source, or the unsuppressed view).
    """

    by_country: pd.DataFrame
    companies: pd.DataFrame | None
    basis: str
    foreign_share_count: float
    foreign_share_fte: float
    high_risk_countries: list[str]
    provenance: ResultProvenance
    notes: list[str] = field(default_factory=list)
    rules: DisclosureRules | None = None
    published_by_source: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the ``ownership --format json`` document."""
        depth = None
        if self.companies is not None:
            counts = self.companies["ownership_depth"].value_counts().sort_index()
            depth = {str(k): int(v) for k, v in counts.items()}
        suppressed = self.by_country.loc[self.by_country["suppressed"], "country"].tolist()
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
            "foreign_owned_share_companies": json_value(self.foreign_share_count),
            "foreign_owned_share_fte": json_value(self.foreign_share_fte),
            "high_risk_owner_countries": self.high_risk_countries,
            "companies_under_high_risk_control": (
                None
                if self.companies is None
                else self.companies.loc[self.companies["high_risk_control"], "company"].tolist()
            ),
            "ownership_depth_distribution": depth,
            "disclosure_control": {
                "applied": self.rules is not None,
                "published_by_source": self.published_by_source,
                "min_companies": None if self.rules is None else self.rules.min_companies,
                "max_dominance": None if self.rules is None else self.rules.max_dominance,
                "secondary_suppression": None if self.rules is None else OWNERSHIP_SECONDARY_RULE,
                "suppressed_fields": ["companies", "companies_share", "fte", "fte_share", "fte_missing"],
            },
            "suppressed_countries": suppressed,
            "notes": self.notes,
            "sources": sources_json(d for d in self.provenance.datasets if d.dataset in CITED),
            "provenance": self.provenance.to_json(),
        }


def _suppressed_owners(
    by_country: pd.DataFrame, largest_fte: pd.Series, rules: DisclosureRules
) -> pd.DataFrame:
    """Return the by-country table with disclosure control: suppressed countries missing, last.

    Primary: fewer than ``min_companies`` companies, or one company above ``max_dominance`` of
    the country's FTE. Secondary over the total (public: it follows from any published share),
    knowing that a listed country has at least one company. Suppressed rows go last, in code
    order, because a place in the FTE ranking would bound their FTE.
    """
    counts = by_country["count"].to_numpy(dtype=np.float64)
    largest = largest_fte.reindex(by_country["country"]).to_numpy(dtype=np.float64)
    primary = primary_suppression(counts, largest, by_country["weight"].to_numpy(dtype=np.float64), rules)
    table = np.append(counts, counts.sum())
    keep = np.append(np.zeros(counts.size, dtype=bool), True)
    lower = np.append(np.ones(counts.size), 0.0)
    hidden = secondary_suppression(
        table, np.append(primary, False), rows_additive=True, cols_additive=False, keep=keep, lower=lower
    )[:-1]
    out = by_country.assign(suppressed=hidden)
    out["count"] = out["count"].astype("Int64").mask(hidden)
    out["weight_missing"] = out["weight_missing"].astype("Int64").mask(hidden)
    for column in ("count_share", "weight", "weight_share"):
        out[column] = out[column].astype(np.float64).mask(hidden)
    return pd.concat([out[~hidden], out[hidden].sort_values("country")], ignore_index=True)


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
    rules: DisclosureRules | None = None,
    controlled: bool = True,
) -> OwnershipPicture:
    """Shares by ultimate owner country (legal owner where the ultimate owner is not known).

    Countries with fewer than ``rules.min_companies`` companies, or where one company holds
    more than ``rules.max_dominance`` of the FTE, are suppressed with a partner so the total
    does not give them away (unless ``controlled`` is off: not for publication).
    """
    high_risk = _checked(high_risk)
    rules = rules or DisclosureRules()
    owner = register["ultimate_owner_country"].where(
        register["ultimate_owner_country"] != "", register["legal_owner_country"]
    )
    shares = group_shares(owner, register["fte"])
    by_country = _by_country(shares, threshold, high_risk)
    if controlled:
        largest = register["fte"].groupby(owner.to_numpy()).max()
        by_country = _suppressed_owners(by_country, largest, rules)
    else:
        by_country = by_country.assign(suppressed=False)
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
    foreign_count = float(foreign.mean())
    foreign_fte = float(fte[foreign].sum() / fte.sum()) if fte.notna().any() else float("nan")
    if by_country.loc[by_country["country"] == "NLD", "suppressed"].any():
        # The foreign share is one minus the Dutch share: it would give the Dutch row away.
        foreign_count = foreign_fte = float("nan")
    if not controlled:
        notes.append(_(UNSUPPRESSED_OWNERSHIP_NOTE))
    elif by_country["suppressed"].any():
        notes.append(
            _(
                "{n} owner countries suppressed (fewer than {k} companies, one company above {share} "
                "of the FTE, or needed so the total does not give them away)"
            ).format(
                n=int(by_country["suppressed"].sum()),
                k=rules.min_companies,
                share=format_percent(rules.max_dominance, 0),
            )
        )
    used = ["country_groups", "wgi_2023", "oecd_crc", "fsi_2023"] if not high_risk else []
    parameters = {
        **_flag_parameters(threshold, high_risk),
        "disclosure_control": controlled,
        "min_companies": rules.min_companies,
        "max_dominance": rules.max_dominance,
    }
    return OwnershipPicture(
        by_country=by_country,
        companies=companies,
        basis=_("company register (ultimate owner)"),
        foreign_share_count=foreign_count,
        foreign_share_fte=foreign_fte,
        high_risk_countries=sorted(by_country.loc[by_country["high_risk"], "country"]),
        provenance=provenance(used, parameters, inputs),
        notes=notes,
        rules=rules if controlled else None,
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
    by_country = _by_country(shares, threshold, high_risk).assign(suppressed=False)
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
            ),
            _("figures as published by the source: no further disclosure control applied"),
        ],
        published_by_source=True,
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


def _outside_nato(suppliers: pd.Series, units: pd.Series, years: pd.Series) -> float:
    """Return the share of units from countries outside NATO in the year of each record."""
    member = np.zeros(len(suppliers), dtype=bool)
    for year in years.unique():
        rows = (years == year).to_numpy()
        member[rows] = suppliers[rows].isin(refdata.nato_members(int(year))).to_numpy()
    weights = units.to_numpy(dtype=np.float64)
    return float(weights[~member].sum() / weights.sum())


def _indicators(by_supplier: pd.DataFrame, outside_nato: float) -> dict[str, Any]:
    countries = refdata.load_countries().frame
    share = by_supplier["share"].to_numpy()
    split = by_supplier["supplier"].map(countries["nl_split"])
    top = by_supplier.iloc[0]
    return {
        "largest_supplier": top["supplier"],
        "largest_supplier_share": float(top["share"]),
        "supplier_hhi": float(hhi(share, np.zeros(len(share), dtype=np.intp), 1)[0]),
        "share_from_third_countries": float(share[(split == "third").to_numpy()].sum()),
        "share_from_outside_nato": outside_nato,
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
    # NATO membership in the year of each record; records without a year count with today's members.
    latest = int(refdata.load_nato_accessions().frame["accession_year"].max())
    years = records["year"].fillna(latest) if "year" in records else pd.Series(latest, index=records.index)
    notes = []
    if "year" not in records or records["year"].isna().any():
        notes.append(_("records without a year are counted with NATO's present members"))
    return MaterielOrigin(
        by_supplier=by_supplier,
        by_domain=by_domain,
        indicators=_indicators(by_supplier, _outside_nato(records["supplier"], records["units"], years)),
        basis=_("import records of {recipient}").format(recipient=records["recipient"].iloc[0]),
        provenance=provenance(
            ["country_groups", "nato_accessions"], {"nato_membership": "by record year"}, inputs
        ),
        notes=notes,
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
    # Orders of 2018-2022: Finland and Sweden were not NATO members yet.
    outside = _outside_nato(
        by_supplier["supplier"], by_supplier["units"], pd.Series(SEED_ORDER_YEAR, index=by_supplier.index)
    ) * float(by_supplier["units"].sum() / float(total_row["total_units"]))
    return MaterielOrigin(
        by_supplier=by_supplier,
        by_domain=by_domain,
        indicators=_indicators(by_supplier, outside),
        basis=_("Berenschot (2024) table of SIPRI arms transfers to the Netherlands, 2018-2022"),
        provenance=provenance(
            ["seed_arms_imports", "country_groups", "nato_accessions"],
            {"nato_membership_year": SEED_ORDER_YEAR},
        ),
        notes=[
            _(
                "{n} units of smaller suppliers have no recoverable domain in the source text; domain "
                "shares use the printed domain totals, supplier shares the overall total"
            ).format(n=unassigned)
        ],
    )
