"""The benchmark script runs, and its baselines agree with the level-wise propagation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_f09_chain_benchmark_runs_and_checks_its_outputs() -> None:
    # Issue 9: the script times the CLI cold and a plain reference on the same files, and
    # asserts that our X, the CLI's quantities and every baseline equal the reference's.
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_chains.py"),
            "--sizes",
            "3000",
            "--repeat",
            "1",
            "--cold-repeat",
            "1",
            "--workbook-items",
            "0",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "checks passed: X equal to the reference for every platform" in result.stdout
    assert "cold CLI: chain exposure FOLDER --format json" in result.stdout
    assert "baseline: networkx (graph build + traversal)" in result.stdout


def test_f08_trade_benchmark_runs_and_pandas_agrees() -> None:
    # The script asserts that the pandas HHI equals ketenradar's for every HS6 code.
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_trade.py"), "--rows", "20000", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "HHI equal for all" in result.stdout
    assert "full path / plain DuckDB" in result.stdout


def test_f04_deep_chain_benchmark_runs_and_both_routes_agree() -> None:
    # Issue 8: --deep times a chain as deep as it is long against the broad chain of that size;
    # the script asserts that the compiled route gives what the level walk gives.
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_chains.py"),
            "--sizes",
            "3000",
            "--repeat",
            "1",
            "--cold-repeat",
            "1",
            "--workbook-items",
            "0",
            "--deep",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "== deep, warm: 3,000 items" in result.stdout
    assert "2,993 levels" in result.stdout
    assert "deep / broad" in result.stdout
