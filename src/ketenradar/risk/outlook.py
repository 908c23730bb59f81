"""Outlook and benchmark indicators: reserve lifetime, demand/supply, supplier concentration."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ketenradar._types import BoolArray, FloatArray

__all__ = [
    "CRMA_SINGLE_COUNTRY_LIMIT",
    "demand_supply_ratio",
    "largest_supplier",
    "reserve_lifetime_years",
]

# Critical Raw Materials Act (Regulation (EU) 2024/1252), art. 5(1)(d): no more than 65 % of the
# Union's annual consumption of each strategic raw material, at any relevant stage, from a
# single third country.
CRMA_SINGLE_COUNTRY_LIMIT = 0.65


def reserve_lifetime_years(reserves: ArrayLike, production: ArrayLike) -> FloatArray:
    """Return the static reserve lifetime ``reserves / annual production`` in years.

    NaN where either figure is missing or production is not positive.
    """
    r = np.asarray(reserves, dtype=np.float64)
    p = np.asarray(production, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(p > 0, r / p, np.nan)


def demand_supply_ratio(demand: ArrayLike, supply: ArrayLike) -> tuple[FloatArray, BoolArray]:
    """Return demand/supply and a shortfall flag (ratio > 1); NaN ratio where unknown."""
    d = np.asarray(demand, dtype=np.float64)
    s = np.asarray(supply, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(s > 0, d / s, np.nan)
    return ratio, np.nan_to_num(ratio, nan=0.0) > 1.0


def largest_supplier(
    shares: pd.DataFrame, keys: list[str], eligible: pd.Series | None = None
) -> pd.DataFrame:
    """Return, per group of ``keys``, the country with the largest share and that share.

    ``shares`` has columns ``country`` and ``share``; ``eligible`` (a boolean mask aligned
    with ``shares``) restricts the candidates, e.g. to third countries.
    """
    candidates = shares if eligible is None else shares[eligible.to_numpy()]
    candidates = candidates.dropna(subset=["share"])
    if candidates.empty:
        return pd.DataFrame(columns=[*keys, "country", "share"]).set_index(keys)
    top = candidates.loc[candidates.groupby(keys)["share"].idxmax()]
    return top.set_index(keys)[["country", "share"]]
