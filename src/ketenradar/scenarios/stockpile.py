"""Stockpile planning: whole days of stock per candidate item that minimise expected platform-days lost.

Rules v1 (PRODUCT.md, "Stockpile plan"; docs/methodology/stockpile.md). The Monte Carlo draws of
:func:`~ketenradar.scenarios.montecarlo.draw_plan` are grouped into distinct patterns ``q`` with
weight ``w_q`` (draws with that pattern / draws). Each pattern is simulated once with every
candidate held available, which gives per day ``r_c(t)``, the input availability of candidate
``c`` with the candidates below it whole, and ``r_p(t)``, the output of platform ``p``. A
mixed-integer programme (HiGHS through :func:`scipy.optimize.milp`) then chooses whole days
``x_c`` of extra stock::

    minimise   Σ_q w_q Σ_t Σ_p (1 − out_p,q(t))
    subject to in_c ≤ r_c(t),  in_c ≤ out_d  (d a nearest candidate below c)
               out_c ≤ in_c + u_c,  out_c ≤ 1,  0 ≤ u_c
               out_p ≤ r_p(t),  out_p ≤ out_d  (d a nearest candidate below p)
               Σ_t u_c,q(t) ≤ s_c + x_c       (per pattern: stock is not refilled in a year)
               Σ_c cost_c · x_c ≤ budget,  0 ≤ x_c ≤ max_days_c,  x_c integer

Consecutive days of a pattern with the same ``r`` form one block whose variables hold the sum
over the block (bounds times its length): by convexity the optimum is the same as day by day.
The simulation draws stock greedily from the first short day, so the programme's optimum is a
lower bound ("model bound"); the plan's reported loss is a Monte Carlo re-run with the added
stock on the same draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ketenradar._types import FloatArray, IntArray
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import ChainMatrix
from ketenradar.scenarios.montecarlo import (
    YEAR_DAYS,
    MonteCarloResult,
    draw_plan,
    monte_carlo,
    year_scenario,
)
from ketenradar.scenarios.simulate import Simulator

__all__ = [
    "DAYS_PER_MONTH",
    "PHASES",
    "StockpileCandidates",
    "StockpilePlan",
    "nearest_candidates_below",
    "plan_stockpile",
    "with_added_stock",
]

DAYS_PER_MONTH = YEAR_DAYS / 12
# Progress runs over these phases, each an equal share of the bar.
PHASES = ("patterns", "before", "after", "naive")
_PHASE_STEPS = 1000
# HiGHS's relative MIP gap: tight, since the programmes are small after the aggregation of days.
_MIP_REL_GAP = 1e-6
# A day's value this close to a whole number of days is that number (sums of fractions round).
_DAY_TOLERANCE = 1e-9
# The second stage keeps each platform's block output to within this fraction of the first's.
_KEEP_TOLERANCE = 1e-9

Progress = Callable[[int, int], None]

_STATUS = {0: "optimal", 1: "limit_reached", 2: "infeasible", 3: "unbounded", 4: "other"}


@dataclass(frozen=True, slots=True)
class StockpileCandidates:
    """The items that may get stock: positions in the chain, cost per day held a year, upper bounds.

    ``cost_per_day[c]`` is in euros per day of normal consumption held for a year (> 0);
    ``max_days[c]`` is the most whole days that may be added (NaN: no bound but the budget).
    """

    positions: IntArray
    cost_per_day: FloatArray
    max_days: FloatArray

    def __post_init__(self) -> None:
        sizes = {len(self.positions), len(self.cost_per_day), len(self.max_days)}
        if len(sizes) != 1:
            raise ValueError("positions, cost_per_day and max_days must have the same length")
        if len(np.unique(self.positions)) != len(self.positions):
            raise ValueError("a candidate item is named twice")
        if not (np.isfinite(self.cost_per_day) & (self.cost_per_day > 0)).all():
            raise ValueError("cost_per_day must be finite and positive")
        given = ~np.isnan(self.max_days)
        if (self.max_days[given] < 0).any() or (self.max_days[given] % 1 != 0).any():
            raise ValueError("max_days must be whole numbers ≥ 0 (or NaN for no bound)")


@dataclass(frozen=True, slots=True)
class StockpilePlan:
    """The optimal and the naive plan, with their Monte Carlo re-runs on the same draws.

    ``days[c]`` and ``naive_days[c]`` are the whole days added per candidate; ``existing_days``
    the stock the chain already holds (``stock_days``); ``risk[c]`` the naive plan's ranking,
    the expected input shortfall of the candidate in days a year. ``model_bound`` is the
    programme's optimum (expected platform-days lost a year, summed over platforms), a lower
    bound of the re-run ``after`` when no item between candidates and platforms holds stock.
    """

    candidates: StockpileCandidates
    budget: float
    days: IntArray
    naive_days: IntArray
    existing_days: FloatArray
    risk: FloatArray
    model_bound: float
    before: MonteCarloResult
    after: MonteCarloResult
    naive: MonteCarloResult
    solver_status: str
    mip_gap: float | None
    n_patterns: int
    n_blocks: int

    @property
    def cost(self) -> FloatArray:
        """Return the cost of the plan per candidate: cost_per_day · days (euros a year)."""
        cost: FloatArray = self.candidates.cost_per_day * self.days
        return cost

    @property
    def naive_cost(self) -> FloatArray:
        """Return the cost of the naive plan per candidate (euros a year)."""
        cost: FloatArray = self.candidates.cost_per_day * self.naive_days
        return cost

    @property
    def months(self) -> FloatArray:
        """Return the added days as months of cover (days / (365 / 12))."""
        months: FloatArray = self.days / DAYS_PER_MONTH
        return months

    @property
    def expected_loss_before(self) -> float:
        """Return the expected platform-days lost a year without added stock, summed over platforms."""
        return float(self.before.mean_days_lost.sum())

    @property
    def expected_loss_after(self) -> float:
        """Return the expected platform-days lost a year with the plan (the re-run), summed over platforms."""
        return float(self.after.mean_days_lost.sum())

    @property
    def expected_loss_naive(self) -> float:
        """Return the expected platform-days lost a year with the naive plan (its re-run)."""
        return float(self.naive.mean_days_lost.sum())


def nearest_candidates_below(matrix: ChainMatrix, candidates: IntArray) -> tuple[IntArray, IntArray]:
    """Return pairs (upper item position, lower candidate number): no candidate lies strictly between.

    The upper items are candidates and platforms. Each candidate is followed up the bill of
    materials (one sparse product per level) without passing through another candidate.
    """
    n = matrix.n
    pattern = matrix.down.astype(bool).astype(np.float64)
    is_candidate = np.zeros(n, dtype=bool)
    is_candidate[candidates] = True
    is_upper = is_candidate.copy()
    is_upper[matrix.platforms] = True
    uppers: list[IntArray] = []
    lowers: list[IntArray] = []
    # A loop over the candidates (few); each step up the chain is one vectorised product.
    for number, position in enumerate(candidates.tolist()):
        frontier = np.zeros(n, dtype=bool)
        frontier[position] = True
        seen = np.zeros(n, dtype=bool)
        while frontier.any():
            parents = (pattern @ frontier.astype(np.float64)) > 0
            new = parents & ~seen
            seen |= new
            frontier = new & ~is_candidate
        found = np.flatnonzero(seen & is_upper).astype(np.intp)
        uppers.append(found)
        lowers.append(np.full(len(found), number, dtype=np.intp))
    if not uppers:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    return np.concatenate(uppers), np.concatenate(lowers)


def with_added_stock(chain: Chain, positions: IntArray, days: IntArray | FloatArray) -> Chain:
    """Return a copy of the chain with ``days`` added to the ``stock_days`` of the items at ``positions``."""
    existing = pd.to_numeric(chain.items["stock_days"], errors="coerce").to_numpy(dtype=np.float64)
    added = np.zeros(len(existing))
    added[positions] = days
    changed = added > 0
    stock = existing.copy()
    stock[changed] = np.nan_to_num(existing[changed]) + added[changed]
    return chain.with_frames(items=chain.items.assign(stock_days=stock))


def _existing_stock(chain: Chain, positions: IntArray) -> FloatArray:
    """Return the items' ``stock_days`` at ``positions``, 0 where absent (as the simulation reads them)."""
    values = pd.to_numeric(chain.items["stock_days"], errors="coerce").to_numpy(dtype=np.float64)[positions]
    stock: FloatArray = np.where(np.isfinite(values) & (values > 0), values, 0.0)
    return stock


