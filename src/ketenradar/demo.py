"""``ketenradar demo``: the national picture on the shipped data, as an offline HTML report.

Each capability adds a section builder to :data:`DEMO_SECTIONS`; the demo runs them in order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from ketenradar import __version__, refdata
from ketenradar.chains import analyse_exposure, analyse_scenario
from ketenradar.ingest.scenario_file import read_scenario
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.network.exposure import ExposureResult
from ketenradar.overview import (
    CountryOverview,
    MaterialOverview,
    any_flag,
    build_country_overview,
    build_material_overview,
    country_records,
    material_records,
    provenance_records,
)
from ketenradar.reports.charts import (
    concentration_chart,
    country_risk_chart,
    exposure_chart,
    matrix_chart,
    sr_ei_chart,
)
from ketenradar.reports.html import (
    Section,
    TableColumn,
    figure,
    render_report,
    render_table,
    write_report_dir,
)
from ketenradar.reports.texts import text

__all__ = ["DEMO_SECTIONS", "DemoContext", "build_demo_context", "run_demo"]

RISKIEST_COUNTRIES_SHOWN = 20
SUPPLIER_MIN_SHARE = 0.01


@dataclass(frozen=True, slots=True)
class DemoContext:
    """What every demo section may draw on."""

    materials: MaterialOverview
    countries: CountryOverview
    lang: str


def build_demo_context(lang: str = "en") -> DemoContext:
    """Build the overviews the demo report shows, with the shipped extra materials."""
    catalogue = refdata.load_materials().with_materials(refdata.load_defence_materials_extra())
    return DemoContext(build_material_overview(catalogue), build_country_overview(), lang)


def _supplier(country: object, share: object) -> object:
    if not isinstance(country, str) or pd.isna(share):
        return None
    return f"{country} {float(share):.0%}"  # type: ignore[arg-type]


def _stage_columns(stages: pd.DataFrame, index: pd.Index, stage: str) -> pd.DataFrame:
    """Return one stage's rows of the stage table aligned to ``index`` (all missing if absent)."""
    if stage in stages.index.get_level_values("stage"):
        return stages.xs(stage, level="stage").reindex(index)
    return pd.DataFrame(index=index, columns=stages.columns)


def materials_section(ctx: DemoContext) -> Section:
    """Build the materials section: SR, EI, lifetime, top supplier per stage, CRMA; two charts."""
    overview = ctx.materials
    frame = overview.materials[overview.materials["category"] == "eu_crm_2023"].copy()
    for stage in ("mining", "processing"):
        part = _stage_columns(overview.stages, frame.index, stage)
        frame[f"{stage}_top"] = [
            _supplier(c, s) for c, s in zip(part["largest_country"], part["largest_share"], strict=True)
        ]
        frame[f"{stage}_share"] = part["largest_share"]
        frame[f"{stage}_country"] = part["largest_country"]
        frame[f"{stage}_third"] = part["crma_third_country_share"]
        frame[f"{stage}_crma"] = part["crma_exceeds_limit"]
    frame["third_max"] = frame[["mining_third", "processing_third"]].max(axis=1)
    frame["crma"] = any_flag(frame[["mining_crma", "processing_crma"]])
    frame["flags"] = [
        ("S" if s else "") + ("C" if c else "")
        for s, c in zip(frame["eu_2023_strategic"], frame["eu_2023_critical"], strict=True)
    ]
    frame["name"] = frame["name_en"] if ctx.lang == "en" else frame["name_nl"]
    frame = frame.sort_values("sr_published", ascending=False)
    table = render_table(
        frame,
        [
            TableColumn("name", "material"),
            TableColumn("flags", "EU"),
            TableColumn("sr_published", "SR 2023", 1),
            TableColumn("sr_computed", "SR computed", 2),
            TableColumn("sr_bottleneck_stage", "bottleneck"),
            TableColumn("ei_published", "EI 2023", 1),
            TableColumn("ei_computed", "EI computed", 2),
            TableColumn("reserve_lifetime_years", "reserve lifetime (y)", 0),
            TableColumn("mining_top", "largest mining"),
            TableColumn("processing_top", "largest processing"),
            TableColumn("third_max", "largest third country (EU sourcing)", 0, percent=True),
            TableColumn("crma", "CRMA > 65%"),
        ],
        row_class=["flag" if c else "" for c in frame["crma"]],
        lang=ctx.lang,
    )
    chart_data = pd.DataFrame(
        {
            "sr": frame["sr_published"],
            "ei": frame["ei_published"],
            "strategic": frame["eu_2023_strategic"],
            "label": frame["name"],
        }
    )
    sr_ei = sr_ei_chart(
        chart_data,
        title=text("chart.sr_ei.title", ctx.lang),
        x_label=text("chart.sr_ei.x", ctx.lang),
        y_label=text("chart.sr_ei.y", ctx.lang),
    )
    conc = frame[["mining_share", "mining_country", "processing_share", "processing_country"]]
    conc = conc.assign(
        label=frame["name"],
        sort_key=frame[["mining_share", "processing_share"]].max(axis=1).fillna(0),
    )
    chart = concentration_chart(
        conc, title=text("chart.conc.title", ctx.lang), x_label=text("chart.conc.x", ctx.lang)
    )
    notes = tuple(
        f"{row.name_en}: computed SR unavailable — {row.sr_unavailable_reason}."
        for row in frame.itertuples()
        if row.sr_unavailable_reason
    )
    wgi = overview.options.wgi_years
    return Section(
        id="materials",
        title=text("materials.title", ctx.lang),
        intro=text("materials.intro", ctx.lang),
        blocks=(
            table,
            figure(sr_ei, text("chart.sr_ei.caption", ctx.lang)),
            figure(chart, text("chart.conc.caption", ctx.lang)),
        ),
        source_note=text("materials.source", ctx.lang, wgi_years=f"{wgi[0]}–{wgi[-1]}")
        + " "
        + text("missing", ctx.lang),
        notes=notes,
    )


