"""Section: foresight on the example chain — timelines, loss distribution, stockpile plan, benchmarks.

Renders the results :func:`~ketenradar.reports.context.build_foresight` computed once: the
daily output without and with the stockpile plan's stock, the Monte Carlo of the stockpile
example's illustrative scenario, the plan against the naive plan, and the chain's outlook and
CRMA benchmark flags.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from markupsafe import Markup

from ketenradar.locale import N_, _, current_language, format_number, format_percent
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.scenario import Shock
from ketenradar.model.vocabulary import label
from ketenradar.reports.charts import loss_comparison_chart, loss_histogram_chart, timeline_chart
from ketenradar.reports.context import (
    ForesightResults,
    ReportContext,
    demo_candidates_path,
    demo_chain_path,
    demo_stockpile_scenario_path,
)
from ketenradar.reports.formatting import supplier_label
from ketenradar.reports.html import Section, TableColumn, figure, render_table
from ketenradar.reports.interactive import loss_comparison_figure, loss_histogram_figure, timeline_figure
from ketenradar.reports.sections.common import missing_note
from ketenradar.services.chain_outlook import (
    BENCHMARKS,
    EC_EU_SOURCING,
    EC_GLOBAL_SUPPLY,
    EC_IMPORT_RELIANCE,
    ChainBenchmarks,
)
from ketenradar.services.simulation import ChainSimulation

__all__ = ["build"]

# The proxy bases of the CRMA capacity benchmarks, in words.
_BASIS_WORDS = {
    EC_IMPORT_RELIANCE: N_("1 − EC 2023 import reliance"),
    EC_EU_SOURCING: N_("EU27 share of the EC 2023 EU sourcing"),
    EC_GLOBAL_SUPPLY: N_("EU27 share of the EC 2023 global supply"),
}
_RECYCLING_SOURCES = {
    "ec_parameters": N_("EC 2023"),
    "seed_world_production_reserves": N_("the report (Berenschot 2024)"),
}


def build(ctx: ReportContext) -> Section:
    """Build the foresight section."""
    foresight = ctx.foresight
    names = foresight.timeline.chain.items.set_index("id")["name"].astype(str)
    catalogue = ctx.materials.catalogue
    spec = foresight.stockpile.plan.before.scenario
    source = spec.source
    blocks = (
        *_timeline_blocks(foresight, names, source),
        *_loss_blocks(foresight, names, catalogue, source),
        *_stockpile_blocks(foresight, names, source),
        *_outlook_blocks(foresight.outlook.chains[0], names, catalogue, foresight),
    )
    stock = (
        _("The example chain holds stock of its own; it is included in every run.")
        if foresight.chain_has_stock
        else _("The example chain holds no stock of its own: every stock in this section is the plan's.")
    )
    return Section(
        id="foresight",
        title=_("Foresight: disruption over time, losses, stockpile and benchmarks"),
        intro=_(
            "Looking ahead on the example chain with an illustrative scenario whose shocks have "
            "assumed probabilities: the platforms' daily output over a year, the platform-days "
            "lost over simulated years, a stockpile plan within a budget against the naive plan, "
            "and the outlook and CRMA benchmark flags of the chain's materials."
        ),
        blocks=blocks,
        source_note=(
            _(
                "Scenario, probabilities, severities, durations, stockpile costs, bounds and budget: "
                "illustrative example inputs of ketenradar, not sourced figures, estimates or "
                "forecasts; the example chain's quantities and sourcing are illustrative too. "
                "Scenario source: {source}."
            ).format(source=spec.source),
            _(
                "World shares where the chain names no countries: EC 2023 global supply. Outlook: "
                "IEA Global Critical Minerals Outlook 2024 (as printed in Berenschot 2024), USGS "
                "Mineral Commodity Summaries 2025, European Commission (2023); CRMA limit and "
                "benchmarks: Regulation (EU) 2024/1252, art. 5(1)."
            ),
            _(
                "Reproduce: ketenradar scenario simulate {scenario} --chain {chain}; ketenradar "
                "scenario montecarlo {scenario} --chain {chain} --draws {draws} --seed {seed}; "
                "ketenradar stockpile plan --chain {chain} --scenario {scenario} --candidates {candidates} "
                "--budget {budget} --draws {draws} --seed {seed}; ketenradar outlook --chain {chain}"
            ).format(
                scenario=demo_stockpile_scenario_path(),
                chain=demo_chain_path(),
                candidates=demo_candidates_path(),
                draws=foresight.montecarlo.result.draws,
                seed=foresight.montecarlo.result.seed,
                budget=f"{foresight.stockpile.plan.budget:.0f}",
            ),
            missing_note(),
        ),
        notes=(stock,),
        quotes=(spec.name, spec.description.strip()),
    )


def _platform_names(ids: list[str] | np.ndarray, names: pd.Series) -> list[str]:
    """Return the names of platform (or item) ids, the id where the chain has no name."""
    return [str(names.get(i, i)) for i in ids]


def _timeline_blocks(foresight: ForesightResults, names: pd.Series, source: str) -> tuple[Markup, ...]:
    """Render the timeline chart and table: without added stock and with the plan's stock."""
    variants: dict[str, ChainSimulation] = {
        _("without added stock"): foresight.timeline,
        _("with the plan's stock"): foresight.timeline_with_plan,
    }
    series = {
        variant: pd.DataFrame(
            run.result.series, index=_platform_names(run.result.platforms["id"].tolist(), names)
        )
        for variant, run in variants.items()
    }
    horizon = foresight.timeline.result.horizon_days
    labels = {
        "title": _("Daily output per platform"),
        "x_label": _("day"),
        "y_label": _("output (1 = normal)"),
    }
    chart = figure(
        timeline_chart(series, **labels),
        _(
            "Daily output of each platform over {days} days when every shock of the scenario "
            "occurs on its start day (day 0) for its duration, probabilities not drawn: without "
            "added stock (solid) and with the stockpile plan's days added to the candidates' "
            "stock (dashed). Source: {source}."
        ).format(days=format_number(horizon, 0), source=source),
        interactive=timeline_figure(series, **labels),
    )
    frames = []
    for variant, run in variants.items():
        platforms = run.result.platforms
        frames.append(
            pd.DataFrame(
                {
                    "name": _platform_names(platforms["id"].tolist(), names),
                    "variant": variant,
                    "days_lost": platforms["days_lost"].to_numpy(dtype=float),
                    "stockout": [
                        _("never") if day is None else format_number(day, 0)
                        for day in run.result.stockout_day
                    ],
                    "min_output": platforms["min_output"].to_numpy(dtype=float),
                    "first_short": [
                        _("none runs out") if item is None else str(names.get(item, item))
                        for item in run.result.first_short
                    ],
                }
            )
        )
    table = render_table(
        pd.concat(frames, ignore_index=True),
        [
            TableColumn("name", "platform", verbatim=True),
            TableColumn("variant", "stock"),
            TableColumn("days_lost", "platform-days lost", 1),
            TableColumn("stockout", "first day below normal"),
            TableColumn("min_output", "lowest output", 2),
            TableColumn("first_short", "first stock to run out"),
        ],
        caption=_(
            "The timelines in numbers: platform-days lost = Σ over days of (1 − output); the "
            "first day with output below 1 (day 0 is the first day); the lowest daily output; "
            "the item whose stock runs out first. Source: {source}."
        ).format(source=source),
    )
    return chart, table


