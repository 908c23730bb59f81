"""Concentration measures over shares: the one Herfindahl-Hirschman index of ketenradar."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ketenradar._types import FloatArray, IntArray

__all__ = ["group_max", "hhi", "hhi_by_key"]


def hhi(share: FloatArray, group: IntArray, n_groups: int, weight: FloatArray | None = None) -> FloatArray:
    """Return the (weighted) Herfindahl-Hirschman index per group.

    ``HHI_g = Σ_{i in g} share_i² · weight_i``; with no weight the plain HHI, in (0, 1] for
    shares that sum to 1. Shares are fractions; NaN shares contribute nothing.

    Parameters
    ----------
    share : (n,) fractions 0..1
    group : (n,) group index 0..n_groups-1 of each share
    n_groups : number of groups
    weight : (n,) optional multiplier per share (e.g. scaled WGI × trade factor)
    """
    terms = np.nan_to_num(share) ** 2
    if weight is not None:
        terms = terms * weight
    return np.bincount(group, weights=terms, minlength=n_groups).astype(np.float64)


def hhi_by_key(shares: pd.DataFrame, keys: Sequence[str], share: str = "share") -> pd.Series:
    """Return the HHI of the ``share`` column per combination of ``keys`` (a Series indexed by them).

    Rows are the shares of one supplier each; a supplier listed twice in a group counts as two.
    """
    codes, uniques = pd.MultiIndex.from_frame(shares[list(keys)]).factorize()
    values = hhi(shares[share].to_numpy(dtype=np.float64), codes.astype(np.intp), len(uniques))
    index = (
        pd.MultiIndex.from_tuples(list(uniques), names=list(keys))
        if len(keys) > 1
        else pd.Index([u[0] for u in uniques], name=keys[0])
    )
    return pd.Series(values, index=index, name="hhi")


def group_max(values: FloatArray, group: IntArray, n_groups: int) -> FloatArray:
    """Return the maximum value per group; NaN for a group with no values."""
    out = np.full(n_groups, -np.inf)
    np.maximum.at(out, group, np.nan_to_num(values, nan=-np.inf))
    out[np.isneginf(out)] = np.nan
    return out
