"""Outlook and CRMA benchmarks per mapped chain: for every material of its platforms, the flags.

Per material: the IEA 2030/2040 supply balance, the reserve lifetimes and price volatility of the
material picture, the Critical Raw Materials Act's single-third-country benchmark on the chain's
own sourcing and on the EC's basis, and the CRMA capacity benchmarks (EU extraction, processing,
recycling) where the shipped data give a proxy. :func:`chain_outlook` returns a
:class:`ChainOutlookResult` whose ``to_json()`` is the ``outlook --chain --format json`` contract.
See ``docs/methodology/outlook.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ketenradar import refdata
from ketenradar._types import BoolArray
from ketenradar.locale import N_, _
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES
from ketenradar.risk.outlook import (
    CRMA_EXTRACTION_BENCHMARK,
    CRMA_PROCESSING_BENCHMARK,
    CRMA_RECYCLING_BENCHMARK,
    CRMA_SINGLE_COUNTRY_LIMIT,
    group_share,
    largest_supplier,
    supply_balance,
)
from ketenradar.services.chains import (
    WORLD_SHARES,
    ChainExposure,
    OpenedChain,
    chain_exposure,
    nl_split_of,
)
from ketenradar.services.jsonable import json_records
from ketenradar.services.materials import (
    AssessmentOptions,
    MaterialOverview,
    any_flag,
    build_material_overview,
    supply_shares,
)
from ketenradar.services.provenance import InputRecord, ResultProvenance, provenance, sources_json

__all__ = [
    "BENCHMARKS",
    "IEA_YEARS",
    "BenchmarkThresholds",
    "ChainBenchmarks",
    "ChainOutlookResult",
    "chain_outlook",
    "material_benchmarks",
]

IEA_YEARS = (2030, 2040)
# The capacity benchmarks and the EC stage each is read at.
CAPACITY_STAGES = {"extraction": "mining", "processing": "processing"}
EC_IMPORT_RELIANCE = "EC 2023 import reliance"
EC_EU_SOURCING = "EC 2023 EU sourcing"
EC_GLOBAL_SUPPLY = "EC 2023 global supply"
NO_IEA = N_(
    "the IEA outlook gives no figures for this material (its graphite and rare-earth totals are "
    "not tied to a single material)"
)
NO_REPORT_LIFETIME = N_("the report prints no reserve lifetime for this material")
NO_CHAIN_SHARES = N_("neither the chain nor the EC world shares give country shares for this stage")
NO_EC_STAGE_SHARES = N_("the EC gives no country shares for this stage")
NO_EOL_RIR = N_("neither the EC nor the report gives an end-of-life recycling input rate")
# (code, column of the material rows, words) of every flagged benchmark, in output order.
BENCHMARKS: tuple[tuple[str, str, str], ...] = (
    ("iea_shortfall_2030", "iea_2030_shortfall", N_("IEA 2030: supply below demand")),
    ("iea_shortfall_2040", "iea_2040_shortfall", N_("IEA 2040: supply below demand")),
    (
        "crma_single_country_chain",
        "crma_chain_exceeds_limit",
        N_("CRMA: one third country over the limit, chain's sourcing"),
    ),
    (
        "crma_single_country_ec",
        "crma_ec_exceeds_limit",
        N_("CRMA: one third country over the limit, EC basis"),
    ),
    ("crma_extraction", "extraction_below_benchmark", N_("CRMA: EU extraction below the benchmark")),
    ("crma_processing", "processing_below_benchmark", N_("CRMA: EU processing below the benchmark")),
    ("crma_recycling", "recycling_below_benchmark", N_("CRMA: EU recycling below the benchmark")),
)
_KEYS = ["platform", "material", "stage"]


@dataclass(frozen=True, slots=True)
class BenchmarkThresholds:
    """The CRMA limit and benchmarks, as fractions (Regulation (EU) 2024/1252, art. 5(1))."""

    single_third_country_limit: float = CRMA_SINGLE_COUNTRY_LIMIT
    extraction: float = CRMA_EXTRACTION_BENCHMARK
    processing: float = CRMA_PROCESSING_BENCHMARK
    recycling: float = CRMA_RECYCLING_BENCHMARK

    def describe(self) -> dict[str, float]:
        """Return the thresholds as plain values for output."""
        return {
            "crma_single_third_country_limit": self.single_third_country_limit,
            "crma_extraction_benchmark": self.extraction,
            "crma_processing_benchmark": self.processing,
            "crma_recycling_benchmark": self.recycling,
        }


def _strategic_flag(condition: pd.Series, known: pd.Series, strategic: pd.Series) -> pd.Series:
    """Return True/False where the figure is known and the material strategic, else None.

    The CRMA benchmarks apply to strategic raw materials only: for the others the figure is
    shown and the flag stays None (as ``crma_exceeds_limit`` of the material picture).
    """
    applies = known.to_numpy(dtype=bool) & (strategic.to_numpy(dtype=object) == True)  # noqa: E712
    values = np.where(applies, condition.to_numpy(dtype=bool), None)
    return pd.Series(values, index=condition.index, dtype=object)


def _text_where(mask: pd.Series | BoolArray, text: str) -> NDArray[np.object_]:
    """Return an object array with ``text`` where ``mask`` is true and None elsewhere."""
    chosen = np.asarray(mask, dtype=bool)
    out = np.full(len(chosen), None, dtype=object)
    out[chosen] = text
    return out


def _known_flag(condition: pd.Series, known: pd.Series) -> pd.Series:
    """Return True/False where the figure is known, else None."""
    values = np.where(known.to_numpy(dtype=bool), condition.to_numpy(dtype=bool), None)
    return pd.Series(values, index=condition.index, dtype=object)


def material_benchmarks(overview: MaterialOverview, thresholds: BenchmarkThresholds) -> pd.DataFrame:
    """Return per material of the overview the outlook figures and the EC-basis CRMA benchmarks.

    One row per material (index ``material``): IEA balance and shortfall per year, reserve
    lifetimes, price volatility, the single-third-country benchmark per stage on the EC's basis,
    and the capacity proxies per stage (1 − the EC's import reliance, else the EU27 share of the
    EC's EU sourcing, else of global supply; the EOL-RIR for recycling) with their flags. Missing
    figures stay missing, with a reason.
    """
    m = overview.materials
    index = m.index
    out = pd.DataFrame(index=index)
    strategic = m["crma_strategic"].astype(object)
    out["crma_strategic"] = strategic

    iea = overview.iea_outlook.dropna(subset=["material"])
    for year in IEA_YEARS:
        rows = iea[iea["year"] == year].drop_duplicates("material").set_index("material").reindex(index)
        balance, known = supply_balance(rows["demand_kt"], rows["supply_kt"])
        out[f"iea_{year}_demand_kt"] = rows["demand_kt"].astype(float)
        out[f"iea_{year}_supply_kt"] = rows["supply_kt"].astype(float)
        out[f"iea_{year}_supply_minus_demand_kt"] = balance
        out[f"iea_{year}_shortfall"] = _known_flag(
            pd.Series(balance < 0, index=index), pd.Series(known, index=index)
        )
    has_iea = index.isin(iea["material"])
    out["iea_unavailable_reason"] = _text_where(~has_iea, _(NO_IEA))

    out["reserve_lifetime_years_report"] = m["reserve_lifetime_years_published"]
    out["reserve_lifetime_years_usgs"] = m["reserve_lifetime_years_usgs"]
    out["reserve_lifetime_years_usgs_2023"] = m["reserve_lifetime_years_usgs_2023"]
    out["reserve_lifetime_conflict"] = m["reserve_lifetime_conflict"]
    out["reserve_lifetime_report_unavailable_reason"] = _text_where(
        m["reserve_lifetime_years_published"].isna(), _(NO_REPORT_LIFETIME)
    )
    out["reserve_lifetime_usgs_unavailable_reason"] = m["usgs_lifetime_unavailable_reason"].replace("", None)
    out["price_volatility_pct"] = m["price_volatility_pct"]
    out["price_volatility_source"] = m["price_volatility_source"]
    out["price_volatility_unavailable_reason"] = m["price_volatility_unavailable_reason"].replace("", None)

    stages = overview.stages
    for stage in RAW_MATERIAL_STAGES:
        key = pd.MultiIndex.from_product([index, [stage]], names=["material", "stage"])
        rows = stages.reindex(key).set_axis(index)
        out[f"{stage}_ec_third_country"] = rows["crma_largest_third_country"]
        out[f"{stage}_ec_third_country_share"] = rows["crma_third_country_share"].astype(float)
        out[f"{stage}_ec_basis"] = rows["crma_basis"]
        out[f"{stage}_ec_member"] = rows["crma_member"]
        out[f"{stage}_ec_exceeds_limit"] = (
            rows["crma_exceeds_limit"].astype(object).where(rows["crma_exceeds_limit"].notna(), None)
        )
    out["crma_ec_exceeds_limit"] = any_flag(out[[f"{s}_ec_exceeds_limit" for s in RAW_MATERIAL_STAGES]])

    shares = supply_shares(overview.catalogue)
    eu27 = refdata.load_countries().frame["eu27"]
    is_eu = shares["country"].map(eu27).fillna(False).astype(bool)
    # The EC prints one decimal of a percent: rounding removes the float noise of the sums.
    by_scope = {
        scope: group_share(shares[part], ["material", "stage"], is_eu[part]).round(9)
        for scope, part in (("eu", shares["scope"] == "eu"), ("gs", shares["scope"] == "gs"))
    }
    limits = {"extraction": thresholds.extraction, "processing": thresholds.processing}
    for name, ec_stage in CAPACITY_STAGES.items():
        key = pd.MultiIndex.from_product([index, [ec_stage]], names=["material", "stage"])
        # IR = (imports − exports) / apparent consumption, 0 for a net exporter: 1 − IR is the
        # EU's own production as a share of its consumption, the benchmark's own measure.
        reliance = stages["import_reliance"].reindex(key).set_axis(index).astype(float)
        own = (1.0 - reliance).round(9)
        eu_sourcing = by_scope["eu"].reindex(key).set_axis(index)
        global_supply = by_scope["gs"].reindex(key).set_axis(index)
        proxy = own.where(own.notna(), eu_sourcing.where(eu_sourcing.notna(), global_supply))
        out[f"{name}_eu_share_import_reliance"] = own
        out[f"{name}_eu_share_eu_sourcing"] = eu_sourcing
        out[f"{name}_eu_share_global_supply"] = global_supply
        out[f"{name}_eu_share"] = proxy
        basis = _text_where(global_supply.notna(), EC_GLOBAL_SUPPLY)
        basis[eu_sourcing.notna().to_numpy()] = EC_EU_SOURCING
        basis[own.notna().to_numpy()] = EC_IMPORT_RELIANCE
        out[f"{name}_eu_share_basis"] = basis
        out[f"{name}_benchmark"] = limits[name]
        out[f"{name}_below_benchmark"] = _strategic_flag(proxy < limits[name], proxy.notna(), strategic)
        out[f"{name}_unavailable_reason"] = _text_where(proxy.isna(), _(NO_EC_STAGE_SHARES))

    ec_rate, report_rate = m["eu_eol_rir_ec"], m["eu_eol_rir"]
    rate = ec_rate.where(ec_rate.notna(), report_rate)
    out["recycling_eol_rir"] = rate
    source = _text_where(report_rate.notna(), "seed_world_production_reserves")
    source[ec_rate.notna().to_numpy()] = "ec_parameters"
    out["recycling_source"] = source
    out["recycling_benchmark"] = thresholds.recycling
    out["recycling_below_benchmark"] = _strategic_flag(rate < thresholds.recycling, rate.notna(), strategic)
    out["recycling_unavailable_reason"] = _text_where(rate.isna(), _(NO_EOL_RIR))
    return out


@dataclass(frozen=True, slots=True)
class ChainBenchmarks:
    """One chain's outlook and CRMA flags: per material, per platform and stage, and a summary.

    ``materials`` has a row per material of the chain's platforms (``platforms`` lists the
    platforms whose items contain it); ``platform_stages`` the single-third-country benchmark on
    each platform's own shares (``basis`` chain or world as the exposure gives it); ``summary`` a
    row per benchmark of :data:`BENCHMARKS` with the materials flagged and the platforms affected.
    """

    chain: str
    source: str
    platforms: tuple[tuple[str, str], ...]
    materials: pd.DataFrame
    platform_stages: pd.DataFrame
    summary: pd.DataFrame

    def to_json(self) -> dict[str, Any]:
        """Return this chain's part of the ``outlook --chain --format json`` document."""
        summary = self.summary.assign(
            materials=[list(v) for v in self.summary["materials"]],
            platforms=[list(v) for v in self.summary["platforms"]],
        )
        stages = self.platform_stages
        return {
            "chain": self.chain,
            "source": self.source,
            "platforms": [{"id": p, "name": n} for p, n in self.platforms],
            "materials": [_material_record(r) for r in json_records(self.materials.reset_index())],
            "platform_stages": json_records(stages),
            "summary": json_records(summary),
        }


