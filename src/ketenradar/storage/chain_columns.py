"""A chain's stored form: integer-coded Arrow columns, cut into parts of Arrow IPC streams.

The items sheet is stored once and an item's code is its row (its position over the parts
in order). The bom stores parent and child as codes, the sourcing its item as a code, so a
stored chain is read back with a few column reads and one ``take`` per id column, never a
lookup or a Python object per row. Low-cardinality text (kind, domain, country, stage, ...)
is dictionary-encoded. Each sheet is cut into parts of at most :data:`PART_ROWS` rows (and
about :data:`PART_BYTES` bytes), each one compressed Arrow IPC stream, so that no stored value
approaches the 1 GB limit of a SQLite BLOB or a PostgreSQL bytea. This module holds no SQL:
every store keeps the parts it returns as rows ``(sheet, part, n_rows, format, data)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ketenradar._types import IntArray
from ketenradar.model.chain import CHAIN_COLUMNS, Chain, ChainCodes

__all__ = [
    "COMPRESSION",
    "PART_BYTES",
    "PART_ROWS",
    "SHEET_FORMAT",
    "SheetPart",
    "decode_sheet",
    "encode_chain",
    "encode_sheets",
    "read_chain",
]

# What the ``format`` of a stored part says: one Arrow IPC stream with the columns below.
SHEET_FORMAT = "arrow-ipc-stream/1"
# At most this many rows per part; a national sheet of 3·10^6 rows becomes three parts.
PART_ROWS = 1 << 20
# A part whose stream is larger than this (very long names) is cut in two until it is not.
PART_BYTES = 256 << 20
# Arrow's codecs in order of preference. zstd: a national chain takes 34 MiB (lz4: 70 MiB,
# none: 210 MiB) and decompresses in about 0.3 s (lz4: 0.15 s), a small part of a load.
COMPRESSION: str | None = next((c for c in ("zstd", "lz4") if pa.Codec.is_available(c)), None)

# Columns that hold item codes (the bom's and sourcing's references to the items sheet).
_CODE_COLUMNS: dict[str, tuple[str, ...]] = {"bom": ("parent", "child"), "sourcing": ("item",)}
_NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "items": ("stock_days",),
    "bom": ("quantity",),
    "sourcing": ("share", "tier", "lead_time_days", "stock_days"),
}
# Text with few distinct values, stored once per part as a dictionary.
_DICTIONARY_COLUMNS: dict[str, tuple[str, ...]] = {
    "items": ("kind", "domain", "dis_area", "material", "unit"),
    "sourcing": ("country", "stage", "supplier"),
}


@dataclass(frozen=True, slots=True)
class SheetPart:
    """One stored part of a sheet: ``n_rows`` rows as one compressed Arrow IPC stream."""

    sheet: str
    part: int
    n_rows: int
    data: pa.Buffer


def encode_chain(chain: Chain) -> list[SheetPart]:
    """Return the chain's sheets as stored parts (its item codes are looked up once if missing)."""
    return encode_sheets(chain.items, chain.bom, chain.sourcing, chain.item_codes())


def encode_sheets(
    items: pd.DataFrame, bom: pd.DataFrame, sourcing: pd.DataFrame, codes: ChainCodes
) -> list[SheetPart]:
    """Return the three sheets as stored parts, the bom and sourcing naming items by ``codes``."""
    # int32 holds any chain that fits in memory; int64 only if a chain ever has 2^31 items.
    code_type = pa.int32() if len(items) < 2**31 else pa.int64()
    coded = {"parent": codes.parent, "child": codes.child, "item": codes.sourcing_item}
    frames = {"items": items, "bom": bom, "sourcing": sourcing}
    parts: list[SheetPart] = []
    for sheet, columns in CHAIN_COLUMNS.items():
        frame = frames[sheet]
        arrays = []
        for column in columns:
            if column in _CODE_COLUMNS.get(sheet, ()):
                arrays.append(pa.array(np.asarray(coded[column]), type=code_type))
            elif column in _NUMBER_COLUMNS.get(sheet, ()):
                # NaN is kept as a value (not a null): the column goes back to NumPy without a mask.
                numbers = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
                arrays.append(pa.array(numbers, type=pa.float64()))
            else:
                text = frame[column]
                if sheet == "sourcing" and column == "supplier":
                    text = text.fillna("")
                arrays.append(_text_array(text))
        # A text column of several Arrow chunks (after a concat) stays chunked; Arrow mixes both.
        table = pa.Table.from_arrays(arrays, names=columns)
        written = 0
        # An empty sheet is still one part (of no rows): its stream carries the columns.
        for start in range(0, max(len(frame), 1), PART_ROWS):
            for n_rows, data in _streams(sheet, table.slice(start, PART_ROWS)):
                parts.append(SheetPart(sheet, written, n_rows, data))
                written += 1
    return parts


