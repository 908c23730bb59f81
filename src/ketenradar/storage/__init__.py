"""Persistence behind one protocol; the only package with SQL."""

from ketenradar.storage.base import ChainVersion, Store, default_workspace_path
from ketenradar.storage.sqlite import SqliteStore

__all__ = ["ChainVersion", "SqliteStore", "Store", "default_workspace_path"]
