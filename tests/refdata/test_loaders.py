"""F1/F2: the loaders of the shipped reference data: complete and in our conventions."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from ketenradar import refdata
from ketenradar.errors import UnknownMaterial
from ketenradar.refdata.loaders import read_dataset
from ketenradar.refdata.provenance import data_dir


def _shipped_rows(file: str) -> list[dict[str, str]]:
    """Read a shipped CSV file as text, without ketenradar's loaders."""
    return list(csv.DictReader(io.StringIO((data_dir() / file).read_text(encoding="utf-8"))))


def test_f01_catalogue_has_the_34_eu_materials_with_flags_and_group_members() -> None:
    catalogue = refdata.load_materials()
    assert len(catalogue) == 34
    assert catalogue["gallium"].eu_2023_strategic is True
    assert catalogue["arsenic"].eu_2023_strategic is False
    assert catalogue["heavy_rare_earths"].members[0] == "dysprosium"
    assert len(catalogue["light_rare_earths"].members) == 5
    with pytest.raises(UnknownMaterial, match="unobtainium"):
        catalogue["unobtainium"]


def test_f01_catalogue_extends_with_materials_outside_the_eu_list() -> None:
    extra = refdata.load_defence_materials_extra()
    catalogue = refdata.load_materials().with_materials(extra)
    assert {"aramid_fibre", "uhmwpe_fibre", "nitric_acid", "cl_20"} <= set(catalogue)
    assert catalogue["aramid_fibre"].eu_2023_critical is None  # unknown, not "no"
    with pytest.raises(ValueError, match="twice"):
        catalogue.with_materials(extra)


def test_f01_ec_shares_are_fractions_per_stage_and_scope() -> None:
    shares = refdata.load_supply_shares().frame
    assert set(shares["scope"]) == {"gs", "eu"}
    assert set(shares["stage"]) == {"mining", "processing"}
    assert shares["share"].dropna().between(0, 1).all()
    sums = shares.groupby(["material", "stage", "scope"])["share"].sum()
    assert sums.max() <= 1.02  # the EC lists main suppliers only, rounded to 0.1 %
    gallium = shares.query("material == 'gallium' and scope == 'gs' and country == 'CHN'")
    assert gallium["share"].iloc[0] == pytest.approx(0.938)


def test_f01_below_tenth_of_percent_stays_missing_not_zero() -> None:
    shares = refdata.load_supply_shares().frame
    tiny = shares[shares["share_raw"] == "<0.1%"]
    # Every "<0.1%" the EC prints in the two shipped share files, counted in the files themselves.
    printed = sum(
        row["share_raw"] == "<0.1%"
        for file in ("ec_crm2023_global_supply_shares.csv", "ec_crm2023_eu_sourcing_shares.csv")
        for row in _shipped_rows(file)
    )
    assert len(tiny) > 0 and len(tiny) == printed
    assert tiny["share"].isna().all()


def test_f01_usgs_alternative_shares_are_quantity_over_world_total() -> None:
    usgs = refdata.load_usgs_shares().frame
    cobalt = usgs.query("material == 'cobalt' and country == 'COD'")
    raw = read_dataset("usgs_production").query("material_id == 'cobalt' and year == 2023")
    world = raw.loc[raw["row_type"] == "world_total", "quantity"].iloc[0]
    congo = raw.loc[raw["country_iso3"] == "COD", "quantity"].iloc[0]
    assert cobalt["share"].iloc[0] == pytest.approx(congo / world)
    # USGS rounds its world totals, so country shares may add up to slightly more than 1.
    assert (usgs.groupby(["material", "stage"])["share"].sum() <= 1.01).all()
    # Boron has no world total (forms differ by country): no shares rather than wrong ones.
    assert "boron" not in set(usgs["material"])


