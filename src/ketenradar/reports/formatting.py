"""Small formatters shared by the reports and the command line's tables (no charts, no templates)."""

from __future__ import annotations

import pandas as pd

from ketenradar.locale import format_percent

__all__ = ["sentence", "sentences", "supplier_label"]


def sentence(text: str) -> str:
    """Return ``text`` as a sentence: first letter upper case, a full stop at the end."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def sentences(*parts: str) -> str:
    """Join parts (notes, captions) as sentences, leaving out empty ones."""
    return " ".join(sentence(p) for p in parts if p and p.strip())


def supplier_label(country: object, share: object) -> str | None:
    """Return e.g. ``CHN 94%`` for a country and its share; None where either is missing."""
    if not isinstance(country, str) or pd.isna(share):
        return None
    return f"{country} {format_percent(float(share), 0)}"  # type: ignore[arg-type]
