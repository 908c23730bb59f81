"""Exposure of each platform to countries, per material and stage, and the chain's weak spots.

For material ``m`` at stage ``s`` the platform's country shares are the quantity-weighted
average of the sourcing at every place ``m`` enters its chain; the quantity the chain gives no
sourcing for takes the reference data's world shares (``basis`` and ``known_fraction`` say
how much came from where). All of it is sparse algebra over the total-requirement matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ketenradar._types import RAW_MATERIAL_STAGES, FloatArray
from ketenradar.model.chain import Chain
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import reduce_up, total_requirements

__all__ = ["SPOF_SHARE_THRESHOLD", "ExposureResult", "compute_exposure", "sourcing_matrix"]

SPOF_SHARE_THRESHOLD = 0.9


@dataclass(frozen=True, slots=True)
class ExposureResult:
    """Per platform: material content, country shares per material and stage, weak spots."""

    platforms: list[str]
    content: pd.DataFrame
    shares: pd.DataFrame
    coverage: pd.DataFrame
    node_hhi: pd.DataFrame
    single_points: pd.DataFrame
    visibility: pd.DataFrame
    branches: pd.DataFrame
    spof_threshold: float


def sourcing_matrix(
    chain: Chain, matrix: ChainMatrix, stage: str, countries: pd.Index
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Return the items × countries share matrix at one stage and which items have sourcing there."""
    rows = chain.sourcing[chain.sourcing["stage"] == stage]
    item = matrix.index.positions(rows["item"].to_numpy())
    country = countries.get_indexer(rows["country"])
    S = sp.csr_matrix(
        (rows["share"].to_numpy(dtype=np.float64), (item, country)),
        shape=(matrix.n, len(countries)),
    )
    has = np.zeros(matrix.n, dtype=bool)
    has[item] = True
    return S, has


