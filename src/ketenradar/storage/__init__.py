"""Persistence behind one protocol; the only package with SQL."""

from ketenradar.storage.base import ChainNotFound, ChainVersion, Store, default_workspace_path
from ketenradar.storage.sqlite import SqliteStore

__all__ = ["ChainNotFound", "ChainVersion", "SqliteStore", "Store", "default_workspace_path"]
