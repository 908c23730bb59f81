"""A real PostgreSQL for the tests: one throw-away cluster per test session (per xdist worker).

``postgres_server`` runs Debian's (or any) ``initdb``/``pg_ctl`` in a temporary folder, on
127.0.0.1 at a free port with its socket in that folder; as root the server runs as ``nobody``
(PostgreSQL refuses to run as root). ``postgres_url`` gives each test a new empty database,
``database_url`` runs a test on SQLite and on PostgreSQL, and ``server_store`` is an upgraded
:class:`~ketenradar.storage.server.ServerStore` on it. Without PostgreSQL the fixtures fail
(never skip): ``bash scripts/test`` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketenradar.storage.server import ServerStore

__all__ = ["PostgresServer", "database_url", "postgres_server", "postgres_url", "server_store"]

MISSING = (
    "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin); "
    "`bash scripts/test` installs it from Debian's packages (apt-get install postgresql)"
)
# The database superuser the cluster is made with (trust authentication, loopback only).
SUPERUSER = "postgres"


def find_postgres_bin() -> Path | None:
    """Return the folder of initdb and pg_ctl: on PATH, else Debian's newest, else None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: [int(x) for x in p.parent.parent.name.split(".") if x.isdigit()],
    )
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on at this moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """A running PostgreSQL cluster in a temporary folder; stop it with :meth:`stop`."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.base = Path(tempfile.mkdtemp(prefix="ketenradar-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.port = _free_port()
        # PostgreSQL will not run as root: run it as nobody, in a folder nobody owns.
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            import pwd

            nobody = pwd.getpwnam("nobody")
            os.chown(self.base, nobody.pw_uid, nobody.pw_gid)
            self.prefix = (
                ["runuser", "-u", "nobody", "--"]
                if shutil.which("runuser")
                else ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
            )
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale"
        )

    def _run(self, program: str, *args: str) -> None:
        """Run one of PostgreSQL's programs (as nobody when root); fail the test with its output."""
        command = [*self.prefix, str(self.bin_dir / program), *args]
        # The server writes to its log file (-l), never to these pipes: they close when pg_ctl ends.
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False, timeout=120
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
            pytest.fail(
                f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}"
            )

    @property
    def options(self) -> str:
        """Return the server options: loopback only, this port, the socket here, no fsync (tests)."""
        return (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.base} "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._run(
            "pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", self.options
        )

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its folder."""
        try:
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", "60")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def restart_postgres(self) -> None:
        """Restart the server (fast: open connections are cut), as a database restart in production."""
        self._run(
            "pg_ctl", "restart", "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w", "-t", "60",
            "-o", self.options,
        )  # fmt: skip

    def url(self, database: str = "postgres", *, password: str | None = None) -> str:
        """Return the ``postgresql://`` URL of a database of this server (any password is accepted)."""
        user = SUPERUSER if password is None else f"{SUPERUSER}:{password}"
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: str) -> None:
        """Run one statement outside a transaction on the ``postgres`` database (CREATE DATABASE ...)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(statement)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Start a PostgreSQL cluster for this session (this xdist worker); stop it at the end."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.fail(MISSING, pytrace=False)
    server = PostgresServer(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """Return the URL of a new empty database, dropped after the test."""
    name = f"kr_{uuid.uuid4().hex[:16]}"
    postgres_server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_server.url(name)
    finally:
        # FORCE: a store the test left open must not keep the database alive.
        postgres_server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return an empty database: a SQLite file, or a PostgreSQL database (the test runs on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def server_store(database_url: str) -> Iterator[ServerStore]:
    """Return a ServerStore on ``database_url`` with its tables made (``upgrade``)."""
    store = ServerStore(database_url)
    store.upgrade()
    try:
        yield store
    finally:
        store.dispose()