@dataclass(frozen=True, slots=True)
class ChainOutlookResult:
    """The outlook and CRMA flags of one or more mapped chains, with their provenance."""

    chains: tuple[ChainBenchmarks, ...]
    thresholds: BenchmarkThresholds
    provenance: ResultProvenance

    def frame(self) -> pd.DataFrame:
        """Return one flat row per chain and material (for CSV; lists joined with ``;``)."""
        frames = [c.materials.reset_index().assign(chain=c.chain) for c in self.chains]
        if not frames:
            return pd.DataFrame(columns=["chain", "material"])
        flat = pd.concat(frames, ignore_index=True)
        for column in ("platforms", *(f"{s}_chain_platforms_over_limit" for s in RAW_MATERIAL_STAGES)):
            flat[column] = [";".join(v) if isinstance(v, tuple) else None for v in flat[column]]
        return flat[["chain", *(c for c in flat.columns if c != "chain")]]

    def to_json(self) -> dict[str, Any]:
        """Return the ``outlook --chain --format json`` document."""
        return {
            "chains": [c.to_json() for c in self.chains],
            "benchmarks": [{"code": code, "column": column} for code, column, _words in BENCHMARKS],
            "settings": {
                **self.thresholds.describe(),
                "world_shares": WORLD_SHARES,
                "reference_snapshot": self.provenance.snapshot,
            },
            "sources": sources_json(self.provenance.datasets),
            "provenance": self.provenance.to_json(),
        }


