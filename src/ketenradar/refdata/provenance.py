"""Provenance of the shipped reference data: where each table comes from, and which snapshot."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from ketenradar.errors import MissingReferenceData
from ketenradar.locale import _

__all__ = ["Provenance", "data_dir", "dataset_names", "provenance_of", "snapshot_version"]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Source, edition and checksum of one shipped reference table."""

    dataset: str
    file: str
    title: str
    publisher: str
    edition: str
    year: int
    url: str
    licence: str
    snapshot: str
    sha256: str
    title_nl: str = ""

    def cite(self) -> str:
        """Return a one-line citation, e.g. for a source note under a table."""
        return f"{self.publisher}, {self.edition} ({self.year}); {self.url}"


def data_dir() -> Traversable:
    """Return the folder of the shipped reference-data snapshot."""
    return resources.files("ketenradar.refdata") / "data"


@cache
def _manifest() -> dict[str, object]:
    path = data_dir() / "datasets.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise MissingReferenceData(
            _("the reference-data manifest datasets.toml is missing; reinstall ketenradar")
        ) from error


def _datasets() -> dict[str, dict[str, str]]:
    datasets = _manifest().get("datasets")
    if not isinstance(datasets, dict):
        raise MissingReferenceData(
            _("the reference-data manifest datasets.toml lists no datasets; reinstall ketenradar")
        )
    return datasets


def snapshot_version() -> str:
    """Return the version label of the shipped reference-data snapshot."""
    return str(_manifest()["snapshot"])


def dataset_names() -> list[str]:
    """Return the names of every shipped dataset, in manifest order."""
    return list(_datasets())


def file_sha256(relative_path: str) -> str:
    """Return the SHA-256 of a shipped data file."""
    return hashlib.sha256((data_dir() / relative_path).read_bytes()).hexdigest()


@cache
def provenance_of(dataset: str) -> Provenance:
    """Return the provenance of one shipped dataset, checking the file's checksum."""
    datasets = _datasets()
    if dataset not in datasets:
        raise MissingReferenceData(
            _("no reference dataset named {name!r} in this snapshot").format(name=dataset)
        )
    entry = datasets[dataset]
    try:
        actual = file_sha256(entry["file"])
    except FileNotFoundError as error:
        raise MissingReferenceData(
            _("reference file {file} is missing from the installed package; reinstall ketenradar").format(
                file=entry["file"]
            )
        ) from error
    expected = entry.get("sha256")
    if expected is not None and expected != actual:
        raise MissingReferenceData(
            _(
                "reference file {file} does not match its recorded checksum; reinstall ketenradar "
                "or run scripts/update_snapshot.py after a deliberate update"
            ).format(file=entry["file"])
        )
    return Provenance(
        dataset=dataset,
        file=entry["file"],
        title=entry["title"],
        publisher=entry["publisher"],
        edition=entry["edition"],
        year=int(entry["year"]),
        url=entry["url"],
        licence=entry["licence"],
        snapshot=snapshot_version(),
        sha256=actual,
        title_nl=entry.get("title_nl", ""),
    )
