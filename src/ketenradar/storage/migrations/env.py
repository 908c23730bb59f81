"""Alembic's environment: run the migrations on the connection ``ServerStore.upgrade`` hands over.

Run without one (the ``alembic`` command with ``sqlalchemy.url`` set), it opens its own.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine, pool

from ketenradar.storage.server_tables import metadata


def run_migrations(connection: Connection) -> None:
    """Run the pending migrations on ``connection`` in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things: later migrations copy the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("ketenradar's migrations run online only (ServerStore.upgrade)")

given = context.config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.connect() as opened:
        run_migrations(opened)
