"""Commands over the reference picture: materials, countries, sources, outlook."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ketenradar.cli import cli, settings_of
from ketenradar.cli.i18n import option
from ketenradar.cli.options import (
    FILE,
    catalogue_of,
    catalogue_option,
    parse_weights,
    parse_years,
    store_of,
    workspace_option,
)
from ketenradar.cli.output import emit_csv, emit_json, emit_table, format_option
from ketenradar.locale import N_, _, country_name, current_language, format_number, format_percent

# The readers, services and reports are imported by the functions that use them, so that
# `ketenradar --help` does not load pandas.
if TYPE_CHECKING:
    from ketenradar.model.material import MaterialCatalogue
    from ketenradar.services.chain_outlook import ChainBenchmarks, ChainOutlookResult
    from ketenradar.services.countries import CountryOverview
    from ketenradar.services.materials import MaterialOverview
    from ketenradar.services.provenance import InputRecord

__all__ = ["load_country_overview", "load_material_overview"]


def load_material_overview(
    ctx: click.Context,
    *,
    catalogue_file: Path | None = None,
    shares_source: str = "ec2023",
    wgi_years: str | None = None,
    eu_sourcing_file: Path | None = None,
    parameters_file: Path | None = None,
    all_materials: bool = False,
) -> MaterialOverview:
    """Read the user files the options name and build the material overview.

    The 34 EU list entries by default; with ``all_materials`` every material the catalogue
    knows (the EU list, its element-level materials and the defence extras).
    """
    from ketenradar.ingest.inputs import read_eu_sourcing, read_material_catalogue, read_parameters
    from ketenradar.services.materials import (
        AssessmentOptions,
        build_material_overview,
        defence_catalogue,
        element_catalogue,
        eu_catalogue,
    )
    from ketenradar.services.provenance import input_file

    settings = settings_of(ctx)
    catalogue = defence_catalogue() if all_materials else eu_catalogue()
    inputs: list[InputRecord] = []
    if catalogue_file is not None:
        # A user material may not reuse an id the catalogue knows (e.g. neodymium).
        known = catalogue.with_materials(m for m in element_catalogue().values() if m.id not in catalogue)
        catalogue = catalogue.with_materials(read_material_catalogue(catalogue_file, known))
        inputs.append(input_file("catalogue", catalogue_file))
    eu_sourcing = read_eu_sourcing(eu_sourcing_file, catalogue) if eu_sourcing_file else None
    if eu_sourcing_file:
        inputs.append(input_file("eu_sourcing", eu_sourcing_file))
    parameters = read_parameters(parameters_file) if parameters_file else None
    if parameters_file:
        inputs.append(input_file("parameters", parameters_file))
    options = AssessmentOptions(
        wgi_years=parse_years(wgi_years) if wgi_years else settings.criticality.wgi_years,
        shares_source=shares_source,  # type: ignore[arg-type]
        crma_limit=settings.outlook.crma_limit,
    )
    return build_material_overview(
        catalogue, options, eu_sourcing=eu_sourcing, parameters=parameters, inputs=inputs
    )


@cli.command()
@format_option
@option(
    "--catalogue",
    "catalogue_file",
    type=FILE,
    help="CSV of extra materials (id, name_en[, name_nl, category, note]).",
)
@option(
    "--shares-source",
    type=click.Choice(["ec2023", "usgs2025"]),
    default="ec2023",
    show_default=True,
    help="Country shares: EC 2023 global supply or USGS 2023 production.",
)
@option("--wgi-years", help="WGI years for recomputed SR, e.g. 2016-2020 (default from settings).")
@option(
    "--eu-sourcing",
    "eu_sourcing_file",
    type=FILE,
    help="CSV (material, stage, country, share[, trade_factor]) replacing EC EU sourcing.",
)
@option(
    "--parameters",
    "parameters_file",
    type=FILE,
    help="CSV of SR parameters (material, stage, supply_data_used, import_reliance, eol_rir, si_sr).",
)
@option(
    "--all",
    "all_materials",
    is_flag=True,
    help="List every material the catalogue knows: also the single rare earths, platinum-group "
    "metals, molybdenum and the defence extras (default: the 34 EU list entries).",
)
@click.pass_context
def materials(
    ctx: click.Context,
    fmt: str,
    catalogue_file: Path | None,
    shares_source: str,
    wgi_years: str | None,
    eu_sourcing_file: Path | None,
    parameters_file: Path | None,
    all_materials: bool,
) -> None:
    """List the materials with EC supply risk and economic importance, supply and outlook."""
    from ketenradar.reports.formatting import sentences, supplier_label

    overview = load_material_overview(
        ctx,
        catalogue_file=catalogue_file,
        shares_source=shares_source,
        wgi_years=wgi_years,
        eu_sourcing_file=eu_sourcing_file,
        parameters_file=parameters_file,
        all_materials=all_materials,
    )
    if fmt == "json":
        emit_json(overview.to_json())
        return
    flat = overview.summary()
    if fmt == "csv":
        emit_csv(flat)
        return
    flat["name"] = [overview.catalogue.name(m, current_language()) for m in flat["material"]]
    flat = flat.sort_values("name", key=lambda names: names.str.lower())
    flat["flags"] = [
        (_("S") if s else "") + (_("C") if c else "") if s is not None else _("other")
        for s, c in zip(flat["crma_strategic"], flat["eu_2023_critical"], strict=True)
    ]
    for stage in ("mining", "processing"):
        flat[stage] = [
            supplier_label(c, s)
            for c, s in zip(
                flat.get(f"{stage}_largest_country"), flat.get(f"{stage}_largest_share"), strict=True
            )
        ]
    years = overview.options.wgi_years
    emit_table(
        flat,
        [
            ("name", N_("material"), -1),
            ("flags", N_("EU"), -1),
            ("sr_published", N_("SR 2023"), 1),
            ("sr_computed", N_("SR computed"), 2),
            ("ei_published", N_("EI 2023"), 1),
            ("reserve_lifetime_years", N_("lifetime (y)"), 0),
            ("mining", N_("top mining"), -1),
            ("processing", N_("top processing"), -1),
            ("crma_exceeds_limit", N_("CRMA >65%"), -1),
        ],
        title=_("Critical raw materials: EC 2023 supply risk (SR), economic importance (EI), supply"),
        caption=_(
            "EU: S = strategic under the Critical Raw Materials Act (Annex I; a group where any "
            "member is), C = critical (EU list 2023)."
        )
        + " "
        + _(
            "Sources: EC Study on the CRMs for the EU 2023 (SR, EI, shares); WGI 2024 update; "
            "Berenschot 2024 (lifetime, the report's own figures). — = missing in the sources. "
            "SR computed with WGI {years}."
        ).format(years=f"{years[0]}-{years[-1]}")
        + ((" " + sentences(*overview.overrides)) if overview.overrides else ""),
    )


def load_country_overview(
    ctx: click.Context, weights: str | None, indicators_file: Path | None
) -> CountryOverview:
    """Read the options' weights and indicator file and build the country overview."""
    from ketenradar.ingest.inputs import read_country_indicators
    from ketenradar.services.countries import build_country_overview
    from ketenradar.services.provenance import input_file

    settings = settings_of(ctx)
    chosen = parse_weights(weights) if weights else settings.country_risk.weights
    user = read_country_indicators(indicators_file) if indicators_file else None
    inputs = [input_file("country_indicators", indicators_file)] if indicators_file else []
    return build_country_overview(
        chosen, user, str(indicators_file) if indicators_file else None, inputs=inputs
    )


