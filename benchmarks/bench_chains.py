"""Chain exposure at national scale: the CLI as users run it, beside a plain in-run reference.

``python benchmarks/bench_chains.py [--sizes 10000,100000,1000000] [--repeat 5]
[--ketenradar PATH] [--deep]``

For each size the chain is written once as a CSV folder by ``ketenradar chain synth --items N``
(default platforms: N/10,000, 1..100) and everything below reads those same files.

1. **Cold CLI, as a user runs it**: fresh processes of ``chain exposure FOLDER --format json``,
   ``chain import FOLDER`` (into a new workspace each time) and ``chain exposure NAME`` from
   that workspace, interleaved; wall time and the peak RSS of exactly that child
   (``os.wait4``). The files are in the page cache; the process is new each time.
2. **Reference, in this process, on the same files**: plain pandas + SciPy. ``pd.read_csv`` of
   the three CSVs; ids to positions (one ``pd.factorize`` over all id columns), ``A`` as CSR,
   sourcing items and countries coded, topological levels by peeling roots (set-up); then
   ``X = (I − A)⁻¹ D`` for all platforms level by level with sparse products and the material
   content per platform (propagation). Ratios: cold CLI / reference end to end.
3. **Warm, in process** (ketenradar's public functions on the chain read from the folder):
   build (ids → matrix, levels) against the reference's set-up; total requirements and the
   full exposure (all platforms) against the reference's propagation; availability under a
   two-shock scenario in seconds.
4. **Textbook baselines** on the same matrix in topological order: SciPy's
   ``spsolve_triangular`` on ``I − A`` and SuperLU (``splu``) in natural order without
   pivoting (``diag_pivot_thresh=0``; default partial pivoting fills in: 501 s at 10^5), and
   networkx (graph build included). All platforms; printed as baseline / ours.

Checks at every size, failing loudly: our total requirements equal the reference's ``X`` (all
platforms); the material quantities of both CLI JSON documents equal the reference's content;
every baseline equals the reference's ``X``.

Every timing is the median of ``--repeat`` runs (default 5) with the spread (min–max, n); the
cold CLI runs at 10^6 items default to 3 (``--cold-repeat``), as each takes minutes.

``--deep`` also times, warm, a chain as deep as it is long (one platform over a path of parts
with a few raw materials off it) and prints the ratios deep/broad (issue 8: at most 3×).
``--workbook-items N`` (default 36,000; 0 skips) times a cold ``chain import`` of a synthetic
Excel workbook and of the same chain as a CSV folder.

The script imports only public functions that exist since before issue 9, so the same script
times an older installation: run it with that installation's Python and ``--ketenradar``.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from _common import ChildRun, Timing, ratio, repeat, run_child, seconds, table

import ketenradar
from ketenradar import refdata
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import compute_exposure
from ketenradar.network.propagate import total_requirements
from ketenradar.scenarios.availability import run_scenario
from ketenradar.services.materials import world_supply_shares

SCENARIO = Scenario("bench", (Shock(("CHN",), 0.5), Shock(("USA", "CHN"), 0.3, stage="processing")))
DEEP_MATERIALS = 8
RTOL, ATOL = 1e-9, 1e-12


# --------------------------------------------------------------------------------------------
# Reference: plain pandas + SciPy on the CSV folder
# --------------------------------------------------------------------------------------------


@dataclass
class Reference:
    """The reference's result: ``X`` (items in file order × platforms) and the material content."""

    ids: pd.Index
    platforms: np.ndarray
    A: sp.csr_matrix
    order: np.ndarray
    bounds: np.ndarray
    X: sp.csr_matrix
    materials: np.ndarray
    content: np.ndarray  # materials × platforms
    times: dict[str, float]