def demo_chain_path() -> Path:
    """Return the folder of the shipped example chain (CSV workbook)."""
    return Path(str(resources.files("ketenradar.demo_data") / "chains" / "defence_demo"))


def demo_scenario_path() -> Path:
    """Return the shipped China gallium/germanium scenario file."""
    return Path(
        str(resources.files("ketenradar.demo_data") / "scenarios" / "china_gallium_germanium_2023.yaml")
    )


def chain_sections(ctx: DemoContext) -> list[Section]:
    """Build the chain section (content, exposure, weak spots, visibility) and the scenario section."""
    catalogue = ctx.materials.catalogue
    chain = read_chain_workbook(demo_chain_path(), list(catalogue), name="defence_demo")
    exposure = analyse_exposure(chain, catalogue)
    names = chain.items.set_index("id")["name"]
    content = exposure.content.pivot_table(index="material", columns="platform", values="quantity")
    content = content.reset_index()
    content_table = render_table(
        content,
        [
            TableColumn("material", "material"),
            *(TableColumn(p, f"{names[p]} (kg)", 1) for p in exposure.platforms),
        ],
        caption=text("cap.content", ctx.lang),
        lang=ctx.lang,
    )
    shares = exposure.shares.assign(label=lambda f: f["platform"] + " · " + f["material"])
    processing = shares[shares["stage"] == "processing"]
    order = exposure.coverage[exposure.coverage["stage"] == "processing"]
    labels = (order["platform"] + " · " + order["material"]).tolist()
    chart = exposure_chart(
        processing[["label", "country", "share"]],
        labels,
        title=text("chart.exposure.title", ctx.lang),
        x_label=text("chart.exposure.x", ctx.lang),
    )
    split = _split_table(exposure)
    split_table = render_table(
        split,
        [
            TableColumn("platform", "platform"),
            TableColumn("material", "material"),
            TableColumn("stage", "stage"),
            TableColumn("basis", "basis"),
            TableColumn("known_fraction", "known from chain", 0, percent=True),
            TableColumn("top", "largest country"),
            TableColumn("NL", "NL", 0, percent=True),
            TableColumn("EU+EEA", "EU+EEA", 0, percent=True),
            TableColumn("third", "third countries", 0, percent=True),
            TableColumn("unknown_share", "unknown", 0, percent=True),
        ],
        caption=text("cap.split", ctx.lang),
        row_class=["flag" if s >= 0.9 else "" for s in split["top_share"].fillna(0)],
        lang=ctx.lang,
    )
    points = exposure.single_points.assign(item_name=lambda f: f["item"].map(names))
    points_table = render_table(
        points,
        [
            TableColumn("platform", "platform"),
            TableColumn("item", "item"),
            TableColumn("item_name", "name"),
            TableColumn("stage", "stage"),
            TableColumn("country", "country"),
            TableColumn("share", "share", 0, percent=True),
            TableColumn("reason", "why"),
        ],
        caption=text("cap.spof", ctx.lang, threshold=f"{exposure.spof_threshold:.0%}"),
        lang=ctx.lang,
    )
    visibility_table = render_table(
        exposure.branches.assign(name=lambda f: f["branch"].map(names)),
        [
            TableColumn("platform", "platform"),
            TableColumn("name", "branch"),
            TableColumn("deepest_known_tier", "deepest known tier", 0),
            TableColumn("levels_below", "levels below", 0),
        ],
        caption=text("cap.visibility", ctx.lang),
        lang=ctx.lang,
    )
    known = exposure.visibility
    notes = tuple(
        f"{names[row.platform]}: {row.material_quantity_known_fraction:.2%} of the raw-material quantity "
        "has sourcing in the chain; the rest relies on world shares — the report's main finding that "
        "companies see only the first tiers."
        for row in known.itertuples()
    )
    path = demo_chain_path()
    chain_section = Section(
        id="chain",
        title=text("chain.title", ctx.lang),
        intro=text("chain.intro", ctx.lang),
        blocks=(
            content_table,
            figure(chart, text("chart.exposure.caption", ctx.lang)),
            split_table,
            points_table,
            visibility_table,
        ),
        source_note=text("chain.source", ctx.lang, path=path),
        notes=notes,
    )

    spec = read_scenario(demo_scenario_path(), list(catalogue))
    result = analyse_scenario(chain, spec, catalogue)
    platforms = result.platforms.assign(
        name=lambda f: f["id"].map(names),
        limited=lambda f: f["limited_by"].map(lambda ids: ", ".join(f"{names[i]} ({i})" for i in ids)),
    )
    platform_table = render_table(
        platforms,
        [
            TableColumn("name", "platform"),
            TableColumn("availability", "availability", 0, percent=True),
            TableColumn("limited", "limited by"),
        ],
        caption=spec.name,
        lang=ctx.lang,
    )
    hit = result.items[result.items["availability"] < 1].sort_values("availability")
    hit = hit.assign(name=lambda f: f["id"].map(names), limited=lambda f: f["limited_by"].map(", ".join))
    items_table = render_table(
        hit,
        [
            TableColumn("name", "item"),
            TableColumn("kind", "kind"),
            TableColumn("availability", "availability", 0, percent=True),
            TableColumn("own_availability", "own supply", 0, percent=True),
            TableColumn("limited", "limited by"),
        ],
        caption=text("cap.affected", ctx.lang),
        lang=ctx.lang,
    )
    scenario_section = Section(
        id="scenario",
        title=text("scenario.title", ctx.lang),
        intro=text("scenario.intro", ctx.lang),
        blocks=(platform_table, items_table),
        source_note=text(
            "scenario.source",
            ctx.lang,
            source=spec.source,
            scenario=demo_scenario_path(),
            path=path,
        ),
        notes=(spec.description.strip(),),
    )
    return [chain_section, scenario_section]


