"""Section: IEA demand and supply; the report's lifetimes and country call-outs beside USGS and EC."""

from __future__ import annotations

from markupsafe import Markup

from ketenradar.locale import _, country_name, current_language
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
            TableColumn("reserves_t", "reserves (t), report", 0),
            TableColumn("world_production_t", "world production (t/y), report", 0),
            TableColumn("reserve_lifetime_years_published", "lifetime (y), report", 0),
            TableColumn("reserve_lifetime_years_usgs", "lifetime (y), USGS MCS 2025", 0),
            TableColumn("reserve_lifetime_years_usgs_2023", "lifetime (y), USGS with 2023 production", 0),
            TableColumn("reserve_lifetime_conflict", "report outside USGS ±20%"),
            TableColumn("price_volatility_pct", "price volatility (%), report", 0),
            TableColumn("eu_eol_rir", "EU end-of-life recycling input, report", 0, percent=True),
            TableColumn("eu_eol_rir_ec", "EU end-of-life recycling input, EC 2023", 0, percent=True),
            TableColumn("us_government_stockpile", "US stockpile"),
        ],
        caption=_(
            "USGS lifetime = world reserves 2024 / world mine production 2024 (and 2023) of the "
            "series mapped to the material; host-mineral proxies for magnesium (magnesite), "
            "titanium metal (ilmenite and rutile) and the rare earths (total oxide). Missing where "
            "USGS gives no reserves or only a lower bound."
        ),
        row_class=["flag" if c is True else "" for c in eu["reserve_lifetime_conflict"]],
        highlight=_("Highlighted: the report's lifetime lies more than 20% outside the USGS MCS 2025 range."),
    )
    return Section(
        id="outlook",
        title=_("Outlook: demand, supply and the EU benchmarks"),
        intro=_(
            "Demand against supply from the IEA outlook; a ratio above 1 is a shortfall. Reserve "
            "lifetime = reserves / annual world production: the report's own figures, which it "
            "labels USGS MCS 2024 but which differ from the USGS, beside the lifetime from USGS "
            "MCS 2025. No price volatility is computed where the report gives none: no source "
            "defines the measure."
        ),
        blocks=(iea_table, lifetime, _callout_table(ctx)),
        source_note=(
            _(
                "Sources: IEA Global Critical Minerals Outlook 2024 and the report's reserves, "
                "production, price volatility and recycling rates, as printed in Berenschot (2024); "
                "USGS Mineral Commodity Summaries 2025 data release (reserves, world production); "
                "European Commission (2023) (EU end-of-life recycling input rates, global supply "
                "shares); country call-outs: Berenschot (2024), citing World Mine Production and "
                "Reserves 2023."
            ),
            missing_note(),
        ),
    )


def _callout_table(ctx: ReportContext) -> Markup:
    """Render the report's country call-outs beside the EC 2023 shares, flagged over 10 points."""
    callouts = ctx.materials.callouts.copy()
    callouts["country_name"] = [
        country_name(iso3, name)
        for iso3, name in zip(callouts["country"], callouts["country_name"], strict=True)
    ]
    lang = current_language()
    callouts["material_name"] = [ctx.materials.catalogue.name(m, lang) for m in callouts["material"]]
    callouts["report_share"] = callouts["share_pct"] / 100.0
    callouts["ec_share"] = callouts["ec_share_pct"] / 100.0
    return render_table(
        callouts,
        [
            TableColumn("country_name", "country"),
            TableColumn("material_name", "material"),
            TableColumn("report_share", "share in the report (mining)", 0, percent=True),
            TableColumn("ec_share", "EC 2023 global supply", 1, percent=True),
            TableColumn("ec_stage", "EC stage", vocabulary="stage"),
            TableColumn("difference_pct_points", "difference (percentage points)", 1),
            TableColumn("differs_over_limit", "more than 10 points apart"),
        ],
        caption=_(
            "The report's country call-outs (Berenschot 2024) beside the EC 2023 global-supply "
            "share of the same country, at mining where the EC assesses mining, else at processing."
        ),
        row_class=["flag" if flag is True else "" for flag in callouts["differs_over_limit"]],
        highlight=_("Highlighted: the report and the EC differ by more than 10 percentage points."),
    )
