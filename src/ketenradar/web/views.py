"""What each page shows, as plain values already formatted for the active language.

The services compute; these functions pick, sort and format their results for one page, as the
report sections do. Every number goes through :func:`ketenradar.locale.format_number` or
:func:`~ketenradar.locale.format_percent` here, so templates only place and escape text. A
missing figure is shown as missing (``—``), never filled in.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ketenradar.locale import (
    MISSING,
    _,
    country_name,
    current_language,
    format_number,
    format_percent,
    yes_no,
)
from ketenradar.model.chain import Chain
from ketenradar.model.vocabulary import label
from ketenradar.services.countries import CountryOverview
from ketenradar.services.maps import choropleth_figure, legend, not_drawn, sankey_figure, sankey_flows
from ketenradar.services.materials import MaterialOverview
from ketenradar.web.charts import BarChart, bar_chart

__all__ = [
    "MAX_TREE_NODES",
    "TOP_CONCENTRATED",
    "TreeNode",
    "chain_sankey",
    "chain_tree",
    "country_map",
    "country_view",
    "figure_json",
    "flag",
    "map_legend",
    "material_maps",
    "material_name",
    "material_view",
    "number",
    "overview_view",
    "percent",
    "quantity_text",
    "shares_text",
]

# The overview lists this many material stages with the largest single-country share.
TOP_CONCENTRATED = 10
# A chain tree repeats shared parts under every parent; beyond this many nodes the page says it
# stopped, rather than growing without bound on a national chain.
MAX_TREE_NODES = 2000
# Countries named next to a material in the chain tree, per stage.
TREE_COUNTRIES = 3
# Bars in a material's chart, per stage; the table below it lists every country.
CHART_COUNTRIES = 10


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def number(value: Any, digits: int = 2) -> str:
    """Return a number in the active language's style, or ``—`` when it is missing."""
    return MISSING if _missing(value) else format_number(float(value), digits)


def percent(value: Any, digits: int = 1) -> str:
    """Return a fraction as a percentage in the active language's style, or ``—`` when missing."""
    return MISSING if _missing(value) else format_percent(float(value), digits)


def quantity_text(quantity: float) -> str:
    """Return a bom quantity: a whole number without decimals, a small one to three significant digits."""
    if _missing(quantity) or quantity <= 0 or float(quantity).is_integer():
        return number(quantity, 0)
    digits = 1 if quantity >= 1 else min(9, 2 - math.floor(math.log10(quantity)))
    return number(quantity, digits)


def flag(value: Any) -> str:
    """Return yes or no, or ``—`` when the flag is not known."""
    return MISSING if _missing(value) else yes_no(bool(value))


def material_name(materials: pd.DataFrame, material_id: str) -> str:
    """Return a material's name in the active language (its id when the catalogue has none)."""
    if material_id not in materials.index:
        return material_id
    column = "name_nl" if current_language() == "nl" else "name_en"
    name = materials.loc[material_id, column]
    if _missing(name) or not str(name).strip():
        name = materials.loc[material_id, "name_en"]
    return material_id if _missing(name) else str(name)


def _country(countries: pd.DataFrame, iso3: Any) -> str:
    if _missing(iso3):
        return MISSING
    code = str(iso3)
    english = str(countries.loc[code, "name"]) if code in countries.index else code
    return country_name(code, english)


def overview_view(eu: MaterialOverview, countries: CountryOverview, chains: list[Any]) -> dict[str, Any]:
    """Return the key numbers, the EU list and the most concentrated supplies for the overview page."""
    frame = eu.materials
    names = countries.countries
    rows = [
        {
            "id": material_id,
            "name": material_name(frame, str(material_id)),
            "strategic": flag(row["eu_2023_strategic"]),
            "sr": number(row["sr_published"], 1),
            "sr_computed": number(row["sr_computed"], 2),
            "ei": number(row["ei_published"], 1),
            "bottleneck": MISSING
            if _missing(row["sr_bottleneck_stage"])
            else label("stage", row["sr_bottleneck_stage"]),
        }
        for material_id, row in frame.iterrows()
    ]
    stages = eu.stages.reset_index().dropna(subset=["largest_share"])
    top = stages.sort_values(["largest_share", "material", "stage"], ascending=[False, True, True])
    concentrated = [
        {
            "id": row.material,
            "name": material_name(frame, row.material),
            "stage": label("stage", row.stage),
            "iso3": row.largest_country,
            "country": _country(names, row.largest_country),
            "share": percent(row.largest_share, 1),
        }
        for row in top.head(TOP_CONCENTRATED).itertuples()
    ]
    strategic = int(frame["eu_2023_strategic"].fillna(False).astype(bool).sum())
    return {
        "key_numbers": [
            {"label": _("materials on the EU list (2023)"), "value": format_number(len(frame), 0)},
            {"label": _("of which strategic"), "value": format_number(strategic, 0)},
            {"label": _("stored chains"), "value": format_number(len(chains), 0)},
        ],
        "materials": rows,
        "concentrated": concentrated,
        "sources": _sources(eu.provenance.to_json()),
    }


