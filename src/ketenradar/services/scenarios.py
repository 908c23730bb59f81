"""Disruption scenarios on a chain: availability of every item and platform by the baseline rule."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ketenradar.errors import InputFileError, NotFound
from ketenradar.ingest.scenario_file import read_scenario
from ketenradar.locale import N_, _
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.availability import ScenarioResult, run_scenario
from ketenradar.services.chains import OpenedChain, chain_records
from ketenradar.services.jsonable import json_value
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.provenance import (
    InputRecord,
    ResultProvenance,
    file_digest,
    input_file,
    provenance,
    sources_json,
)

__all__ = [
    "BASELINE_RULE",
    "LibraryScenario",
    "LoadedScenario",
    "ScenarioNote",
    "ScenarioRun",
    "library_ids",
    "library_path",
    "library_record",
    "load_scenario",
    "run_on_chain",
    "scenario_inputs",
    "scenario_library",
    "scenario_notes",
    "scenario_sources",
    "shocks_json",
]

BASELINE_RULE = N_(
    "baseline: 1 − Σ share × loss per stage; losses of overlapping shocks 1 − Π(1 − severity); "
    "items take the minimum of their own and their inputs' availability"
)


@dataclass(frozen=True, slots=True)
class LoadedScenario:
    """A scenario with the record of the file it came from."""

    scenario: Scenario
    record: InputRecord


# A SCENARIO argument with one of these endings is a file, never a library id.
SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class LibraryScenario:
    """A scenario shipped with ketenradar: its id (the file name), name, description, source, shocks."""

    id: str
    name: str
    description: str
    source: str
    shocks: int

    def to_json(self) -> dict[str, Any]:
        """Return the entry as in the ``scenarios`` list of ``scenario list --format json``."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "source": self.source,
            "shocks": self.shocks,
        }


def _library_folder() -> Path:
    # Package data, opened as a resource like the demo chain (the package is installed unzipped).
    return Path(str(resources.files("ketenradar.demo_data") / "scenarios"))


def library_ids() -> list[str]:
    """Return the ids of the shipped scenarios, in name order."""
    return sorted(p.stem for p in _library_folder().glob("*.yaml"))


def library_path(scenario_id: str) -> Path:
    """Return the file of a library scenario; refuse an unknown id with the list of ids."""
    if scenario_id not in library_ids():
        raise NotFound(
            _(
                "no scenario {id!r} in the library; library scenarios: {ids} "
                "(a scenario file path, .yaml, .yml or .json, is also accepted)"
            ).format(id=scenario_id, ids=", ".join(library_ids())),
            scenario_id,
        )
    return _library_folder() / f"{scenario_id}.yaml"


def library_record(scenario_id: str) -> InputRecord:
    """Return the input record of a library scenario: named ``library:ID``, with its file and checksum."""
    path = library_path(scenario_id)
    # The source stays the real file, so its checksum can be verified like any user file's.
    return InputRecord(
        role="scenario", source=str(path), sha256=file_digest(path), name=f"library:{scenario_id}"
    )


def scenario_library() -> list[LibraryScenario]:
    """Return the shipped reference scenarios with their name, description, source and number of shocks."""
    entries = []
    for scenario_id in library_ids():
        spec = read_scenario(_library_folder() / f"{scenario_id}.yaml")
        entries.append(
            LibraryScenario(scenario_id, spec.name, spec.description, spec.source, len(spec.shocks))
        )
    return entries


def _is_file_argument(argument: str | Path) -> bool:
    """Return whether a SCENARIO argument names a file rather than a library id."""
    path = Path(argument)
    # A Path object from a program is always a file; only text can name a library scenario.
    return isinstance(argument, Path) or path.exists() or path.suffix.lower() in SCENARIO_SUFFIXES


def load_scenario(scenario: str | Path, catalogue: MaterialCatalogue) -> LoadedScenario:
    """Read and validate a scenario file, or a library scenario by id, against the catalogue's materials."""
    materials = list(catalogue)
    if not _is_file_argument(scenario):
        path = library_path(str(scenario))
        return LoadedScenario(read_scenario(path, materials), library_record(path.stem))
    if not Path(scenario).is_file():
        # Said here rather than by read_scenario so that the library's ids are offered too.
        raise InputFileError.single(
            str(scenario),
            _("file not found"),
            expected=_("a scenario file (.yaml, .yml or .json) or a library scenario id: {ids}").format(
                ids=", ".join(library_ids())
            ),
        )
    return LoadedScenario(read_scenario(scenario, materials), input_file("scenario", scenario))