def sector_section(ctx: DemoContext) -> Section:
    """Build the sector section: matrices, usage-weighted exposure, ownership, materiel, trade."""
    from ketenradar.sector import materiel_from_seed, ownership_from_seed
    from ketenradar.survey import (
        SYNTHETIC_NOTE,
        risk_impact_matrix,
        summarise_survey,
        synthetic_survey,
        usage_weighted_exposure,
    )
    from ketenradar.trade import product_groups

    summary = summarise_survey(synthetic_survey(286, seed=2024))
    supply_risk = ctx.materials.materials["sr_published"]
    panels = {
        f"{domain} (synthetic)": risk_impact_matrix(summary, supply_risk, domain=domain)
        for domain in ("maritime", "air_space", "land", "security")
    }
    chart = matrix_chart(
        panels,
        title=text("chart.matrix.title", ctx.lang),
        x_label=text("chart.matrix.x", ctx.lang),
        y_label=text("chart.matrix.y", ctx.lang),
    )
    overall = risk_impact_matrix(summary, supply_risk)
    exposure = usage_weighted_exposure(overall, ctx.materials.catalogue)
    exposure_svg = exposure_chart(
        exposure.rename(columns={"stage": "label"}),
        ["mining", "processing"],
        title=text("chart.usage.title", ctx.lang),
        x_label=text("chart.usage.x", ctx.lang),
    )
    suppressed = pd.DataFrame(
        [
            {"table": t.title, "cells": int(t.counts.size), "suppressed": int(t.hidden.to_numpy().sum())}
            for t in summary.tables.values()
        ]
    )
    ownership = ownership_from_seed()
    owners = ownership.by_country.head(10)
    materiel = materiel_from_seed()
    groups = product_groups()
    blocks = (
        figure(chart, text("chart.matrix.caption", ctx.lang, note=SYNTHETIC_NOTE)),
        figure(exposure_svg, text("chart.usage.caption", ctx.lang)),
        render_table(
            suppressed,
            [
                TableColumn("table", "published table"),
                TableColumn("cells", "cells", 0),
                TableColumn("suppressed", "suppressed cells", 0),
            ],
            caption=text("cap.disclosure", ctx.lang),
            lang=ctx.lang,
        ),
        render_table(
            owners,
            [
                TableColumn("country", "ISO3"),
                TableColumn("name", "legal-owner country"),
                TableColumn("count", "companies", 0),
                TableColumn("count_share", "share", 0, percent=True),
                TableColumn("weight", "FTE (2022)", 0),
                TableColumn("weight_share", "FTE share", 0, percent=True),
                TableColumn("high_risk", "high-risk"),
            ],
            caption=text("cap.ownership", ctx.lang, share=f"{ownership.foreign_share_count:.0%}"),
            lang=ctx.lang,
        ),
        render_table(
            materiel.by_supplier,
            [
                TableColumn("supplier", "ISO3"),
                TableColumn("name", "supplier"),
                TableColumn("units", "units", 0),
                TableColumn("share", "share", 1, percent=True),
            ],
            caption=text(
                "cap.materiel", ctx.lang, share=f"{materiel.indicators['largest_supplier_share']:.0%}"
            ),
            lang=ctx.lang,
        ),
        render_table(
            groups,
            [
                TableColumn("hs_code", "HS"),
                TableColumn("description", "product group"),
                TableColumn("europe_pct", "Europe %", 0),
                TableColumn("asia_pct", "Asia %", 0),
                TableColumn("china_pct", "China %", 0),
                TableColumn("north_america_pct", "N. America %", 0),
                TableColumn("africa_pct", "Africa %", 0),
                TableColumn("australia_pct", "Australia %", 0),
            ],
            caption=text("cap.groups", ctx.lang),
            lang=ctx.lang,
        ),
    )
    return Section(
        id="sector",
        title=text("sector.title", ctx.lang),
        intro=text("sector.intro", ctx.lang),
        blocks=blocks,
        source_note=text("sector.source", ctx.lang),
        notes=tuple(ownership.notes + materiel.notes),
    )


