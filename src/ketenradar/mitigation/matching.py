"""Matching rules: findings on a chain and the catalogue measures that apply to each (F16).

Five rules, each with its thresholds and the measure types (or catalogue ids) it points to:

- ``single_country``: a material item's largest country share at a raw-material stage is at
  least ``threshold`` (chain rows, else the material's world shares) → broaden the supply base,
  country partnerships.
- ``shortfall``: under the scenario an item's own availability is below ``threshold`` and the
  longest lead time of its sourcing rows is at most ``max_lead_time_days`` → stockpiling. A
  shortfall whose lead time is unknown is listed as not evaluated.
- ``substitutable``: the EC substitution index SI_SR of the item's material (the largest over
  its stages) is below ``threshold`` → R&D and redesign.
- ``unknown_upstream``: an item other than a raw material without sourcing rows → map the chain.
- ``ownership``: ownership from a high-risk country → investment screening. The chain workbook
  has no ownership data, so the rule is listed as not evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ketenradar.model.chain import Chain
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES

__all__ = ["RULES", "MatchingRule", "applicable_measures", "find_findings"]

RULES = ("single_country", "shortfall", "substitutable", "unknown_upstream", "ownership")
FINDING_COLUMNS = ["rule", "item", "material", "stage", "country", "value", "evaluated"]


@dataclass(frozen=True, slots=True)
class MatchingRule:
    """One rule: its thresholds and the measure types or catalogue ids it points to."""

    name: str
    measures: tuple[str, ...]
    threshold: float | None = None
    max_lead_time_days: float | None = None


def _frame(rule: str, **columns: object) -> pd.DataFrame:
    """Return findings of one rule in the finding columns."""
    frame = pd.DataFrame(columns)
    frame.insert(0, "rule", rule)
    for column in FINDING_COLUMNS:
        if column not in frame.columns:
            frame[column] = np.nan if column == "value" else ""
    return frame[FINDING_COLUMNS]


def _single_country(chain: Chain, world_shares: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Return material items whose largest country share at a raw stage is ≥ ``threshold``."""
    items = chain.items
    materials = items.loc[items["kind"] == "material", ["id", "material"]].rename(columns={"id": "item"})
    own = chain.sourcing.loc[
        chain.sourcing["stage"].isin(RAW_MATERIAL_STAGES), ["item", "stage", "country", "share"]
    ]
    own = own[own["item"].isin(materials["item"])]
    world = materials.merge(world_shares, on="material")[["item", "stage", "country", "share"]]
    # World shares stand in only where the chain has no rows of its own for the item and stage.
    keys = own[["item", "stage"]].drop_duplicates().assign(_own=True)
    world = world.merge(keys, on=["item", "stage"], how="left")
    world = world[world["_own"].isna()].drop(columns="_own")
    rows = pd.concat([own, world], ignore_index=True)
    if rows.empty:
        return _frame("single_country")
    summed = rows.groupby(["item", "stage", "country"], as_index=False, sort=True)["share"].sum()
    top = summed.sort_values(["item", "stage", "share"], ascending=[True, True, False], kind="stable")
    top = top.drop_duplicates(["item", "stage"])
    top = top[top["share"] >= threshold].merge(materials, on="item")
    return _frame(
        "single_country",
        item=top["item"].to_numpy(),
        material=top["material"].to_numpy(),
        stage=top["stage"].to_numpy(),
        country=top["country"].to_numpy(),
        value=top["share"].to_numpy(dtype=np.float64),
        evaluated=True,
    )


