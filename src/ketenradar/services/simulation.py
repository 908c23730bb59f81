"""Disruption over time on a chain: daily platform output with stocks and buffered supply rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ketenradar.locale import N_, _
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.simulate import DEFAULT_HORIZON_DAYS, SimulationResult, simulate
from ketenradar.services.chains import OpenedChain, chain_records
from ketenradar.services.jsonable import json_value
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.provenance import ResultProvenance, provenance
from ketenradar.services.scenarios import (
    LoadedScenario,
    ScenarioNote,
    scenario_notes,
    scenario_sources,
    shocks_json,
)

__all__ = ["SIMULATION_RULE", "ChainSimulation", "simulate_on_chain"]

SIMULATION_RULE = N_(
    "rules v1 over time: each day the baseline rule over the shocks active that day; item stocks "
    "and sourcing-row buffers keep output at 1 while they cover the day's shortfall, not refilled"
)


@dataclass(frozen=True, slots=True)
class ChainSimulation:
    """Daily output per platform under a scenario over a horizon, with provenance and notes."""

    chain: Chain
    result: SimulationResult
    provenance: ResultProvenance
    notes: tuple[ScenarioNote, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the ``scenario simulate --format json`` document (see the CLI contract)."""
        result = self.result
        platforms = result.platforms
        return {
            "scenario": result.scenario.name,
            "description": result.scenario.description,
            "rule": _(SIMULATION_RULE),
            "horizon_days": result.horizon_days,
            "platforms": [
                {
                    "id": p,
                    "days_lost": json_value(lost, f"/platforms/{n}/days_lost"),
                    "stockout_day": day,
                    "min_output": json_value(low, f"/platforms/{n}/min_output"),
                    "first_short": short,
                    "series": [json_value(v, f"/platforms/{n}/series") for v in series],
                }
                for n, (p, lost, day, low, short, series) in enumerate(
                    zip(
                        platforms["id"],
                        np.asarray(platforms["days_lost"], dtype=np.float64).tolist(),
                        result.stockout_day,
                        np.asarray(platforms["min_output"], dtype=np.float64).tolist(),
                        result.first_short,
                        result.series.tolist(),
                        strict=True,
                    )
                )
            ],
            "shocks": shocks_json(result.scenario),
            "notes": [note.to_json() for note in self.notes],
            "sources": scenario_sources(result.scenario, self.provenance),
            "provenance": self.provenance.to_json(),
        }


def simulate_on_chain(
    opened: OpenedChain | Chain,
    scenario: LoadedScenario | Scenario,
    catalogue: MaterialCatalogue,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> ChainSimulation:
    """Simulate a scenario on the chain day by day over ``horizon_days`` (rules v1)."""
    chain, records = chain_records(opened)
    if isinstance(scenario, LoadedScenario):
        spec, records = scenario.scenario, (*records, scenario.record)
    else:
        spec = scenario
    result = simulate(chain, build_chain_matrix(chain), spec, world_supply_shares(catalogue), horizon_days)
    parameters = {
        "rule": "simulation v1",
        "horizon_days": horizon_days,
        "world_shares": "EC 2023 global supply",
    }
    used = provenance(["ec_global_supply"], parameters, records)
    return ChainSimulation(chain, result, used, scenario_notes(chain, spec))