def peel_levels(parent: np.ndarray, child: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return items in topological level order and where each level starts (Kahn, by levels).

    An item's level is its longest distance from a root: it is peeled off once all its parents
    are. Each round reads the frontier's children straight from the CSR arrays (for broad
    chains: a few rounds, each O(n)).
    """
    down = sp.csr_matrix((np.ones(len(parent)), (parent, child)), shape=(n, n))
    indptr, indices, lengths = down.indptr, down.indices, np.diff(down.indptr)
    parents_left = np.bincount(indices, minlength=n)
    frontier = np.flatnonzero(parents_left == 0)
    parts = []
    while frontier.size:
        parts.append(frontier)
        start, length = indptr[frontier], lengths[frontier]
        first = np.repeat(start - np.cumsum(length) + length, length)
        children = indices[first + np.arange(length.sum())]
        parents_left -= np.bincount(children, minlength=n)
        ready = np.zeros(n, dtype=bool)
        ready[children[parents_left[children] == 0]] = True
        frontier = np.flatnonzero(ready)
    order = np.concatenate(parts)
    if len(order) != n:
        raise ValueError("the chain has a cycle")
    bounds = np.cumsum([0] + [len(p) for p in parts])
    return order, bounds


def propagate_by_level(
    A: sp.csr_matrix, order: np.ndarray, bounds: np.ndarray, demand: np.ndarray
) -> sp.csr_matrix:
    """Return ``X = (I − A)⁻¹ D`` (rows in item order), level by level in topological order."""
    n, k = A.shape[0], len(demand)
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)
    A_ordered = A[order][:, order].tocsr()
    D = sp.csr_matrix((np.ones(k), (rank[demand], np.arange(k))), shape=(n, k))
    X_top = D[bounds[0] : bounds[1]]
    for start, stop in itertools.pairwise(bounds[1:]):
        block = D[start:stop] + A_ordered[start:stop, :start] @ X_top
        X_top = sp.vstack([X_top, block], format="csr")
    return X_top[rank]


def reference_run(folder: Path) -> Reference:
    """Read the chain's CSVs with pandas, set up ``A`` and levels, propagate all platforms."""
    start = time.perf_counter()
    items = pd.read_csv(folder / "items.csv", dtype=str, keep_default_na=False)
    bom = pd.read_csv(folder / "bom.csv", dtype={"parent": str, "child": str, "quantity": np.float64})
    sourcing = pd.read_csv(
        folder / "sourcing.csv", dtype={c: str for c in ("item", "country", "stage", "supplier")}
    )
    read = time.perf_counter()

    # One hash pass codes every id column: the items' own ids come first, so item i gets code i.
    n, m = len(items), len(bom)
    codes, _ = pd.factorize(pd.concat([items["id"], bom["parent"], bom["child"], sourcing["item"]]))
    if (codes[:n] != np.arange(n)).any():
        raise ValueError("duplicate item ids")
    if (codes[n:] >= n).any():
        raise ValueError("bom or sourcing names an unknown item")
    parent, child, sourcing_item = codes[n : n + m], codes[n + m : n + 2 * m], codes[n + 2 * m :]
    A = sp.csr_matrix((bom["quantity"].to_numpy(np.float64), (child, parent)), shape=(n, n))
    order, bounds = peel_levels(parent, child, n)
    # What a plain implementation also codes once for the shares: sourcing countries.
    country_code, _ = pd.factorize(sourcing["country"], sort=True)
    if len(sourcing_item) != len(sourcing) or (country_code < 0).any():
        raise ValueError("sourcing rows without a country")
    ids = pd.Index(items["id"])
    kind = items["kind"].to_numpy()
    platforms = np.flatnonzero(kind == "platform")
    setup = time.perf_counter()

    X = propagate_by_level(A, order, bounds, platforms)
    rows = np.flatnonzero(kind == "material")
    codes, materials = pd.factorize(items["material"].to_numpy()[rows], sort=True)
    M = sp.csr_matrix((np.ones(len(rows)), (codes, rows)), shape=(len(materials), n))
    content = (M @ X).toarray()
    done = time.perf_counter()
    times = {"read": read - start, "setup": setup - read, "propagate": done - setup, "total": done - start}
    return Reference(ids, platforms, A, order, bounds, X, np.asarray(materials), content, times)


