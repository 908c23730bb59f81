"""F5 properties of chain exposure on random chains: shares in [0, 1], invariance to row order.

Exposure by hand on small chains: tests/services/test_chains.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenradar import refdata
from ketenradar.ingest.workbook import chain_from_frames
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import compute_exposure
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import synthetic_chain
from tests.helpers.chains import as_sheets

CATALOGUE = refdata.load_materials()
WORLD = world_supply_shares(CATALOGUE)


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


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
def test_f05_results_are_invariant_to_row_order(seed: int, rnd) -> None:
    chain = synthetic_chain(60, seed=seed, platforms=2)
    sheets = as_sheets(chain)
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
