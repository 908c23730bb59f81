"""Backup and restore of the observatory server's database: one portable file for either database.

A backup is a zip file. ``manifest.json`` names the format and its version, the ketenradar
version and the schema revision (Alembic) that wrote it, and for every table of
:data:`ketenradar.storage.server_tables.metadata` (in dependency order) its member, row count,
columns and the SHA-256 of the member. Each member ``tables/NAME.jsonl`` holds one JSON object
per row, ordered by primary key; binary columns are base64 text, times ISO 8601 text (naive
UTC, as the tables keep them), and a float that JSON cannot hold (NaN, ±infinity) is the text
``"NaN"``, ``"Infinity"`` or ``"-Infinity"``. Nothing in the format depends on the database, so a
backup of SQLite restores into PostgreSQL and back.

A restore checks the whole file first (manifest, checksums, row counts, every value against its
column) and reports every problem it finds; then, in one transaction, it refuses a database that
holds any row, inserts the rows with their primary keys, moves PostgreSQL's sequences past the
restored keys and appends a ``restore`` row to the audit log after the restored ones. Any error
rolls the whole restore back: nothing is changed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
from sqlalchemy import (
    BINARY,
    VARBINARY,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from ketenradar.errors import DatabaseUnavailable, InputFileError, OutputRefused, Problem, quoted
from ketenradar.locale import _
from ketenradar.storage import server_tables
from ketenradar.storage.server import OBSERVATORY

if TYPE_CHECKING:
    from ketenradar.storage.server import ServerStore

__all__ = [
    "BACKUP_FORMAT",
    "BACKUP_FORMAT_VERSION",
    "MANIFEST_MEMBER",
    "BackupManifest",
    "BackupResult",
    "BackupTable",
    "RestoreRefused",
    "backup_database",
    "read_manifest",
    "restore_database",
]

BACKUP_FORMAT = "ketenradar-server-backup"
# Raised when the layout of the file changes; a restore refuses a version it does not know.
BACKUP_FORMAT_VERSION = 1
MANIFEST_MEMBER = "manifest.json"
# Rows read from the database, and inserted into it, per round trip.
BATCH_ROWS = 500
# A restore stops collecting problems after this many: a wrong file would otherwise list every row.
MAX_PROBLEMS = 50
# Alembic's own table is written by upgrade(), never backed up or restored.
_SKIPPED_TABLES = frozenset({"alembic_version"})
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


@dataclass(frozen=True, slots=True)
class BackupTable:
    """One table in a backup: its member in the zip, rows, columns and the member's SHA-256."""

    name: str
    member: str
    rows: int
    columns: tuple[str, ...]
    sha256: str

    def to_json(self) -> dict[str, Any]:
        """Return the table's entry of the manifest."""
        return {
            "name": self.name,
            "member": self.member,
            "rows": self.rows,
            "columns": list(self.columns),
            "sha256": self.sha256,
        }


