"""Mitigation measures as changes to a copy of a chain (F16, measures file v1).

Each kind changes one frame of the chain; nothing is changed in place:

- ``add_supplier``: a new sourcing row (item, country, stage, ``share``); the item's other rows
  at that stage are scaled by ``1 − share``. A raw material without rows of its own at that stage
  first gets its material's world shares as rows (that is what the baseline rule used for it).
- ``add_stock``: ``days`` are added to the item's ``stock_days`` (none counts as 0).
- ``substitute``: ``share`` of the material item's quantity moves to another material. Every bom
  row ``parent → item`` is scaled by ``1 − share`` and a row ``parent → substitute`` gets
  ``quantity × share`` (one unit of the substitute per unit replaced). The substitute is the
  chain's first material item of that material, or a new material item without sourcing rows
  (so the baseline rule uses the substitute's world shares).
- ``remove_country``: the item's rows from that country at that stage are removed and the
  other rows at that stage rescaled to sum to 1 (world shares first, as for ``add_supplier``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ketenradar.model.chain import Chain
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES

__all__ = [
    "MEASURE_KINDS",
    "Measure",
    "MeasureNotApplicable",
    "apply_measure",
    "apply_measures",
    "substitute_item_id",
]

MEASURE_KINDS = ("add_supplier", "add_stock", "substitute", "remove_country")
# Shares this close to 0 after a removal count as no supply left.
_EMPTY_SHARE = 1e-12


class MeasureNotApplicable(ValueError):
    """A measure cannot be applied to the chain as it stands (e.g. nothing left to rescale)."""

    def __init__(self, measure_id: str, reason: str) -> None:
        self.measure_id = measure_id
        self.reason = reason
        super().__init__(f"{measure_id}: {reason}")


@dataclass(frozen=True, slots=True)
class Measure:
    """One measure of a measures file: an id, a kind and the fields that kind uses.

    ``share`` is a fraction (0–1], ``days`` whole or fractional days of the item's consumption,
    ``cost_eur`` euros (optional), ``measure_type`` the catalogue entry or type it instantiates.
    """

    id: str
    kind: str
    item: str
    name: str = ""
    stage: str | None = None
    country: str | None = None
    share: float | None = None
    days: float | None = None
    material: str | None = None
    cost_eur: float | None = None
    measure_type: str | None = None


def _item_row(chain: Chain, item: str) -> pd.Series:
    """Return the items-sheet row of ``item`` (KeyError if absent)."""
    rows = chain.items.index[chain.items["id"] == item]
    if len(rows) == 0:
        raise KeyError(item)
    return chain.items.loc[rows[0]]


def _rows_at_stage(
    chain: Chain, item: str, stage: str, world_shares: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (the other sourcing rows, the item's rows at the stage), world shares filled in.

    A material item without rows at a raw-material stage gets its material's world shares as
    rows, since those are what the baseline rule uses for it, scaled to sum to 1: the published
    shares are rounded (they sum to 0.999 or 1.0005), and a chain's shares must sum to 1 for the
    changed chain to be stored and read again.
    """
    sourcing = chain.sourcing
    mask = (sourcing["item"] == item).to_numpy() & (sourcing["stage"] == stage).to_numpy()
    own = sourcing[mask]
    if own.empty and stage in RAW_MATERIAL_STAGES:
        row = _item_row(chain, item)
        if row["kind"] == "material":
            world = world_shares[
                (world_shares["material"] == row["material"]) & (world_shares["stage"] == stage)
            ]
            own = _new_rows(
                sourcing,
                item=item,
                countries=world["country"].to_numpy(dtype=object),
                shares=_to_one(world["share"].to_numpy(dtype=np.float64)),
                stage=stage,
                supplier="",
            )
    return sourcing[~mask], own


def _to_one(shares: np.ndarray) -> np.ndarray:
    """Return shares scaled to sum to 1 (unchanged when they sum to nothing)."""
    total = float(shares.sum())
    return shares / total if total > 0 else shares


def _new_rows(
    like: pd.DataFrame, *, item: str, countries: np.ndarray, shares: np.ndarray, stage: str, supplier: str
) -> pd.DataFrame:
    """Return sourcing rows in the columns and dtypes of ``like`` (unknown figures NaN or empty)."""
    n = len(countries)
    data: dict[str, object] = {}
    for column in like.columns:
        if column == "item":
            data[column] = [item] * n
        elif column == "country":
            data[column] = list(countries)
        elif column == "share":
            data[column] = shares
        elif column == "stage":
            data[column] = [stage] * n
        elif column == "supplier":
            data[column] = [supplier] * n
        elif pd.api.types.is_float_dtype(like[column].dtype):
            data[column] = np.full(n, np.nan)
        else:
            data[column] = [""] * n
    return pd.DataFrame(data).astype(like.dtypes.to_dict())