def _sources(provenance: dict[str, Any]) -> list[str]:
    """Return one line per dataset a result used: title, edition or year."""
    lines = []
    for dataset in provenance.get("datasets", []):
        title = dataset.get("title") or dataset.get("id")
        year = dataset.get("year") or dataset.get("edition")
        lines.append(f"{title} ({year})" if year else str(title))
    return lines


def material_view(
    overview: MaterialOverview, material_id: str, shares: pd.DataFrame, countries: CountryOverview
) -> dict[str, Any] | None:
    """Return a material's scores, flags and per-stage country shares; None for an unknown id."""
    if material_id not in overview.materials.index:
        return None
    row = overview.materials.loc[material_id]
    names = countries.countries
    stage_rows = (
        overview.stages.xs(material_id, level="material")
        if material_id in overview.stages.index.get_level_values("material")
        else overview.stages.iloc[0:0].droplevel("material")
    )
    mine = shares[shares["material"] == material_id]
    stages = []
    for stage, info in stage_rows.iterrows():
        here = mine[mine["stage"] == stage]
        wide = here.pivot_table(index="country", columns="scope", values="share", aggfunc="first")
        wide = wide.reindex(columns=["gs", "eu"])
        wide = wide.dropna(how="all").sort_values(["gs", "eu"], ascending=False, na_position="last")
        table = [
            {
                "iso3": iso3,
                "country": _country(names, iso3),
                "gs": percent(r["gs"], 1),
                "eu": percent(r["eu"], 1),
            }
            for iso3, r in wide.iterrows()
        ]
        chart_data = wide["gs"].dropna()
        chart_data = chart_data[chart_data > 0].head(CHART_COUNTRIES)
        chart: BarChart | None = None
        if not chart_data.empty:
            chart = bar_chart(
                [_country(names, iso3) for iso3 in chart_data.index],
                chart_data.to_numpy(),
                [percent(v, 1) for v in chart_data],
                title=_("Global supply, {stage}: largest countries").format(stage=label("stage", str(stage))),
            )
        stages.append(
            {
                "code": stage,
                "name": label("stage", str(stage)),
                "sr_published": number(info["sr_published"], 1),
                "sr_computed": number(info["sr_computed"], 2),
                "sr_reason": ""
                if _missing(info["sr_unavailable_reason"])
                else str(info["sr_unavailable_reason"]),
                "hhi_gs": number(info["hhi_gs"], 2),
                "hhi_eu": number(info["hhi_eu"], 2),
                "import_reliance": percent(info["import_reliance"], 0),
                "largest": _country(names, info["largest_country"]),
                "largest_share": percent(info["largest_share"], 1),
                "basis": "" if _missing(info["shares_basis"]) else str(info["shares_basis"]),
                "crma_exceeds": flag(info["crma_exceeds_limit"]),
                "table": table,
                "chart": chart,
            }
        )
    return {
        "id": material_id,
        "name": material_name(overview.materials, material_id),
        "sr_published": number(row["sr_published"], 1),
        "sr_computed": number(row["sr_computed"], 2),
        "sr_reason": "" if _missing(row["sr_unavailable_reason"]) else str(row["sr_unavailable_reason"]),
        "bottleneck": MISSING
        if _missing(row["sr_bottleneck_stage"])
        else label("stage", row["sr_bottleneck_stage"]),
        "ei_published": number(row["ei_published"], 1),
        "ei_computed": number(row["ei_computed"], 2),
        "ei_reason": "" if _missing(row["ei_unavailable_reason"]) else str(row["ei_unavailable_reason"]),
        "flags": [
            {"label": _("EU strategic raw material (2023)"), "value": flag(row["eu_2023_strategic"])},
            {"label": _("EU critical raw material (2023)"), "value": flag(row["eu_2023_critical"])},
            {"label": _("strategic under the CRMA (2024)"), "value": flag(row["crma_strategic"])},
        ],
        "stages": stages,
        "sources": _sources(overview.provenance.to_json()),
    }


