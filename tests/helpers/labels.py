"""Text boxes of a drawn matplotlib figure: which labels overprint one another."""

from __future__ import annotations

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox


def label_boxes(figure: Figure) -> list[list[tuple[str, Bbox]]]:
    """Draw ``figure`` with Agg and return, per axes, each non-empty text label with its box in pixels.

    Titles and tick labels are not included: only the texts written on the axes (``ax.texts``).
    An annotation's leader line is not part of its box (``Text.get_window_extent`` is used, not
    the annotation's, which would include the arrow).
    """
    renderer = FigureCanvasAgg(figure).get_renderer()  # type: ignore[no-untyped-call]
    figure.draw(renderer)
    return [
        [(t.get_text(), Text.get_window_extent(t, renderer)) for t in ax.texts if t.get_text().strip()]
        for ax in figure.axes
    ]


def overprinting_labels(figure: Figure) -> list[tuple[str, str]]:
    """Return the pairs of labels on the same axes of ``figure`` whose boxes intersect."""
    return [
        (first, second)
        for boxes in label_boxes(figure)
        for (first, a), (second, b) in itertools.combinations(boxes, 2)
        if a.overlaps(b)
    ]
