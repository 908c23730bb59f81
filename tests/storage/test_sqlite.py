"""F4: the SQLite workspace: several processes at once, nothing lost, foreign files refused."""

from __future__ import annotations

import multiprocessing
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from ketenradar.errors import InputFileError, KetenradarError
from ketenradar.model.material import Material
from ketenradar.storage import SqliteStore
from ketenradar.storage.sqlite import APPLICATION_ID
from tests.storage import workers

SAME_NAME_PROCESSES = 3
IMPORTS_PER_PROCESS = 5
OTHER_NAMES = ("alpha", "beta")
READERS = 1


def test_f04_concurrent_imports_and_listings_lose_nothing(tmp_path: Path) -> None:
    workspace = str(tmp_path / "w.sqlite")
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    processes = SAME_NAME_PROCESSES + len(OTHER_NAMES) + READERS
    start, stop = manager.Barrier(processes), manager.Event()
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        readers = [pool.submit(workers.list_chains, workspace, start, stop) for _ in range(READERS)]
        same = [
            pool.submit(workers.import_chains, workspace, "shared", IMPORTS_PER_PROCESS, 1, start)
            for _ in range(SAME_NAME_PROCESSES)
        ]
        others = [
            pool.submit(workers.import_chains, workspace, name, IMPORTS_PER_PROCESS, 2, start)
            for name in OTHER_NAMES
        ]
        imported = [f.result(timeout=300) for f in same + others]
        stop.set()
        listed = [f.result(timeout=300) for f in readers]
    manager.shutdown()
    for outcome in imported + listed:
        assert "error" not in outcome, outcome["error"]
    got = sorted(v for outcome in imported[:SAME_NAME_PROCESSES] for v in outcome["versions"])
    total = SAME_NAME_PROCESSES * IMPORTS_PER_PROCESS
    assert got == list(range(1, total + 1))  # each version once: none lost, none doubled
    store = SqliteStore(workspace)
    assert [v.version for v in store.versions("shared")] == list(range(1, total + 1))
    for name in OTHER_NAMES:
        assert [v.version for v in store.versions(name)] == list(range(1, IMPORTS_PER_PROCESS + 1))
    expected = workers.chain_of("shared", seed=1)
    for version in (1, total // 2, total):  # every version complete
        stored = store.load_chain("shared", version)
        for table in ("items", "bom", "sourcing"):
            pd.testing.assert_frame_equal(
                getattr(stored, table), getattr(expected, table), check_dtype=False, obj=table
            )
    assert {v.name: v.version for v in store.list_chains()} == {
        "shared": total,
        **dict.fromkeys(OTHER_NAMES, IMPORTS_PER_PROCESS),
    }


def test_f04_workspace_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    store.save_chain(workers.chain_of("c", 50))
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    # A writer that holds the lock longer than the timeout gets a refusal, not a traceback.
    impatient = SqliteStore(store.path, timeout=0.1)
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        assert [v.version for v in impatient.list_chains()] == [1]  # reading does not wait
        with pytest.raises(InputFileError, match="the workspace is busy") as caught:
            impatient.save_chain(workers.chain_of("c", 50))
        assert str(store.path) in str(caught.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert impatient.save_chain(workers.chain_of("c", 50)).version == 2


def test_f04_a_file_that_is_not_a_workspace_is_refused_and_left_alone(tmp_path: Path, run) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("my notes, not a database\n" * 100)
    before = text.read_bytes()
    with pytest.raises(InputFileError, match=r"not a ketenradar workspace \(SQLite\)") as caught:
        SqliteStore(text).list_chains()
    assert str(text) in str(caught.value)
    result = run("chain", "list", "--workspace", str(text))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "not a ketenradar workspace (SQLite)" in result.stderr and str(text) in result.stderr
    assert text.read_bytes() == before
    # Another program's SQLite database is not taken over either.
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    connection.close()
    with pytest.raises(InputFileError, match="another program's database"):
        SqliteStore(other).save_chain(workers.chain_of("c", 50))
    with sqlite3.connect(other) as connection:
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert tables == {"invoices"}


def test_f04_a_folder_as_workspace_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KetenradarError, match="cannot be opened or written"):
        SqliteStore(tmp_path).list_chains()


def test_f04_workspace_of_an_earlier_version_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    chain = workers.chain_of("c", 50)
    SqliteStore(path).save_chain(chain)
    with sqlite3.connect(path) as connection:  # as the workspace of ketenradar 0.x looked
        connection.execute("DROP TABLE chain_materials")
        connection.execute("PRAGMA application_id = 0")
        connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    store = SqliteStore(path)
    assert [v.version for v in store.versions("c")] == [1]
    assert store.save_chain(chain).version == 2
    assert store.chain_materials("c") == ()


def test_f04_catalogue_materials_are_kept_with_the_version(tmp_path: Path) -> None:
    chain = workers.chain_of("c", 50)
    used = chain.items.loc[chain.items["kind"] == "material", "material"].iloc[0]
    kept = Material(id=used, name_en="Used", name_nl="Gebruikt", category="user", note="n", source="f.csv")
    unused = Material(id="not_in_chain", name_en="Unused", name_nl="Ongebruikt")
    store = SqliteStore(tmp_path / "w.sqlite")
    store.save_chain(chain, [kept, unused])
    store.save_chain(chain)
    assert store.chain_materials("c", 1) == (kept,)
    assert store.chain_materials("c") == ()
