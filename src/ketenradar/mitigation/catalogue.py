"""The catalogue of measure types and the report's ratings as numbers (F16).

The seed report (Berenschot 2024) rates its priority measures low/medium/high on impact,
investment and complexity and short/medium/long on time horizon, and draws them as impact
against effort, effort being investment and complexity. Here the ratings map to 1/2/3 and
``effort = investment + complexity`` (2–6); a measure the report does not rate keeps NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketenradar._types import FloatArray
from ketenradar.locale import N_

__all__ = [
    "HORIZONS",
    "MEASURE_TYPES",
    "RATINGS",
    "effort_scores",
    "measure_types_of",
    "rating_scores",
]

RATINGS = ("low", "medium", "high")
HORIZONS = ("short", "medium", "long")
# The F16 measure types, each with the report's strategy (English, as in the catalogue) it stands for.
MEASURE_TYPES: dict[str, tuple[str, str]] = {
    "country_partnerships": ("Cooperation with countries", N_("country partnerships")),
    "restrictive_measures": ("Restrictive measures", N_("restrictive measures")),
    "stimulus_measures": ("Stimulus measures", N_("stimulating measures")),
    "chain_cooperation": (
        "Industrial cooperation and ecosystems between and within domains",
        N_("chain cooperation"),
    ),
    "broaden_supplier_base": ("Broaden the supply chain", N_("broadening the supply base")),
    "rnd_redesign": ("Stimulate R&D and innovation", N_("R&D and redesign")),
    "reduce_reuse_recycle": (
        "Reduce, reuse, repair, recycle, remanufacture, refurbish",
        N_("reduce, reuse, recycle, lifetime extension"),
    ),
    "stockpiling": ("Increase reserves", N_("stockpiling")),
}


def measure_types_of(strategies: pd.Series) -> pd.Series:
    """Return the measure type key of each report strategy (empty where none matches)."""
    by_strategy = {strategy: key for key, (strategy, _label) in MEASURE_TYPES.items()}
    return strategies.map(by_strategy).fillna("").astype(str)


def rating_scores(ratings: pd.Series, scale: tuple[str, ...] = RATINGS) -> FloatArray:
    """Return 1, 2, 3 for the scale's words (low/medium/high), NaN where a rating is missing."""
    score = {word: float(n) for n, word in enumerate(scale, start=1)}
    values: FloatArray = ratings.map(score).to_numpy(dtype=np.float64, na_value=np.nan)
    return values


def effort_scores(investment: pd.Series, complexity: pd.Series) -> FloatArray:
    """Return effort = investment + complexity on the 1–3 scores (2–6; NaN if either is missing)."""
    total: FloatArray = rating_scores(investment) + rating_scores(complexity)
    return total