def _platform_stages(exposure: ChainExposure, strategic: pd.Series, limit: float) -> pd.DataFrame:
    """Return per platform, material and stage the largest third-country share and its flag."""
    result = exposure.result
    shares = result.shares
    third = nl_split_of(shares["country"]) == "third"
    top = largest_supplier(shares, _KEYS, third)
    table = result.coverage.set_index(_KEYS)[["basis", "known_fraction"]].join(top, how="left")
    table = table.rename(columns={"country": "third_country", "share": "third_country_share"})
    # A stage with shares but none from a third country has a third-country share of 0.
    has_shares = table["basis"] != "none"
    share = table["third_country_share"].astype(float)
    table["third_country_share"] = share.where(share.notna() | ~has_shares, 0.0)
    table = table.reset_index()
    share = table["third_country_share"]
    table["exceeds_limit"] = _strategic_flag(
        share > limit, share.notna(), table["material"].map(strategic).astype(object)
    ).to_numpy()
    table["crma_strategic"] = table["material"].map(strategic).astype(object)
    columns = [*_KEYS, "basis", "known_fraction", "third_country", "third_country_share"]
    return table[[*columns, "crma_strategic", "exceeds_limit"]]


def _chain_benchmarks(exposure: ChainExposure, reference: pd.DataFrame, limit: float) -> ChainBenchmarks:
    """Return one chain's flags from its exposure and the per-material reference figures."""
    chain = exposure.chain
    order = {p: i for i, p in enumerate(exposure.result.platforms)}
    content = exposure.result.content
    content = content.assign(rank=content["platform"].map(order)).sort_values(["material", "rank"])
    used = content.groupby("material", sort=True)["platform"].agg(tuple)
    stages = _platform_stages(exposure, reference["crma_strategic"], limit)

    materials = pd.DataFrame(index=pd.Index(used.index, name="material"))
    materials["platforms"] = used
    known = stages[stages["third_country_share"].notna()]
    # On a tie (up to summation noise) the platform first in the chain's order is named.
    known = known.assign(
        rank=known["platform"].map(order), rounded=known["third_country_share"].round(12)
    ).sort_values("rank", kind="stable")
    worst = known.loc[known.groupby(["material", "stage"])["rounded"].idxmax()]
    worst = worst.set_index(["material", "stage"])
    over = stages[stages["exceeds_limit"] == True]  # noqa: E712
    over = over.assign(rank=over["platform"].map(order)).sort_values("rank")
    over_by = over.groupby(["material", "stage"])["platform"].agg(tuple)
    for stage in RAW_MATERIAL_STAGES:
        key = pd.MultiIndex.from_product([materials.index, [stage]], names=["material", "stage"])
        rows = worst.reindex(key).set_axis(materials.index)
        materials[f"{stage}_chain_third_country"] = rows["third_country"]
        materials[f"{stage}_chain_third_country_share"] = rows["third_country_share"].astype(float)
        materials[f"{stage}_chain_basis"] = rows["basis"]
        materials[f"{stage}_chain_platform"] = rows["platform"]
        materials[f"{stage}_chain_exceeds_limit"] = (
            rows["exceeds_limit"].astype(object).where(rows["exceeds_limit"].notna(), None)
        )
        materials[f"{stage}_chain_platforms_over_limit"] = [
            v if isinstance(v, tuple) else () for v in over_by.reindex(key).to_numpy(dtype=object)
        ]
        materials[f"{stage}_chain_unavailable_reason"] = _text_where(
            rows["third_country_share"].isna(), _(NO_CHAIN_SHARES)
        )
    materials["crma_chain_exceeds_limit"] = any_flag(
        materials[[f"{s}_chain_exceeds_limit" for s in RAW_MATERIAL_STAGES]]
    )
    materials = materials.join(reference.reindex(materials.index))
    ordered = [
        "platforms",
        "crma_strategic",
        *(c for c in materials.columns if c not in ("platforms", "crma_strategic")),
    ]
    materials = materials[ordered]

    platforms_over = over.groupby("material")["platform"].agg(lambda p: set(p))
    rows = []
    for code, column, _words in BENCHMARKS:
        flags = materials[column]
        flagged = materials.index[(flags == True).to_numpy()]  # noqa: E712
        if code == "crma_single_country_chain":
            hit = set().union(*platforms_over.reindex(flagged).dropna()) if len(flagged) else set()
        else:
            hit = set().union(*materials.loc[flagged, "platforms"]) if len(flagged) else set()
        rows.append(
            {
                "benchmark": code,
                "flagged": len(flagged),
                "not_flagged": int((flags == False).sum()),  # noqa: E712
                "unknown": int(flags.isna().sum()),
                "materials": tuple(flagged),
                "platforms": tuple(sorted(hit, key=order.__getitem__)),
            }
        )
    items = chain.items
    platform_rows = items[items["kind"] == "platform"]
    names = dict(zip(platform_rows["id"], platform_rows["name"], strict=True))
    return ChainBenchmarks(
        chain=chain.name,
        source=chain.source,
        platforms=tuple((p, str(names.get(p, p))) for p in exposure.result.platforms),
        materials=materials,
        platform_stages=stages,
        summary=pd.DataFrame(rows),
    )