@dataclass(frozen=True, slots=True)
class _Blocks:
    """Runs of days with the same ``r``: pattern number, length, values (candidates, then platforms)."""

    pattern: IntArray
    length: FloatArray
    r: FloatArray


def _pattern_blocks(
    chain: Chain,
    matrix: ChainMatrix,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    patterns: IntArray,
    candidates: IntArray,
    other_platforms: IntArray,
    progress: Callable[[int, int], None],
) -> _Blocks:
    """Simulate each pattern once with the candidates available; return its blocks that lose something."""
    n_candidates = len(candidates)
    watch = np.concatenate([candidates, other_platforms]).astype(np.intp)
    numbers, lengths, values = [], [], []
    # One simulator for every pattern: what each set of active shocks does is computed once.
    simulator = Simulator(chain, matrix, world_shares, watch=watch, available=candidates)
    for number, pattern in enumerate(patterns.tolist()):
        result = simulator.run(year_scenario(scenario, pattern), YEAR_DAYS, details=False)
        r = np.vstack([result.watched_input[:n_candidates], result.watched_output[n_candidates:]])
        changes = np.flatnonzero((r[:, 1:] != r[:, :-1]).any(axis=0)) + 1
        starts = np.r_[0, changes]
        length = np.diff(np.r_[starts, YEAR_DAYS]).astype(np.float64)
        block = r[:, starts].T
        # A block where everything is whole loses nothing and draws no stock: it can be left out.
        short = (block < 1.0).any(axis=1)
        numbers.append(np.full(int(short.sum()), number, dtype=np.intp))
        lengths.append(length[short])
        values.append(block[short])
        progress(number + 1, len(patterns))
    width = n_candidates + len(other_platforms)
    return _Blocks(
        pattern=np.concatenate(numbers) if numbers else np.zeros(0, dtype=np.intp),
        length=np.concatenate(lengths) if lengths else np.zeros(0),
        r=np.vstack(values) if values else np.zeros((0, width)),
    )


