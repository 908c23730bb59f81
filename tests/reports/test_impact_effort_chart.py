"""F16: the impact-versus-effort chart renders, marks the time horizon and never overprints labels."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ketenradar.reports.charts import _impact_effort_figure, impact_effort_chart
from ketenradar.services.measures import measure_catalogue


def _report_measures() -> pd.DataFrame:
    """Return the seed report's rated measures with their Dutch figure labels (up to 80 characters)."""
    frame = measure_catalogue().measures
    from ketenradar import refdata

    labels = refdata.read_dataset("seed_mitigation_measures").set_index("measure_id")["figure_label_nl"]
    return pd.DataFrame(
        {
            "label": labels.reindex(frame["measure_id"]).fillna(frame["measure_id"]).to_numpy(),
            "impact": frame["impact_score"],
            "effort": frame["effort"],
            "time_horizon": frame["time_horizon"].replace("", np.nan),
            "loss_avoided": np.nan,
        }
    )


def test_f16_chart_renders_every_rated_measure_as_text() -> None:
    frame = _report_measures()
    svg = impact_effort_chart(frame, title="Impact against effort", x_label="effort", y_label="impact")
    assert svg.startswith("<svg")
    rated = frame.dropna(subset=["impact", "effort"])
    assert len(rated) == 18  # the report's priority measures G01–G10, C01–C08
    assert "Verken" in svg and "EU-mijnen" in svg
    assert "long term" in svg and "short term" in svg


def test_f16_chart_labels_do_not_overprint() -> None:
    figure = _impact_effort_figure(_report_measures(), title="t", x_label="x", y_label="y")
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    ax = figure.axes[0]
    boxes = [text.get_window_extent(renderer) for text in ax.texts]
    assert len(boxes) >= 8
    for first, second in itertools.combinations(boxes, 2):
        assert not first.overlaps(second), (first, second)
    # Every block stays inside the figure.
    width, height = figure.bbox.width, figure.bbox.height
    for box in boxes:
        assert box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and box.y1 <= height


def test_f16_measures_on_one_cell_share_one_block_and_the_marker_grows_with_loss() -> None:
    frame = pd.DataFrame(
        {
            "label": ["b", "a", "c"],
            "impact": [2.0, 2.0, 1.0],
            "effort": [4.0, 4.0, 6.0],
            "time_horizon": ["short", "long", None],
            "loss_avoided": [10.0, 40.0, np.nan],
        }
    )
    figure = _impact_effort_figure(frame, title="", x_label="", y_label="")
    texts = sorted(text.get_text() for text in figure.axes[0].texts)
    assert texts == ["• a\n• b", "• c"]
    sizes = {tuple(c.get_offsets()[0]): c.get_sizes()[0] for c in figure.axes[0].collections}
    assert sizes[(4.0, 2.0)] > 30.0
