"""Outlook and benchmark indicators: reserve lifetime, demand/supply, supplier concentration, EU shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ketenradar._types import BoolArray, FloatArray

__all__ = [
    "CRMA_EXTRACTION_BENCHMARK",
    "CRMA_PROCESSING_BENCHMARK",
    "CRMA_RECYCLING_BENCHMARK",
    "CRMA_SINGLE_COUNTRY_LIMIT",
    "demand_supply_ratio",
    "group_share",
    "largest_supplier",
    "reserve_lifetime_years",
    "supply_balance",
]

# Critical Raw Materials Act (Regulation (EU) 2024/1252), art. 5(1)(b): no more than 65 % of the
# Union's annual consumption of each strategic raw material, at any relevant stage, from a
# single third country.
CRMA_SINGLE_COUNTRY_LIMIT = 0.65
# Art. 5(1)(a) of the same regulation: by 2030 the Union's capacities allow at least 10 % of its
# annual consumption of strategic raw materials to be extracted (i), 40 % processed (ii) and 25 %
# recycled (iii) in the Union. The Commission's proposal (COM(2023) 160) and the seed report say
# 15 % for recycling; the adopted text says 25 %.
CRMA_EXTRACTION_BENCHMARK = 0.10
CRMA_PROCESSING_BENCHMARK = 0.40
CRMA_RECYCLING_BENCHMARK = 0.25


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


def supply_balance(demand: ArrayLike, supply: ArrayLike) -> tuple[FloatArray, BoolArray]:
    """Return ``supply − demand`` and whether it is known; a shortfall is a known balance below 0.

    NaN balance (and ``False`` in the second array) where either figure is missing.
    """
    d = np.asarray(demand, dtype=np.float64)
    s = np.asarray(supply, dtype=np.float64)
    balance = s - d
    return balance, ~np.isnan(balance)


def group_share(shares: pd.DataFrame, keys: list[str], members: pd.Series) -> pd.Series:
    """Return, per group of ``keys``, the summed share of the rows ``members`` marks.

    ``shares`` has a ``share`` column and ``members`` is a boolean mask aligned with it (e.g.
    the EU member states). Each group that has any row gets a value: 0 where none of its rows
    is a member, the sum of the members' known shares otherwise (a share without a figure adds
    nothing). Groups without rows are absent, not 0.
    """
    marked = shares["share"].where(members.to_numpy(), 0.0).fillna(0.0)
    return marked.groupby([shares[k] for k in keys]).sum().astype(np.float64)


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
