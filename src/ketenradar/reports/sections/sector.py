"""Section: the sector picture.

Risk-impact matrices, usage-weighted exposure, disclosure control, ownership, materiel origin
and the report's product groups.
"""

from __future__ import annotations

import pandas as pd

from ketenradar.locale import _, country_name, format_percent
from ketenradar.model.vocabulary import label
from ketenradar.reports.charts import exposure_chart, matrix_chart
from ketenradar.reports.context import MATRIX_DOMAINS, ReportContext
from ketenradar.reports.formatting import sentence
from ketenradar.reports.html import Section, TableColumn, figure, render_table
from ketenradar.reports.interactive import exposure_figure, matrix_figure
from ketenradar.reports.sections.chain import material_label
from ketenradar.reports.sections.materials import country_names
from ketenradar.services.synth import SYNTHETIC_NOTE

__all__ = ["build"]


def build(ctx: ReportContext) -> Section:
    """Build the sector section."""
    material = material_label(ctx)
    panels = {
        _("{domain} (synthetic)").format(domain=label("domain", domain)): ctx.matrices[domain].points.assign(
            label=lambda f: f["material"].map(material).fillna(f["material"])
        )
        for domain in MATRIX_DOMAINS
    }
    for name, domain in zip(panels, MATRIX_DOMAINS, strict=True):
        panels[name].attrs.update(ctx.matrices[domain].points.attrs)
    matrix_labels = {
        "title": _("Risk-impact matrices per domain — SYNTHETIC questionnaire data"),
        "x_label": _("share of companies using the material"),
        "y_label": _("EC supply risk 2023"),
    }
    chart = matrix_chart(panels, **matrix_labels)
    exposure = ctx.matrices["all"].exposure
    stage_names = {stage: label("stage", stage) for stage in ("mining", "processing")}
    exposure_bars = exposure.assign(label=exposure["stage"].map(stage_names))
    exposure_labels = {
        "title": _("Usage-weighted country exposure (synthetic usage × EC 2023 shares)"),
        "x_label": _("share of usage-weighted supply"),
    }
    names = country_names(ctx)
    exposure_svg = exposure_chart(
        exposure_bars, list(stage_names.values()), **exposure_labels, country_names=names
    )
    suppressed = pd.DataFrame(
        [
            {"table": t.heading(), "cells": int(t.counts.size), "suppressed": int(t.hidden.to_numpy().sum())}
            for t in ctx.survey.tables.values()
        ]
    )
    ownership = ctx.ownership
    owners = ownership.by_country.head(10).assign(
        country_label=lambda f: [country_name(c, n) for c, n in zip(f["country"], f["name"], strict=True)]
    )
    materiel = ctx.materiel
    suppliers = materiel.by_supplier.assign(
        supplier_label=lambda f: [country_name(c, n) for c, n in zip(f["supplier"], f["name"], strict=True)]
    )
    groups = ctx.product_groups.table
    blocks = (
        figure(
            chart,
            _("{note}. Dashed lines: averages; suppressed counts give no point.").format(
                note=_(SYNTHETIC_NOTE)
            ),
            interactive=matrix_figure(panels, **matrix_labels),
        ),
        figure(
            exposure_svg,
            _("Countries below 2 % pooled as 'other'; hatched: not explained by the EC shares."),
            interactive=exposure_figure(
                exposure_bars, list(stage_names.values()), **exposure_labels, country_names=names
            ),
        ),
        render_table(
            suppressed,
            [
                TableColumn("table", "published table"),
                TableColumn("cells", "cells", 0),
                TableColumn("suppressed", "suppressed cells", 0),
            ],
            caption=_(
                "Disclosure control: fewer than 3 companies, or one company > 50 % of the FTE, plus "
                "secondary suppression along every published total"
            ),
        ),
        render_table(
            owners,
            [
                TableColumn("country", "ISO3", verbatim=True),
                TableColumn("country_label", "legal-owner country", verbatim=True),
                TableColumn("count", "companies", 0),
                TableColumn("count_share", "share", 0, percent=True),
                TableColumn("weight", "FTE (2022)", 0),
                TableColumn("weight_share", "FTE share", 0, percent=True),
                TableColumn("high_risk", "high-risk"),
            ],
            caption=_("Ownership of the NLDTIB: {share} of companies foreign-owned (report: 28 %)").format(
                share=format_percent(ownership.foreign_share_count, 0)
            ),
        ),
        render_table(
            suppliers,
            [
                TableColumn("supplier", "ISO3", verbatim=True),
                TableColumn("supplier_label", "supplier", verbatim=True),
                TableColumn("units", "units", 0),
                TableColumn("share", "share", 1, percent=True),
            ],
            caption=_(
                "Weapon systems ordered by the Netherlands 2018-2022: {share} from the United States "
                "(report: 81 %)"
            ).format(share=format_percent(materiel.indicators["largest_supplier_share"], 0)),
        ),
        render_table(
            groups,
            [
                TableColumn("hs_code", "HS", verbatim=True),
                TableColumn("description", "product group", verbatim=True),
                TableColumn("europe_pct", "Europe %", 0),
                TableColumn("asia_pct", "Asia %", 0),
                TableColumn("china_pct", "China %", 0),
                TableColumn("north_america_pct", "N. America %", 0),
                TableColumn("africa_pct", "Africa %", 0),
                TableColumn("australia_pct", "Australia %", 0),
            ],
            caption=_(
                "World production value by region for the report's 11 defence product groups "
                "(labels as printed)"
            ),
        ),
    )
    return Section(
        id="sector",
        title=_("The sector picture"),
        intro=_(
            "How the industry depends on critical raw materials: usage (share of companies using a "
            "material) against supply risk per domain, the countries that usage rests on, who owns the "
            "companies and where the armed forces' materiel comes from. The questionnaire part uses a "
            "SYNTHETIC questionnaire set generated by ketenradar (286 fictitious companies): real answers "
            "are confidential and go through `ketenradar survey import`. Every published count passes "
            "statistical disclosure control."
        ),
        blocks=blocks,
        source_note=(
            _(
                "Questionnaire: SYNTHETIC (ketenradar survey synth, seed 2024). "
                "Supply risk and country shares: EC (2023). Ownership: Company.info/KvK (2024); "
                "materiel: SIPRI 2018-2022; product groups: "
                "TNO/Comtrade 2022 — all three as cited in Berenschot (2024). Reproduce: ketenradar matrix, "
                "ketenradar ownership, ketenradar materiel, ketenradar trade groups."
            ),
        ),
        notes=tuple(sentence(note) for note in ownership.notes + materiel.notes),
    )
