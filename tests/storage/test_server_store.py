"""F22: the server store on SQLite and PostgreSQL: the Store protocol per organisation, audited.

Each test that takes ``server_store`` or ``database_url`` runs on both databases.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from ketenradar.errors import (
    ChainNotFound,
    DatabaseUnavailable,
    KetenradarError,
    SnapshotExists,
    SnapshotNotFound,
    SurveyNotFound,
)
from ketenradar.model.chain import CHAIN_COLUMNS
from ketenradar.model.material import Material
from ketenradar.services.synth import synthetic_survey
from ketenradar.storage import SqliteStore, chain_columns
from ketenradar.storage import server as server_module
from ketenradar.storage import server_tables as tables
from ketenradar.storage.base import Store
from ketenradar.storage.server import ServerStore
from tests.helpers.postgres import PostgresServer
from tests.storage import workers
from tests.storage.samples import assert_same_chain, odd_chain


def _count(store: ServerStore, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _outcomes(store: ServerStore, action: str) -> list[tuple[str, str, str, str]]:
    return [(r.user, r.organisation, r.target, r.outcome) for r in store.audit(action=action)]


def _figures(**changes: object) -> pd.DataFrame:
    row = {
        "metric": "defence_security_turnover",
        "year": 2024,
        "value": 9.1,
        "unit": "EUR billion",
        "qualifier": "",
        "source": "CBS 2025",
        "note": "",
        "file": "figures.csv",
        **changes,
    }
    return pd.DataFrame([row])


def _frames() -> dict[str, pd.DataFrame]:
    return {
        "materials": pd.DataFrame(
            {
                "material": ["gallium", "cobalt"],
                "sr_computed": [3.8, np.nan],
                "crma_exceeds_limit": pd.Series([True, None], dtype=object),
            }
        ),
        "restrictions": pd.DataFrame({"country": pd.Series([], dtype=str)}),
    }


# -- the Store protocol -------------------------------------------------------------------------


def test_f22_an_organisation_store_is_a_store(server_store: ServerStore) -> None:
    store: Store = server_store.scoped("acme", user="ann")
    assert store.list_chains() == []
    assert server_store.scoped("acme").cache_key == f"{server_store.url_for_display}#org=acme"


def test_f22_chain_round_trip_keeps_every_value_materials_and_versions(server_store: ServerStore) -> None:
    store = server_store.scoped("acme", user="ann")
    chain = odd_chain()
    extra = [
        Material(
            id="gallium", name_en="Gallium*", name_nl="Gallium*", category="user", note="n", source="m.csv"
        ),
        Material(
            id="unused", name_en="Unused", name_nl="Ongebruikt", category="user", note="", source="m.csv"
        ),
    ]
    saved = store.save_chain(chain, extra)
    assert (saved.name, saved.version, saved.source) == ("odd", 1, chain.source)
    assert (saved.n_items, saved.n_bom, saved.n_sourcing) == (10, 10, 7)
    loaded = store.load_chain("odd")
    assert_same_chain(loaded, chain)
    assert (loaded.source, loaded.version) == (chain.source, 1)
    # Only the materials the chain uses are kept, with the version they came with.
    assert store.chain_materials("odd") == (extra[0],)
    second = store.save_chain(workers.chain_of("odd", 60))
    assert second.version == 2
    assert store.chain_materials("odd") == ()
    assert store.chain_materials("odd", 1) == (extra[0],)
    assert_same_chain(store.load_chain("odd", 1), chain)
    assert store.load_chain("odd").version == 2 and len(store.load_chain("odd").items) == 60
    assert [(v.version, v.n_items) for v in store.versions("odd")] == [(1, 10), (2, 60)]
    assert store.versions("odd")[0] == saved
    assert [(v.name, v.version) for v in store.list_chains()] == [("odd", 2)]
    with pytest.raises(ChainNotFound, match="no stored chain 'odd' version 3"):
        store.load_chain("odd", 3)


def test_f22_a_chain_of_several_parts_loads_whole(
    server_store: ServerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chain_columns, "PART_ROWS", 7)
    chain = workers.chain_of("c", 200)
    store = server_store.scoped("acme")
    store.save_chain(chain)
    # Every sheet in parts of at most 7 rows, each one row of chain_sheets.
    assert _count(server_store, tables.chain_sheets) == sum(
        -(-len(getattr(chain, s)) // 7) for s in CHAIN_COLUMNS
    )
    monkeypatch.undo()
    assert_same_chain(store.load_chain("c"), chain)


def test_f22_surveys_are_versioned_and_stored_as_the_workspace_stores_them(
    server_store: ServerStore, tmp_path: Path
) -> None:
    store = server_store.scoped("acme", user="ann")
    survey = synthetic_survey(12, seed=3)
    assert store.survey_versions(survey.name) == []
    assert store.save_survey(survey) == 1
    assert store.save_survey(replace(survey, source="second.xlsx", synthetic=False)) == 2
    assert store.survey_versions(survey.name) == [1, 2]
    workspace = SqliteStore(tmp_path / "w.sqlite")
    workspace.save_survey(survey)
    expected = workspace.load_survey(survey.name)
    first = store.load_survey(survey.name, 1)
    assert (first.name, first.source, first.synthetic) == (survey.name, survey.source, True)
    for sheet in ("companies", "materials", "areas", "measures"):
        pd.testing.assert_frame_equal(getattr(first, sheet), getattr(expected, sheet), obj=sheet)
    assert len(first.companies) == 12
    latest = store.load_survey(survey.name)
    assert (latest.source, latest.synthetic) == ("second.xlsx", False)
    with pytest.raises(SurveyNotFound, match="nope"):
        store.load_survey("nope")


def test_f22_snapshots_round_trip_with_unique_names(server_store: ServerStore) -> None:
    store = server_store.scoped("acme")
    info = store.save_snapshot("jan", _frames())
    loaded_info, frames = store.load_snapshot("jan")
    assert loaded_info == info
    assert frames["materials"]["material"].tolist() == ["gallium", "cobalt"]
    assert frames["materials"]["sr_computed"].iloc[0] == pytest.approx(3.8)
    assert np.isnan(frames["materials"]["sr_computed"].iloc[1])
    assert frames["materials"]["crma_exceeds_limit"].tolist() == [True, None]
    assert frames["restrictions"].empty and list(frames["restrictions"].columns) == ["country"]
    with pytest.raises(SnapshotExists, match="jan"):
        store.save_snapshot("jan", _frames())
    store.save_snapshot("snapshot-3", _frames())
    # Unnamed: numbered by the organisation's snapshots (3rd → snapshot-3, taken → snapshot-4).
    assert store.save_snapshot(None, {}).name == "snapshot-4"
    assert store.save_snapshot(None, _frames()).name == "snapshot-5"
    listed = store.list_snapshots()
    assert [s.name for s in listed] == ["jan", "snapshot-3", "snapshot-4", "snapshot-5"]
    assert listed[0].parts == ("materials", "restrictions") and listed[2].parts == ()
    with pytest.raises(SnapshotNotFound, match="nope"):
        store.load_snapshot("nope")


def test_f22_key_figures_in_order_and_a_duplicate_adds_nothing(server_store: ServerStore) -> None:
    store = server_store.scoped("acme")
    empty = store.key_figures()
    assert empty.empty and list(empty.columns) == [*tables.key_figures.c.keys()][2:]
    assert store.add_key_figures(_figures()) == 1
    assert store.add_key_figures(_figures(year=2025, value=10.5, note="prelim")) == 1
    both = pd.concat([_figures(year=2026, value=11.0), _figures()], ignore_index=True)
    with pytest.raises(IntegrityError):  # the second row repeats metric, year and source
        store.add_key_figures(both)
    stored = store.key_figures()
    assert stored[["year", "value", "note"]].to_numpy().tolist() == [[2024, 9.1, ""], [2025, 10.5, "prelim"]]
    assert str(stored["year"].dtype) == "Int64" and stored["value"].dtype == np.float64


# -- isolation ----------------------------------------------------------------------------------


def test_f22_organisations_see_only_their_own_data(server_store: ServerStore) -> None:
    a = server_store.scoped("company-a", user="ann")
    b = server_store.scoped("company-b", user="bob")
    assert a.save_chain(odd_chain()).version == 1
    assert a.save_chain(odd_chain()).version == 2
    assert a.save_chain(workers.chain_of("only-a", 30)).version == 1
    # B's first "odd" is version 1: A's versions neither show nor count.
    b_chain = workers.chain_of("odd", 40)
    assert b.save_chain(b_chain).version == 1
    assert [(v.name, v.version) for v in a.list_chains()] == [("odd", 2), ("only-a", 1)]
    assert [(v.name, v.version) for v in b.list_chains()] == [("odd", 1)]
    assert_same_chain(b.load_chain("odd"), b_chain)
    assert_same_chain(a.load_chain("odd"), odd_chain())
    assert [v.version for v in b.versions("odd")] == [1]
    # Another's name is not found exactly as a name nobody has: same error, same message.
    for call in (b.load_chain, b.versions, b.chain_materials):
        with pytest.raises(ChainNotFound) as other:
            call("only-a")
        with pytest.raises(ChainNotFound) as missing:
            call("nobody-has-this")
        assert type(other.value) is type(missing.value)
        assert str(other.value) == str(missing.value).replace("nobody-has-this", "only-a")
    with pytest.raises(ChainNotFound, match="version 2"):
        b.load_chain("odd", 2)  # A has version 2 of "odd"; B has not
    # An organisation that has stored nothing sees nothing.
    c = server_store.scoped("company-c")
    assert c.list_chains() == [] and c.list_snapshots() == [] and c.key_figures().empty
    with pytest.raises(ChainNotFound):
        c.load_chain("odd")


def test_f22_surveys_snapshots_and_figures_are_per_organisation(server_store: ServerStore) -> None:
    a, b = server_store.scoped("a"), server_store.scoped("b")
    survey = synthetic_survey(5, seed=1)
    assert a.save_survey(survey) == 1 and a.save_survey(survey) == 2
    assert b.survey_versions(survey.name) == []
    with pytest.raises(SurveyNotFound):
        b.load_survey(survey.name)
    assert b.save_survey(replace(survey, source="b.xlsx")) == 1
    assert a.load_survey(survey.name).source == survey.source
    a.save_snapshot("jan", _frames())
    a.save_snapshot(None, _frames())
    assert b.list_snapshots() == []
    with pytest.raises(SnapshotNotFound):
        b.load_snapshot("jan")
    assert b.save_snapshot("jan", {}).name == "jan"  # the same name in another organisation
    assert b.save_snapshot(None, {}).name == "snapshot-2"  # numbered by B's own snapshots
    a.add_key_figures(_figures())
    assert b.key_figures().empty
    assert b.add_key_figures(_figures()) == 1  # the same metric, year and source: no clash
    assert len(a.key_figures()) == 1


# -- audit and failed writes --------------------------------------------------------------------


def test_f22_every_call_is_audited_with_its_outcome(server_store: ServerStore) -> None:
    a = server_store.scoped("acme", user="ann")
    a.save_chain(odd_chain())
    a.load_chain("odd")
    a.list_chains()
    with pytest.raises(ChainNotFound):
        a.load_chain("ghost", 4)
    a.save_survey(synthetic_survey(3))
    with pytest.raises(SnapshotExists):
        a.save_snapshot("x", {})
        a.save_snapshot("x", {})
    assert _outcomes(server_store, "chain.write") == [("ann", "acme", "odd@1", "ok")]
    assert _outcomes(server_store, "chain.read") == [
        ("ann", "acme", "odd@1", "ok"),
        ("ann", "acme", "ghost@4", "not_found"),
    ]
    assert _outcomes(server_store, "chain.list") == [("ann", "acme", "", "ok")]
    assert _outcomes(server_store, "survey.write") == [("ann", "acme", "synthetic-survey-seed0@1", "ok")]
    assert _outcomes(server_store, "snapshot.write") == [
        ("ann", "acme", "x", "ok"),
        ("ann", "acme", "x", "error"),
    ]
    (refused,) = server_store.audit(action="snapshot.write", limit=1)
    assert refused.detail == "SnapshotExists"


def test_f22_the_audit_table_refuses_update_and_delete(server_store: ServerStore) -> None:
    server_store.append_audit("ann", "acme", "chain.read", "odd@1", "ok", "first")
    before = server_store.audit()
    for statement in (
        "UPDATE audit SET outcome = 'changed'",
        "DELETE FROM audit",
        "UPDATE audit SET detail = '' WHERE id = 1",
    ):
        with pytest.raises(DBAPIError, match="append-only"), server_store.engine.begin() as connection:
            connection.execute(text(statement))
    if server_store.kind == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), server_store.engine.begin() as connection:
            connection.execute(text("TRUNCATE audit"))
    assert server_store.audit() == before
    assert [(r.user, r.action, r.detail) for r in before] == [("ann", "chain.read", "first")]


def test_f22_a_write_that_fails_halfway_leaves_nothing(
    server_store: ServerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = server_store.scoped("acme", user="ann")

    def broken(*_args: object) -> None:
        raise RuntimeError("disk on fire")

    # The chain row and its sheets are written; then the materials fail: all is rolled back.
    monkeypatch.setattr(server_module, "_insert_materials", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.save_chain(odd_chain())
    monkeypatch.undo()
    assert _count(server_store, tables.chains) == 0
    assert _count(server_store, tables.chain_sheets) == 0
    assert _outcomes(server_store, "chain.write") == [("ann", "acme", "odd", "error")]
    assert store.list_chains() == []
    # The version number was not used up either.
    assert store.save_chain(odd_chain()).version == 1
    assert _count(server_store, tables.chains) == 1


def test_f22_concurrent_saves_under_one_name_get_consecutive_versions(server_store: ServerStore) -> None:
    store = server_store.scoped("acme", user="ann")
    threads, per_thread = 4, 3
    start = threading.Barrier(threads)
    chain = workers.chain_of("shared", 80)

    def save() -> list[int]:
        start.wait(timeout=60)
        return [store.save_chain(chain).version for _ in range(per_thread)]

    with ThreadPoolExecutor(threads) as pool:
        got = [
            v for future in [pool.submit(save) for _ in range(threads)] for v in future.result(timeout=120)
        ]
    total = threads * per_thread
    assert sorted(got) == list(range(1, total + 1))  # each once: none lost, none doubled
    assert [v.version for v in store.versions("shared")] == list(range(1, total + 1))
    assert_same_chain(store.load_chain("shared", total // 2), chain)


# -- schema, restarts and unreachable databases -------------------------------------------------


# Run by two processes at once: each waits for the same moment, then migrates.
UPGRADE_AT = """
import sys, time
from ketenradar.storage.server import ServerStore
store = ServerStore(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
store.upgrade()
"""


def test_f22_upgrade_twice_or_at_once_changes_nothing(database_url: str) -> None:
    at = time.time() + 6.0  # both processes have imported ketenradar by then
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", UPGRADE_AT, database_url, repr(at)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for process in processes:
        _out, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
    store = ServerStore(database_url)
    try:
        store.scoped("acme").save_chain(odd_chain())
        store.upgrade()
        store.upgrade()
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
                "0001"
            ]
        assert [v.version for v in store.scoped("acme").versions("odd")] == [1]
        assert store.audit(action="chain.write")[0].outcome == "ok"
    finally:
        store.dispose()


def test_f22_the_store_recovers_after_a_database_restart(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    store = ServerStore(postgres_url)
    try:
        store.upgrade()
        acme = store.scoped("acme", user="ann")
        acme.save_chain(odd_chain())
        assert [v.version for v in acme.list_chains()] == [1]  # the pool now holds a connection
        postgres_server.restart_postgres()
        # The same store, no reconnect by hand: the stale pooled connection is replaced.
        assert [v.version for v in acme.list_chains()] == [1]
        assert acme.save_chain(odd_chain()).version == 2
        assert_same_chain(acme.load_chain("odd", 1), odd_chain())
    finally:
        store.dispose()


def test_f22_an_unreachable_database_is_a_clear_error_naming_the_masked_url(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://kr:s3cret@127.0.0.1:{port}/observatory"
    store = ServerStore(url)
    assert store.url_for_display == f"postgresql://kr:***@127.0.0.1:{port}/observatory"
    for call in (store.upgrade, store.organisations, lambda: store.scoped("a").list_chains()):
        with pytest.raises(DatabaseUnavailable) as caught:
            call()
        message = str(caught.value)
        assert f"postgresql://kr:***@127.0.0.1:{port}/observatory" in message
        assert "s3cret" not in message and "cannot be reached" in message
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.sqlite'}"
    with pytest.raises(DatabaseUnavailable, match=r"folder\.sqlite"):
        ServerStore(missing).upgrade()
    with pytest.raises(DatabaseUnavailable, match=r"mysql://kr:\*\*\*@db/x"):
        ServerStore("mysql://kr:pw@db/x")


def test_f22_a_database_without_the_tables_is_a_clear_error(database_url: str) -> None:
    store = ServerStore(database_url)
    try:
        with pytest.raises(DatabaseUnavailable, match="no ketenradar tables"):
            store.scoped("acme").list_chains()
        with pytest.raises(DatabaseUnavailable, match="no ketenradar tables"):
            store.add_user("ann", "company", "acme", "h")
    finally:
        store.dispose()


def test_f22_a_database_of_a_newer_ketenradar_is_refused_and_left_alone(server_store: ServerStore) -> None:
    with server_store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(KetenradarError, match="newer version of ketenradar"):
        server_store.upgrade()
    with server_store.engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["9999"]


def test_the_head_revision_constant_is_alembics_head() -> None:
    """upgrade() skips Alembic when the database is at HEAD_REVISION: it must be the newest migration."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ketenradar.storage.server import HEAD_REVISION, MIGRATIONS

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD_REVISION]
