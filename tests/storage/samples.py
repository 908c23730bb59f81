"""Chains with every kind of value a stored chain must keep, and the workspace of schema 0."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar.model.chain import CHAIN_COLUMNS, Chain, ChainCodes
from ketenradar.storage.sqlite import APPLICATION_ID

# Ids that quoting, separators or a naive encoding would break.
ODD_IDS = [
    "tank",
    "it's",
    'say "hi"',
    "x'); DROP TABLE chains; --",
    "ünïcødé-Ω",
    "with space, comma;semicolon",
    "tab\tand\nnewline",
    "🔧-emoji",
    "日本語",
    "NaN",
]


def odd_chain(name: str = "odd", *, empty_sourcing: bool = False) -> Chain:
    """Return a small chain with odd ids, non-ASCII names, NaN tiers and empty suppliers."""
    kinds = ["platform", "subsystem", "component", "component", "component", "semi", "semi"]
    kinds += ["material", "material", "material"]
    items = pd.DataFrame(
        {
            "id": ODD_IDS,
            "name": [f"Überschall-Ölpumpe {i} — «{id_}»" for i, id_ in enumerate(ODD_IDS)],
            "kind": kinds,
            "domain": ["land", "", "maritime", "", "", "", "", "", "", ""],
            "dis_area": ["", "sensors", "", "", "", "", "", "", "", ""],
            "material": ["", "", "", "", "", "", "", "tungsten", "gallium", "light_rare_earths"],
            "unit": ["unit"] * 7 + ["kg", "g", "kg"],
        },
        dtype="str",
    )
    bom = pd.DataFrame(
        {
            "parent": pd.Series([ODD_IDS[p] for p in (0, 0, 1, 1, 2, 3, 4, 5, 6, 6)], dtype="str"),
            "child": pd.Series([ODD_IDS[c] for c in (1, 2, 3, 4, 5, 6, 6, 7, 8, 9)], dtype="str"),
            "quantity": np.array([1.0, 2.0, 0.5, 1e-12, 3.0, 4.0, 1e12, 0.25, 7.0, 1.0]),
        }
    )
    if empty_sourcing:
        sourcing = pd.DataFrame(
            {
                column: pd.Series([], dtype="str" if column in TEXT_SOURCING else np.float64)
                for column in CHAIN_COLUMNS["sourcing"]
            }
        )
    else:
        sourcing = pd.DataFrame(
            {
                "item": pd.Series([ODD_IDS[i] for i in (0, 2, 2, 7, 7, 8, 9)], dtype="str"),
                "country": pd.Series(["NLD", "DEU", "FRA", "CHN", "CHN", "AUT", "ZAF"], dtype="str"),
                "share": np.array([1.0, 0.6, 0.4, 1.0, 1.0, 1.0, 1.0]),
                "stage": pd.Series(["", "", "", "mining", "processing", "", ""], dtype="str"),
                "supplier": pd.Series(["Acme B.V.", "", "Société «Ω»", "", "", "", ""], dtype="str"),
                "tier": np.array([0.0, np.nan, 1.0, np.nan, 3.0, np.nan, 4.0]),
                "lead_time_days": np.array([np.nan, 30.0, np.nan, 90.5, np.nan, np.nan, 0.0]),
                "stock_days": np.full(7, np.nan),
            }
        )
    return Chain(name=name, items=items, bom=bom, sourcing=sourcing, source="odd/ «bron» ü.xlsx")


TEXT_SOURCING = ("item", "country", "stage", "supplier")


def assert_same_chain(loaded: Chain, expected: Chain) -> None:
    """Assert equal frames (values, order, dtypes) and codes that name the same items."""
    for sheet, columns in CHAIN_COLUMNS.items():
        frame = getattr(loaded, sheet)
        assert list(frame.columns) == columns
        pd.testing.assert_frame_equal(frame, getattr(expected, sheet), obj=sheet)
        for column in columns:
            assert frame[column].dtype in ("str", np.float64), (sheet, column, frame[column].dtype)
    assert loaded.codes is not None
    looked_up = ChainCodes.of(loaded.items, loaded.bom, loaded.sourcing)
    for field in ("parent", "child", "sourcing_item"):
        stored = getattr(loaded.codes, field)
        assert stored.dtype == np.intp, field
        np.testing.assert_array_equal(stored, getattr(looked_up, field), err_msg=field)


# The columns of schema 0: before workbook v1.1, items had no stock_days.
LEGACY_COLUMNS = {
    sheet: [c for c in columns if (sheet, c) != ("items", "stock_days")]
    for sheet, columns in CHAIN_COLUMNS.items()
}

# The tables as ketenradar wrote them before chain sheets (schema 0; SQL of the earlier store).
LEGACY_SCHEMA = """
CREATE TABLE IF NOT EXISTS chains (
    chain_key INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (name, version)
);
CREATE TABLE IF NOT EXISTS items (
    chain_key INTEGER NOT NULL REFERENCES chains(chain_key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, domain TEXT NOT NULL,
    dis_area TEXT NOT NULL, material TEXT NOT NULL, unit TEXT NOT NULL,
    PRIMARY KEY (chain_key, position)
);
CREATE TABLE IF NOT EXISTS bom (
    chain_key INTEGER NOT NULL REFERENCES chains(chain_key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    parent TEXT NOT NULL, child TEXT NOT NULL, quantity REAL NOT NULL,
    PRIMARY KEY (chain_key, position)
);
CREATE TABLE IF NOT EXISTS surveys (
    survey_key INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL,
    synthetic INTEGER NOT NULL,
    answers TEXT NOT NULL,
    UNIQUE (name, version)
);
CREATE TABLE IF NOT EXISTS sourcing (
    chain_key INTEGER NOT NULL REFERENCES chains(chain_key) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    item TEXT NOT NULL, country TEXT NOT NULL, share REAL NOT NULL, stage TEXT NOT NULL,
    supplier TEXT NOT NULL, tier REAL, lead_time_days REAL, stock_days REAL,
    PRIMARY KEY (chain_key, position)
);
CREATE TABLE IF NOT EXISTS chain_materials (
    chain_key INTEGER NOT NULL REFERENCES chains(chain_key) ON DELETE CASCADE,
    id TEXT NOT NULL, name_en TEXT NOT NULL, name_nl TEXT NOT NULL, category TEXT NOT NULL,
    note TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (chain_key, id)
);
"""


def legacy_workspace(path: Path, chains: list[Chain], materials: dict[int, list[tuple[str, ...]]]) -> None:
    """Write ``chains`` (as versions 1, 2, ... per name) the way the store of schema 0 did.

    ``materials`` maps a chain's index in ``chains`` to its chain_materials rows.
    """
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        script = f"BEGIN;\n{LEGACY_SCHEMA}\nPRAGMA application_id = {APPLICATION_ID};\nCOMMIT;"
        connection.executescript(script)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("BEGIN")
        for index, chain in enumerate(chains):
            (latest,) = connection.execute(
                "SELECT COALESCE(MAX(version), 0) FROM chains WHERE name = ?", (chain.name,)
            ).fetchone()
            key = connection.execute(
                "INSERT INTO chains (name, version, created_at, source) VALUES (?, ?, ?, ?)",
                (chain.name, latest + 1, "2024-05-01T12:00:00+00:00", chain.source),
            ).lastrowid
            for table, columns in LEGACY_COLUMNS.items():
                frame = getattr(chain, table)[columns]
                cells = frame.astype(object).where(frame.notna(), None).to_numpy()
                placeholders = ", ".join("?" * (len(columns) + 2))
                names = ", ".join(columns)
                connection.executemany(
                    f"INSERT INTO {table} (chain_key, position, {names}) VALUES ({placeholders})",
                    [(key, position, *(_plain(v) for v in row)) for position, row in enumerate(cells)],
                )
            connection.executemany(
                "INSERT INTO chain_materials (chain_key, id, name_en, name_nl, category, note, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(key, *row) for row in materials.get(index, [])],
            )
        connection.execute("COMMIT")
    finally:
        connection.close()


def _plain(value: object) -> object:
    """Return a NumPy scalar as the Python value SQLite takes."""
    return value.item() if isinstance(value, np.generic) else value
