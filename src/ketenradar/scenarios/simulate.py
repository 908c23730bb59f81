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
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ketenradar._types import FloatArray, IntArray
from ketenradar.model.chain import Chain
from ketenradar.model.index import StringArray
from ketenradar.model.refinements import Refinements
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import reduce_up
from ketenradar.scenarios.availability import OwnSupply, own_from_stages, own_supply
from ketenradar.scenarios.node_graph import NodeGraph, fixed_minimum, levels_of
from ketenradar.scenarios.refinements import (
    alternative_retained,
    resolve_alternatives,
    resolve_substitutes,
    substitute_availability,
)

__all__ = ["DEFAULT_HORIZON_DAYS", "SimulationResult", "Simulator", "active_segments", "simulate"]

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
    ``a(t)`` (before the item's own stock) and ``watched_output[w, t]`` its output. ``relief``
    has a row per alternative or substitute that delivered: kind, item, from (country or
    material), first_day, share_days (Σ over days of the share of the item's supply it gave).
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
    relief: pd.DataFrame = field(default_factory=pd.DataFrame)

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


def _whole_days(remaining: FloatArray, need: FloatArray) -> int:
    """Return how many more whole days the remaining stocks cover at these daily needs (the fewest)."""
    if not len(need):
        return np.iinfo(np.int64).max
    return int(np.floor((remaining + _COVER_TOLERANCE) / need).min())


@dataclass(frozen=True, slots=True)
class _ShockSet:
    """What one set of active shocks gives, before stocks: computed once, used on every day it is active."""

    supply: OwnSupply
    own: FloatArray
    alternative_retained: FloatArray
    substitute_availability: FloatArray
    base: FloatArray
    node_own: FloatArray


class Simulator:
    """A chain prepared for simulation: its levels, stocks, buffers and refinements.

    Only the items whose output can change from day to day (items with a stock, a buffered
    sourcing row, an alternative or a substitute), the platforms and the watched items are
    simulated, as a graph of their own (:class:`NodeGraph`); everything else below a node is
    folded into one number per node and set of active shocks, computed once and kept for the
    next run (:meth:`run` may be called for many scenarios with the same shocks at other times,
    as Monte Carlo does). Within a run the days between two events (a shock starting or ending,
    a stock or buffer running out, an alternative or substitute coming in) are all alike, so
    one day is computed and repeated.
    """

    def __init__(
        self,
        chain: Chain,
        matrix: ChainMatrix,
        world_shares: pd.DataFrame,
        *,
        refinements: Refinements | None = None,
        watch: IntArray | None = None,
        available: IntArray | None = None,
    ) -> None:
        self.chain, self.matrix, self.world_shares = chain, matrix, world_shares
        n = matrix.n
        src = matrix.sourcing
        self.n_stages = len(src.stages)
        forced = np.zeros(n, dtype=bool)
        if available is not None:
            forced[np.asarray(available, dtype=np.intp)] = True
        item_stock = _stock_column(chain.items)
        # A forced item never draws on its stock: its output is 1 whatever its inputs.
        item_stock[forced] = 0.0
        self.item_stock = item_stock

        row_buffer = _stock_column(chain.sourcing)
        self.buffered = np.flatnonzero(row_buffer > 0)
        self.row_buffer = row_buffer[self.buffered]
        self.buffer_item = src.item[self.buffered]
        self.buffer_share = src.share[self.buffered]

        self.refinements = refinements or Refinements()
        alt = resolve_alternatives(matrix, self.refinements, src.stages)
        self.alt_item, self.alt_stage, self.alt_share, self.alt_lead, self.alternatives = alt
        sub = resolve_substitutes(matrix, self.refinements)
        self.sub_item, self.sub_material, self.sub_share, self.sub_days, self.substitutes = sub
        # Several substitutes of one item share its gap: their offers are summed per item.
        self.sub_items, self.sub_slot = np.unique(self.sub_item, return_inverse=True)

        # The items whose stage supply is recomputed each day, and each buffered row's and
        # alternative's (item, stage) cell among them.
        self.stage_items = np.unique(np.concatenate([self.buffer_item, self.alt_item]).astype(np.intp))
        local = np.searchsorted(self.stage_items, self.buffer_item)
        self.buffer_cell = local.astype(np.int64) * self.n_stages + src.stage[self.buffered]
        self.alt_cell = np.searchsorted(self.stage_items, self.alt_item).astype(np.int64) * self.n_stages + (
            self.alt_stage
        )

        # Items whose own supply changes by the day, and items whose output can change by the day.
        self.own_dynamic = np.zeros(n, dtype=bool)
        self.own_dynamic[self.stage_items] = True
        self.own_dynamic[self.sub_item] = True
        self.own_dynamic &= ~forced
        dynamic = ((item_stock > 0) | self.own_dynamic) & ~forced
        self.watched = np.zeros(0, dtype=np.intp) if watch is None else np.asarray(watch, dtype=np.intp)
        nodes = dynamic.copy()
        nodes[matrix.platforms] = True
        nodes[self.watched] = True
        self.dynamic, self.forced = dynamic, forced
        self.levels = levels_of(matrix)
        self.graph = NodeGraph.of(matrix, nodes, dynamic, forced, item_stock > 0)
        self._sets: dict[tuple[Shock, ...], _ShockSet] = {}

    def _shock_set(self, shocks: tuple[Shock, ...]) -> _ShockSet:
        """Return what the active shocks give before stocks, computed on first use."""
        # The timing of a shock does not change what it does on a day it is active.
        key = tuple(replace(s, start_day=0, duration_days=None, probability=None) for s in shocks)
        found = self._sets.get(key)
        if found is not None:
            return found
        active = Scenario("active", key)
        supply = own_supply(self.chain, self.matrix, active, self.world_shares)
        own = own_from_stages(np.clip(supply.stage_values, 0.0, 1.0))
        made = _ShockSet(
            base=fixed_minimum(self.levels, own, self.own_dynamic, self.dynamic, self.forced)[
                self.graph.order
            ],
            node_own=own[self.graph.order],
            supply=supply,
            own=own,
            alternative_retained=alternative_retained(
                self.matrix, active, self.alt_item, self.alt_stage, self.alternatives
            ),
            substitute_availability=substitute_availability(active, self.world_shares, self.sub_material),
        )
        self._sets[key] = made
        return made

    def run(
        self, scenario: Scenario, horizon_days: int = DEFAULT_HORIZON_DAYS, *, details: bool = True
    ) -> SimulationResult:
        """Simulate the scenario day by day; return daily platform output and the summaries.

        Without ``details`` the item that runs out first per platform and the relief table are
        left empty (Monte Carlo needs only the daily output).
        """
        if horizon_days < 0:
            raise ValueError("horizon_days must not be negative")
        matrix = self.matrix
        n = matrix.n
        platforms = matrix.platforms
        graph = self.graph
        size = len(graph.order)
        values = np.ones(size)
        inputs = np.ones(size) if len(self.watched) else None
        stock = self.item_stock[graph.order]
        buffer = self.row_buffer.copy()
        runout = np.full(size, -1, dtype=np.intp)
        series = np.ones((len(platforms), horizon_days))
        watched = self.watched
        watched_input = np.ones((len(watched), horizon_days))
        watched_output = np.ones((len(watched), horizon_days))
        platform_node, watched_node = graph.local_of[platforms], graph.local_of[watched]
        # The first day each alternative's stage, and each substitute's material, is hit.
        alt_hit = np.full(len(self.alt_item), -1, dtype=np.int64)
        sub_hit = np.full(len(self.sub_item), -1, dtype=np.int64)
        alt_from = self.alt_lead
        relief = np.zeros(len(self.alt_item) + len(self.sub_item))
        relief_first = np.full(len(relief), -1, dtype=np.int64)
        # Items held available are no nodes (−1): what changes their own supply changes nothing.
        stage_node = graph.local_of[self.stage_items]
        stage_kept = stage_node >= 0
        sub_node = graph.local_of[self.sub_items]
        sub_kept = sub_node >= 0
        own_node = graph.local_of[np.flatnonzero(self.own_dynamic)]
        buffer_node = graph.local_of[self.buffer_item]

        for start, stop, active in active_segments(scenario.shocks, horizon_days):
            shocks = self._shock_set(tuple(scenario.shocks[k] for k in active))
            stage_values = shocks.supply.stage_values[self.stage_items]
            row_loss = 1.0 - shocks.supply.retained[self.buffered]
            if len(self.alt_item):
                hit = (
                    np.clip(shocks.supply.stage_values[self.alt_item, self.alt_stage], 0.0, 1.0)
                    < 1.0 - _SHORT_TOLERANCE
                )
                alt_hit[hit & (alt_hit < 0)] = start
            if len(self.sub_item):
                hit = shocks.own[self.sub_item] < 1.0 - _SHORT_TOLERANCE
                sub_hit[hit & (sub_hit < 0)] = start
            losing = row_loss > _COVER_TOLERANCE
            n_losing = int(losing.sum())
            segment_stage_own = own_from_stages(np.clip(stage_values, 0.0, 1.0))[stage_kept]
            day = start
            while day < stop:
                partial = False
                bounds = [stop - day - 1]
                day_relief = np.zeros(len(relief))
                values[:] = shocks.base
                own_now = shocks.node_own.copy()
                # Only buffers of rows that lose supply this segment and still hold some can draw.
                live = np.flatnonzero(losing & (buffer > 0))
                if len(live) < n_losing:
                    # An empty buffer on a row that loses supply runs out today, if not before.
                    empty = buffer_node[losing & (buffer <= 0)]
                    empty = empty[empty >= 0]
                    runout[empty[runout[empty] < 0]] = day
                if len(self.stage_items) and not len(live) and not len(self.alt_item):
                    # Nothing moves the stage supply: the segment's value holds.
                    own_now[stage_node[stage_kept]] = segment_stage_own
                elif len(self.stage_items):
                    stages = stage_values
                    if len(live):
                        drawn, covered = _draw(buffer[live], row_loss[live])
                        partial |= bool((~covered & (drawn > 0)).any())
                        # A buffered row adds back the share of its loss that the buffer delivers.
                        back = np.bincount(
                            self.buffer_cell[live],
                            weights=self.buffer_share[live] * drawn,
                            minlength=stage_values.size,
                        )
                        stages = stage_values + back.reshape(stage_values.shape)
                        buffer[live] -= drawn
                        first = buffer_node[live[~covered]]
                        first = first[first >= 0]
                        runout[first[runout[first] < 0]] = day
                        bounds.append(_whole_days(buffer[live[covered]], row_loss[live[covered]]))
                    stages = np.clip(stages, 0.0, 1.0)
                    if len(self.alt_item):
                        ready = (alt_hit >= 0) & (day >= alt_hit + alt_from)
                        offer = np.where(ready, self.alt_share * shocks.alternative_retained, 0.0)
                        flat = stages.reshape(-1)
                        total = np.bincount(self.alt_cell, weights=offer, minlength=flat.size)
                        gap = np.where(np.isnan(flat), 0.0, 1.0 - flat)
                        taken = np.minimum(gap, total)
                        stages = (flat + taken).reshape(stages.shape)
                        share_taken = np.divide(taken, total, out=np.zeros_like(total), where=total > 0)
                        day_relief[: len(offer)] = offer * share_taken[self.alt_cell]
                        pending = (alt_hit >= 0) & ~ready
                        if pending.any():
                            bounds.append(int(np.ceil(alt_hit[pending] + alt_from[pending]).min()) - day - 1)
                    own_now[stage_node[stage_kept]] = own_from_stages(stages)[stage_kept]
                if len(self.sub_item):
                    ready = (sub_hit >= 0) & (day >= sub_hit + self.sub_days)
                    offer = np.nan_to_num(
                        np.where(ready, self.sub_share * shocks.substitute_availability, 0.0)
                    )
                    total = np.bincount(self.sub_slot, weights=offer, minlength=len(sub_node))
                    taken = np.where(sub_kept, np.minimum(1.0 - own_now[sub_node], total), 0.0)
                    own_now[sub_node[sub_kept]] += taken[sub_kept]
                    share_taken = np.divide(taken, total, out=np.zeros_like(total), where=total > 0)
                    day_relief[len(self.alt_item) :] = offer * share_taken[self.sub_slot]
                    pending = (sub_hit >= 0) & ~ready
                    if pending.any():
                        bounds.append(int(np.ceil(sub_hit[pending] + self.sub_days[pending]).min()) - day - 1)
                # The nodes' own supply is set; their outputs follow level by level.
                values[own_node] = np.minimum(values[own_node], own_now[own_node])
                drawing_items: list[IntArray] = []
                drawing_need: list[FloatArray] = []
                for k in range(len(graph.bounds) - 1):
                    targets = graph.targets[k]
                    if len(targets):
                        reduced = np.minimum.reduceat(values[graph.children[k]], graph.offsets[k])
                        values[targets] = np.minimum(values[targets], reduced)
                    if inputs is not None:
                        inputs[graph.bounds[k] : graph.bounds[k + 1]] = values[
                            graph.bounds[k] : graph.bounds[k + 1]
                        ]
                    if len(graph.forced[k]):
                        values[graph.forced[k]] = 1.0
                    held = graph.stocked[k]
                    if len(held):
                        need = 1.0 - values[held]
                        have = stock[held]
                        covered = have >= need - _COVER_TOLERANCE
                        drawing = covered & (need > _COVER_TOLERANCE)
                        if covered.all():
                            # The common day: every stock that is asked covers its item in full.
                            if drawing.any():
                                taking = held[drawing]
                                values[taking] = 1.0
                                stock[taking] = have[drawing] - need[drawing]
                        else:
                            # Covered is exactly 1, not a(t) + (1 − a(t)) with its rounding;
                            # an uncovered stock gives what is left and runs out (¬covered ⇒ need > 0).
                            values[held] = np.where(covered, 1.0, values[held] + np.where(covered, 0.0, have))
                            stock[held] = np.where(covered, have - need, 0.0)
                            partial |= bool((have[~covered] > 0).any())
                            ran_out = held[~covered]
                            runout[ran_out[runout[ran_out] < 0]] = day
                        drawing_items.append(held[drawing])
                        drawing_need.append(need[drawing])
                if drawing_items:
                    held_all = np.concatenate(drawing_items)
                    need_all = np.concatenate(drawing_need)
                    bounds.append(_whole_days(stock[held_all], need_all))
                # Until the next event every day is this day again: repeat it, draw the stocks.
                repeat = 0 if partial else max(0, min(bounds))
                stop_copy = day + 1 + repeat
                series[:, day:stop_copy] = values[platform_node][:, None]
                if len(watched):
                    watched_output[:, day:stop_copy] = values[watched_node][:, None]
                    day_inputs = inputs if inputs is not None else values
                    watched_input[:, day:stop_copy] = day_inputs[watched_node][:, None]
                if repeat:
                    if drawing_items:
                        stock[held_all] = np.maximum(stock[held_all] - repeat * need_all, 0.0)
                    if len(live):
                        buffer[live] = np.maximum(buffer[live] - repeat * row_loss[live], 0.0)
                if len(relief):
                    relief += day_relief * (1 + repeat)
                    relief_first[(day_relief > 0) & (relief_first < 0)] = day
                day = stop_copy
        np.clip(series, 0.0, 1.0, out=series)
        runout_day = np.full(n, -1, dtype=np.intp)
        runout_day[graph.order] = runout
        return SimulationResult(
            scenario=scenario,
            horizon_days=horizon_days,
            labels=matrix.index.values,
            platform_positions=platforms,
            series=series,
            runout_day=runout_day,
            first_short=_first_short(matrix, runout_day) if details else (),
            watched=watched,
            watched_input=np.clip(watched_input, 0.0, 1.0),
            watched_output=np.clip(watched_output, 0.0, 1.0),
            relief=self._relief_frame(relief, relief_first) if details else pd.DataFrame(),
        )

    def _relief_frame(self, relief: FloatArray, first: IntArray) -> pd.DataFrame:
        """Return one row per alternative and substitute that delivered: what, where, from when, how much."""
        labels = self.matrix.index
        rows = []
        for k, alternative in enumerate(self.alternatives):
            rows.append(("alternative", alternative.country, self.alt_item[k], alternative.source))
        for k, substitute in enumerate(self.substitutes):
            rows.append(("substitute", substitute.substitute, self.sub_item[k], substitute.source))
        items = np.array([r[2] for r in rows], dtype=np.intp)
        frame = pd.DataFrame(
            {
                "kind": [r[0] for r in rows],
                "item": np.asarray(labels.take(items), dtype=object) if len(items) else [],
                "from": [r[1] for r in rows],
                "first_day": first,
                "share_days": relief,
                "source": [r[3] for r in rows],
            }
        )
        return frame[frame["share_days"] > 0].reset_index(drop=True)


def simulate(
    chain: Chain,
    matrix: ChainMatrix,
    scenario: Scenario,
    world_shares: pd.DataFrame,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    *,
    refinements: Refinements | None = None,
    watch: IntArray | None = None,
    available: IntArray | None = None,
) -> SimulationResult:
    """Simulate the scenario day by day with stocks and buffers; return daily platform output.

    ``refinements`` are the alternatives and substitutes to use (none by default); ``watch``
    names item positions whose daily input availability and output are kept; ``available``
    names item positions whose output is held at 1 every day (as if their supply never failed).
    """
    simulator = Simulator(
        chain, matrix, world_shares, refinements=refinements, watch=watch, available=available
    )
    return simulator.run(scenario, horizon_days)


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
