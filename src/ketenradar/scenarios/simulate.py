"""Disruption over time: daily output of every item with stocks and buffered supply rows.

Rules v1 (PRODUCT.md, "Over time"; docs/methodology/simulation.md). Days ``t = 0 … H−1``; a
shock is active on day ``t`` when ``start_day ≤ t < start_day + duration_days`` (no duration:
to the horizon). Each day every sourcing row keeps ``r(t) = Π(1 − severity)`` over the active
shocks that cover it, as in the baseline rule.

* A sourcing row with ``stock_days = b`` (days of that row's deliveries) delivers ``d(t) = 1``
  while its buffer covers the day's loss ``1 − r(t)``, the buffer falling by ``1 − r(t)``; on
  the day it cannot, ``d(t) = r(t) + remaining buffer``, and afterwards ``d(t) = r(t)``. A row
  without a buffer delivers ``d(t) = r(t)``. The item's own supply at a stage is the baseline
  expression with delivered fractions, ``1 − Σ_k share_k · (1 − d_k(t))``, clipped to 0..1; its
  own supply availability the minimum over its stages. World shares carry no buffers.
* An item with ``stock_days = s`` has input availability ``a(t) = min(own supply, inputs'
  outputs)``; while its stock covers ``1 − a(t)`` its output is 1 and the stock falls by
  ``1 − a(t)``; on the day it cannot, the output is ``a(t) + remaining stock``; afterwards
  ``a(t)``. Stocks are not refilled within the horizon.

An item (or buffer) *runs out* on the first day its stock cannot cover that day's shortfall.
With no stocks every day equals :func:`run_scenario` under the shocks active that day.

Own supply is computed once per distinct set of active shocks (a handful of segments); each
day is one vectorised pass over the topological levels, deepest first. Within a segment, once
a day draws on no stock or buffer, every later day of the segment is the same and is copied.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ketenradar._types import FloatArray, IntArray
from ketenradar.model.chain import Chain
from ketenradar.model.index import StringArray
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import reduce_up
from ketenradar.scenarios.availability import OwnSupply, own_from_stages, own_supply

__all__ = ["DEFAULT_HORIZON_DAYS", "SimulationResult", "active_segments", "simulate"]

DEFAULT_HORIZON_DAYS = 365
# A stock within this of the day's shortfall covers it: rounding must not cut a whole day short.
_COVER_TOLERANCE = 1e-12
# Output this close to 1 is whole (a buffer adding back a share of a loss can round just below).
_SHORT_TOLERANCE = 1e-12


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Daily output per platform over the horizon, with the per-platform summaries.

    ``series[p, t]`` is platform ``p``'s output on day ``t`` (0..1). ``runout_day[i]`` is the
    first day item ``i``'s stock, or a buffer on one of its sourcing rows, could not cover the
    day's shortfall (−1 if never). ``first_short[p]`` is the item in platform ``p``'s chain
    (itself included) that runs out first, the first in workbook order on a tie; None if none.
    For the ``watched`` item positions, ``watched_input[w, t]`` is the input availability
    ``a(t)`` (before the item's own stock) and ``watched_output[w, t]`` its output.
    """

    scenario: Scenario
    horizon_days: int
    labels: StringArray
    platform_positions: IntArray
    series: FloatArray
    runout_day: IntArray
    first_short: tuple[str | None, ...]
    watched: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    watched_input: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    watched_output: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def days_lost(self) -> FloatArray:
        """Return Σ_t (1 − output(t)) per platform: platform-days of production lost."""
        lost: FloatArray = (1.0 - self.series).sum(axis=1)
        return lost

    @property
    def stockout_day(self) -> list[int | None]:
        """Return per platform the first day its output is below 1 (None if never)."""
        short = self.series < 1.0 - _SHORT_TOLERANCE
        first = np.where(short.any(axis=1), short.argmax(axis=1), -1)
        return [None if day < 0 else int(day) for day in first.tolist()]

    @property
    def min_output(self) -> FloatArray:
        """Return per platform its lowest daily output (1 with an empty horizon)."""
        if self.series.shape[1] == 0:
            return np.ones(self.series.shape[0])
        lowest: FloatArray = self.series.min(axis=1)
        return lowest

    @property
    def platforms(self) -> pd.DataFrame:
        """Return one row per platform: id, days_lost, stockout_day, min_output, first_short."""
        return pd.DataFrame(
            {
                "id": np.asarray(self.labels[self.platform_positions], dtype=object),
                "days_lost": self.days_lost,
                "stockout_day": pd.array(self.stockout_day, dtype="Int64"),
                "min_output": self.min_output,
                "first_short": pd.array(list(self.first_short), dtype=object),
            }
        )

    def daily(self) -> pd.DataFrame:
        """Return one row per platform and day: platform, day, output."""
        n_platforms, horizon = self.series.shape
        ids = np.asarray(self.labels[self.platform_positions], dtype=object)
        return pd.DataFrame(
            {
                "platform": np.repeat(ids, horizon),
                "day": np.tile(np.arange(horizon), n_platforms),
                "output": self.series.reshape(-1),
            }
        )


