"""Stockpile plan on a chain: whole days of stock per candidate within a budget (rules v1, F14)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar.ingest.candidates import read_candidates
from ketenradar.locale import N_, _
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.montecarlo import YEAR_DAYS
from ketenradar.scenarios.stockpile import StockpileCandidates, StockpilePlan, plan_stockpile
from ketenradar.services.chains import OpenedChain
from ketenradar.services.jsonable import json_value
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.provenance import ResultProvenance, input_file, provenance
from ketenradar.services.scenarios import (
    LoadedScenario,
    ScenarioNote,
    scenario_inputs,
    scenario_notes,
    scenario_sources,
    shocks_json,
)

__all__ = ["STOCKPILE_RULE", "ChainStockpile", "stockpile_on_chain"]

STOCKPILE_RULE = N_(
    "rules v1 stockpile: whole days of stock per candidate minimising the expected platform-days "
    "lost over the Monte Carlo draws within the budget (mixed-integer programme, HiGHS); losses "
    "before and after are Monte Carlo re-runs on the same draws"
)


@dataclass(frozen=True, slots=True)
class ChainStockpile:
    """A stockpile plan on a chain: the plan, the naive plan, their re-runs, provenance and notes."""

    chain: Chain
    plan: StockpilePlan
    item_ids: tuple[str, ...]
    item_names: tuple[str, ...]
    provenance: ResultProvenance
    notes: tuple[ScenarioNote, ...] = ()

    @property
    def loss_avoided(self) -> float:
        """Return the expected platform-days a year the plan avoids (before − after, re-runs)."""
        return self.plan.expected_loss_before - self.plan.expected_loss_after

    @property
    def naive_loss_avoided(self) -> float:
        """Return the expected platform-days a year the naive plan avoids (before − naive re-run)."""
        return self.plan.expected_loss_before - self.plan.expected_loss_naive

    def candidates_frame(self) -> pd.DataFrame:
        """Return one row per candidate: item, name, stock, days, months, cost, naive days and cost."""
        plan = self.plan
        return pd.DataFrame(
            {
                "item": list(self.item_ids),
                "name": list(self.item_names),
                "existing_days": plan.existing_days,
                "days": plan.days,
                "months": plan.months,
                "cost": plan.cost,
                "cost_per_day": plan.candidates.cost_per_day,
                "max_days": plan.candidates.max_days,
                "risk_days": plan.risk,
                "naive_days": plan.naive_days,
                "naive_cost": plan.naive_cost,
            }
        )

    def platforms_frame(self) -> pd.DataFrame:
        """Return one row per platform: mean days lost a year before, after and with the naive plan."""
        plan = self.plan
        return pd.DataFrame(
            {
                "id": plan.before.platform_ids,
                "days_lost_before": plan.before.mean_days_lost,
                "days_lost_after": plan.after.mean_days_lost,
                "days_lost_naive": plan.naive.mean_days_lost,
            }
        )

    def to_json(self) -> dict[str, Any]:
        """Return the ``stockpile plan --format json`` document (see the CLI contract)."""
        plan = self.plan
        frame = self.candidates_frame()
        rows = frame.to_dict("records")
        return {
            "scenario": plan.before.scenario.name,
            "description": plan.before.scenario.description,
            "rule": _(STOCKPILE_RULE),
            "draws": plan.before.draws,
            "seed": plan.before.seed,
            "horizon_days": YEAR_DAYS,
            "plan": [
                {
                    "item": row["item"],
                    "name": row["name"],
                    "days": int(row["days"]),
                    "months": json_value(row["months"], f"/plan/{n}/months"),
                    "cost": json_value(row["cost"], f"/plan/{n}/cost"),
                    "cost_per_day": json_value(row["cost_per_day"], f"/plan/{n}/cost_per_day"),
                    "max_days": json_value(row["max_days"], f"/plan/{n}/max_days"),
                    "existing_days": json_value(row["existing_days"], f"/plan/{n}/existing_days"),
                    "risk_days": json_value(row["risk_days"], f"/plan/{n}/risk_days"),
                }
                for n, row in enumerate(rows)
            ],
            "budget": json_value(plan.budget, "/budget"),
            "cost": json_value(float(plan.cost.sum()), "/cost"),
            "expected_loss_before": json_value(plan.expected_loss_before, "/expected_loss_before"),
            "expected_loss_after": json_value(plan.expected_loss_after, "/expected_loss_after"),
            "model_bound": json_value(plan.model_bound, "/model_bound"),
            "loss_avoided": json_value(self.loss_avoided, "/loss_avoided"),
            "naive": {
                "plan": [
                    {
                        "item": row["item"],
                        "days": int(row["naive_days"]),
                        "cost": json_value(row["naive_cost"], f"/naive/plan/{n}/cost"),
                    }
                    for n, row in enumerate(rows)
                ],
                "cost": json_value(float(plan.naive_cost.sum()), "/naive/cost"),
                "expected_loss_after": json_value(plan.expected_loss_naive, "/naive/expected_loss_after"),
                "loss_avoided": json_value(self.naive_loss_avoided, "/naive/loss_avoided"),
            },
            "platforms": [
                {
                    "id": row["id"],
                    **{
                        key: json_value(row[key], f"/platforms/{n}/{key}")
                        for key in ("days_lost_before", "days_lost_after", "days_lost_naive")
                    },
                }
                for n, row in enumerate(self.platforms_frame().to_dict("records"))
            ],
            "solver": {
                "name": "HiGHS (scipy.optimize.milp)",
                "status": plan.solver_status,
                "mip_gap": json_value(plan.mip_gap, "/solver/mip_gap"),
                "patterns": plan.n_patterns,
                "blocks": plan.n_blocks,
            },
            "shocks": shocks_json(plan.before.scenario),
            "notes": [note.to_json() for note in self.notes],
            "sources": scenario_sources(plan.before.scenario, self.provenance),
            "provenance": self.provenance.to_json(),
        }


def stockpile_on_chain(
    opened: OpenedChain | Chain,
    scenario: LoadedScenario | Scenario,
    catalogue: MaterialCatalogue,
    candidates_file: str | Path,
    budget: float,
    draws: int,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> ChainStockpile:
    """Plan whole days of stock per candidate of the file within ``budget`` euros (rules v1 stockpile).

    The candidates file is read and checked against the chain before anything is computed.
    """
    chain, spec, records = scenario_inputs(opened, scenario)
    table = read_candidates(candidates_file, chain.items["id"].astype(str).tolist())
    matrix = build_chain_matrix(chain)
    positions = matrix.index.positions(table["item"].to_numpy(dtype=object))
    candidates = StockpileCandidates(
        positions=positions.astype(np.intp),
        cost_per_day=table["cost_per_day"].to_numpy(dtype=np.float64),
        max_days=table["max_days"].to_numpy(dtype=np.float64),
    )
    plan = plan_stockpile(
        chain, matrix, spec, world_supply_shares(catalogue), candidates, budget, draws, seed, progress
    )
    parameters = {
        "rule": "stockpile v1",
        "budget_eur": budget,
        "draws": draws,
        "seed": seed,
        "horizon_days": YEAR_DAYS,
        "rng": "numpy.random.default_rng",
        "solver": "HiGHS via scipy.optimize.milp",
        "world_shares": "EC 2023 global supply",
    }
    used = provenance(
        ["ec_global_supply"], parameters, (*records, input_file("candidates", candidates_file)), seed=seed
    )
    names = chain.items["name"].astype(str).to_numpy()[positions]
    return ChainStockpile(
        chain=chain,
        plan=plan,
        item_ids=tuple(table["item"].astype(str)),
        item_names=tuple(str(n) for n in names),
        provenance=used,
        notes=scenario_notes(chain, spec),
    )
