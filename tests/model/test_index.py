"""LabelIndex and the string columns taken by code (issue 9: no Python object per row)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ketenradar.model.index import LabelIndex, string_array, take_categorical, take_strings

LABELS = [f"id-{i}" for i in range(1000)]


def test_lookup_by_one_pass_and_by_hash_table_agree() -> None:
    # Four ids against a thousand labels are found by one pass over the labels, a thousand by a
    # hash table of the labels, which is then kept for the next look-up. All give -1 for an
    # unknown id and repeat a repeated id.
    few = ["id-7", "nope", "id-999", "id-7"]
    index = LabelIndex.of(LABELS)
    assert index.lookup(few).tolist() == [7, -1, 999, 7]
    many = [*LABELS[::-1], "nope"]
    assert index.lookup(many).tolist() == [*range(999, -1, -1), -1]
    assert index.lookup(few).tolist() == [7, -1, 999, 7]


def test_positions_name_the_first_unknown_id() -> None:
    index = LabelIndex.of(pd.Series(["a", "b", "c"]))
    assert index.positions(["c", "a"]).tolist() == [2, 0]
    with pytest.raises(KeyError, match="'b2'"):
        index.positions(["a", "b2", "c3"])


def test_repeated_labels_are_refused_unless_the_caller_has_checked_them() -> None:
    with pytest.raises(ValueError, match="unique"):
        LabelIndex.of(["a", "b", "a"])
    assert len(LabelIndex.of(["a", "b", "c"], known_unique=True)) == 3


def test_labels_values_and_takes() -> None:
    index = LabelIndex.of(np.array(["x", "y", "z"], dtype=object))
    assert index.labels.dtype == object
    assert index.labels.tolist() == ["x", "y", "z"]
    taken = index.take(np.array([2, 0, 2]))
    assert taken.dtype == pd.Series(["s"]).dtype  # pandas' default str dtype
    assert list(taken) == ["z", "x", "z"]
    assert list(index.values) == ["x", "y", "z"]


def test_string_array_keeps_an_arrow_column_and_converts_others() -> None:
    column = pd.Series(["a", None, "c"])
    assert string_array(column) is column.array
    converted = string_array(pd.Series(["a", None], dtype=object))
    assert converted[0] == "a"
    assert pd.isna(converted[1])


def test_take_strings_counts_negative_codes_from_the_end() -> None:
    assert list(take_strings(["a", "b", "c"], np.array([0, -1, 1]))) == ["a", "c", "b"]
    assert list(take_strings(["a", "b"], np.array([1, 0], dtype=np.int32))) == ["b", "a"]


def test_take_categorical_has_the_values_that_occur_sorted_as_text() -> None:
    column = take_categorical(["processing", "mining", "manufacturing"], np.array([0, 1, 0]))
    assert list(column) == ["processing", "mining", "processing"]
    assert list(column.categories) == ["mining", "processing"]
    # Sorting by the column sorts as the text does, not as the codes.
    ordered = pd.Series(take_categorical(["b", "a", "c"], np.array([0, 1, 2]))).sort_values()
    assert ordered.tolist() == ["a", "b", "c"]


def test_take_categorical_repeats_short_codes_by_rows() -> None:
    # Entry 1 ("a") is taken by no row, so it is not a category.
    column = take_categorical(["b", "a", "c"], np.array([0, 1, 2]), rows=np.array([2, 2, 0]))
    assert list(column) == ["c", "c", "b"]
    assert list(column.categories) == ["b", "c"]


def test_take_categorical_trusts_the_entries_marked_taken() -> None:
    # The caller knows which short entries its rows take: the others are no categories.
    codes, rows = np.array([0, 1, 2]), np.array([0, 2, 2])
    column = take_categorical(["b", "a", "c"], codes, rows, taken=np.array([True, False, True]))
    assert list(column) == ["b", "c", "c"]
    assert list(column.categories) == ["b", "c"]


def test_text_mixed_with_numbers_is_taken_as_text() -> None:
    column = string_array(pd.Series(["a", 7, None, 2.5], dtype=object))
    assert list(column[:2]) == ["a", "7"]
    assert pd.isna(column[2])
    assert column[3] == "2.5"
