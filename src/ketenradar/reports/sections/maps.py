"""Section: where the materials come from — world maps of the EC 2023 global supply shares.

In HTML one interactive map with a selector over every EU-list material and stage; in print
small multiples of static maps of the strategic materials (mining and processing side by side),
four materials to a figure. The countries with a share that the 1:110m map cannot draw are named.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from ketenradar.locale import _
from ketenradar.model.vocabulary import label
from ketenradar.reports.context import ReportContext
from ketenradar.reports.html import Section, figure
from ketenradar.reports.maps import MapPanel, choropleth_figure, geo_assets_js, map_grid_svg
from ketenradar.reports.sections.common import material_names
from ketenradar.reports.sections.materials import country_names
from ketenradar.services.maps import map_provenance, not_drawn
from ketenradar.services.materials import supply_shares

__all__ = ["MATERIALS_PER_FIGURE", "STAGES", "build", "geo_assets_block", "global_shares"]

STAGES = ("mining", "processing")
# Four materials (eight maps) fill a printed page.
MATERIALS_PER_FIGURE = 4


def global_shares(ctx: ReportContext) -> pd.DataFrame:
    """Return the EC 2023 global supply shares per catalogue material and stage (scope ``gs``)."""
    # The same cached table the materials overview was built from (a service read, no computing).
    shares = supply_shares(ctx.materials.catalogue)
    return shares[shares["scope"] == "gs"]


def _by_stage(shares: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """Return each (material, stage)'s shares as ISO3 → fraction (NaN: listed below 0.1 %)."""
    return {
        (str(material), str(stage)): pd.Series(
            part["share"].to_numpy(dtype="float64"), index=part["country"].astype(str).to_numpy()
        )
        for (material, stage), part in shares.groupby(["material", "stage"], sort=False)
    }


def geo_assets_block() -> Markup:
    """Return the script element that hands Plotly the shipped shapes (the report needs no network)."""
    # No "</" may end the element early; JSON allows "<\/" for it.
    return Markup("<script>" + geo_assets_js().replace("</", "<\\/") + "</script>")


def build(ctx: ReportContext) -> Section:
    """Build the maps section."""
    frame = ctx.materials.materials
    listed = frame[frame["category"] == "eu_crm_2023"].assign(name=lambda f: material_names(f))
    listed = listed.sort_values("name")
    by_stage = _by_stage(global_shares(ctx))
    empty = pd.Series(dtype="float64")
    names = country_names(ctx)
    layers = [
        (f"{row['name']} · {label('stage', stage)}", by_stage.get((str(material), stage), empty))
        for material, row in listed.iterrows()
        for stage in STAGES
    ]
    layers = [(text, series) for text, series in layers if not series.dropna().empty]
    strategic = listed[listed["eu_2023_strategic"].fillna(False).astype(bool)]
    panels = [
        MapPanel(
            f"{row['name']} · {label('stage', stage)}"
            + ("" if not by_stage.get((str(m), stage), empty).dropna().empty else " — " + _("no shares")),
            by_stage.get((str(m), stage), empty),
        )
        for m, row in strategic.iterrows()
        for stage in STAGES
    ]
    per_figure = MATERIALS_PER_FIGURE * len(STAGES)
    chunks = [panels[i : i + per_figure] for i in range(0, len(panels), per_figure)]
    interactive = choropleth_figure(layers, names, title=_("Share of global supply by country (EC 2023)"))
    caption = _(
        "Strategic materials (EU list 2023): share of global supply per country at the mining and "
        "processing stage. Grey: no figure in the EC data (not listed, or listed below 0.1%)."
    )
    blocks: list[Markup] = [geo_assets_block()]
    for i, chunk in enumerate(chunks):
        svg = map_grid_svg(chunk, columns=len(STAGES))
        if i == 0:
            blocks.append(
                figure(
                    svg,
                    _(
                        "Strategic materials (EU list 2023): share of global supply per country at the "
                        "mining and processing stage. Grey: no figure in the EC data (not listed, or "
                        "listed below 0.1%). On screen the map is interactive: pick any material of the "
                        "EU list and a stage; printed, the strategic materials follow as small multiples."
                    ),
                    interactive=interactive,
                )
            )
        else:
            blocks.append(figure(svg, caption))
    shown = pd.concat([s for _text, s in layers]) if layers else pd.Series(dtype="float64")
    small = not_drawn(shown.dropna().index[shown.dropna() > 0])
    notes = []
    if small:
        notes.append(
            _(
                "Not drawn (too small for a world map at 1:110m), though they have a share: {countries}."
            ).format(countries=", ".join(f"{names.get(code, code)} ({code})" for code in small))
        )
    shapes = map_provenance()
    return Section(
        id="maps",
        title=_("Where the materials come from"),
        intro=_(
            "World maps of the European Commission's global supply shares per country (2023), per "
            "material and stage. A map shows where the world's supply is, not where the Netherlands or "
            "a company buys; the chain sections show that. Shares in classes; a country without a "
            "figure stays grey and no share is estimated for it."
        ),
        blocks=tuple(blocks),
        source_note=(
            _(
                "Sources: European Commission (2023), Study on the critical raw materials for the EU 2023, "
                "Annex 7, global supply shares (CC BY 4.0). Groups (rare earths, PGM) show the mean of "
                "their elements' shares. Map: Natural Earth, Admin 0 country boundaries at 1:110m (public "
                "domain), as TopoJSON in world-atlas {edition} (ISC licence)."
            ).format(edition=shapes.edition.split(",")[0].removeprefix("world-atlas ")),
            _(
                "The shares are the shipped table ec_crm2023_global_supply_shares.csv (ketenradar sources); "
                "per material and stage also on the dashboard's material page (ketenradar serve)."
            ),
        ),
        notes=tuple(notes),
    )
