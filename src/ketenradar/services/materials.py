"""The national picture of materials: EC criticality, supply, outlook, CRMA benchmark.

Joins the shipped tables and calls the pure indicator functions of :mod:`ketenradar.risk`;
returns a :class:`MaterialOverview` whose ``to_json()`` is the ``materials --format json``
contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.locale import N_, _
from ketenradar.model.material import Material, MaterialCatalogue
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES
from ketenradar.refdata.provenance import snapshot_version
from ketenradar.risk.assessment import (
    DEFAULT_WGI_YEARS,
    CriticalityResult,
    assess_economic_importance,
    assess_supply_risk,
    group_supply_risk,
    scaled_wgi_for_years,
)
from ketenradar.risk.outlook import (
    CRMA_SINGLE_COUNTRY_LIMIT,
    demand_supply_ratio,
    largest_supplier,
    reserve_lifetime_years,
)
from ketenradar.risk.shares import catalogue_supply_shares
from ketenradar.services.jsonable import json_records, json_value
from ketenradar.services.provenance import InputRecord, ResultProvenance, provenance, sources_json

__all__ = [
    "DEFAULT_WGI_YEARS",
    "AssessmentOptions",
    "MaterialOverview",
    "OutlookResult",
    "any_flag",
    "build_material_overview",
    "defence_catalogue",
    "eu_catalogue",
    "supplier_countries",
    "supply_shares",
    "world_supply_shares",
]

SharesSource = Literal["ec2023", "usgs2025"]

NOT_ASSESSED = N_("not assessed in the EC 2023 study")
STAGE_NOT_ASSESSED = N_("stage not assessed by the EC")
NO_PARAMETERS = N_("no EC supply-risk parameters (import reliance, EOL-RIR, SI_SR) in the reference data")
NO_USE_SHARES = N_("no EC end-use shares in the reference data")
EC_GLOBAL_SUPPLY = "EC 2023 global supply"
EC_EU_SOURCING = "EC 2023 EU sourcing"
USGS_PRODUCTION = "USGS MCS 2025 production 2023"
_DATASETS = [
    "materials",
    "ec_global_supply",
    "ec_eu_sourcing",
    "ec_parameters",
    "ec_use_shares",
    "ec_sr_ei_series",
    "wgi_long",
    "seed_world_production_reserves",
    "seed_nl_imports",
    "seed_iea_outlook",
    "country_groups",
]


def eu_catalogue() -> MaterialCatalogue:
    """Return the 34 EU critical raw materials of 2023."""
    return refdata.load_materials()


def defence_catalogue() -> MaterialCatalogue:
    """Return the 34 EU critical raw materials and the shipped defence-critical extras."""
    return refdata.load_materials().with_materials(refdata.load_defence_materials_extra())


def supply_shares(catalogue: MaterialCatalogue, shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the EC 2023 country shares per catalogue material (groups: mean of their members)."""
    table = refdata.load_supply_shares().frame if shares is None else shares
    groups = [m.id for m in catalogue.values() if m.is_group]
    return catalogue_supply_shares(table, list(catalogue), groups)


def supplier_countries(catalogue: MaterialCatalogue, min_share: float) -> list[str]:
    """Return the countries with at least ``min_share`` of global supply of any catalogue material.

    Group members count with their own shares (a country big in one rare earth is a supplier).
    """
    shares = refdata.load_supply_shares().frame
    wanted = set(catalogue) | {m for material in catalogue.values() for m in material.members}
    gs = shares[(shares["scope"] == "gs") & shares["material"].isin(wanted)]
    return sorted(set(gs.loc[gs["share"] >= min_share, "country"]))


def world_supply_shares(catalogue: MaterialCatalogue) -> pd.DataFrame:
    """Return the reference world shares (EC 2023 global supply) per catalogue material and stage."""
    shares = supply_shares(catalogue)
    return shares.loc[shares["scope"] == "gs", ["material", "stage", "country", "share"]].dropna()


@dataclass(frozen=True, slots=True)
class AssessmentOptions:
    """Choices that change the material picture; they are reported with every result."""

    wgi_years: tuple[int, ...] = DEFAULT_WGI_YEARS
    shares_source: SharesSource = "ec2023"
    crma_limit: float = CRMA_SINGLE_COUNTRY_LIMIT

    def describe(self) -> dict[str, Any]:
        """Return the options as plain values for output."""
        return {
            "wgi_years": list(self.wgi_years),
            "shares_source": self.shares_source,
            "crma_single_third_country_limit": self.crma_limit,
            "reference_snapshot": snapshot_version(),
        }


