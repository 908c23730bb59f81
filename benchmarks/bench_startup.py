"""Benchmark the command line's start-up: help, version and mistakes, each in a fresh process.

``python benchmarks/bench_startup.py [--runs 9]`` runs every case ``--runs`` times as a new
process (the installed ``ketenradar`` script of this interpreter's environment) and prints the
median and the spread (min-max) of the wall time, and the median's ratio to ``python -c pass``
(the interpreter's own start-up, measured the same way in the same session). The cases run
interleaved, one round after another, so that a busy moment of the shared machine falls on
every case alike rather than on one.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The ketenradar script installed beside this interpreter (the virtualenv's bin folder).
KETENRADAR = str(Path(sys.executable).with_name("ketenradar"))
# (name, command line, its exit code: 0 for help and version, 2 for a usage error)
CASES: list[tuple[str, list[str], int]] = [
    ("python -c pass", [sys.executable, "-c", "pass"], 0),
    ("ketenradar --help", [KETENRADAR, "--help"], 0),
    ("ketenradar --version", [KETENRADAR, "--version"], 0),
    ("ketenradar chian (misspelt)", [KETENRADAR, "chian"], 2),
    ("ketenradar --no-such-option", [KETENRADAR, "--no-such-option"], 2),
    ("ketenradar trade --help", [KETENRADAR, "trade", "--help"], 0),
    ("ketenradar trade concentration (no arg.)", [KETENRADAR, "trade", "concentration"], 2),
    ("ketenradar chain --help", [KETENRADAR, "chain", "--help"], 0),
    ("ketenradar chain exposure --help", [KETENRADAR, "chain", "exposure", "--help"], 0),
    ("ketenradar chain exposur (misspelt)", [KETENRADAR, "chain", "exposur"], 2),
    ("ketenradar chain exposure (no argument)", [KETENRADAR, "chain", "exposure"], 2),
    ("ketenradar survey --help", [KETENRADAR, "survey", "--help"], 0),
]


def wall_time(command: list[str], expected: int) -> float:
    """Return the wall time of one run of ``command`` in seconds (its output is discarded).

    A run that exits otherwise than expected (a crash is fast too) stops the benchmark.
    """
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != expected:
        raise SystemExit(f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr.decode()}")
    return elapsed


def main() -> int:
    """Time every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs per case (at least 7)")
    runs = max(parser.parse_args().runs, 7)
    if not Path(KETENRADAR).exists():
        print(f"{KETENRADAR} not found: install ketenradar in this environment first", file=sys.stderr)
        return 1
    times: dict[str, list[float]] = {name: [] for name, _command, _code in CASES}
    for _name, command, code in CASES:  # one untimed run each: the first run fills the disk cache
        wall_time(command, code)
    for _ in range(runs):
        for name, command, code in CASES:
            times[name].append(wall_time(command, code))
    baseline = statistics.median(times[CASES[0][0]])
    print(f"{runs} runs each, fresh processes; ratio = median / median of `python -c pass`\n")
    print(f"| {'case':<40} | median  | min-max         | ratio |")
    print(f"|{'-' * 42}|---------|-----------------|-------|")
    for name, values in times.items():
        median = statistics.median(values)
        spread = f"{min(values):.3f}-{max(values):.3f} s"
        print(f"| {name:<40} | {median:.3f} s | {spread:<15} | ×{median / baseline:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
