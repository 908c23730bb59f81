"""Composite country risk: a weighted mean of indicators scaled to 0..1 (higher = riskier)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ketenradar._types import FloatArray
from ketenradar.errors import ConfigError
from ketenradar.locale import N_, _

__all__ = [
    "COUNTRY_INDICATORS",
    "DEFAULT_COUNTRY_WEIGHTS",
    "IndicatorScale",
    "assess_country_risk",
    "composite_risk",
    "normalise_weights",
    "scale_indicator",
]


@dataclass(frozen=True, slots=True)
class IndicatorScale:
    """How one raw indicator maps linearly to 0 (least risky) .. 1 (most risky)."""

    column: str
    best: float
    worst: float
    label: str

    def describe(self) -> str:
        """Return the scaling as a formula for docs and reports, in the active language."""
        return _("({column} − {best}) / ({worst} − {best}), clipped to 0..1").format(
            column=self.column, best=f"{self.best:g}", worst=f"{self.worst:g}"
        )


COUNTRY_INDICATORS: dict[str, IndicatorScale] = {
    "wgi": IndicatorScale("wgi_mean", 2.5, -2.5, N_("World Bank WGI 2023, mean of six dimensions")),
    "oecd_crc": IndicatorScale("oecd_crc", 0.0, 7.0, N_("OECD country risk class 0-7 (2026-01-30)")),
    "fsi": IndicatorScale("fsi_total", 0.0, 120.0, N_("Fragile States Index 2023 total 0-120")),
    "atradius_star": IndicatorScale("atradius_star", 1.0, 10.0, N_("Atradius STAR 1-10 (user file)")),
}

# Equal weights: the seed report names these four sources without ranking them.
DEFAULT_COUNTRY_WEIGHTS: dict[str, float] = dict.fromkeys(COUNTRY_INDICATORS, 0.25)


def scale_indicator(values: FloatArray, best: float, worst: float) -> FloatArray:
    """Map raw indicator values linearly so ``best`` → 0 and ``worst`` → 1, clipped to 0..1."""
    scaled = (np.asarray(values, dtype=np.float64) - best) / (worst - best)
    return np.clip(scaled, 0.0, 1.0)


def composite_risk(scaled: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the weighted mean of each row's available components, and the weight it used.

    ``scaled`` is (n_countries, n_indicators) with NaN for a missing indicator; ``weights`` is
    (n_indicators,) and non-negative. The weights of the available indicators are
    renormalised to sum to 1; a row with no available weight gets NaN. The second array is the
    share of the total weight that was available (1.0 = nothing missing).
    """
    available = ~np.isnan(scaled)
    used = np.where(available, weights, 0.0)
    total = used.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        composite = np.where(available, scaled, 0.0) @ weights / total
    composite[total == 0] = np.nan
    return composite, total / weights.sum()


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Validate indicator weights and scale them to sum to 1."""
    unknown = sorted(set(weights) - set(COUNTRY_INDICATORS))
    if unknown:
        raise ConfigError(
            _("unknown country-risk indicator(s) {names}; expected some of {known}").format(
                names=", ".join(unknown), known=", ".join(COUNTRY_INDICATORS)
            )
        )
    negative = [name for name, w in weights.items() if not np.isfinite(w) or w < 0]
    if negative:
        raise ConfigError(
            _("country-risk weight(s) must be finite and ≥ 0: {names}").format(names=", ".join(negative))
        )
    full = {name: float(weights.get(name, 0.0)) for name in COUNTRY_INDICATORS}
    total = sum(full.values())
    if total <= 0:
        raise ConfigError(_("country-risk weights must not all be zero"))
    return {name: w / total for name, w in full.items()}


def assess_country_risk(
    indicators: pd.DataFrame, weights: Mapping[str, float] = DEFAULT_COUNTRY_WEIGHTS
) -> pd.DataFrame:
    """Return scaled components, composite risk, weight coverage and missing indicators.

    ``indicators`` has one row per country and the raw columns named in
    :data:`COUNTRY_INDICATORS` (a column that is absent counts as missing everywhere).
    """
    normalised = normalise_weights(weights)
    names = list(COUNTRY_INDICATORS)
    raw = np.column_stack(
        [
            indicators[scale.column].to_numpy(dtype=np.float64)
            if scale.column in indicators
            else np.full(len(indicators), np.nan)
            for scale in COUNTRY_INDICATORS.values()
        ]
    )
    bests = np.array([s.best for s in COUNTRY_INDICATORS.values()])
    worsts = np.array([s.worst for s in COUNTRY_INDICATORS.values()])
    scaled = scale_indicator(raw, bests, worsts)  # type: ignore[arg-type]
    w = np.array([normalised[name] for name in names])
    composite, coverage = composite_risk(scaled, w)
    out = pd.DataFrame(scaled, index=indicators.index, columns=[f"component_{n}" for n in names])
    out["composite_risk"] = composite
    out["weight_coverage"] = coverage
    weighted_missing = np.isnan(scaled) & (w > 0)
    out["missing_indicators"] = [
        [name for name, gap in zip(names, row, strict=True) if gap] for row in weighted_missing
    ]
    return out
