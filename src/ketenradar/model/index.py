"""LabelIndex: ids to matrix positions and back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ketenradar._types import IntArray

__all__ = ["LabelIndex"]


@dataclass(frozen=True, slots=True)
class LabelIndex:
    """Ids in matrix order; ``positions`` maps ids to rows, ``labels`` rows to ids."""

    labels: np.ndarray
    _index: pd.Index = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = pd.Index(self.labels, dtype=object)
        if not index.is_unique:
            raise ValueError("labels must be unique")
        object.__setattr__(self, "_index", index)

    @classmethod
    def of(cls, labels: Iterable[str] | pd.Series | np.ndarray) -> LabelIndex:
        """Build an index from labels in order."""
        if isinstance(labels, pd.Series):
            return cls(labels.to_numpy(dtype=object))
        return cls(np.asarray(list(labels) if not isinstance(labels, np.ndarray) else labels, dtype=object))

    def __len__(self) -> int:
        return len(self.labels)

    def positions(self, ids: Sequence[str] | pd.Series | np.ndarray) -> IntArray:
        """Return the positions of ``ids``; raise KeyError naming the first unknown id."""
        found: IntArray = self._index.get_indexer(ids)
        if (found < 0).any():
            unknown = np.asarray(ids)[found < 0][0]
            raise KeyError(f"unknown id {unknown!r}")
        return found.astype(np.intp)

    def label_array(self) -> np.ndarray:
        """Return the labels as an object array, for vectorised lookups."""
        return self.labels