def _shortfall(
    chain: Chain, own_availability: pd.Series, threshold: float, max_lead_time: float
) -> pd.DataFrame:
    """Return items whose own availability is below ``threshold``, with a short or unknown lead time."""
    short = own_availability[own_availability < threshold]
    if short.empty:
        return _frame("shortfall")
    lead = chain.sourcing.groupby("item")["lead_time_days"].max()
    lead_of = lead.reindex(short.index).to_numpy(dtype=np.float64)
    known = ~np.isnan(lead_of)
    keep = ~known | (lead_of <= max_lead_time)
    material = chain.items.set_index("id")["material"].reindex(short.index).fillna("").to_numpy()
    return _frame(
        "shortfall",
        item=short.index.to_numpy()[keep],
        material=material[keep],
        value=short.to_numpy(dtype=np.float64)[keep],
        evaluated=known[keep],
    )


def _substitutable(chain: Chain, si_sr: pd.Series, threshold: float) -> pd.DataFrame:
    """Return material items whose material's SI_SR (largest over stages) is below ``threshold``."""
    items = chain.items[chain.items["kind"] == "material"]
    values = si_sr.reindex(items["material"]).to_numpy(dtype=np.float64)
    hit = values < threshold
    return _frame(
        "substitutable",
        item=items["id"].to_numpy()[hit],
        material=items["material"].to_numpy()[hit],
        value=values[hit],
        evaluated=True,
    )


def _unknown_upstream(chain: Chain) -> pd.DataFrame:
    """Return items other than raw materials that have no sourcing rows."""
    items = chain.items
    unknown = (items["kind"] != "material").to_numpy() & ~items["id"].isin(chain.sourcing["item"]).to_numpy()
    return _frame("unknown_upstream", item=items["id"].to_numpy()[unknown], evaluated=True)


def find_findings(
    chain: Chain,
    world_shares: pd.DataFrame,
    si_sr: pd.Series,
    rules: Mapping[str, MatchingRule],
    own_availability: pd.Series | None = None,
) -> pd.DataFrame:
    """Return the findings of every rule: rule, item, material, stage, country, value, evaluated.

    ``si_sr`` is indexed by material id; ``own_availability`` by item id (from a scenario run;
    without it the shortfall rule is listed as not evaluated). ``value`` is the share, the
    availability or the SI_SR the rule compared with its threshold. Rows not ``evaluated`` are
    rules (or items) the data did not allow to check.
    """
    parts = []
    if "single_country" in rules:
        rule = rules["single_country"]
        parts.append(_single_country(chain, world_shares, float(rule.threshold or 0.0)))
    if "shortfall" in rules:
        rule = rules["shortfall"]
        if own_availability is None:
            parts.append(_frame("shortfall", item=[""], evaluated=False))
        else:
            parts.append(
                _shortfall(
                    chain,
                    own_availability,
                    float(rule.threshold or 0.0),
                    float(rule.max_lead_time_days if rule.max_lead_time_days is not None else np.inf),
                )
            )
    if "substitutable" in rules:
        parts.append(_substitutable(chain, si_sr, float(rules["substitutable"].threshold or 0.0)))
    if "unknown_upstream" in rules:
        parts.append(_unknown_upstream(chain))
    if "ownership" in rules:
        parts.append(_frame("ownership", item=[""], evaluated=False))
    if not parts:
        return _frame("single_country").iloc[0:0]
    frame = pd.concat(parts, ignore_index=True)
    frame["evaluated"] = frame["evaluated"].astype(bool)
    return frame


def applicable_measures(
    findings: pd.DataFrame, rules: Mapping[str, MatchingRule], catalogue: pd.DataFrame
) -> pd.DataFrame:
    """Return one row per finding and applicable catalogue measure: rule, item, measure_id.

    A rule's entries are measure types (the catalogue's ``type`` column) or catalogue ids.
    """
    rows = [
        (name, measure_id)
        for name, rule in rules.items()
        for entry in rule.measures
        for measure_id in catalogue.loc[
            (catalogue["type"] == entry) | (catalogue["measure_id"] == entry), "measure_id"
        ]
    ]
    pairs = pd.DataFrame(rows, columns=["rule", "measure_id"]).drop_duplicates()
    return findings.merge(pairs, on="rule", how="left")