# --------------------------------------------------------------------------------------------
# Textbook baselines on the reference's matrix (all platforms)
# --------------------------------------------------------------------------------------------


def _triangular_system(ref: Reference) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    n = len(ref.ids)
    rank = np.empty(n, dtype=np.intp)
    rank[ref.order] = np.arange(n)
    lower = (sp.identity(n, format="csr") - ref.A[ref.order][:, ref.order]).tocsr()
    demand = np.zeros((n, len(ref.platforms)))
    demand[rank[ref.platforms], np.arange(len(ref.platforms))] = 1.0
    return lower, demand, rank


def triangular_baseline(ref: Reference) -> np.ndarray:
    """``spsolve_triangular`` on ``I − A`` in topological order (lower triangular); dense X."""
    lower, demand, rank = _triangular_system(ref)
    return spla.spsolve_triangular(lower, demand, lower=True, overwrite_b=True)[rank]


def natural_lu_baseline(ref: Reference) -> np.ndarray:
    """SuperLU on the same permuted system, natural column order, no pivoting; dense X."""
    lower, demand, rank = _triangular_system(ref)
    lu = spla.splu(lower.tocsc(), permc_spec="NATURAL", diag_pivot_thresh=0.0)
    return lu.solve(demand)[rank]


def networkx_baseline(bom: pd.DataFrame, platform_ids: list[str]) -> dict[str, dict[str, float]]:
    """networkx: build the graph, sort it, push each platform's demand down; all platforms."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_weighted_edges_from(bom[["parent", "child", "quantity"]].itertuples(index=False))
    order = list(nx.topological_sort(graph))
    result = {}
    for platform_id in platform_ids:
        need = {platform_id: 1.0}
        for node in order:
            if node in need:
                for _, child, weight in graph.out_edges(node, data="weight"):
                    need[child] = need.get(child, 0.0) + need[node] * weight
        result[platform_id] = need
    return result


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def assert_close(ours: sp.spmatrix | np.ndarray, expected: sp.spmatrix | np.ndarray, what: str) -> None:
    """Fail unless ``|ours − expected| ≤ RTOL·|expected| + ATOL`` everywhere (sparse or dense)."""
    diff = abs(sp.csr_matrix(ours) - sp.csr_matrix(expected))
    excess = diff - RTOL * abs(sp.csr_matrix(expected))
    worst = excess.max() if excess.nnz else 0.0
    if worst > ATOL:
        raise AssertionError(f"{what}: differs from the reference by up to {diff.max():.3g}")


def align(ref: Reference, labels: np.ndarray, platform_labels: np.ndarray) -> sp.csr_matrix:
    """Return the reference's X with rows and columns in the order of ``labels``/``platforms``."""
    rows = ref.ids.get_indexer(labels)
    columns = pd.Index(ref.ids[ref.platforms]).get_indexer(platform_labels)
    if (rows < 0).any() or (columns < 0).any() or len(columns) != len(ref.platforms):
        raise AssertionError("items or platforms differ from the reference's")
    return ref.X[rows][:, columns]


def json_quantities(path: Path) -> dict[tuple[str, str], float]:
    """Return (platform, material) → quantity from a ``chain exposure --format json`` document."""
    with path.open("rb") as handle:
        document = json.load(handle)
    return {
        (platform_doc["id"], material["material"]): material["quantity"]
        for platform_doc in document["platforms"]
        for material in platform_doc["materials"]
    }


