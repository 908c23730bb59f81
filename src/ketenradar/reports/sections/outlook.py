"""Section: IEA demand against supply, and reserve lifetimes reproduced from the report's inputs."""

from __future__ import annotations

from ketenradar.locale import _
from ketenradar.reports.context import ReportContext
from ketenradar.reports.html import Section, TableColumn, render_table
from ketenradar.reports.sections.common import material_names, missing_note

__all__ = ["build"]


def build(ctx: ReportContext) -> Section:
    """Build the outlook section."""
    iea = ctx.materials.iea_outlook.copy()
    iea_table = render_table(
        iea,
        [
            TableColumn("commodity", "commodity", vocabulary="commodity"),
            TableColumn("year", "year", verbatim=True),
            TableColumn("demand_kt", "demand (kt)", 0),
            TableColumn("supply_kt", "supply (kt)", 0),
            TableColumn("demand_supply_ratio", "demand / supply", 2),
            TableColumn("shortfall", "shortfall"),
        ],
        row_class=["flag" if s else "" for s in iea["shortfall"]],
        highlight=_("Highlighted: demand exceeds supply (a shortfall)."),
    )
    materials = ctx.materials.materials
    eu = materials[materials["category"] == "eu_crm_2023"].copy()
    eu["name"] = material_names(eu)
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
        title=_("Outlook: demand, supply and the EU benchmarks"),
        intro=_(
            "Demand against supply from the IEA outlook; a ratio above 1 is a shortfall. Reserve "
            "lifetime = reserves / annual world production, reproduced from the report's inputs."
        ),
        blocks=(iea_table, lifetime),
        source_note=(
            _(
                "Sources: IEA Global Critical Minerals Outlook 2024 and USGS MCS 2024, both as cited in "
                "Berenschot (2024)."
            ),
            missing_note(),
        ),
    )
