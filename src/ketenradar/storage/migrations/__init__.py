"""Alembic migrations of the observatory server's database (run by ``ServerStore.upgrade``)."""