def _shock_labels(shocks: tuple[Shock, ...], catalogue: MaterialCatalogue, names: pd.Series) -> list[str]:
    """Return a label per shock in the active language: number, countries, stage, what it covers."""
    lang = current_language()
    labels = []
    for number, shock in enumerate(shocks, start=1):
        what = [catalogue.name(m, lang) for m in shock.materials] + [
            str(names.get(i, i)) for i in shock.items
        ]
        labels.append(
            f"{number}: {', '.join(shock.countries)} · {label('stage', shock.stage)} · "
            + (", ".join(what) or _("all items"))
        )
    return labels


def _loss_blocks(
    foresight: ForesightResults, names: pd.Series, catalogue: MaterialCatalogue, source: str
) -> tuple[Markup, ...]:
    """Render the Monte Carlo table, the histogram of days lost and the shocks' contributions."""
    run = foresight.montecarlo
    result = run.result
    draws_text = {"draws": format_number(result.draws, 0), "seed": format_number(result.seed, 0)}
    frame = result.platforms
    platform_names = _platform_names(frame["id"].tolist(), names)
    table = render_table(
        frame.assign(name=platform_names),
        [
            TableColumn("name", "platform", verbatim=True),
            TableColumn("mean_days_lost", "mean platform-days lost a year", 1),
            TableColumn("p50", "median (p50)", 1),
            TableColumn("p90", "p90", 1),
            TableColumn("p95", "p95", 1),
            TableColumn("p99", "p99", 1),
            TableColumn("p_loss", "share of years with a loss", 1, percent=True),
        ],
        caption=_(
            "Platform-days lost per simulated year over {draws} draws (seed {seed}): mean, "
            "percentiles (linear interpolation) and the share of years with any loss. Each draw "
            "is one year of 365 days; a shock occurs with its probability, at most once, on a "
            "uniformly drawn day, cut off at the year's end. Source: {source}."
        ).format(**draws_text, source=source),
    )
    losses = dict(zip(platform_names, result.days_lost, strict=True))
    chart_labels = {
        "title": _("Platform-days lost per simulated year"),
        "x_label": _("platform-days lost in the year"),
        "y_label": _("share of draws"),
    }
    chart = figure(
        loss_histogram_chart(
            losses,
            title=chart_labels["title"],
            x_label=chart_labels["x_label"],
            y_label=chart_labels["y_label"],
        ),
        _(
            "Distribution of the platform-days lost per simulated year, {draws} draws (seed "
            "{seed}): the share of draws in each bin, one line per platform. Source: {source}."
        ).format(**draws_text, source=source),
        interactive=loss_histogram_figure(
            losses,
            title=chart_labels["title"],
            x_label=chart_labels["x_label"],
            y_label=chart_labels["y_label"],
        ),
    )
    shocks = result.scenario.shocks
    labels = _shock_labels(shocks, catalogue, names)
    occurring = result.occurred.sum(axis=0).astype(float)
    contributions = result.contributions  # platforms × shocks
    n_platforms, n_shocks = contributions.shape
    long = pd.DataFrame(
        {
            "shock": np.tile(np.asarray(labels, dtype=object), n_platforms),
            "probability": np.tile(np.array([s.probability for s in shocks], dtype=float), n_platforms),
            "occurring": np.tile(occurring / max(result.draws, 1), n_platforms),
            "name": np.repeat(np.asarray(platform_names, dtype=object), n_shocks),
            "contribution": contributions.reshape(-1),
        }
    )
    contribution_table = render_table(
        long,
        [
            TableColumn("shock", "shock"),
            TableColumn("probability", "assumed probability a year", 0, percent=True),
            TableColumn("occurring", "share of draws in which it occurs", 1, percent=True),
            TableColumn("name", "platform", verbatim=True),
            TableColumn("contribution", "contribution (platform-days a year)", 1),
        ],
        caption=_(
            "Each shock's contribution: the platform's mean days lost minus its mean days lost "
            "over the same draws with that shock removed. Shocks that overlap in time share "
            "their losses, so the contributions need not add up to the mean. Source: {source}."
        ).format(source=source),
    )
    return table, chart, contribution_table


