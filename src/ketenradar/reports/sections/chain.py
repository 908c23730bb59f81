"""Section: an example value chain — material content, exposure per stage, weak spots, visibility."""

from __future__ import annotations

import pandas as pd

from ketenradar.locale import _, current_language, format_percent
from ketenradar.reports.charts import exposure_chart
from ketenradar.reports.context import ReportContext, demo_chain_path
from ketenradar.reports.html import Section, TableColumn, figure, render_table
from ketenradar.reports.interactive import exposure_figure
from ketenradar.reports.sankey import sankey_figure, sankey_flows, sankey_svg
from ketenradar.reports.sections.materials import country_names, named_supplier

__all__ = ["SANKEY_COUNTRIES", "build", "material_label"]

# Countries drawn on their own in the chain's Sankey; the rest are pooled as "other countries".
SANKEY_COUNTRIES = 8


def material_label(ctx: ReportContext) -> dict[str, str]:
    """Return material id → name in the report's language, for every catalogue material."""
    catalogue = ctx.materials.catalogue
    dutch = current_language() == "nl"
    return {m: (catalogue[m].name_nl if dutch else catalogue[m].name_en) for m in catalogue}


def build(ctx: ReportContext) -> Section:
    """Build the chain section."""
    exposure = ctx.chain.result
    names = ctx.chain.chain.items.set_index("id")["name"]
    material = material_label(ctx)
    countries = country_names(ctx)
    content = exposure.content.pivot_table(index="material", columns="platform", values="quantity")
    content = content.reset_index()
    content["material_name"] = content["material"].map(material).fillna(content["material"])
    content_table = render_table(
        content,
        [
            TableColumn("material_name", "material"),
            TableColumn("material", "id", verbatim=True),
            *(TableColumn(p, _("{platform} (kg)").format(platform=names[p]), 1) for p in exposure.platforms),
        ],
        caption=_("Material content: total quantity per platform (illustrative quantities)"),
    )
    processing = exposure.shares[exposure.shares["stage"] == "processing"]
    order = exposure.coverage[exposure.coverage["stage"] == "processing"]
    bar = {
        (p, m): f"{names.get(p, p)} · {material.get(m, m)}"
        for p, m in zip(order["platform"], order["material"], strict=True)
    }
    bars = processing.assign(
        label=[bar[(p, m)] for p, m in zip(processing["platform"], processing["material"], strict=True)]
    )[["label", "country", "share"]]
    chart_title = _("Processing stage: where each platform's materials come from")
    x_label = _("Share of the material's quantity")
    chart = exposure_chart(
        bars, list(bar.values()), title=chart_title, x_label=x_label, country_names=countries
    )
    flows = sankey_flows(
        exposure.content,
        exposure.shares,
        exposure.coverage,
        stage="processing",
        top_countries=SANKEY_COUNTRIES,
        platform_names={str(p): str(names.get(p, p)) for p in exposure.platforms},
        material_names=material,
        country_names=countries,
    )
    sankey_title = _("Processing stage: from platform to material to country (kg)")
    split = ctx.chain.split_table()
    split["platform_name"] = split["platform"].map(names)
    split["material_name"] = split["material"].map(material).fillna(split["material"])
    split["top"] = [
        named_supplier(c, s, countries) for c, s in zip(split["top_country"], split["top_share"], strict=True)
    ]
    split_table = render_table(
        split,
        [
            TableColumn("platform_name", "platform", verbatim=True),
            TableColumn("material_name", "material"),
            TableColumn("stage", "stage", vocabulary="stage"),
            TableColumn("basis", "basis", vocabulary="basis"),
            TableColumn("known_fraction", "known from chain", 0, percent=True),
            TableColumn("top", "largest country", verbatim=True),
            TableColumn("NL", "NL", 0, percent=True),
            TableColumn("EU+EEA", "EU+EEA", 0, percent=True),
            TableColumn("third", "third countries", 0, percent=True),
            TableColumn("unknown_share", "unknown", 0, percent=True),
        ],
        caption=_("Country exposure per material and stage, split NL / EU+EEA / third countries"),
        row_class=["flag" if s >= 0.9 else "" for s in split["top_share"].fillna(0)],
        highlight=_("Highlighted: one country supplies 90% or more of the material at that stage."),
    )
    points = exposure.single_points.assign(
        platform_name=lambda f: f["platform"].map(names),
        item_name=lambda f: f["item"].map(names).fillna(f["item"]),
        country_name=lambda f: f["country"].map(countries).fillna(f["country"]),
    )
    points_table = render_table(
        points,
        [
            TableColumn("platform_name", "platform", verbatim=True),
            TableColumn("item_name", "item", verbatim=True),
            TableColumn("item", "id", verbatim=True),
            TableColumn("stage", "stage", vocabulary="stage"),
            TableColumn("country_name", "country", verbatim=True),
            TableColumn("share", "share", 0, percent=True),
            TableColumn("reason", "why"),
        ],
        caption=_(
            "Single points of failure: parts with one supplier or one supplying country, and materials "
            "of which one country supplies {threshold} or more"
        ).format(threshold=format_percent(exposure.spof_threshold, 0)),
    )
    visibility_table = render_table(
        exposure.branches.assign(
            platform_name=lambda f: f["platform"].map(names), name=lambda f: f["branch"].map(names)
        ),
        [
            TableColumn("platform_name", "platform", verbatim=True),
            TableColumn("name", "branch", verbatim=True),
            TableColumn("deepest_known_tier", "deepest known tier", 0),
            TableColumn("levels_below", "levels below", 0),
        ],
        caption=_("Visibility: deepest tier with known sourcing per branch"),
    )
    notes = tuple(
        _(
            "{platform}: {share} of the raw-material quantity has sourcing in the chain; the rest relies "
            "on world shares — the report's main finding that companies see only the first tiers."
        ).format(platform=names[row.platform], share=format_percent(row.material_quantity_known_fraction, 2))
        for row in exposure.visibility.itertuples()
        if not pd.isna(row.material_quantity_known_fraction)
    )
    return Section(
        id="chain",
        title=_("An example value chain: frigate and fighter"),
        intro=_(
            "Companies see their Tier 1-2 suppliers; the critical raw materials sit further upstream. "
            "ketenradar maps the chain (platform → subsystem → component → semi-finished → material), "
            "computes each platform's material content and country exposure per stage, and finds the "
            "single points of failure. Which subsystem uses which material follows public sources; "
            "all quantities and part sourcing in this example are illustrative."
        ),
        blocks=(
            content_table,
            figure(
                chart,
                _(
                    "Hatched: unknown (no chain sourcing and no world shares, e.g. super fibres "
                    "outside the EU list, or countries the EC does not list)."
                ),
                interactive=exposure_figure(
                    bars, list(bar.values()), title=chart_title, x_label=x_label, country_names=countries
                ),
            ),
            figure(
                sankey_svg(flows, title=sankey_title),
                _(
                    "Width: kilograms of the material in the platform times the country's share at the "
                    "processing stage (the chain's own sourcing where it has any, else world shares); "
                    "grey: countries outside the {top} largest, and the quantity no source places "
                    "(unknown). Published shares may sum to slightly more or less than 100%, and the "
                    "flows follow them."
                ).format(top=SANKEY_COUNTRIES),
                interactive=sankey_figure(flows, title=sankey_title),
            ),
            split_table,
            points_table,
            visibility_table,
        ),
        source_note=(
            _(
                "Chain: ketenradar example 'defence_demo' (usage facts from defence_material_usage.csv: "
                "IISS 2025, CRS R41744, DoD 2024, Berenschot 2024 and others; quantities illustrative). "
                "Where the chain "
                "gives no sourcing, EC (2023) global supply shares are used (basis 'world'). Reproduce: "
                "ketenradar chain exposure {path} --format json"
            ).format(path=demo_chain_path()),
        ),
        notes=notes,
    )