def _text_array(text: pd.Series) -> pa.Array | pa.ChunkedArray:
    """Return a text column as Arrow large strings (the buffers of pandas' ``str`` columns)."""
    if not isinstance(text.dtype, pd.StringDtype):
        text = text.astype("str")
    return pa.array(text, type=pa.large_string())


def _streams(sheet: str, table: pa.Table) -> Iterator[tuple[int, pa.Buffer]]:
    """Yield (rows, stream) for a slice of a sheet, halving it while its stream is too large."""
    encoded = table
    for column in _DICTIONARY_COLUMNS.get(sheet, ()):
        # Encoded per part, so each stream carries only the values that occur in it.
        index = encoded.schema.get_field_index(column)
        encoded = encoded.set_column(index, column, pc.dictionary_encode(encoded[column]))
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=COMPRESSION)
    with pa.ipc.new_stream(sink, encoded.schema, options=options) as writer:
        writer.write_table(encoded)
    data = sink.getvalue()
    if data.size > PART_BYTES and table.num_rows > 1:
        half = table.num_rows // 2
        yield from _streams(sheet, table.slice(0, half))
        yield from _streams(sheet, table.slice(half))
    else:
        yield table.num_rows, data


def decode_sheet(streams: Iterable[object]) -> pa.Table:
    """Read one sheet's stored parts (their streams, in part order) into one Arrow table.

    ``streams`` may come from a database cursor: each is decoded and let go before the next.
    """
    tables = []
    for data in streams:
        with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
            tables.append(reader.read_all())
    if not tables:
        raise ValueError("no stored parts")
    return pa.concat_tables(tables)


def read_chain(
    name: str,
    streams_of: Callable[[str], Iterable[object]],
    *,
    source: str = "",
    version: int | None = None,
) -> Chain:
    """Return a stored chain from the streams of its sheets' parts: the frames and their codes.

    ``streams_of(sheet)`` gives the streams of a sheet in part order. The sheets are read one
    after the other (items first: the others name its rows), each let go once its frame is built.
    """
    ids = pa.array([], type=pa.large_string())
    codes: dict[str, IntArray] = {}
    frames: dict[str, pd.DataFrame] = {}
    for sheet in ("items", "bom", "sourcing"):
        columns = CHAIN_COLUMNS[sheet]
        try:
            table = decode_sheet(streams_of(sheet))
        except ValueError:
            raise ValueError(f"the stored chain {name!r} has no {sheet} sheet") from None
        data: dict[str, pd.Series | np.ndarray] = {}
        for column in columns:
            if column in _CODE_COLUMNS.get(sheet, ()):
                codes[column] = table[column].to_numpy().astype(np.intp)
                # The ids back from their codes: one Arrow take, no lookup per row.
                data[column] = _text_series(ids.take(pa.array(codes[column])))
            elif column in _NUMBER_COLUMNS.get(sheet, ()):
                if column not in table.column_names:
                    # Stored before the column existed (items' stock_days, workbook v1.1): no value.
                    data[column] = np.full(table.num_rows, np.nan)
                    continue
                data[column] = table[column].to_numpy().astype(np.float64, copy=False)
            else:
                data[column] = _text_series(table[column])
        if sheet == "items":
            ids = table["id"].combine_chunks()
        del table
        frames[sheet] = pd.DataFrame(data, columns=columns, copy=False)
    return Chain(
        name=name,
        items=frames["items"],
        bom=frames["bom"],
        sourcing=frames["sourcing"],
        source=source,
        version=version,
        codes=ChainCodes(parent=codes["parent"], child=codes["child"], sourcing_item=codes["item"]),
    )


def _text_series(column: pa.Array | pa.ChunkedArray) -> pd.Series:
    """Return an Arrow text column (plain or dictionary-encoded) as pandas' ``str`` column."""
    if pa.types.is_dictionary(column.type):
        column = pc.cast(column, pa.large_string())
    return pd.Series(pd.array(column, dtype="str"), copy=False)
