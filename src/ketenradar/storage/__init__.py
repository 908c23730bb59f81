"""Persistence behind one protocol; the only package with SQL."""

from typing import TYPE_CHECKING

from ketenradar.storage.base import ChainVersion, Store, default_workspace_path
from ketenradar.storage.sqlite import SqliteStore

if TYPE_CHECKING:
    from ketenradar.storage.server import ServerStore

__all__ = ["ChainVersion", "ServerStore", "SqliteStore", "Store", "default_workspace_path"]


def __getattr__(name: str) -> object:
    """Import the server store (SQLAlchemy) only when it is asked for."""
    if name == "ServerStore":
        from ketenradar.storage.server import ServerStore

        return ServerStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
