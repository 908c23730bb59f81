"""The report's sections, one module each; each renders results of the services, computes nothing.

:data:`SECTIONS` lists the section builders in report order; a new capability adds its module
and its entry here.
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
    materials,
    outlook,
    scenario,
    sector,
    sources,
)

__all__ = ["SECTIONS", "SectionBuilder"]

SectionBuilder = Callable[[ReportContext], Section]

SECTIONS: list[SectionBuilder] = [
    materials.build,
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
