"""A value chain: items, bill of materials and sourcing, as validated frames."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ketenradar._types import IntArray

__all__ = ["CHAIN_COLUMNS", "Chain", "ChainCodes"]

# The columns of each sheet of the chain workbook (v1.1), in order; storage and writers use them.
CHAIN_COLUMNS: dict[str, list[str]] = {
    "items": ["id", "name", "kind", "domain", "dis_area", "material", "unit", "stock_days"],
    "bom": ["parent", "child", "quantity"],
    "sourcing": ["item", "country", "share", "stage", "supplier", "tier", "lead_time_days", "stock_days"],
}


@dataclass(frozen=True, slots=True)
class ChainCodes:
    """The rows of the items sheet that the other sheets name: one integer per bom or sourcing row.

    ``parent[r]``/``child[r]`` are the item rows of bom row ``r``; ``sourcing_item[r]`` the item
    row of sourcing row ``r``. Validation finds them anyway and the store keeps them, so a
    national chain is never looked up by its string ids twice.
    """

    parent: IntArray
    child: IntArray
    sourcing_item: IntArray

    @classmethod
    def of(cls, items: pd.DataFrame, bom: pd.DataFrame, sourcing: pd.DataFrame) -> ChainCodes:
        """Look the bom and sourcing ids up in the items sheet; raise KeyError naming an unknown id."""
        from ketenradar.model.lookup import positions_of_each

        columns = (bom["parent"], bom["child"], sourcing["item"])
        found = positions_of_each(columns, items["id"])
        for column, codes in zip(columns, found, strict=True):
            if (codes < 0).any():
                raise KeyError(f"unknown id {np.asarray(column)[codes < 0][0]!r}")
        return cls(*found)


@dataclass(frozen=True, slots=True)
class Chain:
    """A validated value chain (workbook v1.1). Frames are treated as read-only.

    ``items``: id, name, kind, domain, dis_area, material, unit, stock_days (float64, NaN for
    no stock) — one row per item, in workbook order; an items frame without stock_days (built
    before workbook v1.1) gets one of NaN.
    ``bom``: parent, child, quantity (units of child per unit of parent).
    ``sourcing``: item, country, share, stage, supplier, tier, lead_time_days, stock_days — with
    the default stages expanded (a material row without a stage stands for mining and
    processing), so shares sum to 1 per item and stage. ``source`` is the file it was read
    from; ``version`` the stored version it was loaded from, if any. ``codes`` are the item rows
    the bom and sourcing name, when the reader or the store already knows them; a chain built
    with changed frames must leave them out (:meth:`with_frames` does).
    """

    name: str
    items: pd.DataFrame
    bom: pd.DataFrame
    sourcing: pd.DataFrame
    source: str = ""
    version: int | None = None
    codes: ChainCodes | None = None

    def __post_init__(self) -> None:
        if "stock_days" not in self.items.columns:
            # Chains built in code before workbook v1.1 have no stocks; every reader may rely on
            # the column. Copy-on-write: the other columns are not copied.
            object.__setattr__(self, "items", self.items.assign(stock_days=np.nan))
        codes = self.codes
        if codes is not None and (
            len(codes.parent) != len(self.bom)
            or len(codes.child) != len(self.bom)
            or len(codes.sourcing_item) != len(self.sourcing)
        ):
            raise ValueError("chain codes do not match the bom and sourcing rows")

    @property
    def platform_ids(self) -> list[str]:
        """Return the ids of the platform items."""
        ids: list[str] = self.items.loc[self.items["kind"] == "platform", "id"].tolist()
        return ids

    def item_codes(self) -> ChainCodes:
        """Return the item rows the bom and sourcing name (looked up once, then kept)."""
        if self.codes is None:
            # Frozen for callers; filling a derived cache once does not change the chain.
            object.__setattr__(self, "codes", ChainCodes.of(self.items, self.bom, self.sourcing))
        assert self.codes is not None
        return self.codes

    def with_frames(
        self,
        *,
        items: pd.DataFrame | None = None,
        bom: pd.DataFrame | None = None,
        sourcing: pd.DataFrame | None = None,
        name: str | None = None,
    ) -> Chain:
        """Return a copy with some frames replaced (its codes are looked up again when needed)."""
        return Chain(
            name=self.name if name is None else name,
            items=self.items if items is None else items,
            bom=self.bom if bom is None else bom,
            sourcing=self.sourcing if sourcing is None else sourcing,
            source=self.source,
        )

    def __len__(self) -> int:
        return len(self.items)
