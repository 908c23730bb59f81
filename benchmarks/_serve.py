"""Helpers shared by the benchmarks that drive a real ``ketenradar serve``: ports, processes, latencies.

A server runs in its own process group, so that everything it started ends with it; the clients
talk to loopback only and ignore proxies from the environment.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

SCRIPT = "import sys; from ketenradar.cli import main; sys.argv[0] = 'ketenradar'; main()"
KETENRADAR = (sys.executable, "-c", SCRIPT)
STARTUP_SECONDS = 60.0


@dataclass
class Record:
    """What the clients saw of one request kind under load."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    wrong: int = 0
    examples: list[str] = field(default_factory=list)

    def error(self, text: str, wrong: bool = False) -> None:
        """Count an error (or a wrong body) and keep the first few for the report."""
        if wrong:
            self.wrong += 1
        else:
            self.errors += 1
        if len(self.examples) < 3:
            self.examples.append(text)

    def percentiles(self) -> tuple[float, float, float]:
        """Return p50, p95 and p99 of the latencies (NaN when there are none)."""
        if not self.latencies:
            return (float("nan"),) * 3
        p50, p95, p99 = np.percentile(np.asarray(self.latencies), [50, 95, 99])
        return float(p50), float(p95), float(p99)


@dataclass(frozen=True)
class Server:
    """A running server: its base URL and process id."""

    base: str
    pid: int


def free_port(host: str) -> int:
    """Return a port that is free on ``host`` now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host.strip("[]"), 0))
        port: int = probe.getsockname()[1]
        return port


def base_url(host: str, port: int) -> str:
    """Return the http URL of ``host:port`` (an IPv6 address in brackets)."""
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}"


def environment() -> dict[str, str]:
    """Return the environment of a child: English with the shipped defaults, whatever the caller's are."""
    return {k: v for k, v in os.environ.items() if k not in ("KETENRADAR_LANG", "KETENRADAR_CONFIG")}


def cpu_seconds(pid: int) -> float | None:
    """Return the CPU seconds (user + system) process ``pid`` has used, or None where /proc has no answer."""
    try:
        # Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def group_cpu_seconds(pid: int) -> float | None:
    """Return the CPU seconds of ``pid`` and its children (several server workers), or None."""
    own = cpu_seconds(pid)
    if own is None:
        return None
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        found = [int(p) for p in children.read_text().split()]
    except (OSError, ValueError):
        found = []
    return own + sum(group_cpu_seconds(p) or 0.0 for p in found)


def wait_until_up(process: subprocess.Popen[bytes], probe_url: str, log_path: Path) -> None:
    """Wait until ``probe_url`` answers (any status); raise with the log if the server ends first."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start:\n{log_path.read_text()[-4000:]}")
        try:
            httpx.get(probe_url, timeout=10, trust_env=False)
            return
        except httpx.TransportError:
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the server's whole process group: politely first, then by force."""
    for sent, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def ms(value: float) -> str:
    """Return seconds as milliseconds for a table."""
    return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"
