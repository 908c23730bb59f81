"""Scenarios: a name and shocks, as frozen objects (files are read by ketenradar.ingest.scenario_file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Scenario", "Shock", "ShockStage"]

ShockStage = Literal["manufacturing", "processing", "mining", "any"]  # vocabulary.SHOCK_STAGES


@dataclass(frozen=True, slots=True)
class Shock:
    """Loss of a fraction of the supply from some countries, at one stage or all."""

    countries: tuple[str, ...]
    severity: float
    stage: ShockStage = "any"
    materials: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    duration_days: float | None = None
    probability: float | None = None
    # The first day the shock is active (day 0 is the start of a simulation); PRODUCT.md "Over time".
    start_day: int = 0


@dataclass(frozen=True, slots=True)
class Scenario:
    """A named set of shocks applied together."""

    name: str
    shocks: tuple[Shock, ...]
    description: str = ""
    source: str = ""
