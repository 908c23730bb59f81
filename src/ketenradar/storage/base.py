"""The Store protocol that the SQLite workspace (and later PostgreSQL) implement.

A store may be used by several processes at once: a write is one transaction that either
completes or leaves nothing, a version number is assigned inside it (two imports under one
name become versions n and n+1), and reading never sees a half-written version.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

# SnapshotExists and SnapshotNotFound live in the error tree; re-exported here for older imports.
from ketenradar.errors import SnapshotExists, SnapshotNotFound
from ketenradar.model.chain import Chain
from ketenradar.model.material import Material
from ketenradar.model.survey import Survey

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ChainVersion",
    "SnapshotExists",
    "SnapshotInfo",
    "SnapshotNotFound",
    "Store",
    "default_workspace_path",
]


@dataclass(frozen=True, slots=True)
class ChainVersion:
    """One stored version of a chain."""

    name: str
    version: int
    created_at: str
    source: str
    n_items: int
    n_bom: int
    n_sourcing: int


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """One stored monitoring snapshot: its unique name, when it was taken and its parts."""

    name: str
    created_at: str
    parts: tuple[str, ...]


class Store(Protocol):
    """Where chains are kept; every write is one transaction."""

    def save_chain(self, chain: Chain, materials: Iterable[Material] = ()) -> ChainVersion:
        """Store the chain as the next version of its name and return that version.

        ``materials`` are catalogue materials beyond the shipped ones; those the chain uses are
        kept with the version (see :meth:`chain_materials`).
        """
        ...

    def list_chains(self) -> list[ChainVersion]:
        """Return the latest version of every stored chain."""
        ...

    def versions(self, name: str) -> list[ChainVersion]:
        """Return every version of one chain, oldest first."""
        ...

    def load_chain(self, name: str, version: int | None = None) -> Chain:
        """Return a stored chain (the latest version unless one is given); raise ChainNotFound."""
        ...

    def chain_materials(self, name: str, version: int | None = None) -> tuple[Material, ...]:
        """Return the extra catalogue materials kept with a stored chain; raise ChainNotFound."""
        ...

    def save_survey(self, survey: Survey) -> int:
        """Store questionnaire answers as the next version of their name; return the version."""
        ...

    def load_survey(self, name: str, version: int | None = None) -> Survey:
        """Return a stored survey (the latest version unless one is given); raise SurveyNotFound."""
        ...

    def survey_versions(self, name: str) -> list[int]:
        """Return the stored version numbers of a survey, oldest first (empty if none)."""
        ...

    def save_snapshot(self, name: str | None, parts: Mapping[str, pd.DataFrame]) -> SnapshotInfo:
        """Store named frames as one snapshot in one transaction (``None``: a name is assigned).

        Raise SnapshotExists if the name is taken.
        """
        ...

    def list_snapshots(self) -> list[SnapshotInfo]:
        """Return every stored snapshot, oldest first."""
        ...

    def load_snapshot(self, name: str) -> tuple[SnapshotInfo, dict[str, pd.DataFrame]]:
        """Return a stored snapshot's record and frames; raise SnapshotNotFound."""
        ...

    def add_key_figures(self, figures: pd.DataFrame) -> int:
        """Store key-figure rows (metric, year, value, unit, source ...); return how many."""
        ...

    def key_figures(self) -> pd.DataFrame:
        """Return the key-figure rows users added, in the order they were added."""
        ...


def default_workspace_path() -> Path:
    """Return the workspace file: $KETENRADAR_WORKSPACE, else the user's data folder."""
    explicit = os.environ.get("KETENRADAR_WORKSPACE")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "ketenradar" / "workspace.sqlite"
