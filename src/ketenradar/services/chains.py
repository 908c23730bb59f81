"""Value chains as callers use them: open a chain, compute its exposure, list what is stored.

Joins the chain with the reference data (world shares, country groups) and turns the network
results into the JSON documents of the CLI contract (``ChainExposure.to_json``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import ChainNotFound
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.vocabulary import NL_SPLITS, RAW_MATERIAL_STAGES
from ketenradar.network.build import build_chain_matrix
from ketenradar.network.exposure import SPOF_SHARE_THRESHOLD, ExposureResult, compute_exposure
from ketenradar.risk.concentration import hhi_by_key
from ketenradar.services.jsonable import json_value
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.provenance import InputRecord, ResultProvenance, input_file, provenance, sources_json
from ketenradar.storage.base import ChainVersion, Store

__all__ = [
    "SPOF_SHARE_THRESHOLD",
    "ChainDetails",
    "ChainExposure",
    "ChainListing",
    "OpenedChain",
    "chain_details",
    "chain_exposure",
    "chain_records",
    "list_chains",
    "open_chain",
]

WORLD_SHARES = "EC 2023 global supply"
_EXPOSURE_DATASETS = ("ec_global_supply", "country_groups")


@dataclass(frozen=True, slots=True)
class OpenedChain:
    """A chain with the record of where it came from (a file with its checksum, or a stored version)."""

    chain: Chain
    record: InputRecord


def open_chain(
    reference: str | Path, store: Store | None, catalogue: MaterialCatalogue, *, name: str | None = None
) -> OpenedChain:
    """Return the chain at a workbook path, or the stored chain of that name."""
    path = Path(reference)
    if path.exists() or path.suffix.lower() in (".xlsx", ".json", ".csv"):
        chain = read_chain_workbook(path, list(catalogue), name=name)
        return OpenedChain(chain, input_file("chain", path, name=chain.name))
    if store is None:
        raise ChainNotFound(str(reference))
    chain = store.load_chain(str(reference))
    record = InputRecord(role="chain", source=chain.source, name=chain.name, version=chain.version)
    return OpenedChain(chain, record)


def nl_split_of(countries: pd.Series) -> pd.Series:
    """Return NL, EU+EEA or third for each ISO3 code (unknown codes count as third)."""
    groups = refdata.load_countries().frame["nl_split"]
    return countries.map(groups).fillna("third")


@dataclass(frozen=True, slots=True)
class ChainExposure:
    """The exposure of every platform of a chain, with its provenance."""

    chain: Chain
    result: ExposureResult
    provenance: ResultProvenance

    def split_table(self) -> pd.DataFrame:
        """Return per platform, material and stage: quantity, coverage, NL/EU+EEA/third, HHI, top country."""
        exposure = self.result
        keys = ["platform", "material", "stage"]
        shares = exposure.shares.assign(split=lambda f: nl_split_of(f["country"]))
        table = exposure.coverage.set_index(keys)
        if len(shares):
            split = shares.pivot_table(
                index=keys, columns="split", values="share", aggfunc="sum", fill_value=0.0
            )
            # A stage without any shares keeps a missing split, not zeros.
            table = table.join(split.reindex(columns=list(NL_SPLITS), fill_value=0.0))
            table = table.join(hhi_by_key(shares, keys))
            top = shares.loc[shares.groupby(keys)["share"].idxmax()].set_index(keys)
            table = table.join(
                top[["country", "share"]].rename(columns={"country": "top_country", "share": "top_share"})
            )
        else:
            table = table.assign(
                **dict.fromkeys(NL_SPLITS, np.nan), hhi=np.nan, top_country=None, top_share=np.nan
            )
        table = table.reset_index().merge(exposure.content, on=["platform", "material"], how="left")
        return table.sort_values(keys, ignore_index=True)

    def to_json(self) -> dict[str, Any]:
        """Return the ``chain exposure --format json`` document (see the CLI contract)."""
        result = self.result
        keys = ["platform", "material", "stage"]
        shares = result.shares.assign(split=lambda f: nl_split_of(f["country"]))
        names = self.chain.items.set_index("id")["name"]
        share_groups = {key: g for key, g in shares.groupby(keys, sort=False)}
        coverage = result.coverage.set_index(keys)
        hhi = hhi_by_key(shares, keys)
        points = result.single_points.groupby("platform")
        branches = result.branches.groupby("platform")
        visibility = result.visibility.set_index("platform")
        platforms = []
        for platform in result.platforms:
            materials = []
            content = result.content[result.content["platform"] == platform].sort_values("material")
            for row in content.itertuples(index=False):
                stages = {}
                for stage in RAW_MATERIAL_STAGES:
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
                        "split": {k: split.get(k, 0.0) for k in NL_SPLITS} if split else {},
                        "hhi": json_value(hhi.get(key, np.nan)),
                    }
                materials.append(
                    {"material": row.material, "quantity": float(row.quantity), "stages": stages}
                )
            details = (
                points.get_group(platform) if platform in points.groups else result.single_points.iloc[0:0]
            )
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
                        "material_quantity_known_fraction": json_value(
                            vis["material_quantity_known_fraction"]
                        ),
                        "branches": [
                            {
                                "branch": b.branch,
                                "deepest_known_tier": json_value(b.deepest_known_tier),
                                "levels_below": int(b.levels_below),
                            }
                            for b in (
                                branches.get_group(platform).itertuples()
                                if platform in branches.groups
                                else []
                            )
                        ],
                    },
                }
            )
        return {
            "chain": self.chain.name,
            "platforms": platforms,
            # Concentration of every item's own sourcing per stage (the tables show the top).
            "node_concentration": result.node_hhi.to_dict(orient="records"),
            "settings": {
                "spof_share_threshold": result.spof_threshold,
                "world_shares": WORLD_SHARES,
            },
            "sources": [
                {"dataset": "chain", "title": f"chain {self.chain.name}", "citation": self.chain.source},
                *sources_json(self.provenance.datasets),
            ],
            "provenance": self.provenance.to_json(),
        }


def chain_exposure(
    opened: OpenedChain | Chain,
    catalogue: MaterialCatalogue,
    spof_threshold: float = SPOF_SHARE_THRESHOLD,
) -> ChainExposure:
    """Compute the exposure of every platform of the chain."""
    chain, records = chain_records(opened)
    result = compute_exposure(
        chain, build_chain_matrix(chain), world_supply_shares(catalogue), spof_threshold
    )
    parameters = {"spof_share_threshold": spof_threshold, "world_shares": WORLD_SHARES}
    return ChainExposure(chain, result, provenance(_EXPOSURE_DATASETS, parameters, records))


def chain_records(opened: OpenedChain | Chain) -> tuple[Chain, tuple[InputRecord, ...]]:
    """Return the chain and the records of where it came from."""
    if isinstance(opened, OpenedChain):
        return opened.chain, (opened.record,)
    record = InputRecord(role="chain", source=opened.source, name=opened.name, version=opened.version)
    return opened, (record,)


@dataclass(frozen=True, slots=True)
class ChainListing:
    """The latest version of every stored chain."""

    versions: tuple[ChainVersion, ...]
    provenance: ResultProvenance

    def frame(self) -> pd.DataFrame:
        """Return one row per chain."""
        return pd.DataFrame(
            [asdict(v) for v in self.versions], columns=[f.name for f in fields(ChainVersion)]
        )

    def to_json(self) -> dict[str, Any]:
        """Return the ``chain list --format json`` document."""
        return {"chains": [asdict(v) for v in self.versions], "provenance": self.provenance.to_json()}


def list_chains(store: Store) -> ChainListing:
    """Return the latest version of every stored chain."""
    return ChainListing(tuple(store.list_chains()), provenance())


@dataclass(frozen=True, slots=True)
class ChainDetails:
    """A stored chain's versions, items per kind, platforms and materials."""

    name: str
    versions: tuple[ChainVersion, ...]
    items_per_kind: dict[str, int]
    platforms: list[str]
    materials: list[str]
    provenance: ResultProvenance

    def to_frame(self) -> pd.DataFrame:
        """Return one row per stored version."""
        return pd.DataFrame([asdict(v) for v in self.versions])

    def to_json(self) -> dict[str, Any]:
        """Return the ``chain show --format json`` document."""
        return {
            "name": self.name,
            "versions": [asdict(v) for v in self.versions],
            "items_per_kind": self.items_per_kind,
            "platforms": self.platforms,
            "materials": self.materials,
            "provenance": self.provenance.to_json(),
        }


def chain_details(store: Store, name: str) -> ChainDetails:
    """Return what is stored under ``name``."""
    versions = tuple(store.versions(name))
    chain = store.load_chain(name)
    kinds = {str(k): int(v) for k, v in chain.items["kind"].value_counts().items()}
    materials = sorted(set(chain.items.loc[chain.items["kind"] == "material", "material"]))
    record = InputRecord(role="chain", source=chain.source, name=name, version=chain.version)
    return ChainDetails(name, versions, kinds, chain.platform_ids, materials, provenance(inputs=[record]))
