"""The embedded SQLite workspace: one file, zero set-up, safe for several processes at once.

The file runs in WAL mode, so reading (``chain list``) never waits for an import and an
import never waits for readers. Writers take the write lock up front (``BEGIN IMMEDIATE``)
and wait up to :data:`BUSY_TIMEOUT_SECONDS` for one another; a version number is assigned
inside the writing transaction, so two imports under one name get versions n and n+1 and
neither is lost. A file that is not a ketenradar workspace is refused, never changed.

A chain version is a row of ``chains`` and its three sheets are rows of ``chain_sheets``:
integer-coded Arrow columns in compressed parts (:mod:`ketenradar.storage.chain_columns`), so
loading a national chain is a few BLOB reads, not a query row per item. ``PRAGMA user_version``
is the schema version; a workspace of an earlier schema is brought up to date, in one write
transaction, the first time a store opens it.

A monitoring snapshot is a row of ``snapshots`` and its frames are rows of ``snapshot_parts``,
one compressed Arrow IPC stream each; the key figures users add are rows of ``key_figures``.
The states of the background jobs of a server running several processes are rows of ``jobs``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ketenradar.errors import (
    ChainNotFound,
    InputFileError,
    KetenradarError,
    SnapshotExists,
    SnapshotNotFound,
    SurveyNotFound,
)
from ketenradar.locale import _
from ketenradar.model.chain import CHAIN_COLUMNS, Chain, ChainCodes
from ketenradar.model.material import Material
from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.storage.base import ChainVersion, SnapshotInfo
from ketenradar.storage.chain_cache import ChainCache
from ketenradar.storage.frames import FRAME_FORMAT
from ketenradar.storage.frames import decode_frame as _decode_frame
from ketenradar.storage.frames import encode_frame as _encode_frame

if TYPE_CHECKING:
    from ketenradar.storage.chain_columns import SheetPart

__all__ = ["APPLICATION_ID", "BUSY_TIMEOUT_SECONDS", "SCHEMA_VERSION", "SqliteStore"]

# How long a writer waits for another process's write to finish before giving up.
BUSY_TIMEOUT_SECONDS = 30.0
# Written into the SQLite header (PRAGMA application_id) of every workspace: "KRdr".
APPLICATION_ID = 0x4B526472

# The layout of the workspace (PRAGMA user_version). 0: a new file, or one of an earlier ketenradar
# with a chain as one row per item, bom row and sourcing row (tables items, bom, sourcing);
# 1: a chain's sheets as integer-coded Arrow columns in parts (chain_sheets, chain_columns).
# The monitoring tables (MONITOR_SCHEMA) belong to schema 1 too: they are created by the first
# write that needs them, an older ketenradar ignores them, and a workspace without them has none.
SCHEMA_VERSION = 1

# Statements run one by one inside a write transaction (executescript would commit it first).
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS chains (
    chain_key INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (name, version)
)""",
    """CREATE TABLE IF NOT EXISTS chain_sheets (
    chain_key INTEGER NOT NULL REFERENCES chains(chain_key) ON DELETE CASCADE,
    sheet TEXT NOT NULL,
    part INTEGER NOT NULL,
    n_rows INTEGER NOT NULL,
    format TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (chain_key, sheet, part)
)""",
    """CREATE TABLE IF NOT EXISTS surveys (
    survey_key INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL,
    synthetic INTEGER NOT NULL,
    answers TEXT NOT NULL,
    UNIQUE (name, version)
)""",
    """CREATE TABLE IF NOT EXISTS chain_materials (
    chain_key INTEGER NOT NULL REFERENCES chains(chain_key) ON DELETE CASCADE,
    id TEXT NOT NULL, name_en TEXT NOT NULL, name_nl TEXT NOT NULL, category TEXT NOT NULL,
    note TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (chain_key, id)
)""",
)
# The monitoring tables, created inside the first write transaction that stores a snapshot or figure.
MONITOR_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_key INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS snapshot_parts (
    snapshot_key INTEGER NOT NULL REFERENCES snapshots(snapshot_key) ON DELETE CASCADE,
    part TEXT NOT NULL,
    format TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (snapshot_key, part)
)""",
    """CREATE TABLE IF NOT EXISTS key_figures (
    figure_key INTEGER PRIMARY KEY,
    metric TEXT NOT NULL, year INTEGER NOT NULL, value REAL NOT NULL, unit TEXT NOT NULL,
    qualifier TEXT NOT NULL, source TEXT NOT NULL, note TEXT NOT NULL, file TEXT NOT NULL,
    added_at TEXT NOT NULL,
    UNIQUE (metric, year, source)
)""",
)
# The background jobs' states, created by the first job of a server running several processes
# (``serve --workers N``), so that any process can answer a poll; part of schema 1 like MONITOR_SCHEMA.
JOBS_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
)""",
)
_TABLES = frozenset({"chains", "chain_sheets", "surveys", "chain_materials"})
_FIGURE_COLUMNS = ("metric", "year", "value", "unit", "qualifier", "source", "note", "file")
# The row tables of schema 0, read once by the upgrade and then dropped.
_LEGACY_TABLES = ("items", "bom", "sourcing")
_MATERIAL_COLUMNS = ("id", "name_en", "name_nl", "category", "note", "source")
_LEGACY_REAL_COLUMNS = (
    ("items", "stock_days"),
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
        self.chains = ChainCache()

    @property
    def cache_key(self) -> str:
        """Return what tells this workspace apart from any other (results may be cached under it)."""
        return str(self.path.resolve())

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
        """Check that the file is a workspace (or new), switch it to WAL and bring it to the schema."""
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        tables = _tables(connection)
        if application_id not in (0, APPLICATION_ID) or (tables and "chains" not in tables):
            raise InputFileError.single(
                self.path,
                _("not a ketenradar workspace (SQLite): the file holds another program's database"),
                expected=_("a workspace file made by ketenradar, or the name of a new file"),
            )
        self._refuse_newer(connection)
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() != "wal":
            # Persistent in the file; on a read-only file it stays as it is and reading still works.
            connection.execute("PRAGMA journal_mode = WAL")
        (schema,) = connection.execute("PRAGMA user_version").fetchone()
        if schema < SCHEMA_VERSION or not tables >= _TABLES or tables.intersection(_LEGACY_TABLES):
            self._upgrade(connection)

    def _refuse_newer(self, connection: sqlite3.Connection) -> None:
        """Refuse a workspace whose schema a later ketenradar wrote: it is read wrongly or not at all."""
        (schema,) = connection.execute("PRAGMA user_version").fetchone()
        if schema > SCHEMA_VERSION:
            raise self._newer()

    def _newer(self) -> InputFileError:
        """Return the refusal of a workspace (or stored chain) written by a later ketenradar."""
        return InputFileError.single(
            self.path,
            _("the workspace was made by a newer version of ketenradar; update ketenradar to use it"),
        )

    def _upgrade(self, connection: sqlite3.Connection) -> None:
        """Create what is missing and move chains of schema 0 into chain sheets: one transaction.

        Another process may be doing the same at this moment: the state is read again under the
        write lock, so the second one finds the work done and changes nothing.
        """
        connection.execute("BEGIN IMMEDIATE")
        try:
            self._refuse_newer(connection)
            legacy = _tables(connection).intersection(_LEGACY_TABLES)
            for statement in SCHEMA:
                connection.execute(statement)
            if legacy:
                self._move_legacy_chains(connection)
                for table in sorted(legacy):
                    # The name comes from the fixed tuple _LEGACY_TABLES, never from input.
                    connection.execute(f"DROP TABLE {table}")
            # PRAGMA takes no parameters; both values are constants of this module.
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _move_legacy_chains(self, connection: sqlite3.Connection) -> None:
        """Store every chain kept as rows (schema 0) as chain sheets; the rows are dropped after."""
        from ketenradar.storage.chain_columns import SHEET_FORMAT, encode_sheets

        # Chains without sheets are the ones kept as rows (a chain always has its three sheets).
        pending = connection.execute(
            "SELECT chain_key, name, version FROM chains c WHERE NOT EXISTS "
            "(SELECT 1 FROM chain_sheets s WHERE s.chain_key = c.chain_key) ORDER BY chain_key"
        ).fetchall()
        # Schema 0 predates some columns (the items' stock_days of workbook v1.1): they have no value.
        present = {
            table: {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
            for table in CHAIN_COLUMNS
        }
        for key, name, version in pending:
            # One chain at a time, read as the store of schema 0 read it; a one-off per workspace.
            frames = {
                table: pd.read_sql_query(
                    f"SELECT {', '.join(c for c in columns if c in present[table])} FROM {table} "
                    "WHERE chain_key = ? ORDER BY position",
                    connection,
                    params=(key,),
                ).reindex(columns=columns, fill_value=np.nan)
                for table, columns in CHAIN_COLUMNS.items()
            }
            frames["sourcing"]["supplier"] = frames["sourcing"]["supplier"].fillna("")
            for table, column in _LEGACY_REAL_COLUMNS:
                # A column of only NULLs comes back as objects; it is a column of missing numbers.
                frames[table][column] = frames[table][column].astype(np.float64)
            try:
                codes = ChainCodes.of(frames["items"], frames["bom"], frames["sourcing"])
            except KeyError:
                raise InputFileError.single(
                    self.path,
                    _(
                        "the workspace cannot be upgraded: version {version} of chain {name!r} names "
                        "the unknown item {item!r}"
                    ).format(version=version, name=name, item=_unknown_item(frames)),
                ) from None
            parts = encode_sheets(frames["items"], frames["bom"], frames["sourcing"], codes)
            _insert_parts(connection, key, parts, SHEET_FORMAT)

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
        # Imported here: Arrow is needed only when a chain is written or read, not at start-up.
        from ketenradar.storage.chain_columns import SHEET_FORMAT, encode_chain

        created = datetime.now(UTC).isoformat(timespec="seconds")
        # Everything is encoded before the write lock is taken, so other writers wait less.
        parts = encode_chain(chain)
        used = set(chain.items.loc[chain.items["kind"] == "material", "material"].unique())
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
            assert key is not None
            _insert_parts(connection, key, parts, SHEET_FORMAT)
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
                "WHERE d.name = c.name) ORDER BY c.name",
                _VERSION_SHEETS,
            ).fetchall()
        return [ChainVersion(*row) for row in rows]

    def versions(self, name: str) -> list[ChainVersion]:
        """Return every version of one chain, oldest first."""
        with self._reading() as connection:
            rows = connection.execute(
                _VERSION_SELECT + " WHERE c.name = ? ORDER BY c.version", (*_VERSION_SHEETS, name)
            ).fetchall()
        if not rows:
            raise ChainNotFound(name)
        return [ChainVersion(*row) for row in rows]

    def load_chain(self, name: str, version: int | None = None) -> Chain:
        """Return a stored chain; the latest version unless ``version`` is given."""
        from ketenradar.storage.chain_columns import SHEET_FORMAT, read_chain

        with self._reading() as connection:
            key, source, stored_version = _find_chain(connection, name, version)

            def streams_of(sheet: str) -> Iterator[bytes]:
                # The cursor hands over one part at a time; each is decoded before the next is read.
                cursor = connection.execute(
                    "SELECT format, data FROM chain_sheets WHERE chain_key = ? AND sheet = ? ORDER BY part",
                    (key, sheet),
                )
                for stored_format, data in cursor:
                    if stored_format != SHEET_FORMAT:
                        raise self._newer()
                    yield data

            # A chain key with its name and version names one stored version for good (nothing is
            # ever deleted from a workspace); a server reading it again gets the decoded chain.
            return self.chains.get(
                (key, name, stored_version, source),
                lambda: read_chain(name, streams_of, source=source, version=stored_version),
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

    def save_snapshot(self, name: str | None, parts: Mapping[str, pd.DataFrame]) -> SnapshotInfo:
        """Store named frames as one snapshot, all or nothing; ``None`` names it ``snapshot-N``."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        # Encoded before the write lock is taken, so other writers wait less.
        encoded = [(part, _encode_frame(frame)) for part, frame in parts.items()]
        with self._writing() as connection:
            _create_monitoring_tables(connection)
            if (
                name is not None
                and connection.execute("SELECT 1 FROM snapshots WHERE name = ?", (name,)).fetchone()
            ):
                raise SnapshotExists(name)
            (latest,) = connection.execute("SELECT COALESCE(MAX(snapshot_key), 0) FROM snapshots").fetchone()
            chosen = name if name is not None else _free_name(connection, int(latest) + 1)
            cursor = connection.execute(
                "INSERT INTO snapshots (name, created_at) VALUES (?, ?)", (chosen, created)
            )
            key = cursor.lastrowid
            connection.executemany(
                "INSERT INTO snapshot_parts (snapshot_key, part, format, data) VALUES (?, ?, ?, ?)",
                [(key, part, FRAME_FORMAT, data) for part, data in encoded],
            )
        return SnapshotInfo(chosen, created, tuple(parts))

    def list_snapshots(self) -> list[SnapshotInfo]:
        """Return every stored snapshot, oldest first."""
        with self._reading() as connection:
            if "snapshots" not in _tables(connection):
                return []
            rows = connection.execute(
                "SELECT s.snapshot_key, s.name, s.created_at, p.part FROM snapshots s "
                "LEFT JOIN snapshot_parts p ON p.snapshot_key = s.snapshot_key "
                "ORDER BY s.snapshot_key, p.part"
            ).fetchall()
        found: dict[int, tuple[str, str, list[str]]] = {}
        for key, name, created, part in rows:
            found.setdefault(key, (name, created, []))[2].extend([part] if part is not None else [])
        return [SnapshotInfo(name, created, tuple(parts)) for name, created, parts in found.values()]

    def load_snapshot(self, name: str) -> tuple[SnapshotInfo, dict[str, pd.DataFrame]]:
        """Return a stored snapshot's record and frames; raise SnapshotNotFound."""
        with self._reading() as connection:
            found = (
                connection.execute(
                    "SELECT snapshot_key, created_at FROM snapshots WHERE name = ?", (name,)
                ).fetchone()
                if "snapshots" in _tables(connection)
                else None
            )
            if found is None:
                raise SnapshotNotFound(name)
            key, created = found
            rows = connection.execute(
                "SELECT part, format, data FROM snapshot_parts WHERE snapshot_key = ? ORDER BY part", (key,)
            ).fetchall()
        frames = {}
        for part, stored_format, data in rows:
            if stored_format != FRAME_FORMAT:
                raise self._newer()
            frames[str(part)] = _decode_frame(data)
        return SnapshotInfo(name, str(created), tuple(frames)), frames

    def add_key_figures(self, figures: pd.DataFrame) -> int:
        """Store key-figure rows (metric, year, value, unit, source ...) in one transaction."""
        added = datetime.now(UTC).isoformat(timespec="seconds")
        columns = [figures[c].to_numpy(dtype=object) for c in _FIGURE_COLUMNS]
        rows = [
            (str(m), int(y), float(v), str(u), str(q), str(s), str(n), str(f), added)
            for m, y, v, u, q, s, n, f in zip(*columns, strict=True)
        ]
        with self._writing() as connection:
            _create_monitoring_tables(connection)
            connection.executemany(
                f"INSERT INTO key_figures ({', '.join(_FIGURE_COLUMNS)}, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return len(rows)

    def key_figures(self) -> pd.DataFrame:
        """Return the key-figure rows users added, in the order they were added."""
        with self._reading() as connection:
            if "key_figures" not in _tables(connection):
                return pd.DataFrame(
                    {c: pd.Series(dtype=object) for c in (*_FIGURE_COLUMNS, "added_at")}
                ).astype({"year": "Int64", "value": np.float64})
            frame = pd.read_sql_query(
                f"SELECT {', '.join(_FIGURE_COLUMNS)}, added_at FROM key_figures ORDER BY figure_key",
                connection,
            )
        frame["year"] = frame["year"].astype("Int64")
        frame["value"] = frame["value"].astype(np.float64)
        return frame

    def save_job(self, job_id: str, organisation: str, kind: str, state: Mapping[str, Any]) -> None:
        """Save (insert or replace) a background job's state, for the other server processes."""
        updated = datetime.now(UTC).isoformat(timespec="seconds")
        text = json.dumps(state)
        with self._writing() as connection:
            for statement in JOBS_SCHEMA:
                connection.execute(statement)
            owner = connection.execute("SELECT organisation FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if owner is not None and owner[0] != organisation:
                raise ValueError(f"job {job_id!r} belongs to another organisation")
            connection.execute(
                "INSERT INTO jobs (id, organisation, kind, state, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, state = excluded.state, "
                "updated_at = excluded.updated_at",
                (job_id, organisation, kind, text, updated),
            )

    def load_job(self, job_id: str, organisation: str) -> dict[str, Any] | None:
        """Return a job's saved state, or None if there is none (or it is another organisation's)."""
        with self._reading() as connection:
            if "jobs" not in _tables(connection):
                return None
            found = connection.execute(
                "SELECT state FROM jobs WHERE id = ? AND organisation = ?", (job_id, organisation)
            ).fetchone()
        if found is None:
            return None
        state: dict[str, Any] = json.loads(found[0])
        return state


def _create_monitoring_tables(connection: sqlite3.Connection) -> None:
    """Create the monitoring tables if the workspace has none yet (inside the caller's transaction)."""
    for statement in MONITOR_SCHEMA:
        connection.execute(statement)


def _free_name(connection: sqlite3.Connection, number: int) -> str:
    """Return ``snapshot-N`` for the first N from ``number`` that no snapshot is called yet."""
    while connection.execute("SELECT 1 FROM snapshots WHERE name = ?", (f"snapshot-{number}",)).fetchone():
        number += 1
    return f"snapshot-{number}"


# The row counts are those stored with the parts (n_rows), so listing reads no chain data.
_VERSION_SELECT = (
    "SELECT c.name, c.version, c.created_at, c.source, "
    "(SELECT COALESCE(SUM(n_rows), 0) FROM chain_sheets s WHERE s.chain_key = c.chain_key AND s.sheet = ?), "
    "(SELECT COALESCE(SUM(n_rows), 0) FROM chain_sheets s WHERE s.chain_key = c.chain_key AND s.sheet = ?), "
    "(SELECT COALESCE(SUM(n_rows), 0) FROM chain_sheets s WHERE s.chain_key = c.chain_key AND s.sheet = ?) "
    "FROM chains c"
)
_VERSION_SHEETS = ("items", "bom", "sourcing")


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


def _tables(connection: sqlite3.Connection) -> set[str]:
    """Return the names of the tables in the file."""
    return {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _unknown_item(frames: dict[str, pd.DataFrame]) -> str:
    """Return the first id the bom or sourcing names that the items sheet lacks."""
    known = frames["items"]["id"]
    for column in (frames["bom"]["parent"], frames["bom"]["child"], frames["sourcing"]["item"]):
        unknown = column[~column.isin(known)]
        if len(unknown):
            return str(unknown.iloc[0])
    return ""


def _insert_parts(connection: sqlite3.Connection, key: int, parts: Sequence[SheetPart], format_: str) -> None:
    """Insert a chain's stored parts; the data go to SQLite as buffers, not copied into bytes."""
    connection.executemany(
        "INSERT INTO chain_sheets (chain_key, sheet, part, n_rows, format, data) VALUES (?, ?, ?, ?, ?, ?)",
        [(key, p.sheet, p.part, p.n_rows, format_, memoryview(p.data)) for p in parts],
    )
