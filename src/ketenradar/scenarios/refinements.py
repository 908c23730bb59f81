"""Alternatives and substitutes laid out for the daily simulation (F15).

Turns a :class:`~ketenradar.model.refinements.Refinements` into arrays over a chain's items
(one entry per alternative or substitute and chain item it applies to) and evaluates what a set
of active shocks leaves of each (docs/methodology/simulation.md, "Alternatives and substitutes").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ketenradar._types import FloatArray, IntArray
from ketenradar.model.refinements import Alternative, Refinements, Substitute
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import ChainMatrix
from ketenradar.scenarios.availability import retained_under

__all__ = ["alternative_retained", "resolve_alternatives", "resolve_substitutes", "substitute_availability"]


def resolve_alternatives(
    matrix: ChainMatrix, refinements: Refinements, stages: tuple[str, ...]
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, tuple[Alternative, ...]]:
    """Return per (alternative, chain item) pair: item, stage code, max share, lead time, the alternative."""
    items, stage, share, lead, which = [], [], [], [], []
    for alternative in refinements.usable_alternatives:
        if alternative.item:
            positions = matrix.index.lookup([alternative.item])
            positions = positions[positions >= 0]
        else:
            positions = np.flatnonzero(np.asarray(matrix.material == alternative.material, dtype=bool))
        if alternative.stage not in stages:
            continue
        for position in positions.tolist():
            items.append(position)
            stage.append(stages.index(alternative.stage))
            share.append(alternative.max_share)
            lead.append(float(alternative.lead_time_days or 0.0))
            which.append(alternative)
    return (
        np.array(items, dtype=np.intp),
        np.array(stage, dtype=np.intp),
        np.array(share, dtype=np.float64),
        np.array(lead, dtype=np.float64),
        tuple(which),
    )


def resolve_substitutes(
    matrix: ChainMatrix, refinements: Refinements
) -> tuple[IntArray, np.ndarray, FloatArray, FloatArray, tuple[Substitute, ...]]:
    """Return per (substitute, material item) pair: item, substitute, max share, qualification days."""
    items, material, share, days, which = [], [], [], [], []
    is_material = np.asarray(matrix.kind == "material", dtype=bool)
    for substitute in refinements.substitutes:
        positions = np.flatnonzero(
            is_material & np.asarray(matrix.material == substitute.material, dtype=bool)
        )
        for position in positions.tolist():
            items.append(position)
            material.append(substitute.substitute)
            share.append(substitute.max_share)
            days.append(substitute.qualification_days)
            which.append(substitute)
    return (
        np.array(items, dtype=np.intp),
        np.array(material, dtype=object),
        np.array(share, dtype=np.float64),
        np.array(days, dtype=np.float64),
        tuple(which),
    )


def alternative_retained(
    matrix: ChainMatrix,
    active: Scenario,
    items: IntArray,
    stages: IntArray,
    alternatives: tuple[Alternative, ...],
) -> FloatArray:
    """Return the fraction each alternative keeps under the active shocks (they may hit it too)."""
    if not len(items):
        return np.zeros(0)
    stage_names = np.asarray(matrix.sourcing.stages, dtype=object)[stages]
    return retained_under(
        active,
        np.array([a.country for a in alternatives], dtype=object),
        stage_names,
        np.asarray(matrix.material[items], dtype=object),
        np.asarray(matrix.index.take(items), dtype=object),
    )


def substitute_availability(
    active: Scenario, world_shares: pd.DataFrame, materials: np.ndarray
) -> FloatArray:
    """Return each substitute's availability on world shares under the active shocks (NaN: none)."""
    if not len(materials):
        return np.zeros(0)
    world = world_shares[world_shares["material"].isin(set(materials.tolist()))]
    retained = retained_under(
        active, world["country"].to_numpy(), world["stage"].to_numpy(), world["material"].to_numpy(), None
    )
    lost = (
        world.assign(lost=world["share"].to_numpy() * (1.0 - retained))
        .groupby(["material", "stage"])["lost"]
        .sum()
    )
    by_material = (1.0 - lost).clip(0.0, 1.0).groupby(level="material").min()
    availability: FloatArray = by_material.reindex(pd.Index(materials, dtype=object)).to_numpy(
        dtype=np.float64
    )
    return availability
