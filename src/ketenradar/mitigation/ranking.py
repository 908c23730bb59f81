"""Rank measures by their quantified effect, then by the catalogue's ratings (F16)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketenradar._types import IntArray

__all__ = ["rank_measures"]


def rank_measures(frame: pd.DataFrame) -> IntArray:
    """Return the rank (1 = best) of each row of ``frame``.

    Columns: ``id``, ``loss_avoided`` (platform-days), ``loss_avoided_per_eur`` (NaN without a
    cost), ``impact`` (1–3, NaN unrated), ``effort`` (2–6, NaN unrated) and, optionally,
    ``cost_eur``. Measures that avoid a loss come before those that avoid none (or whose effect
    is unknown). Among the first, a free measure (cost 0) comes first, then those with a loss
    avoided per euro by that figure (descending), then those without a cost by loss avoided
    (descending). Ties go to the larger loss avoided, higher impact, lower effort (unrated
    last), then the id, so the ranking is deterministic and independent of the rows' order.
    """
    per_eur = frame["loss_avoided_per_eur"].to_numpy(dtype=np.float64)
    loss = frame["loss_avoided"].to_numpy(dtype=np.float64)
    impact = frame["impact"].to_numpy(dtype=np.float64)
    effort = frame["effort"].to_numpy(dtype=np.float64)
    ids = frame["id"].astype(str).to_numpy(dtype=object)
    cost = (
        frame["cost_eur"].to_numpy(dtype=np.float64)
        if "cost_eur" in frame.columns
        else np.full(len(frame), np.nan)
    )
    effective = np.nan_to_num(loss, nan=0.0) > 0
    # 0: free, 1: a loss avoided per euro, 2: no cost given.
    tier = np.where(cost == 0, 0, np.where(np.isfinite(per_eur), 1, 2))
    # np.lexsort sorts by the last key first; descending figures are negated, NaN mapped to +inf.
    keys = (
        np.unique(ids, return_inverse=True)[1],
        np.nan_to_num(effort, nan=np.inf),
        np.nan_to_num(-impact, nan=np.inf),
        np.where(np.isnan(loss), np.inf, -loss),
        np.where(tier == 1, -per_eur, 0.0),
        np.where(effective, tier, 0),
        ~effective,
    )
    order = np.lexsort(keys)
    ranks = np.empty(len(frame), dtype=np.intp)
    ranks[order] = np.arange(1, len(frame) + 1)
    return ranks
