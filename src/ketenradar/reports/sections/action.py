"""Section: action — measures ranked by their effect, the catalogue, the roadmap, a procurement example.

Renders the results :func:`~ketenradar.reports.context.build_action` computed once: the
shipped example measures re-run under the China gallium/germanium scenario on the example
chain (alone and all together), the report's measure catalogue as impact against effort with
the shares of companies taking each kind of measure, and — from :mod:`.action_plan` — the
military-ships roadmap drafted from that ranking and the worked procurement example.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from markupsafe import Markup

from ketenradar.locale import N_, _, current_language, format_number
from ketenradar.reports.charts import impact_effort_chart
from ketenradar.reports.context import (
    ACTION_START,
    ActionResults,
    ReportContext,
    demo_bids_path,
    demo_chain_path,
    demo_measures_path,
    demo_scenario_path,
)
from ketenradar.reports.html import Section, TableColumn, figure, render_table
from ketenradar.reports.interactive import impact_effort_figure
from ketenradar.reports.sections.action_plan import HORIZON_WORDS, procurement_blocks, roadmap_blocks, words
from ketenradar.reports.sections.common import missing_note
from ketenradar.services.measures import COMBINED_ID

__all__ = ["KIND_WORDS", "build"]

# A measure's kind (the change it makes to the chain) in words.
KIND_WORDS = {
    "add_supplier": N_("add a supplier"),
    "add_stock": N_("add stock"),
    "substitute": N_("substitute"),
    "remove_country": N_("remove a country"),
    "combination": N_("combination"),
}
# The report's ratings in words.
_RATING_WORDS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
_ACTOR_WORDS = {"government": N_("government"), "companies": N_("companies")}
# Platform-days avoided per euro are tiny numbers; the tables show them per million euros.
_MILLION = 1_000_000.0


def build(ctx: ReportContext) -> Section:
    """Build the action section."""
    action = ctx.action
    source = action.ranking.scenario.source
    blocks = (
        *_measure_blocks(action, source),
        *_catalogue_blocks(action),
        *roadmap_blocks(action, source),
        *procurement_blocks(action),
    )
    return Section(
        id="action",
        title=_("Action: measures, roadmap and procurement"),
        intro=_(
            "Where the analysis turns into action: example measures re-run under the China "
            "gallium and germanium scenario on the example chain and ranked by their effect per "
            "euro, the report's catalogue of measures as impact against effort, the roadmap for "
            "the military ships drafted from that ranking, and a worked procurement example that "
            "weighs price against the origin of a frigate's parts and raw materials."
        ),
        blocks=blocks,
        source_note=(
            _(
                "Measures, their costs, the bids' prices, delivery times, NL/EU content and origin "
                "shares: illustrative example inputs of ketenradar, not sourced figures or estimates; "
                "the example chain is illustrative too. Scenario source: {source}."
            ).format(source=source),
            _(
                "Ratings of the measures and their time horizons: Berenschot (2024), the report's "
                "tables of measures; companies taking measures: Berenschot (2024) NLDTIB survey; "
                "world shares: EC 2023 global supply; country risk: the composite of the shipped "
                "WGI, OECD CRC and FSI snapshots."
            ),
            _(
                "Reproduce: ketenradar measures rank --chain {chain} --scenario {scenario} --measures "
                "{measures} [--combine all] --format json > ranking.json; ketenradar roadmap draft "
                '--chain {chain} --product-group "military ships" --platform frigate --scenario '
                "{scenario} --ranking ranking.json --start {start}; ketenradar procure evaluate {bids}"
            ).format(
                chain=demo_chain_path(),
                scenario=demo_scenario_path(),
                measures=demo_measures_path(),
                start=ACTION_START,
                bids=demo_bids_path(),
            ),
            missing_note(),
        ),
        notes=tuple(action.procurement.notes),
    )


def _measure_names(action: ActionResults) -> pd.Series:
    """Return each measure's name (its id where it has none) by id, the combination in words."""
    frame = action.combined.measures
    names = frame["name"].where(frame["name"].astype(str) != "", frame["id"])
    names = pd.Series(names.to_numpy(), index=frame["id"].to_numpy())
    names[COMBINED_ID] = _("all measures together")
    return names