@cli.command()
@format_option
@option("--weights", help="Indicator weights, e.g. wgi=0.4,oecd_crc=0.2,fsi=0.2,atradius_star=0.2.")
@option(
    "--indicators",
    "indicators_file",
    type=FILE,
    help="CSV with iso3 and any of atradius_star, oecd_crc, fsi_total, wgi_mean.",
)
@option(
    "--top",
    type=click.IntRange(min=0),
    default=30,
    show_default=True,
    help="Rows in the table (riskiest first); 0 for all. JSON and CSV list all.",
)
@click.pass_context
def countries(
    ctx: click.Context, fmt: str, weights: str | None, indicators_file: Path | None, top: int
) -> None:
    """List countries with groups, risk indicators and composite country risk."""
    overview = load_country_overview(ctx, weights, indicators_file)
    if fmt == "json":
        emit_json(overview.to_json())
        return
    frame = overview.countries.reset_index()
    frame["groups"] = frame[["eu27", "nato", "oecd"]].apply(
        lambda r: ",".join(g.upper() for g in ("eu27", "nato", "oecd") if r[g]), axis=1
    )
    if fmt == "csv":
        frame["missing_indicators"] = frame["missing_indicators"].map(";".join)
        emit_csv(frame)
        return
    frame["name"] = [
        country_name(iso3, name) for iso3, name in zip(frame["iso3"], frame["name"], strict=True)
    ]
    frame = frame.sort_values("composite_risk", ascending=False, na_position="last")
    if top:
        frame = frame.head(top)
    weights_text = ", ".join(f"{k} {format_number(v, 2)}" for k, v in overview.weights.items())
    emit_table(
        frame,
        [
            ("iso3", N_("ISO3"), -1),
            ("name", N_("country"), -1),
            ("nl_split", N_("NL/EU/third"), -1, "split"),
            ("groups", N_("groups"), -1),
            ("component_wgi", N_("WGI"), 2),
            ("component_oecd_crc", N_("OECD"), 2),
            ("component_fsi", N_("FSI"), 2),
            ("component_atradius_star", N_("STAR"), 2),
            ("composite_risk", N_("composite"), 2),
            ("missing_indicators", N_("missing"), -1),
        ],
        title=_("Country risk: components scaled 0..1 (higher = riskier) and composite"),
        caption=_(
            "Weights {weights}; missing indicators renormalise the rest. "
            "Sources: World Bank WGI 2023, OECD CRC 2026-01-30, Fund for Peace FSI 2023; "
            "Atradius STAR only from a user file."
        ).format(weights=weights_text),
    )


