"""Load the shipped reference tables into tidy frames with their provenance.

Each loader returns a :class:`SourcedTable`: a frame in ketenradar's conventions (fractions
0..1, ISO3 country codes, material ids of ``materials.csv``) plus the provenance of the files
it was read from. Missing source values stay ``NaN``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from io import StringIO

import pandas as pd
import pycountry

from ketenradar.errors import MissingReferenceData
from ketenradar.locale import N_, _
from ketenradar.model.country import nl_split_of
from ketenradar.model.material import EU_CRM_2023, Material, MaterialCatalogue
from ketenradar.refdata.provenance import Provenance, data_dir, provenance_of

__all__ = [
    "EU_SOURCING_WITHDRAWN_REASONS",
    "LIKE_MINDED_GROUPS",
    "WGI_DIMENSIONS",
    "SourcedTable",
    "known_country_codes",
    "load_alternatives",
    "load_countries",
    "load_crma_strategic",
    "load_defence_materials_extra",
    "load_dis_areas",
    "load_ec_parameters",
    "load_ec_published_scores",
    "load_ec_use_shares",
    "load_element_materials",
    "load_eu_sourcing_withdrawn",
    "load_iea_outlook",
    "load_materials",
    "load_nl_imports",
    "load_supply_shares",
    "load_usgs_shares",
    "load_wgi_long",
    "load_world_production_reserves",
    "read_dataset",
]

WGI_DIMENSIONS = (
    "voice_accountability",
    "political_stability",
    "government_effectiveness",
    "regulatory_quality",
    "rule_of_law",
    "control_of_corruption",
)

# Codes in use that ISO 3166-1 does not assign; XKX is the user-assigned code the World Bank
# and the EU use for Kosovo.
EXTRA_COUNTRY_CODES = {"XKX": "Kosovo"}


@dataclass(frozen=True, slots=True)
class SourcedTable:
    """A reference frame together with the provenance of every file it was built from."""

    frame: pd.DataFrame
    provenance: tuple[Provenance, ...]


def read_dataset(dataset: str) -> pd.DataFrame:
    """Read one shipped CSV as it is stored, after checking its checksum."""
    provenance = provenance_of(dataset)
    text = (data_dir() / provenance.file).read_text(encoding="utf-8")
    try:
        return pd.read_csv(StringIO(text), keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as error:  # pragma: no cover - damaged installation
        raise MissingReferenceData(
            _("reference file {file} is damaged: {error}").format(file=provenance.file, error=error)
        ) from error


def _sourced(frame: pd.DataFrame, *datasets: str) -> SourcedTable:
    return SourcedTable(frame, tuple(provenance_of(name) for name in datasets))


def _flag(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower().map({"true": True, "false": False})


@cache
def load_crma_strategic() -> SourcedTable:
    """Return the strategic raw materials of the CRMA (Regulation (EU) 2024/1252, Annex I).

    One row per ketenradar material or element (index ``material``): the entry as the Annex
    lists it, the group an element belongs to and the grade the Annex names.
    """
    raw = read_dataset("crma_annex_i")
    frame = pd.DataFrame(
        {
            "material": raw["material_id"],
            "listed_as": raw["raw_material_as_listed"],
            "group": raw["group_id"].fillna(""),
            "grade": raw["grade"].fillna(""),
            "note": raw["note"].fillna(""),
        }
    ).set_index("material")
    return _sourced(frame, "crma_annex_i")


def _crma_flags(material_id: str, members: tuple[str, ...]) -> tuple[bool, tuple[str, ...]]:
    """Return a material's CRMA flag and, for a group, its strategic members (Annex I)."""
    strategic = set(load_crma_strategic().frame.index)
    if members:
        named = tuple(m for m in members if m in strategic)
        return bool(named), named
    return material_id in strategic, ()


