"""Disruption over time on a chain: daily platform output, and Monte Carlo over simulated years."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ketenradar.locale import N_, _
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.network.build import build_chain_matrix
from ketenradar.refdata.provenance import Provenance
from ketenradar.scenarios.montecarlo import BLOCK_DRAWS, YEAR_DAYS, MonteCarloResult, monte_carlo
from ketenradar.scenarios.simulate import DEFAULT_HORIZON_DAYS, SimulationResult, simulate
from ketenradar.services.chains import OpenedChain
from ketenradar.services.jsonable import json_records, json_value
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.provenance import InputRecord, ResultProvenance, provenance
from ketenradar.services.refinements import LoadedRefinements
from ketenradar.services.scenarios import (
    LoadedScenario,
    ScenarioNote,
    scenario_inputs,
    scenario_notes,
    scenario_sources,
    shocks_json,
)

__all__ = [
    "MONTE_CARLO_RULE",
    "SIMULATION_RULE",
    "ChainMonteCarlo",
    "ChainSimulation",
    "montecarlo_on_chain",
    "simulate_on_chain",
]

SIMULATION_RULE = N_(
    "rules v1 over time: each day the baseline rule over the shocks active that day; item stocks "
    "and sourcing-row buffers keep output at 1 while they cover the day's shortfall, not refilled"
)

MONTE_CARLO_RULE = N_(
    "rules v1 Monte Carlo: each draw is one simulated year; a shock with a probability occurs at "
    "most once, on its start day or a uniformly drawn day, cut off at the year's end"
)


@dataclass(frozen=True, slots=True)
class RefinementNote:
    """An alternative or substitute that applies to no item of the chain: it changes nothing."""

    kind: str
    subject: str
    source: str

    def text(self) -> str:
        """Return the note for people, in the active language."""
        if self.kind == "alternative":
            return _("the alternative {subject} applies to no item of the chain: it changes nothing").format(
                subject=self.subject
            )
        return _(
            "the substitute {subject} applies to no material item of the chain: it changes nothing"
        ).format(subject=self.subject)

    def to_json(self) -> dict[str, Any]:
        """Return the note as in the ``notes`` list of the simulation JSON."""
        return {
            "code": f"{self.kind}_not_in_chain",
            "subject": self.subject,
            "source": self.source,
            "text": self.text(),
        }


Note = ScenarioNote | RefinementNote


def refinement_notes(chain: Chain, loaded: LoadedRefinements | None) -> tuple[RefinementNote, ...]:
    """Return a note for every usable alternative or substitute that no item of the chain takes."""
    if loaded is None:
        return ()
    items = chain.items
    ids = set(items["id"].astype(str))
    materials = set(items.loc[items["kind"] == "material", "material"].dropna().astype(str))
    notes = []
    for alternative in loaded.refinements.usable_alternatives:
        applies = alternative.item in ids if alternative.item else alternative.material in materials
        if not applies:
            what = alternative.item or alternative.material
            subject = f"{what} {alternative.stage} {alternative.country}"
            notes.append(RefinementNote("alternative", subject, alternative.source))
    for substitute in loaded.refinements.substitutes:
        if substitute.material not in materials:
            subject = f"{substitute.material} → {substitute.substitute}"
            notes.append(RefinementNote("substitute", subject, substitute.source))
    return tuple(notes)


def _refinement_parameters(loaded: LoadedRefinements | None) -> dict[str, Any]:
    """Return the provenance parameters that say which refinements a run used."""
    if loaded is None:
        return {}
    return {
        "alternatives_used": len(loaded.refinements.usable_alternatives),
        "alternatives_without_lead_time": loaded.without_lead_time,
        "substitutes": len(loaded.substitutes),
    }


def _refinement_datasets(loaded: LoadedRefinements | None) -> tuple[Provenance, ...]:
    return () if loaded is None else loaded.provenance.datasets


def _refinement_records(loaded: LoadedRefinements | None) -> tuple[InputRecord, ...]:
    return () if loaded is None else loaded.provenance.inputs


@dataclass(frozen=True, slots=True)
class ChainSimulation:
    """Daily output per platform under a scenario over a horizon, with provenance and notes."""

    chain: Chain
    result: SimulationResult
    provenance: ResultProvenance
    notes: tuple[Note, ...] = ()

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
            "relief": json_records(result.relief),
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
    refinements: LoadedRefinements | None = None,
) -> ChainSimulation:
    """Simulate a scenario on the chain day by day over ``horizon_days`` (rules v1)."""
    chain, spec, records = scenario_inputs(opened, scenario)
    used_refinements = refinements.refinements if refinements is not None else None
    result = simulate(
        chain,
        build_chain_matrix(chain),
        spec,
        world_supply_shares(catalogue),
        horizon_days,
        refinements=used_refinements,
    )
    parameters = {
        "rule": "simulation v1",
        "horizon_days": horizon_days,
        "world_shares": "EC 2023 global supply",
        **_refinement_parameters(refinements),
    }
    used = provenance(
        ["ec_global_supply", *_refinement_datasets(refinements)],
        parameters,
        [*records, *_refinement_records(refinements)],
    )
    notes: tuple[Note, ...] = (*scenario_notes(chain, spec), *refinement_notes(chain, refinements))
    return ChainSimulation(chain, result, used, notes)


@dataclass(frozen=True, slots=True)
class ChainMonteCarlo:
    """Days lost per platform over Monte Carlo draws of a scenario, with provenance and notes."""

    chain: Chain
    result: MonteCarloResult
    provenance: ResultProvenance
    notes: tuple[Note, ...] = ()

    def contributions(self) -> list[list[dict[str, Any]]]:
        """Return per platform each shock's contribution to its mean days lost, largest first."""
        labels = [_shock_label(n, shock) for n, shock in enumerate(self.result.scenario.shocks)]
        values = self.result.contributions
        order = np.argsort(-values, axis=1, kind="stable")
        ranked = np.take_along_axis(values, order, axis=1)
        return [
            [{"shock": labels[k], "index": k, "mean_days_lost": v} for k, v in zip(ks, vs, strict=True)]
            for ks, vs in zip(order.tolist(), ranked.tolist(), strict=True)
        ]

    def to_json(self) -> dict[str, Any]:
        """Return the ``scenario montecarlo --format json`` document (see the CLI contract)."""
        result = self.result
        frame = result.platforms
        return {
            "scenario": result.scenario.name,
            "description": result.scenario.description,
            "rule": _(MONTE_CARLO_RULE),
            "draws": result.draws,
            "seed": result.seed,
            "horizon_days": YEAR_DAYS,
            "percentile_method": "linear",
            "platforms": [
                {
                    "id": row["id"],
                    **{
                        key: json_value(row[key], f"/platforms/{n}/{key}")
                        for key in ("mean_days_lost", "p50", "p90", "p95", "p99", "p_loss")
                    },
                    "contributions": [
                        {
                            "shock": c["shock"],
                            "index": c["index"],
                            "mean_days_lost": json_value(
                                c["mean_days_lost"], f"/platforms/{n}/contributions"
                            ),
                        }
                        for c in contributions
                    ],
                }
                for n, (row, contributions) in enumerate(
                    zip(frame.to_dict("records"), self.contributions(), strict=True)
                )
            ],
            "shock_frequency": [
                {"shock": label, "draws_occurring": int(count)}
                for label, count in zip(
                    [_shock_label(n, s) for n, s in enumerate(result.scenario.shocks)],
                    result.occurred.sum(axis=0).tolist(),
                    strict=True,
                )
            ],
            "shocks": shocks_json(result.scenario),
            "notes": [note.to_json() for note in self.notes],
            "sources": scenario_sources(result.scenario, self.provenance),
            "provenance": self.provenance.to_json(),
        }


