"""Benchmark the chain core on synthetic national-scale chains; print ratios to baselines.

Run ``python benchmarks/bench_chains.py [--sizes 10000,100000,1000000] [--lu-max N]``.
Baselines run in the same process on the same matrix: SciPy's general sparse LU solve of
``(I − A) X = D`` and (at 10^4 items) a networkx traversal in topological order. Peak memory is
the traced allocation peak (tracemalloc) of one exposure run, measured apart from the timings.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ketenradar import refdata
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.ingest.workbook_writer import write_chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import compute_exposure
from ketenradar.network.propagate import total_requirements
from ketenradar.scenarios.availability import run_scenario
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import synthetic_chain

SCENARIO = Scenario("bench", (Shock(("CHN",), 0.5), Shock(("USA", "CHN"), 0.3, stage="processing")))


def best(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def lu_requirements(matrix) -> np.ndarray:
    system = (sp.identity(matrix.n, format="csc") - matrix.A.tocsc()).tocsc()
    demand = np.zeros((matrix.n, len(matrix.platforms)))
    demand[matrix.platforms, np.arange(len(matrix.platforms))] = 1.0
    return spla.splu(system).solve(demand)


def networkx_requirements(chain) -> dict[str, dict[str, float]]:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_weighted_edges_from(chain.bom[["parent", "child", "quantity"]].itertuples(index=False))
    order = list(nx.topological_sort(graph))
    result = {}
    for platform in chain.platform_ids:
        need = {platform: 1.0}
        for node in order:
            if node in need:
                for _, child, data in graph.out_edges(node, data=True):
                    need[child] = need.get(child, 0.0) + need[node] * data["weight"]
        result[platform] = need
    return result


def bench_size(n: int, world, lu_max: int) -> None:
    chain = synthetic_chain(n, seed=1, world_shares=world)
    print(
        f"\n== {n:,} items, {len(chain.bom):,} bom rows ({len(chain.bom) / n:.2f} per item), "
        f"{len(chain.sourcing):,} sourcing rows, {len(chain.platform_ids)} platforms"
    )
    t_build = best(lambda: build_chain_matrix(chain), 1)
    matrix = build_chain_matrix(chain)
    t_x = best(lambda: total_requirements(matrix, matrix.platforms), 3)
    t_exposure = best(lambda: compute_exposure(chain, matrix, world), 2)
    t_availability = best(lambda: run_scenario(chain, matrix, SCENARIO, world), 3)
    tracemalloc.start()
    compute_exposure(chain, matrix, world)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"build matrix {t_build:.2f} s | total requirements {t_x:.3f} s | exposure (all platforms) "
        f"{t_exposure:.2f} s | availability {t_availability:.2f} s | exposure peak {peak / 2**30:.2f} GiB"
    )
    if n <= lu_max:
        X = total_requirements(matrix, matrix.platforms).toarray()
        t_lu = best(lambda: lu_requirements(matrix), 1)
        assert np.allclose(lu_requirements(matrix), X)
        print(f"baseline SciPy sparse LU: {t_lu:.2f} s -> level-wise propagation is x{t_lu / t_x:.1f} faster")
    if n <= 10_000:
        t_nx = best(lambda: networkx_requirements(chain), 1)
        reference = networkx_requirements(chain)
        platform = chain.platform_ids[0]
        X = total_requirements(matrix, matrix.platforms)
        column = dict(zip(matrix.index.labels, X[:, 0].toarray().ravel(), strict=True))
        assert all(abs(column[k] - v) < 1e-9 * max(1, v) for k, v in reference[platform].items())
        print(f"baseline networkx traversal: {t_nx:.2f} s -> x{t_nx / t_x:.0f} slower than level-wise")


def bench_import(world) -> None:
    chain = synthetic_chain(36_000, seed=2, world_shares=world)
    rows = len(chain.items) + len(chain.bom) + len(chain.sourcing)
    folder = Path(tempfile.mkdtemp())
    try:
        write_chain(chain, folder / "csv")
        write_chain(chain, folder / "book.xlsx")
        materials = list(refdata.load_materials())
        t_csv = best(lambda: read_chain_workbook(folder / "csv", materials), 2)
        t_xlsx = best(lambda: read_chain_workbook(folder / "book.xlsx", materials), 1)
        print(
            f"\n== import of a workbook with {rows:,} rows ({len(chain.bom):,} bom rows): "
            f"CSV folder {t_csv:.2f} s, Excel {t_xlsx:.2f} s (validation included)"
        )
    finally:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--lu-max", type=int, default=100_000, help="largest size for the LU baseline")
    parser.add_argument("--no-import", action="store_true")
    args = parser.parse_args()
    world = world_supply_shares(refdata.load_materials())
    for n in (int(float(s)) for s in args.sizes.split(",")):
        bench_size(n, world, args.lu_max)
    if not args.no_import:
        bench_import(world)


if __name__ == "__main__":
    main()