def _add_supplier(chain: Chain, measure: Measure, world_shares: pd.DataFrame) -> Chain:
    assert measure.stage is not None and measure.country is not None and measure.share is not None
    rest, own = _rows_at_stage(chain, measure.item, measure.stage, world_shares)
    if own.empty:
        raise MeasureNotApplicable(measure.id, "no_rows_at_stage")
    scaled = own.assign(share=own["share"].to_numpy(dtype=np.float64) * (1.0 - measure.share))
    added = _new_rows(
        chain.sourcing,
        item=measure.item,
        countries=np.array([measure.country], dtype=object),
        shares=np.array([measure.share]),
        stage=measure.stage,
        supplier=measure.name or measure.id,
    )
    return chain.with_frames(sourcing=pd.concat([rest, scaled, added], ignore_index=True))


def _remove_country(chain: Chain, measure: Measure, world_shares: pd.DataFrame) -> Chain:
    assert measure.stage is not None and measure.country is not None
    rest, own = _rows_at_stage(chain, measure.item, measure.stage, world_shares)
    if not (own["country"] == measure.country).any():
        raise MeasureNotApplicable(measure.id, "country_not_at_stage")
    kept = own[(own["country"] != measure.country).to_numpy()]
    total = float(kept["share"].sum())
    if total <= _EMPTY_SHARE:
        raise MeasureNotApplicable(measure.id, "nothing_remains")
    kept = kept.assign(share=kept["share"].to_numpy(dtype=np.float64) / total)
    return chain.with_frames(sourcing=pd.concat([rest, kept], ignore_index=True))


def _add_stock(chain: Chain, measure: Measure) -> Chain:
    assert measure.days is not None
    items = chain.items
    held = items["stock_days"].to_numpy(dtype=np.float64)
    target = (items["id"] == measure.item).to_numpy()
    # Items the measure does not touch keep "no stock" (NaN); the item's own NaN counts as 0.
    stock = np.where(target, np.nan_to_num(held, nan=0.0) + measure.days, held)
    return chain.with_frames(items=items.assign(stock_days=stock))


def substitute_item_id(chain: Chain, material: str, measure_id: str) -> tuple[str, bool]:
    """Return the id of the substitute's material item and whether it must be created.

    The chain's first material item of that material is used; else ``m_<material>`` (or
    ``m_<material>_<measure id>`` when that id is taken by another item).
    """
    items = chain.items
    existing = items.loc[(items["kind"] == "material") & (items["material"] == material), "id"]
    if len(existing):
        return str(existing.iloc[0]), False
    candidate = f"m_{material}"
    if (items["id"] == candidate).any():
        candidate = f"m_{material}_{measure_id}"
    return candidate, True


def _substitute(chain: Chain, measure: Measure, material_name: str) -> Chain:
    assert measure.material is not None and measure.share is not None
    source = _item_row(chain, measure.item)
    target, create = substitute_item_id(chain, measure.material, measure.id)
    items = chain.items
    if create:
        row = {
            column: (np.nan if pd.api.types.is_float_dtype(items[column].dtype) else "")
            for column in items.columns
        }
        row |= {
            "id": target,
            "name": material_name or measure.material,
            "kind": "material",
            "material": measure.material,
            "unit": source["unit"],
        }
        items = pd.concat([items, pd.DataFrame([row]).astype(items.dtypes.to_dict())], ignore_index=True)
    bom = chain.bom
    into = (bom["child"] == measure.item).to_numpy()
    quantity = bom["quantity"].to_numpy(dtype=np.float64)
    moved = bom[into].assign(child=target, quantity=quantity[into] * measure.share)
    kept = bom.assign(quantity=np.where(into, quantity * (1.0 - measure.share), quantity))
    # A share of 1 leaves rows of quantity 0: they are dropped, the item no longer goes in.
    kept = kept[~(into & (kept["quantity"].to_numpy() == 0.0))]
    merged = pd.concat([kept, moved], ignore_index=True)
    # A parent that already used the substitute gets one row with the quantities added.
    merged = (
        merged.groupby(["parent", "child"], sort=False, as_index=False)["quantity"].sum()
        if merged.duplicated(["parent", "child"]).any()
        else merged
    )
    return chain.with_frames(items=items, bom=merged.astype(bom.dtypes.to_dict()))


def apply_measure(
    chain: Chain, measure: Measure, world_shares: pd.DataFrame, material_names: dict[str, str] | None = None
) -> Chain:
    """Return a copy of the chain with the measure applied (see the module docstring).

    ``world_shares`` (material, stage, country, share) fill in a raw material's sourcing;
    ``material_names`` name a substitute item that has to be created. Raises
    :class:`MeasureNotApplicable` when the chain leaves nothing to change.
    """
    if measure.kind == "add_supplier":
        return _add_supplier(chain, measure, world_shares)
    if measure.kind == "remove_country":
        return _remove_country(chain, measure, world_shares)
    if measure.kind == "add_stock":
        return _add_stock(chain, measure)
    if measure.kind == "substitute":
        names = material_names or {}
        return _substitute(chain, measure, names.get(measure.material or "", ""))
    raise ValueError(f"unknown measure kind {measure.kind!r}")


def apply_measures(
    chain: Chain,
    measures: Sequence[Measure],
    world_shares: pd.DataFrame,
    material_names: dict[str, str] | None = None,
) -> Chain:
    """Return a copy of the chain with the measures applied one after another, in order."""
    changed = chain
    for measure in measures:
        changed = apply_measure(changed, measure, world_shares, material_names)
    return changed
