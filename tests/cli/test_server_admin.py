"""`ketenradar user|audit|backup|restore` and `serve --database` (issue 13), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ketenradar.cli import cli
from ketenradar.cli import serve as serve_module
from ketenradar.cli.server_admin import MIN_PASSWORD_LENGTH, ROLE_CHOICES, parse_since, read_password
from ketenradar.server.passwords import verify_password
from ketenradar.storage.server import OBSERVATORY, ROLES, ServerStore
from tests.helpers.cli import refused

PASSWORD = "correct horse battery"


@pytest.fixture
def admin() -> Callable[..., Result]:
    """Run the CLI in-process with optional standard input; stdout and stderr apart."""
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(cli, list(args), input=stdin, env=env, catch_exceptions=False)

    return invoke


def store_at(url: str) -> ServerStore:
    store = ServerStore(url)
    store.upgrade()
    return store


def add(admin: Callable[..., Result], url: str, name: str, *options: str, password: str = PASSWORD) -> Result:
    return admin("user", "add", name, *options, "--password-stdin", "--database", url, stdin=password + "\n")


def test_f22_user_add_list_disable_on_both_databases(admin: Callable[..., Result], database_url: str) -> None:
    result = add(admin, database_url, "root", "--role", "admin")
    assert result.exit_code == 0, result.output
    assert result.stdout == "added user 'root' (admin, organisation 'observatory')\n"
    result = add(admin, database_url, "alice", "--role", "company", "--org", "acme", "--format", "json")
    assert json.loads(result.stdout)["user"] == {
        "name": "alice",
        "role": "company",
        "organisation": "acme",
        "disabled": False,
        "created_at": json.loads(result.stdout)["user"]["created_at"],
    }
    listed = json.loads(admin("user", "list", "--database", database_url, "--format", "json").stdout)
    assert [(u["name"], u["role"], u["organisation"], u["disabled"]) for u in listed["users"]] == [
        ("alice", "company", "acme", False),
        ("root", "admin", OBSERVATORY, False),
    ]
    # The same keys for every user, and never a hash.
    assert {tuple(u) for u in listed["users"]} == {("name", "role", "organisation", "disabled", "created_at")}
    assert "argon2" not in admin("user", "list", "--database", database_url, "--format", "csv").stdout
    table = admin("user", "list", "--database", database_url).stdout
    assert "Users of the observatory server" in table and "acme" in table
    # The hash is argon2id of the line read from standard input, without its line ending.
    store = store_at(database_url)
    try:
        found = store.user_with_hash("alice")
        assert found is not None and found[1].startswith("$argon2id$")
        assert verify_password(found[1], PASSWORD) and not verify_password(found[1], PASSWORD + "\n")
        user = found[0]
        store.add_token("d" * 64, user.id, datetime(2099, 1, 1))
        disabled = admin("user", "disable", "alice", "--database", database_url)
        assert disabled.exit_code == 0 and "disabled user 'alice'" in disabled.stdout
        assert store.user_for_token("d" * 64, datetime(2030, 1, 1)) is None
        audit = store.audit(action="user.add")
        assert [(r.user.startswith("cli"), r.organisation, r.target) for r in audit] == [
            (True, OBSERVATORY, "root"),
            (True, "acme", "alice"),
        ]
    finally:
        store.dispose()
    listed = json.loads(admin("user", "list", "--database", database_url, "--format", "json").stdout)
    assert [u["disabled"] for u in listed["users"]] == [True, False]


def test_f22_user_add_refusals_change_nothing(admin: Callable[..., Result], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    short = add(admin, url, "ann", "--role", "admin", password="x" * (MIN_PASSWORD_LENGTH - 1))
    assert short.exit_code == 2 and "the password has 11 characters; at least 12 are needed" in short.stderr
    empty = add(admin, url, "ann", "--role", "admin", password="")
    assert empty.exit_code == 2 and "standard input holds no password" in empty.stderr
    no_stdin_flag = admin("user", "add", "ann", "--role", "admin", "--database", url, stdin=PASSWORD)
    assert no_stdin_flag.exit_code == 2 and "--password-stdin" in no_stdin_flag.stderr
    company = add(admin, url, "bob", "--role", "company")
    assert company.exit_code == 2 and "--role company needs --org ORG" in company.stderr
    no_database = admin("user", "list", env={"KETENRADAR_DATABASE": ""})
    assert no_database.exit_code == 2 and "--database URL or $KETENRADAR_DATABASE" in no_database.stderr
    assert json.loads(admin("user", "list", "--database", url, "--format", "json").stdout)["users"] == []
    assert add(admin, url, "ann", "--role", "analyst").exit_code == 0
    again = refused(lambda *a: add(admin, url, "ann", "--role", "admin"))
    assert "a user named 'ann' already exists" in again
    assert "no user named 'nobody'" in refused(
        lambda *a: admin("user", "disable", "nobody", "--database", url)
    )
    unreachable = admin("user", "list", "--database", "postgresql://u:secret@127.0.0.1:1/none")
    assert unreachable.exit_code == 1 and "cannot be reached" in unreachable.stderr
    assert "secret" not in unreachable.stderr


def test_f22_the_database_comes_from_the_environment_too(
    admin: Callable[..., Result], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'env.sqlite'}"
    result = admin(
        "user",
        "add",
        "ann",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD,
        env={"KETENRADAR_DATABASE": url},
    )
    assert result.exit_code == 0, result.output
    listed = admin("user", "list", "--format", "json", env={"KETENRADAR_DATABASE": url})
    assert [u["name"] for u in json.loads(listed.stdout)["users"]] == ["ann"]


def test_f22_read_password_keeps_spaces_and_drops_only_the_line_end() -> None:
    import io

    assert read_password(io.StringIO("  twelve chars  \r\nsecond line\n")) == "  twelve chars  "
    assert read_password(io.StringIO("no newline at end")) == "no newline at end"


def test_f22_role_choices_are_the_stores_roles() -> None:
    assert ROLE_CHOICES == ROLES


def test_f22_parse_since_is_naive_utc() -> None:
    assert parse_since("2026-01-31") == datetime(2026, 1, 31)
    assert parse_since("2026-01-31T10:00+02:00") == datetime(2026, 1, 31, 8, 0)
    assert parse_since(None) is None


def test_f22_audit_filters(admin: Callable[..., Result], database_url: str) -> None:
    assert add(admin, database_url, "root", "--role", "admin").exit_code == 0
    store = store_at(database_url)
    try:
        acme = store.scoped("acme", user="alice")
        acme.list_chains()
        acme.list_chains()
        store.scoped("bolt", user="bob").list_chains()
    finally:
        store.dispose()

    def rows(*options: str) -> list[dict[str, Any]]:
        result = admin("audit", "--database", database_url, *options, "--format", "json")
        assert result.exit_code == 0, result.output
        document: list[dict[str, Any]] = json.loads(result.stdout)["audit"]
        return document

    everything = rows()
    assert [(r["user"], r["action"]) for r in everything][1:] == [
        ("alice", "chain.list"),
        ("alice", "chain.list"),
        ("bob", "chain.list"),
    ]
    assert set(everything[0]) == {"id", "at", "user", "organisation", "action", "target", "outcome", "detail"}
    assert [r["organisation"] for r in rows("--org", "acme")] == ["acme", "acme"]
    assert [r["user"] for r in rows("--action", "chain.list", "--user", "bob")] == ["bob"]
    assert [r["user"] for r in rows("--action", "chain.list", "--limit", "2")] == ["alice", "bob"]
    assert rows("--since", "2999-01-01") == []
    assert len(rows("--since", "2000-01-01T00:00:00+00:00")) == 4
    bad = admin("audit", "--database", database_url, "--since", "last week")
    assert bad.exit_code == 2 and "ISO 8601" in bad.stderr
    table = admin("audit", "--database", database_url, "--org", "acme").stdout
    assert "Audit log" in table and "chain.list" in table
    assert admin("audit", "--database", database_url, "--user", "nobody").stdout == "no audit rows match\n"


def test_f22_backup_and_restore_commands_from_sqlite_to_postgresql(
    admin: Callable[..., Result], tmp_path: Path, postgres_url: str
) -> None:
    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    assert add(admin, source, "root", "--role", "admin").exit_code == 0
    assert add(admin, source, "alice", "--role", "company", "--org", "acme").exit_code == 0
    file = tmp_path / "server.zip"
    written = admin("backup", str(file), "--database", source, "--format", "json")
    assert written.exit_code == 0, written.output
    document = json.loads(written.stdout)
    rows = {t["name"]: t["rows"] for t in document["tables"]}
    assert (rows["users"], rows["organisations"], rows["audit"]) == (2, 2, 2)
    assert document["schema_revision"] == "0001" and document["source_dialect"] == "sqlite"
    restored = admin("restore", str(file), "--database", postgres_url)
    assert restored.exit_code == 0, restored.output
    assert restored.stdout.startswith(f"restored the backup {file} into postgresql://")
    users = json.loads(admin("user", "list", "--database", postgres_url, "--format", "json").stdout)
    assert [u["name"] for u in users["users"]] == ["alice", "root"]
    actions = [
        r["action"]
        for r in json.loads(admin("audit", "--database", postgres_url, "--format", "json").stdout)["audit"]
    ]
    assert actions == ["user.add", "user.add", "restore"]
    # The source logged its backup after writing it; a second restore is refused.
    store = store_at(source)
    assert [r.action for r in store.audit()][-1] == "backup"
    store.dispose()
    again = refused(lambda *a: admin("restore", str(file), "--database", postgres_url))
    assert "is not empty" in again and "nothing was changed" in again
    broken = tmp_path / "broken.zip"
    broken.write_bytes(file.read_bytes()[:200])
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    message = refused(lambda *a: admin("restore", str(broken), "--database", target))
    assert str(broken) in message and "not a complete zip file" in message
    assert json.loads(admin("user", "list", "--database", target, "--format", "json").stdout)["users"] == []


# -- serve --database ------------------------------------------------------------------------------


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Record uvicorn.run's calls instead of serving."""
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    # set, then deleted: monkeypatch removes what `serve --workers` writes into os.environ again.
    monkeypatch.setenv(serve_module.SERVE_OPTIONS_VARIABLE, "")
    monkeypatch.delenv(serve_module.SERVE_OPTIONS_VARIABLE)
    return calls


