"""Sections of a report on users' chains: the chain and scenario sections per chain, and what the rest needs.

A report on users' chains shows, for each chain in the order given, the chain section and the
scenario section (the same China gallium/germanium scenario as the demo), each titled with the
chain's name and with reproduce commands on that chain. The foresight and action sections need
inputs a chain workbook does not hold (a scenario with probabilities and stockpile candidates;
measures; bids): they say what they need and show the commands, and invent nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ketenradar.locale import _
from ketenradar.reports.context import ChainRun, ReportContext, demo_scenario_path
from ketenradar.reports.html import Section
from ketenradar.reports.sections import chain, scenario

__all__ = ["action_needs", "chain_builders", "foresight_needs"]

SectionBuilder = Callable[[ReportContext], Section]


def _suffix(index: int) -> str:
    """Return the id suffix of the index-th chain (none for the first, so that links stay stable)."""
    return "" if index == 0 else f"_{index + 1}"


def _on(ctx: ReportContext, run: ChainRun) -> ReportContext:
    """Return the context with ``run`` as the chain the chain and scenario sections render."""
    return dataclasses.replace(ctx, chain=run.exposure, scenario=run.scenario)


def _chain_section(ctx: ReportContext, index: int) -> Section:
    """Build the chain section on the index-th user's chain."""
    run = ctx.chains[index]
    built = chain.build(_on(ctx, run))
    return dataclasses.replace(
        built,
        id="chain" + _suffix(index),
        title=_("Value chain: {name}").format(name=run.name),
        intro=_(
            "The chain {name} as given ({reference}): material content per platform, country exposure per "
            "stage, the single points of failure and how deep the sourcing is known. Where the chain gives "
            "no sourcing, world supply shares are used."
        ).format(name=run.name, reference=run.reference),
        source_note=(
            _(
                "Chain: {name} ({source}). Where the chain gives no sourcing, EC (2023) global supply shares "
                "are used (basis 'world'). Reproduce: ketenradar chain exposure {reference} --format json"
            ).format(
                name=run.name, source=run.exposure.chain.source or run.reference, reference=run.reference
            ),
        ),
    )


def _scenario_section(ctx: ReportContext, index: int) -> Section:
    """Build the scenario section on the index-th user's chain."""
    run = ctx.chains[index]
    built = scenario.build(_on(ctx, run))
    spec = run.scenario.result.scenario
    return dataclasses.replace(
        built,
        id="scenario" + _suffix(index),
        title=_("Scenario on {name}: China stops gallium and germanium exports").format(name=run.name),
        source_note=(
            _(
                "Scenario: {source}; severity 1.0 is the stress-test assumption, not an observed figure. "
                "Reproduce: ketenradar scenario run {scenario} --chain {reference}"
            ).format(source=spec.source, scenario=demo_scenario_path(), reference=run.reference),
        ),
    )


def chain_builders(ctx: ReportContext) -> list[SectionBuilder]:
    """Return the chain and scenario section builders of each user's chain, chain by chain."""
    builders: list[SectionBuilder] = []
    for index in range(len(ctx.chains)):

        def chain_section(c: ReportContext, index: int = index) -> Section:
            return _chain_section(c, index)

        def scenario_section(c: ReportContext, index: int = index) -> Section:
            return _scenario_section(c, index)

        builders += [chain_section, scenario_section]
    return builders


def foresight_needs(ctx: ReportContext) -> Section:
    """Build the foresight section of a report on users' chains: what it needs, and the commands."""
    reference = ctx.chains[0].reference if ctx.chains else "CHAIN"
    return Section(
        id="foresight",
        title=_("Foresight: disruption over time, losses, stockpile and benchmarks"),
        intro=_(
            "Not computed for your chain: the timelines, the loss distribution and the stockpile plan need "
            "a scenario with probabilities and durations for your chain's risks, and stockpile candidates "
            "(which items may be stocked, the cost of a day of stock and the bounds). The example chain's "
            "inputs are not used on your chain."
        ),
        blocks=(),
        source_note=(
            _("Compute them with your own inputs:"),
            f"ketenradar scenario simulate SCENARIO.yaml --chain {reference}",
            f"ketenradar stockpile plan --chain {reference} --scenario SCENARIO.yaml "
            "--candidates CANDIDATES.csv --budget EUR",
        ),
    )


def action_needs(ctx: ReportContext) -> Section:
    """Build the action section of a report on users' chains: what it needs, and the commands."""
    reference = ctx.chains[0].reference if ctx.chains else "CHAIN"
    return Section(
        id="action",
        title=_("Action: measures, roadmap and procurement"),
        intro=_(
            "Not computed for your chain: ranking measures needs a measures file for your chain (which "
            "supplier, stock or substitute each measure adds, with its cost); the roadmap is drafted from "
            "that ranking; the procurement example needs the bids to compare. The example chain's measures "
            "and bids are not used on your chain."
        ),
        blocks=(),
        source_note=(
            _("Compute them with your own inputs:"),
            f"ketenradar measures rank --chain {reference} --scenario {demo_scenario_path()} "
            "--measures MEASURES.yaml",
            f"ketenradar roadmap draft --chain {reference} --product-group GROUP --ranking RANKING.json",
            "ketenradar procure evaluate BIDS.xlsx",
        ),
    )
