"""The observatory server's store: PostgreSQL (or one SQLite file) shared by many organisations.

:class:`ServerStore` holds the accounts, session tokens, login attempts, the append-only audit
table and background jobs; :meth:`ServerStore.scoped` gives one organisation's view, a
:class:`OrgStore`, that implements the :class:`~ketenradar.storage.base.Store` protocol over
that organisation's chains, surveys, snapshots and key figures only. Names and version numbers
are per organisation, so nothing another organisation stores changes what one sees.

Every write is one transaction: its version number is assigned inside it (the organisation's
row is locked on PostgreSQL; SQLite writers take the write lock up front) and its audit row is
written in the same transaction, so a write that fails leaves neither data nor an "ok" row.
Chain sheets use the encoding of the SQLite workspace (:mod:`ketenradar.storage.chain_columns`).
The schema is made by Alembic migrations (:meth:`ServerStore.upgrade`).

SQL is built with SQLAlchemy Core expressions only, always with bound parameters.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError, SQLAlchemyError

from ketenradar.errors import (
    ChainNotFound,
    DatabaseUnavailable,
    KetenradarError,
    NotFound,
    SnapshotExists,
    SnapshotNotFound,
    SurveyNotFound,
    UserExists,
    UserNotFound,
)
from ketenradar.locale import _
from ketenradar.model.chain import Chain
from ketenradar.model.material import Material
from ketenradar.model.survey import Survey
from ketenradar.storage import server_tables as t
from ketenradar.storage.base import ChainVersion, SnapshotInfo
from ketenradar.storage.chain_cache import ChainCache
from ketenradar.storage.frames import FRAME_FORMAT, decode_frame, decode_survey, encode_frame, encode_survey

if TYPE_CHECKING:
    from ketenradar.storage.chain_columns import SheetPart

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "OBSERVATORY",
    "ROLES",
    "AuditRecord",
    "OrgStore",
    "ServerStore",
    "UserRecord",
    "mask_url",
]

ROLES = ("admin", "analyst", "company")
# The organisation of administrators and analysts added without one.
OBSERVATORY = "observatory"
# How long a SQLite writer waits for another's transaction before giving up.
BUSY_TIMEOUT_SECONDS = 30.0
# The key of the PostgreSQL advisory lock that lets one process at a time run the migrations.
MIGRATION_LOCK = 0x4B526472
# Alembic finds the migrations in the package, so no alembic.ini is needed.
MIGRATIONS = "ketenradar.storage:migrations"
# The newest migration in MIGRATIONS (tests check that it is Alembic's head).
HEAD_REVISION = "0001"
# Alembic keeps its migration context in module globals: one migration at a time per process.
_MIGRATING = threading.Lock()

_MATERIAL_COLUMNS = ("id", "name_en", "name_nl", "category", "note", "source")
_FIGURE_COLUMNS = ("metric", "year", "value", "unit", "qualifier", "source", "note", "file")

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class UserRecord:
    """One user of the server: name, role, organisation, whether disabled and when created (UTC)."""

    id: int
    name: str
    role: str
    organisation: str
    disabled: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One row of the append-only audit table: who did what to which target, when, and how it went."""

    id: int
    at: str
    user: str
    organisation: str
    action: str
    target: str
    outcome: str
    detail: str


