"""Availability under a scenario by the baseline rule, propagated up the chain.

Per item and stage: ``1 − Σ_k share_k · loss_k`` over its supply, where the loss of a supply
covered by several shocks is ``1 − Π(1 − severity)``. An item's own availability is the minimum
over its stages; its availability is the minimum of its own and its inputs' (inputs are
complements). Raw materials without sourcing in the chain use the world shares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ketenradar.model.chain import Chain
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import reduce_up, total_requirements
from ketenradar.scenarios.spec import Scenario

__all__ = ["ScenarioResult", "run_scenario", "supply_rows"]

TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """Availability per item and platform with the inputs that limit it."""

    scenario: Scenario
    items: pd.DataFrame
    platforms: pd.DataFrame
    stages: pd.DataFrame


def supply_rows(chain: Chain, matrix: ChainMatrix, world_shares: pd.DataFrame) -> pd.DataFrame:
    """Return every supply of the chain: its own sourcing plus world shares where a material has none."""
    own = chain.sourcing[["item", "stage", "country", "share"]].assign(basis="chain")
    materials = chain.items.loc[chain.items["kind"] == "material", ["id", "material"]]
    sourced = set(zip(own["item"], own["stage"], strict=True))
    candidates = materials.rename(columns={"id": "item"}).merge(world_shares, on="material")
    missing = [
        (i, s) not in sourced for i, s in zip(candidates["item"], candidates["stage"], strict=True)
    ]
    world = candidates.loc[missing, ["item", "stage", "country", "share"]].assign(basis="world")
    rows = pd.concat([own, world], ignore_index=True)
    rows["position"] = matrix.index.positions(rows["item"].to_numpy())
    rows["material"] = matrix.material[rows["position"].to_numpy()]
    return rows


def run_scenario(
    chain: Chain, matrix: ChainMatrix, scenario: Scenario, world_shares: pd.DataFrame
) -> ScenarioResult:
    """Apply the scenario's shocks and propagate availability to every item and platform."""
    supply = supply_rows(chain, matrix, world_shares)
    retained = np.ones(len(supply))
    countries = supply["country"].to_numpy()
    stages = supply["stage"].to_numpy()
    material = supply["material"].to_numpy()
    item = supply["item"].to_numpy()
    known_items = set(matrix.index.labels)
    for shock in scenario.shocks:
        unknown = [i for i in shock.items if i not in known_items]
        if unknown:
            from ketenradar.errors import InputFileError

            raise InputFileError.single(
                scenario.source,
                f"unknown item id(s) {', '.join(unknown)}",
                expected=f"item ids of chain {chain.name!r}",
            )
        hit = np.isin(countries, shock.countries)
        if shock.stage != "any":
            hit &= stages == shock.stage
        if shock.materials:
            hit &= np.isin(material, shock.materials)
        elif shock.items:
            hit &= np.isin(item, shock.items)
        retained *= 1.0 - shock.severity * hit
    supply["loss"] = 1.0 - retained
    supply["lost_share"] = supply["share"] * supply["loss"]
    by_stage = supply.groupby(["position", "stage"], sort=False).agg(
        lost=("lost_share", "sum"), basis=("basis", "first")
    )
    by_stage["availability"] = (1.0 - by_stage["lost"]).clip(0.0, 1.0)

    own = np.ones(matrix.n)
    per_item = by_stage["availability"].groupby(level="position").min()
    own[per_item.index.to_numpy()] = per_item.to_numpy()
    availability = reduce_up(matrix, own, "min")

    labels = matrix.index.label_array()
    limited = _direct_limits(matrix, own, availability, labels)
    items = pd.DataFrame(
        {
            "id": labels,
            "kind": matrix.kind,
            "availability": availability,
            "own_availability": own,
            "limited_by": limited,
        }
    )
    platforms = _platform_limits(matrix, own, availability, labels)
    stage_table = by_stage.reset_index()
    stage_table["item"] = labels[stage_table["position"].to_numpy()]
    return ScenarioResult(
        scenario=scenario,
        items=items,
        platforms=platforms,
        stages=stage_table.drop(columns=["position"]),
    )


def _direct_limits(
    matrix: ChainMatrix, own: np.ndarray, availability: np.ndarray, labels: np.ndarray
) -> list[list[str]]:
    """Per item: its own supply and/or the direct inputs whose availability sets its own."""
    down = matrix.down.tocoo()
    parent, child = down.row, down.col
    binding = (np.abs(availability[child] - availability[parent]) <= TOLERANCE) & (
        availability[parent] < 1 - TOLERANCE
    )
    frame = pd.DataFrame({"parent": parent[binding], "child": labels[child[binding]]})
    own_binding = np.flatnonzero((np.abs(own - availability) <= TOLERANCE) & (own < 1 - TOLERANCE))
    frame = pd.concat([pd.DataFrame({"parent": own_binding, "child": labels[own_binding]}), frame])
    grouped = frame.groupby("parent")["child"].agg(list)
    result: list[list[str]] = [[] for _ in range(matrix.n)]
    for position, children in grouped.items():
        result[int(position)] = children
    return result


def _platform_limits(
    matrix: ChainMatrix, own: np.ndarray, availability: np.ndarray, labels: np.ndarray
) -> pd.DataFrame:
    """Per platform: the items in its chain whose own supply sets the platform's availability."""
    X = total_requirements(matrix, matrix.platforms).tocoo()
    target = availability[matrix.platforms][X.col]
    root = (np.abs(own[X.row] - target) <= TOLERANCE) & (target < 1 - TOLERANCE)
    causes = pd.DataFrame({"platform": X.col[root], "item": labels[X.row[root]]})
    grouped = causes.groupby("platform")["item"].agg(list)
    return pd.DataFrame(
        {
            "id": labels[matrix.platforms],
            "availability": availability[matrix.platforms],
            "limited_by": [grouped.get(i, []) for i in range(len(matrix.platforms))],
        }
    )
