"""Availability under a scenario by the baseline rule, propagated up the chain.

Per item and stage: ``1 − Σ_k share_k · loss_k`` over its supply, where the loss of a supply
covered by several shocks is ``1 − Π(1 − severity)``. An item's own availability is the minimum
over its stages; its availability is the minimum of its own and its inputs' (inputs are
complements). Raw materials without sourcing in the chain at a stage use the world shares of
their material, evaluated once per material rather than per item.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ketenradar._types import FloatArray
from ketenradar.errors import UnknownItem
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.model.vocabulary import CHAIN_STAGES, RAW_MATERIAL_STAGES
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import reduce_up, total_requirements

__all__ = ["ScenarioResult", "run_scenario"]

TOLERANCE = 1e-9
_STAGE_CODE: dict[str, int] = {stage: i for i, stage in enumerate(CHAIN_STAGES)}


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """Availability per item and platform, and which inputs limit it.

    ``limits`` holds (item, limiting item) position pairs: a direct input whose availability
    equals the item's, or the item itself when its own supply sets it. ``root_causes`` holds
    (platform, item) pairs: items in the platform's chain whose own supply sets its availability.
    """

    scenario: Scenario
    labels: np.ndarray
    kind: np.ndarray
    availability: FloatArray
    own_availability: FloatArray
    stage_values: FloatArray
    stage_basis: np.ndarray
    limits: pd.DataFrame
    platform_positions: np.ndarray
    root_causes: pd.DataFrame

    @property
    def platforms(self) -> pd.DataFrame:
        """Return one row per platform with availability and its root-cause items."""
        grouped = self.root_causes.groupby("platform")["item"].agg(list)
        return pd.DataFrame(
            {
                "id": self.labels[self.platform_positions],
                "availability": self.availability[self.platform_positions],
                "limited_by": [
                    [str(self.labels[i]) for i in grouped.get(k, [])]
                    for k in range(len(self.platform_positions))
                ],
            }
        )

    def platform_summary(self, ids: int) -> pd.DataFrame:
        """Return one row per platform: availability, its first ``ids`` root-cause items and their count.

        The ids are the first of ``platforms["limited_by"]``, in the same order, without building
        the whole lists (a national chain can have thousands per platform).
        """
        causes = self.root_causes
        n_platforms = len(self.platform_positions)
        counts = np.bincount(causes["platform"].to_numpy(dtype=np.intp), minlength=n_platforms)
        first = causes.groupby("platform", sort=False).head(ids).groupby("platform")["item"].agg(list)
        return pd.DataFrame(
            {
                "id": self.labels[self.platform_positions],
                "availability": self.availability[self.platform_positions],
                "limited_by": [[str(self.labels[i]) for i in first.get(k, [])] for k in range(n_platforms)],
                "limited_by_count": counts,
            }
        )

    @property
    def n_affected(self) -> int:
        """Return the number of items with availability below 1."""
        return int((self.availability < 1).sum())

    def most_affected(self, limit: int) -> pd.DataFrame:
        """Return the ``limit`` items with the lowest availability below 1, lowest first, as ``items`` does.

        Only those items' rows are built.
        """
        affected = np.flatnonzero(self.availability < 1)
        chosen = affected[np.argsort(self.availability[affected], kind="stable")[:limit]]
        return self._item_rows(chosen)

    def _item_rows(self, positions: np.ndarray) -> pd.DataFrame:
        limits = self.limits
        picked = limits[np.isin(limits["item"].to_numpy(), positions)]
        grouped = picked.groupby("item")["limit"].agg(list)
        return pd.DataFrame(
            {
                "id": self.labels[positions],
                "kind": self.kind[positions],
                "availability": self.availability[positions],
                "own_availability": self.own_availability[positions],
                "limited_by": [[str(self.labels[i]) for i in grouped.get(p, [])] for p in positions],
            }
        )

    @property
    def stage_availability(self) -> pd.DataFrame:
        """Return availability per item and stage with its basis (chain or world)."""
        rows, cols = np.nonzero(~np.isnan(self.stage_values))
        return pd.DataFrame(
            {
                "item": self.labels[rows],
                "stage": np.asarray(CHAIN_STAGES, dtype=object)[cols],
                "availability": self.stage_values[rows, cols],
                "basis": self.stage_basis[rows, cols],
            }
        )

    @property
    def items(self) -> pd.DataFrame:
        """Return one row per item with availability and its limiting inputs (built on demand)."""
        grouped = self.limits.groupby("item")["limit"].agg(list) if len(self.limits) else pd.Series()
        limited: list[list[str]] = [[] for _ in range(len(self.labels))]
        for position, ids in grouped.items():
            limited[int(position)] = [str(self.labels[i]) for i in ids]
        return pd.DataFrame(
            {
                "id": self.labels,
                "kind": self.kind,
                "availability": self.availability,
                "own_availability": self.own_availability,
                "limited_by": limited,
            }
        )


def _hits(
    shock: Shock,
    countries: np.ndarray,
    stages: np.ndarray,
    materials: np.ndarray,
    items: np.ndarray | None,
) -> np.ndarray:
    hit = np.isin(countries, shock.countries)
    if shock.stage != "any":
        hit &= stages == shock.stage
    if shock.materials:
        hit &= np.isin(materials, shock.materials)
    elif shock.items:
        hit &= np.isin(items, shock.items) if items is not None else False
    return hit


def _retained(
    scenario: Scenario,
    countries: np.ndarray,
    stages: np.ndarray,
    materials: np.ndarray,
    items: np.ndarray | None,
) -> FloatArray:
    """Return Π(1 − severity) over the shocks that cover each supply row."""
    retained = np.ones(len(countries))
    for shock in scenario.shocks:
        retained *= 1.0 - shock.severity * _hits(shock, countries, stages, materials, items)
    return retained


def run_scenario(
    chain: Chain, matrix: ChainMatrix, scenario: Scenario, world_shares: pd.DataFrame
) -> ScenarioResult:
    """Apply the scenario's shocks and propagate availability to every item and platform."""
    known = set(matrix.index.labels)
    unknown = [i for shock in scenario.shocks for i in shock.items if i not in known]
    if unknown:
        raise UnknownItem(list(dict.fromkeys(unknown)), chain.name, scenario.source)
    n = matrix.n
    src = matrix.sourcing
    n_stages = len(src.stages)
    material_code, material_ids = pd.factorize(matrix.material, sort=True)
    material_index = pd.Index(material_ids, dtype=object)

    # The chain's own sourcing, on integer codes.
    retained = np.ones(len(src.item))
    for shock in scenario.shocks:
        hit = np.isin(src.country, src.country_codes(shock.countries))
        if shock.stage != "any":
            hit &= src.stage == src.stage_code(shock.stage)
        if shock.materials:
            codes = material_index.get_indexer(list(shock.materials))
            hit &= np.isin(material_code[src.item], codes[codes >= 0]) & (matrix.kind[src.item] == "material")
        elif shock.items:
            hit &= np.isin(src.item, matrix.index.positions(list(shock.items)))
        retained *= 1.0 - shock.severity * hit
    key = src.item.astype(np.int64) * n_stages + src.stage
    lost = np.bincount(key, weights=src.share * (1.0 - retained), minlength=n * n_stages)
    present = (np.bincount(key, minlength=n * n_stages) > 0).reshape(n, n_stages)
    stage_availability = np.where(present, 1.0 - lost.reshape(n, n_stages), np.nan)
    basis = np.where(present, "chain", "")

    # World shares for raw materials that the chain does not source at a stage: evaluated once
    # per material, then given to every such item.
    is_material = matrix.kind == "material"
    world = world_shares
    world_retained = _retained(
        scenario,
        world["country"].to_numpy(),
        world["stage"].to_numpy(),
        world["material"].to_numpy(),
        None,
    )
    world_lost = (
        world.assign(lost=world["share"].to_numpy() * (1.0 - world_retained))
        .groupby(["material", "stage"])["lost"]
        .sum()
    )
    item_shocks = any(s.items for s in scenario.shocks)
    for stage_name in RAW_MATERIAL_STAGES:
        column = src.stage_code(stage_name)
        per_material = np.full(len(material_ids) + 1, np.nan)
        if stage_name in world_lost.index.get_level_values("stage"):
            at_stage = world_lost.xs(stage_name, level="stage")
            codes = material_index.get_indexer(at_stage.index)
            per_material[codes[codes >= 0]] = at_stage.to_numpy()[codes >= 0]
        needs = np.flatnonzero(is_material & ~present[:, column])
        lost_world = per_material[material_code[needs]]
        has_world = ~np.isnan(lost_world)
        stage_availability[needs[has_world], column] = 1.0 - lost_world[has_world]
        basis[needs[has_world], column] = "world"
        if item_shocks:
            _apply_item_shocks(scenario, matrix, world, stage_name, needs[has_world], stage_availability)

    stage_availability = np.clip(stage_availability, 0.0, 1.0)
    own = np.where(
        np.isnan(stage_availability).all(axis=1),
        1.0,
        np.nanmin(np.where(np.isnan(stage_availability), np.inf, stage_availability), axis=1),
    )
    own = np.minimum(own, 1.0)
    availability = reduce_up(matrix, own, "min")

    return ScenarioResult(
        scenario=scenario,
        labels=matrix.index.labels,
        kind=matrix.kind,
        availability=availability,
        own_availability=own,
        stage_values=stage_availability,
        stage_basis=basis,
        limits=_direct_limits(matrix, own, availability),
        platform_positions=matrix.platforms,
        root_causes=_root_causes(matrix, own, availability),
    )