@cache
def load_materials() -> MaterialCatalogue:
    """Return the catalogue of the 34 EU critical raw materials of 2023, with CRMA flags."""
    frame = read_dataset("materials")
    source = provenance_of("materials").cite()
    materials = []
    for row in frame.assign(
        eu_2023_strategic=_flag(frame["eu_2023_strategic"]),
        eu_2023_critical=_flag(frame["eu_2023_critical"]),
    ).itertuples(index=False):
        members = tuple(str(row.members).split(";")) if isinstance(row.members, str) else ()
        crma, crma_members = _crma_flags(row.id, members)
        materials.append(
            Material(
                id=row.id,
                name_en=row.name_en,
                name_nl=row.name_nl,
                category=EU_CRM_2023,
                eu_2023_strategic=row.eu_2023_strategic,
                eu_2023_critical=row.eu_2023_critical,
                members=members,
                source=source,
                crma_strategic=crma,
                crma_strategic_members=crma_members,
            )
        )
    return MaterialCatalogue(tuple(materials))


@cache
def load_element_materials() -> tuple[Material, ...]:
    """Return the EC's element-level materials (rare earths, PGM, molybdenum) with their group.

    These are known to the catalogue for chains and scenarios but are not EU list entries:
    ``group`` is the EU list group they roll up to (empty for molybdenum).
    """
    frame = read_dataset("materials_elements")
    source = provenance_of("materials_elements").cite()
    frame = frame.assign(
        eu_2023_strategic=_flag(frame["eu_2023_strategic"]),
        eu_2023_critical=_flag(frame["eu_2023_critical"]),
        group=frame["group"].fillna(""),
    )
    return tuple(
        Material(
            id=row.id,
            name_en=row.name_en,
            name_nl=row.name_nl,
            category=row.category,
            eu_2023_strategic=None if pd.isna(row.eu_2023_strategic) else bool(row.eu_2023_strategic),
            eu_2023_critical=None if pd.isna(row.eu_2023_critical) else bool(row.eu_2023_critical),
            note=row.note,
            source=source,
            group=row.group,
            crma_strategic=_crma_flags(row.id, ())[0],
        )
        for row in frame.itertuples(index=False)
    )


@cache
def load_defence_materials_extra() -> tuple[Material, ...]:
    """Return the shipped defence-critical materials outside the EU list (names, no figures)."""
    frame = read_dataset("defence_materials_extra")
    source = provenance_of("defence_materials_extra").cite()
    return tuple(
        Material(
            id=row.id,
            name_en=row.name_en,
            name_nl=row.name_nl,
            category=row.category,
            note=row.note,
            source=source,
        )
        for row in frame.itertuples(index=False)
    )


@cache
def known_country_codes() -> dict[str, str]:
    """Return every ISO 3166 alpha-3 code ketenradar accepts, with its English name."""
    codes = {c.alpha_3: getattr(c, "common_name", c.name) for c in pycountry.countries}
    codes.update(EXTRA_COUNTRY_CODES)
    return codes


@cache
def load_countries() -> SourcedTable:
    """Return one row per country: name, groups, NL split, WGI 2023, OECD class, FSI 2023.

    Index ``iso3``. ``wgi_mean`` is the mean of the six WGI estimates and is missing when any
    of the six is missing. ``oecd_crc`` is missing for countries the OECD does not classify.
    """
    names = known_country_codes()
    frame = pd.DataFrame({"iso3": list(names), "name": list(names.values())}).set_index("iso3")

    groups = read_dataset("country_groups")
    for group in ("EU27", "EEA", "NATO", "OECD"):
        members = set(groups.loc[groups["group"] == group, "iso3"])
        frame[group.lower()] = frame.index.isin(members)
    frame["nl_split"] = [
        nl_split_of(iso3, bool(eu or eea))
        for iso3, eu, eea in zip(frame.index, frame["eu27"], frame["eea"], strict=True)
    ]

    wgi = read_dataset("wgi_2023").dropna(subset=["iso3"]).set_index("iso3")
    dims = wgi[list(WGI_DIMENSIONS)]
    frame = frame.join(dims.add_prefix("wgi_"))
    # The EC method averages all six dimensions; a partial mean would not be the same quantity.
    frame["wgi_mean"] = dims.mean(axis=1, skipna=False).reindex(frame.index)

    oecd = read_dataset("oecd_crc").dropna(subset=["iso3"]).set_index("iso3")
    frame["oecd_crc"] = pd.to_numeric(oecd["crc_current"], errors="coerce").reindex(frame.index)
    frame["oecd_classified"] = (oecd["classified"] == "yes").reindex(frame.index)

    fsi = read_dataset("fsi_2023").dropna(subset=["iso3"]).set_index("iso3")
    frame["fsi_total"] = fsi["total"].reindex(frame.index)
    return _sourced(frame, "country_groups", "wgi_2023", "oecd_crc", "fsi_2023")