def any_flag(flags: pd.DataFrame) -> list[bool | None]:
    """Return per row whether any flag is True; None where every flag is missing."""
    known = flags.notna()
    raised = flags.where(known, False).astype(bool)
    return [None if not k else bool(r) for k, r in zip(known.any(axis=1), raised.any(axis=1), strict=True)]


@dataclass(frozen=True, slots=True)
class MaterialOverview:
    """Per material and stage: published and computed criticality, supply, outlook."""

    catalogue: MaterialCatalogue
    materials: pd.DataFrame
    stages: pd.DataFrame
    history: pd.DataFrame
    iea_outlook: pd.DataFrame
    criticality: CriticalityResult
    options: AssessmentOptions
    provenance: ResultProvenance
    overrides: tuple[str, ...] = field(default=())

    def stage_wide(self) -> pd.DataFrame:
        """Return per-stage columns (largest supplier, CRMA) side by side, one row per material."""
        columns = [
            "largest_country",
            "largest_share",
            "crma_largest_third_country",
            "crma_third_country_share",
            "crma_exceeds_limit",
            "sr_computed",
            "sr_published",
        ]
        wide = self.stages[columns].unstack("stage")
        wide.columns = [f"{stage}_{column}" for column, stage in wide.columns]
        return wide.reindex(self.materials.index)

    def summary(self) -> pd.DataFrame:
        """Return one flat row per material for tables and CSV."""
        flat = self.materials.join(self.stage_wide())
        flat["crma_exceeds_limit"] = any_flag(flat.filter(like="crma_exceeds_limit"))
        return flat.reset_index()

    def records(self) -> list[dict[str, Any]]:
        """Return one JSON-ready record per material."""
        return _material_records(self)

    def to_json(self) -> dict[str, Any]:
        """Return the ``materials --format json`` document."""
        return {
            "materials": self.records(),
            "settings": self.options.describe(),
            "overrides": list(self.overrides),
            "sources": sources_json(self.provenance.datasets),
            "provenance": self.provenance.to_json(),
        }