@cli.command()
@format_option
def sources(fmt: str) -> None:
    """List the shipped reference datasets with publisher, edition, licence and checksum."""
    from ketenradar.services.reference import list_datasets

    result = list_datasets()
    if fmt == "json":
        emit_json(result.to_json())
        return
    frame = result.frame()
    if fmt == "csv":
        emit_csv(frame)
        return
    emit_table(
        frame,
        [
            ("dataset", N_("dataset"), -1),
            ("publisher", N_("publisher"), -1),
            ("edition", N_("edition"), -1),
            ("year", N_("year"), -1),
            ("licence", N_("licence"), -1),
        ],
        title=_("Reference data snapshot {snapshot}").format(snapshot=result.snapshot),
        caption=_("Full provenance, transformations and caveats: SOURCES.md in the package data."),
    )


@cli.command()
@format_option
@option(
    "--chain",
    "chain_refs",
    multiple=True,
    metavar="WORKBOOK|NAME",
    help="Flag the outlook and CRMA benchmarks per material of this mapped chain (a workbook or a "
    "stored chain); repeat for more chains.",
)
@workspace_option
@catalogue_option
@click.pass_context
def outlook(
    ctx: click.Context,
    fmt: str,
    chain_refs: tuple[str, ...],
    workspace: Path | None,
    catalogue_file: Path | None,
) -> None:
    """Show reserve lifetime, price volatility, IEA demand/supply and the CRMA 65% benchmark.

    With --chain: these and the CRMA capacity benchmarks, flagged per material of each mapped
    chain, with a summary per chain.
    """
    if chain_refs:
        _chain_outlook(ctx, fmt, chain_refs, workspace, catalogue_file)
        return
    from ketenradar.services.outlook import OutlookResult

    result = OutlookResult(load_material_overview(ctx))
    if fmt == "json":
        emit_json(result.to_json())
        return
    flat = result.overview.summary()
    if fmt == "csv":
        emit_csv(flat)
        return
    flat["name"] = [result.overview.catalogue.name(m, current_language()) for m in flat["material"]]
    emit_table(
        flat.sort_values("name", key=lambda names: names.str.lower()),
        [
            ("name", N_("material"), -1),
            ("reserve_lifetime_years", N_("lifetime (y)"), 0),
            ("reserve_lifetime_years_published", N_("report"), 0),
            ("reserve_lifetime_years_usgs", N_("USGS 2025"), 0),
            ("reserve_lifetime_conflict", N_("conflict"), -1),
            ("price_volatility_pct", N_("price vol. %"), 0),
            ("eu_eol_rir", N_("EU EOL-RIR"), 2),
            ("eu_eol_rir_ec", N_("EC EOL-RIR"), 2),
            ("us_government_stockpile", N_("US stockpile"), -1),
            ("mining_crma_third_country_share", N_("top 3rd mining"), 2),
            ("processing_crma_third_country_share", N_("top 3rd proc."), 2),
            ("crma_exceeds_limit", N_("CRMA >65%"), -1),
        ],
        title=_("Outlook: reserve lifetime, volatility, recycling, CRMA single-country benchmark"),
        caption=_(
            "Lifetime = reserves / world production: the report's own figures (Berenschot 2024, "
            "labelled there as USGS MCS 2024) beside USGS MCS 2025 (reserves 2024 / production "
            "2024); conflict = the report's lifetime more than 20% outside the USGS range. Price "
            "volatility and EU EOL-RIR: the report's; EC EOL-RIR: EC 2023. CRMA: largest "
            "third-country share of EU sourcing (EC 2023), flagged for strategic materials "
            "(Annex I, a group by its strategic members)."
        ),
    )
    emit_table(
        result.overview.iea_outlook,
        [
            ("commodity", N_("commodity"), -1, "commodity"),
            ("year", N_("year"), -1),
            ("demand_kt", N_("demand kt"), 0),
            ("supply_kt", N_("supply kt"), 0),
            ("demand_supply_ratio", N_("demand/supply"), 2),
            ("shortfall", N_("shortfall"), -1),
        ],
        title=_("IEA demand and supply outlook"),
        caption=_("Source: IEA Global Critical Minerals Outlook 2024, as cited in Berenschot 2024."),
    )