def _apply_item_shocks(
    scenario: Scenario,
    matrix: ChainMatrix,
    world: pd.DataFrame,
    stage: str,
    items: np.ndarray,
    stage_availability: np.ndarray,
) -> None:
    """Recompute world-based availability for material items that an items-filter names."""
    labels = matrix.index.label_array()
    named = {i for s in scenario.shocks for i in s.items}
    column = _STAGE_CODE[stage]
    for position in items[np.isin(labels[items], list(named))]:
        rows = world[(world["material"] == matrix.material[position]) & (world["stage"] == stage)]
        retained = _retained(
            scenario,
            rows["country"].to_numpy(),
            rows["stage"].to_numpy(),
            rows["material"].to_numpy(),
            np.full(len(rows), labels[position]),
        )
        stage_availability[position, column] = 1.0 - float((rows["share"] * (1.0 - retained)).sum())


def _direct_limits(matrix: ChainMatrix, own: FloatArray, availability: FloatArray) -> pd.DataFrame:
    """Pairs (item, limit): its own supply and/or the direct inputs that set its availability."""
    down = matrix.down.tocoo()
    parent, child = down.row, down.col
    binding = (np.abs(availability[child] - availability[parent]) <= TOLERANCE) & (
        availability[parent] < 1 - TOLERANCE
    )
    own_binding = np.flatnonzero((np.abs(own - availability) <= TOLERANCE) & (own < 1 - TOLERANCE))
    return pd.DataFrame(
        {
            "item": np.concatenate([own_binding, parent[binding]]),
            "limit": np.concatenate([own_binding, child[binding]]),
        }
    )


def _root_causes(matrix: ChainMatrix, own: FloatArray, availability: FloatArray) -> pd.DataFrame:
    """Pairs (platform number, item position): items whose own supply sets the platform's value.

    Every item on a path from the platform to such a root cause has the platform's
    availability, so it suffices to follow the edges where the child's availability equals the
    parent's: a propagation over that (usually small) subgraph.
    """
    A = matrix.A.tocoo()
    keep = np.abs(availability[A.row] - availability[A.col]) <= TOLERANCE
    binding = sp.csr_matrix((np.ones(int(keep.sum())), (A.row[keep], A.col[keep])), shape=A.shape)
    reach = total_requirements(matrix, matrix.platforms, binding).tocoo()
    target = availability[matrix.platforms][reach.col]
    root = (np.abs(own[reach.row] - target) <= TOLERANCE) & (target < 1 - TOLERANCE)
    return pd.DataFrame({"platform": reach.col[root], "item": reach.row[root]})
