"""F11: the material overview on the shipped data: reserve lifetimes, IEA outlook, CRMA benchmark."""

from __future__ import annotations

import pytest


def test_f11_seed_report_reserve_lifetimes_are_reproduced(material_overview) -> None:
    table = material_overview.materials
    both = table.dropna(subset=["reserve_lifetime_years", "reserve_lifetime_years_published"])
    assert len(both) == 25
    difference = (both["reserve_lifetime_years"] - both["reserve_lifetime_years_published"]).abs()
    assert difference.max() <= 0.5  # the report prints whole years
    assert table.loc["gallium", "reserve_lifetime_years"] == pytest.approx(1100 / 616)


def test_f11_copper_2040_is_a_shortfall_and_2023_is_not(material_overview) -> None:
    iea = material_overview.iea_outlook.set_index(["commodity", "year"])
    assert iea.loc[("Copper", 2040), "demand_supply_ratio"] == pytest.approx(25373 / 15000)
    assert iea.loc[("Copper", 2040), "shortfall"]
    assert not iea.loc[("Copper", 2023), "shortfall"]


def test_f11_crma_flags_strategic_materials_over_65_percent_from_one_third_country(
    material_overview,
) -> None:
    stages = material_overview.stages
    gallium = stages.loc[("gallium", "processing")]
    assert gallium["crma_largest_third_country"] == "CHN"
    assert gallium["crma_third_country_share"] == pytest.approx(0.69)
    assert gallium["crma_basis"] == "EC 2023 EU sourcing"
    assert gallium["crma_exceeds_limit"] is True
    boron = stages.loc[("boron", "mining")]
    assert boron["crma_largest_third_country"] == "TUR" and boron["crma_exceeds_limit"] is True
    # Niobium is critical but not strategic: the benchmark does not apply.
    assert stages.loc[("niobium", "processing"), "crma_exceeds_limit"] is None
    assert stages.loc[("copper", "mining"), "crma_exceeds_limit"] is False


def test_f11_crma_never_counts_eu_or_eea_suppliers(material_overview) -> None:
    from ketenradar import refdata

    countries = refdata.load_countries().frame
    third = material_overview.stages["crma_largest_third_country"].dropna()
    assert (countries.loc[third, "nl_split"] == "third").all()


def test_f11_largest_supplier_per_stage_from_ec_global_supply(material_overview) -> None:
    top = material_overview.stages.loc[("heavy_rare_earths", "processing")]
    assert top["largest_country"] == "CHN"
    assert top["shares_basis_note"] == "mean of member elements"
    niobium = material_overview.stages.loc[("niobium", "mining")]
    assert niobium["largest_country"] == "BRA" and niobium["largest_share"] == pytest.approx(0.918)