@cache
def load_wgi_long() -> SourcedTable:
    """Return WGI estimates 1996-2023 as a frame indexed by year with one column per ISO3."""
    long = read_dataset("wgi_long").dropna(subset=["iso3"])
    wide = long.pivot_table(index=["iso3", "year"], columns="dimension", values="estimate")
    return _sourced(wide, "wgi_long")


def _shares(dataset: str, scope: str) -> pd.DataFrame:
    raw = read_dataset(dataset)
    return pd.DataFrame(
        {
            "material": raw["material_id"],
            "group": raw["group_id"].fillna(raw["material_id"]),
            "stage": raw["stage"],
            "scope": scope,
            "country": raw["country_iso3"],
            "share": raw["share_pct"] / 100.0,
            "share_raw": raw["share_raw"].astype(str),
            "trade_factor": raw["trade_t"],
        }
    )


@cache
def load_supply_shares() -> SourcedTable:
    """Return the EC 2023 country shares: global supply (``gs``) and EU sourcing (``eu``).

    Columns: material (element-level id for group members), group (the group's id, or the
    material itself), stage, scope, country, share (fraction; NaN where the source prints
    "<0.1%"), share_raw, trade_factor. EU-sourcing stages withdrawn as defective (see
    :func:`load_eu_sourcing_withdrawn`) have no rows.
    """
    frame = pd.concat([_shares("ec_global_supply", "gs"), _shares("ec_eu_sourcing", "eu")], ignore_index=True)
    return _sourced(frame, "ec_global_supply", "ec_eu_sourcing")


# Why a stage's EU sourcing was withdrawn; the codes are those of the shipped file.
EU_SOURCING_WITHDRAWN_REASONS = {
    "copy_of_global_supply": N_("the transcribed rows are a rounded copy of the global-supply rows"),
    "incomplete": N_("the transcribed rows sum to {total} % and no source gives the rest"),
}


@cache
def load_eu_sourcing_withdrawn() -> SourcedTable:
    """Return the (material, stage) pairs whose EC EU sourcing was withdrawn, with the reason.

    Columns: material, group, stage, reason (a code of :data:`EU_SOURCING_WITHDRAWN_REASONS`),
    withdrawn_total_pct (the sum of the removed shares), withdrawn_rows (as they were printed)
    and evidence. The rows themselves are no longer in the EU-sourcing table.
    """
    raw = read_dataset("ec_eu_sourcing_withdrawn")
    removed = raw["withdrawn_rows"].str.findall(r"([\d.]+)%")
    frame = pd.DataFrame(
        {
            "material": raw["material_id"],
            "group": raw["group_id"].fillna(raw["material_id"]),
            "stage": raw["stage"],
            "reason": raw["reason"],
            "withdrawn_total_pct": removed.map(lambda values: sum(float(v) for v in values)),
            "withdrawn_rows": raw["withdrawn_rows"],
            "evidence": raw["evidence"],
        }
    )
    return _sourced(frame, "ec_eu_sourcing_withdrawn")


def _is_combined_total(raw: pd.DataFrame) -> pd.Series:
    """Return which USGS rows are a world total over two series ("ilmenite and rutile")."""
    label = raw["country_name_source"].fillna("")
    return (raw["row_type"] == "world_total") & label.str.contains(" and ", regex=False)


