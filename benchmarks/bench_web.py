"""Drive the dashboard and the REST API of a real ``ketenradar serve`` with concurrent clients on loopback.

``python benchmarks/bench_web.py [--clients 20] [--seconds 60] [--seed 0] [--check]`` imports the
shipped demo chain into a temporary workspace (``ketenradar chain import``), starts ``ketenradar
serve`` on a free loopback port in its own process group, and first times every request kind
alone (no load; median and spread of ``--alone`` runs) as the in-run baseline. Then ``--clients``
clients (each its own ``httpx.AsyncClient``, one connection each) send requests for ``--seconds``
seconds, each drawing the next request from a fixed, seeded mix: the dashboard pages, two read
endpoints, a scenario run and a day-by-day simulation of the shipped gallium/germanium scenario
on the demo chain. Every response must have status 200 and the same body as the request made
alone (all responses here are deterministic); anything else, or an exception, is an error.

Printed per request kind: count, errors, p50/p95/p99 latency, throughput and p50 loaded ÷ median
alone, then PASS or FAIL against the targets of issue 12 (every page p95 ≤ 300 ms, scenario run
p95 ≤ 200 ms, no errors). The script exits 0 either way; ``--check`` makes it exit 1 when a target
is missed. It talks to this machine only: a host that is not loopback is refused, proxies from
the environment are ignored, and the server is stopped at the end, also on errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import httpx
import numpy as np
from _common import Timing, ratio, seconds, table
from _serve import (
    KETENRADAR,
    Record,
    Server,
    base_url,
    environment,
    free_port,
    group_cpu_seconds,
    ms,
    stop,
    wait_until_up,
)

from ketenradar.cli.serve import is_loopback

CHAIN = "demo"
SCENARIO = "china-gallium-germanium-2023"
PAGE_P95 = 0.300
RUN_P95 = 0.200
TIMEOUT = 30.0


@dataclass(frozen=True)
class Kind:
    """One kind of request in the mix: its label, method, path, JSON body and weight."""

    label: str
    method: str
    path: str
    body: dict[str, object] | None = None
    weight: int = 1
    page: bool = False


RUN_BODY: dict[str, object] = {"chain": CHAIN, "scenario": SCENARIO}
MIX = (
    Kind("page /", "GET", "/", weight=2, page=True),
    Kind("page /materials/gallium", "GET", "/materials/gallium", weight=2, page=True),
    Kind("page /countries/CHN", "GET", "/countries/CHN", weight=2, page=True),
    Kind("page /chains", "GET", "/chains", weight=2, page=True),
    Kind(f"page /chains/{CHAIN}", "GET", f"/chains/{CHAIN}", weight=2, page=True),
    Kind("page /scenarios", "GET", "/scenarios", weight=2, page=True),
    Kind("GET /api/v1/materials", "GET", "/api/v1/materials"),
    Kind(f"GET /api/v1/chains/{CHAIN}/exposure", "GET", f"/api/v1/chains/{CHAIN}/exposure"),
    Kind("POST /api/v1/scenarios/run", "POST", "/api/v1/scenarios/run", RUN_BODY, weight=3),
    Kind("POST /api/v1/scenarios/simulate", "POST", "/api/v1/scenarios/simulate", RUN_BODY),
)
RUN = "POST /api/v1/scenarios/run"


def demo_chain() -> Path:
    """Return the shipped demo chain (a folder of CSV files)."""
    return Path(str(resources.files("ketenradar.demo_data") / "chains" / "defence_demo"))


@contextmanager
def served(host: str, folder: Path, workers: int = 1) -> Iterator[Server]:
    """Import the demo chain into a new workspace, serve it on a free port; yield the server.

    The server runs in its own process group, which is ended when the block is left, also on errors.
    """
    workspace = folder / "workspace.sqlite"
    env = environment()
    imported = subprocess.run(
        [*KETENRADAR, "chain", "import", str(demo_chain()), "--name", CHAIN, "--workspace", str(workspace)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    if imported.returncode != 0:
        raise RuntimeError(f"chain import failed:\n{imported.stderr[-4000:]}")
    port = free_port(host)
    base = base_url(host, port)
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        command = [*KETENRADAR, "serve", "--host", host, "--port", str(port), "--workspace", str(workspace)]
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            wait_until_up(process, f"{base}/api/v1/chains", log_path)
            yield Server(base, process.pid)
        finally:
            stop(process)


def alone(base: str, repeat: int, records: dict[str, Record]) -> tuple[dict[str, Timing], dict[str, bytes]]:
    """Time every kind alone (after one warm-up request); return the timings and reference bodies.

    A repeat whose body differs from the first is counted as a wrong body in ``records``.
    """
    timings: dict[str, Timing] = {}
    bodies: dict[str, bytes] = {}
    with httpx.Client(base_url=base, timeout=TIMEOUT, trust_env=False) as client:
        for kind in MIX:
            first = client.request(kind.method, kind.path, json=kind.body)
            if first.status_code != 200:
                raise RuntimeError(f"{kind.label}: status {first.status_code}\n{first.text[:2000]}")
            bodies[kind.label] = first.content
            timing = Timing()
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.request(kind.method, kind.path, json=kind.body)
                timing.samples.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"{kind.label}: status {response.status_code} alone")
                if response.content != first.content:
                    records[kind.label].error("alone, a repeat gave another body than the first", wrong=True)
            timings[kind.label] = timing
    return timings, bodies


async def _client(
    base: str, number: int, seed: int, stop_at: float, bodies: dict[str, bytes], records: dict[str, Record]
) -> None:
    """Send requests drawn from the seeded mix until ``stop_at``; record each one's latency and check it."""
    draw = random.Random(seed * 1_000_003 + number)
    weights = [kind.weight for kind in MIX]
    async with httpx.AsyncClient(
        base_url=base, timeout=TIMEOUT, trust_env=False, limits=httpx.Limits(max_connections=1)
    ) as client:
        while time.perf_counter() < stop_at:
            kind = draw.choices(MIX, weights)[0]
            record = records[kind.label]
            start = time.perf_counter()
            try:
                response = await client.request(kind.method, kind.path, json=kind.body)
            except Exception as failed:  # any failure is counted; the other clients go on
                record.latencies.append(time.perf_counter() - start)
                record.error(f"{type(failed).__name__}: {failed}")
                continue
            record.latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                record.error(f"status {response.status_code}: {response.text[:200]}")
            elif response.content != bodies[kind.label]:
                record.error(
                    f"body differs from the request made alone ({len(response.content)} bytes)", wrong=True
                )