def _split_table(exposure: ExposureResult) -> pd.DataFrame:
    groups = refdata.load_countries().frame["nl_split"]
    shares = exposure.shares.assign(split=lambda f: f["country"].map(groups).fillna("third"))
    split = shares.pivot_table(
        index=["platform", "material", "stage"],
        columns="split",
        values="share",
        aggfunc="sum",
        fill_value=0.0,
    )
    for column in ("NL", "EU+EEA", "third"):
        if column not in split:
            split[column] = 0.0
    top = shares.loc[shares.groupby(["platform", "material", "stage"])["share"].idxmax()]
    top = top.set_index(["platform", "material", "stage"])
    table = (
        exposure.coverage.set_index(["platform", "material", "stage"])
        .join(split)
        .join(top[["country", "share"]].rename(columns={"country": "top_country", "share": "top_share"}))
    )
    table["top"] = [_supplier(c, s) for c, s in zip(table["top_country"], table["top_share"], strict=True)]
    return table.reset_index().sort_values(["platform", "material", "stage"])


def supplier_countries(overview: MaterialOverview) -> list[str]:
    """Return the countries with at least 1% of global supply of any listed material."""
    shares = refdata.load_supply_shares().frame
    wanted = set(overview.catalogue) | {m for mat in overview.catalogue.values() for m in mat.members}
    gs = shares[(shares["scope"] == "gs") & shares["material"].isin(wanted)]
    return sorted(set(gs.loc[gs["share"] >= SUPPLIER_MIN_SHARE, "country"]))


