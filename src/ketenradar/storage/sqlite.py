"""The embedded SQLite workspace: one file, zero set-up, safe for several processes at once.

The file runs in WAL mode, so reading (``chain list``) never waits for an import and an
import never waits for readers. Writers take the write lock up front (``BEGIN IMMEDIATE``)
and wait up to :data:`BUSY_TIMEOUT_SECONDS` for one another; a version number is assigned
inside the writing transaction, so two imports under one name get versions n and n+1 and
neither is lost. A file that is not a ketenradar workspace is refused, never changed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ketenradar.errors import ChainNotFound, InputFileError, KetenradarError, SurveyNotFound
from ketenradar.locale import _
from ketenradar.model.chain import CHAIN_COLUMNS, Chain
from ketenradar.model.material import Material
from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.storage.base import ChainVersion

__all__ = ["APPLICATION_ID", "BUSY_TIMEOUT_SECONDS", "SqliteStore"]

# How long a writer waits for another process's write to finish before giving up.
BUSY_TIMEOUT_SECONDS = 30.0
# Written into the SQLite header (PRAGMA application_id) of every workspace: "KRdr".
APPLICATION_ID = 0x4B526472

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
CREATE TABLE IF NOT EXISTS chain_materials (
    chain_key INTEGER NOT NULL REFERENCES chains(chain_key) ON DELETE CASCADE,
    id TEXT NOT NULL, name_en TEXT NOT NULL, name_nl TEXT NOT NULL, category TEXT NOT NULL,
    note TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (chain_key, id)
);
"""
_TABLES = frozenset({"chains", "items", "bom", "surveys", "sourcing", "chain_materials"})
_MATERIAL_COLUMNS = ("id", "name_en", "name_nl", "category", "note", "source")

_COLUMNS = CHAIN_COLUMNS
_REAL_COLUMNS = (
    ("bom", "quantity"),
    ("sourcing", "share"),
    ("sourcing", "tier"),
    ("sourcing", "lead_time_days"),
    ("sourcing", "stock_days"),
)

# SQLite's primary result codes (the low byte of an extended code) that say what went wrong.
_NOT_A_DATABASE = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_UNUSABLE = {
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_PERM,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
}


