"""F11: reserve lifetime, IEA demand/supply with shortfall flags, CRMA 65 % benchmark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketenradar.risk.outlook import demand_supply_ratio, largest_supplier, reserve_lifetime_years


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


def test_f11_lifetime_is_missing_when_production_is_missing_or_zero() -> None:
    values = reserve_lifetime_years([100.0, 100.0, np.nan, 50.0], [10.0, 0.0, 5.0, np.nan])
    assert values[0] == 10.0
    assert np.isnan(values[1:]).all()


@given(st.floats(0, 1e9), st.floats(1e-3, 1e9), st.floats(1.0001, 10))
def test_f11_lifetime_shrinks_when_production_grows(reserves, production, factor) -> None:
    before = reserve_lifetime_years([reserves], [production])[0]
    after = reserve_lifetime_years([reserves], [production * factor])[0]
    assert after <= before


def test_f11_shortfall_only_above_one() -> None:
    ratio, shortfall = demand_supply_ratio([90, 100, 110, 5], [100, 100, 100, np.nan])
    assert list(shortfall) == [False, False, True, False]
    assert np.isnan(ratio[3])


def test_f11_largest_supplier_respects_eligibility() -> None:
    shares = pd.DataFrame(
        {
            "material": ["m"] * 3,
            "stage": ["mining"] * 3,
            "country": ["DEU", "CHN", "USA"],
            "share": [0.5, 0.3, 0.2],
        }
    )
    top = largest_supplier(shares, ["material", "stage"], shares["country"] != "DEU")
    assert top.loc[("m", "mining"), "country"] == "CHN"
