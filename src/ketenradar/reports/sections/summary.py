"""Section: the summary — the key numbers of the other sections, each taken from their results.

Nothing is computed here beyond picking: the count of EU critical raw materials, the most
concentrated supplies (largest country share per material and stage), each chain's single
points of failure and its lowest platform availability under the scenario, the stockpile
plan's loss avoided and the top-ranked measure. A figure a report does not have (the stockpile
plan and the measures on a user's chain) is not shown; a note says why.
"""

from __future__ import annotations

import pandas as pd

from ketenradar.locale import _, format_number
from ketenradar.reports.context import ChainRun, ReportContext
from ketenradar.reports.html import Section, TableColumn, render_table
from ketenradar.reports.sections.common import material_names
from ketenradar.reports.sections.materials import country_names

__all__ = ["TOP_CONCENTRATED", "build", "key_figures", "most_concentrated"]

# How many of the most concentrated supplies the summary lists.
TOP_CONCENTRATED = 5


def _runs(ctx: ReportContext) -> list[tuple[str, ChainRun | None]]:
    """Return (chain name, run) per chain of the report; the demo chain has no ChainRun."""
    if ctx.chains:
        return [(run.name, run) for run in ctx.chains]
    return [(ctx.chain.chain.name, None)]


def key_figures(ctx: ReportContext) -> pd.DataFrame:
    """Return the summary's key figures: figure, value or share (as computed), unit and section."""
    materials = ctx.materials.materials
    # eu_2023_critical holds True/False/None (object): compare, so that None counts as not critical.
    critical = materials["eu_2023_critical"].eq(True)
    eu_critical = int(((materials["category"] == "eu_crm_2023") & critical).sum())
    rows: list[dict[str, object]] = [
        {
            "figure": _("EU critical raw materials (2023 list)"),
            "value": eu_critical,
            "share": None,
            "unit": _("materials"),
            "section": _("materials"),
        }
    ]
    for name, run in _runs(ctx):
        exposure = run.exposure if run is not None else ctx.chain
        scenario = run.scenario if run is not None else ctx.scenario
        rows.append(
            {
                "figure": _("Single points of failure in chain {name}").format(name=name),
                "value": len(exposure.result.single_points),
                "share": None,
                "unit": _("platform, part or material"),
                "section": _("chain"),
            }
        )
        platforms = scenario.result.platforms
        if len(platforms) and platforms["availability"].notna().any():
            worst = platforms.loc[platforms["availability"].idxmin()]
            names = scenario.chain.items.set_index("id")["name"]
            rows.append(
                {
                    "figure": _(
                        "Lowest platform availability under the scenario: {platform} (chain {name})"
                    ).format(platform=names.get(worst["id"], worst["id"]), name=name),
                    "value": None,
                    "share": float(worst["availability"]),
                    "unit": _("of normal output"),
                    "section": _("scenario"),
                }
            )
    if ctx.foresight_results is not None:
        stockpile = ctx.foresight_results.stockpile
        rows.append(
            {
                "figure": _(
                    "Platform-days lost avoided by the stockpile plan (budget {budget} a year)"
                ).format(budget=format_number(stockpile.plan.budget, 0) + " €"),
                "value": float(stockpile.loss_avoided),
                "share": None,
                "unit": _("platform-days a year (mean of the draws)"),
                "section": _("foresight"),
            }
        )
    if ctx.action_results is not None:
        measures = ctx.action_results.ranking.measures
        top = measures.sort_values("rank").head(1)
        for record in top.itertuples():
            rows.append(
                {
                    "figure": _("Top-ranked measure: {measure}").format(measure=record.name),
                    "value": float(record.loss_avoided),
                    "share": None,
                    "unit": _("platform-days avoided over 365 days"),
                    "section": _("action"),
                }
            )
    return pd.DataFrame(rows, columns=["figure", "value", "share", "unit", "section"])


def most_concentrated(ctx: ReportContext, top: int = TOP_CONCENTRATED) -> pd.DataFrame:
    """Return the EU-list materials whose supply is most concentrated in one country, largest share first.

    Each material appears once, with its most concentrated stage (EC 2023 shares); ties keep the
    material ids' order, so that the list is the same on every run.
    """
    listed = ctx.materials.materials.index[ctx.materials.materials["category"] == "eu_crm_2023"]
    stages = ctx.materials.stages.dropna(subset=["largest_share"]).reset_index()
    stages = stages[stages["material"].isin(listed)]
    stages = stages.sort_values(["largest_share", "material", "stage"], ascending=[False, True, True])
    stages = stages.drop_duplicates("material").head(top)
    names = material_names(ctx.materials.materials).reindex(stages["material"])
    countries = country_names(ctx)
    return stages.assign(
        material_name=names.fillna(stages["material"]).to_numpy(),
        country_name=[countries.get(c, c) if isinstance(c, str) else None for c in stages["largest_country"]],
    )


def build(ctx: ReportContext) -> Section:
    """Build the summary section."""
    figures = render_table(
        key_figures(ctx),
        [
            TableColumn("figure", "key figure", verbatim=True),
            TableColumn("value", "value", 0),
            TableColumn("share", "share", 0, percent=True),
            TableColumn("unit", "unit", verbatim=True),
            TableColumn("section", "section", verbatim=True),
        ],
        caption=_("Key figures"),
    )
    concentrated = render_table(
        most_concentrated(ctx),
        [
            TableColumn("material_name", "material", verbatim=True),
            TableColumn("stage", "stage", vocabulary="stage"),
            TableColumn("country_name", "largest country", verbatim=True),
            TableColumn("largest_country", "ISO3", verbatim=True),
            TableColumn("largest_share", "share", 0, percent=True),
            TableColumn("shares_basis", "basis", verbatim=True),
        ],
        caption=_(
            "The most concentrated supplies: the EU-list materials with the largest single-country share"
        ),
    )
    notes: tuple[str, ...] = ()
    if ctx.on_user_chains:
        notes = (
            _(
                "The stockpile plan and the ranked measures are not part of this summary: on your "
                "chain they need inputs the chain does not hold (see the foresight and action sections)."
            ),
        )
    return Section(
        id="summary",
        title=_("Summary"),
        intro=_(
            "The key numbers of this report, each taken from the section named beside it; the "
            "sections below give the tables, the method and the sources."
        ),
        blocks=(figures, concentrated),
        source_note=(
            _(
                "Materials and supply shares: EC CRM list and criticality assessment 2023 (global supply "
                "shares, Annex 7). Chain, scenario, stockpile and measures: the results of the sections "
                "below, with their reproduce commands."
            ),
        ),
        notes=notes,
    )