@dataclass(frozen=True, slots=True)
class ScenarioNote:
    """A shock (1-based ``shock``) names materials the chain has no item of: that part changes nothing.

    ``hits_nothing`` is true when none of the shock's materials is in the chain.
    """

    shock: int
    materials: tuple[str, ...]
    hits_nothing: bool

    def text(self) -> str:
        """Return the note for people, in the active language."""
        named = ", ".join(self.materials)
        if self.hits_nothing:
            return _(
                "shock {number} hits nothing in the chain: it has no item of material(s) {materials}"
            ).format(number=self.shock, materials=named)
        return _(
            "shock {number}: the chain has no item of material(s) {materials}, so that part changes nothing"
        ).format(number=self.shock, materials=named)

    def to_json(self) -> dict[str, Any]:
        """Return the note as in the ``notes`` list of the scenario JSON."""
        return {
            "code": "materials_not_in_chain",
            "shock": self.shock,
            "materials": list(self.materials),
            "hits_nothing": self.hits_nothing,
            "text": self.text(),
        }


def scenario_notes(chain: Chain, scenario: Scenario) -> tuple[ScenarioNote, ...]:
    """Return a note for every shock that names materials no item of the chain is made of.

    World shares still apply wherever the chain has an item of the material, so only a
    material with no item at all is noted. (Unknown item ids are refused by the core.)
    """
    in_chain = set(chain.items["material"].to_numpy()[(chain.items["kind"] == "material").to_numpy()])
    notes = []
    for number, shock in enumerate(scenario.shocks, start=1):
        absent = tuple(m for m in dict.fromkeys(shock.materials) if m not in in_chain)
        if absent:
            notes.append(ScenarioNote(number, absent, hits_nothing=len(absent) == len(set(shock.materials))))
    return tuple(notes)


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """Availability per item and platform under a scenario, with its provenance and notes."""

    chain: Chain
    result: ScenarioResult
    provenance: ResultProvenance
    notes: tuple[ScenarioNote, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the ``scenario run --format json`` document (see the CLI contract)."""
        result = self.result
        items = result.items
        platforms = result.platforms
        # Availabilities lie in 0..1 by construction; json_value still turns a NaN into null and
        # refuses an infinity with a message instead of a traceback from json.dumps.
        return {
            "scenario": result.scenario.name,
            "description": result.scenario.description,
            "rule": _(BASELINE_RULE),
            "items": [
                {
                    "id": i,
                    "kind": k,
                    "availability": json_value(a, f"/items/{n}/availability"),
                    "own_availability": json_value(o, f"/items/{n}/own_availability"),
                    "limited_by": lim,
                }
                for n, (i, k, a, o, lim) in enumerate(
                    zip(
                        items["id"],
                        items["kind"],
                        np.asarray(items["availability"], dtype=np.float64),
                        np.asarray(items["own_availability"], dtype=np.float64),
                        items["limited_by"],
                        strict=True,
                    )
                )
            ],
            "platforms": [
                {"id": p, "availability": json_value(a, f"/platforms/{n}/availability"), "limited_by": lim}
                for n, (p, a, lim) in enumerate(
                    zip(
                        platforms["id"],
                        np.asarray(platforms["availability"], dtype=np.float64),
                        platforms["limited_by"],
                        strict=True,
                    )
                )
            ],
            "shocks": shocks_json(result.scenario),
            "notes": [note.to_json() for note in self.notes],
            "sources": scenario_sources(result.scenario, self.provenance),
            "provenance": self.provenance.to_json(),
        }


def shocks_json(scenario: Scenario) -> list[dict[str, Any]]:
    """Return a scenario's shocks as JSON-ready dicts (as every scenario document lists them)."""
    return [
        {
            "countries": list(s.countries),
            "stage": s.stage,
            "materials": list(s.materials),
            "items": list(s.items),
            "severity": json_value(s.severity, f"/shocks/{n}/severity"),
            "start_day": s.start_day,
            "duration_days": json_value(s.duration_days, f"/shocks/{n}/duration_days"),
            "probability": json_value(s.probability, f"/shocks/{n}/probability"),
        }
        for n, s in enumerate(scenario.shocks)
    ]


def scenario_sources(scenario: Scenario, provenance: ResultProvenance) -> list[dict[str, Any]]:
    """Return the ``sources`` of a scenario document: the scenario's own source, then the datasets."""
    return [
        {"dataset": "scenario", "title": scenario.name, "citation": scenario.source},
        *sources_json(provenance.datasets),
    ]


def scenario_inputs(
    opened: OpenedChain | Chain, scenario: LoadedScenario | Scenario
) -> tuple[Chain, Scenario, tuple[InputRecord, ...]]:
    """Return the chain, the scenario and the records of where both came from."""
    chain, records = chain_records(opened)
    if isinstance(scenario, LoadedScenario):
        return chain, scenario.scenario, (*records, scenario.record)
    return chain, scenario, records


def run_on_chain(
    opened: OpenedChain | Chain,
    scenario: LoadedScenario | Scenario,
    catalogue: MaterialCatalogue,
) -> ScenarioRun:
    """Run a scenario on the chain by the baseline rule."""
    chain, spec, records = scenario_inputs(opened, scenario)
    result = run_scenario(chain, build_chain_matrix(chain), spec, world_supply_shares(catalogue))
    parameters = {"rule": "baseline", "world_shares": "EC 2023 global supply"}
    used = provenance(["ec_global_supply"], parameters, records)
    return ScenarioRun(chain, result, used, scenario_notes(chain, spec))
