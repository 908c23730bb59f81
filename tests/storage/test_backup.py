"""Backup and restore of the server's database (issue 13): round trips on and across SQLite and
PostgreSQL, every row kept with its key, and damaged or wrong files refused with nothing changed."""

from __future__ import annotations

import hashlib
import json
import math
import struct
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from ketenradar.errors import InputFileError, OutputRefused
from ketenradar.model.material import Material
from ketenradar.services.synth import synthetic_survey
from ketenradar.storage import backup as backup_module
from ketenradar.storage import server_tables as tables
from ketenradar.storage.backup import (
    BACKUP_FORMAT,
    BACKUP_FORMAT_VERSION,
    MANIFEST_MEMBER,
    RestoreRefused,
    backup_database,
    read_manifest,
    restore_database,
)
from ketenradar.storage.server import OBSERVATORY, ServerStore
from tests.storage import workers
from tests.storage.samples import odd_chain

KINDS = ("sqlite", "postgresql")
EXPIRES = datetime(2031, 1, 2, 3, 4, 5, 678901)


@pytest.fixture
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], ServerStore]]:
    """Open a new, empty, upgraded database of either kind; every one is dropped after the test."""
    stores: list[ServerStore] = []
    databases: list[str] = []

    def make(kind: str) -> ServerStore:
        if kind == "sqlite":
            url = f"sqlite:///{tmp_path / f'db{len(stores)}.sqlite'}"
        else:
            server = request.getfixturevalue("postgres_server")
            name = f"kr_{uuid.uuid4().hex[:16]}"
            server.execute(f'CREATE DATABASE "{name}"')
            databases.append(name)
            url = server.url(name)
        store = ServerStore(url)
        store.upgrade()
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.dispose()
    if databases:
        server = request.getfixturevalue("postgres_server")
        for name in databases:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(store: ServerStore) -> None:
    """Write at least one row into every table, through the store as the server would."""
    root = store.add_user("root", "admin", OBSERVATORY, "$argon2id$root")
    alice = store.add_user("alice", "company", "acme", "$argon2id$alice")
    store.add_user("bob", "company", "bolt", "$argon2id$bob")
    store.add_token("a" * 64, alice.id, EXPIRES)
    store.add_token("b" * 64, root.id, EXPIRES)
    store.record_login("alice", "127.0.0.1", False, datetime(2026, 1, 2, 3, 4, 5, 6))
    store.record_login("alice", "127.0.0.1", True, datetime(2026, 1, 2, 3, 4, 6))
    store.disable_user("bob")
    acme = store.scoped("acme", user="alice")
    gallium = Material(
        id="gallium", name_en="Gallium*", name_nl="Gallium*", category="user", note="n", source="m.csv"
    )
    acme.save_chain(odd_chain(), [gallium])
    acme.save_chain(workers.chain_of("odd", 60))
    store.scoped("bolt", user="bob").save_chain(workers.chain_of("odd", 30, seed=1))
    acme.save_survey(synthetic_survey(6, seed=2))
    acme.save_snapshot(
        "jan", {"materials": pd.DataFrame({"material": ["gallium", "cobalt"], "sr": [3.8, float("nan")]})}
    )
    acme.add_key_figures(
        pd.DataFrame(
            [
                {
                    "metric": "turnover",
                    "year": 2024,
                    "value": 9.1,
                    "unit": "EUR billion",
                    "qualifier": "",
                    "source": "CBS 2025",
                    "note": 'ünïcødé — «quoted» "text"\nnext line',
                    "file": "figures.csv",
                }
            ]
        )
    )
    store.save_job("job-1", "acme", "montecarlo", {"progress": 0.5, "draws": [1, 2]})
    store.append_audit("cli:root", OBSERVATORY, "note", "x'); DROP TABLE audit; --", "ok", "日本語")
    # A float JSON cannot hold; both databases keep infinity.
    with store.engine.begin() as connection:
        connection.execute(
            insert(tables.key_figures).values(
                organisation_id=select(tables.organisations.c.id)
                .where(tables.organisations.c.name == "bolt")
                .scalar_subquery(),
                metric="ceiling",
                year=2025,
                value=math.inf,
                unit="",
                qualifier="",
                source="test",
                note="",
                file="",
                added_at="2026-01-01T00:00:00+00:00",
            )
        )