def country_view(
    countries: CountryOverview, iso3: str, shares: pd.DataFrame, materials: MaterialOverview
) -> dict[str, Any] | None:
    """Return a country's indicators, composite risk and the materials it supplies; None if unknown."""
    frame = countries.countries
    if iso3 not in frame.index:
        return None
    row = frame.loc[iso3]
    groups = [g for g in ("EU27", "EEA", "NATO", "OECD") if bool(row[g.lower()])]
    indicators = [
        (
            _("World Governance Indicators, mean of six (−2.5 to 2.5, higher is better)"),
            number(row["wgi_mean"], 2),
        ),
        (_("OECD country risk classification (0 to 7, higher is riskier)"), number(row["oecd_crc"], 0)),
        (_("Fragile States Index, total (0 to 120, higher is more fragile)"), number(row["fsi_total"], 1)),
        (_("Atradius STAR (user file only)"), number(row["atradius_star"], 0)),
    ]
    components = [
        {"name": name, "weight": percent(weight, 0), "value": number(row[f"component_{name}"], 2)}
        for name, weight in countries.weights.items()
    ]
    supplied = shares[(shares["country"] == iso3) & (shares["scope"] == "gs") & (shares["share"] > 0)]
    supplied = supplied.sort_values(["share", "material", "stage"], ascending=[False, True, True])
    known = materials.materials
    rows = [
        {
            "id": r.material,
            "name": material_name(known, r.material),
            "linked": r.material in known.index,
            "stage": label("stage", r.stage),
            "share": percent(r.share, 1),
        }
        for r in supplied.itertuples()
    ]
    return {
        "iso3": iso3,
        "name": country_name(iso3, str(row["name"])),
        "groups": ", ".join(groups) if groups else MISSING,
        "split": label("split", str(row["nl_split"])) if not _missing(row["nl_split"]) else MISSING,
        "composite": number(row["composite_risk"], 2),
        "coverage": percent(row["weight_coverage"], 0),
        "missing": ", ".join(row["missing_indicators"]) if len(row["missing_indicators"]) else "",
        "indicators": [{"label": text, "value": value} for text, value in indicators],
        "components": components,
        "materials": rows,
        "sources": _sources(countries.provenance.to_json()),
    }


def shares_text(stages: dict[str, Any]) -> list[str]:
    """Return one line per stage: the largest countries with their shares and where they come from."""
    lines = []
    for stage, entry in stages.items():
        top = sorted(entry.get("shares", {}).items(), key=lambda pair: (-pair[1], pair[0]))[:TREE_COUNTRIES]
        basis = label("basis", str(entry.get("basis", "none")))
        if top:
            named = ", ".join(f"{iso3} {percent(share, 0)}" for iso3, share in top)
            lines.append(
                _("{stage}: {countries} ({basis})").format(
                    stage=label("stage", stage), countries=named, basis=basis
                )
            )
        else:
            lines.append(_("{stage}: no country shares known").format(stage=label("stage", stage)))
    return lines


@dataclass
class TreeNode:
    """One item under its parent in the chain tree, with what the page shows next to it."""

    id: str
    name: str
    kind: str
    quantity: str
    material: str = ""
    material_id: str = ""
    shares: list[str] = field(default_factory=list)
    children: list[TreeNode] = field(default_factory=list)


def chain_tree(
    chain: Chain, exposure: dict[str, Any], materials: pd.DataFrame
) -> tuple[list[TreeNode], bool]:
    """Return one tree per platform, down the bill of materials to the materials; and whether it was cut.

    A material shows the country shares of the chain's exposure for that platform (the chain's own
    sourcing where it has any, else world shares, as the exposure says).
    """
    items = chain.items.set_index("id")
    bom = chain.bom
    # One grouping of the bom; the walk below visits at most MAX_TREE_NODES nodes.
    children: dict[str, list[tuple[str, float]]] = {
        str(parent): list(zip(group["child"].astype(str), group["quantity"].astype(float), strict=True))
        for parent, group in bom.groupby("parent", sort=False)
    }
    exposed = {
        (platform["id"], entry["material"]): entry.get("stages", {})
        for platform in exposure.get("platforms", [])
        for entry in platform.get("materials", [])
    }
    budget = [MAX_TREE_NODES]

    def node(item_id: str, quantity: float | None, platform: str) -> TreeNode:
        budget[0] -= 1
        info = items.loc[item_id]
        material = "" if _missing(info["material"]) else str(info["material"])
        result = TreeNode(
            id=item_id,
            name=str(info["name"]) if not _missing(info["name"]) else item_id,
            kind=label("kind", str(info["kind"])),
            quantity="" if quantity is None else quantity_text(quantity),
            material=material_name(materials, material) if material else "",
            material_id=material if material in materials.index else "",
            shares=shares_text(exposed.get((platform, material), {})) if material else [],
        )
        for child, amount in children.get(item_id, []):
            if budget[0] <= 0:
                break
            result.children.append(node(child, amount, platform))
        return result

    trees = [node(platform, None, platform) for platform in chain.platform_ids if budget[0] > 0]
    return trees, budget[0] <= 0


