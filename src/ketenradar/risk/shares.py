"""Shares of a total by group, with concentration: the common core of the sector indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["group_shares"]


def group_shares(groups: pd.Series, weights: pd.Series | None = None) -> pd.DataFrame:
    """Return per group its count, count share and (with ``weights``) weight and weight share.

    Rows are sorted by the weight (or count), largest first. Missing weights are left out of
    the weight total and counted in ``weight_missing``, never taken as zero.
    """
    frame = pd.DataFrame({"group": groups.to_numpy(), "one": 1})
    if weights is not None:
        frame["weight"] = weights.to_numpy(dtype=np.float64)
    grouped = frame.groupby("group", sort=False)
    out = pd.DataFrame({"count": grouped["one"].sum()})
    out["count_share"] = out["count"] / out["count"].sum()
    if weights is not None:
        out["weight"] = grouped["weight"].sum(min_count=1)
        out["weight_missing"] = grouped["weight"].apply(lambda w: int(w.isna().sum()))
        out["weight_share"] = out["weight"] / out["weight"].sum()
        out = out.sort_values(["weight", "count"], ascending=False)
    else:
        out = out.sort_values("count", ascending=False)
    out.index.name = "group"
    return out.reset_index()