def test_f02_countries_carry_iso3_names_groups_and_the_nl_split() -> None:
    countries = refdata.load_countries().frame
    assert len(countries) >= 249
    nld, deu, nor, usa = (countries.loc[c] for c in ("NLD", "DEU", "NOR", "USA"))
    assert nld["nl_split"] == "NL" and deu["nl_split"] == "EU+EEA"
    assert nor["nl_split"] == "EU+EEA" and not nor["eu27"] and nor["eea"]
    assert usa["nl_split"] == "third" and usa["nato"] and not usa["eu27"]
    assert countries["eu27"].sum() == 27 and countries["nato"].sum() == 32
    assert countries.loc["SWE", "nato"]  # joined 2024
    assert "XKX" in countries.index


def test_f02_oecd_unclassified_is_missing_not_zero() -> None:
    countries = refdata.load_countries().frame
    assert np.isnan(countries.loc["NLD", "oecd_crc"])
    assert not countries.loc["NLD", "oecd_classified"]
    assert countries.loc["RUS", "oecd_crc"] == 7


def test_f02_wgi_mean_needs_all_six_dimensions() -> None:
    countries = refdata.load_countries().frame
    dims = countries[[f"wgi_{d}" for d in refdata.WGI_DIMENSIONS]]
    incomplete = dims.isna().any(axis=1) & dims.notna().any(axis=1)
    assert incomplete.any()
    # The countries the shipped WGI 2023 file gives some but not all six estimates (read as text
    # here; e.g. Bermuda, which has no voice-and-accountability estimate).
    partial = {
        row["iso3"]
        for row in _shipped_rows("wgi_2023.csv")
        if 0 < sum(row[d] == "" for d in refdata.WGI_DIMENSIONS) < len(refdata.WGI_DIMENSIONS)
    }
    assert "BMU" in partial
    assert set(countries.index[incomplete]) == partial
    assert countries.loc[incomplete, "wgi_mean"].isna().all()
    assert countries.loc["CHN", "wgi_mean"] == pytest.approx(dims.loc["CHN"].mean())


def test_f01_seed_tables_map_to_catalogue_ids() -> None:
    seed = refdata.load_world_production_reserves().frame
    assert set(seed.index) == set(refdata.load_materials())
    imports = refdata.load_nl_imports().frame
    assert imports.loc["nickel", "total_import_meur"] == pytest.approx(573.1)
    assert np.isnan(imports.loc["aluminium", "total_import_meur"])  # "data missing" in the source


def test_f01_published_sr_ei_series_covers_2011_to_2023() -> None:
    series = refdata.load_ec_published_scores().frame
    assert set(series.index.get_level_values("year")) == {2011, 2014, 2017, 2020, 2023}
    assert series.loc[("gallium", 2023), "supply_risk"] == pytest.approx(3.9)
    assert isinstance(series, pd.DataFrame)


def _ec_rows(file: str) -> dict[tuple[str, str], dict[str, float]]:
    """Return {(material, stage): {country: share %}} from a shipped EC share file, read as text."""
    rows: dict[tuple[str, str], dict[str, float]] = {}
    for row in _shipped_rows(file):
        if row["share_pct"] and row["country_iso3"]:
            rows.setdefault((row["material_id"], row["stage"]), {})[row["country_iso3"]] = float(
                row["share_pct"]
            )
    return rows


def test_f01_eu_sourcing_is_no_rounded_copy_of_global_supply() -> None:
    # Issue 8: germanium's and the light rare earths' processing EU sourcing were the global-supply
    # rows rounded to whole percents (germanium: BEL 4.5 -> 4, CHN 83.1 -> 83, ...). A stage is a
    # copy when every EU row is its global-supply share within rounding (0.5 points).
    global_supply = _ec_rows("ec_crm2023_global_supply_shares.csv")
    copies = [
        key
        for key, eu in _ec_rows("ec_crm2023_eu_sourcing_shares.csv").items()
        if len(eu) > 1
        and all(
            c in global_supply.get(key, {}) and abs(s - global_supply[key][c]) <= 0.5 for c, s in eu.items()
        )
    ]
    assert copies == []