def _replace_rows(base: pd.DataFrame, override: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    replaced = base.set_index(keys).index.isin(override.set_index(keys).index)
    return pd.concat([base[~replaced], override], ignore_index=True)


def _display_shares(
    options: AssessmentOptions, catalogue: MaterialCatalogue, ec_shares: pd.DataFrame
) -> pd.DataFrame:
    if options.shares_source == "ec2023":
        gs = supply_shares(catalogue, ec_shares)
        return gs[gs["scope"] == "gs"].assign(basis=EC_GLOBAL_SUPPLY)
    usgs = refdata.load_usgs_shares().frame
    # USGS reports rare earths only as a total: both groups share it, flagged as a proxy.
    rare = usgs[usgs["material"] == "rare_earths"]
    usgs = pd.concat(
        [usgs[usgs["material"] != "rare_earths"]]
        + [rare.assign(material=group) for group in ("heavy_rare_earths", "light_rare_earths")],
        ignore_index=True,
    )
    return pd.DataFrame(
        {
            "material": usgs["material"],
            "stage": usgs["stage"],
            "scope": "gs",
            "country": usgs["country"],
            "share": usgs["share"],
            "basis_note": np.where(usgs["is_proxy"], "proxy: " + usgs["series"], usgs["series"]),
            "basis": USGS_PRODUCTION,
        }
    )


def build_material_overview(
    catalogue: MaterialCatalogue | None = None,
    options: AssessmentOptions | None = None,
    *,
    eu_sourcing: pd.DataFrame | None = None,
    parameters: pd.DataFrame | None = None,
    inputs: Sequence[InputRecord] = (),
) -> MaterialOverview:
    """Assemble the material picture; ``eu_sourcing``/``parameters`` replace EC inputs.

    ``eu_sourcing`` rows (material, stage, country, share, trade_factor) replace the EC's EU
    sourcing for the (material, stage) pairs they cover, e.g. Dutch sourcing; ``parameters``
    rows replace the EC's (material, stage) parameters. SR is then recomputed. ``inputs``
    records the user files these came from, for the provenance.
    """
    catalogue = catalogue or refdata.load_materials()
    options = options or AssessmentOptions()
    overrides: list[str] = []

    ec_params = refdata.load_ec_parameters().frame
    params = ec_params
    if parameters is not None:
        params = _replace_rows(ec_params, parameters, ["material", "stage"])
        overrides.append(_("supply-risk parameters replaced from a user file"))
    ec_shares = refdata.load_supply_shares().frame
    shares = ec_shares
    if eu_sourcing is not None:
        user = eu_sourcing.assign(scope="eu", group=eu_sourcing["material"])
        eu_part = _replace_rows(shares[shares["scope"] == "eu"], user, ["material", "stage"])
        shares = pd.concat([shares[shares["scope"] == "gs"], eu_part], ignore_index=True)
        overrides.append(_("EU sourcing shares replaced from a user file"))

    wgi = scaled_wgi_for_years(refdata.load_wgi_long().frame, options.wgi_years)
    group_members = {m.id: m.members for m in catalogue.values() if m.is_group}
    wanted = set(catalogue) | {x for members in group_members.values() for x in members}
    relevant = params[params["material"].isin(wanted)]
    criticality = assess_supply_risk(
        relevant[["material", "stage", "supply_data_used", "import_reliance", "eol_rir", "si_sr"]],
        shares[shares["material"].isin(set(relevant["material"]))],
        wgi,
    )
    computed = criticality.materials.reindex(list(catalogue))
    no_params = computed["supply_risk"].isna() & ~computed.index.isin(relevant["material"])
    computed.loc[no_params, "reason"] = _(NO_PARAMETERS)
    if group_members:
        grouped = group_supply_risk(criticality, group_members)
        for column in ("supply_risk", "reason"):
            computed.loc[grouped.index, column] = grouped[column]
        computed.loc[grouped.index, "bottleneck_stage"] = np.nan

    si_ei = params.drop_duplicates("material").set_index("material")["si_ei"]
    use = refdata.load_ec_use_shares().frame
    ei = assess_economic_importance(use[use["material"].isin(wanted)], si_ei).reindex(list(catalogue))
    no_use = ~pd.Index(list(catalogue)).isin(use["material"])
    ei.loc[no_use, "reason"] = _(NO_USE_SHARES)
    for group_id, members in group_members.items():
        member_ei = assess_economic_importance(use[use["material"].isin(members)], si_ei)
        member_ei = member_ei["economic_importance"].reindex(list(members))
        ei.loc[group_id, "economic_importance"] = member_ei.mean(skipna=False)
        ei.loc[group_id, "reason"] = (
            ""
            if member_ei.notna().all()
            else _("EI inputs missing for member(s) {members}").format(
                members=", ".join(member_ei.index[member_ei.isna()])
            )
        )

    published = refdata.load_ec_published_scores().frame
    p2023 = published.xs(2023, level="year").reindex(list(catalogue))

    materials = pd.DataFrame(index=pd.Index(list(catalogue), name="material"))
    materials["name_en"] = [m.name_en for m in catalogue.values()]
    materials["name_nl"] = [m.name_nl for m in catalogue.values()]
    materials["category"] = [m.category for m in catalogue.values()]
    materials["eu_2023_strategic"] = [m.eu_2023_strategic for m in catalogue.values()]
    materials["eu_2023_critical"] = [m.eu_2023_critical for m in catalogue.values()]
    materials["sr_published"] = p2023["supply_risk"]
    materials["ei_published"] = p2023["economic_importance"]
    materials["sr_computed"] = computed["supply_risk"]
    materials["sr_bottleneck_stage"] = computed["bottleneck_stage"]
    materials["sr_unavailable_reason"] = computed["reason"].fillna("")
    materials["ei_computed"] = ei["economic_importance"]
    materials["ei_unavailable_reason"] = ei["reason"].fillna("")
    outside = materials["category"] != "eu_crm_2023"
    for column in ("sr_unavailable_reason", "ei_unavailable_reason"):
        materials.loc[outside, column] = _(NOT_ASSESSED)
    materials.loc[materials["sr_computed"].notna(), "sr_unavailable_reason"] = ""
    materials.loc[materials["ei_computed"].notna(), "ei_unavailable_reason"] = ""

    seed = refdata.load_world_production_reserves().frame.reindex(list(catalogue))
    materials["reserves_t"] = seed["reserves_t"]
    materials["world_production_t"] = seed["world_production_t"]
    materials["reserve_lifetime_years"] = reserve_lifetime_years(
        seed["reserves_t"], seed["world_production_t"]
    )
    materials["reserve_lifetime_years_published"] = seed["lifetime_years_published"]
    materials["price_volatility_pct"] = seed["price_volatility_pct"]
    materials["eu_eol_rir"] = seed["eol_rir"]
    materials["us_government_stockpile"] = seed["us_government_stockpile"]
    imports = refdata.load_nl_imports().frame.reindex(list(catalogue))
    for column in ("direct_import_meur", "indirect_import_meur", "total_import_meur"):
        materials[f"nl_{column}"] = imports[column]

    stages = _stage_table(
        catalogue, options, ec_shares if eu_sourcing is None else shares, criticality, params
    )
    history = published.reset_index()
    history = history[history["material"].isin(list(catalogue))]

    iea = refdata.load_iea_outlook().frame.copy()
    iea["demand_supply_ratio"], iea["shortfall"] = demand_supply_ratio(iea["demand_kt"], iea["supply_kt"])
    used = [*_DATASETS, *(["usgs_production"] if options.shares_source == "usgs2025" else [])]
    parameters_used = {**options.describe(), "overrides": list(overrides)}
    parameters_used.pop("reference_snapshot")
    return MaterialOverview(
        catalogue=catalogue,
        materials=materials,
        stages=stages,
        history=history,
        iea_outlook=iea,
        criticality=criticality,
        options=options,
        provenance=provenance(used, parameters_used, inputs),
        overrides=tuple(overrides),
    )


def _stage_table(
    catalogue: MaterialCatalogue,
    options: AssessmentOptions,
    ec_shares: pd.DataFrame,
    criticality: CriticalityResult,
    params: pd.DataFrame,
) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([list(catalogue), RAW_MATERIAL_STAGES], names=["material", "stage"])
    table = pd.DataFrame(index=index)
    display = _display_shares(options, catalogue, ec_shares)
    top = largest_supplier(display, ["material", "stage"]).reindex(index)
    table["largest_country"] = top["country"]
    table["largest_share"] = top["share"].astype(float)
    basis = display.groupby(["material", "stage"])[["basis", "basis_note"]].first().reindex(index)
    table["shares_basis"] = basis["basis"]
    table["shares_basis_note"] = basis["basis_note"]

    # CRMA benchmark: the Union's consumption, so EU sourcing where the EC gives it, else
    # global supply (the basis column says which).
    countries = refdata.load_countries().frame
    third = set(countries.index[countries["nl_split"] == "third"])
    all_shares = supply_shares(catalogue, ec_shares)
    crma_rows = []
    for scope, label in (("eu", EC_EU_SOURCING), ("gs", EC_GLOBAL_SUPPLY)):
        part = all_shares[all_shares["scope"] == scope]
        top_third = largest_supplier(part, ["material", "stage"], part["country"].isin(third))
        crma_rows.append(top_third.assign(crma_basis=label))
    eu_top, gs_top = (rows.reindex(index) for rows in crma_rows)
    use_eu = eu_top["share"].notna()
    table["crma_largest_third_country"] = eu_top["country"].where(use_eu, gs_top["country"])
    table["crma_third_country_share"] = eu_top["share"].where(use_eu, gs_top["share"]).astype(float)
    table["crma_basis"] = eu_top["crma_basis"].where(use_eu, gs_top["crma_basis"])
    strategic = pd.Series(
        [bool(catalogue[m].eu_2023_strategic) for m in index.get_level_values("material")],
        index=index,
    )
    exceeds = table["crma_third_country_share"] > options.crma_limit
    table["crma_exceeds_limit"] = exceeds.where(
        strategic & table["crma_third_country_share"].notna(), other=None
    ).astype(object)
    table.loc[~strategic | table["crma_third_country_share"].isna(), "crma_exceeds_limit"] = None

    stage_sr = criticality.stages.set_index(["material", "stage"])
    table["sr_computed"] = stage_sr["supply_risk"].reindex(index)
    table["sr_unavailable_reason"] = stage_sr["reason"].reindex(index)
    for column in ("hhi_gs", "hhi_eu"):
        table[column] = stage_sr[column].reindex(index)
    pstage = params.set_index(["material", "stage"])
    pstage = pstage[~pstage.index.duplicated()]
    for column in ("supply_data_used", "import_reliance", "eol_rir", "si_sr", "sr_stage_published"):
        table[column] = pstage[column].reindex(index)
    table = table.rename(columns={"sr_stage_published": "sr_published"})
    assessed = table["supply_data_used"].notna() | table["largest_share"].notna()
    return table[assessed]


def _material_records(overview: MaterialOverview) -> list[dict[str, Any]]:
    records = []
    history = overview.history.groupby("material")
    iea = overview.iea_outlook.dropna(subset=["material"]).groupby("material")
    sources = sources_json(overview.provenance.datasets)
    for material_id, row in overview.materials.iterrows():
        material: Material = overview.catalogue[str(material_id)]
        stages: dict[str, Any] = {}
        if material_id in overview.stages.index.get_level_values("material"):
            for stage, srow in overview.stages.loc[material_id].iterrows():
                stages[str(stage)] = {k: json_value(v) for k, v in srow.items()}
                stages[str(stage)]["sr_unavailable_reason"] = (
                    srow["sr_unavailable_reason"]
                    if isinstance(srow["sr_unavailable_reason"], str)
                    else ("" if pd.notna(srow["sr_computed"]) else _(STAGE_NOT_ASSESSED))
                )
        record: dict[str, Any] = {
            "id": material.id,
            "names": {"en": material.name_en, "nl": material.name_nl},
            "category": material.category,
            "flags": {
                "eu_2023_strategic": material.eu_2023_strategic,
                "eu_2023_critical": material.eu_2023_critical,
            },
            "members": list(material.members),
            "sr": json_value(row["sr_published"]),
            "ei": json_value(row["ei_published"]),
            "supply_risk": {
                "published": json_value(row["sr_published"]),
                "published_year": 2023 if pd.notna(row["sr_published"]) else None,
                "computed": json_value(row["sr_computed"]),
                "computed_bottleneck_stage": json_value(row["sr_bottleneck_stage"]),
                "unavailable_reason": row["sr_unavailable_reason"] or None,
            },
            "economic_importance": {
                "published": json_value(row["ei_published"]),
                "computed": json_value(row["ei_computed"]),
                "unavailable_reason": row["ei_unavailable_reason"] or None,
            },
            "stages": stages,
            "history": (
                {
                    str(int(h.year)): {
                        "sr": json_value(h.supply_risk),
                        "ei": json_value(h.economic_importance),
                    }
                    for h in history.get_group(material_id).itertuples()
                }
                if material_id in history.groups
                else {}
            ),
            "outlook": {
                "reserves_t": json_value(row["reserves_t"]),
                "world_production_t": json_value(row["world_production_t"]),
                "reserve_lifetime_years": json_value(row["reserve_lifetime_years"]),
                "reserve_lifetime_years_published": json_value(row["reserve_lifetime_years_published"]),
                "price_volatility_pct": json_value(row["price_volatility_pct"]),
                "eu_eol_rir": json_value(row["eu_eol_rir"]),
                "us_government_stockpile": json_value(row["us_government_stockpile"]),
                "demand_supply": (
                    {
                        str(int(o.year)): {
                            "demand_kt": json_value(o.demand_kt),
                            "supply_kt": json_value(o.supply_kt),
                            "ratio": json_value(o.demand_supply_ratio),
                            "shortfall": bool(o.shortfall),
                        }
                        for o in iea.get_group(material_id).itertuples()
                    }
                    if material_id in iea.groups
                    else {}
                ),
            },
            "nl_imports_meur": {
                "direct": json_value(row["nl_direct_import_meur"]),
                "indirect": json_value(row["nl_indirect_import_meur"]),
                "total": json_value(row["nl_total_import_meur"]),
            },
            "sources": (
                [{"dataset": "catalogue", "title": material.note, "citation": material.source}]
                if material.category != "eu_crm_2023"
                else sources
            ),
        }
        records.append(record)
    return records


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
            "price_volatility_pct",
            "eu_eol_rir",
            "us_government_stockpile",
            "crma_exceeds_limit",
        ]
        stage = [c for c in flat.columns if "crma_" in c and c != "crma_exceeds_limit"]
        return {
            "materials": json_records(flat[keep + stage]),
            "iea_outlook": json_records(self.overview.iea_outlook),
            "settings": self.overview.options.describe(),
            "sources": sources_json(self.provenance.datasets),
            "provenance": self.provenance.to_json(),
        }