@dataclass(frozen=True, slots=True)
class BackupManifest:
    """What a backup holds: format, versions, the database kind it came from and its tables."""

    format_version: int
    ketenradar_version: str
    schema_revision: str
    created_at: str
    source_dialect: str
    tables: tuple[BackupTable, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the manifest as written into ``manifest.json``."""
        return {
            "format": BACKUP_FORMAT,
            "format_version": self.format_version,
            "ketenradar_version": self.ketenradar_version,
            "schema_revision": self.schema_revision,
            "created_at": self.created_at,
            "source_dialect": self.source_dialect,
            "tables": [table.to_json() for table in self.tables],
        }


@dataclass(frozen=True, slots=True)
class BackupResult:
    """A backup written or restored: the file, the database (password masked) and the manifest."""

    action: str
    file: str
    database: str
    manifest: BackupManifest

    def to_json(self) -> dict[str, Any]:
        """Return the result as the JSON of ``ketenradar backup`` / ``restore``."""
        return {
            "action": self.action,
            "file": self.file,
            "database": self.database,
            "format_version": self.manifest.format_version,
            "ketenradar_version": self.manifest.ketenradar_version,
            "schema_revision": self.manifest.schema_revision,
            "created_at": self.manifest.created_at,
            "source_dialect": self.manifest.source_dialect,
            "tables": [{"name": table.name, "rows": table.rows} for table in self.manifest.tables],
        }


# --- writing -------------------------------------------------------------------------------------


def backup_database(store: ServerStore, path: Path, *, ketenradar_version: str) -> BackupResult:
    """Write every table of the server's database into the backup file ``path``.

    The file is written beside its target and renamed into place at the end, so a failed backup
    leaves no half file; an existing file is replaced only if it is a ketenradar backup itself.
    The tables are read in one transaction (a consistent snapshot on PostgreSQL).
    """
    _check_target(path)
    # A new file of a name nobody can guess, created by this call alone (O_EXCL, mode 0600): a
    # file or link someone placed in the folder beforehand is never written through.
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as stream, _reading(store.engine) as connection:
            manifest = _write_zip(
                connection,
                stream,
                ketenradar_version=ketenradar_version,
                schema_revision=_schema_revision(connection),
            )
        temporary.replace(path)
    except DBAPIError as error:
        raise DatabaseUnavailable(store.url_for_display, _reason(error)) from error
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult("backup", str(path), store.url_for_display, manifest)


def _check_target(path: Path) -> None:
    """Refuse a folder, or an existing file that is not a ketenradar backup."""
    if path.is_dir():
        raise OutputRefused(_("{path} is a folder; expected a file name for the backup").format(path=path))
    if path.exists():
        try:
            read_manifest(path)
        except InputFileError:
            raise OutputRefused(
                _("{path} exists and is not a ketenradar backup; it was left alone").format(path=path)
            ) from None


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in one read transaction, REPEATABLE READ on PostgreSQL (a consistent snapshot)."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        # Nothing is written: the transaction ends in a rollback when the block ends.
        with connection.begin():
            yield connection


def _schema_revision(connection: Connection) -> str:
    """Return the Alembic revision the database is at ("" if it was never upgraded)."""
    from alembic.runtime.migration import MigrationContext

    revision = MigrationContext.configure(connection).get_current_revision()
    return revision or ""


def _tables() -> list[Table]:
    """Return the backed-up tables, parents before the tables that refer to them."""
    return [table for table in server_tables.metadata.sorted_tables if table.name not in _SKIPPED_TABLES]


def _write_zip(
    connection: Connection, stream: BinaryIO, *, ketenradar_version: str, schema_revision: str
) -> BackupManifest:
    """Write each table as a JSON-lines member, then the manifest, to the open file; return the manifest.

    The file is readable by its owner only: it holds every company's data, password hashes included.
    """
    entries = []
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in _tables():
            member = f"tables/{table.name}.jsonl"
            encoders = [(str(column.name), _encoder(column)) for column in table.columns]
            digest = hashlib.sha256()
            rows = 0
            # force_zip64: the member's size is not known before it is written and may pass 2 GiB.
            with archive.open(member, "w", force_zip64=True) as out:
                query = select(table).order_by(*table.primary_key.columns)
                result = connection.execution_options(yield_per=BATCH_ROWS).execute(query)
                for row in result.mappings():
                    line = orjson.dumps({name: encode(row[name]) for name, encode in encoders}) + b"\n"
                    digest.update(line)
                    out.write(line)
                    rows += 1
            entries.append(
                BackupTable(
                    table.name, member, rows, tuple(c.name for c in table.columns), digest.hexdigest()
                )
            )
        manifest = BackupManifest(
            format_version=BACKUP_FORMAT_VERSION,
            ketenradar_version=ketenradar_version,
            schema_revision=schema_revision,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            source_dialect=connection.dialect.name,
            tables=tuple(entries),
        )
        archive.writestr(MANIFEST_MEMBER, orjson.dumps(manifest.to_json(), option=orjson.OPT_INDENT_2))
    return manifest


# --- values: database ↔ JSON ---------------------------------------------------------------------


def _kind(column: Column[Any]) -> str:
    """Return how a column's values travel through JSON (binary, datetime, float, text ...)."""
    column_type = getattr(column.type, "impl_instance", column.type)
    if isinstance(column_type, LargeBinary | BINARY | VARBINARY):
        return "binary"
    if isinstance(column_type, DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Float):
        return "float"
    if isinstance(column_type, Numeric):
        return "decimal"
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, String):
        return "text"
    return "plain"


