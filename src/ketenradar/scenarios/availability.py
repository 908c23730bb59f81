"""Availability under a scenario by the baseline rule, propagated up the chain.

Per item and stage: ``1 − Σ_k share_k · loss_k`` over its supply, where the loss of a supply
covered by several shocks is ``1 − Π(1 − severity)``. An item's own availability is the minimum
over its stages; its availability is the minimum of its own and its inputs' (inputs are
complements). Raw materials without sourcing in the chain at a stage use the world shares of
their material, evaluated once per material rather than per item.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ketenradar._types import FloatArray
from ketenradar.errors import UnknownItem
from ketenradar.model.chain import Chain
from ketenradar.model.index import StringArray
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.model.vocabulary import CHAIN_STAGES, RAW_MATERIAL_STAGES
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import reduce_up, total_requirements

__all__ = ["OwnSupply", "ScenarioResult", "own_from_stages", "own_supply", "retained_under", "run_scenario"]

TOLERANCE = 1e-9
_STAGE_CODE: dict[str, int] = {stage: i for i, stage in enumerate(CHAIN_STAGES)}


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """Availability per item and platform, and which inputs limit it.

    ``limits`` holds (item, limiting item) position pairs: a direct input whose availability
    equals the item's, or the item itself when its own supply sets it. ``root_causes`` holds
    (platform, item) pairs: items in the platform's chain whose own supply sets its availability.
    ``labels`` and ``kind`` are the items' ids and kinds as pandas' Arrow-backed text arrays.
    """

    scenario: Scenario
    labels: StringArray
    kind: StringArray
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
        causes = self.root_causes
        n_platforms = len(self.platform_positions)
        return pd.DataFrame(
            {
                "id": self.labels[self.platform_positions],
                "availability": self.availability[self.platform_positions],
                "limited_by": _names_by_group(
                    self.labels, causes["platform"].to_numpy(), causes["item"].to_numpy(), n_platforms
                ),
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
        return pd.DataFrame(
            {
                "id": self.labels[self.platform_positions],
                "availability": self.availability[self.platform_positions],
                "limited_by": _names_by_group(
                    self.labels, causes["platform"].to_numpy(), causes["item"].to_numpy(), n_platforms, ids
                ),
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
        # The picked items as groups 0 … len(positions) − 1, in the order asked for.
        slot = np.full(len(self.labels), -1, dtype=np.intp)
        slot[positions] = np.arange(len(positions))
        return pd.DataFrame(
            {
                "id": self.labels[positions],
                "kind": self.kind[positions],
                "availability": self.availability[positions],
                "own_availability": self.own_availability[positions],
                "limited_by": _names_by_group(
                    self.labels, slot[picked["item"].to_numpy()], picked["limit"].to_numpy(), len(positions)
                ),
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
        limits = self.limits
        limited = _names_by_group(
            self.labels, limits["item"].to_numpy(), limits["limit"].to_numpy(), len(self.labels)
        )
        return pd.DataFrame(
            {
                "id": self.labels,
                "kind": self.kind,
                "availability": self.availability,
                "own_availability": self.own_availability,
                "limited_by": limited,
            }
        )


def _names_by_group(
    labels: StringArray, group: np.ndarray, values: np.ndarray, n_groups: int, limit: int | None = None
) -> list[list[str]]:
    """Return for each group ``0 … n_groups − 1`` the labels of its values in row order (the first ``limit``).

    One stable sort and one bulk look-up of the labels, rather than a label per Python step.
    """
    order = np.argsort(group, kind="stable")
    grouped = np.asarray(group, dtype=np.intp)[order]
    bounds = np.searchsorted(grouped, np.arange(n_groups + 1))
    if limit is not None:
        order = order[np.arange(len(order)) - bounds[grouped] < limit]
        bounds = np.searchsorted(np.asarray(group, dtype=np.intp)[order], np.arange(n_groups + 1))
    names = np.asarray(labels[np.asarray(values, dtype=np.intp)[order]], dtype=object)
    return [names[start:stop].tolist() for start, stop in itertools.pairwise(bounds)]


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


def retained_under(
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


@dataclass(frozen=True, slots=True)
class OwnSupply:
    """An item's own supply under a set of shocks, before propagation up the chain.

    ``stage_values`` is ``1 − Σ share · loss`` per item and stage (NaN where the item has no
    supply at that stage), not yet clipped to 0..1; ``stage_basis`` says whether a value comes
    from the chain's sourcing or from world shares; ``retained`` is each sourcing row's
    ``Π(1 − severity)`` over the shocks that cover it, in the rows' order.
    """

    stage_values: FloatArray
    stage_basis: np.ndarray
    retained: FloatArray


def run_scenario(
    chain: Chain, matrix: ChainMatrix, scenario: Scenario, world_shares: pd.DataFrame
) -> ScenarioResult:
    """Apply the scenario's shocks and propagate availability to every item and platform."""
    supply = own_supply(chain, matrix, scenario, world_shares)
    stage_availability = np.clip(supply.stage_values, 0.0, 1.0)
    own = own_from_stages(stage_availability)
    availability = reduce_up(matrix, own, "min")

    return ScenarioResult(
        scenario=scenario,
        labels=matrix.index.values,
        kind=matrix.kind,
        availability=availability,
        own_availability=own,
        stage_values=stage_availability,
        stage_basis=supply.stage_basis,
        limits=_direct_limits(matrix, own, availability),
        platform_positions=matrix.platforms,
        root_causes=_root_causes(matrix, own, availability),
    )


