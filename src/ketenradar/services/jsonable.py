"""Turn frames and NumPy values into JSON-ready Python values; a missing value becomes None.

A non-finite float never reaches ``json.dumps(allow_nan=False)``:

- NaN is a missing figure and becomes ``null`` (STYLE: a missing figure stays missing, never 0).
- ±infinity is not a figure at all. The readers refuse every input that could produce one
  (NaN/infinity in any file, quantities outside ``ingest.workbook.QUANTITY_LIMITS``, products
  along a path above ``MAX_PATH_QUANTITY``, trade values above ``MAX_TRADE_VALUE``), so one here
  means a computation overflowed. It is refused with :class:`~ketenradar.errors.NonFiniteResult`
  naming where in the document it sits, rather than printed as ``null``: a null would read as
  "unknown" when the truth is "the result is wrong", and a bare ``ValueError`` from
  ``json.dumps`` would end in a traceback.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.errors import NonFiniteResult
from ketenradar.locale import _

__all__ = [
    "dumps",
    "dumps_checked",
    "json_columns",
    "json_document",
    "json_infinite",
    "json_records",
    "json_value",
]


def json_infinite(where: str) -> NonFiniteResult:
    """Return the error for an infinite value at ``where`` (a JSON pointer or a column)."""
    return NonFiniteResult(
        _(
            "a computed value at {where} is infinite, so the result cannot be given; the inputs hold "
            "numbers too large to compute with (check the quantities and values of the input files)"
        ).format(where=where or "/")
    )


def json_value(value: Any, where: str = "") -> Any:
    """Return a JSON-ready value: NaN/NA as None (never 0), NumPy scalars as Python scalars.

    ±infinity raises NonFiniteResult (see the module docstring); ``where`` names its place.
    """
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        if np.isinf(value):
            raise json_infinite(where)
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a frame's rows as JSON-ready dicts (NaN as None; an infinite number is refused)."""
    names = [str(c) for c in frame.columns]
    return [dict(zip(names, row, strict=True)) for row in zip(*json_columns(frame), strict=True)]


def json_columns(frame: pd.DataFrame) -> list[list[Any]]:
    """Return each column of a frame as a list of JSON-ready Python values, converted column-wise.

    Numbers become Python floats or ints with None where missing, text stays text with None
    where missing; an infinite number raises NonFiniteResult naming its column. A million
    rows take a fraction of a second, as no value is looked at one by one in Python.
    """
    columns: list[list[Any]] = []
    for name in frame.columns:
        series = frame[name]
        if series.dtype == object:
            # Mixed Python and NumPy values: each is made JSON-ready on its own.
            columns.append([json_value(v, f"/{i}/{name}") for i, v in enumerate(series.tolist())])
        elif pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_integer_dtype(series.dtype):
            columns.append(series.astype(object).where(series.notna(), None).tolist())
        elif pd.api.types.is_numeric_dtype(series.dtype):
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            if np.isinf(values).any():
                raise json_infinite(f"/{name}")
            cells = np.asarray(values.tolist(), dtype=object)
            cells[np.isnan(values)] = None
            columns.append(cells.tolist())
        else:
            cells = series.to_numpy(dtype=object)
            cells[pd.isna(cells)] = None
            columns.append(cells.tolist())
    return columns


def json_document(document: Any) -> Any:
    """Return a nested document of dicts and lists with every value made JSON-ready by :func:`json_value`.

    Walks without recursion; the error for an infinite value names its JSON pointer
    (e.g. ``/items/3/availability``).
    """
    root: list[Any] = [document]
    stack: list[tuple[Any, Any, str]] = [(root, 0, "")]
    while stack:
        container, key, where = stack.pop()
        value = container[key]
        if isinstance(value, dict):
            copy = dict(value)
            container[key] = copy
            stack.extend((copy, k, f"{where}/{k}") for k in copy)
        elif isinstance(value, list | tuple):
            items = list(value)
            container[key] = items
            stack.extend((items, i, f"{where}/{i}") for i in range(len(items)))
        elif isinstance(value, float) and math.isfinite(value):
            continue
        else:
            container[key] = json_value(value, where)
    return root[0]


def dumps(document: Any, **options: Any) -> str:
    """Return ``document`` as JSON text: NaN as null, an infinite number a NonFiniteResult naming its place.

    The document is serialised as it is; only when ``json.dumps`` refuses a non-finite number
    is it walked (so the usual case costs nothing extra).
    """
    try:
        return json.dumps(document, allow_nan=False, **options)
    except ValueError:
        return json.dumps(json_document(document), allow_nan=False, **options)


def dumps_checked(document: Any, *, newline: bool = True) -> bytes:
    """Return a large document as indented UTF-8 JSON, fast; its numbers must be checked finite.

    orjson writes 20–50× faster than ``json.dumps`` but prints an infinity as ``null``; a
    service whose documents reach millions of values checks its arrays for infinities
    vectorised (``json_infinite``) and then hands the document here. NaN is ``null``, as
    everywhere.
    """
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY | (orjson.OPT_APPEND_NEWLINE if newline else 0)
    text: bytes = orjson.dumps(document, option=options)
    return text
