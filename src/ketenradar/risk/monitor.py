"""Monitoring kernels: what changed between two snapshots, and which alert rules fire.

Pure functions on frames; the snapshot frames come from :mod:`ketenradar.services.monitor`.
A snapshot's ``chain_use`` frame has one row per stored chain, material, stage and supplier
country (``chain, material, stage, country, share``); a row with an empty material names a
supplier country of a component or subsystem. Every comparison is a frame merge, never a loop
over rows. A value missing on either side is reported with an empty change, never as zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "CHANGE_TOLERANCE",
    "affected_chains",
    "chains_by",
    "change_alerts",
    "compare_flags",
    "compare_labels",
    "compare_values",
    "new_restrictions",
    "restriction_hits",
    "threshold_alerts",
    "used_by_a_chain",
]

# Two values closer than this are equal: the same inputs give the same numbers up to rounding.
CHANGE_TOLERANCE = 1e-9


def _long(frame: pd.DataFrame, keys: Sequence[str], columns: Sequence[str]) -> pd.DataFrame:
    """Return the frame's ``columns`` stacked: keys, indicator, value (missing columns are left out)."""
    present = [c for c in columns if c in frame.columns]
    return frame[[*keys, *present]].melt(id_vars=list(keys), var_name="indicator", value_name="value")


def compare_values(
    old: pd.DataFrame, new: pd.DataFrame, keys: Sequence[str], columns: Sequence[str]
) -> pd.DataFrame:
    """Return each (key, indicator) whose number differs between ``old`` and ``new``.

    Columns: the keys, ``indicator``, ``old``, ``new``, ``change`` (new − old; NaN where either
    side is missing) and ``status``: ``changed``, ``added`` (key only in ``new``), ``removed``
    (key only in ``old``), ``now_missing`` or ``now_known`` (the value appeared or went). Two
    missing values are equal; two numbers within :data:`CHANGE_TOLERANCE` are equal.
    """
    keys = list(keys)
    merged = _long(old, keys, columns).merge(
        _long(new, keys, columns),
        on=[*keys, "indicator"],
        how="outer",
        suffixes=("_old", "_new"),
        indicator=True,
    )
    before = merged["value_old"].to_numpy(dtype=np.float64)
    after = merged["value_new"].to_numpy(dtype=np.float64)
    known_before, known_after = ~np.isnan(before), ~np.isnan(after)
    with np.errstate(invalid="ignore"):
        differs = known_before & known_after & (np.abs(after - before) > CHANGE_TOLERANCE)
    status = np.select(
        [
            (merged["_merge"] == "right_only").to_numpy(),
            (merged["_merge"] == "left_only").to_numpy(),
            differs,
            known_before & ~known_after,
            ~known_before & known_after,
        ],
        ["added", "removed", "changed", "now_missing", "now_known"],
        default="",
    )
    out = merged[[*keys, "indicator"]].assign(old=before, new=after, change=after - before, status=status)
    # A key added or removed with no value on either side says nothing.
    out = out[(status != "") & ~(np.isnan(before) & np.isnan(after))]
    return out.sort_values([*keys, "indicator"], ignore_index=True)


def compare_flags(
    old: pd.DataFrame, new: pd.DataFrame, keys: Sequence[str], columns: Sequence[str]
) -> pd.DataFrame:
    """Return each (key, flag) whose yes/no value differs: keys, ``flag``, ``old``, ``new``.

    ``None`` (not known) differs from both True and False; a key present on one side only has
    ``None`` on the other.
    """
    keys = list(keys)
    coded = [
        _long(frame, keys, columns).assign(code=lambda f: f["value"].map({True: 1, False: 0}).fillna(-1))
        for frame in (old, new)
    ]
    merged = coded[0].merge(coded[1], on=[*keys, "indicator"], how="outer", suffixes=("_old", "_new"))
    merged[["code_old", "code_new"]] = merged[["code_old", "code_new"]].fillna(-1)
    changed = merged[merged["code_old"] != merged["code_new"]]
    decode = {1: True, 0: False, -1: None}
    return pd.DataFrame(
        {
            **{k: changed[k].to_numpy() for k in keys},
            "flag": changed["indicator"].to_numpy(),
            "old": changed["code_old"].map(decode).astype(object).to_numpy(),
            "new": changed["code_new"].map(decode).astype(object).to_numpy(),
        }
    ).sort_values([*keys, "flag"], ignore_index=True)


