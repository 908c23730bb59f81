"""Procurement evaluation (F18): origin risk of bids, min–max scaled criteria, scores, premium, sweep.

Pure functions over arrays, one entry per bid in file order; the formulas are in
``docs/methodology/procurement.md``.

- **Origin risk** of a bid: per level (product, component, material) the weighted mean
  ``Σ w × r / Σ w`` of the composite country risk ``r`` of its origin rows (an origin table's
  shares sum to 1, so this is ``Σ share × r``); the bid's origin risk is the mean of its levels
  with the level weights, renormalised over the levels the bid has. A level with a positive
  weight on a country without a composite risk has no risk, and then neither has the bid.
- **Scaling**: each criterion min–max over the bids that have it, so that 1 is best (cheapest,
  fastest, lowest risk, most NL/EU content); all bids equal → 1 for all. A missing value stays
  missing and adds 0 to the score (no credit for what is not known).
- **Ranking**: score descending; ties (to 12 decimals) go to the lower price, then to the bid
  listed first.
- **Geopolitical premium** against the cheapest bid ``c`` (the first listed among equally cheap
  ones): ``premium_pct = 100 × (price_b − price_c) / price_c`` for ``risk_reduction = risk_c − risk_b``.
- **Weight sweep** on origin risk: with weight ``t`` on origin risk and the other weights scaled
  to ``1 − t`` in their given proportions, ``score_b(t) = t·R_b + (1 − t)·P_b`` is linear in
  ``t``, so the weights at which ``b`` is first (or tied first) form one interval, solved exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ketenradar._types import BoolArray, FloatArray, IntArray
from ketenradar.errors import ConfigError
from ketenradar.locale import _
from ketenradar.network.build import ChainMatrix
from ketenradar.network.propagate import total_requirements

__all__ = [
    "CRITERIA",
    "DEFAULT_LEVEL_WEIGHTS",
    "DEFAULT_WEIGHTS",
    "HIGHER_IS_BETTER",
    "LEVELS",
    "PART_KINDS",
    "SWEEP_GRID",
    "TIE_DECIMALS",
    "OriginWeightSweep",
    "PartWeighting",
    "chain_level_rows",
    "geopolitical_premium",
    "level_origin_risk",
    "normalise_weights",
    "origin_risk",
    "rank_bids",
    "scale_criteria",
    "score_bids",
    "sweep_origin_weight",
]

CRITERIA = ("price", "delivery_days", "origin_risk", "nl_eu_content")
# Cheaper, faster and lower risk are better; more NL/EU content is better.
HIGHER_IS_BETTER = np.array([False, False, False, True])
DEFAULT_WEIGHTS: dict[str, float] = {
    "price": 0.4,
    "delivery_days": 0.2,
    "origin_risk": 0.3,
    "nl_eu_content": 0.1,
}
LEVELS = ("product", "component", "material")
DEFAULT_LEVEL_WEIGHTS: dict[str, float] = dict.fromkeys(LEVELS, 1.0 / 3.0)
# Item kinds that count as parts of a platform for the component level.
PART_KINDS = ("subsystem", "component", "semi_finished")
# Scores equal to this many decimals are ties (sums of the same terms in another order differ
# in the last bits).
TIE_DECIMALS = 12
# The weights on origin risk at which the sweep lists the ranking (0, 0.05, ..., 1).
SWEEP_GRID = np.round(np.linspace(0.0, 1.0, 21), 10)
PartWeighting = Literal["quantity", "count"]
_EPS = 1e-12


def normalise_weights(weights: Mapping[str, float], names: tuple[str, ...], what: str) -> dict[str, float]:
    """Check weights (known names, finite, ≥ 0, not all zero) and scale them to sum to 1.

    Names not given get weight 0. ``what`` names the option in messages (e.g. ``--weights``).
    """
    unknown = sorted(set(weights) - set(names))
    if unknown:
        raise ConfigError(
            _("{what}: unknown name(s) {names}; expected some of {known}").format(
                what=what, names=", ".join(unknown), known=", ".join(names)
            )
        )
    bad = [name for name, w in weights.items() if not np.isfinite(w) or w < 0]
    if bad:
        raise ConfigError(
            _("{what}: weight(s) must be finite and ≥ 0: {names}").format(what=what, names=", ".join(bad))
        )
    full = {name: float(weights.get(name, 0.0)) for name in names}
    total = math.fsum(full.values())
    if total <= 0:
        raise ConfigError(_("{what}: the weights must not all be zero").format(what=what))
    # Weights that already sum to 1 stay as given (0.4 stays 0.4, not 0.3999999999999999).
    if abs(total - 1.0) <= 1e-12:
        return full
    return {name: w / total for name, w in full.items()}


def level_origin_risk(
    bid: IntArray, level: IntArray, weight: FloatArray, risk: FloatArray, n_bids: int
) -> tuple[FloatArray, BoolArray, BoolArray]:
    """Return per bid and level the origin risk, whether the level is given, and whether a country is unrated.

    One entry per origin row: the bid's position, the level's position in :data:`LEVELS`, the
    row's weight (a share, or a share times a part's weight) and its country's composite risk
    (NaN: no composite). ``risk[b, l] = Σ w·r / Σ w`` over the rows of bid ``b`` and level ``l``;
    NaN where the level has no rows with a positive weight, or where one of them has no risk.
    Shapes: all ``(n_bids, len(LEVELS))``.
    """
    n_levels = len(LEVELS)
    key = np.asarray(bid, dtype=np.intp) * n_levels + np.asarray(level, dtype=np.intp)
    weight = np.asarray(weight, dtype=np.float64)
    risk = np.asarray(risk, dtype=np.float64)
    positive = weight > 0
    size = n_bids * n_levels
    total = np.bincount(key, weights=np.where(positive, weight, 0.0), minlength=size)
    unrated_rows = positive & np.isnan(risk)
    unrated = np.bincount(key, weights=unrated_rows.astype(np.float64), minlength=size) > 0
    weighted = np.bincount(key, weights=np.where(positive, weight * np.nan_to_num(risk), 0.0), minlength=size)
    present = total > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(present & ~unrated, weighted / total, np.nan)
    return (
        value.reshape(n_bids, n_levels),
        present.reshape(n_bids, n_levels),
        unrated.reshape(n_bids, n_levels),
    )


def origin_risk(level_risk: FloatArray, present: BoolArray, level_weights: FloatArray) -> FloatArray:
    """Return each bid's origin risk: the weighted mean of its levels, renormalised over the levels it has.

    ``level_risk`` and ``present`` are ``(n_bids, n_levels)``; ``level_weights`` sums to 1.
    NaN where a level the bid has (with a positive weight) has no risk, or where the bid has no
    level with a positive weight.
    """
    w = np.where(present, np.asarray(level_weights, dtype=np.float64)[None, :], 0.0)
    total = w.sum(axis=1)
    used = w > 0
    unknown = (used & np.isnan(level_risk)).any(axis=1)
    weighted = (w * np.nan_to_num(level_risk)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = np.where((total > 0) & ~unknown, weighted / total, np.nan)
    return result


def scale_criteria(values: FloatArray, higher_is_better: BoolArray) -> FloatArray:
    """Scale each column min–max to 0..1 across the rows, 1 = best; NaN stays NaN.

    ``values`` is ``(n_bids, n_criteria)``. Lower-is-better: ``(max − x) / (max − min)``;
    higher-is-better: ``(x − min) / (max − min)``, with min and max over the rows that have a
    value. Where all those rows are equal (or only one has a value), each gets 1: the criterion
    separates no bid.
    """
    values = np.asarray(values, dtype=np.float64)
    has = ~np.isnan(values)
    low = np.nanmin(np.where(has, values, np.inf), axis=0)
    high = np.nanmax(np.where(has, values, -np.inf), axis=0)
    span = high - low
    flat = ~(span > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        up = (values - low) / span
        down = (high - values) / span
    scaled = np.where(np.asarray(higher_is_better)[None, :], up, down)
    scaled = np.where(flat[None, :], 1.0, scaled)
    result: FloatArray = np.where(has, scaled, np.nan)
    return result


def score_bids(scaled: FloatArray, weights: FloatArray) -> FloatArray:
    """Return ``Σ_k w_k × scaled_k`` per bid; a missing scaled value adds 0."""
    score: FloatArray = np.nan_to_num(np.asarray(scaled, dtype=np.float64)) @ np.asarray(
        weights, dtype=np.float64
    )
    return score


def _order_keys(scores: FloatArray, price: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
    """Return the sort keys of the ranking along the last axis: position, price, −score (lexsort order)."""
    position = np.broadcast_to(np.arange(scores.shape[-1]), scores.shape)
    price_key = np.broadcast_to(np.nan_to_num(price, nan=np.inf), scores.shape)
    return np.asarray(position), np.asarray(price_key), -np.round(scores, TIE_DECIMALS)


def rank_bids(scores: FloatArray, price: FloatArray) -> IntArray:
    """Return each bid's rank (1 = best): score descending, then lower price, then listed first."""
    scores = np.asarray(scores, dtype=np.float64)
    order = np.lexsort(_order_keys(scores, np.asarray(price, dtype=np.float64)))
    ranks = np.empty(len(scores), dtype=np.intp)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


