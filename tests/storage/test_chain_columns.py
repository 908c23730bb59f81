"""The stored form of a chain: integer-coded Arrow columns in parts, read back as the same frames."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ketenradar.model.chain import CHAIN_COLUMNS, Chain
from ketenradar.storage import chain_columns
from ketenradar.storage.chain_columns import SheetPart, decode_sheet, encode_chain, read_chain
from tests.storage import workers
from tests.storage.samples import assert_same_chain, odd_chain


def _streams(parts: list[SheetPart]) -> Callable[[str], Iterator[bytes]]:
    """Return streams_of(sheet) over encoded parts, as a store hands them over (bytes, part order)."""

    def streams_of(sheet: str) -> Iterator[bytes]:
        ordered = sorted((p for p in parts if p.sheet == sheet), key=lambda p: p.part)
        return (p.data.to_pybytes() for p in ordered)

    return streams_of


def _round_trip(chain: Chain) -> Chain:
    return read_chain(chain.name, _streams(encode_chain(chain)), source=chain.source, version=3)


@pytest.mark.parametrize("empty_sourcing", [False, True])
def test_odd_values_come_back_as_they_went_in(empty_sourcing: bool) -> None:
    chain = odd_chain(empty_sourcing=empty_sourcing)
    loaded = _round_trip(chain)
    assert_same_chain(loaded, chain)
    assert (loaded.name, loaded.source, loaded.version) == (chain.name, chain.source, 3)
    assert loaded.sourcing.empty == empty_sourcing


def test_columns_of_several_arrow_chunks_are_stored_whole() -> None:
    chain = odd_chain()
    # pandas keeps the two halves of a concatenated text column as two Arrow chunks.
    halves = [chain.items.iloc[:4], chain.items.iloc[4:]]
    items = pd.concat(halves, ignore_index=True)
    assert items["id"].array._pa_array.num_chunks == 2
    assert_same_chain(_round_trip(chain.with_frames(items=items)), chain)


def test_bom_and_sourcing_are_stored_as_item_codes_and_the_text_once_per_part() -> None:
    chain = workers.chain_of("c", 200)
    streams_of = _streams(encode_chain(chain))
    tables = {sheet: decode_sheet(streams_of(sheet)) for sheet in CHAIN_COLUMNS}
    for sheet, column in (("bom", "parent"), ("bom", "child"), ("sourcing", "item")):
        assert pa.types.is_integer(tables[sheet].schema.field(column).type), (sheet, column)
    for column in ("country", "stage", "supplier"):
        assert pa.types.is_dictionary(tables["sourcing"].schema.field(column).type), column
    np.testing.assert_array_equal(tables["bom"]["parent"].to_numpy(), chain.item_codes().parent)


def test_a_sheet_longer_than_a_part_is_cut_into_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_columns, "PART_ROWS", 7)
    chain = workers.chain_of("c", 200)
    parts = encode_chain(chain)
    for sheet in CHAIN_COLUMNS:
        rows = [p.n_rows for p in parts if p.sheet == sheet]
        n = len(getattr(chain, sheet))
        assert rows == [7] * (n // 7) + ([n % 7] if n % 7 else []), sheet
        assert [p.part for p in parts if p.sheet == sheet] == list(range(len(rows)))
    assert_same_chain(_round_trip(chain), chain)


def test_a_part_too_large_in_bytes_is_halved_until_it_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain_columns, "PART_BYTES", 1)  # every stream is too large: one row each
    chain = odd_chain()
    parts = encode_chain(chain)
    assert [p.n_rows for p in parts if p.sheet == "items"] == [1] * len(chain.items)
    assert_same_chain(_round_trip(chain), chain)


def test_a_missing_sheet_is_an_error_not_an_empty_frame() -> None:
    parts = [p for p in encode_chain(odd_chain()) if p.sheet != "bom"]
    with pytest.raises(ValueError, match="'odd' has no bom sheet"):
        read_chain("odd", _streams(parts))


def _stocked(chain: Chain) -> Chain:
    """Return the chain with item stocks: whole and partial days, zero and none."""
    stocks = np.tile([30.0, np.nan, 0.5, 0.0, np.nan], -(-len(chain.items) // 5))[: len(chain.items)]
    return chain.with_frames(items=chain.items.assign(stock_days=stocks))


def test_item_stocks_come_back_as_they_went_in() -> None:
    chain = _stocked(odd_chain())
    loaded = _round_trip(chain)
    assert_same_chain(loaded, chain)
    assert loaded.items["stock_days"].iloc[:4].tolist()[::2] == [30.0, 0.5]


def test_a_chain_stored_before_item_stocks_loads_with_none(monkeypatch: pytest.MonkeyPatch) -> None:
    chain = _stocked(odd_chain())
    # Encoded as the store wrote chains before workbook v1.1: an items sheet without stock_days.
    monkeypatch.setitem(CHAIN_COLUMNS, "items", [c for c in CHAIN_COLUMNS["items"] if c != "stock_days"])
    parts = encode_chain(chain)
    monkeypatch.undo()
    assert "stock_days" not in decode_sheet(_streams(parts)("items")).column_names
    loaded = read_chain(chain.name, _streams(parts))
    assert list(loaded.items.columns) == CHAIN_COLUMNS["items"]
    assert loaded.items["stock_days"].dtype == np.float64 and loaded.items["stock_days"].isna().all()
    assert_same_chain(loaded, chain.with_frames(items=chain.items.assign(stock_days=np.nan)))


def test_a_chain_built_without_item_stocks_gets_a_column_of_none() -> None:
    chain = odd_chain()
    items = chain.items.drop(columns="stock_days")
    built = Chain(name="c", items=items, bom=chain.bom, sourcing=chain.sourcing)
    assert list(built.items.columns) == CHAIN_COLUMNS["items"]
    assert built.items["stock_days"].isna().all()
    assert "stock_days" not in items.columns  # the caller's frame is left as it was
