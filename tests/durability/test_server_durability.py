"""The observatory server survives what servers meet: a kill in the middle of a write, a database restart.

Each test runs the real command line — ``ketenradar user add`` and ``ketenradar serve --database`` —
against a real PostgreSQL (``tests/helpers/postgres.py``), the server in its own process group.

To kill the server *during* a submission, not before or after it, the test holds a lock that the
submission's transaction needs half-way: ``LOCK TABLE chain_sheets IN EXCLUSIVE MODE`` lets the
transaction insert the chain's row and then makes it wait at its first sheet. The test sees the
server's database session wait for that lock (``pg_stat_activity``), kills the server with SIGKILL,
and only then releases the lock: the half-written transaction can never commit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import psycopg
import pytest

from ketenradar.ingest.workbook_writer import write_chain
from ketenradar.services.synth import synthetic_chain
from tests.helpers.postgres import PostgresServer

SCRIPT = "import sys; from ketenradar.cli import main; sys.argv[0] = 'ketenradar'; main()"
KETENRADAR = (sys.executable, "-c", SCRIPT)
PASSWORD = "correct horse battery staple"
STARTUP_SECONDS = 60.0


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("KETENRADAR_")}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _add_user(url: str, name: str, org: str) -> None:
    done = subprocess.run(
        [
            *KETENRADAR,
            "user",
            "add",
            name,
            "--role",
            "company",
            "--org",
            org,
            "--password-stdin",
            "--database",
            url,
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=_environment(),
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


class Served:
    """A running ``ketenradar serve --database``: its base URL and process."""

    def __init__(self, url: str, folder: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"server-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*KETENRADAR, "serve", "--database", url, "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_environment(),
                start_new_session=True,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert self.process.poll() is None, self.log.read_text()[-4000:]
            assert time.monotonic() < deadline, "the server did not start:\n" + self.log.read_text()[-4000:]
            try:
                httpx.get(f"{self.base}/openapi.json", timeout=5, trust_env=False)
                return
            except httpx.TransportError:
                time.sleep(0.2)

    def kill(self) -> None:
        """End the server's whole process group at once (SIGKILL: nothing is cleaned up)."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """End the server politely, by force if it does not go."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            self.kill()


@contextmanager
def served(url: str, folder: Path) -> Iterator[Served]:
    server = Served(url, folder)
    try:
        yield server
    finally:
        server.stop()


def _login(base: str, name: str) -> dict[str, str]:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": name, "password": PASSWORD},
        timeout=30,
        trust_env=False,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _count(url: str, query: str, *params: object) -> int:
    with psycopg.connect(url, autocommit=True) as connection:
        row = connection.execute(query, params).fetchone()
    assert row is not None
    return int(row[0])


def _waiting_for_lock(url: str, timeout: float = 120.0) -> None:
    """Wait until another session of this database waits for a lock (the server's submission)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _count(
            url,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        ):
            return
        time.sleep(0.05)
    raise AssertionError("the server's submission never reached the locked table")


@pytest.fixture
def large_chain_file(tmp_path: Path) -> Path:
    """A synthetic chain of about 5,000 items as a .json workbook (several parts per sheet)."""
    return write_chain(synthetic_chain(5_000, seed=7), tmp_path / "large.json")


def test_a_submission_killed_half_way_leaves_nothing(
    postgres_url: str, tmp_path: Path, large_chain_file: Path
) -> None:
    _add_user(postgres_url, "ann", "acme")
    with served(postgres_url, tmp_path) as server:
        headers = _login(server.base, "ann")
        result: dict[str, object] = {}

        def upload() -> None:
            try:
                with large_chain_file.open("rb") as handle:
                    result["response"] = httpx.post(
                        f"{server.base}/api/v1/chains",
                        files={"file": ("large.json", handle, "application/json")},
                        data={"name": "big"},
                        headers=headers,
                        timeout=300,
                        trust_env=False,
                    )
            except httpx.HTTPError as error:  # the server is killed under it: expected
                result["error"] = error

        with psycopg.connect(postgres_url) as holder:
            holder.execute("LOCK TABLE chain_sheets IN EXCLUSIVE MODE")
            sender = threading.Thread(target=upload)
            sender.start()
            _waiting_for_lock(postgres_url)
            # The submission's transaction has written its chain row and waits at its first sheet.
            server.kill()
            holder.rollback()  # the lock goes; the orphaned transaction can only be rolled back
        sender.join(timeout=60)
        assert "error" in result, f"the upload finished before the kill: {result}"

    # PostgreSQL ends the dead client's session; wait until it has, then look at what is stored.
    deadline = time.monotonic() + 60
    others = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    while _count(postgres_url, others):
        assert time.monotonic() < deadline, "the killed server's session never ended"
        time.sleep(0.1)
    assert _count(postgres_url, "SELECT count(*) FROM chains WHERE name = %s", "big") == 0
    assert _count(postgres_url, "SELECT count(*) FROM chain_sheets") == 0
    assert _count(postgres_url, "SELECT count(*) FROM chain_materials") == 0
    assert (
        _count(postgres_url, "SELECT count(*) FROM audit WHERE action = 'chain.write' AND outcome = 'ok'")
        == 0
    )

    # A new server finds a consistent database: the chain is not there, and the same upload works.
    with served(postgres_url, tmp_path) as server:
        headers = _login(server.base, "ann")
        listing = httpx.get(f"{server.base}/api/v1/chains", headers=headers, timeout=30, trust_env=False)
        assert listing.status_code == 200
        assert "big" not in listing.text
        with large_chain_file.open("rb") as handle:
            again = httpx.post(
                f"{server.base}/api/v1/chains",
                files={"file": ("large.json", handle, "application/json")},
                data={"name": "big"},
                headers=headers,
                timeout=300,
                trust_env=False,
            )
        assert again.status_code == 201, again.text
        assert again.json()["version"] == 1
    assert _count(postgres_url, "SELECT count(*) FROM chains WHERE name = %s", "big") == 1


def test_the_server_recovers_from_a_database_restart_without_being_restarted(
    postgres_server: PostgresServer, postgres_url: str, tmp_path: Path, large_chain_file: Path
) -> None:
    _add_user(postgres_url, "ann", "acme")
    with served(postgres_url, tmp_path) as server:
        headers = _login(server.base, "ann")
        with large_chain_file.open("rb") as handle:
            stored = httpx.post(
                f"{server.base}/api/v1/chains",
                files={"file": ("large.json", handle, "application/json")},
                data={"name": "before"},
                headers=headers,
                timeout=300,
                trust_env=False,
            )
        assert stored.status_code == 201, stored.text
        before = httpx.get(f"{server.base}/api/v1/chains", headers=headers, timeout=30, trust_env=False)
        assert before.status_code == 200

        postgres_server.restart_postgres()  # every pooled connection of the server is now dead

        # The very first request after the restart is answered, with the session kept in the database.
        after = httpx.get(f"{server.base}/api/v1/chains", headers=headers, timeout=30, trust_env=False)
        assert after.status_code == 200, after.text
        assert after.json() == before.json()
        exposure = httpx.get(
            f"{server.base}/api/v1/chains/before/exposure", headers=headers, timeout=120, trust_env=False
        )
        assert exposure.status_code == 200, exposure.text
        assert server.process.poll() is None  # the same process all along
