"""Exposure of each platform to countries, per material and stage, and the chain's weak spots.

For material ``m`` at stage ``s`` the platform's country shares are the quantity-weighted
average of the sourcing at every place ``m`` enters its chain; the quantity the chain gives no
sourcing for takes the reference data's world shares (``basis`` and ``known_fraction`` say
how much came from where). All of it is sparse algebra over the total-requirement matrix and
integer codes; strings appear only in the (small) results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ketenradar._types import BoolArray, FloatArray, IntArray
from ketenradar.model.chain import Chain
from ketenradar.model.defaults import SPOF_SHARE_THRESHOLD
from ketenradar.model.index import StringArray, take_strings
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import levels_below, reduce_up, total_requirements
from ketenradar.network.weak_spots import Concentrated, WeakSpots

__all__ = ["SPOF_SHARE_THRESHOLD", "ExposureResult", "compute_exposure"]


@dataclass(frozen=True, slots=True)
class ExposureResult:
    """Per platform: material content, country shares per material and stage, weak spots.

    ``node_hhi`` is the concentration of every item's own sourcing per stage: item, stage,
    hhi (Σ country share²), countries (how many), top_country and top_share.

    ``node_hhi`` and ``single_points`` have a row per item (and platform): millions for a
    national chain. They are computed as integer codes and made into frames of text when
    first asked for (an edge that prints them); :meth:`single_point_ids` gives the contract's
    lists straight from the codes. Their ids are text; their columns of a few names (stage,
    country, top_country, reason, reason_code) are categorical, with the names that occur as
    categories, sorted as text (``top_country``: all the chain's countries). The other tables
    are text.
    """

    platforms: list[str]
    content: pd.DataFrame
    shares: pd.DataFrame
    coverage: pd.DataFrame
    visibility: pd.DataFrame
    branches: pd.DataFrame
    spof_threshold: float
    weak_spots: WeakSpots = field(repr=False, compare=False)

    @property
    def node_hhi(self) -> pd.DataFrame:
        """Return the concentration of every item's own sourcing per stage (built once, on first use)."""
        return self.weak_spots.node_hhi()

    @property
    def single_points(self) -> pd.DataFrame:
        """Return every platform's single points with stage, country, share and reason (built once)."""
        return self.weak_spots.single_points()

    def single_point_ids(self) -> tuple[list[str], list[Any]]:
        """Return the platforms with single points and, per platform, its item ids: sorted, each once.

        The ids come as Arrow string arrays, sorted as Python sorts text, without building the
        per-row table.
        """
        return self.weak_spots.single_point_ids()


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
    platform_ids = matrix.index.take(platforms)
    # Rows in level order (``X_level[matrix.rank[i]]`` is item i): only some rows are read,
    # so X is never put back into item order as a whole.
    X_level = total_requirements(matrix, platforms, level_order=True)

    is_material = matrix.kind == "material"
    material_code, material_ids = matrix.material_code, matrix.material_ids
    n_materials = len(material_ids)
    material_rows = np.flatnonzero(is_material)
    # The material rows of X in item order, entry by entry: item, platform, quantity.
    X_material = X_level[matrix.rank[material_rows]]
    item_pos = np.repeat(material_rows, np.diff(X_material.indptr))
    material_platform = X_material.indices
    pair = material_platform.astype(np.int64) * n_materials + material_code[item_pos]
    unique_pairs, key_codes = _unique_small(pair, len(platforms) * n_materials)
    key_platform = (unique_pairs // n_materials).astype(np.intp)
    key_material = (unique_pairs % n_materials).astype(np.intp)
    W = sp.csr_matrix((X_material.data, (key_codes, item_pos)), shape=(len(unique_pairs), matrix.n))
    total = np.asarray(W.sum(axis=1)).ravel()
    content = pd.DataFrame(
        {
            "platform": take_strings(platform_ids, key_platform),
            "material": take_strings(material_ids, key_material),
            "quantity": total,
        }
    )

    countries = pd.Index(sorted(set(src.countries) | set(world_shares["country"])), dtype=object)
    country = countries.get_indexer(src.countries)[src.country]
    # Both stages in one product each, so W is read twice rather than four times; each
    # stage's block of S and column of ``has`` is summed exactly as on its own.
    n_countries = len(countries)
    S_blocks, has = [], np.zeros((matrix.n, len(RAW_MATERIAL_STAGES)))
    for column, stage in enumerate(RAW_MATERIAL_STAGES):
        at_stage = src.stage == src.stage_code(stage)
        S_blocks.append(
            sp.csr_matrix(
                (src.share[at_stage], (src.item[at_stage], country[at_stage])), shape=(matrix.n, n_countries)
            )
        )
        has[src.item[at_stage], column] = 1.0
    chain_parts = (W @ sp.hstack(S_blocks, format="csr")).toarray()
    knowns = W @ has
    share_frames, coverage_frames, tops = [], [], []
    for column, stage in enumerate(RAW_MATERIAL_STAGES):
        chain_part = chain_parts[:, column * n_countries : (column + 1) * n_countries]
        known = np.ascontiguousarray(knowns[:, column])
        world_matrix = _world_matrix(world_shares, stage, material_ids, countries)
        has_world = world_matrix.sum(axis=1) > 0
        unknown_quantity = total - known
        # Summation order leaves residues like 1e-17; they must not pull in world shares.
        unknown_quantity[unknown_quantity <= 1e-12 * total] = 0.0
        blended = chain_part + unknown_quantity[:, None] * world_matrix[key_material]
        with np.errstate(invalid="ignore", divide="ignore"):
            blended = blended / total[:, None]
            known_fraction = known / total
        positive = blended > 0
        k, c = np.nonzero(positive)
        share_frames.append(
            pd.DataFrame(
                {
                    "platform": take_strings(platform_ids, key_platform[k]),
                    "material": take_strings(material_ids, key_material[k]),
                    "stage": stage,
                    "country": take_strings(countries, c),
                    "share": blended[k, c],
                }
            )
        )
        tops.append(_top_share(blended, positive))
        world_used = has_world[key_material]
        coverage_frames.append(
            pd.DataFrame(
                {
                    "platform": take_strings(platform_ids, key_platform),
                    "material": take_strings(material_ids, key_material),
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

    top_country, top_share, has_top = (np.stack(part, axis=1) for part in zip(*tops, strict=True))
    concentrated = Concentrated(
        pairs=unique_pairs,
        n_materials=n_materials,
        flagged=has_top & (top_share >= spof_threshold - 1e-12),
        country=top_country,
        share=top_share,
        countries=countries,
    )
    weak_spots = WeakSpots(matrix, X_level, platform_ids, concentrated, spof_threshold)
    weak_spots.compute()
    # Material quantity per platform, and the part with sourcing: sums over the material rows
    # in item order, as X.T @ (0/1 weights) adds them (the zeros add nothing).
    sourced = np.bincount(src.item, minlength=matrix.n) > 0
    material_total = np.asarray(
        np.bincount(material_platform, weights=X_material.data, minlength=len(platforms)), dtype=np.float64
    )
    material_known = np.asarray(
        np.bincount(material_platform, weights=X_material.data * sourced[item_pos], minlength=len(platforms)),
        dtype=np.float64,
    )
    visibility, branches = _visibility(matrix, material_total, material_known, platform_ids)
    return ExposureResult(
        platforms=[str(p) for p in np.asarray(platform_ids, dtype=object)],
        content=content,
        shares=shares,
        coverage=coverage,
        visibility=visibility,
        branches=branches,
        spof_threshold=spof_threshold,
        weak_spots=weak_spots,
    )


def _unique_small(values: IntArray, bound: int) -> tuple[IntArray, IntArray]:
    """``np.unique(values, return_inverse=True)`` for values in ``0 … bound − 1``, by counting.

    Platforms × materials is small beside the requirement entries, so a table of that size
    replaces the sort.
    """
    if bound > 4 * len(values) + 1024:
        uniques, inverse = np.unique(values, return_inverse=True)
        return uniques, inverse.astype(np.intp)
    present = np.bincount(values, minlength=bound) > 0
    slot = np.cumsum(present) - 1
    return np.flatnonzero(present), slot[values].astype(np.intp)


def _top_share(blended: FloatArray, positive: BoolArray) -> tuple[IntArray, FloatArray, BoolArray]:
    """Per row: the first country with the largest share, that share, and whether the row has any."""
    # Rows without a positive share get no top (as they get no rows in ``shares``).
    rows = len(blended)
    if blended.shape[1] == 0:
        return np.zeros(rows, dtype=np.intp), np.zeros(rows), np.zeros(rows, dtype=bool)
    top: IntArray = np.argmax(np.where(positive, blended, -np.inf), axis=1)
    any_positive: BoolArray = np.any(positive, axis=1)
    return top, blended[np.arange(rows), top], any_positive


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


def _visibility(
    matrix: ChainMatrix, material_total: FloatArray, material_known: FloatArray, platform_ids: StringArray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deepest known tier and levels per branch, and the share of material quantity with known upstream."""
    src = matrix.sourcing
    own_tier = np.full(matrix.n, -np.inf)
    has_tier = ~np.isnan(src.tier)
    np.maximum.at(own_tier, src.item[has_tier], src.tier[has_tier])
    deepest = reduce_up(matrix, own_tier, "max")
    # Counted down from each item itself: an item deeper in another platform's branch does not
    # make this branch deeper (issue 8).
    below = levels_below(matrix)

    down = matrix.down[matrix.platforms].tocoo()
    branches = pd.DataFrame(
        {
            "platform": take_strings(platform_ids, down.row),
            "branch": matrix.index.take(down.col),
            "deepest_known_tier": _finite(deepest[down.col]),
            "levels_below": below[down.col],
        }
    )
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
