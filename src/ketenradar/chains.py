"""Value-chain analyses as callers use them: open a chain, compute exposure, run a scenario.

Joins the chain with the reference data (world shares, country groups) and turns the
network results into the JSON documents of the CLI contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.jsonable import json_value
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import SPOF_SHARE_THRESHOLD, ExposureResult, compute_exposure
from ketenradar.overview import catalogue_supply_shares, provenance_records
from ketenradar.scenarios.availability import ScenarioResult, run_scenario
from ketenradar.scenarios.spec import Scenario
from ketenradar.storage.base import Store

__all__ = [
    "analyse_exposure",
    "analyse_scenario",
    "exposure_document",
    "open_chain",
    "scenario_document",
    "world_supply_shares",
]


def world_supply_shares(catalogue: MaterialCatalogue) -> pd.DataFrame:
    """Return the reference world shares (EC 2023 global supply) per catalogue material and stage."""
    shares = catalogue_supply_shares(refdata.load_supply_shares().frame, catalogue)
    return shares.loc[shares["scope"] == "gs", ["material", "stage", "country", "share"]].dropna()


def open_chain(reference: str | Path, store: Store | None, catalogue: MaterialCatalogue) -> Chain:
    """Return the chain at a workbook path, or the stored chain of that name."""
    path = Path(reference)
    if path.exists() or path.suffix.lower() in (".xlsx", ".json", ".csv"):
        return read_chain_workbook(path, list(catalogue))
    if store is None:
        raise ValueError("no workspace to look the chain name up in")
    return store.load_chain(str(reference))


def analyse_exposure(
    chain: Chain, catalogue: MaterialCatalogue, spof_threshold: float = SPOF_SHARE_THRESHOLD
) -> ExposureResult:
    """Compute the exposure of every platform of the chain."""
    return compute_exposure(chain, build_chain_matrix(chain), world_supply_shares(catalogue), spof_threshold)


def analyse_scenario(chain: Chain, scenario: Scenario, catalogue: MaterialCatalogue) -> ScenarioResult:
    """Run a scenario on the chain by the baseline rule."""
    return run_scenario(chain, build_chain_matrix(chain), scenario, world_supply_shares(catalogue))


def _split_of(shares: pd.DataFrame) -> pd.Series:
    groups = refdata.load_countries().frame["nl_split"]
    return shares["country"].map(groups).fillna("third")


def exposure_document(chain: Chain, result: ExposureResult) -> dict[str, Any]:
    """Return the JSON document of ``chain exposure`` (see the CLI contract)."""
    shares = result.shares.assign(split=lambda f: _split_of(f))
    names = chain.items.set_index("id")["name"]
    share_groups = {key: g for key, g in shares.groupby(["platform", "material", "stage"], sort=False)}
    coverage = result.coverage.set_index(["platform", "material", "stage"])
    hhi = shares.assign(sq=shares["share"] ** 2).groupby(["platform", "material", "stage"])["sq"].sum()
    points = result.single_points.groupby("platform")
    branches = result.branches.groupby("platform")
    visibility = result.visibility.set_index("platform")
    platforms = []
    for platform in result.platforms:
        materials = []
        content = result.content[result.content["platform"] == platform].sort_values("material")
        for row in content.itertuples(index=False):
            stages = {}
            for stage in ("mining", "processing"):
                key = (platform, row.material, stage)
                cover = coverage.loc[key]
                group = share_groups.get(key)
                if group is None:
                    shares_dict: dict[str, float] = {}
                    split: dict[str, float] = {}
                else:
                    ordered = group.sort_values("share", ascending=False)
                    shares_dict = {
                        c: float(s) for c, s in zip(ordered["country"], ordered["share"], strict=True)
                    }
                    split = {k: float(v) for k, v in ordered.groupby("split")["share"].sum().items()}
                stages[stage] = {
                    "shares": shares_dict,
                    "basis": cover["basis"],
                    "known_fraction": json_value(cover["known_fraction"]),
                    "unknown_share": json_value(cover["unknown_share"]),
                    "split": {k: split.get(k, 0.0) for k in ("NL", "EU+EEA", "third")} if split else {},
                    "hhi": json_value(hhi.get(key, np.nan)),
                }
            materials.append({"material": row.material, "quantity": float(row.quantity), "stages": stages})
        details = points.get_group(platform) if platform in points.groups else result.single_points.iloc[0:0]
        vis = visibility.loc[platform]
        platforms.append(
            {
                "id": platform,
                "name": names.get(platform, platform),
                "materials": materials,
                "single_points_of_failure": sorted(set(details["item"])),
                "single_point_details": [
                    {k: json_value(v) for k, v in d.items()} for d in details.to_dict(orient="records")
                ],
                "visibility": {
                    "deepest_known_tier": json_value(vis["deepest_known_tier"]),
                    "levels": int(vis["levels"]),
                    "material_quantity_known_fraction": json_value(vis["material_quantity_known_fraction"]),
                    "branches": [
                        {
                            "branch": b.branch,
                            "deepest_known_tier": json_value(b.deepest_known_tier),
                            "levels_below": int(b.levels_below),
                        }
                        for b in (
                            branches.get_group(platform).itertuples() if platform in branches.groups else []
                        )
                    ],
                },
            }
        )
    return {
        "chain": chain.name,
        "platforms": platforms,
        "settings": {
            "spof_share_threshold": result.spof_threshold,
            "world_shares": "EC 2023 global supply",
        },
        "sources": [
            {"dataset": "chain", "title": f"chain {chain.name}", "citation": chain.source},
            *provenance_records(
                (refdata.provenance_of("ec_global_supply"), refdata.provenance_of("country_groups"))
            ),
        ],
    }


def scenario_document(result: ScenarioResult) -> dict[str, Any]:
    """Return the JSON document of ``scenario run`` (see the CLI contract)."""
    items = result.items
    platforms = result.platforms
    return {
        "scenario": result.scenario.name,
        "description": result.scenario.description,
        "rule": "baseline: 1 − Σ share × loss per stage; losses of overlapping shocks 1 − Π(1 − severity); "
        "items take the minimum of their own and their inputs' availability",
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
            *provenance_records((refdata.provenance_of("ec_global_supply"),)),
        ],
    }
