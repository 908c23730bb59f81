"""Time Monte Carlo over simulated years against a plain per-draw loop on the same chain and draws.

``python benchmarks/bench_montecarlo.py [--items 100000] [--draws 10000]`` builds a synthetic
chain (``services.synth``), puts stocks on a share of its items (``--stocked``, days drawn from
5–90) and buffers on a share of its sourcing rows (``--buffered``, 5–60 days), and draws a
scenario of three shocks with annual probabilities and random start days (China processing,
DR Congo, Russia). It times ``monte_carlo`` (every draw, and every draw with each shock removed
for the contributions) in process, and optionally on a local Dask cluster (``--dask-workers``).

The baseline is the loop a person would write first: for every draw and variant, a simulation
of that year day by day, vectorised over all items (one pass over the levels per day, stocks
and buffers drawn as the rules say), own supply computed once per run of days with the same
active shocks *of that draw*, nothing shared between draws and no day skipped (only a year
without any shock is skipped). It is timed on the first ``--baseline-draws`` draws with a shock
and its time per such draw multiplied by their number; its days lost must equal ours on those
draws (1e-9). A run without stocks is timed too
(``--stocked 0 --buffered 0`` is how the synthetic chain comes).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from _common import ratio, repeat, seconds, table

from ketenradar import refdata
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import ChainMatrix, build_chain_matrix
from ketenradar.scenarios.availability import own_from_stages, own_supply
from ketenradar.scenarios.montecarlo import NOT_OCCURRING, YEAR_DAYS, draw_plan, monte_carlo, year_scenario
from ketenradar.scenarios.simulate import active_segments
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import synthetic_chain

SCENARIO = Scenario(
    "benchmark",
    (
        Shock(("CHN",), 0.8, stage="processing", probability=0.3, duration_days=120),
        Shock(("COD",), 1.0, probability=0.2, duration_days=90),
        Shock(("RUS",), 0.6, probability=0.1, duration_days=180),
    ),
)


def stocked_chain(items: int, stocked: float, buffered: float, seed: int = 1) -> Chain:
    """Return a synthetic chain with stocks on a share of items and buffers on a share of rows."""
    chain = synthetic_chain(items, seed=seed)
    rng = np.random.default_rng(seed)
    n, m = len(chain.items), len(chain.sourcing)
    item_days = np.where(rng.random(n) < stocked, rng.uniform(5, 90, n), np.nan)
    row_days = np.where(rng.random(m) < buffered, rng.uniform(5, 60, m), np.nan)
    return chain.with_frames(
        items=chain.items.assign(stock_days=item_days), sourcing=chain.sourcing.assign(stock_days=row_days)
    )


def _stock(frame: pd.DataFrame) -> np.ndarray:
    values = pd.to_numeric(frame["stock_days"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isfinite(values) & (values > 0), values, 0.0)


def plain_days_lost(
    chain: Chain, matrix: ChainMatrix, scenario: Scenario, world: pd.DataFrame, horizon: int
) -> np.ndarray:
    """Return days lost per platform: every day simulated over every item, nothing reused."""
    src = matrix.sourcing
    n, n_stages = matrix.n, len(src.stages)
    stock, buffer = _stock(chain.items), _stock(chain.sourcing)
    cell = src.item.astype(np.int64) * n_stages + src.stage
    down = matrix.down
    lost = np.zeros(len(matrix.platforms))
    for start, stop, active in active_segments(scenario.shocks, horizon):
        supply = own_supply(chain, matrix, Scenario("day", tuple(scenario.shocks[k] for k in active)), world)
        loss = 1.0 - supply.retained
        for _day in range(start, stop):
            covered = buffer >= loss - 1e-12
            drawn = np.where(covered, loss, buffer)
            buffer = buffer - drawn
            back = np.bincount(cell, weights=src.share * drawn, minlength=n * n_stages).reshape(n, n_stages)
            output = own_from_stages(np.clip(supply.stage_values + back, 0.0, 1.0))
            for level in range(matrix.depth - 1, -1, -1):
                rows = matrix.level_rows(level)
                counts = down.indptr[rows + 1] - down.indptr[rows]
                parents = rows[counts > 0]
                if len(parents):
                    starts = down.indptr[parents]
                    lengths = counts[counts > 0]
                    flat = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(
                        lengths.sum()
                    )
                    children = down.indices[flat]
                    reduced = np.minimum.reduceat(output[children], np.r_[0, np.cumsum(lengths)[:-1]])
                    output[parents] = np.minimum(output[parents], reduced)
                held = rows[stock[rows] > 0]
                need = 1.0 - output[held]
                enough = stock[held] >= need - 1e-12
                take = np.where(enough, need, stock[held])
                output[held] = np.where(enough, 1.0, output[held] + take)
                stock[held] -= take
            lost += 1.0 - np.clip(output[matrix.platforms], 0.0, 1.0)
    return lost


def plain_loop(chain: Chain, matrix: ChainMatrix, world: pd.DataFrame, plan: np.ndarray) -> np.ndarray:
    """Return days lost per variant (the draw, then each shock removed), draw and platform."""
    k = plan.shape[1]
    lost = np.zeros((k + 1, len(plan), len(matrix.platforms)))
    for draw, row in enumerate(plan):
        for variant in range(k + 1):
            pattern = row.copy()
            if variant:
                pattern[variant - 1] = NOT_OCCURRING
            if (pattern != NOT_OCCURRING).any():
                year = year_scenario(SCENARIO, pattern.tolist())
                lost[variant, draw] = plain_days_lost(chain, matrix, year, world, YEAR_DAYS)
    return lost


def main() -> None:
    """Run the benchmark and print the timings and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--baseline-draws", type=int, default=5)
    parser.add_argument("--stocked", type=float, default=0.01, help="share of items with a stock")
    parser.add_argument("--buffered", type=float, default=0.01, help="share of sourcing rows with a buffer")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dask-workers", type=int, default=0, help="also time a local Dask cluster")
    args = parser.parse_args()
    world = world_supply_shares(refdata.load_materials())
    rows = []
    for label, stocked, buffered in (
        ("no stocks", 0.0, 0.0),
        (
            f"stocks on {args.stocked:.1%} of items, buffers on {args.buffered:.1%} of rows",
            args.stocked,
            args.buffered,
        ),
    ):
        chain = stocked_chain(args.items, stocked, buffered)
        matrix = build_chain_matrix(chain)
        timing, result = repeat(
            lambda chain=chain, matrix=matrix: monte_carlo(
                chain, matrix, SCENARIO, world, args.draws, seed=0
            ),
            args.repeat,
        )
        # The plain loop skips a year without shocks too; it is timed on years with a shock and
        # its time per such year multiplied by their number.
        full_plan = draw_plan(SCENARIO, args.draws, 0)
        eventful = np.flatnonzero((full_plan != NOT_OCCURRING).any(axis=1))
        sample = eventful[: args.baseline_draws]
        plan = full_plan[sample]
        start = time.perf_counter()
        baseline = plain_loop(chain, matrix, world, plan)
        per_draw = (time.perf_counter() - start) / max(len(plan), 1)
        np.testing.assert_allclose(result.days_lost[:, sample], baseline[0].T, rtol=1e-9, atol=1e-9)
        ours_removed = _removed_losses(chain, matrix, world, plan)
        np.testing.assert_allclose(ours_removed, baseline, rtol=1e-9, atol=1e-9)
        extrapolated = per_draw * len(eventful)
        rows.append(
            [
                label,
                timing.seconds(),
                f"{seconds(extrapolated)} ({seconds(per_draw)}/draw)",
                ratio(extrapolated, timing.median),
            ]
        )
        if args.dask_workers and stocked:
            dask_timing, on_dask = repeat(
                lambda chain=chain, matrix=matrix: monte_carlo(
                    chain,
                    matrix,
                    SCENARIO,
                    world,
                    args.draws,
                    seed=0,
                    scheduler="dask",
                    workers=args.dask_workers,
                ),
                args.repeat,
            )
            assert np.array_equal(on_dask.days_lost, result.days_lost)
            rows.append(
                [
                    f"{label}, Dask {args.dask_workers} workers",
                    dask_timing.seconds(),
                    "",
                    ratio(extrapolated, dask_timing.median),
                ]
            )
        print(
            f"{label}: {matrix.n} items, {len(chain.bom)} bom rows, {len(matrix.platforms)} platforms, "
            f"{result.n_patterns} distinct start-day patterns in {args.draws} draws"
        )
    print(
        "checks passed: days lost per draw and variant equal to the plain loop on "
        f"{args.baseline_draws} draws"
    )
    print(
        table(
            rows,
            [
                "chain",
                f"monte_carlo, {args.draws} draws",
                "plain per-draw loop (extrapolated)",
                "plain / ours",
            ],
        )
    )


def _removed_losses(chain: Chain, matrix: ChainMatrix, world: pd.DataFrame, plan: np.ndarray) -> np.ndarray:
    """Return our days lost per variant for the given draws (the engine's own variants)."""
    from ketenradar.scenarios.montecarlo import variant_losses
    from ketenradar.scenarios.simulate import Simulator

    return variant_losses(Simulator(chain, matrix, world), SCENARIO, plan)


if __name__ == "__main__":
    main()
