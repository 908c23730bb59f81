"""Charts drawn on the server as SVG geometry: the page's template places the shapes and escapes the text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ketenradar._types import FloatArray

__all__ = ["Bar", "BarChart", "bar_chart"]

LABEL_WIDTH = 190
BAR_WIDTH = 360
VALUE_WIDTH = 70
ROW_HEIGHT = 24
BAR_HEIGHT = 16
TOP = 8


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value as text, and where it is drawn (SVG user units)."""

    label: str
    value: str
    y: float
    width: float
    text_y: float


@dataclass(frozen=True, slots=True)
class BarChart:
    """A horizontal bar chart of fractions (0–1) on a fixed scale from 0 to 100 %."""

    title: str
    width: int
    height: int
    label_width: int
    bar_width: int
    bar_height: int
    bars: tuple[Bar, ...]


def bar_chart(labels: Sequence[str], values: FloatArray, texts: Sequence[str], *, title: str) -> BarChart:
    """Return the geometry of horizontal bars for fractions; the scale is fixed at 0–100 %.

    A fixed scale keeps charts of different stages and materials comparable at a glance.
    """
    fractions = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    rows = np.arange(len(fractions))
    ys = TOP + rows * ROW_HEIGHT
    widths = np.round(fractions * BAR_WIDTH, 1)
    bars = tuple(
        Bar(
            label=str(text_label),
            value=str(text),
            y=float(y),
            width=float(w),
            text_y=float(y + BAR_HEIGHT - 3),
        )
        for text_label, text, y, w in zip(labels, texts, ys, widths, strict=True)
    )
    height = TOP * 2 + len(bars) * ROW_HEIGHT
    return BarChart(
        title=title,
        width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        height=int(height),
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
        bar_height=BAR_HEIGHT,
        bars=bars,
    )