def countries_section(ctx: DemoContext) -> Section:
    """Build the country section: riskiest suppliers with each scaled component."""
    frame = ctx.countries.countries.loc[supplier_countries(ctx.materials)].copy()
    frame = frame.sort_values("composite_risk", ascending=False).head(RISKIEST_COUNTRIES_SHOWN)
    frame["iso3"] = frame.index
    frame["missing"] = frame["missing_indicators"].map(", ".join)
    for name, weight in ctx.countries.weights.items():
        frame[f"w_{name}"] = frame[f"component_{name}"] * weight / frame["weight_coverage"]
    frame["label"] = frame["name"] + " (" + frame.index + ")"
    table = render_table(
        frame,
        [
            TableColumn("iso3", "ISO3"),
            TableColumn("name", "country"),
            TableColumn("nl_split", "NL/EU/third"),
            TableColumn("wgi_mean", "WGI mean", 2),
            TableColumn("oecd_crc", "OECD class", 0),
            TableColumn("fsi_total", "FSI", 1),
            TableColumn("component_wgi", "WGI 0..1", 2),
            TableColumn("component_oecd_crc", "OECD 0..1", 2),
            TableColumn("component_fsi", "FSI 0..1", 2),
            TableColumn("component_atradius_star", "STAR 0..1", 2),
            TableColumn("composite_risk", "composite", 2),
            TableColumn("missing", "missing indicators"),
        ],
        lang=ctx.lang,
    )
    chart = country_risk_chart(
        frame,
        title=text("chart.country.title", ctx.lang),
        x_label=text("chart.country.x", ctx.lang),
    )
    weights = ", ".join(f"{k} {v:.2f}" for k, v in ctx.countries.weights.items())
    return Section(
        id="countries",
        title=text("countries.title", ctx.lang),
        intro=text("countries.intro", ctx.lang, n=RISKIEST_COUNTRIES_SHOWN),
        blocks=(table, figure(chart, text("countries.source", ctx.lang, weights=weights))),
        source_note=text("countries.source", ctx.lang, weights=weights) + " " + text("missing", ctx.lang),
    )


def outlook_section(ctx: DemoContext) -> Section:
    """Build the outlook section: IEA demand/supply and reproduced reserve lifetimes."""
    iea = ctx.materials.iea_outlook
    iea_table = render_table(
        iea,
        [
            TableColumn("commodity", "commodity"),
            TableColumn("year", "year"),
            TableColumn("demand_kt", "demand (kt)", 0),
            TableColumn("supply_kt", "supply (kt)", 0),
            TableColumn("demand_supply_ratio", "demand / supply", 2),
            TableColumn("shortfall", "shortfall"),
        ],
        row_class=["flag" if s else "" for s in iea["shortfall"]],
        lang=ctx.lang,
    )
    materials = ctx.materials.materials
    eu = materials[materials["category"] == "eu_crm_2023"].copy()
    eu["name"] = eu["name_en"] if ctx.lang == "en" else eu["name_nl"]
    eu = eu.sort_values("reserve_lifetime_years")
    lifetime = render_table(
        eu,
        [
            TableColumn("name", "material"),
            TableColumn("reserves_t", "reserves (t)", 0),
            TableColumn("world_production_t", "world production (t/y)", 0),
            TableColumn("reserve_lifetime_years", "lifetime (y), computed", 1),
            TableColumn("reserve_lifetime_years_published", "lifetime (y), report", 0),
            TableColumn("price_volatility_pct", "price volatility (%)", 0),
            TableColumn("eu_eol_rir", "EU end-of-life recycling input", 0, percent=True),
            TableColumn("us_government_stockpile", "US stockpile"),
        ],
        lang=ctx.lang,
    )
    return Section(
        id="outlook",
        title=text("outlook.title", ctx.lang),
        intro=text("outlook.intro", ctx.lang),
        blocks=(iea_table, lifetime),
        source_note=text("outlook.source", ctx.lang) + " " + text("missing", ctx.lang),
    )


