"""Monte Carlo over simulated years: the distribution of platform-days lost under random shocks.

Rules v1 (PRODUCT.md, "Over time"; docs/methodology/simulation.md, "Monte Carlo"). A draw is
one simulated year of :data:`YEAR_DAYS` days, run with :func:`simulate` (stocks and buffers
included). A shock with a ``probability`` p occurs in a draw with probability p, at most once,
independently of the other shocks. Shocks without a probability occur in every draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ketenradar._types import FloatArray, IntArray
from ketenradar.model.chain import Chain
from ketenradar.model.index import StringArray
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import ChainMatrix
from ketenradar.scenarios.simulate import simulate

__all__ = ["PERCENTILES", "YEAR_DAYS", "MonteCarloResult", "draw_plan", "monte_carlo", "year_scenario"]

YEAR_DAYS = 365
PERCENTILES = (50, 90, 95, 99)
# Marks a shock that does not occur in a draw, in the start-day table of the draw plan.
NOT_OCCURRING = -1

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Platform-days lost per platform and draw, the draw plan and the per-shock removal means.

    ``days_lost[p, d]`` is platform ``p``'s loss in draw ``d``. ``start_day[d, k]`` is the day
    shock ``k`` starts in draw ``d`` (−1 if it does not occur). ``removed_mean[p, k]`` is
    platform ``p``'s mean loss over the same draws with shock ``k`` removed.
    """

    scenario: Scenario
    draws: int
    seed: int
    labels: StringArray
    platform_positions: IntArray
    days_lost: FloatArray
    start_day: IntArray
    removed_mean: FloatArray
    n_patterns: int

    @property
    def occurred(self) -> np.ndarray:
        """Return per draw and shock whether the shock occurred."""
        occurred: np.ndarray = self.start_day != NOT_OCCURRING
        return occurred

    @property
    def platform_ids(self) -> list[str]:
        """Return the platform ids in result order."""
        return [str(i) for i in self.labels[self.platform_positions]]

    @property
    def mean_days_lost(self) -> FloatArray:
        """Return the mean platform-days lost per platform over the draws."""
        mean: FloatArray = self.days_lost.mean(axis=1)
        return mean

    def percentiles(self) -> FloatArray:
        """Return per platform the 50/90/95/99th percentiles of days lost (numpy's linear rule)."""
        values: FloatArray = np.percentile(self.days_lost, PERCENTILES, axis=1).T
        return values

    @property
    def p_loss(self) -> FloatArray:
        """Return per platform the share of draws with any loss (days_lost > 0)."""
        share: FloatArray = (self.days_lost > 0).mean(axis=1)
        return share

    @property
    def contributions(self) -> FloatArray:
        """Return per platform and shock: mean loss minus the mean loss with that shock removed."""
        contribution: FloatArray = self.mean_days_lost[:, None] - self.removed_mean
        return contribution

    @property
    def platforms(self) -> pd.DataFrame:
        """Return one row per platform: id, mean_days_lost, p50, p90, p95, p99, p_loss."""
        frame = pd.DataFrame({"id": self.platform_ids, "mean_days_lost": self.mean_days_lost})
        for q, column in zip(PERCENTILES, self.percentiles().T, strict=True):
            frame[f"p{q}"] = column
        frame["p_loss"] = self.p_loss
        return frame


def draw_plan(scenario: Scenario, draws: int, seed: int = 0) -> IntArray:
    """Return the start day of every shock in every draw (−1 where it does not occur).

    A shock with a probability starts on a day drawn uniformly from 0…364 when its
    ``start_day`` is 0 (the model cannot tell an explicit 0 from the default), else on its
    ``start_day``. A shock without a probability occurs in every draw on its ``start_day``.
    """
    shocks = scenario.shocks
    rng = np.random.default_rng(seed)
    # Both tables are drawn whole, for every shock, so a draw's numbers do not depend on which
    # shocks have a probability or a start day: the same seed gives the same plan.
    uniform = rng.random((draws, len(shocks)))
    random_day = rng.integers(0, YEAR_DAYS, size=(draws, len(shocks)))
    probability = np.array([1.0 if s.probability is None else s.probability for s in shocks])
    always = np.array([s.probability is None for s in shocks], dtype=bool)
    fixed = np.array([s.start_day for s in shocks], dtype=np.int64)
    drawn_day = np.array([s.probability is not None and s.start_day == 0 for s in shocks], dtype=bool)
    start = np.where(drawn_day, random_day, fixed)
    occurs = always | (uniform < probability)
    plan: IntArray = np.where(occurs, start, NOT_OCCURRING).astype(np.int64)
    return plan


def monte_carlo(
    chain: Chain,
    matrix: ChainMatrix,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    draws: int,
    seed: int = 0,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """Run ``draws`` simulated years of the scenario; return days lost per platform and draw.

    Draws are grouped by their pattern (the start day of each shock, or absent) and each
    distinct pattern is simulated once, including the patterns with one shock removed that the
    contributions need. With fixed start days there are at most ``2^k`` patterns for ``k``
    shocks; drawn start days give up to ``365 + 1`` values per shock. ``progress(done, total)``
    is called after every simulated pattern.
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    plan = draw_plan(scenario, draws, seed)
    k = len(scenario.shocks)
    # The plan, then the plan once per shock with that shock removed: one table of patterns.
    variants = np.repeat(plan[None, :, :], k + 1, axis=0)
    variants[np.arange(1, k + 1), :, np.arange(k)] = NOT_OCCURRING
    patterns, inverse = np.unique(variants.reshape(-1, k), axis=0, return_inverse=True)
    inverse = inverse.reshape(k + 1, draws)

    platforms = matrix.platforms
    lost = np.zeros((len(patterns), len(platforms)))
    total = len(patterns)
    for done, pattern in enumerate(patterns.tolist(), start=1):
        # No shock at all loses nothing: skip the simulation (a quiet year is the common pattern).
        if any(day != NOT_OCCURRING for day in pattern):
            lost[done - 1] = simulate(
                chain, matrix, year_scenario(scenario, pattern), world_shares, YEAR_DAYS
            ).days_lost
        if progress is not None:
            progress(done, total)

    # lost[inverse] is (variant, draw, platform); the first variant is the plan itself.
    by_variant = lost[inverse]
    return MonteCarloResult(
        scenario=scenario,
        draws=draws,
        seed=seed,
        labels=matrix.index.values,
        platform_positions=platforms,
        days_lost=by_variant[0].T.copy(),
        start_day=plan,
        removed_mean=by_variant[1:].mean(axis=1).T.copy(),
        n_patterns=total,
    )


def year_scenario(scenario: Scenario, pattern: list[int]) -> Scenario:
    """Return the scenario of one pattern: the occurring shocks on their days, cut at the year's end."""
    shocks = []
    for shock, day in zip(scenario.shocks, pattern, strict=True):
        if day == NOT_OCCURRING:
            continue
        rest = float(YEAR_DAYS - day)
        duration = rest if shock.duration_days is None else min(shock.duration_days, rest)
        shocks.append(replace(shock, start_day=day, duration_days=duration))
    return Scenario(scenario.name, tuple(shocks), scenario.description, scenario.source)