def check_quantities(quantities: dict[tuple[str, str], float], ref: Reference, what: str) -> int:
    """Fail unless the document's material quantities are the reference's content; return pairs."""
    expected = {
        (str(ref.ids[p]), str(m)): float(ref.content[i, j])
        for j, p in enumerate(ref.platforms)
        for i, m in enumerate(ref.materials)
        if ref.content[i, j] != 0
    }
    if set(quantities) != set(expected):
        extra, missing = set(quantities) - set(expected), set(expected) - set(quantities)
        raise AssertionError(f"{what}: pairs differ: {len(extra)} extra, {len(missing)} missing")
    keys = sorted(expected)
    got = np.array([quantities[key] for key in keys], dtype=np.float64)
    want = np.array([expected[key] for key in keys])
    if not np.allclose(got, want, rtol=RTOL, atol=ATOL):
        raise AssertionError(f"{what}: quantities differ by up to {np.abs(got - want).max():.3g}")
    return len(keys)


# --------------------------------------------------------------------------------------------
# One size
# --------------------------------------------------------------------------------------------


@dataclass
class Cold:
    """Repeated runs of one CLI command."""

    wall: Timing
    rss: Timing

    @classmethod
    def empty(cls) -> Cold:
        return cls(Timing(), Timing())

    def add(self, run: ChildRun) -> None:
        self.wall.samples.append(run.wall)
        self.rss.samples.append(run.max_rss)


def child_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ, KETENRADAR_LANG="en", KETENRADAR_WORKSPACE=str(folder / "default.sqlite"))
    env.pop("KETENRADAR_CONFIG", None)
    return env


def cold_runs(exe: str, folder: Path, work: Path, runs: int) -> dict[str, Cold]:
    """Time the three CLI paths in fresh processes, interleaved; keep the last JSON outputs."""
    env = child_env(work)
    cold = {key: Cold.empty() for key in ("folder", "import", "workspace")}
    for i in range(runs):
        workspace = work / f"workspace-{i}.sqlite"
        cold["folder"].add(
            run_child([exe, "chain", "exposure", folder, "--format", "json"], work / "folder.json", env)
        )
        cold["import"].add(
            run_child([exe, "chain", "import", folder, "--name", "x", "--workspace", workspace], env=env)
        )
        cold["workspace"].add(
            run_child(
                [exe, "chain", "exposure", "x", "--workspace", workspace, "--format", "json"],
                work / "workspace.json",
                env,
            )
        )
        for stale in work.glob(f"workspace-{i}.sqlite*"):
            stale.unlink()
    return cold


def python_startup(work: Path, runs: int) -> Cold:
    """Time a bare ``python -c 'import pandas, scipy.sparse'``: what any pandas tool pays to start."""
    cold = Cold.empty()
    for _ in range(runs):
        cold.add(run_child([sys.executable, "-c", "import pandas, scipy.sparse"], env=child_env(work)))
    return cold


def reference_runs(folder: Path, runs: int) -> tuple[Reference, dict[str, Timing]]:
    """Run the reference ``runs`` times; return the last result and the timings of its parts."""
    timings = {key: Timing() for key in ("read", "setup", "propagate", "total")}
    ref = None
    for _ in range(runs):
        ref = None
        gc.collect()
        ref = reference_run(folder)
        for key, value in ref.times.items():
            timings[key].samples.append(value)
    assert ref is not None
    return ref, timings


def warm_runs(chain, world: pd.DataFrame, runs: int) -> tuple[dict[str, Timing], object, sp.csr_matrix]:
    """Time ketenradar's steps in this process; return the timings, the matrix and ``X``."""
    warm: dict[str, Timing] = {}
    warm["build"], matrix = repeat(lambda: build_chain_matrix(chain), runs)
    warm["total requirements"], X = repeat(lambda: total_requirements(matrix, matrix.platforms), runs)
    warm["exposure"], _ = repeat(lambda: compute_exposure(chain, matrix, world), runs)
    warm["availability"], _ = repeat(lambda: run_scenario(chain, matrix, SCENARIO, world), runs)
    return warm, matrix, X


