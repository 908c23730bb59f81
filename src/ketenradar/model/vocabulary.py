"""The product's fixed vocabularies: item kinds, stages, domains, chain positions, answers.

One place for every list of codes that files, the core and reports share. Codes are what files
and JSON carry; :func:`label` gives the words a person reads, in the active language (the
English labels are marked for the translation catalogue here and translated where shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, TypeAlias

from ketenradar.locale import N_, translate

if TYPE_CHECKING:  # annotations only: ketenradar._types imports NumPy, which --help must not wait for
    from ketenradar._types import Scope, SupplyVariant

__all__ = [
    "BASES",
    "CHAIN_POSITIONS",
    "CHAIN_STAGES",
    "DIS_CATEGORIES",
    "DOMAINS",
    "ITEM_KINDS",
    "LABELS",
    "MATERIEL_DOMAINS",
    "MEASURES",
    "NL_SPLITS",
    "RAW_MATERIAL_STAGES",
    "SCOPES",
    "SHOCK_STAGES",
    "SUPPLY_VARIANTS",
    "SURVEY_DOMAINS",
    "VISIBILITY_LEVELS",
    "ChainStage",
    "RawMaterialStage",
    "label",
]

ChainStage: TypeAlias = Literal["manufacturing", "processing", "mining"]
RawMaterialStage: TypeAlias = Literal["mining", "processing"]

ITEM_KINDS = ("platform", "subsystem", "component", "semi_finished", "material")
# Stages of supply, downstream first; raw materials are mined and processed, parts manufactured.
CHAIN_STAGES: tuple[ChainStage, ...] = ("manufacturing", "processing", "mining")
RAW_MATERIAL_STAGES: tuple[RawMaterialStage, ...] = ("mining", "processing")
SHOCK_STAGES = (*CHAIN_STAGES, "any")
# The EC method's supply scopes (global supply, EU sourcing) and which of them a stage uses.
SCOPES: tuple[Scope, ...] = ("gs", "eu")
SUPPLY_VARIANTS: tuple[SupplyVariant, ...] = ("gs+eu", "gs", "eu")
# Domains of the armed forces in the chain workbook, and in the report's questionnaire order.
DOMAINS = ("land", "air_space", "maritime", "security")
SURVEY_DOMAINS = ("maritime", "air_space", "land", "security")
# SIPRI-style import records know no security domain.
MATERIEL_DOMAINS = ("maritime", "air", "land", "other")
# The source report's split of supplying countries.
NL_SPLITS = ("NL", "EU+EEA", "third")
# Where exposure shares come from: the chain's own sourcing, world shares, or nothing.
BASES = ("chain", "world", "none")
DIS_CATEGORIES = ("technology", "knowledge_area", "industrial_capability")
# Chain positions and visibility levels as the source report asked them (Berenschot 2024).
CHAIN_POSITIONS = (
    "oem",
    "tier_1",
    "tier_2",
    "tier_3",
    "services",
    "value_added_logistics",
    "knowledge_institute",
)
VISIBILITY_LEVELS: dict[str, str] = {
    "none": N_("We have no insight into the chain"),
    "tier_1": N_("We know only our direct suppliers (Tier 1)"),
    "tier_2": N_("We know our suppliers' suppliers (Tier 2)"),
    "to_raw_materials": N_("We know the suppliers up to the material and raw-material suppliers"),
    "full": N_("We have full insight into the chain"),
}
# The ten measure types of the report's question on measures taken, in its order.
MEASURES: dict[str, str] = {
    "broaden_supplier_base": N_("Broaden supplier base, multiple suppliers"),
    "rnd_innovation": N_("Stimulate R&D and innovation"),
    "stockpiling": N_("Stockpiling, increase reserves"),
    "redesign": N_("Design products with non-scarce raw materials, redesign"),
    "improve_supply_chain": N_("Improve supply chain (country choices, nearshoring)"),
    "extend_lifetime": N_("Extend lifetime (repair, remanufacturing, refurbishing)"),
    "recycle": N_("Recycle materials"),
    "substitutes": N_("Create substitutes for critical raw materials"),
    "reuse": N_("Increase reuse"),
    "reduce": N_("Reduce demand"),
}

# The words for each code, by vocabulary; codes shared by two vocabularies mean the same.
LABELS: Mapping[str, Mapping[str, str]] = {
    "kind": {
        "platform": N_("platform"),
        "subsystem": N_("subsystem"),
        "component": N_("component"),
        "semi_finished": N_("semi-finished"),
        "material": N_("material"),
    },
    "stage": {
        "manufacturing": N_("manufacturing"),
        "processing": N_("processing"),
        "mining": N_("mining"),
        "any": N_("any stage"),
    },
    "domain": {
        "land": N_("land"),
        "air_space": N_("air and space"),
        "air": N_("air"),
        "maritime": N_("maritime"),
        "security": N_("security"),
        "other": N_("other"),
    },
    "split": {"NL": N_("NL"), "EU+EEA": N_("EU+EEA"), "third": N_("third countries")},
    "basis": {
        "chain": N_("chain"),
        "world": N_("world"),
        "none": N_("none"),
    },
    "dis_category": {
        "technology": N_("technology"),
        "knowledge_area": N_("knowledge area"),
        "industrial_capability": N_("industrial capability"),
    },
    "chain_position": {
        "oem": N_("OEM"),
        "tier_1": N_("Tier 1"),
        "tier_2": N_("Tier 2"),
        "tier_3": N_("Tier 3"),
        "services": N_("services"),
        "value_added_logistics": N_("value-added logistics"),
        "knowledge_institute": N_("knowledge institute"),
    },
    "material_category": {
        "eu_crm_2023": N_("EU critical raw material 2023"),
        "eu_crm_2023_element": N_("element of an EU 2023 group"),
        "ec_2023_assessed": N_("assessed by the EC in 2023, not critical"),
        "super_fibre": N_("super fibre"),
        "energetic_material": N_("energetic material"),
        "energetic_precursor": N_("energetic-material precursor"),
        "ceramic": N_("technical ceramic"),
        "user": N_("added by the user"),
    },
    "visibility": VISIBILITY_LEVELS,
    "measure": MEASURES,
    # The commodities the IEA outlook names.
    "commodity": {
        "Copper": N_("Copper"),
        "Lithium": N_("Lithium"),
        "Nickel": N_("Nickel"),
        "Cobalt": N_("Cobalt"),
        "Graphite": N_("Graphite"),
        "Rare earth elements": N_("Rare earth elements"),
    },
    # The dependence indicators of materiel origin.
    "dependence": {
        "largest_supplier": N_("largest supplier"),
        "largest_supplier_share": N_("share of the largest supplier"),
        "supplier_hhi": N_("concentration of suppliers (HHI)"),
        "share_from_third_countries": N_("share from third countries"),
        "share_from_outside_nato": N_("share from outside NATO"),
        "suppliers": N_("number of suppliers"),
    },
    # Rows and margins of the published survey tables.
    "answer": {"yes": N_("yes"), "no": N_("no"), "total": N_("total"), "companies": N_("companies")},
}


def label(vocabulary: str, code: str) -> str:
    """Return the words for ``code`` of ``vocabulary`` in the active language (the code if unknown)."""
    words = LABELS[vocabulary].get(code)
    return translate(words) if words is not None else code
