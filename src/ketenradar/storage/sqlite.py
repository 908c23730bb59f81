"""The embedded SQLite workspace: one file, zero set-up, one user."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar.errors import ChainNotFound, SurveyNotFound
from ketenradar.model.chain import CHAIN_COLUMNS, Chain
from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.storage.base import ChainVersion

__all__ = ["SqliteStore"]

SCHEMA = """
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
"""

_COLUMNS = CHAIN_COLUMNS


class SqliteStore:
    """Chains in one SQLite file; each import is a new version written in one transaction."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.executescript(SCHEMA)
            yield connection
        finally:
            connection.close()

    def save_chain(self, chain: Chain) -> ChainVersion:
        """Store the chain as the next version of its name, all or nothing."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as connection, connection:
            (latest,) = connection.execute(
                "SELECT COALESCE(MAX(version), 0) FROM chains WHERE name = ?", (chain.name,)
            ).fetchone()
            cursor = connection.execute(
                "INSERT INTO chains (name, version, created_at, source) VALUES (?, ?, ?, ?)",
                (chain.name, latest + 1, created, chain.source),
            )
            key = cursor.lastrowid
            for table, columns in _COLUMNS.items():
                frame = getattr(chain, table)[columns]
                placeholders = ", ".join("?" * (len(columns) + 2))
                # Table and column names come from the fixed mapping above, never from input.
                sql = (
                    f"INSERT INTO {table} (chain_key, position, {', '.join(columns)}) VALUES ({placeholders})"
                )
                connection.executemany(sql, _rows(key, frame))
        return ChainVersion(
            chain.name,
            latest + 1,
            created,
            chain.source,
            len(chain.items),
            len(chain.bom),
            len(chain.sourcing),
        )

    def list_chains(self) -> list[ChainVersion]:
        """Return the latest version of every stored chain, by name."""
        with self._connect() as connection:
            rows = connection.execute(
                _VERSION_SELECT + " WHERE c.version = (SELECT MAX(version) FROM chains d "
                "WHERE d.name = c.name) ORDER BY c.name"
            ).fetchall()
        return [ChainVersion(*row) for row in rows]

    def versions(self, name: str) -> list[ChainVersion]:
        """Return every version of one chain, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                _VERSION_SELECT + " WHERE c.name = ? ORDER BY c.version", (name,)
            ).fetchall()
        if not rows:
            raise ChainNotFound(name)
        return [ChainVersion(*row) for row in rows]

    def load_chain(self, name: str, version: int | None = None) -> Chain:
        """Return a stored chain; the latest version unless ``version`` is given."""
        with self._connect() as connection:
            query = "SELECT chain_key, source, version FROM chains WHERE name = ? "
            params: tuple[object, ...] = (name,)
            if version is None:
                query += "ORDER BY version DESC LIMIT 1"
            else:
                query += "AND version = ?"
                params = (name, version)
            found = connection.execute(query, params).fetchone()
            if found is None:
                raise ChainNotFound(name, version)
            key, source, stored_version = found
            frames = {
                table: pd.read_sql_query(
                    f"SELECT {', '.join(columns)} FROM {table} WHERE chain_key = ? ORDER BY position",
                    connection,
                    params=(key,),
                )
                for table, columns in _COLUMNS.items()
            }
        frames["sourcing"]["supplier"] = frames["sourcing"]["supplier"].fillna("")
        return Chain(
            name=name,
            items=frames["items"],
            bom=frames["bom"],
            sourcing=frames["sourcing"],
            source=source,
            version=int(stored_version),
        )

    def save_survey(self, survey: Survey) -> int:
        """Store the survey's answers as the next version of its name, in one transaction."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        answers = json.dumps(
            {sheet: json.loads(getattr(survey, sheet).to_json(orient="records")) for sheet in SURVEY_SHEETS}
        )
        with self._connect() as connection, connection:
            (latest,) = connection.execute(
                "SELECT COALESCE(MAX(version), 0) FROM surveys WHERE name = ?", (survey.name,)
            ).fetchone()
            connection.execute(
                "INSERT INTO surveys (name, version, created_at, source, synthetic, answers) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (survey.name, latest + 1, created, survey.source, int(survey.synthetic), answers),
            )
        return int(latest + 1)

    def load_survey(self, name: str, version: int | None = None) -> Survey:
        """Return a stored survey: the latest version unless ``version`` is given."""
        with self._connect() as connection:
            if version is None:
                found = connection.execute(
                    "SELECT source, synthetic, answers FROM surveys WHERE name = ? ORDER BY version DESC LIMIT 1",
                    (name,),
                ).fetchone()
            else:
                found = connection.execute(
                    "SELECT source, synthetic, answers FROM surveys WHERE name = ? AND version = ?",
                    (name, version),
                ).fetchone()
        if found is None:
            raise SurveyNotFound(name)
        source, synthetic, answers = found
        document = json.loads(answers)
        frames = {sheet: pd.DataFrame(document[sheet]) for sheet in SURVEY_SHEETS}
        return Survey(name=name, source=source, synthetic=bool(synthetic), **frames)

    def survey_versions(self, name: str) -> list[int]:
        """Return the stored version numbers of a survey, oldest first."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT version FROM surveys WHERE name = ? ORDER BY version", (name,)
            ).fetchall()
        return [int(v) for (v,) in rows]


_VERSION_SELECT = (
    "SELECT c.name, c.version, c.created_at, c.source, "
    "(SELECT COUNT(*) FROM items i WHERE i.chain_key = c.chain_key), "
    "(SELECT COUNT(*) FROM bom b WHERE b.chain_key = c.chain_key), "
    "(SELECT COUNT(*) FROM sourcing s WHERE s.chain_key = c.chain_key) "
    "FROM chains c"
)


def _rows(key: int | None, frame: pd.DataFrame) -> Iterator[tuple[object, ...]]:
    """Yield rows for executemany with NaN as NULL and NumPy scalars as Python values."""
    values = frame.astype(object).where(frame.notna(), None).to_numpy()
    for position, row in enumerate(values):
        yield (key, position, *(v.item() if isinstance(v, np.generic) else v for v in row))