def test_f01_eu_sourcing_stages_are_not_a_fragment() -> None:
    # The EC lists every EU supplier with at least 1 %; chromium's mining rows summed to 9 %
    # (ZAF 7, TUR 2), so most of the stage was missing. The smallest stage kept sums to 40 %
    # (sapele wood, not used by ketenradar).
    sums = {key: sum(eu.values()) for key, eu in _ec_rows("ec_crm2023_eu_sourcing_shares.csv").items()}
    assert min(sums.values()) >= 25.0
    assert ("chromium", "mining") not in sums


def test_f01_withdrawn_eu_sourcing_is_listed_with_the_removed_rows() -> None:
    withdrawn = refdata.load_eu_sourcing_withdrawn().frame.set_index(["material", "stage"])
    assert set(withdrawn.index) == {
        ("germanium", "processing"),
        ("cerium", "processing"),
        ("lanthanum", "processing"),
        ("neodymium", "processing"),
        ("praseodymium", "processing"),
        ("samarium", "processing"),
        ("chromium", "mining"),
    }
    # The removed germanium rows as printed: BEL 4, CHN 83, DEU 3, JPN 2, RUS 5, USA 2 (sum 99).
    assert withdrawn.loc[("germanium", "processing"), "withdrawn_total_pct"] == pytest.approx(99.0)
    assert withdrawn.loc[("chromium", "mining"), "withdrawn_total_pct"] == pytest.approx(9.0)
    assert set(withdrawn["reason"]) <= set(refdata.EU_SOURCING_WITHDRAWN_REASONS)
    eu = refdata.load_supply_shares().frame.query("scope == 'eu'")
    assert not pd.MultiIndex.from_frame(eu[["material", "stage"]]).isin(withdrawn.index).any()


def test_f01_crma_strategic_flags_follow_annex_i_element_by_element() -> None:
    # Regulation (EU) 2024/1252, Annex I: 17 strategic raw materials, among them "Rare Earth
    # Elements for magnets (Nd, Pr, Tb, Dy, Gd, Sm, and Ce)" and "Platinum Group Metals".
    annex = refdata.load_crma_strategic().frame
    assert annex["listed_as"].nunique() == 17
    catalogue = refdata.load_materials()
    light, heavy = catalogue["light_rare_earths"], catalogue["heavy_rare_earths"]
    assert light.eu_2023_strategic is False  # the seed's list, kept as printed
    assert light.crma_strategic is True
    assert light.crma_strategic_members == ("cerium", "neodymium", "praseodymium", "samarium")
    assert heavy.crma_strategic_members == ("dysprosium", "gadolinium", "terbium")
    assert (
        catalogue["platinum_group_metals"].crma_strategic_members
        == catalogue["platinum_group_metals"].members
    )
    assert catalogue["niobium"].crma_strategic is False and catalogue["gallium"].crma_strategic is True
    elements = {m.id: m for m in refdata.load_element_materials()}
    assert elements["neodymium"].crma_strategic is True and elements["lanthanum"].crma_strategic is False
    assert sum(m.crma_strategic is True for m in catalogue.values()) == 18  # 15 single + 3 groups


def test_f04_element_materials_roll_up_to_their_groups() -> None:
    elements = refdata.load_element_materials()
    catalogue = refdata.load_materials()
    members = {m for material in catalogue.values() for m in material.members}
    assert {m.id for m in elements} == members | {"molybdenum"}
    assert len(elements) == 21
    full = catalogue.with_materials(elements)
    assert full.rolled_up("neodymium") == "light_rare_earths"
    assert full.rolled_up("platinum") == "platinum_group_metals"
    assert full.rolled_up("molybdenum") == "molybdenum" and full.rolled_up("gallium") == "gallium"
    assert "neodymium" in full and "neodymium" not in catalogue
    assert full["platinum"].name_nl == "Platina"  # the seed's Dutch member name


