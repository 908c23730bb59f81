"""Disruption scenarios on a chain: availability of every item and platform by the baseline rule."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ketenradar.ingest.scenario_file import read_scenario
from ketenradar.locale import N_, _
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.availability import ScenarioResult, run_scenario
from ketenradar.services.chains import OpenedChain, chain_records
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.provenance import InputRecord, ResultProvenance, input_file, provenance, sources_json

__all__ = ["BASELINE_RULE", "LoadedScenario", "ScenarioRun", "load_scenario", "run_on_chain"]

BASELINE_RULE = N_(
    "baseline: 1 − Σ share × loss per stage; losses of overlapping shocks 1 − Π(1 − severity); "
    "items take the minimum of their own and their inputs' availability"
)


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    """A scenario with the record of the file it came from."""

    scenario: Scenario
    record: InputRecord


def load_scenario(path: str | Path, catalogue: MaterialCatalogue) -> LoadedScenario:
    """Read and validate a scenario file against the catalogue's material ids."""
    return LoadedScenario(read_scenario(path, list(catalogue)), input_file("scenario", path))


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """Availability per item and platform under a scenario, with its provenance."""

    chain: Chain
    result: ScenarioResult
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``scenario run --format json`` document (see the CLI contract)."""
        result = self.result
        items = result.items
        platforms = result.platforms
        return {
            "scenario": result.scenario.name,
            "description": result.scenario.description,
            "rule": _(BASELINE_RULE),
            "items": [
                {
                    "id": i,
                    "kind": k,
                    "availability": float(a),
                    "own_availability": float(o),
                    "limited_by": lim,
                }
                for i, k, a, o, lim in zip(
                    items["id"],
                    items["kind"],
                    items["availability"],
                    items["own_availability"],
                    items["limited_by"],
                    strict=True,
                )
            ],
            "platforms": [
                {"id": p, "availability": float(a), "limited_by": lim}
                for p, a, lim in zip(
                    platforms["id"],
                    platforms["availability"],
                    platforms["limited_by"],
                    strict=True,
                )
            ],
            "shocks": [
                {
                    "countries": list(s.countries),
                    "stage": s.stage,
                    "materials": list(s.materials),
                    "items": list(s.items),
                    "severity": s.severity,
                    "duration_days": s.duration_days,
                    "probability": s.probability,
                }
                for s in result.scenario.shocks
            ],
            "sources": [
                {
                    "dataset": "scenario",
                    "title": result.scenario.name,
                    "citation": result.scenario.source,
                },
                *sources_json(self.provenance.datasets),
            ],
            "provenance": self.provenance.to_json(),
        }


def run_on_chain(
    opened: OpenedChain | Chain,
    scenario: LoadedScenario | Scenario,
    catalogue: MaterialCatalogue,
) -> ScenarioRun:
    """Run a scenario on the chain by the baseline rule."""
    chain, records = chain_records(opened)
    if isinstance(scenario, LoadedScenario):
        spec, records = scenario.scenario, (*records, scenario.record)
    else:
        spec = scenario
    result = run_scenario(chain, build_chain_matrix(chain), spec, world_supply_shares(catalogue))
    parameters = {"rule": "baseline", "world_shares": "EC 2023 global supply"}
    return ScenarioRun(chain, result, provenance(["ec_global_supply"], parameters, records))