def _measure_blocks(action: ActionResults, source: str) -> tuple[Markup, ...]:
    """Render the ranking of the measures alone and their effects per platform, with the combination."""
    ranking = action.ranking.measures
    shown = ranking.assign(
        kind_text=words(ranking["kind"], KIND_WORDS),
        horizon_text=words(ranking["time_horizon"], HORIZON_WORDS),
        per_million=ranking["loss_avoided_per_eur"] * _MILLION,
    )
    table = render_table(
        shown,
        [
            TableColumn("rank", "rank", 0),
            TableColumn("name", "measure", verbatim=True),
            TableColumn("kind_text", "kind"),
            TableColumn("item", "item", verbatim=True),
            TableColumn("cost_eur", "cost (EUR)", 0),
            TableColumn("loss_avoided", "platform-days avoided", 1),
            TableColumn("per_million", "avoided per million EUR", 1),
            TableColumn("impact", "impact (1–3)", 0),
            TableColumn("effort", "effort (2–6)", 0),
            TableColumn("horizon_text", "time horizon"),
        ],
        caption=_(
            "The example measures ranked: each changes a copy of the example chain and the "
            "scenario is re-run on it (availability by the baseline rule, platform-days lost over "
            "{days} days); platform-days avoided are summed over the platforms. Ranked by "
            "platform-days avoided per euro (shown per million euros) where a measure has a cost, "
            "then by platform-days avoided. Impact, effort and time horizon: the report's rating "
            "of the catalogue measure the measure names. Costs: illustrative example inputs. "
            "Source: {source}."
        ).format(days=format_number(365, 0), source=source),
    )
    names = _measure_names(action)
    platform_names = action.ranking.chain.items.set_index("id")["name"].astype(str)
    together = action.combined.platforms
    effects = pd.concat(
        [action.ranking.platforms, together[together["measure"] == COMBINED_ID]], ignore_index=True
    )
    effects = effects.assign(
        name=effects["measure"].map(names), platform=effects["id"].map(platform_names).fillna(effects["id"])
    )
    combined = action.combined.measures.set_index("id")
    alone = float(np.nansum(ranking["loss_avoided"].to_numpy(dtype=float)))
    effect_table = render_table(
        effects,
        [
            TableColumn("name", "measure", verbatim=True),
            TableColumn("platform", "platform", verbatim=True),
            TableColumn("availability_before", "availability, before", 0, percent=True),
            TableColumn("availability_after", "availability, after", 0, percent=True),
            TableColumn("days_lost_before", "days lost, before", 1),
            TableColumn("days_lost_after", "days lost, after", 1),
        ],
        caption=_(
            "Each platform's availability and platform-days lost over {days} days before and after "
            "each measure alone and all measures together. Effects do not add up: together the "
            "measures avoid {together} platform-days, the measures alone {alone} added up, since "
            "availability is a minimum over the inputs and a measure helps only as far as no other "
            "input limits the platform. Costs: illustrative example inputs. Source: {source}."
        ).format(
            days=format_number(365, 0),
            together=format_number(float(combined.loc[COMBINED_ID, "loss_avoided"]), 1),
            alone=format_number(alone, 1),
            source=source,
        ),
    )
    return table, effect_table


def _catalogue_blocks(action: ActionResults) -> tuple[Markup, ...]:
    """Render the catalogue as impact against effort, its rated measures and the shares taking them."""
    measures = action.catalogue.measures
    rated = measures.dropna(subset=["impact_score", "effort"])
    unrated = measures.loc[measures["impact_score"].isna() | measures["effort"].isna(), "measure_id"]
    text_column = "measure_nl" if current_language() == "nl" else "measure"
    points = pd.DataFrame(
        {
            "label": rated["measure_id"].to_numpy(),
            "impact": rated["impact_score"].to_numpy(dtype=float),
            "effort": rated["effort"].to_numpy(dtype=float),
            "time_horizon": rated["time_horizon"].to_numpy(),
            "loss_avoided": np.nan,
        }
    )
    labels = {
        "title": _("Measures of the report: impact against effort"),
        "x_label": _("effort (investment + complexity)"),
        "y_label": _("impact"),
    }
    chart = figure(
        impact_effort_chart(points, **labels),
        _(
            "Impact against effort of the report's {n} rated measures (low 1, medium 2, high 3; "
            "effort = investment + complexity), the time horizon as the marker, all markers the "
            "same size (the catalogue's measures are rated, not quantified); the labels are the "
            "ids of the table below. Not drawn: {unrated}, the overview of measure types, which "
            "the report does not rate. Source: Berenschot (2024), the report's tables of measures."
        ).format(n=format_number(len(rated), 0), unrated=f"{unrated.iloc[0]}–{unrated.iloc[-1]}"),
        interactive=impact_effort_figure(points, **labels),
    )
    named = {m for m in action.ranking.measures["measure_type"] if isinstance(m, str) and m}
    shown = rated.assign(
        text=rated[text_column],
        actor_text=words(rated["actor"], _ACTOR_WORDS),
        **{f"{c}_text": words(rated[c], _RATING_WORDS) for c in ("impact", "investment", "complexity")},
        horizon_text=words(rated["time_horizon"], HORIZON_WORDS),
    )
    catalogue_table = render_table(
        shown,
        [
            TableColumn("measure_id", "id", verbatim=True),
            TableColumn("actor_text", "actor"),
            TableColumn("text", "measure", verbatim=True),
            TableColumn("impact_text", "impact"),
            TableColumn("horizon_text", "time horizon"),
            TableColumn("investment_text", "investment"),
            TableColumn("complexity_text", "complexity"),
            TableColumn("effort", "effort (2–6)", 0),
        ],
        caption=_(
            "The report's rated measures for government (G) and companies (C) with its ratings. "
            "Source: Berenschot (2024), the report's tables of measures."
        ),
        row_class=["flag" if m in named else "" for m in shown["measure_id"]],
        highlight=_("named as the measure type of an example measure above"),
    )
    taken = action.catalogue.taken
    taken_table = render_table(
        taken.assign(text=taken[text_column], share=taken["pct_companies"] / 100.0),
        [
            TableColumn("rank", "rank", 0),
            TableColumn("text", "measure", verbatim=True),
            TableColumn("share", "% of companies", 0, percent=True),
        ],
        caption=_(
            "Measures companies already take: the share of the responding NLDTIB companies taking "
            "each kind of measure (several answers possible). Source: Berenschot (2024) NLDTIB survey."
        ),
    )
    return chart, catalogue_table, taken_table