def catalogue_section(ctx: DemoContext) -> Section:
    """Build the section on materials outside the EU list, figures shown as missing."""
    materials = ctx.materials.materials
    extra = materials[materials["category"] != "eu_crm_2023"].copy()
    extra["id"] = extra.index
    extra["name"] = extra["name_en"] if ctx.lang == "en" else extra["name_nl"]
    table = render_table(
        extra,
        [
            TableColumn("id", "id"),
            TableColumn("name", "material"),
            TableColumn("category", "category"),
            TableColumn("sr_published", "SR", 1),
            TableColumn("ei_published", "EI", 1),
            TableColumn("reserve_lifetime_years", "lifetime (y)", 0),
            TableColumn("sr_unavailable_reason", "why no score"),
        ],
        lang=ctx.lang,
    )
    return Section(
        id="catalogue",
        title=text("catalogue.title", ctx.lang),
        intro=text("catalogue.intro", ctx.lang),
        blocks=(table,),
        source_note=text("catalogue.source", ctx.lang),
    )


def sources_section(ctx: DemoContext) -> Section:
    """Build the provenance section: every shipped dataset with its checksum."""
    rows = pd.DataFrame(
        [
            {
                "title": p.title,
                "publisher": p.publisher,
                "edition": p.edition,
                "year": p.year,
                "licence": p.licence,
                "sha": p.sha256[:12],
            }
            for p in (refdata.provenance_of(n) for n in refdata.dataset_names())
        ]
    )
    table = render_table(
        rows,
        [
            TableColumn("title", "dataset"),
            TableColumn("publisher", "publisher"),
            TableColumn("edition", "edition"),
            TableColumn("year", "year"),
            TableColumn("licence", "licence"),
            TableColumn("sha", "sha256"),
        ],
        lang=ctx.lang,
    )
    return Section(
        id="sources",
        title=text("sources.title", ctx.lang),
        intro=text("sources.intro", ctx.lang),
        blocks=(table,),
        source_note=f"Snapshot {refdata.snapshot_version()}; SOURCES.md in the package "
        "data holds the full provenance and every transformation.",
    )


DEMO_SECTIONS: list[Callable[[DemoContext], Section | list[Section]]] = [
    materials_section,
    countries_section,
    outlook_section,
    chain_sections,
    sector_section,
    catalogue_section,
    sources_section,
]


def run_demo(out_dir: Path, lang: str = "en", progress: Callable[[str], None] | None = None) -> Path:
    """Build the demo report into ``out_dir`` and return the path of its index.html."""
    step = progress or (lambda _message: None)
    step("loading reference data and computing scores")
    ctx = build_demo_context(lang)
    sections = []
    for builder in DEMO_SECTIONS:
        step(f"section: {builder.__name__.removesuffix('_section').removesuffix('_sections')}")
        built = builder(ctx)
        sections.extend(built if isinstance(built, list) else [built])
    document = render_report(
        text("title", lang),
        text("subtitle", lang),
        text("generated", lang, version=__version__, snapshot=refdata.snapshot_version()),
        sections,
        lang,
    )
    data = {
        "materials": material_records(ctx.materials),
        "settings": ctx.materials.options.describe(),
        "sources": provenance_records(ctx.materials.provenance),
    }
    countries = {"countries": country_records(ctx.countries), "weights": ctx.countries.weights}
    step("writing report")
    return write_report_dir(
        out_dir,
        {
            "index.html": document,
            "data/materials.json": json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False),
            "data/countries.json": json.dumps(countries, indent=1, ensure_ascii=False, allow_nan=False),
        },
    )
