"""F18 procurement kernels, checked by hand: origin risk, scaling, scores, ranks, premium, sweep."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar.errors import ConfigError
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.mitigation.procurement import (
    CRITERIA,
    DEFAULT_WEIGHTS,
    HIGHER_IS_BETTER,
    chain_level_rows,
    geopolitical_premium,
    level_origin_risk,
    normalise_weights,
    origin_risk,
    rank_bids,
    scale_criteria,
    score_bids,
    sweep_origin_weight,
)
from ketenradar.network.build import build_chain_matrix
from tests.helpers.chains import CATALOGUE, SHARED, write_chain

WEIGHTS = np.array([DEFAULT_WEIGHTS[c] for c in CRITERIA])


def test_f18_geopolitical_premium_of_two_bids_by_hand() -> None:
    # Bid a: price 100, origin risk 0.50; bid b: price 120, origin risk 0.30. The cheapest is a.
    # premium_pct(b) = 100 × (120 − 100) / 100 = 20 %; risk_reduction(b) = 0.50 − 0.30 = 0.20.
    # Against itself a has premium 0 % and risk reduction 0.
    cheapest, premium, reduction = geopolitical_premium(np.array([100.0, 120.0]), np.array([0.5, 0.3]))
    assert cheapest == 0
    assert premium == pytest.approx([0.0, 20.0])
    assert reduction == pytest.approx([0.0, 0.2])


def test_f18_premium_with_the_cheapest_listed_second_and_a_missing_risk() -> None:
    # Cheapest is b (80): a pays 100 × (100 − 80) / 80 = 25 %; c's risk is missing → no reduction.
    cheapest, premium, reduction = geopolitical_premium(
        np.array([100.0, 80.0, 80.0]), np.array([0.2, 0.6, np.nan])
    )
    assert cheapest == 1  # equally cheap b and c: the first listed
    assert premium == pytest.approx([25.0, 0.0, 0.0])
    assert reduction[0] == pytest.approx(0.4) and reduction[1] == 0.0 and np.isnan(reduction[2])


def _three_bids() -> np.ndarray:
    # price, delivery_days, origin_risk, nl_eu_content of bids A, B, C (C's content unknown).
    return np.array(
        [
            [100.0, 300.0, 0.2, 0.5],
            [150.0, 100.0, 0.4, np.nan],
            [200.0, 200.0, 0.3, 0.9],
        ]
    )


def test_f18_scaling_scores_and_ranks_of_three_bids_by_hand() -> None:
    scaled = scale_criteria(_three_bids(), HIGHER_IS_BETTER)
    # price (lower better):    (200 − x) / 100   → 1, 0.5, 0
    # delivery (lower better): (300 − x) / 200   → 0, 1, 0.5
    # risk (lower better):     (0.4 − x) / 0.2   → 1, 0, 0.5
    # content (higher better): (x − 0.5) / 0.4 over A and C → 0, missing, 1
    expected = np.array([[1.0, 0.0, 1.0, 0.0], [0.5, 1.0, 0.0, np.nan], [0.0, 0.5, 0.5, 1.0]])
    np.testing.assert_allclose(scaled, expected)
    score = score_bids(scaled, WEIGHTS)
    # A: 0.4·1 + 0.2·0 + 0.3·1 + 0.1·0 = 0.70
    # B: 0.4·0.5 + 0.2·1 + 0.3·0 + (missing → 0) = 0.40
    # C: 0.4·0 + 0.2·0.5 + 0.3·0.5 + 0.1·1 = 0.35
    assert score == pytest.approx([0.70, 0.40, 0.35])
    assert rank_bids(score, _three_bids()[:, 0]).tolist() == [1, 2, 3]


def test_f18_equal_values_scale_to_one_and_a_single_bid_scores_one() -> None:
    values = np.array([[100.0, 30.0, 0.3, np.nan], [100.0, 60.0, 0.3, 0.4]])
    scaled = scale_criteria(values, HIGHER_IS_BETTER)
    # Equal prices and risks separate no bid: 1 for both; content has one value only: 1.
    np.testing.assert_allclose(scaled[:, [0, 2]], 1.0)
    assert np.isnan(scaled[0, 3]) and scaled[1, 3] == 1.0
    single = scale_criteria(np.array([[100.0, 30.0, 0.3, 0.5]]), HIGHER_IS_BETTER)
    np.testing.assert_allclose(single, 1.0)
    assert score_bids(single, WEIGHTS) == pytest.approx([1.0])
    assert rank_bids(score_bids(single, WEIGHTS), np.array([100.0])).tolist() == [1]


def test_f18_ties_go_to_the_lower_price_then_the_bid_listed_first() -> None:
    # Scores equal up to rounding noise (0.1 + 0.2 vs 0.3): a tie.
    score = np.array([0.3, 0.1 + 0.2, 0.3, 0.9])
    price = np.array([120.0, 100.0, 100.0, 500.0])
    assert rank_bids(score, price).tolist() == [4, 2, 3, 1]
    # Reversed, the two equal bids at 100 swap places (the one listed first wins), the rest stays.
    assert rank_bids(score[::-1], price[::-1]).tolist() == [1, 2, 3, 4]


def test_f18_level_and_origin_risk_by_hand() -> None:
    # Bid 0: product CHN 0.6 (risk 0.5) + NLD 0.4 (risk 0.2) → 0.30 + 0.08 = 0.38;
    #        component in a country without a composite risk → missing, and so is the bid.
    # Bid 1: material only, AUS 1.0 (risk 0.3) → 0.3, its origin risk is that level's.
    # Bid 2: product 0.2 and material 0.5, level weights 1:1:2 → (1·0.2 + 2·0.5) / 3 = 0.4.
    bid = np.array([0, 0, 0, 1, 2, 2])
    level = np.array([0, 0, 1, 2, 0, 2])
    weight = np.array([0.6, 0.4, 1.0, 1.0, 1.0, 1.0])
    risk = np.array([0.5, 0.2, np.nan, 0.3, 0.2, 0.5])
    by_level, present, unrated = level_origin_risk(bid, level, weight, risk, 3)
    assert by_level[0, 0] == pytest.approx(0.38)
    assert np.isnan(by_level[0, 1]) and unrated[0, 1] and present[0, 1]
    assert not present[1, 0] and not present[1, 1] and by_level[1, 2] == pytest.approx(0.3)
    equal = origin_risk(by_level, present, np.full(3, 1 / 3))
    assert np.isnan(equal[0]) and equal[1] == pytest.approx(0.3) and equal[2] == pytest.approx(0.35)
    weighted = origin_risk(by_level, present, np.array([0.25, 0.25, 0.5]))
    assert weighted[2] == pytest.approx(0.4)


def test_f18_weight_sweep_flip_points_by_hand() -> None:
    # Price and origin risk only (weights 0.7 and 0.3; the other criteria weigh 0).
    # Prices 100, 200, 150 → scaled 1, 0, 0.5; risks 0.5, 0.1, 0.18 → (0.5 − x)/0.4 = 0, 1, 0.8.
    # With weight t on origin risk and 1 − t on price:
    #   A(t) = 1 − t,   B(t) = t,   C(t) = 0.5(1 − t) + 0.8t = 0.5 + 0.3t.
    #   A ≥ C ⇔ 0.5 ≥ 1.3t ⇔ t ≤ 5/13;  C ≥ B ⇔ 0.5 ≥ 0.7t ⇔ t ≤ 5/7;  B ≥ A ⇔ t ≥ 1/2.
    # So A wins on [0, 5/13], C on [5/13, 5/7], B on [5/7, 1].
    values = np.array([[100.0, 10.0, 0.5, 0.5], [200.0, 10.0, 0.1, 0.5], [150.0, 10.0, 0.18, 0.5]])
    scaled = scale_criteria(values, HIGHER_IS_BETTER)
    weights = normalise_weights({"price": 0.7, "origin_risk": 0.3}, CRITERIA, "weights")
    sweep = sweep_origin_weight(scaled, weights, values[:, 0])
    assert sweep is not None
    assert sweep.others == pytest.approx({"price": 1.0, "delivery_days": 0.0, "nl_eu_content": 0.0})
    np.testing.assert_allclose(sweep.win_from, [0.0, 5 / 7, 5 / 13])
    np.testing.assert_allclose(sweep.win_to, [5 / 13, 1.0, 5 / 7])
    np.testing.assert_allclose(sweep.flips, [5 / 13, 5 / 7])
    # At the current weight 0.3 A is first already; C needs 5/13, B 5/7.
    np.testing.assert_allclose(sweep.weight_to_win, [0.3, 5 / 7, 5 / 13])
    # The grid agrees: at t = 0.35 A is first, at 0.4 C, at 0.75 B.
    first = {float(t): int(np.argmin(r)) for t, r in zip(sweep.grid, sweep.grid_ranks, strict=True)}
    assert (first[0.35], first[0.4], first[0.7], first[0.75]) == (0, 2, 2, 1)
    # Same numbers on a second run (nothing random, nothing cached).
    again = sweep_origin_weight(scaled, weights, values[:, 0])
    assert again is not None and np.array_equal(again.grid_ranks, sweep.grid_ranks)


def test_f18_a_bid_that_can_never_win_has_no_interval() -> None:
    # B is dearer and riskier than A: it wins at no weight.
    values = np.array([[100.0, 10.0, 0.2, 0.5], [200.0, 10.0, 0.4, 0.5]])
    scaled = scale_criteria(values, HIGHER_IS_BETTER)
    sweep = sweep_origin_weight(scaled, dict(DEFAULT_WEIGHTS), values[:, 0])
    assert sweep is not None
    assert sweep.win_from[0] == 0.0 and sweep.win_to[0] == 1.0
    assert np.isnan(sweep.win_from[1]) and np.isnan(sweep.weight_to_win[1])
    assert len(sweep.flips) == 0


def test_f18_no_sweep_when_only_origin_risk_weighs() -> None:
    values = np.array([[100.0, 10.0, 0.2, 0.5], [200.0, 10.0, 0.4, 0.5]])
    weights = normalise_weights({"origin_risk": 1.0}, CRITERIA, "weights")
    assert sweep_origin_weight(scale_criteria(values, HIGHER_IS_BETTER), weights, values[:, 0]) is None


@pytest.mark.parametrize(
    ("weights", "words"),
    [
        ({"price": 1.0, "colour": 1.0}, "unknown name(s) colour"),
        ({"price": -1.0, "origin_risk": 2.0}, "finite and ≥ 0: price"),
        ({"price": float("nan")}, "finite and ≥ 0: price"),
        ({"price": 0.0}, "must not all be zero"),
    ],
)
def test_f18_weights_are_checked(weights: dict[str, float], words: str) -> None:
    with pytest.raises(ConfigError, match="--weights") as caught:
        normalise_weights(weights, CRITERIA, "--weights")
    assert words in str(caught.value)


def test_f18_weights_are_normalised_and_names_left_out_weigh_zero() -> None:
    assert normalise_weights({"price": 1.0, "origin_risk": 3.0}, CRITERIA, "w") == {
        "price": 0.25,
        "delivery_days": 0.0,
        "origin_risk": 0.75,
        "nl_eu_content": 0.0,
    }


def test_f18_chain_levels_by_hand(tmp_path: Path) -> None:
    chain = read_chain_workbook(write_chain(tmp_path / "two_platforms", SHARED), CATALOGUE)
    matrix = build_chain_matrix(chain)
    tank = int(matrix.index.positions(["tank"])[0])
    # Tungsten of the tank: processing CHN 0.8, AUT 0.2; mining CHN 1 — two (material, stage)
    # pairs with shares, each counting once: CHN 0.8 + 1.0 = 1.8, AUT 0.2; of four pairs listed.
    shares = pd.DataFrame(
        {
            "material": ["tungsten"] * 3,
            "stage": ["processing", "processing", "mining"],
            "country": ["CHN", "AUT", "CHN"],
            "share": [0.8, 0.2, 1.0],
        }
    )
    rows, coverage = chain_level_rows(matrix, tank, shares, 4, "quantity")
    got = {(r.level, r.country): r.weight for r in rows.itertuples(index=False)}
    # Product: the tank's own manufacturing, NLD 1.
    # Component, quantity per tank: engine 1 (DEU 0.6, FRA 0.4), turret 1 (NLD 1), magnet 4
    # (1 per engine × 4; CHN 1) → DEU 0.6, FRA 0.4, NLD 1, CHN 4.
    assert got == pytest.approx(
        {
            ("product", "NLD"): 1.0,
            ("component", "DEU"): 0.6,
            ("component", "FRA"): 0.4,
            ("component", "NLD"): 1.0,
            ("component", "CHN"): 4.0,
            ("material", "CHN"): 1.8,
            ("material", "AUT"): 0.2,
        }
    )
    assert coverage == pytest.approx({"product": 1.0, "component": 1.0, "material": 0.5})
    counted, _coverage = chain_level_rows(matrix, tank, shares, 4, "count")
    by_count = {(r.level, r.country): r.weight for r in counted.itertuples(index=False)}
    # Each part once: magnet CHN 1 instead of 4.
    assert by_count[("component", "CHN")] == pytest.approx(1.0)
    assert by_count[("component", "DEU")] == pytest.approx(0.6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(1.0, 1e6),
            st.floats(0.0, 1e4),
            st.one_of(st.just(float("nan")), st.floats(0.0, 1.0)),
            st.one_of(st.just(float("nan")), st.floats(0.0, 1.0)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_f18_scaled_values_lie_in_0_1_and_scores_do_not_depend_on_the_order(
    rows: list[tuple[float, float, float, float]],
) -> None:
    values = np.array(rows)
    scaled = scale_criteria(values, HIGHER_IS_BETTER)
    known = ~np.isnan(scaled)
    assert np.array_equal(known, ~np.isnan(values))
    assert ((scaled[known] >= 0.0) & (scaled[known] <= 1.0)).all()
    score = score_bids(scaled, WEIGHTS)
    assert ((score >= -1e-12) & (score <= 1.0 + 1e-12)).all()
    assert sorted(rank_bids(score, values[:, 0]).tolist()) == list(range(1, len(rows) + 1))
    order = np.arange(len(rows))[::-1]
    again = score_bids(scale_criteria(values[order], HIGHER_IS_BETTER), WEIGHTS)
    np.testing.assert_allclose(again, score[order], atol=1e-12)