def _encoder(column: Column[Any]) -> Callable[[Any], Any]:
    """Return the function turning a column's database value into a JSON value."""
    kind = _kind(column)
    if kind == "binary":
        return lambda value: None if value is None else base64.b64encode(bytes(value)).decode("ascii")
    if kind == "datetime":
        return _encode_datetime
    if kind == "date":
        return lambda value: None if value is None else value.isoformat()
    if kind == "float":
        return _encode_float
    if kind == "decimal":
        return lambda value: None if value is None else str(value)
    return lambda value: value


def _encode_datetime(value: datetime | None) -> str | None:
    # The tables keep naive UTC; an aware value (a driver's choice) is written as naive UTC too.
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat()


def _encode_float(value: float | None) -> float | str | None:
    # JSON has no NaN or infinity (orjson would write null, a missing value instead of NaN).
    if value is None or math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


class _BadValue(ValueError):
    """A JSON value that the column cannot hold; the message says what was expected."""


def _decoder(column: Column[Any]) -> Callable[[Any], Any]:
    """Return the function turning a JSON value back into the column's database value."""
    kind = _kind(column)
    nullable = bool(column.nullable)

    def decode(value: Any) -> Any:
        if value is None:
            if not nullable:
                raise _BadValue(_("a value (the column cannot be empty)"))
            return None
        return _DECODERS[kind](value)

    return decode


def _decode_binary(value: Any) -> bytes:
    if not isinstance(value, str):
        raise _BadValue(_("base64 text"))
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _BadValue(_("base64 text")) from None


def _decode_datetime(value: Any) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise _BadValue(_("an ISO 8601 date and time")) from None
    return parsed if parsed.tzinfo is None else parsed.astimezone(UTC).replace(tzinfo=None)


def _decode_date(value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _BadValue(_("an ISO 8601 date")) from None


def _decode_float(value: Any) -> float:
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _BadValue(_("a number"))
    return float(value)


def _decode_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _BadValue(_("a number"))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _BadValue(_("a number")) from None


def _decode_boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _BadValue(_("true or false"))
    return value


def _decode_integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadValue(_("a whole number"))
    return value


def _decode_text(value: Any) -> str:
    if not isinstance(value, str):
        raise _BadValue(_("text"))
    return value


def _decode_plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        raise _BadValue(_("text or a number"))
    return value


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "binary": _decode_binary,
    "datetime": _decode_datetime,
    "date": _decode_date,
    "float": _decode_float,
    "decimal": _decode_decimal,
    "boolean": _decode_boolean,
    "integer": _decode_integer,
    "text": _decode_text,
    "plain": _decode_plain,
}


# --- reading and checking ------------------------------------------------------------------------


def read_manifest(path: Path) -> BackupManifest:
    """Return the manifest of a backup file; raise InputFileError if it is not a ketenradar backup."""
    with _open_zip(path) as archive:
        return _manifest_of(archive, path)