def baseline_runs(n: int, ref: Reference, bom: pd.DataFrame, args: argparse.Namespace) -> dict[str, Timing]:
    """Time the textbook baselines that ``--baseline-max``/``--networkx-max`` allow; check each."""
    runs = args.repeat
    baselines: dict[str, Timing] = {}
    if n <= args.baseline_max:
        name = "spsolve_triangular (I − A, topological order)"
        baselines[name], Y = repeat(lambda: triangular_baseline(ref), runs)
        assert_close(Y, ref.X, name)
        Y = None
        name = "splu natural order, diag_pivot_thresh=0"
        baselines[name], Y = repeat(lambda: natural_lu_baseline(ref), runs)
        assert_close(Y, ref.X, name)
        Y = None
    if n <= args.networkx_max:
        platform_ids = [str(p) for p in ref.ids[ref.platforms]]
        name = "networkx (graph build + traversal)"
        baselines[name], need = repeat(lambda: networkx_baseline(bom, platform_ids), runs)
        rows = {label: i for i, label in enumerate(ref.ids)}
        entries = [(rows[item], j, q) for j, p in enumerate(platform_ids) for item, q in need[p].items()]
        r, c, q = (np.array(v) for v in zip(*entries, strict=True))
        assert_close(sp.csr_matrix((q, (r, c)), shape=ref.X.shape), ref.X, name)
    return baselines