def test_f22_serve_refuses_a_database_without_users(
    admin: Callable[..., Result], database_url: str, uvicorn_calls: list[tuple[Any, dict[str, Any]]]
) -> None:
    message = refused(lambda *a: admin("serve", "--database", database_url))
    assert "no user can log in" in message and "ketenradar user add NAME --role admin" in message
    assert uvicorn_calls == []


def test_f22_serve_with_a_user_serves_the_server_app(
    admin: Callable[..., Result], tmp_path: Path, uvicorn_calls: list[tuple[Any, dict[str, Any]]]
) -> None:
    from tests.api.support import TestClient

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert add(admin, url, "root", "--role", "admin").exit_code == 0
    result = admin("serve", "--database", url, "--host", "0.0.0.0", "--port", "9001")
    assert result.exit_code == 0, result.output
    assert "serving the observatory server" in result.stderr and "HTTPS reverse proxy" in result.stderr
    ((app, options),) = uvicorn_calls
    assert options == {
        "host": "0.0.0.0",
        "port": 9001,
        "log_level": "warning",
        "proxy_headers": True,
        "forwarded_allow_ips": "127.0.0.1",
    }
    with TestClient(app) as client:
        assert client.get("/api/v1/chains").status_code == 401
        login = client.post("/api/v1/auth/token", data={"username": "root", "password": PASSWORD})
        assert login.status_code == 200 and login.json()["token_type"] == "bearer"


