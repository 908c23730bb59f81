"""F3: the EC criticality kernels reproduce the method's worked examples, and hold for any input.

Assessments built from these kernels (stages, materials, the shipped inputs): test_assessment.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ketenradar import refdata
from ketenradar.risk.criticality import (
    governance_weighted_hhi,
    group_mean,
    is_critical,
    round_half_up,
    scale_wgi,
    stage_supply_risk,
)

# Spec §8.1: published 2017 intermediates (HHI_GS, HHI_EU, IR, EOL-RIR, SI_SR, variant) -> SR.
WORKED_2017 = [
    ("cobalt", 3.6, 1.3, 0.32, 0.0, 1.0, "gs+eu", 1.67),
    ("tungsten", 7.5, 1.9, 0.44, 0.42, 1.0, "gs+eu", 1.82),
    ("antimony", 7.1, 5.7, 1.00, 0.28, 0.9, "gs+eu", 4.15),
    ("magnesium", 4.4, 5.2, 1.00, 0.09, 0.9, "gs+eu", 3.93),
    ("beryllium", 2.4, np.nan, np.nan, 0.0, 1.0, "gs", 2.40),
]


@pytest.mark.parametrize(("material", "gs", "eu", "ir", "eol", "si", "variant", "expected"), WORKED_2017)
def test_f03_stage_supply_risk_reproduces_2017_worked_examples(
    material: str,
    gs: float,
    eu: float,
    ir: float,
    eol: float,
    si: float,
    variant: str,
    expected: float,
) -> None:
    value = stage_supply_risk([gs], [eu], [ir], [eol], [si], [variant])[0]
    assert value == pytest.approx(expected, abs=0.005), material


def test_f03_worked_examples_vectorised_in_one_call() -> None:
    columns = list(zip(*WORKED_2017, strict=True))
    values = stage_supply_risk(*columns[1:7])
    assert values == pytest.approx(columns[7], abs=0.005)


def test_f03_tungsten_processing_from_raw_2023_shares() -> None:
    # Spec §8.2, with the spec's own scaled WGI values (WGI 2019).
    wgi = {"CHN": 5.72, "USA": 2.74, "RUS": 6.16, "VNM": 5.67, "AUT": 2.10, "JPN": 2.35}
    gs = [
        ("CHN", 0.856, 1.0),
        ("USA", 0.044, 1.0),
        ("RUS", 0.028, 1.0),
        ("VNM", 0.028, 1.1),
        ("AUT", 0.023, 0.8),
        ("JPN", 0.022, 1.0),
    ]
    eu = [
        ("CHN", 0.31, 1.0),
        ("AUT", 0.19, 0.8),
        ("VNM", 0.14, 1.1),
        ("RUS", 0.09, 1.0),
        ("USA", 0.09, 1.0),
    ]
    rows = [(0, c, s, t) for c, s, t in gs] + [(1, c, s, t) for c, s, t in eu]
    group = np.array([r[0] for r in rows])
    hhi = governance_weighted_hhi(
        np.array([r[2] for r in rows]),
        np.array([wgi[r[1]] for r in rows]),
        np.array([r[3] for r in rows]),
        group,
        2,
    )
    assert hhi[0] == pytest.approx(4.21, abs=0.005)
    # The spec's 0.81 adds KOR, GBR, BRA, CAN, ISR (1-3 % each), whose WGI it does not print.
    assert 0.80 <= hhi[1] <= 0.81
    sr_p = stage_supply_risk([4.21], [0.81], [0.80], [0.42], [0.96], ["gs+eu"])[0]
    assert sr_p == pytest.approx(1.21, abs=0.005)
    assert round_half_up(sr_p) == pytest.approx(1.2)


def test_f03_tantalum_eu_sourcing_check_of_section_4_2() -> None:
    hhi = governance_weighted_hhi(np.array([0.81]), np.array([6.92]), np.array([1.0]), np.array([0]), 1)
    assert hhi[0] == pytest.approx(4.54, abs=0.005)


def test_f03_wgi_scaling_maps_extremes_and_midpoint() -> None:
    assert scale_wgi([-2.5, 0.0, 2.5, 3.0, -3.0]) == pytest.approx([10.0, 5.0, 0.0, 0.0, 10.0])


def test_f03_thresholds_reproduce_the_2023_list_of_32_plus_copper_and_nickel() -> None:
    published = refdata.load_ec_published_scores().frame.xs(2023, level="year")
    critical = is_critical(published["supply_risk"], published["economic_importance"])
    by_threshold = set(published.index[critical == 1.0])
    listed = set(refdata.load_materials())
    assert by_threshold == listed - {"copper", "nickel"}
    assert len(by_threshold) == 32


def test_f03_rounding_is_half_up_like_the_ec() -> None:
    assert round_half_up([0.95, 2.45, 2.75, 1.04999]) == pytest.approx([1.0, 2.5, 2.8, 1.0])


def test_f03_group_score_is_member_mean_and_missing_member_blocks_it() -> None:
    values = np.array([5.6, 4.9, 4.2, np.nan, 1.0])
    groups = np.array([0, 0, 0, 1, 1])
    mean = group_mean(values, groups, 2)
    assert mean[0] == pytest.approx((5.6 + 4.9 + 4.2) / 3)
    assert np.isnan(mean[1])


# Properties of the stage supply risk, the scaled WGI and the HHI: they must hold for any input.
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