def _chain_outlook(
    ctx: click.Context,
    fmt: str,
    chain_refs: tuple[str, ...],
    workspace: Path | None,
    catalogue_file: Path | None,
) -> None:
    """Open the chains, compute their outlook and CRMA flags and emit them."""
    from ketenradar.services.chain_outlook import BenchmarkThresholds, chain_outlook
    from ketenradar.services.chains import open_chain

    settings = settings_of(ctx).outlook
    thresholds = BenchmarkThresholds(
        single_third_country_limit=settings.crma_limit,
        extraction=settings.crma_extraction_benchmark,
        processing=settings.crma_processing_benchmark,
        recycling=settings.crma_recycling_benchmark,
    )
    catalogue = catalogue_of(catalogue_file)
    store = None if all(Path(ref).exists() for ref in chain_refs) else store_of(workspace)
    opened = [open_chain(ref, store, catalogue) for ref in chain_refs]
    result = chain_outlook(opened, catalogue, thresholds)
    for chain in result.chains:
        if not chain.platforms:
            click.secho(
                _(
                    "chain {name!r} has no item of kind 'platform': exposure is computed per "
                    "platform, so there is nothing to show (mark the top items as platforms)"
                ).format(name=chain.chain),
                err=True,
                fg="yellow",
            )
    if fmt == "json":
        emit_json(result.to_json())
        return
    if fmt == "csv":
        emit_csv(result.frame())
        return
    for chain in result.chains:
        _emit_chain_tables(chain, result, catalogue)


