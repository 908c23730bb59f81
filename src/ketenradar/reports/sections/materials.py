"""Section: the 34 EU critical raw materials — SR, EI, lifetime, largest suppliers, CRMA; two charts."""

from __future__ import annotations

import pandas as pd

from ketenradar.locale import _, country_name
from ketenradar.reports.charts import concentration_chart, sr_ei_chart
from ketenradar.reports.context import ReportContext
from ketenradar.reports.html import Section, TableColumn, figure, render_table
from ketenradar.reports.interactive import concentration_figure, sr_ei_figure
from ketenradar.reports.sections.common import material_names, missing_note, supplier_label
from ketenradar.services.materials import any_flag

__all__ = ["build", "country_names", "named_supplier"]


def country_names(ctx: ReportContext) -> dict[str, str]:
    """Return ISO3 code → country name in the report's language, for every country of the data."""
    table = ctx.countries.countries
    return {
        str(iso3): country_name(str(iso3), str(name))
        for iso3, name in zip(table.index, table["name"], strict=True)
    }


def named_supplier(country: object, share: object, names: dict[str, str]) -> str | None:
    """Return e.g. ``China 94%``: the country's name (its code where it has none) and its share."""
    return supplier_label(names.get(country, country) if isinstance(country, str) else country, share)


def _stage_columns(stages: pd.DataFrame, index: pd.Index, stage: str) -> pd.DataFrame:
    """Return one stage's rows of the stage table aligned to ``index`` (all missing if absent)."""
    if stage in stages.index.get_level_values("stage"):
        return stages.xs(stage, level="stage").reindex(index)
    return pd.DataFrame(index=index, columns=stages.columns)


def build(ctx: ReportContext) -> Section:
    """Build the materials section."""
    overview = ctx.materials
    frame = overview.materials[overview.materials["category"] == "eu_crm_2023"].copy()
    names = country_names(ctx)
    for stage in ("mining", "processing"):
        part = _stage_columns(overview.stages, frame.index, stage)
        frame[f"{stage}_top"] = [
            named_supplier(c, s, names)
            for c, s in zip(part["largest_country"], part["largest_share"], strict=True)
        ]
        frame[f"{stage}_share"] = part["largest_share"]
        frame[f"{stage}_country"] = part["largest_country"]
        frame[f"{stage}_third"] = part["crma_third_country_share"]
        frame[f"{stage}_crma"] = part["crma_exceeds_limit"]
    frame["third_max"] = frame[["mining_third", "processing_third"]].max(axis=1)
    frame["crma"] = any_flag(frame[["mining_crma", "processing_crma"]])
    strategic, critical = _("S"), _("C")
    frame["flags"] = [
        ", ".join(flag for flag, raised in ((strategic, s), (critical, c)) if raised)
        for s, c in zip(frame["crma_strategic"], frame["eu_2023_critical"], strict=True)
    ]
    frame["name"] = material_names(frame)
    frame = frame.sort_values("sr_published", ascending=False)
    table = render_table(
        frame,
        [
            TableColumn("name", "material"),
            TableColumn("flags", "EU"),
            TableColumn("sr_published", "SR 2023", 1),
            TableColumn("sr_computed", "SR computed", 2),
            TableColumn("sr_bottleneck_stage", "bottleneck", vocabulary="stage"),
            TableColumn("ei_published", "EI 2023", 1),
            TableColumn("ei_computed", "EI computed", 2),
            TableColumn("reserve_lifetime_years", "reserve lifetime (y), report", 0),
            TableColumn("reserve_lifetime_years_usgs", "reserve lifetime (y), USGS MCS 2025", 0),
            TableColumn("mining_top", "largest mining", verbatim=True),
            TableColumn("processing_top", "largest processing", verbatim=True),
            TableColumn("third_max", "largest third country (EU sourcing)", 0, percent=True),
            TableColumn("crma", "CRMA > 65%"),
        ],
        row_class=["flag" if c else "" for c in frame["crma"]],
        highlight=_("Highlighted: a strategic material of which one third country supplies more than 65%."),
    )
    chart_data = pd.DataFrame(
        {
            "sr": frame["sr_published"],
            "ei": frame["ei_published"],
            "strategic": frame["crma_strategic"],
            "label": frame["name"],
        }
    )
    sr_ei_title = _("Supply risk against economic importance (EC 2023)")
    ei_label, sr_label = _("Economic importance (EI)"), _("Supply risk (SR)")
    sr_ei = sr_ei_chart(chart_data, title=sr_ei_title, x_label=ei_label, y_label=sr_label)
    conc = frame[["mining_share", "mining_country", "processing_share", "processing_country"]]
    conc = conc.assign(
        label=frame["name"],
        sort_key=frame[["mining_share", "processing_share"]].max(axis=1).fillna(0),
    )
    conc_labels = {
        "title": _("Largest supplying country per material and stage"),
        "x_label": _("Share of global supply"),
    }
    chart = concentration_chart(conc, **conc_labels)
    notes = tuple(
        _("{material}: computed SR unavailable — {reason}.").format(
            material=row.name, reason=row.sr_unavailable_reason
        )
        for row in frame.itertuples()
        if row.sr_unavailable_reason
    )
    wgi = overview.options.wgi_years
    return Section(
        id="materials",
        title=_("The 34 EU critical raw materials"),
        intro=_(
            "Supply risk (SR) and economic importance (EI) as published by the European Commission "
            "in 2023, next to SR recomputed by ketenradar from the EC's own inputs with the EC method. "
            "Where an input is missing the computed value is left empty and the reason is given. "
            "S = strategic under the Critical Raw Materials Act (Annex I; a group where any member "
            "is), C = critical (EU list 2023)."
        ),
        blocks=(
            table,
            figure(
                sr_ei,
                _("Dashed lines: the EC thresholds SR 1.0 and EI 2.8. Source: EC (2023)."),
                interactive=sr_ei_figure(chart_data, title=sr_ei_title, x_label=ei_label, y_label=sr_label),
            ),
            figure(
                chart,
                _(
                    "Hatched bars: mining; plain bars: processing; dashed line: 65%. Groups (rare earths, "
                    "PGM) show the mean of their elements' shares. Source: EC (2023) global supply shares."
                ),
                interactive=concentration_figure(conc, **conc_labels),
            ),
        ),
        source_note=(
            _(
                "Sources: European Commission (2023), Study on the critical raw materials for the EU 2023 "
                "(SR, EI, country shares, parameters; CC BY 4.0); World Bank WGI 2024 update (governance, "
                "years {wgi_years}); reserve lifetime: the report's own figures (Berenschot 2024, labelled "
                "there USGS MCS 2024) and USGS MCS 2025 (reserves 2024 / production 2024). "
                "CRMA: largest third-country share of EU sourcing (EC 2023) against 65% for the strategic "
                "materials of Regulation (EU) 2024/1252, Annex I (a group by its strategic members)."
            ).format(wgi_years=f"{wgi[0]}–{wgi[-1]}"),
            missing_note(),
        ),
        notes=notes,
    )