def compare_labels(
    old: pd.DataFrame, new: pd.DataFrame, keys: Sequence[str], columns: Sequence[str]
) -> pd.DataFrame:
    """Return each (key, field) whose text differs: keys, ``field``, ``old``, ``new`` (None where absent).

    For provenance: a dataset whose edition, year or checksum changed, appeared or went.
    """
    keys = list(keys)
    merged = _long(old, keys, columns).merge(
        _long(new, keys, columns), on=[*keys, "indicator"], how="outer", suffixes=("_old", "_new")
    )
    before = merged["value_old"].to_numpy(dtype=object)
    after = merged["value_new"].to_numpy(dtype=object)
    before[pd.isna(before)] = None
    after[pd.isna(after)] = None
    differs = before.astype(str) != after.astype(str)
    return pd.DataFrame(
        {
            **{k: merged.loc[differs, k].to_numpy() for k in keys},
            "field": merged.loc[differs, "indicator"].to_numpy(),
            "old": pd.Series(before[differs], dtype=object),
            "new": pd.Series(after[differs], dtype=object),
        }
    ).sort_values([*keys, "field"], ignore_index=True)


def chains_by(chain_use: pd.DataFrame, column: str) -> pd.Series:
    """Return per value of ``column`` (a material or a country) the sorted tuple of chains that use it."""
    used = chain_use.loc[chain_use[column].fillna("") != "", [column, "chain"]].drop_duplicates()
    used = used.sort_values([column, "chain"])
    return used.groupby(column, sort=True)["chain"].agg(tuple)


def affected_chains(
    chain_use: pd.DataFrame, materials: Sequence[str], countries: Sequence[str]
) -> pd.DataFrame:
    """Return the chains that use a changed material or buy from a changed country.

    Columns: ``chain``, ``materials`` and ``countries`` (sorted tuples of what hit it), one row
    per chain hit, by chain name.
    """
    hits = []
    for column, changed, label in (("material", materials, "materials"), ("country", countries, "countries")):
        rows = chain_use.loc[chain_use[column].isin(list(changed)), ["chain", column]].drop_duplicates()
        hits.append(rows.sort_values(["chain", column]).groupby("chain")[column].agg(tuple).rename(label))
    table = pd.concat(hits, axis=1).sort_index()
    for column in ("materials", "countries"):
        table[column] = table[column].map(lambda value: value if isinstance(value, tuple) else ())
    return table.rename_axis("chain").reset_index()


