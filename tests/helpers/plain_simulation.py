"""A plain day-by-day simulation: every item, every day, no caching and no skipped days.

The rules v1 written as directly as possible, as the oracle the engine's shortcuts (the dynamic
cone, repeated days between events, shock sets computed once) are checked against, and as the
per-draw baseline of the Monte Carlo benchmark. Stocks and buffers only (no refinements).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import ChainMatrix
from ketenradar.scenarios.availability import own_from_stages, own_supply

__all__ = ["plain_outputs", "plain_runout", "plain_series"]


def _stock(frame: pd.DataFrame) -> np.ndarray:
    values = pd.to_numeric(frame["stock_days"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(values) & (values > 0), values, 0.0)


def plain_series(
    chain: Chain, matrix: ChainMatrix, scenario: Scenario, world: pd.DataFrame, horizon: int
) -> np.ndarray:
    """Return platform output per day, computing every item on every day from scratch."""
    return plain_outputs(chain, matrix, scenario, world, horizon)[matrix.platforms]


def plain_runout(
    chain: Chain, matrix: ChainMatrix, scenario: Scenario, world: pd.DataFrame, horizon: int
) -> np.ndarray:
    """Return per item the first day its stock or a buffer of its rows could not cover (−1: never)."""
    runout = np.full(matrix.n, -1)
    plain_outputs(chain, matrix, scenario, world, horizon, runout)
    return runout


def plain_outputs(
    chain: Chain,
    matrix: ChainMatrix,
    scenario: Scenario,
    world: pd.DataFrame,
    horizon: int,
    runout: np.ndarray | None = None,
) -> np.ndarray:
    """Return every item's output per day (items × days), every item on every day from scratch."""
    src = matrix.sourcing
    n, n_stages = matrix.n, len(src.stages)
    stock = _stock(chain.items)
    buffer = _stock(chain.sourcing)
    has_buffer = buffer > 0
    cell = src.item.astype(np.int64) * n_stages + src.stage
    series = np.ones((n, horizon))
    for day in range(horizon):
        active = tuple(
            s
            for s in scenario.shocks
            if s.start_day <= day and (s.duration_days is None or day < s.start_day + s.duration_days)
        )
        supply = own_supply(chain, matrix, Scenario("day", active), world)
        loss = 1.0 - supply.retained
        covered = buffer >= loss - 1e-12
        if runout is not None:
            # Only rows that hold a buffer can run out of one.
            for item in src.item[has_buffer & ~covered & (loss > 1e-12)].tolist():
                runout[item] = day if runout[item] < 0 else runout[item]
        drawn = np.where(covered, loss, buffer)
        buffer = buffer - drawn
        back = np.bincount(cell, weights=src.share * drawn, minlength=n * n_stages).reshape(n, n_stages)
        output = own_from_stages(np.clip(supply.stage_values + back, 0.0, 1.0))
        for level in range(matrix.depth - 1, -1, -1):
            for item in matrix.level_rows(level).tolist():
                children = matrix.down.indices[matrix.down.indptr[item] : matrix.down.indptr[item + 1]]
                if len(children):
                    output[item] = min(output[item], output[children].min())
                if stock[item] > 0:
                    need = 1.0 - output[item]
                    if stock[item] >= need - 1e-12:
                        output[item] = 1.0
                        stock[item] -= need
                    else:
                        output[item] += stock[item]
                        stock[item] = 0.0
                        if runout is not None and need > 1e-12 and runout[item] < 0:
                            runout[item] = day
        series[:, day] = output
    return np.clip(series, 0.0, 1.0)
