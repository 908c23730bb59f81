"""``ketenradar demo``: the national picture on the shipped data, as an offline HTML report.

Each capability adds a section builder to :data:`DEMO_SECTIONS`; the demo runs them in order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ketenradar import __version__, refdata
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
from ketenradar.reports.charts import concentration_chart, country_risk_chart, sr_ei_chart
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
            _supplier(c, s)
            for c, s in zip(part["largest_country"], part["largest_share"], strict=True)
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


def supplier_countries(overview: MaterialOverview) -> list[str]:
    """Return the countries with at least 1% of global supply of any listed material."""
    shares = refdata.load_supply_shares().frame
    wanted = set(overview.catalogue) | {
        m for mat in overview.catalogue.values() for m in mat.members
    }
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
        source_note=text("countries.source", ctx.lang, weights=weights)
        + " "
        + text("missing", ctx.lang),
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
    )
    return Section(
        id="sources",
        title=text("sources.title", ctx.lang),
        intro=text("sources.intro", ctx.lang),
        blocks=(table,),
        source_note=f"Snapshot {refdata.snapshot_version()}; SOURCES.md in the package "
        "data holds the full provenance and every transformation.",
    )


DEMO_SECTIONS: list[Callable[[DemoContext], Section]] = [
    materials_section,
    countries_section,
    outlook_section,
    catalogue_section,
    sources_section,
]


def run_demo(
    out_dir: Path, lang: str = "en", progress: Callable[[str], None] | None = None
) -> Path:
    """Build the demo report into ``out_dir`` and return the path of its index.html."""
    step = progress or (lambda _message: None)
    step("loading reference data and computing scores")
    ctx = build_demo_context(lang)
    sections = []
    for builder in DEMO_SECTIONS:
        step(f"section: {builder.__name__.removesuffix('_section')}")
        sections.append(builder(ctx))
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
            "data/countries.json": json.dumps(
                countries, indent=1, ensure_ascii=False, allow_nan=False
            ),
        },
    )