def geopolitical_premium(price: FloatArray, risk: FloatArray) -> tuple[int, FloatArray, FloatArray]:
    """Return the cheapest bid ``c`` and per bid ``premium_pct`` and ``risk_reduction`` against it.

    ``premium_pct = 100 × (price_b − price_c) / price_c``, ``risk_reduction = risk_c − risk_b``
    (NaN where either risk is missing). Among equally cheap bids the first listed is ``c``.
    """
    price = np.asarray(price, dtype=np.float64)
    risk = np.asarray(risk, dtype=np.float64)
    cheapest = int(np.argmin(price))
    premium: FloatArray = 100.0 * (price - price[cheapest]) / price[cheapest]
    reduction: FloatArray = risk[cheapest] - risk
    return cheapest, premium, reduction


@dataclass(frozen=True, slots=True)
class OriginWeightSweep:
    """The ranking as the weight on origin risk runs from 0 to 1, the others keeping their proportions.

    ``win_from[b]``..``win_to[b]`` is the closed interval of origin-risk weights at which bid
    ``b``'s score is the highest (ties included; NaN where there is none); ``weight_to_win[b]``
    is the point of it nearest to the current weight. ``grid`` are the weights listed,
    ``grid_scores`` ``(len(grid), n_bids)`` the scores there and ``grid_ranks`` the ranks (the
    same tie rule as :func:`rank_bids`). ``flips`` are the weights in (0, 1) where the first
    place changes hands. ``others`` are the other criteria's proportions (sum 1).
    """

    current: float
    others: dict[str, float]
    win_from: FloatArray
    win_to: FloatArray
    weight_to_win: FloatArray
    grid: FloatArray
    grid_scores: FloatArray
    grid_ranks: IntArray
    flips: FloatArray