def chain_outlook(
    chains: Sequence[OpenedChain | Chain],
    catalogue: MaterialCatalogue,
    thresholds: BenchmarkThresholds | None = None,
    *,
    overview: MaterialOverview | None = None,
) -> ChainOutlookResult:
    """Return the outlook and CRMA benchmark flags of every material of each chain's platforms.

    ``catalogue`` must know every material of the chains; ``overview`` (built on it when not
    given) must use the same single-third-country limit as ``thresholds``.
    """
    thresholds = thresholds or BenchmarkThresholds()
    if overview is None:
        options = AssessmentOptions(crma_limit=thresholds.single_third_country_limit)
        overview = build_material_overview(catalogue, options)
    elif overview.options.crma_limit != thresholds.single_third_country_limit:
        raise ValueError("the overview's CRMA limit differs from the thresholds' single-country limit")
    reference = material_benchmarks(overview, thresholds)
    results: list[ChainBenchmarks] = []
    inputs: list[InputRecord] = []
    datasets = list(overview.provenance.datasets)
    for opened in chains:
        exposure = chain_exposure(opened, catalogue)
        results.append(_chain_benchmarks(exposure, reference, thresholds.single_third_country_limit))
        inputs.extend(exposure.provenance.inputs)
        datasets.extend(exposure.provenance.datasets)
    parameters = {
        **thresholds.describe(),
        "wgi_years": list(overview.options.wgi_years),
        "world_shares": WORLD_SHARES,
    }
    return ChainOutlookResult(
        chains=tuple(results),
        thresholds=thresholds,
        provenance=provenance(datasets, parameters, inputs),
    )


