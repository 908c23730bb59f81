"""Section: the riskiest supplying countries with each weighted component of their risk."""

from __future__ import annotations

from ketenradar.locale import N_, _, country_name, format_number
from ketenradar.reports.charts import country_risk_chart
from ketenradar.reports.context import ReportContext
from ketenradar.reports.html import Section, TableColumn, figure, render_table
from ketenradar.reports.interactive import country_risk_figure
from ketenradar.reports.sections.common import missing_note
from ketenradar.services.materials import supplier_countries

__all__ = ["RISKIEST_COUNTRIES_SHOWN", "SUPPLIER_MIN_SHARE", "build"]

RISKIEST_COUNTRIES_SHOWN = 20
SUPPLIER_MIN_SHARE = 0.01
# Legend of each weighted component in the chart.
_COMPONENTS = {
    "w_wgi": N_("WGI"),
    "w_oecd_crc": N_("OECD"),
    "w_fsi": N_("FSI"),
    "w_atradius_star": N_("STAR"),
}


def build(ctx: ReportContext) -> Section:
    """Build the countries section."""
    frame = ctx.countries.countries.loc[
        supplier_countries(ctx.materials.catalogue, SUPPLIER_MIN_SHARE)
    ].copy()
    frame = frame.sort_values("composite_risk", ascending=False).head(RISKIEST_COUNTRIES_SHOWN)
    frame["iso3"] = frame.index
    frame["country"] = [
        country_name(iso3, name) for iso3, name in zip(frame.index, frame["name"], strict=True)
    ]
    # Indicators by their names (WGI, OECD, ...), not by the codes of the data.
    indicator = {column.removeprefix("w_"): _(legend) for column, legend in _COMPONENTS.items()}
    frame["missing"] = frame["missing_indicators"].map(
        lambda codes: ", ".join(indicator.get(c, c) for c in codes)
    )
    for name, weight in ctx.countries.weights.items():
        frame[f"w_{name}"] = frame[f"component_{name}"] * weight / frame["weight_coverage"]
    frame["label"] = frame["country"] + " (" + frame.index + ")"
    table = render_table(
        frame,
        [
            TableColumn("iso3", "ISO3", verbatim=True),
            TableColumn("country", "country", verbatim=True),
            TableColumn("nl_split", "NL/EU/third", vocabulary="split"),
            TableColumn("wgi_mean", "WGI mean", 2),
            TableColumn("oecd_crc", "OECD class", 0),
            TableColumn("fsi_total", "FSI", 1),
            TableColumn("component_wgi", "WGI 0..1", 2),
            TableColumn("component_oecd_crc", "OECD 0..1", 2),
            TableColumn("component_fsi", "FSI 0..1", 2),
            TableColumn("component_atradius_star", "STAR 0..1", 2),
            TableColumn("composite_risk", "composite", 2),
            TableColumn("missing", "missing indicators", verbatim=True),
        ],
    )
    legends = {column: _(legend) for column, legend in _COMPONENTS.items()}
    labels = {
        "title": _("Weighted components of country risk"),
        "x_label": _("Composite country risk (0..1)"),
    }
    chart = country_risk_chart(frame, legends, **labels)
    # "WGI: 0.25; OECD: 0.25": each indicator by its name in the report's language.
    weights = "; ".join(
        f"{indicator.get(k, k)}: {format_number(v, 2)}" for k, v in ctx.countries.weights.items()
    )
    return Section(
        id="countries",
        title=_("The riskiest supplying countries"),
        intro=_(
            "Composite country risk: the weighted mean of indicators scaled to 0..1 (higher = riskier). "
            "A missing indicator does not count as zero: the weights of the available ones are "
            "renormalised and the gap is listed. Shown: the {n} riskiest countries among those that "
            "supply any listed material (EC 2023 global supply ≥ 1%)."
        ).format(n=RISKIEST_COUNTRIES_SHOWN),
        blocks=(
            table,
            figure(
                chart,
                _(
                    "Each bar adds the weighted components; a missing component adds nothing and the "
                    "others are renormalised."
                ),
                interactive=country_risk_figure(frame, legends, **labels),
            ),
        ),
        source_note=(
            _(
                "Sources: World Bank WGI 2023 (2024 update; CC BY 4.0), OECD Country Risk Classification "
                "(valid 2026-01-30), Fund for Peace Fragile States Index 2023. Atradius STAR: not public, "
                "only from a user file. Weights: {weights}."
            ).format(weights=weights),
            missing_note(),
        ),
    )