def figure_json(figure: dict[str, Any]) -> str:
    """Return a Plotly figure as JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(figure, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _names(countries: pd.DataFrame) -> dict[str, str]:
    """Return ISO3 → country name in the active language, for every country of the overview."""
    return {str(code): country_name(str(code), str(name)) for code, name in countries["name"].items()}


def _global(shares: pd.DataFrame, material_id: str, stage: str) -> pd.Series:
    """Return a material's global supply shares at one stage as ISO3 → fraction."""
    part = shares[
        (shares["material"] == material_id) & (shares["stage"] == stage) & (shares["scope"] == "gs")
    ]
    return pd.Series(part["share"].to_numpy(dtype="float64"), index=part["country"].astype(str).to_numpy())


def material_maps(
    shares: pd.DataFrame, material_id: str, stages: list[str], countries: CountryOverview
) -> dict[str, tuple[dict[str, Any], list[str]]]:
    """Return stage → (world map of a material's global supply shares, the countries it cannot draw).

    The second item names the countries with a share that have no shape at 1:110m (small states),
    each with its share; stages without shares get no map.
    """
    names = _names(countries.countries)
    maps = {}
    for stage in stages:
        here = _global(shares, material_id, stage)
        known = here.dropna()
        if known.empty:
            continue
        small = not_drawn(known.index[known > 0])
        missing = [f"{names.get(code, code)} {percent(float(known[code].max()), 1)}" for code in small]
        maps[stage] = (choropleth_figure([(label("stage", stage), here)], names, colour_bar=False), missing)
    return maps


def country_map(
    shares: pd.DataFrame, iso3: str, materials: MaterialOverview, countries: CountryOverview
) -> dict[str, Any]:
    """Return a world map with the country outlined and a selector over the supplies it has a share in.

    Each choice shows every country's global supply share of that material and stage, so that the
    country's position among the suppliers is seen; the first is its largest share.
    """
    names = _names(countries.countries)
    mine = shares[(shares["country"] == iso3) & (shares["scope"] == "gs") & (shares["share"] > 0)]
    mine = mine.sort_values(["share", "material", "stage"], ascending=[False, True, True])
    layers = [
        (
            _("{material} · {stage} ({share})").format(
                material=material_name(materials.materials, str(r.material)),
                stage=label("stage", str(r.stage)),
                share=percent(r.share, 1),
            ),
            _global(shares, str(r.material), str(r.stage)),
        )
        for r in mine.itertuples()
    ]
    empty = pd.Series(dtype="float64")
    return choropleth_figure(layers or [("", empty)], names, highlight=iso3, colour_bar=False)


def chain_sankey(
    exposure: dict[str, Any],
    materials: pd.DataFrame,
    countries: CountryOverview,
    *,
    stage: str = "processing",
) -> dict[str, Any] | None:
    """Return the Sankey platform → material → country of a chain's exposure JSON at one stage.

    Widths are kilograms: the material's quantity in the platform times each country's share at
    ``stage`` (the chain's own sourcing where it has any, else world shares), the rest "unknown".
    None when the chain has no material with a quantity.
    """
    entries = [
        (
            str(platform["id"]),
            str(entry["material"]),
            entry.get("quantity"),
            entry.get("stages", {}).get(stage, {}),
        )
        for platform in exposure.get("platforms", [])
        for entry in platform.get("materials", [])
    ]
    content = pd.DataFrame(
        [(p, m, q) for p, m, q, _s in entries if q is not None], columns=["platform", "material", "quantity"]
    )
    if content.empty:
        return None
    share_rows = [
        (p, m, stage, country, value)
        for p, m, _q, at in entries
        for country, value in at.get("shares", {}).items()
        if value is not None
    ]
    shares = pd.DataFrame(share_rows, columns=["platform", "material", "stage", "country", "share"])
    coverage = pd.DataFrame(
        [
            (p, m, stage, at.get("unknown_share"))
            for p, m, _q, at in entries
            if at.get("unknown_share") is not None
        ],
        columns=["platform", "material", "stage", "unknown_share"],
    )
    platform_names = {str(p["id"]): str(p.get("name") or p["id"]) for p in exposure.get("platforms", [])}
    flows = sankey_flows(
        content,
        shares,
        coverage,
        stage=stage,
        platform_names=platform_names,
        material_names={m: material_name(materials, m) for m in content["material"].unique()},
        country_names=_names(countries.countries),
    )
    if flows.links.empty:
        return None
    return sankey_figure(
        flows,
        title=_("From platform to material to country at the {stage} stage (kg)").format(
            stage=label("stage", stage)
        ),
    )


def map_legend() -> dict[str, Any]:
    """Return the maps' legend as an SVG's rows (swatch colour, text, y), with its title."""
    rows = [{"colour": colour, "text": text, "y": 22 + 20 * i} for i, (colour, text) in enumerate(legend())]
    return {"title": _("Share of global supply"), "rows": rows, "height": 22 + 20 * len(rows)}
