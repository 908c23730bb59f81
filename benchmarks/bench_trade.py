"""Benchmark HHI for every HS6 code of a generated BACI-size year, DuckDB against pandas.

``python benchmarks/bench_trade.py [--rows 11000000]`` writes a synthetic BACI-style CSV
(t, i, j, k, v, q: one year, ~5,000 HS6 codes, ~220 countries), then times reading it and
computing exporter HHI per HS6 code with ketenradar's DuckDB path and with pandas, and checks
both give the same HHI.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry

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


def duckdb_hhi(path: Path) -> list[tuple[object, ...]]:
    """The same computation as pandas_hhi, in DuckDB, without ketenradar's checks."""
    import duckdb

    connection = duckdb.connect()
    return connection.execute(
        "WITH s AS (SELECT t, k, i, sum(v) AS v FROM read_csv(?, header = true) GROUP BY ALL), "
        "p AS (SELECT t, k, v / sum(v) OVER (PARTITION BY t, k) AS share FROM s) "
        "SELECT t, k, sum(share * share) FROM p GROUP BY ALL",
        [str(path)],
    ).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=11_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "baci.csv"
        start = time.perf_counter()
        generate(path, args.rows)
        print(
            f"generated {args.rows:,} rows ({path.stat().st_size / 2**20:.0f} MiB) "
            f"in {time.perf_counter() - start:.1f} s"
        )
        start = time.perf_counter()
        result = analyse_trade(path)
        t_duck = time.perf_counter() - start
        start = time.perf_counter()
        duckdb_hhi(path)
        t_duck_hhi = time.perf_counter() - start
        start = time.perf_counter()
        reference = pandas_hhi(path)
        t_pandas = time.perf_counter() - start
        ours = result.concentration.set_index(["year", "hs"])["hhi"]
        expected = reference.rename(
            index=lambda k: f"{k:06d}" if isinstance(k, int | np.integer) else k, level=1
        )
        common = ours.index.intersection(expected.index)
        assert len(common) == len(ours) and np.allclose(ours.loc[common], expected.loc[common])
        print(f"ketenradar (DuckDB, read + validate + all indicators): {t_duck:.1f} s")
        print(
            f"pandas (read + HHI only): {t_pandas:.1f} s -> ratio pandas/ketenradar x{t_pandas / t_duck:.1f}"
        )
        print(
            f"like for like, DuckDB read + HHI only: {t_duck_hhi:.1f} s -> pandas takes "
            f"x{t_pandas / t_duck_hhi:.1f} as long"
        )


if __name__ == "__main__":
    main()
