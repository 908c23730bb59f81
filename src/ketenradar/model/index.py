"""LabelIndex: ids to matrix positions and back, and string columns taken by integer codes.

A national chain has a million ids. They stay in one Arrow string column: result frames take
their id columns from it by position (``LabelIndex.take``, ``take_strings``) without making a
Python object per row, and the chain's bom and sourcing arrive as item rows already
(``Chain.item_codes``), so the hash table from ids to positions is built only when someone
asks for positions by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ketenradar._types import BoolArray, IntArray

__all__ = ["LabelIndex", "StringArray", "string_array", "take_categorical", "take_strings"]

# pandas' Arrow-backed string array: the ``str`` dtype of pandas 3 (NaN for missing values).
StringArray: TypeAlias = pd.arrays.ArrowStringArray
_STR = pd.StringDtype("pyarrow", na_value=np.nan)
# Up to this many ids per label are found with one pass over the labels rather than by hashing
# all labels (15–40 ms per million labels against about 300 ms).
_SCAN_FRACTION = 1 / 64


def _arrow_strings(values: Any) -> pa.Array:
    """Return ``values`` as one Arrow (large) string array; no copy where pandas holds Arrow."""
    if isinstance(values, pd.Series | pd.Index):
        values = values.array
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        values = values.to_numpy()
    if not isinstance(values, pa.Array | pa.ChunkedArray):
        if not isinstance(values, np.ndarray | pd.api.extensions.ExtensionArray):
            values = np.asarray(list(values), dtype=object)
        try:
            values = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            # Text mixed with numbers (an unvalidated frame): each value as its text.
            values = pa.array([None if pd.isna(v) else str(v) for v in values], type=pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not pa.types.is_large_string(values.type):
        # Empty or all-missing input comes back typed as null; numbers become their text.
        values = values.cast(pa.large_string())
    return values


def string_array(values: Any) -> StringArray:
    """Return values (Series, array, list) as an Arrow-backed ``str`` array, not copied if they are one."""
    # The ``str`` dtype is Arrow-backed; other Arrow string arrays (``string[pyarrow]``) are wrapped.
    if (
        isinstance(values, pd.Series)
        and values.dtype == _STR
        and isinstance(values.array, pd.arrays.ArrowStringArray)
    ):
        array: StringArray = values.array
        return array
    strings: StringArray = pd.array(_arrow_strings(values), dtype=_STR)
    return strings


def take_strings(vocabulary: Any, codes: IntArray) -> StringArray:
    """Return ``vocabulary[codes]`` as a ``str`` array, copied in Arrow rather than per Python object.

    ``vocabulary`` is anything :func:`string_array` takes (a few names or a million ids);
    ``codes`` lie in ``−len(vocabulary) … len(vocabulary) − 1``, negative ones counting from
    the end as in NumPy indexing.
    """
    arrow = vocabulary if isinstance(vocabulary, pa.Array) else _arrow_strings(vocabulary)
    codes = np.asarray(codes)
    if codes.dtype not in (np.int32, np.int64):
        codes = codes.astype(np.int64)
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, codes + len(arrow), codes)
    taken: StringArray = pd.array(arrow.take(pa.array(codes)), dtype=_STR)
    return taken


def take_categorical(
    vocabulary: Sequence[str] | np.ndarray | pd.Index,
    codes: IntArray,
    rows: IntArray | None = None,
    *,
    taken: BoolArray | None = None,
) -> pd.Categorical:
    """Return ``vocabulary[codes]`` (``vocabulary[codes][rows]`` with ``rows``) as a categorical.

    For a column of a few distinct names (stages, countries, reasons) over millions of rows: no
    string is copied per row, and the categories are the values that occur, sorted as text, so
    that sorting or grouping by the column orders as by the names. ``rows`` repeats the
    entries of a short ``codes`` into a long column without expanding the codes first;
    ``taken`` marks the entries that ``rows`` takes, if the caller knows them (several columns
    repeated by the same rows need not find them again). Negative codes count from the end,
    as in NumPy indexing.
    """
    names = np.asarray(vocabulary, dtype=object)
    codes = np.asarray(codes, dtype=np.intp)
    if len(codes) and codes.min() < 0:
        codes = np.where(codes < 0, codes + len(names), codes)
    if rows is None:
        used = np.bincount(codes, minlength=len(names)) > 0
    else:
        if taken is None:
            seen = np.zeros(len(codes), dtype=bool)
            seen[rows] = True
        else:
            seen = taken
        used = np.zeros(len(names), dtype=bool)
        used[codes[seen]] = True
    present = np.flatnonzero(used)
    ordered = present[np.argsort(names[present], kind="stable")]
    # Codes as pandas stores them (int8 for up to 127 categories), so they are not copied again.
    code_of = np.zeros(len(names), dtype=np.int8 if len(ordered) < 2**7 else np.int32)
    code_of[ordered] = np.arange(len(ordered))
    final = code_of[codes] if rows is None else code_of[codes][rows]
    dtype = pd.CategoricalDtype(pd.Index(names[ordered], dtype=_STR))
    return pd.Categorical.from_codes(final, dtype=dtype, validate=False)


class LabelIndex:
    """Ids in matrix order; ``positions`` maps ids to rows, ``labels`` rows to ids.

    The ids are one Arrow string column. The object array ``labels`` and the hash table behind
    ``positions`` are made on first use and kept; treat the index as read-only.
    """

    __slots__ = ("_arrow", "_index", "_labels")

    def __init__(self, labels: Any, *, known_unique: bool = False) -> None:
        self._arrow: pa.Array = _arrow_strings(labels)
        self._labels: np.ndarray | None = None
        self._index: pd.Index | None = None
        # A validated chain's ids are known to be unique; checking costs hashing them all.
        if not known_unique and len(pc.unique(self._arrow)) != len(self._arrow):
            raise ValueError("labels must be unique")

    @classmethod
    def of(cls, labels: Iterable[str] | pd.Series | np.ndarray, *, known_unique: bool = False) -> LabelIndex:
        """Build an index from labels in order (``known_unique``: the caller has checked them)."""
        return cls(labels, known_unique=known_unique)

    def __len__(self) -> int:
        return len(self._arrow)

    @property
    def labels(self) -> np.ndarray:
        """Return the ids as an object array (made on first use: a million Python strings)."""
        if self._labels is None:
            self._labels = np.asarray(self._arrow.to_numpy(zero_copy_only=False), dtype=object)
        return self._labels

    @property
    def values(self) -> StringArray:
        """Return the ids as a ``str`` array (no copy)."""
        values: StringArray = pd.array(self._arrow, dtype=_STR)
        return values

    @property
    def arrow(self) -> pa.Array:
        """Return the ids as the Arrow string column they are kept in (read-only)."""
        return self._arrow

    def take(self, positions: IntArray) -> StringArray:
        """Return the ids at ``positions`` as a ``str`` array, for the id column of a result frame."""
        return take_strings(self._arrow, positions)

    def lookup(self, ids: Sequence[str] | pd.Series | np.ndarray) -> IntArray:
        """Return the positions of ``ids``, −1 for ids not in the index."""
        wanted = _arrow_strings(ids)
        if self._index is None and len(wanted) <= _SCAN_FRACTION * len(self._arrow):
            # A few ids: one pass over the labels, without hashing them all.
            distinct = pc.unique(wanted)
            where = pc.index_in(self._arrow, value_set=distinct)
            hit = np.flatnonzero(where.is_valid().to_numpy(zero_copy_only=False))
            position_of = np.full(len(distinct), -1, dtype=np.intp)
            position_of[where.take(pa.array(hit)).to_numpy(zero_copy_only=False)] = hit
            slot = pc.index_in(wanted, value_set=distinct).fill_null(0).to_numpy(zero_copy_only=False)
            found: IntArray = position_of[slot]
            if wanted.null_count:
                found[wanted.is_null().to_numpy(zero_copy_only=False)] = -1
            return found
        positions: IntArray = self._hashed().get_indexer(pd.array(wanted, dtype=_STR)).astype(np.intp)
        return positions

    def positions(self, ids: Sequence[str] | pd.Series | np.ndarray) -> IntArray:
        """Return the positions of ``ids``; raise KeyError naming the first unknown id."""
        found = self.lookup(ids)
        if (found < 0).any():
            unknown = np.asarray(ids, dtype=object)[found < 0][0]
            raise KeyError(f"unknown id {unknown!r}")
        return found

    def label_array(self) -> np.ndarray:
        """Return the labels as an object array, for vectorised lookups."""
        return self.labels

    def _hashed(self) -> pd.Index:
        if self._index is None:
            self._index = pd.Index(pd.array(self._arrow, dtype=_STR), copy=False)
        return self._index
