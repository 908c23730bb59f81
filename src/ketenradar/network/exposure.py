"""Exposure of each platform to countries, per material and stage, and the chain's weak spots.

For material ``m`` at stage ``s`` the platform's country shares are the quantity-weighted
average of the sourcing at every place ``m`` enters its chain; the quantity the chain gives no
sourcing for takes the reference data's world shares (``basis`` and ``known_fraction`` say
how much came from where). All of it is sparse algebra over the total-requirement matrix and
integer codes; strings appear only in the (small) results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ketenradar._types import FloatArray, IntArray
from ketenradar.locale import N_, _, format_percent
from ketenradar.model.chain import Chain
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import levels_below, reduce_up, total_requirements
from ketenradar.risk.concentration import hhi as herfindahl

__all__ = ["SPOF_SHARE_THRESHOLD", "ExposureResult", "compute_exposure"]

SPOF_SHARE_THRESHOLD = 0.9
# Why an item is a single point of failure; ``reason_code`` in results, the words in ``reason``.
_REASONS = {
    "single_supplier": N_("single supplier"),
    "single_country": N_("single country"),
    "concentrated_material": N_("material ≥ {threshold} from one country"),
}


@dataclass(frozen=True, slots=True)
class ExposureResult:
    """Per platform: material content, country shares per material and stage, weak spots.

    ``node_hhi`` is the concentration of every item's own sourcing per stage: item, stage,
    hhi (Σ country share²), countries (how many), top_country and top_share.
    """

    platforms: list[str]
    content: pd.DataFrame
    shares: pd.DataFrame
    coverage: pd.DataFrame
    node_hhi: pd.DataFrame
    single_points: pd.DataFrame
    visibility: pd.DataFrame
    branches: pd.DataFrame
    spof_threshold: float


def compute_exposure(
    chain: Chain,
    matrix: ChainMatrix,
    world_shares: pd.DataFrame,
    spof_threshold: float = SPOF_SHARE_THRESHOLD,
) -> ExposureResult:
    """Compute exposure for every platform of the chain.

    ``world_shares`` has columns material, stage, country, share (the reference data's global
    supply); what neither the chain nor the world shares explain is ``unknown_share``.
    """
    src = matrix.sourcing
    platforms = matrix.platforms
    platform_ids = matrix.index.labels[platforms]
    X = total_requirements(matrix, platforms)

    is_material = matrix.kind == "material"
    material_code, material_ids = pd.factorize(matrix.material, sort=True)
    material_ids = np.asarray(material_ids, dtype=object)
    n_materials = len(material_ids)
    material_rows = np.flatnonzero(is_material)
    X_material = X[material_rows].tocoo()
    item_pos = material_rows[X_material.row]
    pair = X_material.col.astype(np.int64) * n_materials + material_code[item_pos]
    unique_pairs, key_codes = np.unique(pair, return_inverse=True)
    key_platform = (unique_pairs // n_materials).astype(np.intp)
    key_material = (unique_pairs % n_materials).astype(np.intp)
    W = sp.csr_matrix((X_material.data, (key_codes, item_pos)), shape=(len(unique_pairs), matrix.n))
    total = np.asarray(W.sum(axis=1)).ravel()
    content = pd.DataFrame(
        {
            "platform": platform_ids[key_platform],
            "material": material_ids[key_material],
            "quantity": total,
        }
    )

    countries = pd.Index(sorted(set(src.countries) | set(world_shares["country"])), dtype=object)
    country = countries.get_indexer(src.countries)[src.country]
    share_frames, coverage_frames = [], []
    for stage in RAW_MATERIAL_STAGES:
        at_stage = src.stage == src.stage_code(stage)
        S = sp.csr_matrix(
            (src.share[at_stage], (src.item[at_stage], country[at_stage])),
            shape=(matrix.n, len(countries)),
        )
        has = np.zeros(matrix.n)
        has[src.item[at_stage]] = 1.0
        chain_part = (W @ S).toarray()
        known = W @ has
        world_matrix = _world_matrix(world_shares, stage, material_ids, countries)
        has_world = world_matrix.sum(axis=1) > 0
        unknown_quantity = total - known
        # Summation order leaves residues like 1e-17; they must not pull in world shares.
        unknown_quantity[unknown_quantity <= 1e-12 * total] = 0.0
        blended = chain_part + unknown_quantity[:, None] * world_matrix[key_material]
        with np.errstate(invalid="ignore", divide="ignore"):
            blended = blended / total[:, None]
            known_fraction = known / total
        k, c = np.nonzero(blended > 0)
        share_frames.append(
            pd.DataFrame(
                {
                    "platform": platform_ids[key_platform[k]],
                    "material": material_ids[key_material[k]],
                    "stage": stage,
                    "country": countries.to_numpy()[c],
                    "share": blended[k, c],
                }
            )
        )
        world_used = has_world[key_material]
        coverage_frames.append(
            pd.DataFrame(
                {
                    "platform": platform_ids[key_platform],
                    "material": material_ids[key_material],
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

    node_hhi, single = _node_concentration(matrix)
    single_points = _single_points(matrix, X, shares, single, material_code, material_ids, spof_threshold)
    visibility, branches = _visibility(matrix, X)
    return ExposureResult(
        platforms=platform_ids.tolist(),
        content=content,
        shares=shares,
        coverage=coverage,
        node_hhi=node_hhi,
        single_points=single_points,
        visibility=visibility,
        branches=branches,
        spof_threshold=spof_threshold,
    )


def _world_matrix(
    world: pd.DataFrame, stage: str, material_ids: np.ndarray, countries: pd.Index
) -> FloatArray:
    """Return world shares at one stage as a materials × countries array (zeros where absent)."""
    part = world[world["stage"] == stage]
    rows = pd.Index(material_ids).get_indexer(part["material"])
    keep = rows >= 0
    out = np.zeros((len(material_ids), len(countries)))
    np.add.at(
        out,
        (rows[keep], countries.get_indexer(part["country"])[keep]),
        part["share"].fillna(0).to_numpy()[keep],
    )
    return out


def _node_concentration(matrix: ChainMatrix) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Country HHI of every item and stage, and the (item, stage) supplied by one country.

    One sort by (item, stage, country) and segment reductions; no hashing of strings.
    """
    src = matrix.sourcing
    if len(src.item) == 0:
        empty = np.array([], dtype=object)
        return (
            pd.DataFrame(
                {
                    "item": empty,
                    "stage": empty,
                    "hhi": np.array([], dtype=np.float64),
                    "countries": np.array([], dtype=np.intp),
                    "top_country": empty,
                    "top_share": np.array([], dtype=np.float64),
                }
            ),
            pd.DataFrame(
                {
                    "position": np.array([], dtype=np.intp),
                    "stage": empty,
                    "country": empty,
                    "reason_code": empty,
                    "reason": empty,
                }
            ),
        )
    n_stages = len(src.stages)
    n_countries = max(len(src.countries), 1)
    key = src.item.astype(np.int64) * n_stages + src.stage
    order = np.argsort(key * n_countries + src.country, kind="stable")
    key_sorted = key[order]
    country_sorted = src.country[order]
    pair_start = np.flatnonzero(np.r_[True, (np.diff(key_sorted) != 0) | (np.diff(country_sorted) != 0)])
    pair_share = np.add.reduceat(src.share[order], pair_start)
    pair_key = key_sorted[pair_start]
    key_start = np.flatnonzero(np.r_[True, np.diff(pair_key) != 0])
    keys = pair_key[key_start]
    pair_group = np.repeat(np.arange(len(key_start)), np.diff(np.r_[key_start, len(pair_key)])).astype(
        np.intp
    )
    node_hhi_values = herfindahl(pair_share, pair_group, len(key_start))
    n_country = np.diff(np.r_[key_start, len(pair_key)])
    top_share = np.maximum.reduceat(pair_share, key_start)
    is_top = np.flatnonzero(pair_share == top_share[pair_group])
    top_pair = is_top[np.r_[True, np.diff(pair_group[is_top]) != 0]]
    country_names = np.asarray(src.countries, dtype=object)

    row_start = np.flatnonzero(np.r_[True, np.diff(key_sorted) != 0])
    supplier_sorted = src.supplier[order]
    low = np.minimum.reduceat(supplier_sorted, row_start)
    high = np.maximum.reduceat(supplier_sorted, row_start)
    one_supplier = (low == high) & (low >= 0)

    item = (keys // n_stages).astype(np.intp)
    stage = (keys % n_stages).astype(np.intp)
    stage_names = np.asarray(src.stages, dtype=object)
    node_hhi = pd.DataFrame(
        {
            "item": matrix.index.labels[item],
            "stage": stage_names[stage],
            "hhi": node_hhi_values,
            "countries": n_country,
            # Categorical: a national chain has a million (item, stage) rows and a few countries.
            "top_country": pd.Categorical.from_codes(
                country_sorted[pair_start[top_pair]], categories=pd.Index(country_names, dtype=object)
            ),
            "top_share": top_share,
        }
    )
    single_country = n_country == 1
    single = pd.DataFrame(
        {
            "position": item[single_country],
            "stage": stage_names[stage[single_country]],
            "country": country_names[country_sorted[row_start[single_country]]],
            "reason_code": np.where(one_supplier[single_country], "single_supplier", "single_country"),
        }
    )
    single["reason"] = single["reason_code"].map({code: _(text) for code, text in _REASONS.items()})
    return node_hhi, single


def _single_points(
    matrix: ChainMatrix,
    X: sp.csr_matrix,
    shares: pd.DataFrame,
    single: pd.DataFrame,
    material_code: IntArray,
    material_ids: np.ndarray,
    threshold: float,
) -> pd.DataFrame:
    """Single-source items, and raw materials ≥ threshold from one country, per platform.

    Only the flagged items' rows of the requirement matrix are read, and pairs are expanded
    with ``np.repeat`` rather than joined, so the cost follows the number of weak spots.
    """
    labels = matrix.index.labels
    platform_ids = labels[matrix.platforms]
    single = single.sort_values("position", kind="stable")
    flagged = single["position"].to_numpy(dtype=np.intp)
    positions, first = np.unique(flagged, return_index=True)
    per_position = np.diff(np.r_[first, len(flagged)])
    rows = X[positions]
    platforms_per_position = np.diff(rows.indptr)
    # Every (position, platform) pair times every flagged stage of that position.
    pair_position = np.repeat(np.arange(len(positions)), platforms_per_position)
    pair_platform = rows.indices
    repeat = per_position[pair_position]
    offsets = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    single_row = np.repeat(first[pair_position], repeat) + offsets
    frames = [
        pd.DataFrame(
            {
                "platform": platform_ids[np.repeat(pair_platform, repeat)],
                "item": labels[flagged[single_row]],
                "stage": single["stage"].to_numpy()[single_row],
                "country": single["country"].to_numpy()[single_row],
                "share": 1.0,
                "reason": single["reason"].to_numpy()[single_row],
                "reason_code": single["reason_code"].to_numpy()[single_row],
            }
        )
    ]

    top = shares.loc[shares.groupby(["platform", "material", "stage"])["share"].idxmax()]
    concentrated = top[top["share"] >= threshold - 1e-12]
    if not concentrated.empty:
        wanted_codes = pd.Index(material_ids).get_indexer(concentrated["material"].unique())
        wanted = np.flatnonzero(np.isin(material_code, wanted_codes) & (matrix.kind == "material"))
        sub = X[wanted].tocoo()
        hits = pd.DataFrame(
            {
                "item": labels[wanted[sub.row]],
                "platform": platform_ids[sub.col],
                "material": material_ids[material_code[wanted[sub.row]]],
            }
        )
        points = hits.merge(concentrated, on=["platform", "material"])
        frames.append(
            points.assign(
                reason=_(_REASONS["concentrated_material"]).format(threshold=format_percent(threshold, 0)),
                reason_code="concentrated_material",
            )[["platform", "item", "stage", "country", "share", "reason", "reason_code"]]
        )
    return pd.concat(frames, ignore_index=True)


def _visibility(matrix: ChainMatrix, X: sp.csr_matrix) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deepest known tier and levels per branch, and the share of material quantity with known upstream."""
    src = matrix.sourcing
    own_tier = np.full(matrix.n, -np.inf)
    has_tier = ~np.isnan(src.tier)
    np.maximum.at(own_tier, src.item[has_tier], src.tier[has_tier])
    deepest = reduce_up(matrix, own_tier, "max")
    # Counted down from each item itself: an item deeper in another platform's branch does not
    # make this branch deeper (issue 8).
    below = levels_below(matrix)

    labels = matrix.index.labels
    platform_ids = labels[matrix.platforms]
    down = matrix.down[matrix.platforms].tocoo()
    branches = pd.DataFrame(
        {
            "platform": platform_ids[down.row],
            "branch": labels[down.col],
            "deepest_known_tier": _finite(deepest[down.col]),
            "levels_below": below[down.col],
        }
    )
    sourced = (np.bincount(src.item, minlength=matrix.n) > 0).astype(np.float64)
    is_material = (matrix.kind == "material").astype(np.float64)
    material_total = X.T @ is_material
    material_known = X.T @ (is_material * sourced)
    with np.errstate(invalid="ignore", divide="ignore"):
        known_fraction = material_known / material_total
    visibility = pd.DataFrame(
        {
            "platform": platform_ids,
            "deepest_known_tier": _finite(deepest[matrix.platforms]),
            "levels": below[matrix.platforms] + 1,
            "material_quantity_known_fraction": known_fraction,
        }
    )
    return visibility, branches


def _finite(values: FloatArray) -> FloatArray:
    return np.where(np.isfinite(values), values, np.nan)
