"""The tables of the observatory server's database (PostgreSQL, or SQLite for one machine).

Company data (chains, surveys, snapshots, key figures, jobs) carry the organisation that wrote
them; names and version numbers are unique per organisation only. A chain's sheets are stored
as in the SQLite workspace (:mod:`ketenradar.storage.chain_columns`): integer-coded Arrow parts
in a binary column. ``audit`` is append-only: the migration adds triggers that refuse UPDATE and
DELETE. Times of accounts, tokens, logins, audit and jobs are naive UTC ``DateTime`` values;
the created-at of stored objects is ISO 8601 text, as the workspace keeps it.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "audit",
    "chain_materials",
    "chain_sheets",
    "chains",
    "jobs",
    "key_figures",
    "login_attempts",
    "metadata",
    "organisations",
    "snapshot_parts",
    "snapshots",
    "surveys",
    "tokens",
    "users",
]

# Names of constraints and indexes, the same on both databases (Alembic and backups rely on them).
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created_at", DateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
)

# A session token is kept only as its SHA-256 digest: the database never holds a usable token.
tokens = Table(
    "tokens",
    metadata,
    Column("digest", String(128), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("client", String(200), nullable=False),
    Column("success", Boolean, nullable=False),
    Column("at", DateTime, nullable=False),
    Index(None, "name", "at"),
    Index(None, "client", "at"),
)

# Append-only (triggers in the migration). ``organisation`` is a name, not a key: the row says
# what happened even for a name that never became an organisation.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("user_name", String(200), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("target", Text, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("detail", Text, nullable=False),
    Index(None, "at"),
    Index(None, "user_name"),
    Index(None, "organisation"),
)

chains = Table(
    "chains",
    metadata,
    Column("chain_key", Integer, primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("source", Text, nullable=False),
    UniqueConstraint("organisation_id", "name", "version"),
)

chain_sheets = Table(
    "chain_sheets",
    metadata,
    Column("chain_key", Integer, ForeignKey("chains.chain_key", ondelete="CASCADE"), primary_key=True),
    Column("sheet", String(20), primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("n_rows", Integer, nullable=False),
    Column("format", String(40), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

chain_materials = Table(
    "chain_materials",
    metadata,
    Column("chain_key", Integer, ForeignKey("chains.chain_key", ondelete="CASCADE"), primary_key=True),
    Column("id", Text, primary_key=True),
    Column("name_en", Text, nullable=False),
    Column("name_nl", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("source", Text, nullable=False),
)

surveys = Table(
    "surveys",
    metadata,
    Column("survey_key", Integer, primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("source", Text, nullable=False),
    Column("synthetic", Boolean, nullable=False),
    Column("answers", Text, nullable=False),
    UniqueConstraint("organisation_id", "name", "version"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("snapshot_key", Integer, primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("organisation_id", "name"),
)

snapshot_parts = Table(
    "snapshot_parts",
    metadata,
    Column(
        "snapshot_key", Integer, ForeignKey("snapshots.snapshot_key", ondelete="CASCADE"), primary_key=True
    ),
    Column("part", Text, primary_key=True),
    Column("format", String(40), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

key_figures = Table(
    "key_figures",
    metadata,
    Column("figure_key", Integer, primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("metric", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", Text, nullable=False),
    Column("qualifier", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("file", Text, nullable=False),
    Column("added_at", String(40), nullable=False),
    UniqueConstraint("organisation_id", "metric", "year", "source"),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisations.id"), nullable=False),
    Column("kind", String(100), nullable=False),
    Column("state", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
