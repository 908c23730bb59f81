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
from ketenradar.model.refinements import Refinements
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import ChainMatrix, build_chain_matrix
from ketenradar.scenarios.simulate import Simulator

__all__ = [
    "BLOCK_DRAWS",
    "PERCENTILES",
    "YEAR_DAYS",
    "MonteCarloResult",
    "YearGroups",
    "chunk_losses",
    "draw_plan",
    "group_losses",
    "monte_carlo",
    "variant_losses",
    "year_groups",
    "year_scenario",
]

YEAR_DAYS = 365
PERCENTILES = (50, 90, 95, 99)
# Draws per block: each block has its own seed, so a block gives the same draws wherever it runs.
BLOCK_DRAWS = 1000
# Marks a shock that does not occur in a draw, in the start-day table of the draw plan.
NOT_OCCURRING = -1

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Platform-days lost per platform and draw, the draw plan and the per-shock removal means.

    ``days_lost[p, d]`` is platform ``p``'s loss in draw ``d``. ``start_day[d, k]`` is the day
    shock ``k`` starts in draw ``d`` (−1 if it does not occur). ``removed_mean[p, k]`` is
    platform ``p``'s mean loss over the same draws with shock ``k`` removed. ``n_patterns`` is
    the number of distinct patterns of start days among the draws.
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
    The draws come in blocks of :data:`BLOCK_DRAWS`, block ``b`` from its own generator seeded
    with the ``b``-th child of ``numpy.random.SeedSequence(seed)``: a block's draws do not
    depend on how many draws there are or on which machine the block is run, and ``n`` draws
    are the first ``n`` of any larger run with the same seed.
    """
    shocks = scenario.shocks
    probability = np.array([1.0 if s.probability is None else s.probability for s in shocks])
    always = np.array([s.probability is None for s in shocks], dtype=bool)
    fixed = np.array([s.start_day for s in shocks], dtype=np.int64)
    drawn_day = np.array([s.probability is not None and s.start_day == 0 for s in shocks], dtype=bool)
    blocks = []
    for child, size in zip(_block_seeds(seed, draws), _block_sizes(draws), strict=True):
        rng = np.random.default_rng(child)
        # Both tables are drawn whole, for every shock, so a draw's numbers do not depend on
        # which shocks have a probability or a start day: the same seed gives the same plan.
        # A short last block takes the first rows of a whole one: more draws extend, not reshuffle.
        uniform = rng.random((BLOCK_DRAWS, len(shocks)))[:size]
        random_day = rng.integers(0, YEAR_DAYS, size=(BLOCK_DRAWS, len(shocks)))[:size]
        start = np.where(drawn_day, random_day, fixed)
        occurs = always | (uniform < probability)
        blocks.append(np.where(occurs, start, NOT_OCCURRING).astype(np.int64))
    plan: IntArray = np.concatenate(blocks) if blocks else np.zeros((0, len(shocks)), dtype=np.int64)
    return plan


def _block_sizes(draws: int) -> list[int]:
    """Return the sizes of the blocks of draws: full blocks and the rest."""
    full, rest = divmod(draws, BLOCK_DRAWS)
    return [BLOCK_DRAWS] * full + ([rest] if rest else [])


def _block_seeds(seed: int, draws: int) -> list[np.random.SeedSequence]:
    """Return one independent seed sequence per block of draws."""
    return np.random.SeedSequence(seed).spawn(len(_block_sizes(draws)))


@dataclass(frozen=True, slots=True)
class YearGroups:
    """The draws' years grouped for simulation: one group per distinct offsets of its shocks.

    Nothing happens before a year's first shock starts, so a pattern of start days is the same
    year as the pattern moved to start on day 0, cut short: rows (variant × draw) are grouped
    by the *offsets* of their shocks from the first, each group is simulated once from day 0,
    and a row whose first shock starts on day ``s`` loses what that run loses in its first
    ``365 − s`` days (``days``). Group ``g``'s rows are ``rows[bounds[g]:bounds[g + 1]]``.
    Rows without a shock in the year lose nothing and are in no group.
    """

    offsets: IntArray
    rows: IntArray
    bounds: IntArray
    days: IntArray
    n_rows: int

    def __len__(self) -> int:
        return len(self.offsets)

    def members(self, group: int) -> tuple[IntArray, IntArray]:
        """Return a group's rows and the days each of them counts."""
        lo, hi = self.bounds[group], self.bounds[group + 1]
        return self.rows[lo:hi], self.days[lo:hi]


