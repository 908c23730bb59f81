"""Turn frames and NumPy values into JSON-ready Python values; a missing value becomes None."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["json_records", "json_value"]


def json_value(value: Any) -> Any:
    """Return a JSON-ready value: NaN/NA as None (never 0), NumPy scalars as Python scalars."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a frame's rows as JSON-ready dicts."""
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
