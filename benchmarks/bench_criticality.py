"""Time the vectorised supply-risk core against a per-row Python loop on synthetic inputs.

Prints ratios measured in the same process (machines here are shared and noisy). Run:
``python benchmarks/bench_criticality.py [n_materials]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from ketenradar.risk.assessment import assess_supply_risk


def synthetic(n_materials: int, countries_per_stage: int = 25, seed: int = 7):
    rng = np.random.default_rng(seed)
    keys = pd.MultiIndex.from_product(
        [[f"m{i}" for i in range(n_materials)], ["mining", "processing"], ["gs", "eu"]],
        names=["material", "stage", "scope"],
    ).to_frame(index=False)
    shares = keys.loc[keys.index.repeat(countries_per_stage)].reset_index(drop=True)
    raw = rng.dirichlet(np.ones(countries_per_stage), size=len(keys)).ravel()
    shares["share"] = raw
    shares["country"] = [f"C{i:03d}" for i in rng.integers(0, 200, len(shares))]
    shares = shares.drop_duplicates(["material", "stage", "scope", "country"])
    shares["trade_factor"] = 1.0
    wgi = pd.Series(rng.uniform(0, 10, 200), index=[f"C{i:03d}" for i in range(200)])
    params = keys[["material", "stage"]].drop_duplicates().reset_index(drop=True)
    params["supply_data_used"] = "gs+eu"
    params["import_reliance"] = rng.uniform(0, 1, len(params))
    params["eol_rir"] = rng.uniform(0, 0.5, len(params))
    params["si_sr"] = rng.uniform(0.6, 1, len(params))
    return params, shares, wgi


def loop_baseline(params: pd.DataFrame, shares: pd.DataFrame, wgi: pd.Series) -> dict:
    """The straightforward per-row implementation the vectorised core replaces."""
    hhi: dict[tuple[str, str, str], float] = {}
    for row in shares.itertuples(index=False):
        key = (row.material, row.stage, row.scope)
        hhi[key] = hhi.get(key, 0.0) + row.share**2 * wgi[row.country] * row.trade_factor
    out = {}
    for row in params.itertuples(index=False):
        gs, eu = hhi[(row.material, row.stage, "gs")], hhi[(row.material, row.stage, "eu")]
        ir = row.import_reliance
        out[(row.material, row.stage)] = (gs * ir / 2 + eu * (1 - ir / 2)) * (1 - row.eol_rir) * row.si_sr
    return out


def timed(function, *args, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    params, shares, wgi = synthetic(n)
    vectorised = assess_supply_risk(params, shares, wgi).stages.set_index(["material", "stage"])
    baseline = loop_baseline(params, shares, wgi)
    worst = max(abs(vectorised.loc[k, "supply_risk"] - v) for k, v in list(baseline.items())[:200])
    assert worst < 1e-9, worst
    t_vec = timed(lambda: assess_supply_risk(params, shares, wgi))
    t_loop = timed(loop_baseline, params, shares, wgi, repeat=1)
    print(f"{n} materials, {len(shares):,} share rows")
    print(f"vectorised core: {t_vec:.3f} s   per-row loop: {t_loop:.3f} s")
    print(f"speed-up x{t_loop / t_vec:.1f}")


if __name__ == "__main__":
    main()