def active_segments(shocks: tuple[Shock, ...], horizon_days: int) -> list[tuple[int, int, tuple[int, ...]]]:
    """Return the runs of days ``[start, stop)`` with the same active shocks, as shock numbers."""
    cuts = {0, horizon_days}
    for shock in shocks:
        start = max(0, shock.start_day)
        # Day t is active while t < start + duration: the first inactive day is its ceiling.
        stop = (
            horizon_days
            if shock.duration_days is None
            else int(np.ceil(shock.start_day + shock.duration_days))
        )
        cuts.update(day for day in (start, stop) if 0 < day < horizon_days)
    bounds = sorted(cuts)
    segments = []
    for start, stop in itertools.pairwise(bounds):
        active = tuple(
            k
            for k, shock in enumerate(shocks)
            if shock.start_day <= start
            and (shock.duration_days is None or start < shock.start_day + shock.duration_days)
        )
        segments.append((start, stop, active))
    return segments


@dataclass(frozen=True, slots=True)
class _Levels:
    """Per level (deepest first): the rows, the children to reduce, the stocked and the forced items."""

    rows: list[IntArray]
    children: list[IntArray]
    offsets: list[IntArray]
    targets: list[IntArray]
    stocked: list[IntArray]
    forced: list[IntArray]


def _levels(matrix: ChainMatrix, has_stock: np.ndarray, forced: np.ndarray) -> _Levels:
    down = matrix.down_level
    rows, children, offsets, targets, stocked, held_up = [], [], [], [], [], []
    for level in range(matrix.depth - 1, -1, -1):
        start, stop = int(matrix.level_bounds[level]), int(matrix.level_bounds[level + 1])
        level_rows = matrix.order[start:stop]
        indptr = down.indptr[start : stop + 1]
        with_children = np.diff(indptr) > 0
        rows.append(level_rows)
        children.append(down.indices[indptr[0] : indptr[-1]])
        offsets.append((indptr[:-1] - indptr[0])[with_children])
        targets.append(level_rows[with_children])
        stocked.append(level_rows[has_stock[level_rows]])
        held_up.append(level_rows[forced[level_rows]])
    return _Levels(rows, children, offsets, targets, stocked, held_up)