def _stockpile_blocks(foresight: ForesightResults, names: pd.Series, source: str) -> tuple[Markup, ...]:
    """Render the plan table, the comparison with no stock and the naive plan, and its chart."""
    stockpile = foresight.stockpile
    plan = stockpile.plan
    candidates = stockpile.candidates_frame()
    candidates["max_days_text"] = [
        _("no bound") if np.isnan(v) else format_number(v, 0) for v in candidates["max_days"]
    ]
    plan_table = render_table(
        candidates,
        [
            TableColumn("name", "item", verbatim=True),
            TableColumn("days", "days added", 0),
            TableColumn("months", "months of cover", 1),
            TableColumn("cost", "cost (euros a year)", 0),
            TableColumn("cost_per_day", "cost of a day (euros a year)", 0),
            TableColumn("max_days_text", "at most (days)"),
            TableColumn("risk_days", "expected shortfall (days a year)", 1),
            TableColumn("naive_days", "naive plan: days", 0),
            TableColumn("naive_cost", "naive plan: cost (euros a year)", 0),
        ],
        caption=_(
            "The stockpile plan: whole days of stock per candidate that minimise the expected "
            "platform-days lost within a budget of {budget} euros a year, over {draws} draws "
            "(seed {seed}); months of cover = days / (365 / 12). The naive plan spends the "
            "budget on the candidates in order of their expected shortfall. Costs per day and "
            "bounds: illustrative example inputs. Source: {source}."
        ).format(
            budget=format_number(plan.budget, 0),
            draws=format_number(plan.before.draws, 0),
            seed=format_number(plan.before.seed, 0),
            source=source,
        ),
    )
    comparison = pd.DataFrame(
        {
            "plan": [_("no added stock"), _("naive plan"), _("the plan")],
            "cost": [0.0, float(plan.naive_cost.sum()), float(plan.cost.sum())],
            "loss": [plan.expected_loss_before, plan.expected_loss_naive, plan.expected_loss_after],
            "avoided": [0.0, stockpile.naive_loss_avoided, stockpile.loss_avoided],
        }
    )
    comparison_table = render_table(
        comparison,
        [
            TableColumn("plan", "stock"),
            TableColumn("cost", "cost (euros a year)", 0),
            TableColumn("loss", "expected platform-days lost a year", 1),
            TableColumn("avoided", "avoided (platform-days a year)", 1),
        ],
        caption=_(
            "Expected platform-days lost a year, summed over the platforms, from Monte Carlo "
            "re-runs on the same draws. Budget {budget} euros a year; the plan spends {spent}, "
            "the naive plan {naive}. Model bound: {bound} platform-days a year, the programme's "
            "optimum if stock were held back for the most useful days (the re-run draws it from "
            "the first short day). Costs per day and bounds: illustrative example inputs. Source: {source}."
        ).format(
            budget=format_number(plan.budget, 0),
            spent=format_number(float(plan.cost.sum()), 0),
            naive=format_number(float(plan.naive_cost.sum()), 0),
            bound=format_number(plan.model_bound, 1),
            source=source,
        ),
    )
    platforms = stockpile.platforms_frame()
    platforms["label"] = _platform_names(platforms["id"].tolist(), names)
    total = pd.DataFrame(
        {
            "label": [_("all platforms")],
            "days_lost_before": [plan.expected_loss_before],
            "days_lost_naive": [plan.expected_loss_naive],
            "days_lost_after": [plan.expected_loss_after],
        }
    )
    bars: Mapping[str, str] = {
        "days_lost_before": _("no added stock"),
        "days_lost_naive": _("naive plan"),
        "days_lost_after": _("the plan"),
    }
    rows = pd.concat([platforms, total], ignore_index=True)
    labels = {
        "title": _("Expected platform-days lost a year"),
        "x_label": _("platform-days lost a year (mean over the draws)"),
    }
    chart = figure(
        loss_comparison_chart(rows, bars, **labels),
        _(
            "Expected platform-days lost a year per platform and in all: no added stock, the "
            "naive plan and the plan, re-run on the same {draws} draws. Costs per day and "
            "bounds: illustrative example inputs. Source: {source}."
        ).format(draws=format_number(plan.before.draws, 0), source=source),
        interactive=loss_comparison_figure(rows, bars, **labels),
    )
    return plan_table, comparison_table, chart