async def load(
    base: str, clients: int, duration: float, seed: int, bodies: dict[str, bytes], records: dict[str, Record]
) -> float:
    """Run ``clients`` clients for ``duration`` seconds into ``records``; return the seconds taken."""
    start = time.perf_counter()
    await asyncio.gather(*(_client(base, i, seed, start + duration, bodies, records) for i in range(clients)))
    return time.perf_counter() - start


def report(
    records: dict[str, Record], elapsed: float, timings: dict[str, Timing]
) -> tuple[list[list[str]], list[str], bool]:
    """Return the table rows, the verdict lines and whether every target was met."""
    rows = []
    verdicts = []
    met = True
    for kind in MIX:
        record = records[kind.label]
        latencies = np.asarray(record.latencies)
        p50, p95, p99 = np.percentile(latencies, [50, 95, 99]) if len(latencies) else (np.nan,) * 3
        rows.append(
            [
                kind.label,
                f"{len(latencies):,}",
                str(record.errors),
                str(record.wrong),
                ms(p50),
                ms(p95),
                ms(p99),
                f"{len(latencies) / elapsed:.1f}/s",
                timings[kind.label].seconds(),
                ratio(float(p50), timings[kind.label].median),
            ]
        )
        target = PAGE_P95 if kind.page else RUN_P95 if kind.label == RUN else None
        if target is not None:
            ok = len(latencies) > 0 and bool(p95 <= target)
            met &= ok
            verdicts.append(
                f"{'PASS' if ok else 'FAIL'}  {kind.label}: p95 {ms(p95)} (target ≤ {ms(target)})"
            )
    all_pages = np.concatenate([np.asarray(records[k.label].latencies) for k in MIX if k.page])
    if len(all_pages):
        verdicts.append(f"      all pages together: p95 {ms(float(np.percentile(all_pages, 95)))}")
    errors = sum(r.errors for r in records.values())
    wrong = sum(r.wrong for r in records.values())
    met &= errors == 0 and wrong == 0
    verdicts.append(
        f"{'PASS' if errors == 0 else 'FAIL'}  errors (status >= 400 or exception): {errors} (target 0)"
    )
    verdicts.append(f"{'PASS' if wrong == 0 else 'FAIL'}  wrong bodies: {wrong} (target 0)")
    for kind in MIX:
        for example in records[kind.label].examples:
            verdicts.append(f"      {kind.label}: {example}")
    return rows, verdicts, met