def _emit_chain_tables(
    chain: ChainBenchmarks, result: ChainOutlookResult, catalogue: MaterialCatalogue
) -> None:
    """Print one chain's outlook table, CRMA benchmark table and summary."""
    from ketenradar.reports.formatting import supplier_label
    from ketenradar.services.chain_outlook import BENCHMARKS

    limits = result.thresholds
    frame = chain.materials.reset_index()
    frame["name"] = [catalogue.name(m, current_language()) for m in frame["material"]]
    emit_table(
        frame,
        [
            ("name", N_("material"), -1),
            ("platforms", N_("platforms"), -1),
            ("iea_2030_supply_minus_demand_kt", N_("IEA 2030 supply − demand kt"), 0),
            ("iea_2030_shortfall", N_("shortfall 2030"), -1),
            ("iea_2040_supply_minus_demand_kt", N_("IEA 2040 supply − demand kt"), 0),
            ("iea_2040_shortfall", N_("shortfall 2040"), -1),
            ("reserve_lifetime_years_report", N_("lifetime report (y)"), 0),
            ("reserve_lifetime_years_usgs", N_("lifetime USGS (y)"), 0),
            ("price_volatility_pct", N_("price vol. %"), 0),
        ],
        title=_("Outlook of chain {name!r}: per material of its platforms").format(name=chain.chain),
        caption=_(
            "IEA Global Critical Minerals Outlook 2024 (as cited in Berenschot 2024): shortfall = supply "
            "below demand; — = the IEA gives no figures for the material. Lifetime = reserves / world "
            "production: the report's printed figure and USGS MCS 2025. Price volatility: the report's "
            "printed percentage (no shipped source defines one otherwise)."
        ),
    )
    for stage in ("mining", "processing"):
        frame[f"{stage}_chain"] = [
            supplier_label(c, s)
            for c, s in zip(
                frame[f"{stage}_chain_third_country"],
                frame[f"{stage}_chain_third_country_share"],
                strict=True,
            )
        ]
        frame[f"{stage}_ec"] = [
            supplier_label(c, s)
            for c, s in zip(
                frame[f"{stage}_ec_third_country"], frame[f"{stage}_ec_third_country_share"], strict=True
            )
        ]
    emit_table(
        frame,
        [
            ("name", N_("material"), -1),
            ("crma_strategic", N_("strategic"), -1),
            ("mining_chain", N_("mining: chain"), -1),
            ("processing_chain", N_("processing: chain"), -1),
            ("crma_chain_exceeds_limit", N_("over limit (chain)"), -1),
            ("mining_ec", N_("mining: EC"), -1),
            ("processing_ec", N_("processing: EC"), -1),
            ("crma_ec_exceeds_limit", N_("over limit (EC)"), -1),
        ],
        title=_("CRMA single-country benchmark of chain {name!r}").format(name=chain.chain),
        caption=_(
            "Largest share of one country outside the EU+EEA per stage: on the chain's own sourcing "
            "(the worst platform; world = EC 2023 global supply where the chain is silent) and on the "
            "EC basis (EU sourcing, else global supply); over the limit of {limit}: strategic materials "
            "only (— for the others)."
        ).format(limit=format_percent(limits.single_third_country_limit)),
    )
    for column in ("extraction_eu_share", "processing_eu_share", "recycling_eol_rir"):
        frame[f"{column}_text"] = [format_percent(v, 1) for v in frame[column]]
    emit_table(
        frame,
        [
            ("name", N_("material"), -1),
            ("crma_strategic", N_("strategic"), -1),
            ("extraction_eu_share_text", N_("EU extraction"), -1),
            ("extraction_below_benchmark", N_("below"), -1),
            ("processing_eu_share_text", N_("EU processing"), -1),
            ("processing_below_benchmark", N_("below"), -1),
            ("recycling_eol_rir_text", N_("EOL-RIR"), -1),
            ("recycling_below_benchmark", N_("below"), -1),
        ],
        title=_("CRMA capacity benchmarks of chain {name!r} (proxies)").format(name=chain.chain),
        caption=_(
            "Benchmarks: EU extraction {extraction}, processing {processing}, recycling {recycling} of "
            "the Union's consumption, flagged for strategic materials only. Proxies at mining and "
            "processing: 1 − the EC's import reliance, else the EU27 share of the EC's EU sourcing, "
            "else of global supply; for recycling the end-of-life recycling input rate (EC 2023, else "
            "the report). — = no figure."
        ).format(
            extraction=format_percent(limits.extraction),
            processing=format_percent(limits.processing),
            recycling=format_percent(limits.recycling),
        ),
    )
    words = {code: text for code, _column, text in BENCHMARKS}
    summary = chain.summary.assign(benchmark_text=[_(words[c]) for c in chain.summary["benchmark"]])
    emit_table(
        summary,
        [
            ("benchmark_text", N_("benchmark"), -1),
            ("flagged", N_("flagged"), 0),
            ("not_flagged", N_("not flagged"), 0),
            ("unknown", N_("unknown or n/a"), 0),
            ("materials", N_("materials flagged"), -1),
            ("platforms", N_("platforms affected"), -1),
        ],
        title=_("Summary of chain {name!r}: materials flagged per benchmark").format(name=chain.chain),
    )
