"""Small helpers the sections share: names in the report's language, notes, supplier labels."""

from __future__ import annotations

import pandas as pd

from ketenradar.locale import _, current_language
from ketenradar.reports.formatting import supplier_label

__all__ = ["material_names", "missing_note", "supplier_label"]


def material_names(frame: pd.DataFrame) -> pd.Series:
    """Return the material names of an overview frame in the active language."""
    column = "name_nl" if current_language() == "nl" else "name_en"
    names: pd.Series = frame[column]
    return names


def missing_note() -> str:
    """Return the note that explains the dash for a missing figure."""
    return _("— = not available in the sources (never estimated).")