def mask_url(url: str) -> str:
    """Return a database URL with its password replaced by ``***`` (also when it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _driver_url(url: str) -> str:
    """Return the URL with psycopg 3 as the PostgreSQL driver (``postgresql://`` names none)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _now() -> datetime:
    """Return the current time as naive UTC, the form every DateTime column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(moment: datetime) -> datetime:
    """Return ``moment`` as naive UTC (a naive ``moment`` is taken to be UTC already)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo is not None else moment


def _iso(moment: datetime, timespec: str = "seconds") -> str:
    """Return a naive UTC time as ISO 8601 text with its offset."""
    return moment.replace(tzinfo=UTC).isoformat(timespec=timespec)


def _stamp() -> str:
    """Return the created-at text of a stored object, as the SQLite workspace writes it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class ServerStore:
    """Accounts, tokens, audit, jobs and every organisation's data in one database.

    ``url`` is ``postgresql://user:password@host/db`` (psycopg 3) or ``sqlite:///FILE``. The
    engine checks a pooled connection before use, so the store keeps working after the database
    restarts. Call :meth:`upgrade` once before use to create or update the tables.
    """

    def __init__(self, url: str) -> None:
        self._display = mask_url(url)
        try:
            parsed = make_url(_driver_url(url))
            self.kind = parsed.get_backend_name()
            if self.kind not in ("postgresql", "sqlite"):
                raise ArgumentError(f"unsupported database {self.kind!r}")
            options: dict[str, Any] = {"pool_pre_ping": True}
            if self.kind == "sqlite":
                # Threads share the pool; the busy timeout makes writers queue instead of failing.
                options["connect_args"] = {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False}
            self._engine = create_engine(parsed, **options)
        except (ArgumentError, NoSuchModuleError, ValueError) as error:
            raise DatabaseUnavailable(
                self._display,
                _("not a database URL ketenradar can use: {reason}; expected {expected}").format(
                    reason=error, expected="postgresql://USER:PASSWORD@HOST/DATABASE, sqlite:///FILE"
                ),
            ) from None
        if self.kind == "sqlite":
            _take_over_sqlite_transactions(self._engine)
        # Connections of this engine write: on SQLite they take the write lock at BEGIN.
        self._writer = self._engine.execution_options(ketenradar_write=True)
        self.chains = ChainCache()

    @property
    def url_for_display(self) -> str:
        """Return the database URL with its password masked."""
        return self._display

    @property
    def engine(self) -> Engine:
        """Return the SQLAlchemy engine (for backups; everything else goes through the methods)."""
        return self._engine

    def dispose(self) -> None:
        """Close the pooled connections (a later call opens new ones)."""
        self._engine.dispose()

    # -- connections --------------------------------------------------------------------------

    def _unavailable(self, error: BaseException) -> DatabaseUnavailable:
        """Return the error to show for a database that cannot be reached or used."""
        cause = getattr(error, "orig", None) or error
        reason = " ".join(str(cause).split()) or type(cause).__name__
        if _is_missing_schema(error):
            reason = _(
                "it holds no ketenradar tables; the database has not been set up for ketenradar ({reason})"
            ).format(reason=reason)
        return DatabaseUnavailable(self._display, reason)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """Yield a connection for reading (its transaction is rolled back at the end)."""
        try:
            with self._engine.connect() as connection:
                yield connection
        except DBAPIError as error:
            if isinstance(error, IntegrityError) or not _is_unavailable(error):
                raise
            raise self._unavailable(error) from error

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """Yield a connection in a write transaction, committed at the end or rolled back on error."""
        try:
            with self._writer.begin() as connection:
                yield connection
        except DBAPIError as error:
            if isinstance(error, IntegrityError) or not _is_unavailable(error):
                raise
            raise self._unavailable(error) from error

    # -- schema -------------------------------------------------------------------------------

    def upgrade(self) -> None:
        """Create or update the tables (``alembic upgrade head``); safe to run twice or at once."""
        if self._at_head():
            return  # the common case (every command, every server start): Alembic is not even imported
        from alembic import command
        from alembic.config import Config
        from alembic.util import CommandError

        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        url = self._engine.url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        postgresql = self.kind == "postgresql"
        try:
            with _MIGRATING, self._writer.connect() as connection:
                if postgresql:
                    # One process migrates, the others wait and then find nothing left to do.
                    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                    connection.commit()
                try:
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    connection.commit()
                finally:
                    if postgresql:
                        connection.rollback()
                        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                        connection.commit()
        except CommandError as error:
            raise KetenradarError(
                _(
                    "the database {url} was made by a newer version of ketenradar ({reason}); "
                    "update ketenradar to use it"
                ).format(url=self._display, reason=error)
            ) from None
        except DBAPIError as error:
            if not _is_unavailable(error):
                raise
            raise self._unavailable(error) from error

    def _at_head(self) -> bool:
        """Return whether the database is already at the newest migration (read-only, no Alembic)."""
        try:
            with self._engine.connect() as connection:
                if not inspect(connection).has_table("alembic_version"):
                    return False
                found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError as error:
            if _is_unavailable(error):
                raise self._unavailable(error) from error
            # E.g. SQLite busy while another process migrates: the locked migration path waits for it.
            return False
        return list(found) == [HEAD_REVISION]

    # -- organisations and users --------------------------------------------------------------

    def scoped(self, organisation: str, *, user: str = "") -> OrgStore:
        """Return a store that sees and writes only ``organisation``'s data, auditing as ``user``."""
        return OrgStore(self, organisation, user)

    def add_organisation(self, name: str) -> None:
        """Add an organisation; nothing happens if it exists."""
        with self._writing() as connection:
            _organisation_for_write(connection, name, lock=False)

    def organisations(self) -> list[str]:
        """Return the names of every organisation, sorted."""
        with self._reading() as connection:
            rows = connection.execute(select(t.organisations.c.name).order_by(t.organisations.c.name))
            return [str(name) for (name,) in rows]

    def add_user(self, name: str, role: str, organisation: str, password_hash: str) -> UserRecord:
        """Add a user to an organisation (created if new); raise UserExists if the name is taken."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        if (role == "company") == (organisation == OBSERVATORY):
            # Analysts and administrators work in the observatory; a company user in a company:
            # an analyst in a company would read its raw data, a company user the observatory's.
            raise ValueError(
                f"a {role} user belongs to {'a company' if role == 'company' else OBSERVATORY!r}, "
                f"not to {organisation!r}"
            )
        created = _now()
        try:
            with self._writing() as connection:
                if _user_row(connection, name) is not None:
                    raise UserExists(name)
                org_id = _organisation_for_write(connection, organisation, lock=False)
                key = connection.execute(
                    insert(t.users).values(
                        name=name,
                        role=role,
                        organisation_id=org_id,
                        password_hash=password_hash,
                        disabled=False,
                        created_at=created,
                    )
                ).inserted_primary_key
        except IntegrityError:
            # Another process added the same name between the check and the insert.
            raise UserExists(name) from None
        assert key is not None
        return UserRecord(int(key[0]), name, role, organisation, False, _iso(created))

    def list_users(self) -> list[UserRecord]:
        """Return every user, by name."""
        with self._reading() as connection:
            rows = connection.execute(_USER_SELECT.order_by(t.users.c.name)).all()
        return [_user_record(row) for row in rows]

    def disable_user(self, name: str) -> UserRecord:
        """Disable a user and revoke its tokens; raise UserNotFound."""
        with self._writing() as connection:
            row = _user_row(connection, name)
            if row is None:
                raise UserNotFound(name)
            connection.execute(update(t.users).where(t.users.c.id == row.id).values(disabled=True))
            connection.execute(delete(t.tokens).where(t.tokens.c.user_id == row.id))
            row = _user_row(connection, name)
        assert row is not None
        return _user_record(row)

    def user_with_hash(self, name: str) -> tuple[UserRecord, str] | None:
        """Return a user and its password hash, or None if there is no user of that name."""
        with self._reading() as connection:
            row = _user_row(connection, name)
        return None if row is None else (_user_record(row), str(row.password_hash))

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace a user's password hash; raise UserNotFound."""
        with self._writing() as connection:
            changed = connection.execute(
                update(t.users).where(t.users.c.name == name).values(password_hash=password_hash)
            ).rowcount
            if not changed:
                raise UserNotFound(name)

    # -- tokens -------------------------------------------------------------------------------

    def add_token(self, token_digest: str, user_id: int, expires_at: datetime) -> None:
        """Store a session token's digest for a user until ``expires_at`` (expired ones are dropped)."""
        now = _now()
        with self._writing() as connection:
            connection.execute(delete(t.tokens).where(t.tokens.c.expires_at <= now))
            connection.execute(
                insert(t.tokens).values(
                    digest=token_digest, user_id=user_id, created_at=now, expires_at=_naive_utc(expires_at)
                )
            )

    def user_for_token(self, token_digest: str, now: datetime) -> UserRecord | None:
        """Return the user of a token; None if the token is unknown, expired or its user disabled."""
        query = _USER_SELECT.join(t.tokens, t.tokens.c.user_id == t.users.c.id).where(
            t.tokens.c.digest == token_digest,
            t.tokens.c.expires_at > _naive_utc(now),
            t.users.c.disabled.is_(False),
        )
        with self._reading() as connection:
            row = connection.execute(query).first()
        return None if row is None else _user_record(row)

    def revoke_token(self, token_digest: str) -> None:
        """Forget a session token (nothing happens if it is unknown)."""
        with self._writing() as connection:
            connection.execute(delete(t.tokens).where(t.tokens.c.digest == token_digest))

    # -- login attempts -----------------------------------------------------------------------

    def record_login(self, name: str, client: str, success: bool, at: datetime) -> int:
        """Record one login attempt of a user name from a client address; return its key."""
        with self._writing() as connection:
            key = connection.execute(
                insert(t.login_attempts).values(
                    name=_printable(name), client=_printable(client), success=success, at=_naive_utc(at)
                )
            ).inserted_primary_key
        assert key is not None
        return int(key[0])

    def settle_login(self, attempt: int, success: bool) -> None:
        """Set the outcome of an attempt recorded before its password was checked."""
        with self._writing() as connection:
            connection.execute(
                update(t.login_attempts).where(t.login_attempts.c.id == attempt).values(success=success)
            )

    def failed_logins_since(self, name: str, client: str, since: datetime) -> int:
        """Return the failed logins since ``since`` for that user name or from that client."""
        query = select(func.count()).where(
            t.login_attempts.c.success.is_(False),
            t.login_attempts.c.at >= _naive_utc(since),
            or_(t.login_attempts.c.name == _printable(name), t.login_attempts.c.client == _printable(client)),
        )
        with self._reading() as connection:
            return int(connection.execute(query).scalar_one())

    # -- audit --------------------------------------------------------------------------------

    def append_audit(
        self, user: str, organisation: str, action: str, target: str, outcome: str, detail: str = ""
    ) -> None:
        """Append one row to the audit table (its own transaction)."""
        with self._writing() as connection:
            _insert_audit(connection, user, organisation, action, target, outcome, detail)

    def audit(
        self,
        *,
        user: str | None = None,
        organisation: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[AuditRecord]:
        """Return the audit rows that match every filter given, oldest first (the latest ``limit``)."""
        conditions = []
        if user is not None:
            conditions.append(t.audit.c.user_name == user)
        if organisation is not None:
            conditions.append(t.audit.c.organisation == organisation)
        if action is not None:
            conditions.append(t.audit.c.action == action)
        if since is not None:
            conditions.append(t.audit.c.at >= _naive_utc(since))
        query = select(t.audit).where(and_(True, *conditions)).order_by(t.audit.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self._reading() as connection:
            rows = connection.execute(query).all()
        return [
            AuditRecord(
                int(row.id),
                _iso(row.at, "milliseconds"),
                row.user_name,
                row.organisation,
                row.action,
                row.target,
                row.outcome,
                row.detail,
            )
            for row in reversed(rows)
        ]

    # -- across organisations -----------------------------------------------------------------

    def latest_survey_keys(self) -> tuple[int, ...]:
        """Return the keys of each organisation's most recent answers: what an aggregate is made of.

        Stored answers never change, so an aggregate computed for these keys stays right until a
        new submission changes them.
        """
        s = t.surveys
        query = select(func.max(s.c.survey_key)).group_by(s.c.organisation_id)
        with self._reading() as connection:
            return tuple(sorted(int(k) for k in connection.execute(query).scalars()))

    def latest_surveys(self, before: int | None = None) -> list[tuple[str, Survey]]:
        """Return (organisation, survey): each organisation's most recently submitted answers.

        One survey per organisation, so a company that submits under several names (or a name
        again) counts once in an aggregate, with its newest answers. ``before``: as they stood
        before the submission with that key (the aggregate's previous release).
        """
        s, o = t.surveys, t.organisations
        submitted = select(s.c.organisation_id, func.max(s.c.survey_key).label("survey_key"))
        if before is not None:
            submitted = submitted.where(s.c.survey_key < before)
        newest = submitted.group_by(s.c.organisation_id).subquery()
        query = (
            select(o.c.name.label("organisation"), s.c.name, s.c.source, s.c.synthetic, s.c.answers)
            .join(o, o.c.id == s.c.organisation_id)
            .join(newest, newest.c.survey_key == s.c.survey_key)
            .order_by(o.c.name)
        )
        with self._reading() as connection:
            rows = connection.execute(query).all()
        return [
            (str(row.organisation), decode_survey(row.name, row.source, bool(row.synthetic), row.answers))
            for row in rows
        ]

    # -- jobs ---------------------------------------------------------------------------------

    def save_job(self, job_id: str, organisation: str, kind: str, state: dict[str, Any]) -> None:
        """Store (or replace) a background job's state as JSON, for every server process to see."""
        document = json.dumps(state)
        now = _now()
        with self._writing() as connection:
            org_id = _organisation_for_write(connection, organisation, lock=False)
            owner = connection.execute(
                select(t.jobs.c.organisation_id).where(t.jobs.c.id == job_id)
            ).scalar_one_or_none()
            if owner is None:
                connection.execute(
                    insert(t.jobs).values(
                        id=job_id, organisation_id=org_id, kind=kind, state=document, updated_at=now
                    )
                )
            elif owner == org_id:
                connection.execute(
                    update(t.jobs)
                    .where(t.jobs.c.id == job_id)
                    .values(kind=kind, state=document, updated_at=now)
                )
            else:
                # Job ids are random; one that another organisation holds is never taken over.
                raise ValueError(f"job id {job_id!r} belongs to another organisation")

    def load_job(self, job_id: str, organisation: str) -> dict[str, Any] | None:
        """Return a job's state; None if there is no such job or it belongs to another organisation."""
        if _has_nul(job_id):
            return None
        query = (
            select(t.jobs.c.state)
            .join(t.organisations, t.organisations.c.id == t.jobs.c.organisation_id)
            .where(t.jobs.c.id == job_id, t.organisations.c.name == organisation)
        )
        with self._reading() as connection:
            document = connection.execute(query).scalar_one_or_none()
        if document is None:
            return None
        state: dict[str, Any] = json.loads(document)
        return state


class OrgStore:
    """One organisation's chains, surveys, snapshots and key figures (the Store protocol), audited.

    Every method appends an audit row (user, organisation, action, target, outcome); a write's
    row is written in the write's own transaction. Actions: ``chain.write``, ``chain.list``,
    ``chain.versions``, ``chain.read``, ``chain.materials``, ``survey.write``, ``survey.read``,
    ``survey.versions``, ``snapshot.write``, ``snapshot.list``, ``snapshot.read``,
    ``key_figures.write``, ``key_figures.read``; outcomes ``ok``, ``not_found``, ``error``.
    """

    def __init__(self, server: ServerStore, organisation: str, user: str = "") -> None:
        self.server = server
        self.organisation = organisation
        self.user = user

    @property
    def cache_key(self) -> str:
        """Return what tells this organisation's data apart from any other's (for cached results)."""
        return f"{self.server.url_for_display}#org={self.organisation}"

    # -- the audited transactions ---------------------------------------------------------------

    def _write(self, action: str, target: str, work: Callable[[Connection, int], tuple[_T, str]]) -> _T:
        """Run ``work`` in one write transaction with the organisation locked, and audit it."""
        try:
            with self.server._writing() as connection:
                org_id = _organisation_for_write(connection, self.organisation, lock=True)
                result, target = work(connection, org_id)
                _insert_audit(connection, self.user, self.organisation, action, target, "ok", "")
        except Exception as error:
            self._audit_failure(action, target, error)
            raise
        return result

    def _read(self, action: str, target: str, work: Callable[[Connection, int | None], tuple[_T, str]]) -> _T:
        """Run ``work`` on a reading connection (``None``: the organisation has no data), and audit it."""
        try:
            with self.server._reading() as connection:
                # A name with a NUL names nothing stored: looked up as in an organisation without data.
                org_id = None if _has_nul(target) else _organisation_id(connection, self.organisation)
                result, target = work(connection, org_id)
        except Exception as error:
            self._audit_failure(action, target, error)
            raise
        self.server.append_audit(self.user, self.organisation, action, target, "ok")
        return result

    def _audit_failure(self, action: str, target: str, error: Exception) -> None:
        """Append the audit row of a failed call (after its transaction was rolled back)."""
        outcome = "not_found" if isinstance(error, NotFound) else "error"
        if isinstance(error, DatabaseUnavailable):
            return  # the row could not be written either
        # The caller must see the error of the call, not that of its audit row.
        with suppress(SQLAlchemyError, KetenradarError):
            self.server.append_audit(
                self.user, self.organisation, action, target, outcome, type(error).__name__
            )

    # -- chains -------------------------------------------------------------------------------

    def save_chain(self, chain: Chain, materials: Iterable[Material] = ()) -> ChainVersion:
        """Store the chain as the next version of its name in this organisation; return that version."""
        from ketenradar.storage.chain_columns import SHEET_FORMAT, encode_chain

        created = _stamp()
        # Encoded before the transaction, so other writers wait less.
        parts = encode_chain(chain)
        used = set(chain.items.loc[chain.items["kind"] == "material", "material"].unique())
        kept = {m.id: m for m in materials if m.id in used}
        material_rows = [{c: getattr(m, c) for c in _MATERIAL_COLUMNS} for m in kept.values()]

        def work(connection: Connection, org_id: int) -> tuple[ChainVersion, str]:
            version = _next_version(connection, t.chains, org_id, chain.name)
            key = connection.execute(
                insert(t.chains).values(
                    organisation_id=org_id,
                    name=chain.name,
                    version=version,
                    created_at=created,
                    source=chain.source,
                )
            ).inserted_primary_key
            assert key is not None
            _insert_parts(connection, int(key[0]), parts, SHEET_FORMAT)
            _insert_materials(connection, int(key[0]), material_rows)
            saved = ChainVersion(
                chain.name,
                version,
                created,
                chain.source,
                len(chain.items),
                len(chain.bom),
                len(chain.sourcing),
            )
            return saved, f"{chain.name}@{version}"

        return self._write("chain.write", chain.name, work)

    def list_chains(self) -> list[ChainVersion]:
        """Return the latest version of every chain of this organisation, by name."""

        def work(connection: Connection, org_id: int | None) -> tuple[list[ChainVersion], str]:
            if org_id is None:
                return [], ""
            c = t.chains
            latest = (
                select(c.c.name, func.max(c.c.version).label("version"))
                .where(c.c.organisation_id == org_id)
                .group_by(c.c.name)
                .subquery()
            )
            query = (
                _version_select()
                .join(latest, and_(latest.c.name == c.c.name, latest.c.version == c.c.version))
                .where(c.c.organisation_id == org_id)
                .order_by(c.c.name)
            )
            return [ChainVersion(*row) for row in connection.execute(query)], ""

        return self._read("chain.list", "", work)

    def versions(self, name: str) -> list[ChainVersion]:
        """Return every version of one chain, oldest first; raise ChainNotFound."""

        def work(connection: Connection, org_id: int | None) -> tuple[list[ChainVersion], str]:
            c = t.chains
            query = (
                _version_select().where(c.c.organisation_id == org_id, c.c.name == name).order_by(c.c.version)
            )
            found = [ChainVersion(*row) for row in connection.execute(query)] if org_id is not None else []
            if not found:
                raise ChainNotFound(name)
            return found, name

        return self._read("chain.versions", name, work)

    def load_chain(self, name: str, version: int | None = None) -> Chain:
        """Return a stored chain (the latest version unless one is given); raise ChainNotFound."""
        from ketenradar.storage.chain_columns import SHEET_FORMAT, read_chain

        def work(connection: Connection, org_id: int | None) -> tuple[Chain, str]:
            key, source, stored_version = _find_chain(connection, org_id, name, version)

            def streams_of(sheet: str) -> Iterator[bytes]:
                # One part at a time: each is decoded before the next is fetched.
                rows = connection.execution_options(yield_per=1).execute(
                    select(t.chain_sheets.c.format, t.chain_sheets.c.data)
                    .where(t.chain_sheets.c.chain_key == key, t.chain_sheets.c.sheet == sheet)
                    .order_by(t.chain_sheets.c.part)
                )
                for stored_format, data in rows:
                    if stored_format != SHEET_FORMAT:
                        raise self._newer()
                    yield data

            # A chain key with its name and version names one stored version for good.
            chain = self.server.chains.get(
                (key, name, stored_version, source),
                lambda: read_chain(name, streams_of, source=source, version=stored_version),
            )
            return chain, f"{name}@{stored_version}"

        return self._read("chain.read", _target(name, version), work)

    def chain_materials(self, name: str, version: int | None = None) -> tuple[Material, ...]:
        """Return the extra catalogue materials kept with a stored chain; raise ChainNotFound."""

        def work(connection: Connection, org_id: int | None) -> tuple[tuple[Material, ...], str]:
            key, _source, stored_version = _find_chain(connection, org_id, name, version)
            m = t.chain_materials
            rows = connection.execute(
                select(*(m.c[c] for c in _MATERIAL_COLUMNS)).where(m.c.chain_key == key).order_by(m.c.id)
            ).all()
            found = tuple(Material(**dict(zip(_MATERIAL_COLUMNS, row, strict=True))) for row in rows)
            return found, f"{name}@{stored_version}"

        return self._read("chain.materials", _target(name, version), work)

    # -- surveys ------------------------------------------------------------------------------

    def save_survey(self, survey: Survey) -> int:
        """Store questionnaire answers as the next version of their name; return the version."""
        created = _stamp()
        answers = encode_survey(survey)

        def work(connection: Connection, org_id: int) -> tuple[int, str]:
            version = _next_version(connection, t.surveys, org_id, survey.name)
            connection.execute(
                insert(t.surveys).values(
                    organisation_id=org_id,
                    name=survey.name,
                    version=version,
                    created_at=created,
                    source=survey.source,
                    synthetic=bool(survey.synthetic),
                    answers=answers,
                )
            )
            return version, f"{survey.name}@{version}"

        return self._write("survey.write", survey.name, work)

    def load_survey(self, name: str, version: int | None = None) -> Survey:
        """Return a stored survey (the latest version unless one is given); raise SurveyNotFound."""

        def work(connection: Connection, org_id: int | None) -> tuple[Survey, str]:
            s = t.surveys
            query = select(s.c.version, s.c.source, s.c.synthetic, s.c.answers).where(
                s.c.organisation_id == org_id, s.c.name == name
            )
            query = (
                query.order_by(s.c.version.desc()).limit(1)
                if version is None
                else query.where(s.c.version == version)
            )
            row = connection.execute(query).first() if org_id is not None else None
            if row is None:
                raise SurveyNotFound(name)
            found = decode_survey(name, row.source, bool(row.synthetic), row.answers)
            return found, f"{name}@{row.version}"

        return self._read("survey.read", _target(name, version), work)

    def survey_versions(self, name: str) -> list[int]:
        """Return the stored version numbers of a survey, oldest first (empty if none)."""

        def work(connection: Connection, org_id: int | None) -> tuple[list[int], str]:
            s = t.surveys
            query = (
                select(s.c.version)
                .where(s.c.organisation_id == org_id, s.c.name == name)
                .order_by(s.c.version)
            )
            found = [int(v) for v in connection.execute(query).scalars()] if org_id is not None else []
            return found, name

        return self._read("survey.versions", name, work)

    def list_surveys(self) -> list[str]:
        """Return the names of the organisation's stored surveys, sorted."""

        def work(connection: Connection, org_id: int | None) -> tuple[list[str], str]:
            s = t.surveys
            query = select(s.c.name).where(s.c.organisation_id == org_id).distinct().order_by(s.c.name)
            found = [str(v) for v in connection.execute(query).scalars()] if org_id is not None else []
            return found, ""

        return self._read("survey.list", "", work)

    # -- snapshots and key figures ------------------------------------------------------------

    def save_snapshot(self, name: str | None, parts: Mapping[str, pd.DataFrame]) -> SnapshotInfo:
        """Store named frames as one snapshot (``None``: ``snapshot-N``); raise SnapshotExists."""
        created = _stamp()
        encoded = [(part, encode_frame(frame)) for part, frame in parts.items()]

        def work(connection: Connection, org_id: int) -> tuple[SnapshotInfo, str]:
            s = t.snapshots
            if name is not None and _snapshot_key(connection, org_id, name) is not None:
                raise SnapshotExists(name)
            if name is None:
                # Numbered by this organisation's snapshots only: another's tell nothing here.
                count = connection.execute(
                    select(func.count()).where(s.c.organisation_id == org_id)
                ).scalar_one()
                chosen = _free_name(connection, org_id, int(count) + 1)
            else:
                chosen = name
            key = connection.execute(
                insert(s).values(organisation_id=org_id, name=chosen, created_at=created)
            ).inserted_primary_key
            assert key is not None
            if encoded:
                connection.execute(
                    insert(t.snapshot_parts),
                    [
                        {"snapshot_key": key[0], "part": part, "format": FRAME_FORMAT, "data": data}
                        for part, data in encoded
                    ],
                )
            return SnapshotInfo(chosen, created, tuple(parts)), chosen

        return self._write("snapshot.write", name or "", work)

    def list_snapshots(self) -> list[SnapshotInfo]:
        """Return every snapshot of this organisation, oldest first."""

        def work(connection: Connection, org_id: int | None) -> tuple[list[SnapshotInfo], str]:
            if org_id is None:
                return [], ""
            s, p = t.snapshots, t.snapshot_parts
            rows = connection.execute(
                select(s.c.snapshot_key, s.c.name, s.c.created_at, p.c.part)
                .outerjoin(p, p.c.snapshot_key == s.c.snapshot_key)
                .where(s.c.organisation_id == org_id)
                .order_by(s.c.snapshot_key, p.c.part)
            ).all()
            found: dict[int, tuple[str, str, list[str]]] = {}
            for key, snapshot, created, part in rows:
                found.setdefault(key, (snapshot, created, []))[2].extend([part] if part is not None else [])
            infos = [SnapshotInfo(n, c, tuple(ps)) for n, c, ps in found.values()]
            return infos, ""

        return self._read("snapshot.list", "", work)

    def load_snapshot(self, name: str) -> tuple[SnapshotInfo, dict[str, pd.DataFrame]]:
        """Return a stored snapshot's record and frames; raise SnapshotNotFound."""

        def work(
            connection: Connection, org_id: int | None
        ) -> tuple[tuple[SnapshotInfo, dict[str, pd.DataFrame]], str]:
            s, p = t.snapshots, t.snapshot_parts
            found = (
                connection.execute(
                    select(s.c.snapshot_key, s.c.created_at).where(
                        s.c.organisation_id == org_id, s.c.name == name
                    )
                ).first()
                if org_id is not None
                else None
            )
            if found is None:
                raise SnapshotNotFound(name)
            rows = connection.execute(
                select(p.c.part, p.c.format, p.c.data)
                .where(p.c.snapshot_key == found.snapshot_key)
                .order_by(p.c.part)
            ).all()
            frames = {}
            for part, stored_format, data in rows:
                if stored_format != FRAME_FORMAT:
                    raise self._newer()
                frames[str(part)] = decode_frame(data)
            return (SnapshotInfo(name, str(found.created_at), tuple(frames)), frames), name

        return self._read("snapshot.read", name, work)

    def add_key_figures(self, figures: pd.DataFrame) -> int:
        """Store key-figure rows (metric, year, value, unit, source ...) in one transaction."""
        added = _stamp()
        columns = [figures[c].to_numpy(dtype=object) for c in _FIGURE_COLUMNS]
        rows = [
            {
                "metric": str(m),
                "year": int(y),
                "value": float(v),
                "unit": str(u),
                "qualifier": str(q),
                "source": str(s),
                "note": str(n),
                "file": str(f),
                "added_at": added,
            }
            for m, y, v, u, q, s, n, f in zip(*columns, strict=True)
        ]

        def work(connection: Connection, org_id: int) -> tuple[int, str]:
            if rows:
                connection.execute(insert(t.key_figures), [{**r, "organisation_id": org_id} for r in rows])
            return len(rows), str(len(rows))

        return self._write("key_figures.write", "", work)

    def key_figures(self) -> pd.DataFrame:
        """Return the key-figure rows this organisation added, in the order they were added."""

        def work(connection: Connection, org_id: int | None) -> tuple[pd.DataFrame, str]:
            k = t.key_figures
            names = (*_FIGURE_COLUMNS, "added_at")
            rows = (
                connection.execute(
                    select(*(k.c[c] for c in names))
                    .where(k.c.organisation_id == org_id)
                    .order_by(k.c.figure_key)
                ).all()
                if org_id is not None
                else []
            )
            # As the workspace returns them: text columns inferred (str), or object when empty.
            frame = pd.DataFrame(
                [tuple(row) for row in rows], columns=list(names), dtype=None if rows else object
            )
            frame["year"] = frame["year"].astype("Int64")
            frame["value"] = frame["value"].astype(np.float64)
            return frame, ""

        return self._read("key_figures.read", "", work)

    def _newer(self) -> KetenradarError:
        """Return the refusal of data stored by a later ketenradar."""
        return KetenradarError(
            _("the database {url} holds data of a newer version of ketenradar; update ketenradar").format(
                url=self.server.url_for_display
            )
        )


# -- SQLite transactions ------------------------------------------------------------------------


def _take_over_sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not Python's sqlite3, begin transactions: writers with BEGIN IMMEDIATE.

    A writer that takes the write lock at BEGIN reads the latest version under that lock, so two
    imports get n and n+1; a deferred transaction would fail on the upgrade from reader to writer.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                # Readers never wait for a writer (persistent in the file).
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get("ketenradar_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _is_unavailable(error: DBAPIError) -> bool:
    """Return whether a driver error says the database cannot be reached or used (not a bug)."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    unusable = isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated
    return unusable or _is_missing_schema(error)


def _is_missing_schema(error: BaseException) -> bool:
    """Return whether a driver error says a table is missing (a database never upgraded)."""
    cause = getattr(error, "orig", None)
    # 42P01: PostgreSQL's undefined_table; SQLite says it in words.
    return getattr(cause, "sqlstate", None) == "42P01" or "no such table" in str(cause)


# -- shared queries -----------------------------------------------------------------------------


def _organisation_id(connection: Connection, name: str) -> int | None:
    """Return the key of an organisation, or None if it has none yet."""
    found = connection.execute(
        select(t.organisations.c.id).where(t.organisations.c.name == name)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def _organisation_for_write(connection: Connection, name: str, *, lock: bool) -> int:
    """Return the key of an organisation, adding it if new; ``lock``: hold its row until commit.

    On PostgreSQL the lock serialises one organisation's writers, so each reads the latest
    version number only once the previous writer has committed.
    """
    o = t.organisations
    query = select(o.c.id).where(o.c.name == name)
    if lock:
        query = query.with_for_update()
    found = connection.execute(query).scalar_one_or_none()
    if found is None:
        dialect_insert = _dialect_insert(connection)
        connection.execute(
            dialect_insert(o)
            .values(name=name, created_at=_now())
            .on_conflict_do_nothing(index_elements=["name"])
        )
        found = connection.execute(query).scalar_one()
    return int(found)


def _dialect_insert(connection: Connection) -> Any:
    """Return the INSERT construct of the connection's database (for ON CONFLICT)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _next_version(connection: Connection, table: Any, org_id: int, name: str) -> int:
    """Return the next version number of a name in one organisation (inside the write transaction)."""
    latest = connection.execute(
        select(func.coalesce(func.max(table.c.version), 0)).where(
            table.c.organisation_id == org_id, table.c.name == name
        )
    ).scalar_one()
    return int(latest) + 1


def _insert_parts(connection: Connection, key: int, parts: Sequence[SheetPart], format_: str) -> None:
    """Insert a chain's stored parts (one statement, executed for all parts)."""
    connection.execute(
        insert(t.chain_sheets),
        [
            {
                "chain_key": key,
                "sheet": p.sheet,
                "part": p.part,
                "n_rows": p.n_rows,
                "format": format_,
                "data": memoryview(p.data),
            }
            for p in parts
        ],
    )


def _insert_materials(connection: Connection, key: int, rows: list[dict[str, str]]) -> None:
    """Insert the catalogue materials kept with a chain version."""
    if rows:
        connection.execute(insert(t.chain_materials), [{"chain_key": key, **row} for row in rows])


def _find_chain(
    connection: Connection, org_id: int | None, name: str, version: int | None
) -> tuple[int, str, int]:
    """Return the key, source and version of a stored chain (the latest unless ``version`` is given)."""
    c = t.chains
    query = select(c.c.chain_key, c.c.source, c.c.version).where(
        c.c.organisation_id == org_id, c.c.name == name
    )
    query = (
        query.order_by(c.c.version.desc()).limit(1)
        if version is None
        else query.where(c.c.version == version)
    )
    found = connection.execute(query).first() if org_id is not None else None
    if found is None:
        raise ChainNotFound(name, version)
    return int(found.chain_key), str(found.source), int(found.version)


def _version_select() -> Select[Any]:
    """Return the SELECT of ChainVersion fields; row counts are those stored with the parts."""
    c, s = t.chains, t.chain_sheets

    def rows_of(sheet: str) -> Any:
        return (
            select(func.coalesce(func.sum(s.c.n_rows), 0))
            .where(s.c.chain_key == c.c.chain_key, s.c.sheet == sheet)
            .scalar_subquery()
        )

    return select(
        c.c.name,
        c.c.version,
        c.c.created_at,
        c.c.source,
        rows_of("items"),
        rows_of("bom"),
        rows_of("sourcing"),
    )


def _snapshot_key(connection: Connection, org_id: int, name: str) -> int | None:
    """Return the key of an organisation's snapshot of that name, or None."""
    s = t.snapshots
    found = connection.execute(
        select(s.c.snapshot_key).where(s.c.organisation_id == org_id, s.c.name == name)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def _free_name(connection: Connection, org_id: int, number: int) -> str:
    """Return ``snapshot-N`` for the first N from ``number`` that the organisation has not used."""
    while _snapshot_key(connection, org_id, f"snapshot-{number}") is not None:
        number += 1
    return f"snapshot-{number}"


def _insert_audit(
    connection: Connection, user: str, organisation: str, action: str, target: str, outcome: str, detail: str
) -> None:
    """Insert one audit row in the connection's transaction (a NUL in any text is written visibly)."""
    connection.execute(
        insert(t.audit).values(
            at=_now(),
            user_name=_printable(user),
            organisation=_printable(organisation),
            action=_printable(action),
            target=_printable(target),
            outcome=_printable(outcome),
            detail=_printable(detail),
        )
    )


def _printable(text: str) -> str:
    """Return text that PostgreSQL can store: a NUL character becomes a visible backslash-zero."""
    return text.replace("\x00", "\\0")


def _has_nul(text: str) -> bool:
    """Return whether a name holds a NUL: no stored name does (PostgreSQL refuses to store one)."""
    return "\x00" in text


def _target(name: str, version: int | None) -> str:
    """Return the audit target of a name and an optional version: ``name`` or ``name@version``."""
    return name if version is None else f"{name}@{version}"


_USER_SELECT = select(
    t.users.c.id,
    t.users.c.name,
    t.users.c.role,
    t.organisations.c.name.label("organisation"),
    t.users.c.disabled,
    t.users.c.created_at,
    t.users.c.password_hash,
).join(t.organisations, t.organisations.c.id == t.users.c.organisation_id)


def _user_row(connection: Connection, name: str) -> Any:
    """Return the row of a user (with organisation name and hash), or None."""
    if _has_nul(name):
        return None
    return connection.execute(_USER_SELECT.where(t.users.c.name == name)).first()


def _user_record(row: Any) -> UserRecord:
    """Return the UserRecord of a row of :data:`_USER_SELECT`."""
    return UserRecord(
        int(row.id),
        str(row.name),
        str(row.role),
        str(row.organisation),
        bool(row.disabled),
        _iso(row.created_at),
    )
