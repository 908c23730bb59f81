"""Section: defence-critical materials outside the EU list, their missing figures shown as missing."""

from __future__ import annotations

from ketenradar.locale import _
from ketenradar.reports.context import ReportContext
from ketenradar.reports.html import Section, TableColumn, render_table
from ketenradar.reports.sections.common import material_names
from ketenradar.services.materials import EC_ASSESSED

__all__ = ["build"]


def build(ctx: ReportContext) -> Section:
    """Build the catalogue section."""
    materials = ctx.materials.materials
    extra = materials[~materials["category"].isin(EC_ASSESSED)].copy()
    extra["id"] = extra.index
    extra["name"] = material_names(extra)
    table = render_table(
        extra,
        [
            TableColumn("id", "id", verbatim=True),
            TableColumn("name", "material"),
            TableColumn("category", "category", vocabulary="material_category"),
            TableColumn("sr_published", "SR", 1),
            TableColumn("ei_published", "EI", 1),
            TableColumn("reserve_lifetime_years", "lifetime (y)", 0),
            TableColumn("sr_unavailable_reason", "why no score"),
        ],
    )
    return Section(
        id="catalogue",
        title=_("Beyond the EU list"),
        intro=_(
            "Defence also depends on materials the EU list does not cover. The catalogue takes them "
            "in from a file; where no source gives a figure, the report says so instead of guessing."
        ),
        blocks=(table,),
        source_note=(
            _(
                "Source: cabinet decision memo on chemistry and materials for defence (2026) and the "
                "ketenradar product brief (names only)."
            ),
        ),
    )