def compute_exposure(
    chain: Chain,
    matrix: ChainMatrix,
    world_shares: pd.DataFrame,
    spof_threshold: float = SPOF_SHARE_THRESHOLD,
) -> ExposureResult:
    """Compute exposure for every platform of the chain.

    ``world_shares`` has columns material, stage, country, share (the reference data's global
    supply); materials without world shares at a stage keep an ``unknown`` remainder.
    """
    platforms = matrix.platforms
    platform_ids = [matrix.index.labels[i] for i in platforms]
    X = total_requirements(matrix, platforms)
    labels = matrix.index.label_array()

    is_material = matrix.kind == "material"
    material_ids, material_code = np.unique(matrix.material.astype(str), return_inverse=True)
    X_coo = X.tocoo()
    on_material = is_material[X_coo.row]
    item_pos, platform_pos, quantity = (
        X_coo.row[on_material],
        X_coo.col[on_material],
        X_coo.data[on_material],
    )
    key_codes, keys = pd.factorize(
        pd.MultiIndex.from_arrays([platform_pos, material_code[item_pos]])
    )
    n_keys = len(keys)
    W = sp.csr_matrix((quantity, (key_codes, item_pos)), shape=(n_keys, matrix.n))
    key_platform = keys.get_level_values(0).to_numpy()
    key_material = material_ids[keys.get_level_values(1).to_numpy()]
    total = np.asarray(W.sum(axis=1)).ravel()
    content = pd.DataFrame(
        {
            "platform": np.asarray(platform_ids, dtype=object)[key_platform],
            "material": key_material,
            "quantity": total,
        }
    )

    countries = pd.Index(sorted(set(chain.sourcing["country"]) | set(world_shares["country"])))
    share_frames, coverage_frames = [], []
    for stage in RAW_MATERIAL_STAGES:
        S, has = sourcing_matrix(chain, matrix, stage, countries)
        chain_part = (W @ S).toarray()
        known = W @ has.astype(np.float64)
        world = world_shares[world_shares["stage"] == stage]
        world_matrix = np.zeros((len(material_ids), len(countries)))
        in_ids = np.isin(world["material"].to_numpy(), material_ids)
        world = world[in_ids]
        np.add.at(
            world_matrix,
            (material_ids.searchsorted(world["material"]), countries.get_indexer(world["country"])),
            world["share"].fillna(0).to_numpy(),
        )
        has_world = world_matrix.sum(axis=1) > 0
        unknown_quantity = total - known
        # Summation order leaves residues like 1e-17; they must not pull in world shares.
        unknown_quantity[unknown_quantity <= 1e-12 * total] = 0.0
        blended = chain_part + unknown_quantity[:, None] * world_matrix[keys.get_level_values(1)]
        with np.errstate(invalid="ignore", divide="ignore"):
            blended = blended / total[:, None]
        k, c = np.nonzero(blended > 0)
        share_frames.append(
            pd.DataFrame(
                {
                    "platform": np.asarray(platform_ids, dtype=object)[key_platform[k]],
                    "material": key_material[k],
                    "stage": stage,
                    "country": countries.to_numpy()[c],
                    "share": blended[k, c],
                }
            )
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            known_fraction = known / total
        world_used = has_world[keys.get_level_values(1)]
        coverage_frames.append(
            pd.DataFrame(
                {
                    "platform": np.asarray(platform_ids, dtype=object)[key_platform],
                    "material": key_material,
                    "stage": stage,
                    "known_fraction": known_fraction,
                    "basis": np.where(known > 0, "chain", np.where(world_used, "world", "none")),
                    "world_used_for": np.where(world_used, 1.0 - known_fraction, 0.0),
                    # Published world shares list main suppliers only: the rest is unknown.
                    "unknown_share": np.clip(1.0 - np.nan_to_num(blended).sum(axis=1), 0.0, None),
                }
            )
        )
    shares = pd.concat(share_frames, ignore_index=True)
    coverage = pd.concat(coverage_frames, ignore_index=True)

    node_hhi = _node_hhi(chain)
    single_points = _single_points(chain, matrix, X, shares, labels, platform_ids, spof_threshold)
    visibility, branches = _visibility(chain, matrix, X, platform_ids)
    return ExposureResult(
        platforms=platform_ids,
        content=content,
        shares=shares,
        coverage=coverage,
        node_hhi=node_hhi,
        single_points=single_points,
        visibility=visibility,
        branches=branches,
        spof_threshold=spof_threshold,
    )


def _node_hhi(chain: Chain) -> pd.DataFrame:
    """Return the country HHI of every item's sourcing at each stage."""
    by_country = chain.sourcing.groupby(["item", "stage", "country"], sort=False)["share"].sum()
    return (
        (by_country**2)
        .groupby(level=["item", "stage"], sort=False)
        .sum()
        .rename("hhi")
        .reset_index()
    )


def _single_points(
    chain: Chain,
    matrix: ChainMatrix,
    X: sp.csr_matrix,
    shares: pd.DataFrame,
    labels: np.ndarray,
    platform_ids: list[str],
    threshold: float,
) -> pd.DataFrame:
    """Items with one supplier or one country, and materials ≥ threshold from one country."""
    sourcing = chain.sourcing
    grouped = sourcing.groupby(["item", "stage"], sort=False)
    countries = grouped["country"].nunique()
    named = (
        sourcing[sourcing["supplier"] != ""]
        .groupby(["item", "stage"], sort=False)["supplier"]
        .nunique()
    )
    suppliers = named.reindex(countries.index)
    single_country = countries == 1
    single_supplier = (suppliers == 1) & (countries == 1)
    flagged = countries[single_country].reset_index()[["item", "stage"]]
    top_country = sourcing.loc[grouped["share"].idxmax(), ["item", "stage", "country"]]
    flagged = flagged.merge(top_country, on=["item", "stage"])
    flagged["reason"] = np.where(
        single_supplier.reindex(pd.MultiIndex.from_frame(flagged[["item", "stage"]]))
        .fillna(False)
        .to_numpy(),
        "single supplier",
        "single country",
    )
    flagged["share"] = 1.0

    X_coo = X.tocoo()
    in_platform = pd.DataFrame(
        {"item": labels[X_coo.row], "platform": np.asarray(platform_ids, dtype=object)[X_coo.col]}
    )
    item_points = in_platform.merge(flagged, on="item")

    top = shares.loc[shares.groupby(["platform", "material", "stage"])["share"].idxmax()]
    concentrated = top[top["share"] >= threshold - 1e-12]
    material_items = chain.items.loc[chain.items["kind"] == "material", ["id", "material"]]
    material_points = in_platform.merge(
        material_items.rename(columns={"id": "item"}), on="item"
    ).merge(concentrated, on=["platform", "material"])
    material_points = material_points.assign(reason=f"material ≥ {threshold:.0%} from one country")
    columns = ["platform", "item", "stage", "country", "share", "reason"]
    points = pd.concat([item_points[columns], material_points[columns]], ignore_index=True)
    return points.drop_duplicates(["platform", "item", "stage", "reason"]).reset_index(drop=True)


def _visibility(
    chain: Chain, matrix: ChainMatrix, X: sp.csr_matrix, platform_ids: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deepest known tier per branch and the share of material quantity with known upstream."""
    tiers = chain.sourcing.dropna(subset=["tier"]).groupby("item")["tier"].max()
    own_tier = np.full(matrix.n, -np.inf)
    own_tier[matrix.index.positions(tiers.index.to_numpy())] = tiers.to_numpy()
    deepest = reduce_up(matrix, own_tier, "max")
    depth = reduce_up(matrix, matrix.level.astype(np.float64), "max")

    labels = matrix.index.label_array()
    down = matrix.down[matrix.platforms].tocoo()
    branches = pd.DataFrame(
        {
            "platform": np.asarray(platform_ids, dtype=object)[down.row],
            "branch": labels[down.col],
            "deepest_known_tier": _finite(deepest[down.col]),
            "levels_below": depth[down.col] - matrix.level[down.col],
        }
    )

    sourced = np.zeros(matrix.n)
    sourced[matrix.index.positions(chain.sourcing["item"].unique())] = 1.0
    is_material = (matrix.kind == "material").astype(np.float64)
    material_total = X.T @ is_material
    material_known = X.T @ (is_material * sourced)
    with np.errstate(invalid="ignore", divide="ignore"):
        known_fraction = material_known / material_total
    visibility = pd.DataFrame(
        {
            "platform": platform_ids,
            "deepest_known_tier": _finite(deepest[matrix.platforms]),
            "levels": depth[matrix.platforms] + 1,
            "material_quantity_known_fraction": known_fraction,
        }
    )
    return visibility, branches


def _finite(values: FloatArray) -> FloatArray:
    return np.where(np.isfinite(values), values, np.nan)