@cache
def load_usgs_shares(year: int = 2023) -> SourcedTable:
    """Return country shares of world production from USGS MCS 2025 for one year.

    One series per material and stage: a non-proxy series where there is one, otherwise the
    proxy (host mineral); the chosen ``series`` is a column. Shares are country quantity over
    the USGS world total; countries with withheld quantities are left out (their share is not
    known), so shares may sum to less than 1.
    """
    raw = read_dataset("usgs_production")
    raw = raw[raw["year"] == year]
    series = (
        raw[["material_id", "stage", "series", "is_proxy"]]
        .drop_duplicates()
        .assign(is_proxy=lambda f: _flag(f["is_proxy"]))
        .sort_values("is_proxy", kind="stable")
        .drop_duplicates(["material_id", "stage"])
    )
    chosen = raw.merge(
        series[["material_id", "stage", "series", "is_proxy"]],
        how="inner",
        on=["material_id", "stage", "series"],
        suffixes=("_raw", ""),
    )
    # Titanium's ilmenite series also carries the combined "ilmenite and rutile" world total;
    # it is not the ilmenite total and would double the denominator.
    own_total = (chosen["row_type"] == "world_total") & ~_is_combined_total(chosen)
    totals = (
        chosen[own_total].groupby(["material_id", "stage"])["quantity"].sum(min_count=1).rename("world_total")
    )
    countries = chosen[(chosen["row_type"] == "country") & chosen["country_iso3"].notna()]
    countries = countries.join(totals, on=["material_id", "stage"])
    frame = pd.DataFrame(
        {
            "material": countries["material_id"],
            "stage": countries["stage"],
            "country": countries["country_iso3"],
            "quantity": countries["quantity"],
            "unit": countries["unit"],
            "share": countries["quantity"] / countries["world_total"],
            "series": countries["series"],
            "is_proxy": countries["is_proxy"],
        }
    ).dropna(subset=["share"])
    # Several source rows for one country (helium: natural gas and Cliffside) add up.
    frame = frame.groupby(["material", "stage", "country", "unit", "series", "is_proxy"], as_index=False)[
        ["quantity", "share"]
    ].sum()
    return _sourced(frame, "usgs_production")


@cache
def load_ec_parameters() -> SourcedTable:
    """Return the EC 2023 supply-risk parameters per material and stage, as fractions.

    ``sr_published``/``ei_published`` are the material's SR and EI in the same results table
    (the only published scores of the element-level materials).
    """
    raw = read_dataset("ec_parameters")
    frame = pd.DataFrame(
        {
            "material": raw["material_id"],
            "stage": raw["stage"],
            "supply_data_used": raw["supply_data_used"].str.lower(),
            "import_reliance": raw["import_reliance_pct"] / 100.0,
            "eol_rir": raw["eol_rir_pct"] / 100.0,
            "si_sr": raw["si_sr"],
            "si_ei": raw["si_ei"],
            "sr_stage_published": raw["sr_stage"],
            "bottleneck_stage_published": raw["bottleneck_stage"],
            "sr_published": raw["sr"],
            "ei_published": raw["ei"],
            "note": raw["note"].fillna(""),
        }
    )
    return _sourced(frame, "ec_parameters")


@cache
def load_ec_published_scores() -> SourcedTable:
    """Return the EC's published SR and EI per material and assessment year (2011-2023)."""
    raw = read_dataset("ec_sr_ei_series")
    frame = (
        raw.rename(columns={"material_id": "material", "assessment_year": "year"})
        .dropna(subset=["supply_risk", "economic_importance"], how="all")
        .drop_duplicates(["material", "year"])
        .set_index(["material", "year"])[["supply_risk", "economic_importance"]]
    )
    return _sourced(frame, "ec_sr_ei_series")


@cache
def load_ec_use_shares() -> SourcedTable:
    """Return EC 2023 end-use shares (fractions) with the NACE sector and its value added."""
    raw = read_dataset("ec_use_shares")
    frame = pd.DataFrame(
        {
            "material": raw["material_id"],
            "application": raw["application"],
            "share": raw["share_pct"] / 100.0,
            "sector": raw["nace_sector"],
            "value_added_meur": raw["value_added_meur"],
        }
    )
    return _sourced(frame, "ec_use_shares")


