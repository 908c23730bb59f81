"""F5/F12 properties on random chains: shares, availability bounds, invariance to row order."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar import refdata
from ketenradar.ingest.workbook import chain_from_frames
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import compute_exposure
from ketenradar.scenarios.availability import run_scenario
from ketenradar.scenarios.spec import Scenario, Shock
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import synthetic_chain

CATALOGUE = refdata.load_materials()
WORLD = world_supply_shares(CATALOGUE)


def _as_sheets(chain):
    return {
        name: getattr(chain, name).astype(str).replace("nan", "") for name in ("items", "bom", "sourcing")
    }


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(30, 120))
def test_f05_chain_shares_lie_in_0_1_and_sum_to_1(seed: int, n: int) -> None:
    chain = synthetic_chain(n, seed=seed, platforms=3)
    result = compute_exposure(chain, build_chain_matrix(chain), WORLD)
    assert result.shares["share"].between(0, 1 + 1e-9).all()
    coverage = result.coverage.set_index(["platform", "material", "stage"])
    sums = result.shares.groupby(["platform", "material", "stage"])["share"].sum()
    sums = sums.reindex(coverage.index, fill_value=0.0)
    # Shares and the unknown remainder add up to 1; published world shares may exceed 1 by
    # rounding (up to 1.02), never more.
    total = sums + coverage["unknown_share"]
    assert ((total >= 1 - 1e-9) & (total <= 1.02 + 1e-9)).all()
    chain_only = coverage["known_fraction"] == 1
    assert np.allclose(sums[chain_only], 1.0)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.floats(0, 1), st.floats(0, 1))
def test_f12_availability_in_0_1_and_never_above_any_input(seed: int, s1: float, s2: float) -> None:
    chain = synthetic_chain(80, seed=seed, platforms=3)
    matrix = build_chain_matrix(chain)
    scenario = Scenario("p", (Shock(("CHN",), s1), Shock(("CHN", "USA"), s2, stage="processing")))
    items = run_scenario(chain, matrix, scenario, WORLD).items
    availability = items["availability"].to_numpy()
    assert ((availability >= -1e-12) & (availability <= 1 + 1e-12)).all()
    down = matrix.down.tocoo()
    assert (availability[down.row] <= availability[down.col] + 1e-12).all()
    assert (availability <= items["own_availability"].to_numpy() + 1e-12).all()


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_f05_results_are_invariant_to_row_order(seed: int, rnd) -> None:
    chain = synthetic_chain(60, seed=seed, platforms=2)
    sheets = _as_sheets(chain)
    shuffled = {}
    for name, frame in sheets.items():
        order = list(range(len(frame)))
        rnd.shuffle(order)
        shuffled[name] = frame.iloc[order].reset_index(drop=True)
    a = chain_from_frames(sheets, file="a", materials=list(CATALOGUE), name="a")
    b = chain_from_frames(shuffled, file="b", materials=list(CATALOGUE), name="b")
    ea = compute_exposure(a, build_chain_matrix(a), WORLD)
    eb = compute_exposure(b, build_chain_matrix(b), WORLD)
    keys = ["platform", "material", "stage", "country"]
    pd.testing.assert_frame_equal(
        ea.shares.sort_values(keys).reset_index(drop=True),
        eb.shares.sort_values(keys).reset_index(drop=True),
        atol=1e-12,
    )
    scenario = Scenario("p", (Shock(("CHN",), 0.7),))
    ra = run_scenario(a, build_chain_matrix(a), scenario, WORLD).items.set_index("id")["availability"]
    rb = run_scenario(b, build_chain_matrix(b), scenario, WORLD).items.set_index("id")["availability"]
    pd.testing.assert_series_equal(ra.sort_index(), rb.sort_index())
