"""Monitoring snapshots and key figures in the SQLite workspace (F19)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ketenradar.errors import SnapshotExists, SnapshotNotFound
from ketenradar.storage.sqlite import SCHEMA_VERSION, SqliteStore


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


def test_f19_snapshot_round_trip_keeps_missing_values_and_flags(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    info = store.save_snapshot("jan", _frames())
    assert info.name == "jan"
    loaded_info, frames = store.load_snapshot("jan")
    assert loaded_info.name == "jan" and loaded_info.created_at == info.created_at
    materials = frames["materials"]
    assert materials["material"].tolist() == ["gallium", "cobalt"]
    assert materials["sr_computed"].iloc[0] == pytest.approx(3.8)
    assert np.isnan(materials["sr_computed"].iloc[1])
    assert materials["crma_exceeds_limit"].tolist() == [True, None]
    assert frames["restrictions"].empty and list(frames["restrictions"].columns) == ["country"]


def test_f19_snapshot_names_are_unique_and_a_refused_write_changes_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    store.save_snapshot("jan", _frames())
    with pytest.raises(SnapshotExists, match="jan"):
        store.save_snapshot("jan", _frames())
    assert [s.name for s in store.list_snapshots()] == ["jan"]


def test_f19_unnamed_snapshots_get_free_numbered_names_oldest_first(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    store.save_snapshot("snapshot-2", _frames())
    first = store.save_snapshot(None, _frames())
    second = store.save_snapshot(None, _frames())
    # A new snapshot is numbered by its row (2, then 3); a number taken by name is skipped.
    names = [s.name for s in store.list_snapshots()]
    assert names == ["snapshot-2", first.name, second.name]
    assert len(set(names)) == 3
    assert first.name == "snapshot-3" and second.name == "snapshot-4"
    assert store.list_snapshots()[0].parts == ("materials", "restrictions")


def test_f19_unknown_snapshot_is_not_found(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    with pytest.raises(SnapshotNotFound, match="nope"):
        store.load_snapshot("nope")


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_f19_monitoring_tables_are_made_by_the_first_write_that_needs_them(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    store = SqliteStore(path)
    # Reading a workspace without them neither fails nor changes the file.
    assert store.list_snapshots() == [] and store.key_figures().empty
    with pytest.raises(SnapshotNotFound):
        store.load_snapshot("jan")
    assert not {"snapshots", "snapshot_parts", "key_figures"} & _tables(path)
    store.save_snapshot("jan", _frames())
    assert {"snapshots", "snapshot_parts", "key_figures"} <= _tables(path)
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
    assert version == SCHEMA_VERSION


def test_f19_key_figures_are_stored_in_order_and_a_duplicate_adds_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    assert store.key_figures().empty
    assert store.add_key_figures(_figures()) == 1
    both = pd.concat([_figures(year=2025, value=10.0), _figures()], ignore_index=True)
    # The second row repeats metric, year and source: the whole write is rolled back.
    with pytest.raises(sqlite3.IntegrityError):
        store.add_key_figures(both)
    stored = store.key_figures()
    rows = stored[["metric", "year", "value"]].to_numpy().tolist()
    assert rows == [["defence_security_turnover", 2024, 9.1]]