def _outlook_blocks(
    chain: ChainBenchmarks, names: pd.Series, catalogue: MaterialCatalogue, foresight: ForesightResults
) -> tuple[Markup, ...]:
    """Render the chain's benchmark summary and its flagged materials (single country, capacity)."""
    lang = current_language()
    thresholds = foresight.outlook.thresholds
    words = {code: _(text) for code, _column, text in BENCHMARKS}
    summary = chain.summary.assign(
        benchmark_text=[words[c] for c in chain.summary["benchmark"]],
        materials_text=[", ".join(catalogue.name(m, lang) for m in ms) for ms in chain.summary["materials"]],
        platforms_text=[", ".join(_platform_names(list(ps), names)) for ps in chain.summary["platforms"]],
    )
    summary_table = render_table(
        summary,
        [
            TableColumn("benchmark_text", "benchmark"),
            TableColumn("flagged", "materials flagged", 0),
            TableColumn("not_flagged", "not flagged", 0),
            TableColumn("unknown", "no figure or not applicable", 0),
            TableColumn("materials_text", "flagged materials"),
            TableColumn("platforms_text", "platforms affected"),
        ],
        caption=_(
            "Outlook and CRMA benchmark flags of the example chain, over the materials its "
            "platforms contain: IEA supply below demand in 2030 and 2040; one country outside "
            "the EU+EEA over {limit} at a stage, on the chain's own sourcing and on the EC "
            "basis; EU extraction, processing and recycling below {extraction}, {processing} "
            "and {recycling} (strategic materials only). Sources: IEA Global Critical Minerals "
            "Outlook 2024 (as printed in Berenschot 2024), USGS MCS 2025, European Commission "
            "(2023); Regulation (EU) 2024/1252."
        ).format(
            limit=format_percent(thresholds.single_third_country_limit),
            extraction=format_percent(thresholds.extraction),
            processing=format_percent(thresholds.processing),
            recycling=format_percent(thresholds.recycling),
        ),
    )
    materials = chain.materials
    flag_columns = [column for _code, column, _text in BENCHMARKS]
    flagged = materials[(materials[flag_columns] == True).any(axis=1)].reset_index()  # noqa: E712
    flagged["name"] = [catalogue.name(m, lang) for m in flagged["material"]]
    flagged["platforms_text"] = [", ".join(_platform_names(list(ps), names)) for ps in flagged["platforms"]]
    for stage in ("mining", "processing"):
        for basis in ("chain", "ec"):
            flagged[f"{stage}_{basis}_text"] = [
                supplier_label(c, s)
                for c, s in zip(
                    flagged[f"{stage}_{basis}_third_country"],
                    flagged[f"{stage}_{basis}_third_country_share"],
                    strict=True,
                )
            ]
    single_table = render_table(
        flagged,
        [
            TableColumn("name", "material"),
            TableColumn("platforms_text", "platforms"),
            TableColumn("iea_2030_shortfall", "IEA 2030 shortfall"),
            TableColumn("iea_2040_shortfall", "IEA 2040 shortfall"),
            TableColumn("mining_chain_text", "mining: chain"),
            TableColumn("processing_chain_text", "processing: chain"),
            TableColumn("crma_chain_exceeds_limit", "over limit (chain)"),
            TableColumn("mining_ec_text", "mining: EC"),
            TableColumn("processing_ec_text", "processing: EC"),
            TableColumn("crma_ec_exceeds_limit", "over limit (EC)"),
        ],
        caption=_(
            "The flagged materials: IEA shortfalls and the largest share of one country outside "
            "the EU+EEA per stage, on the chain's own sourcing (the worst platform; EC 2023 "
            "global supply where the chain names no countries) and on the EC basis. — where the "
            "IEA gives no figure for the material, or the benchmark does not apply (not a "
            "strategic material). Sources: IEA Global Critical Minerals "
            "Outlook 2024 (as printed in Berenschot 2024), USGS MCS 2025, European Commission "
            "(2023); Regulation (EU) 2024/1252."
        ),
    )
    for name in ("extraction", "processing"):
        flagged[f"{name}_basis_text"] = [
            _(_BASIS_WORDS[b]) if isinstance(b, str) and b in _BASIS_WORDS else None
            for b in flagged[f"{name}_eu_share_basis"]
        ]
    flagged["recycling_source_text"] = [
        _(_RECYCLING_SOURCES[s]) if isinstance(s, str) and s in _RECYCLING_SOURCES else None
        for s in flagged["recycling_source"]
    ]
    capacity_table = render_table(
        flagged,
        [
            TableColumn("name", "material"),
            TableColumn("extraction_eu_share", "EU extraction", 1, percent=True),
            TableColumn("extraction_basis_text", "proxy"),
            TableColumn("extraction_below_benchmark", "below"),
            TableColumn("processing_eu_share", "EU processing", 1, percent=True),
            TableColumn("processing_basis_text", "proxy"),
            TableColumn("processing_below_benchmark", "below"),
            TableColumn("recycling_eol_rir", "EOL-RIR", 1, percent=True),
            TableColumn("recycling_source_text", "source"),
            TableColumn("recycling_below_benchmark", "below"),
        ],
        caption=_(
            "CRMA capacity benchmarks of the flagged materials, by proxy: at mining and "
            "processing 1 − the EC's import reliance, else the EU27 share of the EC's EU "
            "sourcing, else of global supply; for recycling the end-of-life recycling input "
            "rate. Flags for strategic materials only. Sources: IEA Global Critical Minerals "
            "Outlook 2024 (as printed in Berenschot 2024), USGS MCS 2025, European Commission "
            "(2023); Regulation (EU) 2024/1252."
        ),
    )
    return summary_table, single_table, capacity_table