class SqliteStore:
    """Chains in one SQLite file; each import is a new version written in one transaction.

    Several processes may use one workspace at once: readers see the last committed versions,
    writers queue for up to ``timeout`` seconds.
    """

    def __init__(self, path: str | Path, *, timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._checked = False

    def _refusal(self, error: sqlite3.Error) -> KetenradarError | None:
        """Return the error to show for a SQLite failure that is about the file, else None (a bug)."""
        code = getattr(error, "sqlite_errorcode", 0) & 0xFF
        if code in _NOT_A_DATABASE:
            message = _("not a ketenradar workspace (SQLite): {reason}").format(reason=error)
            expected = _("a workspace file made by ketenradar, or the name of a new file")
        elif code in _BUSY:
            message = _(
                "the workspace is busy: another process has kept it locked for more than {seconds} s; "
                "try again when it has finished"
            ).format(seconds=f"{self.timeout:g}")
            expected = ""
        elif code in _UNUSABLE:
            message = _("the workspace cannot be opened or written: {reason}").format(reason=error)
            expected = _("a workspace file in a folder you can write to")
        else:
            return None
        return InputFileError.single(self.path, message, expected=expected)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """Open the workspace (creating it if needed); SQLite errors about the file become refusals."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: transactions are begun and ended here, explicitly.
            connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as error:
            raise (self._refusal(error) or error) from None
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            if not self._checked:
                self._prepare(connection)
                self._checked = True
            yield connection
        except sqlite3.Error as error:
            refusal = self._refusal(error)
            if refusal is None:
                raise
            raise refusal from error
        finally:
            connection.close()

    def _prepare(self, connection: sqlite3.Connection) -> None:
        """Check that the file is a workspace (or new), switch it to WAL and create missing tables."""
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if application_id not in (0, APPLICATION_ID) or (tables and "chains" not in tables):
            raise InputFileError.single(
                self.path,
                _("not a ketenradar workspace (SQLite): the file holds another program's database"),
                expected=_("a workspace file made by ketenradar, or the name of a new file"),
            )
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() != "wal":
            # Persistent in the file; on a read-only file it stays as it is and reading still works.
            connection.execute("PRAGMA journal_mode = WAL")
        if not tables >= _TABLES:
            connection.executescript(
                f"BEGIN IMMEDIATE;\n{SCHEMA}\nPRAGMA application_id = {APPLICATION_ID};\nCOMMIT;"
            )

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, holding the write lock from its start: all or nothing."""
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query sees the same committed state."""
        with self._connect() as connection:
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")

    def save_chain(self, chain: Chain, materials: Iterable[Material] = ()) -> ChainVersion:
        """Store the chain as the next version of its name, all or nothing.

        ``materials`` are catalogue materials beyond the shipped ones (from a catalogue file);
        those the chain's items use are kept with the version, so an export can carry them.
        """
        created = datetime.now(UTC).isoformat(timespec="seconds")
        # Everything is prepared before the write lock is taken, so other writers wait less.
        tables = {table: _values(getattr(chain, table)[columns]) for table, columns in _COLUMNS.items()}
        used = set(chain.items.loc[chain.items["kind"] == "material", "material"])
        kept = {m.id: m for m in materials if m.id in used}
        material_rows = [tuple(getattr(m, c) for c in _MATERIAL_COLUMNS) for m in kept.values()]
        with self._writing() as connection:
            (latest,) = connection.execute(
                "SELECT COALESCE(MAX(version), 0) FROM chains WHERE name = ?", (chain.name,)
            ).fetchone()
            version = int(latest) + 1
            cursor = connection.execute(
                "INSERT INTO chains (name, version, created_at, source) VALUES (?, ?, ?, ?)",
                (chain.name, version, created, chain.source),
            )
            key = cursor.lastrowid
            for table, columns in _COLUMNS.items():
                placeholders = ", ".join("?" * (len(columns) + 2))
                # Table and column names come from the fixed mapping above, never from input.
                sql = (
                    f"INSERT INTO {table} (chain_key, position, {', '.join(columns)}) VALUES ({placeholders})"
                )
                connection.executemany(sql, _rows(key, tables[table]))
            connection.executemany(
                "INSERT INTO chain_materials (chain_key, id, name_en, name_nl, category, note, source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(key, *row) for row in material_rows],
            )
        return ChainVersion(
            chain.name,
            version,
            created,
            chain.source,
            len(chain.items),
            len(chain.bom),
            len(chain.sourcing),
        )

    def list_chains(self) -> list[ChainVersion]:
        """Return the latest version of every stored chain, by name."""
        with self._reading() as connection:
            rows = connection.execute(
                _VERSION_SELECT + " WHERE c.version = (SELECT MAX(version) FROM chains d "
                "WHERE d.name = c.name) ORDER BY c.name"
            ).fetchall()
        return [ChainVersion(*row) for row in rows]

    def versions(self, name: str) -> list[ChainVersion]:
        """Return every version of one chain, oldest first."""
        with self._reading() as connection:
            rows = connection.execute(
                _VERSION_SELECT + " WHERE c.name = ? ORDER BY c.version", (name,)
            ).fetchall()
        if not rows:
            raise ChainNotFound(name)
        return [ChainVersion(*row) for row in rows]

    def load_chain(self, name: str, version: int | None = None) -> Chain:
        """Return a stored chain; the latest version unless ``version`` is given."""
        with self._reading() as connection:
            key, source, stored_version = _find_chain(connection, name, version)
            frames = {
                table: pd.read_sql_query(
                    f"SELECT {', '.join(columns)} FROM {table} WHERE chain_key = ? ORDER BY position",
                    connection,
                    params=(key,),
                )
                for table, columns in _COLUMNS.items()
            }
        frames["sourcing"]["supplier"] = frames["sourcing"]["supplier"].fillna("")
        for table, column in _REAL_COLUMNS:
            # A column of only NULLs comes back as objects; it is a column of missing numbers.
            frames[table][column] = frames[table][column].astype(np.float64)
        return Chain(
            name=name,
            items=frames["items"],
            bom=frames["bom"],
            sourcing=frames["sourcing"],
            source=source,
            version=int(stored_version),
        )

    def chain_materials(self, name: str, version: int | None = None) -> tuple[Material, ...]:
        """Return the catalogue materials kept with a stored chain (the latest version unless given)."""
        with self._reading() as connection:
            key, _source, _version = _find_chain(connection, name, version)
            rows = connection.execute(
                f"SELECT {', '.join(_MATERIAL_COLUMNS)} FROM chain_materials WHERE chain_key = ? ORDER BY id",
                (key,),
            ).fetchall()
        return tuple(Material(**dict(zip(_MATERIAL_COLUMNS, row, strict=True))) for row in rows)

    def save_survey(self, survey: Survey) -> int:
        """Store the survey's answers as the next version of its name, in one transaction."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        answers = json.dumps(
            {sheet: json.loads(getattr(survey, sheet).to_json(orient="records")) for sheet in SURVEY_SHEETS}
        )
        with self._writing() as connection:
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
        with self._reading() as connection:
            if version is None:
                found = connection.execute(
                    "SELECT source, synthetic, answers FROM surveys WHERE name = ? "
                    "ORDER BY version DESC LIMIT 1",
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
        with self._reading() as connection:
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


def _find_chain(connection: sqlite3.Connection, name: str, version: int | None) -> tuple[int, str, int]:
    """Return the key, source and version of a stored chain (the latest unless ``version`` is given)."""
    if version is None:
        found = connection.execute(
            "SELECT chain_key, source, version FROM chains WHERE name = ? ORDER BY version DESC LIMIT 1",
            (name,),
        ).fetchone()
    else:
        found = connection.execute(
            "SELECT chain_key, source, version FROM chains WHERE name = ? AND version = ?", (name, version)
        ).fetchone()
    if found is None:
        raise ChainNotFound(name, version)
    key, source, stored_version = found
    return int(key), str(source), int(stored_version)


def _values(frame: pd.DataFrame) -> np.ndarray:
    """Return the frame's cells as objects with NaN as None (ready for SQLite)."""
    values: np.ndarray = frame.astype(object).where(frame.notna(), None).to_numpy()
    return values


def _rows(key: int | None, values: np.ndarray) -> Iterator[tuple[object, ...]]:
    """Yield rows for executemany with NumPy scalars as Python values."""
    for position, row in enumerate(values):
        yield (key, position, *(v.item() if isinstance(v, np.generic) else v for v in row))
