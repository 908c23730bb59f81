"""Benchmark the chain core on synthetic national-scale chains; print ratios to baselines.

Run ``python benchmarks/bench_chains.py [--sizes 10000,100000,1000000] [--lu-max N]``.
Baselines run in the same process on the same matrix: SciPy's general sparse LU solve of
``(I − A) X = D`` and (at 10^4 items) a networkx traversal in topological order. Peak memory is
the traced allocation peak (tracemalloc) of one exposure run, measured apart from the timings.

``--deep`` times, for each size, a chain as deep as it is long (one platform over a path of
sub-assemblies, with a few raw materials hanging off it) against the broad synthetic chain of
the same size, and prints the ratios deep/broad (issue 8: depth must not cost more than 3×).
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
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ketenradar import refdata
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.ingest.workbook_writer import write_chain
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import compute_exposure
from ketenradar.network.propagate import total_requirements
from ketenradar.scenarios.availability import run_scenario
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.synth import MANUFACTURING_COUNTRIES, synthetic_chain

SCENARIO = Scenario("bench", (Shock(("CHN",), 0.5), Shock(("USA", "CHN"), 0.3, stage="processing")))
DEEP_MATERIALS = 8


def deep_chain(n: int, world: pd.DataFrame, seed: int = 1) -> Chain:
    """Return a chain of ``n`` items: a platform over a path of parts, a few materials off it.

    Item ``D-i`` contains ``D-(i+1)``; every part is made in one country (so every part is a
    single point of failure, as in a real chain known this deep), and the raw materials hang
    off evenly spaced parts, the last one off the deepest part.
    """
    rng = np.random.default_rng(seed)
    n_path = n - DEEP_MATERIALS
    path = np.char.add("D-", np.arange(n_path).astype(str))
    path[0] = "P-0"
    material_ids = np.array(sorted(world["material"].unique()))
    materials = material_ids[rng.choice(len(material_ids), DEEP_MATERIALS, replace=False)]
    material_items = np.char.add("M-", materials.astype(str))
    ids = np.r_[path, material_items]
    kinds = np.r_[["platform"], np.full(n_path - 1, "component"), np.full(DEEP_MATERIALS, "material")]
    hangs_off = np.linspace(0, n_path - 1, DEEP_MATERIALS).astype(int)
    items = pd.DataFrame(
        {
            "id": ids,
            "name": np.char.add("deep synthetic ", ids),
            "kind": kinds,
            "domain": "maritime",
            "dis_area": "",
            "material": np.r_[np.full(n_path, ""), materials],
            "unit": np.where(kinds == "material", "kg", "unit"),
        }
    )
    bom = pd.DataFrame(
        {
            "parent": np.r_[path[:-1], path[hangs_off]],
            "child": np.r_[path[1:], material_items],
            "quantity": np.r_[np.ones(n_path - 1), rng.uniform(0.1, 2.0, DEEP_MATERIALS)],
        }
    )
    countries = np.array(list(MANUFACTURING_COUNTRIES))
    parts = pd.DataFrame(
        {
            "item": path,
            "country": countries[rng.integers(0, len(countries), n_path)],
            "share": 1.0,
            "stage": "manufacturing",
            "supplier": np.char.add("supplier-", np.arange(n_path).astype(str)),
            # The workbook caps tiers at 50; deeper parts are "tier 50 or more".
            "tier": np.minimum(np.arange(n_path), 50).astype(float),
            "lead_time_days": np.nan,
            "stock_days": np.nan,
        }
    )
    raw = world[world["material"].isin(materials)]
    raw = raw.assign(
        item="M-" + raw["material"],
        share=raw["share"] / raw.groupby(["material", "stage"])["share"].transform("sum"),
        supplier="",
        tier=50.0,
        lead_time_days=np.nan,
        stock_days=np.nan,
    )
    sourcing = pd.concat([parts, raw[parts.columns]], ignore_index=True)
    return Chain(name=f"deep-{n}", items=items, bom=bom, sourcing=sourcing, source="bench_chains.deep_chain")


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


def time_chain(chain: Chain, world: pd.DataFrame) -> dict[str, float]:
    """Time build, total requirements, exposure and availability; measure exposure's peak."""
    timings = {"build": best(lambda: build_chain_matrix(chain), 1)}
    matrix = build_chain_matrix(chain)
    timings["total requirements"] = best(lambda: total_requirements(matrix, matrix.platforms), 3)
    timings["exposure"] = best(lambda: compute_exposure(chain, matrix, world), 2)
    timings["availability"] = best(lambda: run_scenario(chain, matrix, SCENARIO, world), 3)
    tracemalloc.start()
    compute_exposure(chain, matrix, world)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    timings["peak GiB"] = peak / 2**30
    return timings


def describe(chain: Chain) -> str:
    n = len(chain.items)
    return (
        f"{n:,} items, {len(chain.bom):,} bom rows ({len(chain.bom) / n:.2f} per item), "
        f"{len(chain.sourcing):,} sourcing rows, {len(chain.platform_ids)} platforms"
    )


def bench_size(n: int, world, lu_max: int) -> dict[str, float]:
    chain = synthetic_chain(n, seed=1, world_shares=world)
    print(f"\n== {describe(chain)}")
    timings = time_chain(chain, world)
    matrix = build_chain_matrix(chain)
    print(
        f"build matrix {timings['build']:.2f} s | total requirements {timings['total requirements']:.3f} s"
        f" | exposure (all platforms) {timings['exposure']:.2f} s"
        f" | availability {timings['availability']:.2f} s"
        f" | exposure peak {timings['peak GiB']:.2f} GiB ({matrix.depth} levels)"
    )
    t_x = timings["total requirements"]
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
    return timings


def bench_deep(n: int, world, broad: dict[str, float]) -> None:
    chain = deep_chain(n, world)
    matrix = build_chain_matrix(chain)
    print(f"\n== deep: {describe(chain)}, {matrix.depth:,} levels")
    # The deep route must give what the level-wise walk gives, on a slice small enough to walk.
    if n <= 20_000:
        walked = total_requirements(matrix, matrix.platforms, strategy="levels")
        assert abs(total_requirements(matrix, matrix.platforms) - walked).max() < 1e-9
    deep = time_chain(chain, world)
    deep["build + exposure"] = deep["build"] + deep["exposure"]
    broad = {**broad, "build + exposure": broad["build"] + broad["exposure"]}
    keys = ("build", "total requirements", "exposure", "availability", "build + exposure")
    print(" | ".join(f"{key} {deep[key]:.3f} s (x{deep[key] / broad[key]:.2f} broad)" for key in keys))
    print(f"exposure peak {deep['peak GiB']:.2f} GiB (x{deep['peak GiB'] / broad['peak GiB']:.2f} broad)")


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
    parser.add_argument("--deep", action="store_true", help="also time a chain as deep as it is long")
    args = parser.parse_args()
    world = world_supply_shares(refdata.load_materials())
    for n in (int(float(s)) for s in args.sizes.split(",")):
        broad = bench_size(n, world, args.lu_max)
        if args.deep:
            bench_deep(n, world, broad)
    if not args.no_import:
        bench_import(world)


if __name__ == "__main__":
    main()
