"""Small formatters shared by the reports and the command line's tables (no charts, no templates)."""

from __future__ import annotations

import pandas as pd

from ketenradar.locale import format_percent

__all__ = ["supplier_label"]


def supplier_label(country: object, share: object) -> str | None:
    """Return e.g. ``CHN 94%`` for a country and its share; None where either is missing."""
    if not isinstance(country, str) or pd.isna(share):
        return None
    return f"{country} {format_percent(float(share), 0)}"  # type: ignore[arg-type]