def year_groups(plan: IntArray) -> YearGroups:
    """Group the plan and the plan with each shock removed (the variants) by shock offsets."""
    k = plan.shape[1]
    # The plan, then the plan once per shock with that shock removed: one table of patterns.
    variants = np.repeat(plan[None, :, :], k + 1, axis=0)
    variants[np.arange(1, k + 1), :, np.arange(k)] = NOT_OCCURRING
    rows = variants.reshape(-1, k)
    occurs = rows != NOT_OCCURRING
    never = np.iinfo(np.int64).max
    first = np.where(occurs, rows, never).min(axis=1, initial=never)
    # Rows with no shock, or whose shocks all start after the year, lose nothing.
    quiet = ~occurs.any(axis=1) | (first >= YEAR_DAYS)
    offsets = np.where(occurs, rows - np.where(quiet, 0, first)[:, None], NOT_OCCURRING)
    busy = np.flatnonzero(~quiet)
    groups, inverse = np.unique(offsets[busy], axis=0, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    members = busy[order]
    return YearGroups(
        offsets=groups.reshape(-1, k),
        rows=members,
        bounds=np.searchsorted(inverse[order], np.arange(len(groups) + 1)),
        days=(YEAR_DAYS - first[members]).astype(np.intp),
        n_rows=len(rows),
    )


def group_losses(
    simulator: Simulator,
    scenario: Scenario,
    offsets: IntArray,
    days: list[IntArray],
    progress: Progress | None = None,
) -> list[FloatArray]:
    """Return per group the days lost per platform (rows) by each of its members (columns).

    ``offsets[g]`` are group ``g``'s shock start days (−1: absent) and ``days[g]`` the days its
    members count from day 0. ``progress(done, total)`` is called after every group.
    """
    lost = []
    for done, (group, counted) in enumerate(zip(offsets.tolist(), days, strict=True), start=1):
        series = simulator.run(year_scenario(scenario, group), int(counted.max()), details=False).series
        lost.append(np.cumsum(1.0 - series, axis=1)[:, counted - 1])
        if progress is not None:
            progress(done, len(offsets))
    return lost


def chunk_losses(
    chain: Chain,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    refinements: Refinements | None,
    offsets: IntArray,
    days: list[IntArray],
) -> list[FloatArray]:
    """Return :func:`group_losses` for a chunk of groups, preparing the chain here (on a worker)."""
    simulator = Simulator(chain, build_chain_matrix(chain), world_shares, refinements=refinements)
    return group_losses(simulator, scenario, offsets, days)


def variant_losses(
    simulator: Simulator, scenario: Scenario, plan: IntArray, progress: Progress | None = None
) -> FloatArray:
    """Return days lost per variant, draw and platform: the plan, then the plan with each shock removed."""
    groups = year_groups(plan)
    days = [groups.members(g)[1] for g in range(len(groups))]
    return _assemble(
        groups, group_losses(simulator, scenario, groups.offsets, days, progress), plan, simulator
    )


def _assemble(groups: YearGroups, lost: list[FloatArray], plan: IntArray, simulator: Simulator) -> FloatArray:
    """Return the groups' losses as one table of days lost per variant, draw and platform."""
    draws, k = plan.shape
    table = np.zeros((groups.n_rows, len(simulator.matrix.platforms)))
    for g, group_lost in enumerate(lost):
        table[groups.members(g)[0]] = group_lost.T
    by_variant: FloatArray = table.reshape(k + 1, draws, -1)
    return by_variant


def monte_carlo(
    chain: Chain,
    matrix: ChainMatrix,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    draws: int,
    seed: int = 0,
    progress: Progress | None = None,
    *,
    refinements: Refinements | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
) -> MonteCarloResult:
    """Run ``draws`` simulated years of the scenario; return days lost per platform and draw.

    Each distinct pattern of shock start days is simulated once, including the patterns with
    one shock removed that the contributions need; what a set of active shocks does is computed
    once for all patterns. With fixed start days there are at most ``2^k`` patterns for ``k``
    shocks; drawn start days give up to ``365 + 1`` values per shock, fewer groups once moved to
    day 0 (:class:`YearGroups`). ``scheduler`` ``"dask"`` simulates the groups on a local Dask
    cluster, any other value is the address of a running Dask scheduler; every group is
    simulated the same way wherever it runs, so the numbers equal the in-process run.
    ``workers`` is the number of worker processes of a local cluster (default: one per core).
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    plan = draw_plan(scenario, draws, seed)
    simulator = Simulator(chain, matrix, world_shares, refinements=refinements)
    groups = year_groups(plan)
    days = [groups.members(g)[1] for g in range(len(groups))]
    if scheduler is None:
        lost = group_losses(simulator, scenario, groups.offsets, days, progress)
    else:
        from ketenradar.scenarios.dask_groups import run_groups

        lost = run_groups(
            scheduler,
            chain,
            scenario,
            world_shares,
            refinements,
            groups.offsets,
            days,
            progress,
            workers=workers,
        )
    by_variant = _assemble(groups, lost, plan, simulator)
    return MonteCarloResult(
        scenario=scenario,
        draws=draws,
        seed=seed,
        labels=matrix.index.values,
        platform_positions=matrix.platforms,
        days_lost=by_variant[0].T.copy(),
        start_day=plan,
        removed_mean=by_variant[1:].mean(axis=1).T.copy(),
        n_patterns=len(np.unique(plan, axis=0)),
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