def _stock_column(frame: pd.DataFrame) -> FloatArray:
    """Return a frame's ``stock_days`` as floats, 0 where absent or empty."""
    if "stock_days" not in frame.columns:
        return np.zeros(len(frame))
    values = pd.to_numeric(frame["stock_days"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return np.where(np.isfinite(values) & (values > 0), values, 0.0)


def _draw(stock: FloatArray, need: FloatArray) -> tuple[FloatArray, np.ndarray]:
    """Return (delivered from stock, covered): the whole need while the stock covers it, else what is left."""
    covered = stock >= need - _COVER_TOLERANCE
    return np.where(covered, need, stock), covered


def simulate(
    chain: Chain,
    matrix: ChainMatrix,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    *,
    watch: IntArray | None = None,
    available: IntArray | None = None,
) -> SimulationResult:
    """Simulate the scenario day by day with stocks and buffers; return daily platform output.

    ``watch`` names item positions whose daily input availability and output are kept;
    ``available`` names item positions whose output is held at 1 every day (as if their supply
    never failed), for questions such as "what if these items were always available".
    """
    if horizon_days < 0:
        raise ValueError("horizon_days must not be negative")
    n = matrix.n
    src = matrix.sourcing
    n_stages = len(src.stages)
    item_stock = _stock_column(chain.items)
    forced = np.zeros(n, dtype=bool)
    if available is not None:
        forced[np.asarray(available, dtype=np.intp)] = True
    # A forced item never draws on its stock: its output is 1 whatever its inputs.
    item_stock[forced] = 0.0
    stock = item_stock.copy()
    levels = _levels(matrix, item_stock > 0, forced)
    watched = np.zeros(0, dtype=np.intp) if watch is None else np.asarray(watch, dtype=np.intp)
    watched_input = np.ones((len(watched), horizon_days))
    watched_output = np.ones((len(watched), horizon_days))
    inputs = np.ones(n) if len(watched) else None

    row_buffer = _stock_column(chain.sourcing)
    buffered = np.flatnonzero(row_buffer > 0)
    buffer = row_buffer[buffered].copy()
    buffer_item = src.item[buffered]
    # The items with buffered rows, and each buffered row's (item, stage) cell among them.
    buffer_items, local_item = np.unique(buffer_item, return_inverse=True)
    cell = local_item.astype(np.int64) * n_stages + src.stage[buffered]
    buffer_share = src.share[buffered]

    runout = np.full(n, -1, dtype=np.intp)
    platforms = matrix.platforms
    series = np.ones((len(platforms), horizon_days))
    cache: dict[tuple[int, ...], tuple[OwnSupply, FloatArray]] = {}
    for start, stop, active in active_segments(scenario.shocks, horizon_days):
        if active not in cache:
            supply = own_supply(
                chain,
                matrix,
                Scenario(scenario.name, tuple(scenario.shocks[k] for k in active)),
                world_shares,
            )
            cache[active] = (supply, own_from_stages(np.clip(supply.stage_values, 0.0, 1.0)))
        supply, segment_own = cache[active]
        row_loss = 1.0 - supply.retained[buffered]
        buffer_stages = supply.stage_values[buffer_items]
        for day in range(start, stop):
            own = segment_own
            drawn_any = False
            if len(buffered):
                drawn, covered = _draw(buffer, row_loss)
                if drawn.any():
                    drawn_any = True
                    # A buffered row adds back the share of its loss that the buffer delivers.
                    back = np.bincount(cell, weights=buffer_share * drawn, minlength=buffer_stages.size)
                    stages = np.clip(buffer_stages + back.reshape(buffer_stages.shape), 0.0, 1.0)
                    own = segment_own.copy()
                    own[buffer_items] = own_from_stages(stages)
                    buffer -= drawn
                short = ~covered & (row_loss > _COVER_TOLERANCE)
                if short.any():
                    first = buffer_item[short]
                    first = first[runout[first] < 0]
                    runout[first] = day
            output = own.copy()
            for k in range(len(levels.rows)):
                targets = levels.targets[k]
                if len(targets):
                    reduced = np.minimum.reduceat(output[levels.children[k]], levels.offsets[k])
                    output[targets] = np.minimum(output[targets], reduced)
                if inputs is not None:
                    inputs[levels.rows[k]] = output[levels.rows[k]]
                output[levels.forced[k]] = 1.0
                held = levels.stocked[k]
                if len(held):
                    need = 1.0 - output[held]
                    drawn, covered = _draw(stock[held], need)
                    if drawn.any():
                        drawn_any = True
                        # Covered is exactly 1, not a(t) + (1 − a(t)) with its rounding.
                        output[held] = np.where(covered, 1.0, output[held] + drawn)
                        stock[held] -= drawn
                    ran_out = held[~covered & (need > _COVER_TOLERANCE)]
                    runout[ran_out[runout[ran_out] < 0]] = day
            series[:, day] = output[platforms]
            if inputs is not None:
                watched_input[:, day] = inputs[watched]
                watched_output[:, day] = output[watched]
            if not drawn_any:
                # Nothing changed the stocks: the rest of the segment repeats this day.
                series[:, day + 1 : stop] = series[:, [day]]
                watched_input[:, day + 1 : stop] = watched_input[:, [day]]
                watched_output[:, day + 1 : stop] = watched_output[:, [day]]
                break
    np.clip(series, 0.0, 1.0, out=series)
    return SimulationResult(
        scenario=scenario,
        horizon_days=horizon_days,
        labels=matrix.index.values,
        platform_positions=platforms,
        series=series,
        runout_day=runout,
        first_short=_first_short(matrix, runout),
        watched=watched,
        watched_input=np.clip(watched_input, 0.0, 1.0),
        watched_output=np.clip(watched_output, 0.0, 1.0),
    )


def _first_short(matrix: ChainMatrix, runout: IntArray) -> tuple[str | None, ...]:
    """Return per platform the item in its chain that runs out first (None if none does).

    The run-out day and the item's position are folded into one number, ``day · (n + 1) +
    position``, exact in a float for any realistic chain, so one minimum up the chain gives both.
    """
    n = matrix.n
    if not (runout >= 0).any():
        return (None,) * len(matrix.platforms)
    code = np.where(runout >= 0, runout.astype(np.float64) * (n + 1) + np.arange(n), np.inf)
    best = reduce_up(matrix, code, "min")[matrix.platforms]
    found = np.isfinite(best)
    names = iter(str(i) for i in matrix.index.take((best[found] % (n + 1)).astype(np.intp)))
    return tuple(next(names) if f else None for f in found.tolist())
