"""The shipped reference data itself: every dataset with publisher, edition, licence, checksum."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from ketenradar import refdata
from ketenradar.refdata.provenance import Provenance
from ketenradar.services.provenance import ResultProvenance, provenance

__all__ = ["DatasetList", "list_datasets"]


@dataclass(frozen=True, slots=True)
class DatasetList:
    """Every dataset of the shipped snapshot."""

    snapshot: str
    datasets: tuple[Provenance, ...]
    provenance: ResultProvenance

    def frame(self) -> pd.DataFrame:
        """Return one row per dataset."""
        return pd.DataFrame([asdict(p) for p in self.datasets])

    def to_json(self) -> dict[str, Any]:
        """Return the ``sources --format json`` document."""
        return {
            "snapshot": self.snapshot,
            "datasets": self.frame().to_dict(orient="records"),
            "provenance": self.provenance.to_json(),
        }


def list_datasets() -> DatasetList:
    """Return every shipped dataset, each file's checksum verified."""
    datasets = tuple(refdata.provenance_of(name) for name in refdata.dataset_names())
    return DatasetList(refdata.snapshot_version(), datasets, provenance(datasets))
