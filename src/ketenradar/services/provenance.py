"""What every result carries: the datasets and user inputs it was computed from, and how.

A :class:`ResultProvenance` names each shipped dataset used (id, edition, year, sha256), each
user input (a file with its checksum, or a stored chain with its version), the parameters and
options of the run, the package version, the reference snapshot and, where the result is
random, the seed. ``to_json()`` gives the ``provenance`` block of every JSON document.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ketenradar import refdata
from ketenradar.refdata.provenance import Provenance

__all__ = [
    "InputRecord",
    "ResultProvenance",
    "file_digest",
    "input_file",
    "package_version",
    "provenance",
    "sources_json",
]


def package_version() -> str:
    """Return the installed ketenradar version."""
    from ketenradar import __version__  # the package root imports this module; read it at call time

    return __version__


def file_digest(path: str | Path) -> str | None:
    """Return the SHA-256 of a file, or of a folder's files in name order; None if absent."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_file():
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
    else:
        return None
    for file in files:
        if path.is_dir():
            digest.update(file.name.encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class InputRecord:
    """One user input of a result: its role, where it came from, and its checksum or version."""

    role: str
    source: str
    sha256: str | None = None
    version: int | None = None
    name: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the record as JSON-ready values."""
        return {
            "role": self.role,
            "name": self.name,
            "source": self.source,
            "sha256": self.sha256,
            "version": self.version,
        }


def input_file(role: str, path: str | Path, name: str | None = None) -> InputRecord:
    """Return the record of a user file (or CSV folder) with its checksum."""
    return InputRecord(role=role, source=str(path), sha256=file_digest(path), name=name)


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_frozen(v) for v in value)
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thawed(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class ResultProvenance:
    """Where a result comes from: datasets, user inputs, parameters, version, snapshot, seed."""

    datasets: tuple[Provenance, ...]
    parameters: Mapping[str, Any]
    inputs: tuple[InputRecord, ...] = ()
    package_version: str = ""
    snapshot: str = ""
    seed: int | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the ``provenance`` block of a JSON document."""
        return {
            "datasets": [
                {
                    "id": p.dataset,
                    "title": p.title,
                    "publisher": p.publisher,
                    "edition": p.edition,
                    "year": p.year,
                    "sha256": p.sha256,
                }
                for p in self.datasets
            ],
            "inputs": [i.to_json() for i in self.inputs],
            "parameters": _thawed(self.parameters),
            "package_version": self.package_version,
            "reference_snapshot": self.snapshot,
            "seed": self.seed,
        }


def provenance(
    used: Iterable[Provenance | str] = (),
    parameters: Mapping[str, Any] | None = None,
    inputs: Iterable[InputRecord] = (),
    seed: int | None = None,
) -> ResultProvenance:
    """Build the provenance of a result computed now, by this package, on this snapshot."""
    records = tuple(p if isinstance(p, Provenance) else refdata.provenance_of(p) for p in used)
    unique = tuple({p.dataset: p for p in records}.values())
    return ResultProvenance(
        datasets=unique,
        parameters=_frozen(dict(parameters or {})),
        inputs=tuple(inputs),
        package_version=package_version(),
        snapshot=refdata.snapshot_version(),
        seed=seed,
    )


def sources_json(used: Iterable[Provenance]) -> list[dict[str, str]]:
    """Return each dataset once as dataset, title and citation (the ``sources`` key of documents)."""
    return [{"dataset": p.dataset, "title": p.title, "citation": p.cite()} for p in used]
