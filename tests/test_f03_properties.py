"""F3: properties of the supply-risk scores that must hold for any input."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ketenradar.risk.assessment import assess_supply_risk
from ketenradar.risk.criticality import governance_weighted_hhi, scale_wgi, stage_supply_risk

fraction = st.floats(0, 1)
hhi_value = st.floats(0, 15)
variant = st.sampled_from(["gs+eu", "gs", "eu"])


@given(hhi_value, hhi_value, fraction, fraction, st.floats(0.01, 1), variant)
def test_f03_stage_sr_is_non_negative_and_bounded_by_the_larger_hhi(gs, eu, ir, eol, si, kind) -> None:
    sr = stage_supply_risk([gs], [eu], [ir], [eol], [si], [kind])[0]
    assert 0 <= sr <= max(gs, eu) + 1e-12


@given(hhi_value, hhi_value, st.floats(0, 5), fraction, fraction, st.floats(0.01, 1), variant)
def test_f03_stage_sr_grows_with_concentration(gs, eu, bump, ir, eol, si, kind) -> None:
    before = stage_supply_risk([gs], [eu], [ir], [eol], [si], [kind])[0]
    after = stage_supply_risk([gs + bump], [eu + bump], [ir], [eol], [si], [kind])[0]
    assert after >= before - 1e-12


@given(hhi_value, hhi_value, fraction, fraction, fraction, st.floats(0.01, 1), variant)
def test_f03_stage_sr_falls_with_recycling_and_substitution(gs, eu, ir, eol, more, si, kind) -> None:
    base = stage_supply_risk([gs], [eu], [ir], [eol], [si], [kind])[0]
    recycled = stage_supply_risk([gs], [eu], [ir], [min(1.0, eol + more)], [si], [kind])[0]
    substituted = stage_supply_risk([gs], [eu], [ir], [eol], [si * (1 - more / 2)], [kind])[0]
    assert recycled <= base + 1e-12 and substituted <= base + 1e-12


@given(hhi_value, hhi_value, fraction, fraction)
def test_f03_global_mix_never_weighs_more_than_half(gs, eu, ir, eol) -> None:
    sr = stage_supply_risk([gs], [eu], [ir], [0.0], [1.0], ["gs+eu"])[0]
    assert min(gs, eu) - 1e-12 <= sr <= (gs + eu) / 2 + abs(eu - gs) / 2 + 1e-12
    assert abs(sr - (gs * ir / 2 + eu * (1 - ir / 2))) < 1e-9


@given(arrays(np.float64, st.integers(1, 30), elements=st.floats(-4, 4)))
def test_f03_scaled_wgi_stays_in_0_to_10_and_reverses_order(mean) -> None:
    scaled = scale_wgi(mean)
    assert np.all((scaled >= 0) & (scaled <= 10))
    order = np.argsort(mean, kind="stable")
    assert np.all(np.diff(scaled[order]) <= 1e-12)


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 12), st.data())
def test_f03_hhi_lies_between_0_and_10_times_max_trade_factor(n, data) -> None:
    shares = np.asarray(data.draw(arrays(np.float64, n, elements=st.floats(0.001, 1))))
    shares = shares / shares.sum()
    wgi = np.asarray(data.draw(arrays(np.float64, n, elements=st.floats(0, 10))))
    t = np.asarray(data.draw(arrays(np.float64, n, elements=st.floats(0.8, 1.5))))
    value = governance_weighted_hhi(shares, wgi, t, np.zeros(n, dtype=np.intp), 1)[0]
    assert 0 <= value <= 10 * t.max() + 1e-9


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_f03_supply_risk_is_invariant_to_row_order(rnd) -> None:
    shares = pd.DataFrame(
        {
            "material": ["a"] * 5 + ["b"] * 4,
            "stage": ["mining", "mining", "processing", "processing", "processing"] + ["mining"] * 4,
            "scope": ["gs", "eu", "gs", "gs", "eu", "gs", "gs", "eu", "eu"],
            "country": ["CHN", "DEU", "CHN", "USA", "NOR", "BRA", "CAN", "BRA", "FRA"],
            "share": [1.0, 1.0, 0.6, 0.4, 1.0, 0.9, 0.1, 0.5, 0.5],
            "trade_factor": [1.0, 0.8, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8],
        }
    )
    params = pd.DataFrame(
        {
            "material": ["a", "a", "b"],
            "stage": ["mining", "processing", "mining"],
            "supply_data_used": ["gs+eu", "gs+eu", "gs"],
            "import_reliance": [0.5, 0.9, np.nan],
            "eol_rir": [0.1, 0.1, 0.0],
            "si_sr": [0.9, 0.9, 1.0],
        }
    )
    wgi = pd.Series({"CHN": 5.6, "DEU": 1.3, "USA": 2.5, "NOR": 0.9, "BRA": 5.1, "CAN": 1.4, "FRA": 2.0})
    base = assess_supply_risk(params, shares, wgi).materials.sort_index()
    order = list(range(len(shares)))
    rnd.shuffle(order)
    p_order = list(range(len(params)))
    rnd.shuffle(p_order)
    shuffled = assess_supply_risk(params.iloc[p_order], shares.iloc[order], wgi).materials.sort_index()
    pd.testing.assert_frame_equal(base, shuffled)