def test_f01_usgs_titanium_mining_shares_use_the_ilmenite_total() -> None:
    # The ilmenite series carries two world totals: ilmenite (8,840 kt TiO2 in 2023) and
    # ilmenite and rutile (9,430 kt); adding both doubled the denominator (shares summed to 0.46).
    raw = read_dataset("usgs_production").query("material_id == 'titanium_metal' and year == 2023")
    ilmenite = raw[raw["series"].str.startswith("ilmenite")]
    total = ilmenite.loc[
        ilmenite["country_name_source"] == "World total (ilmenite, rounded)", "quantity"
    ].iloc[0]
    assert total == 8840
    usgs = refdata.load_usgs_shares().frame.query("material == 'titanium_metal' and stage == 'mining'")
    china = ilmenite.loc[ilmenite["country_iso3"] == "CHN", "quantity"].iloc[0]
    assert usgs.set_index("country").loc["CHN", "share"] == pytest.approx(china / total)
    assert usgs["share"].sum() > 0.9


def test_f11_usgs_reserves_and_production_are_world_totals_in_tonnes() -> None:
    table = refdata.load_usgs_reserves_production().frame
    reserves = read_dataset("usgs_reserves").query("row_type == 'world_total'").set_index("material_id")
    # Cobalt: reserves 11,000,000 t, mine production 238,000 t (2023) and 290,000 t (2024).
    assert table.loc["cobalt", "reserves"] == reserves.loc["cobalt", "reserves"] == 11_000_000
    assert table.loc["cobalt", ["production_2023", "production_2024"]].tolist() == [238_000, 290_000]
    # Vanadium reserves are thousand metric tons (18,000 kt), production metric tons.
    assert table.loc["vanadium", "reserves"] == 18_000 * 1_000
    # Titanium: the combined ilmenite-and-rutile totals (560,000 kt reserves, 9,400 kt in 2024).
    assert table.loc["titanium_metal", "reserves"] == 560_000 * 1_000
    assert table.loc["titanium_metal", "production_2024"] == 9_400 * 1_000
    # Nickel is printed ">130000000": a lower bound stays missing.
    assert np.isnan(table.loc["nickel", "reserves"]) and table.loc["nickel", "reserves_raw"] == ">130000000"


def test_f11_usgs_prices_are_read_as_published_with_elements() -> None:
    prices = refdata.load_usgs_prices().frame
    assert len(prices) == len(_shipped_rows("usgs_mcs2025_prices.csv"))
    neodymium = prices.query("material == 'neodymium'")
    assert (
        set(neodymium["series"]) == {"Price_Nd2O3_dkg"}
        and neodymium["chapter_material"].iloc[0] == "rare_earths"
    )


def test_f05_report_callouts_map_to_catalogue_ids() -> None:
    callouts = refdata.load_country_callouts().frame
    assert len(callouts) == len(_shipped_rows("seed_report/country_top_mining.csv")) == 38
    assert set(callouts.loc[callouts["material"] == "palladium", "country"]) == {"ZAF", "RUS"}
    assert callouts.set_index(["country", "material"]).loc[("CHN", "magnesium"), "share_pct"] == 64
    regions = refdata.load_region_shares().frame
    assert len(regions) == len(_shipped_rows("seed_report/region_shares.csv"))


def test_f02_nato_members_by_year_of_accession() -> None:
    accessions = refdata.load_nato_accessions().frame
    groups = read_dataset("country_groups").query("group == 'NATO'").set_index("iso3")["member_since"]
    assert accessions["accession_year"].to_dict() == groups.to_dict()  # same 32 members and years
    assert str(accessions.loc["FIN", "accession_date"].date()) == "2023-04-04"
    assert str(accessions.loc["SWE", "accession_date"].date()) == "2024-03-07"
    for year in range(2018, 2023):  # orders 2018-2022: neither Finland nor Sweden
        assert not {"FIN", "SWE"} & refdata.nato_members(year)
    assert len(refdata.nato_members(2022)) == 30
    assert "FIN" in refdata.nato_members(2023) and "SWE" not in refdata.nato_members(2023)
    assert len(refdata.nato_members(2024)) == 32
    assert refdata.nato_members(1948) == set()
