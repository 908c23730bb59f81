"""Trade concentration on a generated BACI-size year: ketenradar's full path beside plain DuckDB.

``python benchmarks/bench_trade.py [--rows 11000000] [--repeat 5]`` writes a synthetic
BACI-style CSV (t, i, j, k, v, q: one year, ~5,000 HS6 codes, ~220 countries, heavy-tailed
exporters) and times, interleaved in each of ``--repeat`` rounds:

- ketenradar's full path (``analyse_trade``: read with DuckDB, validate every cell, normalise,
  checksum the file, all indicators: shares, HHI, regions, NL dependence, change);
- the plain DuckDB query that does what the pandas version does (read + exporter HHI per
  code, no checks): the reference to approach;
- pandas (``read_csv`` + group-bys, HHI only).

Every timing is the median of the rounds with the spread (min–max); ratios are of medians.
The script checks that ketenradar, pandas and the plain DuckDB query give the same HHI for
every code.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry
from _common import Timing, ratio, table

from ketenradar.services.trade import analyse_trade


def generate(path: Path, rows: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    codes = np.array([int(c.numeric) for c in pycountry.countries])[:220]
    hs = rng.integers(10_000, 999_999, 5_000)
    # Trade is concentrated: exporters drawn with a heavy-tailed weight.
    weight = rng.pareto(1.2, len(codes)) + 0.01
    weight /= weight.sum()
    chunk = 2_000_000
    with path.open("w") as handle:
        handle.write("t,i,j,k,v,q\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            frame = pd.DataFrame(
                {
                    "t": 2022,
                    "i": rng.choice(codes, n, p=weight),
                    "j": rng.choice(codes, n),
                    "k": rng.choice(hs, n),
                    "v": np.round(rng.lognormal(3, 2, n), 3),
                    "q": np.round(rng.lognormal(2, 2, n), 3),
                }
            )
            frame.to_csv(handle, header=False, index=False)


def pandas_hhi(path: Path) -> pd.Series:
    frame = pd.read_csv(
        path,
        dtype={"t": "int32", "i": "int32", "j": "int32", "k": "int64", "v": "float64"},
        usecols=["t", "i", "k", "v"],
    )
    by = frame.groupby(["t", "k", "i"], sort=False)["v"].sum()
    share = by / by.groupby(level=["t", "k"]).transform("sum")
    return (share**2).groupby(level=["t", "k"]).sum()


def duckdb_hhi(path: Path) -> pd.Series:
    """The same computation as pandas_hhi, in DuckDB, without ketenradar's checks."""
    import duckdb

    connection = duckdb.connect()
    rows = connection.execute(
        "WITH s AS (SELECT t, k, i, sum(v) AS v FROM read_csv(?, header = true) GROUP BY ALL), "
        "p AS (SELECT t, k, v / sum(v) OVER (PARTITION BY t, k) AS share FROM s) "
        "SELECT t, k, sum(share * share) FROM p GROUP BY ALL",
        [str(path)],
    ).fetchall()
    t, k, hhi = zip(*rows, strict=True)
    return pd.Series(hhi, index=pd.MultiIndex.from_arrays([t, k], names=["t", "k"]))


def as_codes(series: pd.Series) -> pd.Series:
    """Index an HHI series by (year, six-digit code text), as ketenradar reports it."""
    return series.rename(index=lambda k: f"{k:06d}" if isinstance(k, int | np.integer) else k, level=1)


def check(ours: pd.Series, expected: pd.Series, what: str) -> None:
    common = ours.index.intersection(expected.index)
    if len(common) != len(ours) or len(common) != len(expected):
        raise AssertionError(f"ketenradar and {what} report different codes")
    if not np.allclose(ours.loc[common], expected.loc[common]):
        raise AssertionError(f"ketenradar and {what} give different HHI")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=11_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="rounds (median, min–max)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "baci.csv"
        start = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        paths = {
            "ketenradar (read + validate + all indicators)": lambda: analyse_trade(path),
            "plain DuckDB (read + HHI only): reference": lambda: duckdb_hhi(path),
            "pandas (read + HHI only)": lambda: pandas_hhi(path),
        }
        timings = {name: Timing() for name in paths}
        results: dict[str, object] = {}
        for _ in range(args.repeat):
            for name, function in paths.items():
                results[name] = None
                start = time.perf_counter()
                results[name] = function()
                timings[name].samples.append(time.perf_counter() - start)
        ours_name, duck_name, pandas_name = paths
        ours = results[ours_name].concentration.set_index(["year", "hs"])["hhi"]
        check(ours, as_codes(results[pandas_name]), "pandas")
        check(ours, as_codes(results[duck_name]), "plain DuckDB")
        print(f"HHI equal for all {len(ours):,} codes (ketenradar, pandas, plain DuckDB)")
        reference = timings[duck_name].median
        rows = [[name, t.seconds(), ratio(t.median, reference)] for name, t in timings.items()]
        print(table(rows, ["path", "time: median (min–max, n)", "/ plain DuckDB"]))
        print(
            f"full path / plain DuckDB {ratio(timings[ours_name].median, reference)}; "
            f"pandas / plain DuckDB {ratio(timings[pandas_name].median, reference)}; "
            f"pandas / full path {ratio(timings[pandas_name].median, timings[ours_name].median)}"
        )


if __name__ == "__main__":
    main()