def new_restrictions(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of ``new`` whose (country, material, stage) is not in ``old``."""
    keys = ["country", "material", "stage"]
    seen = (
        pd.MultiIndex.from_frame(old[keys].astype(str))
        if len(old)
        else pd.MultiIndex.from_tuples([], names=keys)
    )
    fresh = (
        ~pd.MultiIndex.from_frame(new[keys].astype(str)).isin(seen) if len(new) else np.zeros(0, dtype=bool)
    )
    return new[fresh].reset_index(drop=True)


def restriction_hits(restrictions: pd.DataFrame, chain_use: pd.DataFrame) -> pd.DataFrame:
    """Return each restriction with the chains it hits: those buying that material from that country.

    A restriction with an empty stage covers every stage; one with a stage hits only chains
    supplied from the country at that stage. The result has the restriction's columns plus
    ``chains`` (a sorted tuple, empty if none is hit).
    """
    frame = restrictions.reset_index(drop=True).rename_axis("_row").reset_index()
    use = chain_use.loc[chain_use["material"].fillna("") != "", ["chain", "material", "stage", "country"]]
    joined = frame[["_row", "country", "material", "stage"]].merge(
        use, on=["country", "material"], how="inner", suffixes=("", "_chain")
    )
    joined = joined[(joined["stage"] == "") | (joined["stage"] == joined["stage_chain"])]
    chains = joined[["_row", "chain"]].drop_duplicates().sort_values(["_row", "chain"])
    by_row = chains.groupby("_row")["chain"].agg(tuple).reindex(frame["_row"])
    frame["chains"] = [value if isinstance(value, tuple) else () for value in by_row.to_numpy(dtype=object)]
    return frame.drop(columns="_row")


def used_by_a_chain(chains: pd.Series) -> np.ndarray:
    """Return per row whether its tuple of chains is not empty (a boolean mask, also for no rows)."""
    mask: np.ndarray = chains.map(len).to_numpy(dtype=np.int64) > 0
    return mask


def _chain_lists(chains: pd.Series, keys: pd.Index) -> np.ndarray:
    """Return the tuple of chains for each key (an empty tuple where none uses it)."""
    used = chains.reindex(keys).to_numpy(dtype=object)
    listed: np.ndarray = pd.Series(
        [value if isinstance(value, tuple) else () for value in used], dtype=object
    ).to_numpy()
    return listed


def change_alerts(
    previous: pd.Series,
    values: pd.Series,
    threshold: float,
    chains: pd.Series,
    *,
    only_in_chains: bool = False,
) -> pd.DataFrame:
    """Return the keys whose value moved by at least ``threshold`` (either way) since ``previous``.

    Both series are indexed by key; a key missing, or with a missing value, on either side
    never fires. Columns as :func:`threshold_alerts` (``crossed`` is None).
    """
    old, new = previous.astype(np.float64).align(values.astype(np.float64), join="inner")
    moved = (new - old).abs().to_numpy() >= threshold
    keys = new.index[moved]
    table = pd.DataFrame(
        {
            "key": keys.astype(str),
            "value": new.to_numpy()[moved],
            "previous": old.to_numpy()[moved],
            "crossed": np.full(len(keys), None, dtype=object),
            "chains": _chain_lists(chains, keys),
        }
    )
    if only_in_chains:
        table = table.loc[used_by_a_chain(table["chains"])]
    return table.sort_values("key", ignore_index=True)


def threshold_alerts(
    values: pd.Series,
    threshold: float,
    chains: pd.Series,
    *,
    previous: pd.Series | None = None,
    only_in_chains: bool = False,
) -> pd.DataFrame:
    """Return the keys whose value is above ``threshold``, with the chains that use them.

    ``values`` and ``previous`` (the same indicator one snapshot earlier) are indexed by key
    (a material id or ISO3); ``chains`` maps a key to the tuple of chains using it. Columns:
    ``key``, ``value``, ``previous``, ``crossed`` (True if the previous value was at or below
    the threshold, None without a previous value) and ``chains``. A missing value never fires.
    ``only_in_chains`` keeps only keys some chain uses.
    """
    numbers = values.astype(np.float64)
    fired = numbers[numbers.to_numpy() > threshold]
    before = (
        previous.astype(np.float64).reindex(fired.index)
        if previous is not None
        else pd.Series(np.nan, index=fired.index)
    )
    crossed = (before.to_numpy() <= threshold).astype(object)
    crossed[before.isna().to_numpy()] = None
    table = pd.DataFrame(
        {
            "key": fired.index.astype(str),
            "value": fired.to_numpy(),
            "previous": before.to_numpy(),
            "crossed": crossed,
            "chains": _chain_lists(chains, fired.index),
        }
    )
    if only_in_chains:
        table = table.loc[used_by_a_chain(table["chains"])]
    return table.sort_values("key", ignore_index=True)