@contextmanager
def _open_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    """Open a backup file as a zip; a missing, unreadable or non-zip file is an InputFileError."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputFileError.single(path, _("the file does not exist")) from None
    except IsADirectoryError:
        raise InputFileError.single(
            path, _("this is a folder"), expected=_("a backup file written by ketenradar")
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError):
        raise InputFileError.single(
            path,
            _("not a ketenradar backup: not a complete zip file (damaged, cut short or another kind)"),
            expected=_("a backup file written by ketenradar"),
        ) from None
    with archive:
        yield archive


def _manifest_of(archive: zipfile.ZipFile, path: Path) -> BackupManifest:
    """Read and check ``manifest.json``; every problem in it is reported at once."""
    file = str(path)
    expected_file = _("a backup file written by ketenradar")
    try:
        document = orjson.loads(archive.read(MANIFEST_MEMBER))
    except KeyError:
        raise InputFileError.single(
            file,
            _("not a ketenradar backup: it has no {member}").format(member=MANIFEST_MEMBER),
            expected=expected_file,
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError, orjson.JSONDecodeError):
        raise InputFileError.single(
            file,
            _("{member} is damaged or not JSON").format(member=MANIFEST_MEMBER),
            expected=expected_file,
        ) from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise InputFileError.single(
            file,
            _("not a ketenradar backup: {member} does not name the format {format!r}").format(
                member=MANIFEST_MEMBER, format=BACKUP_FORMAT
            ),
            expected=expected_file,
        )
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= BACKUP_FORMAT_VERSION:
        raise InputFileError.single(
            file,
            _("the backup's format version is not one this ketenradar reads"),
            value=str(version),
            expected=_("a format version from 1 to {version}; update ketenradar").format(
                version=BACKUP_FORMAT_VERSION
            ),
        )
    problems: list[Problem] = []

    def text(key: str) -> str:
        value = document.get(key)
        if not isinstance(value, str):
            problems.append(
                Problem(
                    file,
                    _("{member}: {key!r} is missing or not text").format(member=MANIFEST_MEMBER, key=key),
                )
            )
            return ""
        return value

    header = {
        key: text(key) for key in ("ketenradar_version", "schema_revision", "created_at", "source_dialect")
    }
    tables = document.get("tables")
    entries: list[BackupTable] = []
    if not isinstance(tables, list):
        problems.append(
            Problem(file, _("{member}: 'tables' is missing or not a list").format(member=MANIFEST_MEMBER))
        )
        tables = []
    for position, entry in enumerate(tables, start=1):
        table = _table_entry(entry)
        if table is None:
            problems.append(
                Problem(
                    file,
                    _("{member}: table entry {n} is incomplete").format(member=MANIFEST_MEMBER, n=position),
                    expected=_("name, member, rows, columns and sha256"),
                )
            )
        else:
            entries.append(table)
    if problems:
        raise InputFileError(problems)
    return BackupManifest(
        format_version=version,
        ketenradar_version=header["ketenradar_version"],
        schema_revision=header["schema_revision"],
        created_at=header["created_at"],
        source_dialect=header["source_dialect"],
        tables=tuple(entries),
    )


def _table_entry(entry: Any) -> BackupTable | None:
    """Return a manifest's table entry, or None if a field is missing or of the wrong type."""
    if not isinstance(entry, dict):
        return None
    name, member, rows, columns, sha256 = (
        entry.get(key) for key in ("name", "member", "rows", "columns", "sha256")
    )
    if not (
        isinstance(name, str)
        and isinstance(member, str)
        and isinstance(rows, int)
        and not isinstance(rows, bool)
        and rows >= 0
        and isinstance(columns, list)
        and all(isinstance(c, str) for c in columns)
        and isinstance(sha256, str)
    ):
        return None
    return BackupTable(name, member, rows, tuple(columns), sha256)