def test_f22_serve_with_workers_passes_a_factory_and_its_options(
    admin: Callable[..., Result], tmp_path: Path, uvicorn_calls: list[tuple[Any, dict[str, Any]]]
) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    assert add(admin, url, "root", "--role", "admin").exit_code == 0
    result = admin("serve", "--database", url, "--workers", "3", "--max-upload-mb", "2")
    assert result.exit_code == 0, result.output
    ((target, options),) = uvicorn_calls
    assert target == "ketenradar.cli.serve:server_app_from_environment"
    assert (options["factory"], options["workers"]) == (True, 3)
    settings = json.loads(os.environ[serve_module.SERVE_OPTIONS_VARIABLE])
    assert (settings["database_url"], settings["max_upload_bytes"]) == (url, 2_000_000)
    from fastapi import FastAPI

    assert isinstance(serve_module.server_app_from_environment(), FastAPI)


def test_f22_serve_local_mode_keeps_its_rules(
    admin: Callable[..., Result], uvicorn_calls: list[tuple[Any, dict[str, Any]]]
) -> None:
    remote = admin("serve", "--host", "0.0.0.0", env={"KETENRADAR_DATABASE": ""})
    assert remote.exit_code == 2 and "--allow-remote" in remote.stderr
    both = admin("serve", "--database", "sqlite:///x.sqlite", "--workspace", "w.sqlite")
    assert both.exit_code == 2 and "--workspace is the local mode's file" in both.stderr
    assert uvicorn_calls == []