def _subtree_minimum(
    r_candidates: FloatArray, matrix: ChainMatrix, candidates: IntArray, upper: IntArray, lower: IntArray
) -> FloatArray:
    """Return per block and candidate the lowest ``r`` of the candidate and every candidate below it.

    An optimal plan never needs to draw more of a candidate's stock in a block than this
    shortfall, which gives the tight bound ``u_c ≤ L · (1 − m_c)``.
    """
    lowest = r_candidates.copy()
    # Deepest candidates first: the candidates below are final when a candidate is reached.
    for c in np.argsort(-matrix.level[candidates], kind="stable").tolist():
        below = lower[upper == candidates[c]]
        below = below[below != c]
        if len(below):
            lowest[:, c] = np.minimum(lowest[:, c], lowest[:, below].min(axis=1))
    return lowest


@dataclass(frozen=True, slots=True)
class _Solution:
    """The chosen whole days, the programme's optimum (platform-days a year), status and gap."""

    days: IntArray
    bound: float
    status: str
    gap: float | None


def _solve(
    blocks: _Blocks,
    weights: FloatArray,
    matrix: ChainMatrix,
    candidates: StockpileCandidates,
    existing: FloatArray,
    budget: float,
    other_platforms: IntArray,
) -> _Solution:
    """Build the aggregated programme as sparse matrices and solve it with HiGHS (two stages)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    positions = candidates.positions
    n_c = len(positions)
    if len(blocks.length) == 0 or n_c == 0:
        return _Solution(np.zeros(n_c, dtype=np.intp), 0.0, "optimal", 0.0)
    k_blocks = len(blocks.length)
    n_v = n_c + len(other_platforms)
    base_in = k_blocks * n_v
    base_u = base_in + k_blocks * n_c
    base_x = base_u + k_blocks * n_c
    n_var = base_x + n_c
    k = np.arange(k_blocks)
    length = blocks.length
    r_c = blocks.r[:, :n_c]
    r_p = blocks.r[:, n_c:]

    # Pairs (upper, nearest candidate below), the upper as a variable number 0..n_v−1.
    upper, lower = nearest_candidates_below(matrix, positions)
    slot = np.full(matrix.n, -1, dtype=np.intp)
    slot[positions] = np.arange(n_c)
    slot[other_platforms] = n_c + np.arange(len(other_platforms))
    lowest = _subtree_minimum(r_c, matrix, positions, upper, lower)
    upper_slot = slot[upper]
    keep = upper_slot >= 0
    upper_slot, lower = upper_slot[keep], lower[keep]

    def out_var(kk: IntArray, v: IntArray) -> IntArray:
        return kk * n_v + v

    def in_var(kk: IntArray, c: IntArray) -> IntArray:
        return base_in + kk * n_c + c

    def u_var(kk: IntArray, c: IntArray) -> IntArray:
        return base_u + kk * n_c + c

    rows, cols, data, rhs = [], [], [], []
    next_row = 0
    # in_c − out_d ≤ 0 (candidate above d) and out_p − out_d ≤ 0 (platform above d).
    n_e = len(upper_slot)
    if n_e:
        kk, ee = np.repeat(k, n_e), np.tile(np.arange(n_e), k_blocks)
        up = upper_slot[ee]
        left = np.where(up < n_c, in_var(kk, np.minimum(up, n_c - 1)), out_var(kk, up))
        row = next_row + np.arange(k_blocks * n_e)
        rows += [row, row]
        cols += [left, out_var(kk, lower[ee])]
        data += [np.ones(len(row)), -np.ones(len(row))]
        rhs.append(np.zeros(len(row)))
        next_row += len(row)
    # out_c − in_c − u_c ≤ 0.
    kk, cc = np.repeat(k, n_c), np.tile(np.arange(n_c), k_blocks)
    row = next_row + np.arange(k_blocks * n_c)
    rows += [row, row, row]
    cols += [out_var(kk, cc), in_var(kk, cc), u_var(kk, cc)]
    data += [np.ones(len(row)), -np.ones(len(row)), -np.ones(len(row))]
    rhs.append(np.zeros(len(row)))
    next_row += len(row)
    # Σ_{blocks of q} u_c − x_c ≤ s_c, per pattern that loses something.
    used, compact = np.unique(blocks.pattern, return_inverse=True)
    row = next_row + compact[kk] * n_c + cc
    stock_rows = next_row + np.arange(len(used) * n_c)
    rows += [row, stock_rows]
    cols += [u_var(kk, cc), base_x + np.tile(np.arange(n_c), len(used))]
    data += [np.ones(len(row)), -np.ones(len(stock_rows))]
    rhs.append(np.tile(existing, len(used)))
    next_row += len(stock_rows)
    # Σ cost_c · x_c ≤ budget.
    rows.append(np.full(n_c, next_row))
    cols.append(base_x + np.arange(n_c))
    data.append(candidates.cost_per_day)
    rhs.append(np.array([budget]))
    next_row += 1
    matrix_a = sp.csr_array(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(next_row, n_var)
    )
    upper_bound = np.concatenate(rhs)

    # The most stock a candidate can use in one pattern: beyond it, more days never help.
    need = np.zeros((len(used), n_c))
    np.add.at(need, compact, length[:, None] * (1.0 - lowest))
    cap = np.maximum(np.ceil(need.max(axis=0) - existing - _DAY_TOLERANCE), 0.0)
    max_days = np.where(np.isnan(candidates.max_days), np.inf, candidates.max_days)
    high = np.concatenate(
        [
            np.hstack([np.repeat(length[:, None], n_c, axis=1), length[:, None] * r_p]).reshape(-1),
            (length[:, None] * r_c).reshape(-1),
            (length[:, None] * (1.0 - lowest)).reshape(-1),
            np.minimum(max_days, cap),
        ]
    )
    bounds = Bounds(np.zeros(n_var), high)
    integrality = np.zeros(n_var)
    integrality[base_x:] = 1

    # Objective: −Σ_q w_q Σ_blocks Σ_p out_p; the constant Σ w_q L_b · P is added back.
    platforms = matrix.platforms
    platform_slot = slot[platforms]
    n_p = len(platforms)
    objective = np.zeros(n_var)
    block_weight = weights[blocks.pattern]
    objective[out_var(np.repeat(k, n_p), np.tile(platform_slot, k_blocks))] = -np.repeat(block_weight, n_p)
    constant = float((block_weight * length).sum() * n_p)

    options = {"mip_rel_gap": _MIP_REL_GAP, "disp": False}
    first = milp(
        objective,
        integrality=integrality,
        bounds=bounds,
        constraints=LinearConstraint(matrix_a, -np.inf, upper_bound),
        options=options,
    )
    if first.x is None:
        raise RuntimeError(f"the stockpile programme has no solution: {first.message}")
    best = float(first.fun)
    # Second stage: the cheapest plan giving every platform at least the same output in every
    # block (so no more loss), which drops days bought for nothing. Platform outputs become
    # lower bounds instead of one dense loss row, which keeps the second solve as quick as the first.
    platform_vars = np.flatnonzero(objective < 0)
    low = np.zeros(n_var)
    low[platform_vars] = np.minimum(first.x[platform_vars], high[platform_vars]) * (1.0 - _KEEP_TOLERANCE)
    cheapest = milp(
        np.concatenate([np.zeros(base_x), candidates.cost_per_day]),
        integrality=integrality,
        bounds=Bounds(low, high),
        constraints=LinearConstraint(matrix_a, -np.inf, upper_bound),
        options=options,
    )
    chosen = cheapest if cheapest.x is not None else first
    days = _within_budget(chosen.x[base_x:], candidates.cost_per_day, budget)
    gap = getattr(first, "mip_gap", None)
    return _Solution(
        days=days,
        bound=max(constant + best, 0.0),
        status=_STATUS.get(int(first.status), "other"),
        gap=None if gap is None else float(gap),
    )


def _within_budget(values: FloatArray, cost: FloatArray, budget: float) -> IntArray:
    """Return the solver's integer values as whole days, never costing more than the budget.

    HiGHS accepts a value within its integrality tolerance of a whole number; rounded up, such a
    value could cost a little more than the budget. Then the day rounded up furthest is dropped.
    """
    days = np.rint(values).astype(np.intp)
    while days.any() and float(cost @ days) > budget:
        excess = np.where(days > 0, days - values, -np.inf)
        days[int(np.argmax(excess))] -= 1
    return days


def _naive_days(risk: FloatArray, candidates: StockpileCandidates, budget: float) -> IntArray:
    """Return the naive plan: the budget spent on the riskiest candidate up to its max_days, then the next."""
    days = np.zeros(len(risk), dtype=np.intp)
    remaining = budget
    # A loop over the candidates (few) in order of risk; candidates without risk get nothing.
    for c in np.argsort(-risk, kind="stable").tolist():
        if risk[c] <= 0:
            break
        cost = float(candidates.cost_per_day[c])
        affordable = np.floor(remaining / cost)
        # A quotient such as 0.3 / 0.1 = 2.9999… must not lose the day the budget does pay for.
        if (affordable + 1) * cost <= remaining:
            affordable += 1
        limit = candidates.max_days[c]
        whole = int(affordable if np.isnan(limit) else min(affordable, limit))
        days[c] = max(whole, 0)
        remaining -= days[c] * cost
    return days


def plan_stockpile(
    chain: Chain,
    matrix: ChainMatrix,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    candidates: StockpileCandidates,
    budget: float,
    draws: int,
    seed: int = 0,
    progress: Progress | None = None,
) -> StockpilePlan:
    """Return the optimal stockpile plan within ``budget`` and the naive plan, with their re-runs.

    Draws and seed are those of :func:`~ketenradar.scenarios.montecarlo.monte_carlo`: the
    before, after and naive losses are Monte Carlo runs on the same draws. ``progress(done,
    total)`` is called as the work advances, over the :data:`PHASES` in equal shares.
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if not np.isfinite(budget) or budget < 0:
        raise ValueError("budget must be a finite number ≥ 0")

    def phase(number: int) -> Callable[[int, int], None]:
        def report(done: int, total: int) -> None:
            if progress is not None:
                share = done / total if total else 1.0
                progress(int(_PHASE_STEPS * (number + share)), _PHASE_STEPS * len(PHASES))

        return report

    positions = np.asarray(candidates.positions, dtype=np.intp)
    is_candidate = np.zeros(matrix.n, dtype=bool)
    is_candidate[positions] = True
    other_platforms = matrix.platforms[~is_candidate[matrix.platforms]]

    plan = draw_plan(scenario, draws, seed)
    patterns, counts = np.unique(plan, axis=0, return_counts=True)
    # The quiet pattern (no shock) loses nothing: it is not simulated.
    quiet = (patterns < 0).all(axis=1)  # draw_plan marks a shock that does not occur with −1
    patterns, counts = patterns[~quiet], counts[~quiet]
    weights = counts / draws
    blocks = _pattern_blocks(
        chain, matrix, scenario, world_shares, patterns, positions, other_platforms, phase(0)
    )
    existing = _existing_stock(chain, positions)
    solution = _solve(blocks, weights, matrix, candidates, existing, budget, other_platforms)

    # The naive ranking: expected input shortfall in days a year, Σ_q w_q Σ_t (1 − r_c,q(t)).
    risk: FloatArray = (weights[blocks.pattern] * blocks.length) @ (1.0 - blocks.r[:, : len(positions)])
    naive_days = _naive_days(risk, candidates, budget)

    before = monte_carlo(chain, matrix, scenario, world_shares, draws, seed, phase(1))
    after = monte_carlo(
        with_added_stock(chain, positions, solution.days),
        matrix,
        scenario,
        world_shares,
        draws,
        seed,
        phase(2),
    )
    naive = monte_carlo(
        with_added_stock(chain, positions, naive_days), matrix, scenario, world_shares, draws, seed, phase(3)
    )
    return StockpilePlan(
        candidates=candidates,
        budget=float(budget),
        days=solution.days,
        naive_days=naive_days,
        existing_days=existing,
        risk=risk,
        model_bound=solution.bound,
        before=before,
        after=after,
        naive=naive,
        solver_status=solution.status,
        mip_gap=solution.gap,
        n_patterns=len(patterns),
        n_blocks=len(blocks.length),
    )
