"""F2: the composite country-risk kernel: weights, renormalisation and its invariants.

China and the Netherlands by hand, through the country overview: tests/services/test_countries.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ketenradar.errors import ConfigError
from ketenradar.risk.country import (
    DEFAULT_COUNTRY_WEIGHTS,
    assess_country_risk,
    composite_risk,
    normalise_weights,
)


def test_f02_weights_change_the_composite_and_zero_weight_is_not_missing() -> None:
    frame = pd.DataFrame({"wgi_mean": [0.0], "oecd_crc": [7.0], "fsi_total": [np.nan]}, index=["X"])
    result = assess_country_risk(frame, {"wgi": 1.0, "oecd_crc": 3.0})
    assert result.loc["X", "composite_risk"] == pytest.approx((0.5 * 1 + 1.0 * 3) / 4)
    assert result.loc["X", "missing_indicators"] == []  # fsi and star weigh 0: nothing is missing


def test_f02_country_with_no_indicator_has_no_composite() -> None:
    frame = pd.DataFrame({"wgi_mean": [np.nan], "oecd_crc": [np.nan], "fsi_total": [np.nan]}, index=["X"])
    result = assess_country_risk(frame)
    assert np.isnan(result.loc["X", "composite_risk"])
    assert result.loc["X", "weight_coverage"] == 0


@pytest.mark.parametrize("weights", [{"gdp": 1.0}, {"wgi": -1.0}, {"wgi": 0.0}, {"wgi": float("nan")}])
def test_f02_bad_weights_are_refused(weights: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        normalise_weights(weights)


scaled_matrix = arrays(
    np.float64,
    st.tuples(st.integers(1, 20), st.just(4)),
    elements=st.one_of(st.floats(0, 1), st.just(np.nan)),
)
weight_vector = arrays(np.float64, 4, elements=st.floats(0.01, 10))


@settings(max_examples=200, deadline=None)
@given(scaled_matrix, weight_vector)
def test_f02_composite_lies_between_min_and_max_available_component(scaled, weights) -> None:
    composite, coverage = composite_risk(scaled, weights / weights.sum())
    for row, value, cover in zip(scaled, composite, coverage, strict=True):
        present = row[~np.isnan(row)]
        if present.size == 0:
            assert np.isnan(value) and cover == 0
        else:
            assert present.min() - 1e-12 <= value <= present.max() + 1e-12
            assert 0 < cover <= 1 + 1e-12


@settings(max_examples=200, deadline=None)
@given(scaled_matrix, weight_vector, st.integers(0, 3), st.floats(0, 1))
def test_f02_composite_is_monotone_in_each_component(scaled, weights, column, bump) -> None:
    base, _ = composite_risk(scaled, weights)
    raised = scaled.copy()
    raised[:, column] = np.where(
        np.isnan(raised[:, column]), np.nan, np.minimum(1.0, raised[:, column] + bump)
    )
    after, _ = composite_risk(raised, weights)
    known = ~np.isnan(base)
    assert np.all(after[known] >= base[known] - 1e-12)


@settings(max_examples=100, deadline=None)
@given(st.permutations(list(range(12))))
def test_f02_composite_is_invariant_to_row_order(order) -> None:
    from ketenradar import refdata

    frame = refdata.load_countries().frame.loc[
        ["CHN", "RUS", "NLD", "USA", "COD", "BRA", "ZAF", "TUR", "IDN", "AUS", "CHL", "XKX"]
    ]
    base = assess_country_risk(frame)["composite_risk"]
    shuffled = assess_country_risk(frame.iloc[order])["composite_risk"]
    pd.testing.assert_series_equal(base, shuffled.loc[base.index])


def test_f02_default_weights_are_equal_and_documented() -> None:
    assert set(DEFAULT_COUNTRY_WEIGHTS.values()) == {0.25}