def test_f21_serve_local_mode_with_workers_shares_the_workspace_and_its_jobs(
    admin: Callable[..., Result], tmp_path: Path, uvicorn_calls: list[tuple[Any, dict[str, Any]]]
) -> None:
    """Several local processes: each builds its app on the one workspace, and a job started by one
    is answered by another (its state is kept in the workspace)."""
    import time

    from ketenradar.ingest.workbook import read_chain_workbook
    from ketenradar.services.materials import defence_catalogue
    from ketenradar.storage import SqliteStore
    from tests.api.support import TestClient, demo_folder

    workspace = tmp_path / "workspace.sqlite"
    SqliteStore(workspace).save_chain(
        read_chain_workbook(demo_folder(), list(defence_catalogue()), name="demo")
    )
    result = admin("serve", "--workers", "2", "--workspace", str(workspace), env={"KETENRADAR_DATABASE": ""})
    assert result.exit_code == 0, result.output
    ((target, options),) = uvicorn_calls
    assert target == "ketenradar.cli.serve:local_app_from_environment"
    assert (options["factory"], options["workers"], options["host"]) == (True, 2, "127.0.0.1")
    settings = json.loads(os.environ[serve_module.SERVE_OPTIONS_VARIABLE])
    assert settings["workspace"] == str(workspace)
    body = {"chain": "demo", "scenario": "china-gallium-germanium-2023", "draws": 20, "seed": 3}
    with (
        TestClient(serve_module.local_app_from_environment()) as first,
        TestClient(serve_module.local_app_from_environment()) as second,
    ):
        started = first.post("/api/v1/scenarios/montecarlo", json=body)
        assert started.status_code == 202, started.text
        url = started.json()["status_url"]
        deadline = time.monotonic() + 60
        while (polled := second.get(url)).json()["status"] not in ("done", "failed"):
            assert polled.status_code == 200 and time.monotonic() < deadline
            time.sleep(0.1)
        assert polled.json()["status"] == "done"
        assert polled.json()["result"] == first.get(url).json()["result"]
        assert second.get("/api/v1/jobs/not-a-job").status_code == 404


def test_f22_roles_and_organisations_fit_together(admin: Callable[..., Result], tmp_path: Path) -> None:
    """An analyst inside a company would read its raw data; a company user in the observatory its own."""
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    analyst = add(admin, url, "ana", "--role", "analyst", "--org", "acme")
    assert analyst.exit_code == 2 and "works in the observatory" in analyst.stderr
    company = add(admin, url, "bob", "--role", "company", "--org", "observatory")
    assert company.exit_code == 2 and "belongs to a company" in company.stderr
    assert json.loads(admin("user", "list", "--database", url, "--format", "json").stdout)["users"] == []
    from ketenradar.storage.server import ServerStore

    store = ServerStore(url)
    try:
        with pytest.raises(ValueError, match="belongs to"):
            store.add_user("ana", "analyst", "acme", "hash")
        with pytest.raises(ValueError, match="belongs to"):
            store.add_user("bob", "company", "observatory", "hash")
    finally:
        store.dispose()
