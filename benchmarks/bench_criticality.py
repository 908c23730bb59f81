"""Time the vectorised supply-risk core against a plain Python loop over dicts, same inputs.

``python benchmarks/bench_criticality.py [n_materials] [--repeat 5]`` builds synthetic EC-method
inputs (two stages, two scopes, 25 supplying countries each) and times
``assess_supply_risk`` against the straightforward implementation a person would write
without pandas: one pass over the share rows with the WGI in a dict, then one pass over the
parameter rows (turning the frames into lists is part of its time). Every result is checked
equal (1e-9). For reference it also times the previous baseline, the same loop with a pandas
lookup per row (``wgi[row.country]``), which is about three times slower than the dict loop.

Every timing is the median of ``--repeat`` runs (default 5) with the spread (min–max); the
speed-ups are ratios of medians from the same run.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _common import ratio, repeat, table

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


def dict_loop(params: pd.DataFrame, shares: pd.DataFrame, wgi: pd.Series) -> dict:
    """The plain implementation: Python lists and dicts, no pandas inside the loops."""
    weight = dict(zip(wgi.index.tolist(), wgi.tolist(), strict=True))
    hhi: dict[tuple[str, str, str], float] = {}
    columns = ("material", "stage", "scope", "country", "share", "trade_factor")
    for material, stage, scope, country, share, factor in zip(
        *(shares[c].tolist() for c in columns), strict=True
    ):
        key = (material, stage, scope)
        hhi[key] = hhi.get(key, 0.0) + share * share * weight[country] * factor
    out = {}
    columns = ("material", "stage", "import_reliance", "eol_rir", "si_sr")
    for material, stage, ir, eol, si in zip(*(params[c].tolist() for c in columns), strict=True):
        gs, eu = hhi[(material, stage, "gs")], hhi[(material, stage, "eu")]
        out[(material, stage)] = (gs * ir / 2 + eu * (1 - ir / 2)) * (1 - eol) * si
    return out


def pandas_lookup_loop(params: pd.DataFrame, shares: pd.DataFrame, wgi: pd.Series) -> dict:
    """The previous baseline: the same loop over itertuples with a pandas lookup per row."""
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


def check(vectorised: pd.DataFrame, expected: dict, what: str) -> None:
    got = vectorised.set_index(["material", "stage"])["supply_risk"]
    want = pd.Series(expected)
    want.index.names = ["material", "stage"]
    if len(got) != len(want) or not np.allclose(
        got.loc[want.index].to_numpy(), want.to_numpy(), rtol=0, atol=1e-9
    ):
        raise AssertionError(f"vectorised core and {what} differ")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n_materials", nargs="?", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median, min–max)")
    args = parser.parse_args()
    params, shares, wgi = synthetic(args.n_materials)
    t_vec, result = repeat(lambda: assess_supply_risk(params, shares, wgi), args.repeat)
    t_dict, plain = repeat(lambda: dict_loop(params, shares, wgi), args.repeat)
    t_pandas, looked_up = repeat(lambda: pandas_lookup_loop(params, shares, wgi), args.repeat)
    check(result.stages, plain, "the dict loop")
    check(result.stages, looked_up, "the pandas-lookup loop")
    print(
        f"{args.n_materials:,} materials, {len(shares):,} share rows; all {len(plain):,} stage results equal"
    )
    rows = [
        ["vectorised core (assess_supply_risk)", t_vec.seconds(), ""],
        ["plain loop over lists and dicts (baseline)", t_dict.seconds(), ratio(t_dict.median, t_vec.median)],
        [
            "loop with a pandas lookup per row (old baseline)",
            t_pandas.seconds(),
            ratio(t_pandas.median, t_vec.median),
        ],
    ]
    print(table(rows, ["implementation", "time: median (min–max, n)", "baseline / vectorised"]))
    print(
        f"speed-up over the plain dict loop {ratio(t_dict.median, t_vec.median)} "
        f"(the pandas-lookup loop is {ratio(t_pandas.median, t_dict.median)} the dict loop)"
    )


if __name__ == "__main__":
    main()
