"""The national picture of materials: EC criticality, supply, outlook, CRMA benchmark.

Joins the shipped tables and calls the pure indicator functions of :mod:`ketenradar.risk`;
returns a :class:`MaterialOverview` whose ``to_json()`` is the ``materials --format json``
contract. The USGS outlook, prices and the report's call-outs come from
:mod:`ketenradar.services.outlook`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.locale import N_, _
from ketenradar.model.material import (
    EC_2023_ASSESSED,
    EU_CRM_2023,
    EU_CRM_2023_ELEMENT,
    Material,
    MaterialCatalogue,
)
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES
from ketenradar.refdata.provenance import snapshot_version
from ketenradar.risk.assessment import (
    DEFAULT_WGI_YEARS,
    CriticalityResult,
    assess_economic_importance,
    assess_supply_risk,
    group_supply_risk,
    material_reasons,
    scaled_wgi_for_years,
)
from ketenradar.risk.outlook import (
    CRMA_SINGLE_COUNTRY_LIMIT,
    demand_supply_ratio,
    largest_supplier,
    reserve_lifetime_years,
)
from ketenradar.risk.shares import catalogue_supply_shares
from ketenradar.services.jsonable import json_value
from ketenradar.services.outlook import (
    add_usgs_outlook,
    callout_records,
    price_records,
    region_records,
    report_callouts,
)
from ketenradar.services.provenance import InputRecord, ResultProvenance, provenance, sources_json

__all__ = [
    "DEFAULT_WGI_YEARS",
    "AssessmentOptions",
    "MaterialOverview",
    "any_flag",
    "build_material_overview",
    "defence_catalogue",
    "element_catalogue",
    "eu_catalogue",
    "mark_withdrawn",
    "supplier_countries",
    "supply_shares",
    "world_supply_shares",
]

SharesSource = Literal["ec2023", "usgs2025"]

NOT_ASSESSED = N_("not assessed in the EC 2023 study")
STAGE_NOT_ASSESSED = N_("stage not assessed by the EC")
NO_PARAMETERS = N_("no EC supply-risk parameters (import reliance, EOL-RIR, SI_SR) in the reference data")
NO_USE_SHARES = N_("no EC end-use shares in the reference data")
NO_EU_SOURCING = N_("no EU-sourcing country shares for this stage")
EU_SOURCING_WITHDRAWN = N_("EU sourcing withdrawn: {reason}")
REPORT_FIGURES = "Berenschot (2024) report table; labelled there as USGS MCS 2024 but not the USGS figures"
# Categories the EC assessed in 2023: the EU list, its group members, molybdenum.
EC_ASSESSED = (EU_CRM_2023, EU_CRM_2023_ELEMENT, EC_2023_ASSESSED)
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
    "seed_country_top_mining",
    "seed_region_shares",
    "country_groups",
    "ec_eu_sourcing_withdrawn",
    "crma_annex_i",
    "usgs_reserves",
    "usgs_production",
    "usgs_prices",
]


def eu_catalogue() -> MaterialCatalogue:
    """Return the 34 EU critical raw materials of 2023."""
    return refdata.load_materials()


def element_catalogue() -> MaterialCatalogue:
    """Return the 34 EU materials and the EC's element-level ones (rare earths, PGM, molybdenum)."""
    return refdata.load_materials().with_materials(refdata.load_element_materials())


def defence_catalogue() -> MaterialCatalogue:
    """Return every material ketenradar knows: the EU list, its elements and the defence extras."""
    return element_catalogue().with_materials(refdata.load_defence_materials_extra())