def bench_size(n: int, args: argparse.Namespace, catalogue, world: pd.DataFrame) -> dict[str, Timing]:
    """Write the chain of ``n`` items, time every path, check the outputs, print the table."""
    work = Path(tempfile.mkdtemp(prefix=f"bench_chains_{n}_", dir=args.workdir))
    try:
        exe, runs = args.ketenradar, args.repeat
        cold_n = args.cold_repeat or (runs if n < 1_000_000 else min(runs, 3))
        folder = work / "chain"
        synth = run_child([exe, "chain", "synth", "--items", str(n), folder], env=child_env(work))
        print(
            f"\n== {n:,} items: `chain synth` wrote {folder} in {seconds(synth.wall)} (one run)", flush=True
        )
        if cold_n < runs:
            print(
                f"   cold CLI runs: {cold_n} each (the default at 10^6 items: each takes minutes)", flush=True
            )

        # Cold paths first, while this process is still small.
        cold = cold_runs(exe, folder, work, cold_n)
        cold["start-up"] = python_startup(work, runs)
        json_mib = (work / "folder.json").stat().st_size / 2**20
        cli_folder = json_quantities(work / "folder.json")
        cli_workspace = json_quantities(work / "workspace.json")
        for name in ("folder.json", "workspace.json"):
            (work / name).unlink()

        ref, ref_timing = reference_runs(folder, runs)
        start = time.perf_counter()
        chain = read_chain_workbook(folder, catalogue, name="x")
        read_seconds = time.perf_counter() - start
        warm, matrix, X = warm_runs(chain, world, runs)

        labels = np.asarray(matrix.index.labels)
        assert_close(X, align(ref, labels, labels[matrix.platforms]), "ketenradar total requirements")
        pairs = check_quantities(cli_folder, ref, "CLI JSON from the folder")
        check_quantities(cli_workspace, ref, "CLI JSON from the workspace")
        del cli_folder, cli_workspace, X
        baselines = baseline_runs(n, ref, chain.bom[["parent", "child", "quantity"]], args)

        k = len(ref.platforms)
        print(
            f"   {ref.A.nnz:,} bom rows ({ref.A.nnz / n:.2f} per item), {len(chain.sourcing):,} sourcing "
            f"rows, {k} platform{'s' * (k != 1)}, {matrix.depth} levels; CLI JSON {json_mib:.0f} MiB"
        )
        print(
            f"   checks passed: X equal to the reference for every platform ({k}); the CLI's quantities "
            f"({pairs:,} platform × material pairs, from folder and workspace) equal the reference's "
            f"content; {len(baselines)} baselines equal the reference's X"
        )
        report(cold, ref_timing, read_seconds, warm, baselines)
        return warm
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def report(
    cold: dict[str, Cold],
    ref: dict[str, Timing],
    read_seconds: float,
    warm: dict[str, Timing],
    baselines: dict[str, Timing],
) -> None:
    """Print one size's table: median (min–max, n), peak RSS of the child, ratio of medians."""
    e2e, setup, propagation = ref["total"].median, ref["setup"].median, ref["propagate"].median
    ours = warm["total requirements"].median

    def row(label: str, timing: Timing, rss: Timing | None = None, against: str = "") -> list[str]:
        return [label, timing.seconds(), rss.gib() if rss is not None else "", against]

    rows = [
        row("cold CLI: chain exposure FOLDER --format json", cold["folder"].wall, cold["folder"].rss,
            f"{ratio(cold['folder'].wall.median, e2e)} reference e2e"),
        row("cold CLI: chain import FOLDER", cold["import"].wall, cold["import"].rss),
        row("cold CLI: chain exposure NAME (workspace) --format json", cold["workspace"].wall,
            cold["workspace"].rss, f"{ratio(cold['workspace'].wall.median, e2e)} reference e2e"),
        row("cold python -c 'import pandas, scipy.sparse'", cold["start-up"].wall, cold["start-up"].rss),
        row("reference end to end (read + set-up + propagation)", ref["total"]),
        row("  reference read (3 CSVs, pd.read_csv)", ref["read"]),
        row("  reference set-up (ids → A, levels, sourcing codes)", ref["setup"]),
        row("  reference propagation (X, content; all platforms)", ref["propagate"]),
        ["warm: read_chain_workbook (in process)", f"{seconds(read_seconds)} (n=1)", "", ""],
        row("warm: build", warm["build"], None, f"{ratio(warm['build'].median, setup)} reference set-up"),
        row("warm: total requirements (all platforms)", warm["total requirements"], None,
            f"{ratio(ours, propagation)} reference propagation"),
        row("warm: full exposure (all platforms)", warm["exposure"], None,
            f"{ratio(warm['exposure'].median, propagation)} reference propagation"),
        row("warm: availability (two shocks)", warm["availability"]),
    ]  # fmt: skip
    for name, timing in baselines.items():
        # networkx starts from the bom rows: it is compared with our build + total requirements.
        if "networkx" in name:
            against = f"{ratio(timing.median, warm['build'].median + ours)} our build + total req."
        else:
            against = f"{ratio(timing.median, ours)} our total req."
        rows.append(row(f"baseline: {name}", timing, None, against))
    print(table(rows, ["path", "time: median (min–max, n)", "peak RSS", "ratio of medians"]))
    print(
        f"   ratios: cold CLI from CSV / reference e2e {ratio(cold['folder'].wall.median, e2e)} "
        f"(/ reference e2e + python start-up "
        f"{ratio(cold['folder'].wall.median, e2e + cold['start-up'].wall.median)}); "
        f"CLI from workspace / reference e2e {ratio(cold['workspace'].wall.median, e2e)}; "
        f"import {seconds(cold['import'].wall.median)}",
        flush=True,
    )


# --------------------------------------------------------------------------------------------
# Deep chains (issue 8) and workbook import
# --------------------------------------------------------------------------------------------


def deep_chain(n: int, world: pd.DataFrame, seed: int = 1):
    """Return a chain of ``n`` items: a platform over a path of parts, a few materials off it.

    Item ``D-i`` contains ``D-(i+1)``; every part is made in one country (so every part is a
    single point of failure, as in a real chain known this deep), and the raw materials hang
    off evenly spaced parts, the last one off the deepest part.
    """
    from ketenradar.model.chain import Chain
    from ketenradar.services.synth import MANUFACTURING_COUNTRIES

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


