"""The benchmark script runs, and its baselines agree with the level-wise propagation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_f04_chain_benchmark_runs_and_baselines_agree() -> None:
    # The script asserts that SciPy's LU and the networkx traversal give our total requirements.
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_chains.py"),
            "--sizes",
            "3000",
            "--lu-max",
            "3000",
            "--no-import",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "level-wise propagation is x" in result.stdout
    assert "baseline networkx traversal" in result.stdout


def test_f08_trade_benchmark_runs_and_pandas_agrees() -> None:
    # The script asserts that the pandas HHI equals ketenradar's for every HS6 code.
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_trade.py"), "--rows", "20000"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "ratio pandas/ketenradar" in result.stdout


def test_f04_deep_chain_benchmark_runs_and_both_routes_agree() -> None:
    # Issue 8: --deep times a chain as deep as it is long against the broad chain of that size;
    # the script asserts that the compiled route gives what the level walk gives.
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_chains.py"),
            "--sizes",
            "3000",
            "--lu-max",
            "0",
            "--no-import",
            "--deep",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "== deep: 3,000 items" in result.stdout
    assert "2,993 levels" in result.stdout
    assert "broad) | availability" in result.stdout