class _Problems:
    """Problems of one backup file, collected up to :data:`MAX_PROBLEMS`."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[Problem] = []

    @property
    def full(self) -> bool:
        """Whether no more problems are collected."""
        return len(self.found) >= MAX_PROBLEMS

    def add(self, message: str, **where: Any) -> None:
        """Record one problem (ignored once the list is full)."""
        if not self.full:
            self.found.append(Problem(file=self.file, message=message, **where))

    def raise_any(self) -> None:
        """Raise InputFileError with every problem recorded, if there is one."""
        if self.found:
            raise InputFileError(self.found)


def _check_against_schema(
    manifest: BackupManifest, tables: Sequence[Table], revision: str, problems: _Problems
) -> None:
    """Record where the backup's revision, tables or columns differ from the database's."""
    if manifest.schema_revision != revision:
        problems.add(
            _(
                "the backup is of database schema {backup!r}, the database is at {database!r}; restore it "
                "with the ketenradar version that wrote it ({version})"
            ).format(backup=manifest.schema_revision, database=revision, version=manifest.ketenradar_version)
        )
        return
    known = {table.name: table for table in tables}
    listed = {entry.name: entry for entry in manifest.tables}
    for name in sorted(known.keys() - listed.keys()):
        problems.add(_("the manifest does not list the table {table!r}").format(table=name))
    for name in sorted(listed.keys() - known.keys()):
        problems.add(_("the manifest lists the unknown table {table!r}").format(table=name))
    for name in sorted(known.keys() & listed.keys()):
        expected = tuple(column.name for column in known[name].columns)
        if set(listed[name].columns) != set(expected):
            problems.add(
                _("the columns of table {table!r} differ from the database's").format(table=name),
                value=", ".join(listed[name].columns),
                expected=", ".join(expected),
            )


def _member_lines(archive: zipfile.ZipFile, entry: BackupTable) -> Iterator[bytes]:
    """Yield the lines of a table's member (a damaged member raises zipfile.BadZipFile)."""
    with archive.open(entry.member) as stream:
        yield from stream


def _check_member(archive: zipfile.ZipFile, entry: BackupTable, table: Table, problems: _Problems) -> None:
    """Record every problem of one table's member: checksum, row count and each value."""
    member = entry.member
    decoders = {str(column.name): _decoder(column) for column in table.columns}
    required = set(decoders)
    digest = hashlib.sha256()
    rows = 0
    try:
        for rows, line in enumerate(_member_lines(archive, entry), start=1):
            digest.update(line)
            if problems.full:
                continue
            _check_row(line, rows, member, decoders, required, problems)
    except KeyError:
        problems.add(_("the member {member} named in the manifest is missing").format(member=member))
        return
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        problems.add(
            _("the member {member} is damaged (its zip checksum does not match)").format(member=member)
        )
        return
    if digest.hexdigest() != entry.sha256:
        problems.add(
            _("the member {member} does not match its SHA-256 in the manifest (changed or damaged)").format(
                member=member
            )
        )
    if rows != entry.rows:
        problems.add(
            _("the member {member} holds {found} rows, the manifest says {expected}").format(
                member=member, found=rows, expected=entry.rows
            )
        )


def _check_row(
    line: bytes,
    number: int,
    member: str,
    decoders: dict[str, Callable[[Any], Any]],
    required: set[str],
    problems: _Problems,
) -> None:
    """Record the problems of one JSON line: not an object, missing or unknown keys, bad values."""
    try:
        row = orjson.loads(line)
    except orjson.JSONDecodeError:
        problems.add(_("not a JSON object"), sheet=member, row=number)
        return
    if not isinstance(row, dict):
        problems.add(_("not a JSON object"), sheet=member, row=number)
        return
    if row.keys() != required:
        problems.add(
            _("the row's fields differ from the table's columns"),
            sheet=member,
            row=number,
            value=", ".join(sorted(row)),
            expected=", ".join(sorted(required)),
        )
        return
    for name, decode in decoders.items():
        try:
            decode(row[name])
        except _BadValue as error:
            problems.add(
                _("the value does not fit the column"),
                sheet=member,
                row=number,
                column=name,
                value=quoted(row[name]),
                expected=str(error),
            )


def _decoded_rows(
    archive: zipfile.ZipFile, entry: BackupTable, table: Table
) -> Iterator[list[dict[str, Any]]]:
    """Yield a checked member's rows as database values, in batches of :data:`BATCH_ROWS`."""
    decoders = [(str(column.name), _decoder(column)) for column in table.columns]
    batch: list[dict[str, Any]] = []
    for line in _member_lines(archive, entry):
        row = orjson.loads(line)
        batch.append({name: decode(row[name]) for name, decode in decoders})
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


# --- restoring -----------------------------------------------------------------------------------


