"""F4: the SQLite workspace: several processes at once, nothing lost, foreign files refused."""

from __future__ import annotations

import multiprocessing
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ketenradar.errors import InputFileError, KetenradarError
from ketenradar.model.chain import CHAIN_COLUMNS
from ketenradar.model.material import Material
from ketenradar.storage import SqliteStore, chain_columns
from ketenradar.storage.sqlite import APPLICATION_ID, SCHEMA_VERSION
from tests.storage import workers
from tests.storage.samples import assert_same_chain, legacy_workspace, odd_chain

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


@pytest.mark.parametrize("empty_sourcing", [False, True])
def test_a_chain_with_odd_values_round_trips_with_its_codes(tmp_path: Path, empty_sourcing: bool) -> None:
    chain = odd_chain(empty_sourcing=empty_sourcing)
    store = SqliteStore(tmp_path / "w.sqlite")
    saved = store.save_chain(chain)
    loaded = store.load_chain("odd")
    assert_same_chain(loaded, chain)
    assert (loaded.source, loaded.version) == (chain.source, 1)
    counts = (len(chain.items), len(chain.bom), len(chain.sourcing))
    assert (saved.n_items, saved.n_bom, saved.n_sourcing) == counts
    (listed,) = store.list_chains()
    assert (listed.n_items, listed.n_bom, listed.n_sourcing) == counts
    assert store.versions("odd") == [listed]


def test_a_chain_of_several_parts_loads_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_columns, "PART_ROWS", 7)
    chain = workers.chain_of("c", 200)
    store = SqliteStore(tmp_path / "w.sqlite")
    store.save_chain(chain)
    with sqlite3.connect(store.path) as connection:
        stored = dict(
            connection.execute(
                "SELECT sheet, COUNT(*) FROM chain_sheets GROUP BY sheet HAVING MAX(n_rows) <= 7"
            ).fetchall()
        )
    connection.close()
    assert stored == {sheet: -(-len(getattr(chain, sheet)) // 7) for sheet in CHAIN_COLUMNS}
    monkeypatch.undo()  # reading does not depend on the part size it was written with
    assert_same_chain(store.load_chain("c"), chain)
    (listed,) = store.list_chains()
    assert (listed.n_items, listed.n_bom, listed.n_sourcing) == (200, len(chain.bom), len(chain.sourcing))


def _schema_of(path: Path) -> tuple[int, set[str]]:
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    connection.close()
    return version, tables


def test_a_workspace_of_rows_is_moved_to_chain_sheets_once(tmp_path: Path) -> None:
    path = tmp_path / "rows.sqlite"
    synthetic = workers.chain_of("c", 120)
    again = workers.chain_of("c", 80, seed=4)
    odd, empty = odd_chain(), odd_chain("empty", empty_sourcing=True)
    used = synthetic.items.loc[synthetic.items["kind"] == "material", "material"].iloc[0]
    material = (used, "Used", "Gebruikt", "user", "n", "f.csv")
    legacy_workspace(path, [synthetic, odd, again, empty], {0: [material]})
    assert _schema_of(path) == (0, {"chains", "items", "bom", "sourcing", "surveys", "chain_materials"})
    store = SqliteStore(path)
    assert [(v.name, v.version) for v in store.list_chains()] == [("c", 2), ("empty", 1), ("odd", 1)]
    assert _schema_of(path) == (SCHEMA_VERSION, {"chains", "chain_sheets", "surveys", "chain_materials"})
    stored = (("c", 1, synthetic), ("c", 2, again), ("odd", 1, odd), ("empty", 1, empty))
    for name, version, expected in stored:
        loaded = store.load_chain(name, version)
        assert_same_chain(loaded, expected)
        assert (loaded.source, loaded.version) == (expected.source, version)
    assert [(v.version, v.n_items, v.n_bom, v.n_sourcing, v.created_at) for v in store.versions("c")] == [
        (1, 120, len(synthetic.bom), len(synthetic.sourcing), "2024-05-01T12:00:00+00:00"),
        (2, 80, len(again.bom), len(again.sourcing), "2024-05-01T12:00:00+00:00"),
    ]
    kept = Material(id=used, name_en="Used", name_nl="Gebruikt", category="user", note="n", source="f.csv")
    assert store.chain_materials("c", 1) == (kept,)
    assert store.chain_materials("c") == ()
    assert store.save_chain(odd).version == 2
    # Another store on the moved file finds nothing left to do.
    assert [v.version for v in SqliteStore(path).versions("odd")] == [1, 2]
    assert _schema_of(path)[0] == SCHEMA_VERSION


def test_processes_opening_a_workspace_of_rows_at_once_move_it_once(tmp_path: Path) -> None:
    path = tmp_path / "rows.sqlite"
    chain = odd_chain()
    legacy_workspace(path, [chain], {})
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    start = manager.Barrier(2)
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        futures = [pool.submit(workers.load_chain, str(path), "odd", start) for _ in range(2)]
        loaded = [f.result(timeout=300) for f in futures]
    manager.shutdown()
    for outcome in loaded:
        assert "error" not in outcome, outcome["error"]
        for frame, sheet in zip(outcome["frames"], CHAIN_COLUMNS, strict=True):
            pd.testing.assert_frame_equal(frame, getattr(chain, sheet), obj=sheet)
    with sqlite3.connect(path) as connection:
        parts = connection.execute("SELECT sheet, part FROM chain_sheets ORDER BY sheet").fetchall()
    connection.close()
    assert parts == [("bom", 0), ("items", 0), ("sourcing", 0)]  # moved once, not twice
    assert _schema_of(path)[0] == SCHEMA_VERSION


def test_a_workspace_that_cannot_be_moved_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "rows.sqlite"
    legacy_workspace(path, [odd_chain()], {})
    with sqlite3.connect(path) as connection:  # a bom row naming an item the chain lacks
        connection.execute("UPDATE bom SET child = ? WHERE position = 3", ("ghost",))
    connection.close()
    before = _schema_of(path)
    refusal = r"cannot be upgraded: version 1 of chain 'odd' names the unknown item 'ghost'"
    with pytest.raises(InputFileError, match=refusal):
        SqliteStore(path).list_chains()
    assert _schema_of(path) == before
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT COUNT(*) FROM bom").fetchone() == (10,)
    connection.close()


def test_a_workspace_of_a_newer_ketenradar_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    SqliteStore(path).save_chain(odd_chain())
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(InputFileError, match="newer version of ketenradar") as caught:
        SqliteStore(path).load_chain("odd")
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before


def test_item_stocks_are_stored_and_a_workspace_of_rows_has_none(tmp_path: Path) -> None:
    chain = odd_chain()
    stocks = np.where(np.arange(len(chain.items)) % 3 == 0, 14.0, np.nan)
    stocked = chain.with_frames(items=chain.items.assign(stock_days=stocks))
    store = SqliteStore(tmp_path / "w.sqlite")
    store.save_chain(stocked)
    assert_same_chain(store.load_chain("odd"), stocked)
    # Schema 0 had no stock_days column for items: the moved chain has no stocks.
    path = tmp_path / "rows.sqlite"
    legacy_workspace(path, [stocked], {})
    loaded = SqliteStore(path).load_chain("odd")
    assert loaded.items["stock_days"].isna().all()
    assert_same_chain(loaded, chain)