def _material_record(row: dict[str, Any]) -> dict[str, Any]:
    """Return one material of a chain as its nested JSON record."""

    def stage_part(prefix: str, fields: Sequence[str]) -> dict[str, dict[str, Any]]:
        return {s: {f: row[f"{s}_{prefix}_{f}"] for f in fields} for s in RAW_MATERIAL_STAGES}

    def listed(value: Any) -> list[Any]:
        return list(value) if isinstance(value, tuple | list) else []

    chain_stages = stage_part(
        "chain",
        ["third_country", "third_country_share", "basis", "platform", "exceeds_limit", "unavailable_reason"],
    )
    for stage in RAW_MATERIAL_STAGES:
        chain_stages[stage]["platforms_over_limit"] = listed(row[f"{stage}_chain_platforms_over_limit"])
    capacity: dict[str, Any] = {
        name: {
            "benchmark": row[f"{name}_benchmark"],
            "ec_stage": stage,
            "eu_share": row[f"{name}_eu_share"],
            "basis": row[f"{name}_eu_share_basis"],
            "eu_share_import_reliance": row[f"{name}_eu_share_import_reliance"],
            "eu_share_eu_sourcing": row[f"{name}_eu_share_eu_sourcing"],
            "eu_share_global_supply": row[f"{name}_eu_share_global_supply"],
            "below_benchmark": row[f"{name}_below_benchmark"],
            "unavailable_reason": row[f"{name}_unavailable_reason"],
        }
        for name, stage in CAPACITY_STAGES.items()
    }
    capacity["recycling"] = {
        "benchmark": row["recycling_benchmark"],
        "eol_rir": row["recycling_eol_rir"],
        "source": row["recycling_source"],
        "below_benchmark": row["recycling_below_benchmark"],
        "unavailable_reason": row["recycling_unavailable_reason"],
    }
    return {
        "material": row["material"],
        "platforms": listed(row["platforms"]),
        "crma_strategic": row["crma_strategic"],
        "iea": {
            **{
                str(year): {
                    "demand_kt": row[f"iea_{year}_demand_kt"],
                    "supply_kt": row[f"iea_{year}_supply_kt"],
                    "supply_minus_demand_kt": row[f"iea_{year}_supply_minus_demand_kt"],
                    "shortfall": row[f"iea_{year}_shortfall"],
                }
                for year in IEA_YEARS
            },
            "unavailable_reason": row["iea_unavailable_reason"],
        },
        "reserve_lifetime": {
            "report_years": row["reserve_lifetime_years_report"],
            "usgs_years": row["reserve_lifetime_years_usgs"],
            "usgs_years_production_2023": row["reserve_lifetime_years_usgs_2023"],
            "conflict": row["reserve_lifetime_conflict"],
            "report_unavailable_reason": row["reserve_lifetime_report_unavailable_reason"],
            "usgs_unavailable_reason": row["reserve_lifetime_usgs_unavailable_reason"],
        },
        "price_volatility": {
            "pct": row["price_volatility_pct"],
            "source": row["price_volatility_source"],
            "unavailable_reason": row["price_volatility_unavailable_reason"],
        },
        "crma_single_third_country": {
            "chain": chain_stages,
            "ec": stage_part(
                "ec", ["third_country", "third_country_share", "basis", "member", "exceeds_limit"]
            ),
            "exceeds_limit_chain": row["crma_chain_exceeds_limit"],
            "exceeds_limit_ec": row["crma_ec_exceeds_limit"],
        },
        "crma_capacity": capacity,
        "flags": {code: row[column] for code, column, _words in BENCHMARKS},
    }