def own_from_stages(stage_availability: FloatArray) -> FloatArray:
    """Return each row's minimum over its stages with a value (1 where none has one), at most 1."""
    # Column by column, as a reduction along rows of three is slow in NumPy.
    gaps = np.isnan(stage_availability)
    filled = np.where(gaps, np.inf, stage_availability)
    own = np.where(functools.reduce(np.logical_and, gaps.T), 1.0, functools.reduce(np.minimum, filled.T))
    result: FloatArray = np.minimum(own, 1.0)
    return result


def own_supply(
    chain: Chain, matrix: ChainMatrix, scenario: Scenario, world_shares: pd.DataFrame
) -> OwnSupply:
    """Return every item's own supply per stage under the scenario's shocks (the baseline rule)."""
    # Only the few ids the shocks name are looked up, not a set of all the chain's ids.
    named = list(dict.fromkeys(i for shock in scenario.shocks for i in shock.items))
    if named:
        found = matrix.index.lookup(named)
        if (found < 0).any():
            unknown = [i for i, position in zip(named, found.tolist(), strict=True) if position < 0]
            raise UnknownItem(unknown, chain.name, scenario.source)
    n = matrix.n
    src = matrix.sourcing
    n_stages = len(src.stages)
    material_code, material_ids = matrix.material_code, matrix.material_ids
    material_index = pd.Index(material_ids, dtype=object)
    is_material = matrix.kind == "material"

    # The chain's own sourcing, on integer codes.
    retained = np.ones(len(src.item))
    for shock in scenario.shocks:
        # One look-up per row in a table of the chain's countries (the last slot for code -1).
        shocked = np.zeros(len(src.countries) + 1, dtype=bool)
        shocked[src.country_codes(shock.countries)] = True
        hit = shocked[src.country]
        if shock.stage != "any":
            hit &= src.stage == src.stage_code(shock.stage)
        if shock.materials:
            codes = material_index.get_indexer(list(shock.materials))
            hit &= np.isin(material_code[src.item], codes[codes >= 0]) & is_material[src.item]
        elif shock.items:
            hit &= np.isin(src.item, matrix.index.positions(list(shock.items)))
        retained *= 1.0 - shock.severity * hit
    key = src.item.astype(np.int64) * n_stages + src.stage
    lost = np.bincount(key, weights=src.share * (1.0 - retained), minlength=n * n_stages)
    present = (np.bincount(key, minlength=n * n_stages) > 0).reshape(n, n_stages)
    stage_availability = np.where(present, 1.0 - lost.reshape(n, n_stages), np.nan)
    basis = np.zeros((n, n_stages), dtype="<U5")  # "" where the chain has no sourcing
    basis[present] = "chain"

    # World shares for raw materials that the chain does not source at a stage: evaluated once
    # per material, then given to every such item.
    world = world_shares
    world_retained = retained_under(
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

    return OwnSupply(stage_availability, basis, retained)


def _apply_item_shocks(
    scenario: Scenario,
    matrix: ChainMatrix,
    world: pd.DataFrame,
    stage: str,
    items: np.ndarray,
    stage_availability: np.ndarray,
) -> None:
    """Recompute world-based availability for material items that an items-filter names."""
    named = list(dict.fromkeys(i for s in scenario.shocks for i in s.items))
    column = _STAGE_CODE[stage]
    for position in items[np.isin(items, matrix.index.positions(named))]:
        rows = world[(world["material"] == matrix.material[position]) & (world["stage"] == stage)]
        retained = retained_under(
            scenario,
            rows["country"].to_numpy(),
            rows["stage"].to_numpy(),
            rows["material"].to_numpy(),
            np.full(len(rows), str(matrix.index.take(np.array([position]))[0]), dtype=object),
        )
        stage_availability[position, column] = 1.0 - float((rows["share"] * (1.0 - retained)).sum())


def _direct_limits(matrix: ChainMatrix, own: FloatArray, availability: FloatArray) -> pd.DataFrame:
    """Pairs (item, limit): its own supply and/or the direct inputs that set its availability."""
    down = matrix.down
    counts = np.diff(down.indptr)
    # The parent's value along its row of down by repetition, the children's by look-up.
    parent_value = np.repeat(availability, counts)
    binding = np.flatnonzero(
        (np.abs(availability[down.indices] - parent_value) <= TOLERANCE) & (parent_value < 1 - TOLERANCE)
    )
    parent = np.repeat(np.arange(matrix.n, dtype=down.indices.dtype), counts)[binding]
    own_binding = np.flatnonzero((np.abs(own - availability) <= TOLERANCE) & (own < 1 - TOLERANCE))
    return pd.DataFrame(
        {
            "item": np.concatenate([own_binding, parent]),
            "limit": np.concatenate([own_binding, down.indices[binding]]),
        },
        copy=False,  # fresh arrays, used nowhere else
    )


def _root_causes(matrix: ChainMatrix, own: FloatArray, availability: FloatArray) -> pd.DataFrame:
    """Pairs (platform number, item position): items whose own supply sets the platform's value.

    Every item on a path from the platform to such a root cause has the platform's
    availability, so it suffices to follow the edges where the child's availability equals the
    parent's: a propagation over that (usually small) subgraph, taken from the chain's matrix
    in level order so that it is not reordered again.
    """
    A = matrix.A_level
    level_availability = availability[matrix.order]
    per_row = np.diff(A.indptr)
    keep = np.abs(np.repeat(level_availability, per_row) - level_availability[A.indices]) <= TOLERANCE
    kept_before = np.r_[0, np.cumsum(keep)]
    # Only which items are reached matters, so the edges are booleans.
    binding = sp.csr_matrix(
        (np.ones(int(kept_before[-1]), dtype=bool), A.indices[keep], kept_before[A.indptr]), shape=A.shape
    )
    reach = total_requirements(matrix, matrix.platforms, binding, level_order=True)
    # Row r of reach is item order[r]: its own availability repeats along the row.
    own_entry = np.repeat(own[matrix.order], np.diff(reach.indptr))
    target = availability[matrix.platforms][reach.indices]
    root = np.flatnonzero((np.abs(own_entry - target) <= TOLERANCE) & (target < 1 - TOLERANCE))
    item = matrix.order[np.searchsorted(reach.indptr, root, side="right") - 1]
    # By item, and within an item in the order of its row of X, as reading X row by row gives.
    by_item = np.argsort(item, kind="stable")
    return pd.DataFrame(
        {"platform": reach.indices[root[by_item]], "item": item[by_item].astype(reach.indices.dtype)},
        copy=False,  # fresh arrays, used nowhere else
    )
