"""The dashboard's formatting and chart geometry, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from ketenradar.locale import use_language
from ketenradar.web.charts import BAR_WIDTH, LABEL_WIDTH, ROW_HEIGHT, TOP, bar_chart
from ketenradar.web.views import number, percent, quantity_text


def test_f21_bar_chart_geometry_on_a_fixed_scale() -> None:
    chart = bar_chart(["China", "Japan"], np.array([0.938, 0.5]), ["93.8%", "50.0%"], title="t")
    assert [b.width for b in chart.bars] == [round(0.938 * BAR_WIDTH, 1), 0.5 * BAR_WIDTH]
    assert [b.y for b in chart.bars] == [TOP, TOP + ROW_HEIGHT]
    assert chart.height == 2 * TOP + 2 * ROW_HEIGHT
    assert chart.bars[0].label == "China" and chart.bars[1].value == "50.0%"
    assert chart.width > LABEL_WIDTH + BAR_WIDTH


@pytest.mark.parametrize(
    ("quantity", "en", "nl"),
    [
        (5000.0, "5,000", "5\u202f000"),
        (1.5, "1.5", "1,5"),
        (0.0004, "0.000400", "0,000400"),
        (0.25, "0.250", "0,250"),
    ],
)
def test_f21_quantities_keep_their_significant_digits(quantity: float, en: str, nl: str) -> None:
    with use_language("en"):
        assert quantity_text(quantity) == en
    with use_language("nl"):
        assert quantity_text(quantity) == nl


def test_f21_a_missing_figure_stays_missing() -> None:
    assert number(float("nan")) == "—" and percent(None) == "—"
    with use_language("nl"):
        assert percent(0.938, 1) == "93,8%"
