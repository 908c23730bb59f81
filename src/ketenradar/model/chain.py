"""A value chain: items, bill of materials and sourcing, as validated frames."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["CHAIN_COLUMNS", "Chain"]

# The columns of each sheet of the chain workbook (v1), in order; storage and writers use them.
CHAIN_COLUMNS: dict[str, list[str]] = {
    "items": ["id", "name", "kind", "domain", "dis_area", "material", "unit"],
    "bom": ["parent", "child", "quantity"],
    "sourcing": ["item", "country", "share", "stage", "supplier", "tier", "lead_time_days", "stock_days"],
}


@dataclass(frozen=True, slots=True)
class Chain:
    """A validated value chain (workbook v1). Frames are treated as read-only.

    ``items``: id, name, kind, domain, dis_area, material, unit — one row per item, in workbook
    order. ``bom``: parent, child, quantity (units of child per unit of parent).
    ``sourcing``: item, country, share, stage, supplier, tier, lead_time_days, stock_days — with
    the default stages expanded (a material row without a stage stands for mining and
    processing), so shares sum to 1 per item and stage. ``source`` is the file it was read
    from; ``version`` the stored version it was loaded from, if any.
    """

    name: str
    items: pd.DataFrame
    bom: pd.DataFrame
    sourcing: pd.DataFrame
    source: str = ""
    version: int | None = None

    @property
    def platform_ids(self) -> list[str]:
        """Return the ids of the platform items."""
        ids: list[str] = self.items.loc[self.items["kind"] == "platform", "id"].tolist()
        return ids

    def __len__(self) -> int:
        return len(self.items)
