"""F11: the outlook kernels: reserve lifetime, demand/supply shortfall, largest eligible supplier."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ketenradar.risk.outlook import demand_supply_ratio, largest_supplier, reserve_lifetime_years


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