def sweep_origin_weight(
    scaled: FloatArray,
    weights: Mapping[str, float],
    price: FloatArray,
    grid: FloatArray = SWEEP_GRID,
) -> OriginWeightSweep | None:
    """Sweep the weight on origin risk from 0 to 1; None if the other criteria all have weight 0.

    ``scaled`` is ``(n_bids, len(CRITERIA))`` from :func:`scale_criteria`, ``weights`` the
    normalised weights. With ``R_b`` the scaled origin risk (0 where missing) and
    ``P_b = Σ_{k≠origin} q_k·scaled_kb`` with ``q_k = w_k / Σ_{j≠origin} w_j``,
    ``score_b(t) = t·R_b + (1 − t)·P_b``. Bid ``b`` is first at ``t`` iff for every other bid
    ``j``: ``(P_b − P_j) + t·[(R_b − P_b) − (R_j − P_j)] ≥ 0``, an interval in ``t`` per pair;
    their intersection with [0, 1] is ``b``'s interval. Vectorised over bid pairs and the grid.
    """
    at = CRITERIA.index("origin_risk")
    others = [k for k in CRITERIA if k != "origin_risk"]
    other_total = sum(weights[k] for k in others)
    if other_total <= _EPS:
        return None
    proportions = {k: weights[k] / other_total for k in others}
    values = np.nan_to_num(np.asarray(scaled, dtype=np.float64))
    R = values[:, at]
    P = values[:, [CRITERIA.index(k) for k in others]] @ np.array([proportions[k] for k in others])
    slope = R - P
    a = P[:, None] - P[None, :]  # (b, j)
    c = slope[:, None] - slope[None, :]
    n = len(R)
    off_diagonal = ~np.eye(n, dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        bound = -a / c
    rising = off_diagonal & (c > _EPS)
    falling = off_diagonal & (c < -_EPS)
    flat = off_diagonal & ~rising & ~falling
    lower = np.max(np.where(rising, bound, 0.0), axis=1, initial=0.0)
    upper = np.min(np.where(falling, bound, 1.0), axis=1, initial=1.0)
    never = (flat & (a < -_EPS)).any(axis=1) | (lower > upper + _EPS)
    win_from = np.where(never, np.nan, np.clip(lower, 0.0, 1.0))
    win_to = np.where(never, np.nan, np.clip(upper, 0.0, 1.0))
    current = float(weights["origin_risk"])
    weight_to_win = np.where(never, np.nan, np.clip(current, win_from, win_to))
    grid = np.asarray(grid, dtype=np.float64)
    grid_scores = grid[:, None] * R[None, :] + (1.0 - grid)[:, None] * P[None, :]
    price = np.asarray(price, dtype=np.float64)
    order = np.lexsort(_order_keys(grid_scores, price), axis=-1)
    grid_ranks = np.empty_like(order)
    np.put_along_axis(grid_ranks, order, np.arange(1, n + 1)[None, :].repeat(len(grid), axis=0), axis=-1)
    edges = np.concatenate([win_from[~never], win_to[~never]])
    flips = np.unique(np.round(edges[(edges > _EPS) & (edges < 1.0 - _EPS)], TIE_DECIMALS))
    return OriginWeightSweep(
        current=current,
        others=proportions,
        win_from=win_from,
        win_to=win_to,
        weight_to_win=weight_to_win,
        grid=grid,
        grid_scores=grid_scores,
        grid_ranks=grid_ranks.astype(np.intp),
        flips=flips,
    )


def chain_level_rows(
    matrix: ChainMatrix,
    platform: int,
    material_shares: pd.DataFrame,
    material_pairs: int,
    part_weighting: PartWeighting = "quantity",
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Return a platform's origin rows (level, country, weight) from its chain, and each level's coverage.

    - product: the platform's own manufacturing sourcing, weight = share;
    - component: the manufacturing sourcing of every part below the platform (items of
      :data:`PART_KINDS` it requires), weight = part weight × share, where the part weight is
      its total requirement per platform (``quantity``, in the BOM's units) or 1 (``count``);
    - material: the exposure's country shares per material and stage (``material_shares``:
      material, stage, country, share, for this platform), each (material, stage) counting
      equally: weight = share / Σ shares of that material and stage (no mass weighting, the
      BOM's units differ between materials).

    Coverage per level: the part of the level that has sourcing (product: 1 or 0; component:
    the parts' weight with manufacturing sourcing / all parts' weight; material: the (material,
    stage) pairs with shares / ``material_pairs``, all pairs of the platform's exposure).
    """
    src = matrix.sourcing
    X = total_requirements(matrix, np.array([platform], dtype=np.intp)).toarray().ravel()
    manufacturing = src.stage == src.stage_code("manufacturing")
    countries = np.asarray(src.countries, dtype=object)
    own = manufacturing & (src.item == platform)
    is_part = np.isin(matrix.kind, PART_KINDS) & (X > 0)
    is_part[platform] = False
    part_weight = np.where(is_part, X if part_weighting == "quantity" else 1.0, 0.0)
    part_rows = manufacturing & is_part[np.maximum(src.item, 0)] & (src.item >= 0)
    sourced_parts = np.zeros(matrix.n, dtype=bool)
    sourced_parts[src.item[part_rows]] = True
    frames = [
        pd.DataFrame({"level": "product", "country": countries[src.country[own]], "weight": src.share[own]}),
        pd.DataFrame(
            {
                "level": "component",
                "country": countries[src.country[part_rows]],
                "weight": part_weight[src.item[part_rows]] * src.share[part_rows],
            }
        ),
    ]
    shares = material_shares[material_shares["share"] > 0]
    pair_total = shares.groupby(["material", "stage"])["share"].transform("sum")
    frames.append(
        pd.DataFrame(
            {
                "level": "material",
                "country": shares["country"].to_numpy(dtype=object),
                "weight": (shares["share"] / pair_total).to_numpy(dtype=np.float64),
            }
        )
    )
    rows = pd.concat(frames, ignore_index=True)
    rows = rows.groupby(["level", "country"], sort=True, as_index=False)["weight"].sum()
    all_parts = float(part_weight.sum())
    pairs_with = len(shares[["material", "stage"]].drop_duplicates())
    coverage = {
        "product": 1.0 if own.any() else 0.0,
        "component": float(part_weight[sourced_parts].sum() / all_parts) if all_parts > 0 else 0.0,
        "material": pairs_with / material_pairs if material_pairs > 0 else 0.0,
    }
    return rows, coverage
