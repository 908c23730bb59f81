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

__all__ = ["dumps", "json_document", "json_records", "json_value"]


def _infinite(where: str) -> NonFiniteResult:
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
            raise _infinite(where)
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a frame's rows as JSON-ready dicts."""
    return [
        {k: json_value(v, f"/{i}/{k}") for k, v in row.items()}
        for i, row in enumerate(frame.to_dict(orient="records"))
    ]


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