def _value(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def rows_of(store: ServerStore) -> dict[str, list[tuple[Any, ...]]]:
    """Return every table's rows by primary key, as Python values."""
    with store.engine.connect() as connection:
        return {
            table.name: [
                tuple(_value(v) for v in row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in tables.metadata.sorted_tables
        }


def assert_restored(source: dict[str, list[tuple[Any, ...]]], target: ServerStore, file: Path) -> None:
    """Assert the target holds the source's rows exactly, then one audit row of the restore."""
    restored = rows_of(target)
    *audit, last = restored.pop("audit")
    source = dict(source)
    assert audit == source.pop("audit")
    assert restored == source
    assert last[0] == max((row[0] for row in audit), default=0) + 1
    assert last[2:7] == ("cli:test", OBSERVATORY, "restore", file.name, "ok")


def counts(store: ServerStore) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            t.name: int(connection.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables.metadata.sorted_tables
        }


@pytest.mark.parametrize(("source_kind", "target_kind"), [(s, t) for s in KINDS for t in KINDS])
def test_f22_backup_restores_every_row_on_and_across_both_databases(
    open_store: Callable[[str], ServerStore], tmp_path: Path, source_kind: str, target_kind: str
) -> None:
    source = open_store(source_kind)
    fill(source)
    expected = rows_of(source)
    assert all(expected[t.name] for t in tables.metadata.sorted_tables), "fill() leaves a table empty"
    file = tmp_path / "server.zip"
    written = backup_database(source, file, ketenradar_version="9.9.9")
    assert {t.name: t.rows for t in written.manifest.tables} == {k: len(v) for k, v in expected.items()}
    target = open_store(target_kind)
    result = restore_database(target, file, actor="cli:test")
    assert result.to_json()["tables"] == written.to_json()["tables"]
    assert_restored(expected, target, file)
    # Keys kept and sequences moved past them: new rows get new keys, old ones still resolve.
    newest = target.add_user("carol", "company", "acme", "$argon2id$carol")
    assert newest.id == max(row[0] for row in expected["users"]) + 1
    saved = target.scoped("acme", user="carol").save_chain(workers.chain_of("odd", 20, seed=4))
    assert saved.version == 3
    assert len(target.scoped("acme").load_chain("odd", 1).items) == 10
    assert target.user_for_token("a" * 64, datetime(2030, 1, 1)) is not None
    assert [u.name for u in target.list_users() if u.disabled] == ["bob"]


def test_f22_backup_sqlite_to_postgresql_and_back_keeps_every_row(
    open_store: Callable[[str], ServerStore], tmp_path: Path
) -> None:
    first = open_store("sqlite")
    fill(first)
    expected = rows_of(first)
    backup_database(first, tmp_path / "one.zip", ketenradar_version="1")
    middle = open_store("postgresql")
    restore_database(middle, tmp_path / "one.zip", actor="cli:test")
    backup_database(middle, tmp_path / "two.zip", ketenradar_version="1")
    last = open_store("sqlite")
    restore_database(last, tmp_path / "two.zip", actor="cli:test")
    back = rows_of(last)
    *audit, second_restore = back.pop("audit")
    assert audit[:-1] == expected.pop("audit") and back == expected
    assert (audit[-1][4], second_restore[4]) == ("restore", "restore")
    assert read_manifest(tmp_path / "two.zip").source_dialect == "postgresql"


def test_f22_the_manifest_names_versions_counts_and_checksums(
    open_store: Callable[[str], ServerStore], tmp_path: Path
) -> None:
    store = open_store("sqlite")
    fill(store)
    file = tmp_path / "b.zip"
    backup_database(store, file, ketenradar_version="1.2.3")
    with zipfile.ZipFile(file) as archive:
        document = json.loads(archive.read(MANIFEST_MEMBER))
        members = {name: archive.read(name) for name in archive.namelist()}
    assert file.stat().st_mode & 0o077 == 0  # the owner's only
    assert document["format"] == BACKUP_FORMAT and document["format_version"] == BACKUP_FORMAT_VERSION
    assert (document["ketenradar_version"], document["schema_revision"]) == ("1.2.3", "0001")
    names = [entry["name"] for entry in document["tables"]]
    # Parents first: a restore inserts in this order.
    assert names.index("organisations") < names.index("users") < names.index("tokens")
    assert names.index("chains") < names.index("chain_sheets")
    assert set(members) == {MANIFEST_MEMBER, *(entry["member"] for entry in document["tables"])}
    database = counts(store)
    for entry in document["tables"]:
        data = members[entry["member"]]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data.splitlines()) == entry["rows"] == database[entry["name"]]
    # Binary columns travel as base64, infinity as text.
    sheet = json.loads(members["tables/chain_sheets.jsonl"].splitlines()[0])
    assert isinstance(sheet["data"], str) and sheet["data"].isascii()
    figures = [json.loads(line) for line in members["tables/key_figures.jsonl"].splitlines()]
    assert [f["value"] for f in figures] == [9.1, "Infinity"]


def test_f22_a_non_empty_database_is_refused_and_left_alone(
    open_store: Callable[[str], ServerStore], tmp_path: Path, database_url: str
) -> None:
    source = open_store("sqlite")
    fill(source)
    backup_database(source, tmp_path / "b.zip", ketenradar_version="1")
    target = ServerStore(database_url)
    target.upgrade()
    try:
        target.add_organisation("already-here")
        before = rows_of(target)
        with pytest.raises(RestoreRefused, match="is not empty") as refused:
            restore_database(target, tmp_path / "b.zip", actor="cli:test")
        assert refused.value.rows == {"organisations": 1}
        assert target.url_for_display in str(refused.value)
        assert rows_of(target) == before
    finally:
        target.dispose()


def test_f22_a_restore_that_fails_midway_changes_nothing(
    open_store: Callable[[str], ServerStore], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = open_store("sqlite")
    fill(source)
    backup_database(source, tmp_path / "b.zip", ketenradar_version="1")
    target = open_store("postgresql")

    def broken(*_args: object) -> str:
        raise RuntimeError("disk full")

    # Fails after every row was inserted, before the audit row: the one transaction rolls back.
    monkeypatch.setattr(backup_module, "_restore_detail", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        restore_database(target, tmp_path / "b.zip", actor="cli:test")
    assert set(counts(target).values()) == {0}


# -- damaged, changed and wrong files ------------------------------------------------------------


@pytest.fixture
def good_backup(open_store: Callable[[str], ServerStore], tmp_path: Path) -> Path:
    store = open_store("sqlite")
    fill(store)
    file = tmp_path / "good.zip"
    backup_database(store, file, ketenradar_version="1")
    return file


def rewrite(
    source: Path,
    target: Path,
    *,
    members: dict[str, bytes | None] | None = None,
    manifest: Callable[[dict[str, Any]], None] | None = None,
    rehash: bool = False,
) -> Path:
    """Copy a backup with members replaced (None: left out), the manifest edited, checksums redone."""
    members = members or {}
    with zipfile.ZipFile(source) as archive:
        contents = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(contents.pop(MANIFEST_MEMBER))
    for name, data in members.items():
        if data is None:
            contents.pop(name)
        else:
            contents[name] = data
    if rehash:
        for entry in document["tables"]:
            data = contents[entry["member"]]
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["rows"] = len(data.splitlines())
    if manifest is not None:
        manifest(document)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
        archive.writestr(MANIFEST_MEMBER, json.dumps(document))
    return target


def refused_restore(store: ServerStore, file: Path) -> str:
    """Restore a bad file: InputFileError naming the file, and the database still empty."""
    with pytest.raises(InputFileError) as error:
        restore_database(store, file, actor="cli:test")
    message = str(error.value)
    assert str(file) in message and "nothing was changed" in message
    assert set(counts(store).values()) == {0}
    return message


def test_f22_truncated_and_damaged_backups_are_refused(
    open_store: Callable[[str], ServerStore], good_backup: Path, tmp_path: Path
) -> None:
    target = open_store("sqlite")
    data = good_backup.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) * 2 // 3])
    assert "not a complete zip file" in refused_restore(target, cut)
    # One byte of a member's compressed data flipped: the zip's CRC no longer matches.
    with zipfile.ZipFile(good_backup) as archive:
        info = archive.getinfo("tables/chain_sheets.jsonl")
    name_length, extra_length = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    flipped = bytearray(data)
    flipped[info.header_offset + 30 + name_length + extra_length + 10] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(flipped))
    assert "tables/chain_sheets.jsonl is damaged" in refused_restore(target, damaged)


def test_f22_a_changed_member_or_a_missing_one_is_refused(
    open_store: Callable[[str], ServerStore], good_backup: Path, tmp_path: Path
) -> None:
    target = open_store("sqlite")
    with zipfile.ZipFile(good_backup) as archive:
        users = archive.read("tables/users.jsonl")
    edited = rewrite(
        good_backup,
        tmp_path / "edited.zip",
        members={"tables/users.jsonl": users.replace(b"company", b"admin")},
    )
    assert "tables/users.jsonl does not match its SHA-256" in refused_restore(target, edited)
    missing = rewrite(good_backup, tmp_path / "missing.zip", members={"tables/tokens.jsonl": None})
    assert "the member tables/tokens.jsonl named in the manifest is missing" in refused_restore(
        target, missing
    )
    fewer = rewrite(good_backup, tmp_path / "fewer.zip", manifest=lambda d: d["tables"][0].update(rows=99))
    assert "the manifest says 99" in refused_restore(target, fewer)


def test_f22_values_that_do_not_fit_are_listed_with_member_row_and_column(
    open_store: Callable[[str], ServerStore], good_backup: Path, tmp_path: Path
) -> None:
    target = open_store("sqlite")
    with zipfile.ZipFile(good_backup) as archive:
        users = archive.read("tables/users.jsonl").splitlines()
        sheets = archive.read("tables/chain_sheets.jsonl").splitlines()
    first, second, third = (json.loads(line) for line in users)
    first["disabled"] = "yes"
    second["created_at"] = "yesterday"
    third["name"] = 5
    sheet = json.loads(sheets[0])
    sheet["data"] = "not base64!"
    changed = rewrite(
        good_backup,
        tmp_path / "values.zip",
        members={
            "tables/users.jsonl": b"\n".join(json.dumps(row).encode() for row in (first, second, third))
            + b"\n",
            "tables/chain_sheets.jsonl": b"\n".join([json.dumps(sheet).encode(), b"[1, 2]", *sheets[2:]])
            + b"\n",
        },
        rehash=True,
    )
    message = refused_restore(target, changed)
    assert "5 problem(s)" in message
    assert (
        "sheet 'tables/users.jsonl', row 1, column 'disabled'" in message
        and "expected true or false" in message
    )
    assert "row 2, column 'created_at'" in message and "an ISO 8601 date and time" in message
    assert "row 3, column 'name'" in message and "(found '5'); expected text" in message
    assert "sheet 'tables/chain_sheets.jsonl', row 1, column 'data'" in message and "base64" in message
    assert "sheet 'tables/chain_sheets.jsonl', row 2: not a JSON object" in message


def test_f22_wrong_files_are_refused_naming_the_file(
    open_store: Callable[[str], ServerStore], good_backup: Path, tmp_path: Path
) -> None:
    target = open_store("sqlite")
    text = tmp_path / "notes.zip"
    text.write_text("not a zip at all", encoding="utf-8")
    assert "not a ketenradar backup" in refused_restore(target, text)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("report.html", "<html></html>")
    assert "it has no manifest.json" in refused_restore(target, other)
    stranger = rewrite(
        good_backup, tmp_path / "stranger.zip", manifest=lambda d: d.update(format="other-tool")
    )
    assert "does not name the format 'ketenradar-server-backup'" in refused_restore(target, stranger)
    newer = rewrite(good_backup, tmp_path / "newer.zip", manifest=lambda d: d.update(format_version=99))
    assert "format version" in refused_restore(target, newer)
    revision = rewrite(good_backup, tmp_path / "rev.zip", manifest=lambda d: d.update(schema_revision="0042"))
    assert "schema '0042'" in refused_restore(target, revision)
    absent = tmp_path / "absent.zip"
    assert "does not exist" in refused_restore(target, absent)


def test_f22_backup_replaces_only_an_earlier_backup(
    open_store: Callable[[str], ServerStore], good_backup: Path, tmp_path: Path
) -> None:
    store = open_store("sqlite")
    store.add_organisation("only-one")
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputRefused, match="is not a ketenradar backup"):
        backup_database(store, precious, ketenradar_version="1")
    assert precious.read_text(encoding="utf-8") == "keep me"
    with pytest.raises(OutputRefused, match="is a folder"):
        backup_database(store, tmp_path, ketenradar_version="1")
    result = backup_database(store, good_backup, ketenradar_version="2")
    assert read_manifest(good_backup).ketenradar_version == "2"
    assert {t.name: t.rows for t in result.manifest.tables}["organisations"] == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_f22_audit_times_keep_their_microseconds(
    open_store: Callable[[str], ServerStore], tmp_path: Path
) -> None:
    source = open_store("postgresql")
    source.record_login("x", "c", False, datetime(2026, 5, 6, 7, 8, 9, 123456) + timedelta(0))
    backup_database(source, tmp_path / "t.zip", ketenradar_version="1")
    target = open_store("sqlite")
    restore_database(target, tmp_path / "t.zip", actor="cli:test")
    assert rows_of(target)["login_attempts"][0][4] == datetime(2026, 5, 6, 7, 8, 9, 123456)
