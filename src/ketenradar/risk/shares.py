"""Shares of a total by group, with concentration: the common core of the sector indicators."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

__all__ = ["catalogue_supply_shares", "group_shares"]


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


def catalogue_supply_shares(
    shares: pd.DataFrame, materials: Collection[str], groups: Collection[str]
) -> pd.DataFrame:
    """Return shares per catalogue material; a group gets the mean of its members' shares.

    ``shares`` has material, group, stage, scope, country, share (the EC tables' layout: a
    group member's rows name its group); ``materials`` are the catalogue's ids and ``groups``
    those of them that are groups of elements. The mean over members follows the EC's rule for
    group scores (spec §4.9); a member that has data at a stage but not for a country counts
    as 0 for that country.
    """
    direct = shares[shares["material"].isin(list(materials))]
    members = shares[shares["group"].isin(list(groups)) & (shares["material"] != shares["group"])]
    member_count = members.groupby(["group", "stage", "scope"])["material"].nunique()
    summed = members.groupby(["group", "stage", "scope", "country"])["share"].sum(min_count=1)
    averaged = summed / member_count.reindex(summed.droplevel("country").index).to_numpy()
    from_members = averaged.rename("share").reset_index().rename(columns={"group": "material"})
    from_members["basis_note"] = "mean of member elements"
    # A group listed directly (e.g. EU sourcing of heavy rare earths) keeps its own rows.
    have = direct.set_index(["material", "stage", "scope"]).index
    keep = ~from_members.set_index(["material", "stage", "scope"]).index.isin(have)
    out = pd.concat([direct.assign(basis_note=""), from_members[keep]], ignore_index=True)
    return out[["material", "stage", "scope", "country", "share", "basis_note"]]
