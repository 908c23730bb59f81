"""Find strings in a column of labels: one hash lookup per value, in C++."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ketenradar._types import IntArray

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["positions_in", "positions_of_each"]


def positions_in(
    values: pd.Series | np.ndarray | Sequence[str], labels: pd.Series | np.ndarray | Sequence[str]
) -> IntArray:
    """Return for each value the position of its first occurrence in ``labels``, −1 where absent.

    Arrow's ``index_in`` hashes the labels once and looks every value up without making a
    Python object per cell, which matters for the millions of bom rows of a national chain.
    """
    return positions_of_each([values], labels)[0]


def positions_of_each(
    columns: Sequence[pd.Series | np.ndarray | Sequence[str]], labels: pd.Series | np.ndarray | Sequence[str]
) -> list[IntArray]:
    """Return :func:`positions_in` for several columns, hashing ``labels`` only once."""
    import pyarrow as pa
    import pyarrow.compute as pc

    needles = [_strings(column) for column in columns]
    haystack = _strings(labels)
    kind = (
        pa.large_string()
        if any(pa.types.is_large_string(a.type) for a in [*needles, haystack])
        else pa.string()
    )
    joined = pa.concat_arrays([a.cast(kind) for a in needles])
    found = pc.index_in(joined, value_set=haystack.cast(kind))
    positions = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    bounds = np.cumsum([len(a) for a in needles])[:-1]
    return list(np.split(positions, bounds))


def _strings(values: pd.Series | np.ndarray | Sequence[str]) -> pa.Array:
    """Return the values as one Arrow string array, without a copy where pandas holds them in Arrow."""
    import pyarrow as pa

    if isinstance(values, pd.Series):
        values = values.array
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        # Empty or all-missing input comes back typed as null; numbers are not ids.
        array = array.cast(pa.string())
    return array
