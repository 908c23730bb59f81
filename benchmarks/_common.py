"""Helpers shared by the benchmarks: repeated timings with median and spread, child processes.

A timing is never one number: ``Timing`` keeps every run and prints the median with the
spread (min–max). A child process is timed from the outside (wall clock) and its peak
resident memory comes from the operating system for exactly that child (``os.wait4``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

GIB = 2**30


@dataclass
class Timing:
    """The samples of one measured quantity (seconds, or bytes for memory)."""

    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def __len__(self) -> int:
        return len(self.samples)

    def seconds(self) -> str:
        """Return e.g. ``1.23 s (1.20–1.31, n=5)``."""
        if len(self.samples) == 1:
            return f"{seconds(self.median)} (n=1)"
        return f"{seconds(self.median)} ({seconds(self.low, unit=False)}–{seconds(self.high)}, n={len(self)})"

    def gib(self) -> str:
        """Return a memory median and spread in GiB."""
        if len(self.samples) == 1:
            return f"{self.median / GIB:.2f} GiB"
        return f"{self.median / GIB:.2f} GiB ({self.low / GIB:.2f}–{self.high / GIB:.2f})"


def seconds(value: float, unit: bool = True) -> str:
    """Format seconds with a precision that suits the magnitude."""
    if value >= 100:
        text = f"{value:.0f}"
    elif value >= 10:
        text = f"{value:.1f}"
    elif value >= 0.1:
        text = f"{value:.2f}"
    elif value >= 0.01:
        text = f"{value:.3f}"
    else:
        text = f"{value:.4f}"
    return f"{text} s" if unit else text


def ratio(numerator: float, denominator: float) -> str:
    """Format a ratio of two medians, e.g. ``×2.4``."""
    if denominator <= 0:
        return "—"
    value = numerator / denominator
    return f"×{value:.0f}" if value >= 100 else f"×{value:.2f}" if value < 10 else f"×{value:.1f}"


def repeat(function: Callable[[], Any], runs: int) -> tuple[Timing, Any]:
    """Call ``function`` ``runs`` times; return the timing and the last result."""
    timing = Timing()
    result = None
    for _ in range(runs):
        result = None  # let the previous result go before the next run allocates its own
        start = time.perf_counter()
        result = function()
        timing.samples.append(time.perf_counter() - start)
    return timing, result


@dataclass
class ChildRun:
    """One finished child process: wall seconds, peak RSS in bytes, exit code, stderr text."""

    wall: float
    max_rss: int
    returncode: int
    stderr: str


# Runs argv[2:], waits for it with wait4 and writes its wall time, peak RSS (KiB on Linux) and
# exit code to the file argv[1]. Imports nothing heavy, so it stays small itself.
_LAUNCHER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(child.pid, 0)
wall = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as report:
    json.dump({"wall": wall, "maxrss_kib": usage.ru_maxrss, "returncode": code}, report)
"""


class ChildFailed(RuntimeError):
    """A timed child process exited with an error."""


def run_child(
    argv: Sequence[str | os.PathLike[str]],
    stdout: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> ChildRun:
    """Run ``argv`` in a fresh process; time it and read its own peak RSS (``os.wait4``).

    ``stdout`` is a file the child writes to (default: discarded). stderr goes to a temporary
    file, so that a chatty child cannot block on a full pipe while it is timed. Raise
    ``ChildFailed`` with the child's stderr if it exits with an error.
    """
    with (
        Path(os.devnull if stdout is None else stdout).open("wb") as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".json") as report,
    ):
        # Linux counts the memory of the process a child was forked from in the child's peak
        # RSS (exec records the old address space's high-water mark), so a child of this
        # benchmark, which holds a national chain, would report this process's size. A small
        # launcher starts the command and reports its wait4 figures instead.
        command = [sys.executable, "-c", _LAUNCHER, report.name, *(os.fspath(a) for a in argv)]
        returncode = subprocess.run(command, stdout=out, stderr=err, env=env, cwd=cwd, check=False).returncode
        err.seek(0)
        text = err.read().decode(errors="replace")
        figures = json.loads(report.read() or "{}")
    if not figures:
        raise ChildFailed(f"exit {returncode}: the launcher failed\n{text[-4000:]}")
    run = ChildRun(figures["wall"], figures["maxrss_kib"] * 1024, figures["returncode"], text)
    if run.returncode != 0:
        command = " ".join(os.fspath(a) for a in argv)
        raise ChildFailed(f"exit {run.returncode}: {command}\n{text[-4000:]}")
    return run


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Return rows as an aligned plain-text table (first column left, others left too)."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)