def _seed_material_ids(names_nl: pd.Series) -> pd.Series:
    catalogue = load_materials()
    by_name = {m.name_nl.lower(): m.id for m in catalogue.values()}
    ids = names_nl.str.lower().map(by_name)
    if ids.isna().any():
        missing = sorted(names_nl[ids.isna()])
        raise MissingReferenceData(
            _("seed-report materials without a catalogue id: {materials}").format(materials=missing)
        )
    return ids


@cache
def load_world_production_reserves() -> SourcedTable:
    """Return the seed report's reserves, production, lifetime, volatility and EOL-RIR per CRM."""
    raw = read_dataset("seed_world_production_reserves")
    frame = pd.DataFrame(
        {
            "material": _seed_material_ids(raw["material_nl"]),
            "reserves_t": raw["reserves_t"],
            "world_production_t": raw["world_production_t"],
            "us_government_stockpile": raw["us_government_stockpile"].map({"yes": True, "no": False}),
            "lifetime_years_published": raw["remaining_lifetime_years"],
            "price_volatility_pct": raw["price_volatility_pct"],
            "eol_rir": raw["eu_eol_rir_pct"] / 100.0,
            "note": raw["note"].fillna(""),
        }
    ).set_index("material")
    return _sourced(frame, "seed_world_production_reserves")


# The IEA outlook names commodities, not EU list entries; graphite covers natural and synthetic
# and "rare earth elements" does not say which, so those two map to no material id.
_IEA_MATERIALS = {"Copper": "copper", "Lithium": "lithium", "Nickel": "nickel", "Cobalt": "cobalt"}


@cache
def load_iea_outlook() -> SourcedTable:
    """Return the IEA demand and supply outlook (kt) for 2023, 2030 and 2040."""
    raw = read_dataset("seed_iea_outlook")
    frame = pd.DataFrame(
        {
            "commodity": raw["material"],
            "material": raw["material"].map(_IEA_MATERIALS),
            "year": raw["year"].astype(int),
            "demand_kt": raw["demand_kt"],
            "supply_kt": raw["supply_kt"],
        }
    )
    return _sourced(frame, "seed_iea_outlook")


@cache
def load_nl_imports() -> SourcedTable:
    """Return Dutch direct, indirect and total imports per CRM (million EUR; CBS via the seed)."""
    raw = read_dataset("seed_nl_imports")
    frame = pd.DataFrame(
        {
            "material": _seed_material_ids(raw["material_nl"]),
            "direct_import_meur": raw["direct_import_meur"],
            "indirect_import_meur": raw["indirect_import_meur"],
            "total_import_meur": raw["total_import_meur"],
            "note": raw["note"].fillna(""),
        }
    ).set_index("material")
    return _sourced(frame, "seed_nl_imports")


@cache
def load_dis_areas() -> pd.DataFrame:
    """Return the DIS areas of the report's questionnaire: category and area (English and Dutch)."""
    areas = read_dataset("seed_dis_area_activity")[["category", "area", "area_nl"]]
    return areas.drop_duplicates(["category", "area"]).reset_index(drop=True)


# The groups whose members count as like-minded partners for alternative supply (F15);
# scripts/derive_alternatives.py builds the shipped table with them.
LIKE_MINDED_GROUPS = ("EU27", "EEA", "NATO", "OECD")


@cache
def load_alternatives() -> SourcedTable:
    """Return the shipped alternative producers among like-minded partners (USGS spare capacity).

    One row per material, stage and country: ``max_share`` = spare capacity / world production
    of the same USGS series and year (a fraction), ``lead_time_days`` NaN (no source gives a
    ramp-up time), with the figures it was derived from, ``source`` and ``note``. Provenance:
    the derived table and the USGS and country-group files it comes from.
    """
    raw = read_dataset("alternatives_usgs")
    frame = raw.assign(
        lead_time_days=pd.to_numeric(raw["lead_time_days"], errors="coerce").astype(float),
        is_estimate=_flag(raw["is_estimate"]),
        partner_groups=raw["partner_groups"].fillna(""),
        note=raw["note"].fillna(""),
    )
    return _sourced(frame, "alternatives_usgs", "usgs_capacity", "usgs_production", "country_groups")
