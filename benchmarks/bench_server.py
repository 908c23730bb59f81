"""Load-test the observatory server: 50 clients of companies and analysts, mixed reads and submissions.

``python benchmarks/bench_server.py [--clients 50] [--seconds 60] [--companies 5] [--workers 2]
[--think 1] [--seed 0] [--check]`` starts a throw-away PostgreSQL on loopback (Debian's
``initdb``/``pg_ctl``, as ``nobody`` when run as root), adds one company user per organisation and an
analyst with
``ketenradar user add``, starts ``ketenradar serve --database URL --workers N`` on a free loopback
port, and stores the shipped demo chain and one set of answers for every company through the
API. Then ``--clients`` clients (nine in ten company users spread over the organisations, the rest
analysts) log in and send requests for ``--seconds`` seconds, each waiting a think time between
two requests as a person does (uniform around ``--think`` seconds, default 1; ``--think 0``: back
to back, a stress test), each request drawn from a fixed, seeded mix:

- company users: their chains (list, show, exposure), the materials, a scenario run on their demo
  chain, their surveys, and **submissions** — questionnaire answers (``POST /api/v1/surveys``) and a
  small chain (``POST /api/v1/chains``), each under the client's own name;
- analysts: the disclosure-controlled aggregate of every company's latest answers, materials,
  countries and the scenario library.

Every response must have its expected status (200, or 201 for a submission); anything else, or an
exception, is an error. Afterwards the script reads the database directly: every version a
submission was answered with must be stored for that organisation, nothing more, and the audit log
must hold one successful write per submission. Printed per request kind: count, errors, p50/p95/p99
and throughput; then PASS or FAIL against the targets of issue 13 (no errors, p95 ≤ 500 ms over all
requests, every submitted row present). ``--check`` makes a missed target exit 1. Everything runs on
this machine and is removed at the end, also on errors.
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
from _common import seconds, table
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.helpers.postgres

P95_TARGET = 0.500
TIMEOUT = 60.0
PASSWORD = "load test password 1234"
ANALYST = "analyst"
SCENARIO = "china-gallium-germanium-2023"


@dataclass(frozen=True)
class Kind:
    """One kind of request: its label, method, path, weight, and whether it submits data."""

    label: str
    method: str
    path: str
    weight: int
    submits: str = ""  # "survey" or "chain": a submission whose stored version is checked afterwards


COMPANY_MIX = (
    Kind("GET /api/v1/chains", "GET", "/api/v1/chains", 3),
    Kind("GET /api/v1/chains/demo", "GET", "/api/v1/chains/demo", 2),
    Kind("GET /api/v1/chains/demo/exposure", "GET", "/api/v1/chains/demo/exposure", 2),
    Kind("GET /api/v1/materials", "GET", "/api/v1/materials", 1),
    Kind("POST /api/v1/scenarios/run", "POST", "/api/v1/scenarios/run", 2),
    Kind("GET /api/v1/surveys", "GET", "/api/v1/surveys", 1),
    Kind("POST /api/v1/surveys", "POST", "/api/v1/surveys", 2, submits="survey"),
    Kind("POST /api/v1/chains", "POST", "/api/v1/chains", 1, submits="chain"),
)
ANALYST_MIX = (
    Kind("GET /api/v1/surveys/aggregate", "GET", "/api/v1/surveys/aggregate", 2),
    Kind("GET /api/v1/materials (analyst)", "GET", "/api/v1/materials", 1),
    Kind("GET /api/v1/countries", "GET", "/api/v1/countries", 1),
    Kind("GET /api/v1/scenarios", "GET", "/api/v1/scenarios", 1),
)


@dataclass(frozen=True)
class Submitted:
    """One submission the server accepted: whose, what, under which name, as which version."""

    organisation: str
    what: str
    name: str
    version: int


def demo_chain() -> Path:
    """Return the shipped demo chain (a folder of CSV files)."""
    return Path(str(resources.files("ketenradar.demo_data") / "chains" / "defence_demo"))


def _documents(folder: Path) -> tuple[bytes, list[bytes], bytes]:
    """Return the demo chain, a few questionnaire answers and a small chain, as JSON workbooks."""
    from ketenradar.ingest.workbook import read_chain_workbook
    from ketenradar.ingest.workbook_writer import write_chain, write_sheets
    from ketenradar.model.survey import SURVEY_SHEETS
    from ketenradar.services.materials import defence_catalogue
    from ketenradar.services.synth import synthetic_chain, synthetic_survey

    chain = read_chain_workbook(demo_chain(), list(defence_catalogue()), name="demo")
    demo = write_chain(chain, folder / "demo.json").read_bytes()
    answers = []
    for seed in range(4):
        survey = synthetic_survey(12, seed=seed)
        path = write_sheets({s: getattr(survey, s) for s in SURVEY_SHEETS}, folder / f"answers{seed}.json")
        answers.append(path.read_bytes())
    small = write_chain(synthetic_chain(200, seed=1), folder / "small.json").read_bytes()
    return demo, answers, small


def _run(*args: str, stdin: str | None = None) -> None:
    done = subprocess.run(
        [*KETENRADAR, *args], input=stdin, capture_output=True, text=True, env=environment(), check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"ketenradar {' '.join(args[:3])} failed:\n{done.stderr[-4000:]}")


@contextmanager
def database() -> Iterator[str]:
    """Start a throw-away PostgreSQL on loopback and yield the URL of a new database."""
    from tests.helpers.postgres import PostgresServer, find_postgres_bin

    bin_dir = find_postgres_bin()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL is not installed: `apt-get install postgresql` (bash scripts/test does)"
        )
    server = PostgresServer(bin_dir)
    try:
        server.start()
        server.execute('CREATE DATABASE "bench"')
        yield server.url("bench")
    finally:
        server.stop()


@contextmanager
def served(url: str, workers: int, folder: Path) -> Iterator[Server]:
    """Serve the database with ``workers`` processes on a free loopback port; yield the server."""
    port = free_port("127.0.0.1")
    base = base_url("127.0.0.1", port)
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        command = [*KETENRADAR, "serve", "--database", url, "--port", str(port), "--workers", str(workers)]
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=environment(), start_new_session=True
        )
        try:
            wait_until_up(process, f"{base}/openapi.json", log_path)
            yield Server(base, process.pid)
        finally:
            stop(process)


def _login(client: httpx.Client | None, base: str, name: str) -> dict[str, str]:
    data = {"username": name, "password": PASSWORD}
    response = httpx.post(f"{base}/api/v1/auth/token", data=data, timeout=TIMEOUT, trust_env=False)
    if response.status_code != 200:
        raise RuntimeError(f"login of {name} failed: {response.status_code} {response.text[:500]}")
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _client(
    base: str,
    number: int,
    user: str,
    organisation: str,
    seed: int,
    stop_at: float,
    documents: tuple[bytes, list[bytes], bytes],
    records: dict[str, Record],
    submitted: list[Submitted],
    think: float,
) -> None:
    """Log in, then send requests drawn from the seeded mix until ``stop_at``; record and check each."""
    draw = random.Random(seed * 1_000_003 + number)
    mix = ANALYST_MIX if user == ANALYST else COMPANY_MIX
    weights = [kind.weight for kind in mix]
    _demo, answers, small = documents
    async with httpx.AsyncClient(
        base_url=base, timeout=TIMEOUT, trust_env=False, limits=httpx.Limits(max_connections=1)
    ) as client:
        login = await client.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
        if login.status_code != 200:
            records["login"].error(f"status {login.status_code}: {login.text[:200]}")
            return
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        while time.perf_counter() < stop_at:
            if think > 0:
                # A person between two clicks: uniform around the mean think time.
                await asyncio.sleep(draw.uniform(0.5 * think, 1.5 * think))
                if time.perf_counter() >= stop_at:
                    break
            kind = draw.choices(mix, weights)[0]
            record = records[kind.label]
            name = f"{kind.submits}-client{number}"
            start = time.perf_counter()
            try:
                if kind.submits == "survey":
                    body = draw.choice(answers)
                    files = {"file": ("answers.json", body, "application/json")}
                    response = await client.post(kind.path, files=files, data={"name": name})
                elif kind.submits == "chain":
                    files = {"file": ("small.json", small, "application/json")}
                    response = await client.post(kind.path, files=files, data={"name": name})
                elif kind.method == "POST":
                    response = await client.post(kind.path, json={"chain": "demo", "scenario": SCENARIO})
                else:
                    response = await client.get(kind.path)
            except Exception as failed:  # any failure is counted; the other clients go on
                record.latencies.append(time.perf_counter() - start)
                record.error(f"{type(failed).__name__}: {failed}")
                continue
            record.latencies.append(time.perf_counter() - start)
            expected = 201 if kind.submits else 200
            if response.status_code != expected:
                record.error(f"status {response.status_code}: {response.text[:200]}")
            elif kind.submits:
                version = int(response.json()["version"])
                submitted.append(Submitted(organisation, kind.submits, name, version))


async def load(
    base: str,
    users: list[tuple[str, str]],
    duration: float,
    seed: int,
    documents: tuple[bytes, list[bytes], bytes],
    records: dict[str, Record],
    submitted: list[Submitted],
    think: float,
) -> float:
    """Run one client per (user, organisation) for ``duration`` seconds; return the seconds taken."""
    start = time.perf_counter()
    await asyncio.gather(
        *(
            _client(base, i, user, org, seed, start + duration, documents, records, submitted, think)
            for i, (user, org) in enumerate(users)
        )
    )
    return time.perf_counter() - start


def verify(url: str, submitted: list[Submitted]) -> tuple[int, list[str]]:
    """Return how many submissions are stored as answered, and every difference found."""
    from ketenradar.storage.server import ServerStore

    store = ServerStore(url)
    problems: list[str] = []
    answered: dict[tuple[str, str, str], list[int]] = {}
    for s in submitted:
        answered.setdefault((s.organisation, s.what, s.name), []).append(s.version)
    present = 0
    try:
        for (organisation, what, name), versions in sorted(answered.items()):
            scoped = store.scoped(organisation, user="bench-verify")
            if what == "survey":
                stored = scoped.survey_versions(name)
            else:
                stored = [v.version for v in scoped.versions(name)]
            present += len(set(versions) & set(stored))
            if sorted(versions) != sorted(stored):
                problems.append(f"{organisation}/{what}/{name}: answered {sorted(versions)}, stored {stored}")
        writes = [
            r
            for r in store.audit(user=None)
            if r.action in ("survey.write", "chain.write") and r.outcome == "ok" and "-client" in r.target
        ]
        if len(writes) != len(submitted):
            problems.append(f"audit: {len(writes)} successful writes logged for {len(submitted)} submissions")
    finally:
        store.dispose()
    return present, problems


def main() -> None:
    """Run the load test, print the table and the verdict; exit 1 with ``--check`` if a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--companies", type=int, default=5, help="organisations with a company user each")
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes (ketenradar serve --workers)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean seconds a client waits between requests, as a person does (0: back to back)",
    )
    parser.add_argument("--analysts", type=int, help="analyst clients [default: one in ten, at least one]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    if not (2 <= args.clients <= 200 and 0 < args.seconds <= 600 and 1 <= args.companies <= 50):
        parser.error("give 2 to 200 clients, 0 to 600 seconds and 1 to 50 companies")
    if not 0 <= args.think <= 60:
        parser.error("give a think time of 0 to 60 seconds")
    if not 1 <= args.workers <= 8:
        parser.error("give 1 to 8 server processes")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    organisations = [f"company{i + 1}" for i in range(args.companies)]
    analysts = max(1, args.clients // 10) if args.analysts is None else args.analysts
    users = [(ANALYST, "observatory")] * analysts + [
        (f"user-{organisations[i % args.companies]}", organisations[i % args.companies])
        for i in range(args.clients - analysts)
    ]
    kinds = [*COMPANY_MIX, *ANALYST_MIX]
    records = {kind.label: Record() for kind in kinds} | {"login": Record()}
    submitted: list[Submitted] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench_server_") as temp, database() as url:
        folder = Path(temp)
        documents = _documents(folder)
        _run(
            "user", "add", ANALYST, "--role", "analyst", "--password-stdin", "--database", url, stdin=PASSWORD
        )
        for organisation in organisations:
            _run(
                "user", "add", f"user-{organisation}", "--role", "company", "--org", organisation,
                "--password-stdin", "--database", url, stdin=PASSWORD,
            )  # fmt: skip
        with served(url, args.workers, folder) as server:
            for number, organisation in enumerate(organisations):
                headers = _login(None, server.base, f"user-{organisation}")
                answered = httpx.post(
                    f"{server.base}/api/v1/surveys",
                    files={"file": ("answers.json", documents[1][number % 4], "application/json")},
                    data={"name": "first-answers"},
                    headers=headers,
                    timeout=TIMEOUT,
                    trust_env=False,
                )
                if answered.status_code != 201:
                    raise RuntimeError(f"storing answers failed: {answered.status_code} {answered.text}")
                stored = httpx.post(
                    f"{server.base}/api/v1/chains",
                    files={"file": ("demo.json", documents[0], "application/json")},
                    data={"name": "demo"},
                    headers=headers,
                    timeout=TIMEOUT,
                    trust_env=False,
                )
                if stored.status_code != 201:
                    raise RuntimeError(
                        f"storing the demo chain failed: {stored.status_code} {stored.text[:500]}"
                    )
            print(
                f"server: {server.base} (loopback only), {args.workers} process(es), PostgreSQL on loopback; "
                f"{args.companies} companies with the demo chain, {len(users)} clients ({analysts} analysts)"
            )
            cpu_before = group_cpu_seconds(server.pid)
            elapsed = asyncio.run(
                load(server.base, users, args.seconds, args.seed, documents, records, submitted, args.think)
            )
            cpu_after = group_cpu_seconds(server.pid)
        present, problems = verify(url, submitted)
    total = sum(len(r.latencies) for r in records.values())
    print(
        f"load: {len(users)} clients for {seconds(elapsed)}, think time {args.think:g} s, seed {args.seed}, "
        f"{total:,} requests "
        f"({total / elapsed:.1f}/s); load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}"
    )
    if cpu_before is not None and cpu_after is not None:
        used = cpu_after - cpu_before
        print(f"server CPU under load: {seconds(used)} ({used / elapsed:.0%} of one core)")
    rows = []
    for label, record in records.items():
        if not record.latencies and not record.errors:
            continue
        p50, p95, p99 = record.percentiles()
        rows.append(
            [label, f"{len(record.latencies):,}", str(record.errors), ms(p50), ms(p95), ms(p99),
             f"{len(record.latencies) / elapsed:.1f}/s"]
        )  # fmt: skip
    print(table(rows, ["request", "count", "errors", "p50", "p95", "p99", "throughput"]))
    every = np.concatenate(
        [np.asarray(r.latencies) for r in records.values() if r.latencies] or [np.zeros(0)]
    )
    p95_all = float(np.percentile(every, 95)) if len(every) else float("nan")
    errors = sum(r.errors for r in records.values())
    verdicts = [
        (errors == 0, f"errors (unexpected status or exception): {errors} (target 0)"),
        (bool(p95_all <= P95_TARGET), f"p95 over all requests: {ms(p95_all)} (target ≤ {ms(P95_TARGET)})"),
        (
            not problems and present == len(submitted),
            f"submissions stored: {present:,} of {len(submitted):,} answered (target all, nothing more)",
        ),
    ]
    for ok, text in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    for label, record in records.items():
        for example in record.examples:
            print(f"      {label}: {example}")
    for problem in problems[:10]:
        print(f"      {problem}")
    met = all(ok for ok, _text in verdicts)
    print(f"result: {'PASS, all targets met' if met else 'FAIL, a target was missed'}")
    summary = {label: {"count": len(r.latencies), "errors": r.errors} for label, r in records.items()}
    print("counts: " + json.dumps(summary, sort_keys=True))
    print(f"submitted: {len(submitted)} present: {present}")
    if args.check and not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
