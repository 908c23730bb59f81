"""Rank measures by their quantified effect, then by the catalogue's ratings (F16)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketenradar._types import IntArray

__all__ = ["rank_measures"]


def rank_measures(frame: pd.DataFrame) -> IntArray:
    """Return the rank (1 = best) of each row of ``frame``.

    Columns: ``id``, ``loss_avoided`` (platform-days), ``loss_avoided_per_eur`` (NaN without a
    cost), ``impact`` (1–3, NaN unrated) and ``effort`` (2–6, NaN unrated). Measures with a loss
    avoided per euro come first, by that figure (descending); the others follow by loss avoided
    (descending). Ties go to higher impact, then lower effort (unrated last), then the id, so
    the ranking is deterministic and independent of the rows' order. A NaN loss avoided sorts
    last.
    """
    per_eur = frame["loss_avoided_per_eur"].to_numpy(dtype=np.float64)
    loss = frame["loss_avoided"].to_numpy(dtype=np.float64)
    impact = frame["impact"].to_numpy(dtype=np.float64)
    effort = frame["effort"].to_numpy(dtype=np.float64)
    ids = frame["id"].astype(str).to_numpy(dtype=object)
    has_cost = np.isfinite(per_eur)
    # np.lexsort sorts by the last key first; descending figures are negated, NaN mapped to +inf.
    keys = (
        np.unique(ids, return_inverse=True)[1],
        np.nan_to_num(effort, nan=np.inf),
        np.nan_to_num(-impact, nan=np.inf),
        np.where(np.isnan(loss), np.inf, -loss),
        np.where(has_cost, -per_eur, np.inf),
        ~has_cost,
    )
    order = np.lexsort(keys)
    ranks = np.empty(len(frame), dtype=np.intp)
    ranks[order] = np.arange(1, len(frame) + 1)
    return ranks
