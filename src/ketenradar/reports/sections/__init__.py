"""The report's sections, one module each; each renders results of the services, computes nothing.

:data:`SECTIONS` lists the section builders in report order; a new capability adds its module
and its entry here. :func:`sections_for` gives the builders of a report on users' chains: the
chain and scenario sections once per chain, and the foresight and action sections replaced by
what they need (see :mod:`.user_chain`).
"""

from __future__ import annotations

from collections.abc import Callable

from ketenradar.reports.context import ReportContext
from ketenradar.reports.html import Section
from ketenradar.reports.sections import (
    action,
    catalogue,
    chain,
    countries,
    foresight,
    maps,
    materials,
    outlook,
    scenario,
    sector,
    sources,
    summary,
)

__all__ = ["SECTIONS", "SectionBuilder", "sections_for"]

SectionBuilder = Callable[[ReportContext], Section]

SECTIONS: list[SectionBuilder] = [
    summary.build,
    materials.build,
    maps.build,
    countries.build,
    outlook.build,
    chain.build,
    scenario.build,
    foresight.build,
    action.build,
    sector.build,
    catalogue.build,
    sources.build,
]


def sections_for(ctx: ReportContext, sections: list[SectionBuilder] | None = None) -> list[SectionBuilder]:
    """Return the section builders of a report: ``sections`` (default SECTIONS), adapted to users' chains."""
    chosen = list(SECTIONS if sections is None else sections)
    if not ctx.on_user_chains:
        return chosen
    from ketenradar.reports.sections import user_chain  # imports this package: load it when needed

    adapted: list[SectionBuilder] = []
    for builder in chosen:
        if builder is chain.build:
            adapted += user_chain.chain_builders(ctx)
        elif builder is scenario.build:
            continue  # each chain's scenario section follows its chain section
        elif builder is foresight.build:
            adapted.append(user_chain.foresight_needs)
        elif builder is action.build:
            adapted.append(user_chain.action_needs)
        else:
            adapted.append(builder)
    return adapted
