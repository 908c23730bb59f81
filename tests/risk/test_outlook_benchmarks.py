"""F11: the kernels of the CRMA benchmarks per chain: supply balance, summed share of a group of countries."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from ketenradar.risk.outlook import (
    CRMA_EXTRACTION_BENCHMARK,
    CRMA_PROCESSING_BENCHMARK,
    CRMA_RECYCLING_BENCHMARK,
    CRMA_SINGLE_COUNTRY_LIMIT,
    group_share,
    supply_balance,
)


def test_f11_crma_benchmarks_are_the_regulations_figures() -> None:
    # Regulation (EU) 2024/1252, art. 5(1)(a)(i)-(iii) and 5(1)(b): 10 %, 40 %, 25 %, 65 %.
    assert (CRMA_EXTRACTION_BENCHMARK, CRMA_PROCESSING_BENCHMARK, CRMA_RECYCLING_BENCHMARK) == (
        0.10,
        0.40,
        0.25,
    )
    assert CRMA_SINGLE_COUNTRY_LIMIT == 0.65


def test_f11_supply_balance_is_supply_minus_demand_and_missing_stays_missing() -> None:
    # Copper 2030 and 2040 (IEA GCMO 2024): 23,000 − 25,249 and 15,000 − 25,373 kt.
    balance, known = supply_balance([25249, 25373, 100, np.nan], [23000, 15000, 100, 5])
    assert list(balance[:3]) == [-2249.0, -10373.0, 0.0]
    assert list(known) == [True, True, True, False]
    assert np.isnan(balance[3])


@given(st.floats(0, 1e6), st.floats(0, 1e6))
def test_f11_shortfall_exactly_when_demand_exceeds_supply(demand: float, supply: float) -> None:
    balance, known = supply_balance([demand], [supply])
    assert known[0]
    assert (balance[0] < 0) == (demand > supply)


def test_f11_group_share_sums_members_and_keeps_groups_without_rows_absent() -> None:
    shares = pd.DataFrame(
        {
            "material": ["a", "a", "a", "b", "b", "c"],
            "stage": ["mining"] * 6,
            "country": ["DEU", "FRA", "CHN", "CHN", "USA", "DEU"],
            "share": [0.2, 0.15, 0.65, 0.9, 0.1, np.nan],
        }
    )
    eu = shares["country"].isin(["DEU", "FRA"])
    out = group_share(shares, ["material", "stage"], eu)
    assert out[("a", "mining")] == 0.2 + 0.15
    assert out[("b", "mining")] == 0.0  # rows, but none from a member: 0
    assert out[("c", "mining")] == 0.0  # a member without a figure adds nothing
    assert ("d", "mining") not in out.index


@given(st.lists(st.floats(0, 1), min_size=1, max_size=8), st.data())
def test_f11_group_share_lies_between_zero_and_the_total(values: list[float], data: st.DataObject) -> None:
    members = data.draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
    shares = pd.DataFrame({"material": "m", "stage": "mining", "country": "X", "share": values})
    out = group_share(shares, ["material", "stage"], pd.Series(members))
    assert 0.0 <= out[("m", "mining")] <= sum(values) + 1e-12