def supply_shares(catalogue: MaterialCatalogue, shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the EC 2023 country shares per catalogue material (groups: mean of their members)."""
    groups = tuple(m.id for m in catalogue.values() if m.is_group)
    if shares is None:
        # The shipped shares never change in a process: a server answers every request from one table.
        return _reference_supply_shares(tuple(catalogue), groups).copy()
    return catalogue_supply_shares(shares, list(catalogue), list(groups))


@lru_cache(maxsize=16)
def _reference_supply_shares(materials: tuple[str, ...], groups: tuple[str, ...]) -> pd.DataFrame:
    """Return the shipped shares per material of a catalogue (by its ids and group ids), made once."""
    return catalogue_supply_shares(refdata.load_supply_shares().frame, list(materials), list(groups))


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
    groups = tuple(m.id for m in catalogue.values() if m.is_group)
    shares = _reference_supply_shares(tuple(catalogue), groups)  # read only: the selection is a new frame
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
    """Per material and stage: published and computed criticality, supply, outlook.

    ``callouts`` compares the report's country call-outs with the EC's shares; ``region_shares``
    holds the report's regional shares and ``prices`` the USGS price series, as published.
    """

    catalogue: MaterialCatalogue
    materials: pd.DataFrame
    stages: pd.DataFrame
    history: pd.DataFrame
    iea_outlook: pd.DataFrame
    criticality: CriticalityResult
    options: AssessmentOptions
    provenance: ResultProvenance
    overrides: tuple[str, ...] = field(default=())
    callouts: pd.DataFrame = field(default_factory=pd.DataFrame)
    region_shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    prices: pd.DataFrame = field(default_factory=pd.DataFrame)

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
    criticality = mark_withdrawn(criticality, eu_sourcing)
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
    # Element-level materials have no row in the Annex 4 series: the results table gives theirs.
    results = ec_params.drop_duplicates("material").set_index("material").reindex(list(catalogue))
    from_results = p2023["supply_risk"].isna() & results["sr_published"].notna()
    p2023.loc[from_results, "supply_risk"] = results.loc[from_results, "sr_published"]
    p2023.loc[from_results, "economic_importance"] = results.loc[from_results, "ei_published"]

    materials = pd.DataFrame(index=pd.Index(list(catalogue), name="material"))
    materials["name_en"] = [m.name_en for m in catalogue.values()]
    materials["name_nl"] = [m.name_nl for m in catalogue.values()]
    materials["category"] = [m.category for m in catalogue.values()]
    materials["eu_2023_strategic"] = [m.eu_2023_strategic for m in catalogue.values()]
    materials["eu_2023_critical"] = [m.eu_2023_critical for m in catalogue.values()]
    materials["crma_strategic"] = [m.crma_strategic for m in catalogue.values()]
    materials["group"] = [m.group or None for m in catalogue.values()]
    materials["sr_published"] = p2023["supply_risk"]
    materials["sr_published_dataset"] = pd.Series(None, index=materials.index, dtype=object)
    materials.loc[p2023["supply_risk"].notna().to_numpy(), "sr_published_dataset"] = "ec_sr_ei_series"
    materials.loc[from_results.to_numpy(), "sr_published_dataset"] = "ec_parameters"
    materials["ei_published"] = p2023["economic_importance"]
    materials["sr_computed"] = computed["supply_risk"]
    materials["sr_bottleneck_stage"] = computed["bottleneck_stage"]
    materials["sr_unavailable_reason"] = computed["reason"].fillna("")
    materials["ei_computed"] = ei["economic_importance"]
    materials["ei_unavailable_reason"] = ei["reason"].fillna("")
    outside = ~materials["category"].isin(EC_ASSESSED)
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
    add_usgs_outlook(materials, results["eol_rir"])
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
    elements = any(m.category != EU_CRM_2023 and m.category in EC_ASSESSED for m in catalogue.values())
    used = [*_DATASETS, *(["materials_elements"] if elements else [])]
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
        callouts=report_callouts(catalogue, ec_shares),
        region_shares=refdata.load_region_shares().frame,
        prices=refdata.load_usgs_prices().frame,
    )


def mark_withdrawn(criticality: CriticalityResult, eu_sourcing: pd.DataFrame | None) -> CriticalityResult:
    """Return the result with "EU sourcing withdrawn: ..." as the reason where that is why SR is missing.

    A stage whose EU sourcing a user file replaced is not marked.
    """
    withdrawn = refdata.load_eu_sourcing_withdrawn().frame
    if eu_sourcing is not None:
        replaced = eu_sourcing.set_index(["material", "stage"]).index
        withdrawn = withdrawn[~withdrawn.set_index(["material", "stage"]).index.isin(replaced)]
    texts = pd.Series(
        [
            _(EU_SOURCING_WITHDRAWN).format(
                reason=_(refdata.EU_SOURCING_WITHDRAWN_REASONS[code]).format(total=f"{total:g}")
            )
            for code, total in zip(withdrawn["reason"], withdrawn["withdrawn_total_pct"], strict=True)
        ],
        index=pd.MultiIndex.from_frame(withdrawn[["material", "stage"]]),
        dtype=object,
    )
    stages = criticality.stages.copy()
    key = pd.MultiIndex.from_frame(stages[["material", "stage"]])
    hit = key.isin(texts.index) & stages["supply_risk"].isna()
    absent = _(NO_EU_SOURCING)
    stages.loc[hit, "reason"] = [
        reason.replace(absent, text)
        for reason, text in zip(stages.loc[hit, "reason"], texts.reindex(key[hit]), strict=True)
    ]
    materials = criticality.materials.copy()
    materials["reason"] = material_reasons(stages, materials.index)
    return CriticalityResult(stages=stages, materials=materials, parameters=criticality.parameters)


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
    # global supply (the basis column says which). A group is judged by the members Annex I
    # names strategic, each on its own shares.
    countries = refdata.load_countries().frame
    third = set(countries.index[countries["nl_split"] == "third"])
    top = _crma_tops(catalogue, ec_shares, third, options.crma_limit).reindex(index)
    table["crma_largest_third_country"] = top["country"]
    table["crma_third_country_share"] = top["share"].astype(float)
    table["crma_basis"] = top["basis"]
    table["crma_member"] = top["member"]
    table["crma_members_over_limit"] = top["over_limit"]
    strategic = pd.Series(
        [bool(catalogue[m].crma_strategic) for m in index.get_level_values("material")],
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


def _crma_tops(
    catalogue: MaterialCatalogue, shares: pd.DataFrame, third: set[str], limit: float
) -> pd.DataFrame:
    """Return per (material, stage) the largest third-country share for the CRMA benchmark.

    Each single material and each strategic member of a group is judged on its own rows; an
    element without its own rows at a stage and scope takes its group's rows where the EC gives
    the group's only (heavy rare earths' EU sourcing). A group with strategic members takes the
    member with the largest share (``member``) and lists the members over ``limit``.
    """
    groups = {m.id: m for m in catalogue.values() if m.is_group}
    named = {g: m.crma_strategic_members for g, m in groups.items() if m.crma_strategic_members}
    member_of = pd.Series({x: g for g, members in named.items() for x in members}, dtype=object)
    evaluated = list(dict.fromkeys([*(m for m in catalogue if m not in groups), *member_of.index]))
    cols = ["material", "stage", "scope", "country", "share"]
    own = shares.loc[shares["material"].isin(evaluated), cols]
    elements = shares.loc[shares["material"] != shares["group"], ["material", "group"]].drop_duplicates()
    group_rows = shares.loc[shares["material"] == shares["group"], ["group", *cols[1:]]]
    stand_in = elements[elements["material"].isin(evaluated)].merge(group_rows, on="group")[cols]
    have = pd.MultiIndex.from_frame(own[["material", "stage", "scope"]])
    stand_in = stand_in[~pd.MultiIndex.from_frame(stand_in[["material", "stage", "scope"]]).isin(have)]
    base = supply_shares(catalogue, shares)
    unnamed = base.loc[base["material"].isin([g for g in groups if g not in named]), cols]
    rows = pd.concat([own, stand_in, unnamed], ignore_index=True)
    tops = []
    for scope, basis in (("eu", EC_EU_SOURCING), ("gs", EC_GLOBAL_SUPPLY)):
        part = rows[rows["scope"] == scope]
        tops.append(
            largest_supplier(part, ["material", "stage"], part["country"].isin(third)).assign(basis=basis)
        )
    eu_top, gs_top = (frame.reindex(tops[0].index.union(tops[1].index)) for frame in tops)
    use_eu = eu_top["share"].notna()
    top = eu_top.where(use_eu, gs_top).assign(member=None, over_limit=None)
    top["share"] = top["share"].astype(float)
    if member_of.empty:
        return top
    part = top.reset_index()
    part = part[part["material"].isin(member_of.index) & part["share"].notna()]
    part = part.assign(member=part["material"], material=part["material"].map(member_of))
    over = part[part["share"] > limit].groupby(["material", "stage"])["member"].agg(tuple)
    best = part.loc[part.groupby(["material", "stage"])["share"].idxmax()].set_index(["material", "stage"])
    best["over_limit"] = over.reindex(best.index).map(
        lambda members: members if isinstance(members, tuple) else ()
    )
    return pd.concat([top, best[top.columns]])


def _material_records(overview: MaterialOverview) -> list[dict[str, Any]]:
    records = []
    history = overview.history.groupby("material")
    iea = overview.iea_outlook.dropna(subset=["material"]).groupby("material")
    sources = sources_json(overview.provenance.datasets)
    callouts = callout_records(overview.callouts)
    regions = region_records(overview.region_shares)
    prices = price_records(overview.prices, overview.catalogue)
    for material_id, row in overview.materials.iterrows():
        material: Material = overview.catalogue[str(material_id)]
        stages: dict[str, Any] = {}
        if material_id in overview.stages.index.get_level_values("material"):
            for stage, srow in overview.stages.loc[material_id].iterrows():
                stages[str(stage)] = {k: json_value(v) for k, v in srow.items()}
                members = srow["crma_members_over_limit"]
                stages[str(stage)]["crma_members_over_limit"] = (
                    list(members) if isinstance(members, tuple) else None
                )
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
                "crma_2024_strategic": material.crma_strategic,
                "crma_2024_strategic_members": list(material.crma_strategic_members),
            },
            "members": list(material.members),
            "group": material.group or None,
            "sr": json_value(row["sr_published"]),
            "ei": json_value(row["ei_published"]),
            "supply_risk": {
                "published": json_value(row["sr_published"]),
                "published_year": 2023 if pd.notna(row["sr_published"]) else None,
                "published_dataset": json_value(row["sr_published_dataset"]),
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
                "reserves_source": "seed_world_production_reserves",
                "reserves_source_label": REPORT_FIGURES,
                "reserve_lifetime_years_usgs": json_value(row["reserve_lifetime_years_usgs"]),
                "reserve_lifetime_years_usgs_2023": json_value(row["reserve_lifetime_years_usgs_2023"]),
                "reserve_lifetime_conflict": json_value(row["reserve_lifetime_conflict"]),
                "usgs": {
                    "reserves": json_value(row["usgs_reserves"]),
                    "reserves_as_printed": json_value(row["usgs_reserves_as_printed"]) or None,
                    "world_production_2023": json_value(row["usgs_world_production_2023"]),
                    "world_production_2024": json_value(row["usgs_world_production_2024"]),
                    "unit": json_value(row["usgs_unit"]),
                    "series": json_value(row["usgs_series"]),
                    "is_proxy": json_value(row["usgs_is_proxy"]),
                    "lifetime_unavailable_reason": row["usgs_lifetime_unavailable_reason"] or None,
                },
                "price_volatility_pct": json_value(row["price_volatility_pct"]),
                "price_volatility_source": json_value(row["price_volatility_source"]),
                "price_volatility_unavailable_reason": row["price_volatility_unavailable_reason"] or None,
                "usgs_prices": prices.get(str(material_id), []),
                "eu_eol_rir": json_value(row["eu_eol_rir"]),
                "eu_eol_rir_source": "seed_world_production_reserves",
                "eu_eol_rir_ec": json_value(row["eu_eol_rir_ec"]),
                "eu_eol_rir_conflict": json_value(row["eu_eol_rir_conflict"]),
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
            "report_country_callouts": callouts.get(str(material_id), []),
            "report_region_shares_pct": regions.get(str(material_id), {}),
            "sources": (
                [{"dataset": "catalogue", "title": material.note, "citation": material.source}]
                if material.category not in EC_ASSESSED
                else sources
            ),
        }
        records.append(record)
    return records
