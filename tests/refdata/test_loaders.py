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