def _shock_label(number: int, shock: Shock) -> str:
    """Return a short label of a shock: its number (from 1), countries and filter."""
    what = ",".join((*shock.materials, *shock.items)) or "*"
    return f"{number + 1}: {','.join(shock.countries)} {shock.stage} {what}"


def montecarlo_on_chain(
    opened: OpenedChain | Chain,
    scenario: LoadedScenario | Scenario,
    catalogue: MaterialCatalogue,
    draws: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    *,
    refinements: LoadedRefinements | None = None,
    scheduler: str | None = None,
) -> ChainMonteCarlo:
    """Run ``draws`` simulated years of a scenario on the chain (rules v1 Monte Carlo).

    ``scheduler`` runs the blocks of draws on Dask (``"dask"``: a local cluster; else the
    address of a scheduler) with the same numbers as in process.
    """
    chain, spec, records = scenario_inputs(opened, scenario)
    result = monte_carlo(
        chain,
        build_chain_matrix(chain),
        spec,
        world_supply_shares(catalogue),
        draws,
        seed,
        progress,
        refinements=refinements.refinements if refinements is not None else None,
        scheduler=scheduler,
    )
    parameters = {
        "rule": "monte carlo v1",
        "draws": draws,
        "seed": seed,
        "horizon_days": YEAR_DAYS,
        "rng": "numpy.random.default_rng",
        "percentiles": "numpy linear interpolation",
        "world_shares": "EC 2023 global supply",
        "block_draws": BLOCK_DRAWS,
        "block_seeds": "numpy.random.SeedSequence(seed).spawn",
        **_refinement_parameters(refinements),
    }
    used = provenance(
        ["ec_global_supply", *_refinement_datasets(refinements)],
        parameters,
        [*records, *_refinement_records(refinements)],
        seed=seed,
    )
    notes: tuple[Note, ...] = (*scenario_notes(chain, spec), *refinement_notes(chain, refinements))
    return ChainMonteCarlo(chain, result, used, notes)