def bench_deep(n: int, world: pd.DataFrame, broad: dict[str, Timing], runs: int) -> None:
    chain = deep_chain(n, world)
    matrix = build_chain_matrix(chain)
    print(f"\n== deep, warm: {n:,} items, {len(chain.bom):,} bom rows, {matrix.depth:,} levels")
    # The deep route must give what the level-wise walk gives, on a slice small enough to walk.
    if n <= 20_000:
        walked = total_requirements(matrix, matrix.platforms, strategy="levels")
        assert abs(total_requirements(matrix, matrix.platforms) - walked).max() < 1e-9
    deep: dict[str, Timing] = {}
    deep["build"], matrix = repeat(lambda: build_chain_matrix(chain), runs)
    deep["total requirements"], _ = repeat(lambda: total_requirements(matrix, matrix.platforms), runs)
    deep["exposure"], _ = repeat(lambda: compute_exposure(chain, matrix, world), runs)
    deep["availability"], _ = repeat(lambda: run_scenario(chain, matrix, SCENARIO, world), runs)
    rows = [
        [key, broad[key].seconds(), deep[key].seconds(), ratio(deep[key].median, broad[key].median)]
        for key in deep
    ]
    print(table(rows, ["warm step", "broad", "deep", "deep / broad"]))


def bench_workbook(n: int, exe: str, runs: int, workdir: str | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench_chains_workbook_", dir=workdir))
    try:
        env = child_env(work)
        book, folder = work / "book.xlsx", work / "csv"
        run_child([exe, "chain", "synth", "--items", str(n), "--seed", "2", book], env=env)
        run_child([exe, "chain", "synth", "--items", str(n), "--seed", "2", folder], env=env)
        rows = sum(len(pd.read_csv(folder / f"{sheet}.csv")) for sheet in ("items", "bom", "sourcing"))
        print(f"\n== cold `chain import` of a synthetic workbook: {n:,} items, {rows:,} rows in all")
        result = []
        for label, source in (("Excel workbook", book), ("CSV folder", folder)):
            cold = Cold.empty()
            for i in range(runs):
                cold.add(
                    run_child([exe, "chain", "import", source, "--workspace", work / f"w{i}.sqlite"], env=env)
                )
                for stale in work.glob(f"w{i}.sqlite*"):
                    stale.unlink()
            result.append([label, cold.wall.seconds(), cold.rss.gib()])
        print(table(result, ["import of", "time: median (min–max, n)", "peak RSS"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def describe_environment(exe: str) -> None:
    versions = {}
    for package in ("ketenradar", "numpy", "pandas", "scipy", "pyarrow", "orjson"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "absent"
    cli = run_child([exe, "--version"], env=child_env(Path(tempfile.gettempdir())))
    print(
        f"python {platform.python_version()} ({sys.executable}); ketenradar imported from "
        f"{Path(ketenradar.__file__).parent}; CLI {exe} (--version in {seconds(cli.wall)})"
    )
    print(", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="item counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median, min–max)")
    parser.add_argument("--cold-repeat", type=int, help="cold CLI runs [default: --repeat; 3 at 10^6]")
    parser.add_argument(
        "--ketenradar",
        default=str(Path(sys.executable).parent / "ketenradar"),
        help="the CLI to time [default: the one beside this Python]",
    )
    parser.add_argument(
        "--baseline-max", type=int, default=1_000_000, help="largest size for the SciPy baselines"
    )
    parser.add_argument("--networkx-max", type=int, default=10_000, help="largest size for networkx")
    parser.add_argument("--deep", action="store_true", help="also time a chain as deep as it is long")
    parser.add_argument("--workbook-items", type=int, default=36_000, help="workbook import size (0: skip)")
    parser.add_argument("--workdir", help="where to write the chains [default: the temporary folder]")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    describe_environment(args.ketenradar)
    catalogue = refdata.load_materials()
    world = world_supply_shares(catalogue)
    for n in (int(float(s)) for s in args.sizes.split(",")):
        broad = bench_size(n, args, catalogue, world)
        if args.deep:
            bench_deep(n, world, broad, args.repeat)
        gc.collect()
    if args.workbook_items:
        bench_workbook(args.workbook_items, args.ketenradar, args.repeat, args.workdir)


if __name__ == "__main__":
    main()