def main() -> None:
    """Run the benchmark, print the table and the verdict; exit 1 with ``--check`` if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--alone", type=int, default=5, help="runs of each request alone (the baseline)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to serve on")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if not is_loopback(args.host):
        parser.error(f"--host {args.host} is not a loopback address: this benchmark stays on this machine")
    if not (1 <= args.clients <= 200 and 0 < args.seconds <= 600 and args.alone >= 1):
        parser.error("give 1 to 200 clients, 0 to 600 seconds and at least one run alone")
    # A plain SIGTERM would end this process without its finally blocks and leave the server
    # running in its own process group; as an exit, the server is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    load_before = os.getloadavg()
    with (
        tempfile.TemporaryDirectory(prefix="bench_web_") as folder,
        served(args.host, Path(folder), args.workers) as server,
    ):
        base = server.base
        print(
            f"server: {base} (loopback only), {args.workers} process(es), demo chain {CHAIN!r}, "
            f"scenario {SCENARIO!r}"
        )
        records = {kind.label: Record() for kind in MIX}
        timings, bodies = alone(base, args.alone, records)
        print(f"alone: every kind {args.alone} times after one warm-up request, bodies kept as reference")
        cpu, server_before = time.process_time(), group_cpu_seconds(server.pid)
        elapsed = asyncio.run(load(base, args.clients, args.seconds, args.seed, bodies, records))
        cpu, server_after = time.process_time() - cpu, group_cpu_seconds(server.pid)
    total = sum(len(r.latencies) for r in records.values())
    mix = ", ".join(f"{kind.label} {kind.weight}" for kind in MIX)
    print(
        f"load: {args.clients} clients for {seconds(elapsed)}, seed {args.seed}, {total:,} requests "
        f"({total / elapsed:.1f}/s); load average before {load_before[0]:.2f}, "
        f"after {os.getloadavg()[0]:.2f}; "
        f"the clients used {seconds(cpu)} CPU ({cpu / elapsed:.0%} of one core)"
    )
    if server_before is None or server_after is None:
        print("server CPU: not known (no /proc on this system)")
    else:
        used = server_after - server_before
        print(f"server CPU under load: {seconds(used)} ({used / elapsed:.0%} of one core)")
    work = sum(len(records[k.label].latencies) * timings[k.label].median for k in MIX)
    print(
        f"the same requests one at a time would take {seconds(work)} "
        f"({work / elapsed:.0%} of the load's wall time, at the medians alone)"
    )
    print(f"mix (weights): {mix}")
    rows, verdicts, met = report(records, elapsed, timings)
    print(
        table(
            rows,
            [
                "request",
                "count",
                "errors",
                "wrong body",
                "p50",
                "p95",
                "p99",
                "throughput",
                "alone",
                "p50 loaded / alone",
            ],
        )
    )
    print("\n".join(verdicts))
    print(f"result: {'PASS, all targets met' if met else 'FAIL, a target was missed'}")
    summary = {
        kind.label: {
            "count": len(records[kind.label].latencies),
            "errors": records[kind.label].errors,
            "wrong": records[kind.label].wrong,
        }
        for kind in MIX
    }
    print("counts: " + json.dumps(summary, sort_keys=True))
    if args.check and not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