def restore_database(store: ServerStore, path: Path, *, actor: str) -> BackupResult:
    """Restore a backup file into the server's (upgraded, empty) database, in one transaction.

    ``actor`` is who restores, as the audit log names them. Raise InputFileError (naming the
    file) for a file that is not a complete, unchanged ketenradar backup of this schema, and
    OutputRefused for a database that holds any row; either way nothing is changed.
    """
    tables = _tables()
    with _open_zip(path) as archive:
        manifest = _manifest_of(archive, path)
        problems = _Problems(str(path))
        with store.engine.connect() as connection:
            revision = _schema_revision(connection)
        _check_against_schema(manifest, tables, revision, problems)
        problems.raise_any()
        entries = {entry.name: entry for entry in manifest.tables}
        for table in tables:
            _check_member(archive, entries[table.name], table, problems)
        problems.raise_any()
        # ketenradar_write: on SQLite the store's writers take the write lock at BEGIN.
        writer = store.engine.execution_options(ketenradar_write=True)
        try:
            with writer.begin() as connection:
                _refuse_rows(connection, tables, store.url_for_display)
                for table in tables:
                    for batch in _decoded_rows(archive, entries[table.name], table):
                        connection.execute(table.insert(), batch)
                if connection.dialect.name == "postgresql":
                    _reset_sequences(connection, tables)
                connection.execute(
                    server_tables.audit.insert().values(
                        at=datetime.now(UTC).replace(tzinfo=None),
                        user_name=actor,
                        organisation=OBSERVATORY,
                        action="restore",
                        target=path.name,
                        outcome="ok",
                        detail=_restore_detail(manifest),
                    )
                )
        except (IntegrityError, DataError) as error:
            # Rows that pass every check but break a constraint (e.g. a key twice): a bad file.
            raise InputFileError.single(
                path,
                _("the database refused the backup's rows: {reason}").format(reason=_reason(error)),
                expected=_("a backup file written by ketenradar, unchanged"),
            ) from None
        except DBAPIError as error:
            raise DatabaseUnavailable(store.url_for_display, _reason(error)) from error
    return BackupResult("restore", str(path), store.url_for_display, manifest)


def _reason(error: DBAPIError) -> str:
    """Return the database's own message of an error, on one line."""
    cause = error.orig if error.orig is not None else error
    return quoted(" ".join(str(cause).split()), 300)


def _restore_detail(manifest: BackupManifest) -> str:
    """Return the audit detail of a restore: where the backup came from and how many rows it held."""
    rows = sum(table.rows for table in manifest.tables)
    return (
        f"ketenradar {manifest.ketenradar_version}, {manifest.source_dialect}, "
        f"created {manifest.created_at}, {rows} rows"
    )


def _refuse_rows(connection: Connection, tables: Sequence[Table], database: str) -> None:
    """Raise OutputRefused if any table of the database holds a row."""
    counts = {
        table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for table in tables
    }
    filled = {name: count for name, count in counts.items() if count}
    if filled:
        raise RestoreRefused(database, filled)


class RestoreRefused(OutputRefused):
    """The database to restore into holds rows; a restore needs a new, empty database."""

    def __init__(self, database: str, rows: dict[str, int]) -> None:
        self.database = database
        self.rows = dict(rows)
        listed = ", ".join(f"{name}: {count}" for name, count in rows.items())
        super().__init__(
            _(
                "the database {database} is not empty ({rows}); a backup is restored only into a new, "
                "empty database, so nothing was changed"
            ).format(database=database, rows=listed)
        )


def _reset_sequences(connection: Connection, tables: Sequence[Table]) -> None:
    """Move each PostgreSQL sequence past the largest restored key, so new rows get new keys."""
    for table in tables:
        column = table.autoincrement_column
        if column is None:
            continue
        largest = func.max(column)
        # setval(seq, max, true) makes the next value max + 1; on an empty table setval(seq, 1, false).
        connection.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table.name, column.name),
                    func.coalesce(largest, 1),
                    largest.is_not(None),
                )
            ).select_from(table)
        )
