"""The European Commission's criticality method: supply risk (SR) and economic importance (EI).

Implements ``specs/ec-criticality-method.md`` (EC 2017 guidelines as applied in 2017, 2020 and
2023). Every function is pure and vectorised: one call evaluates all materials and stages.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ketenradar._types import FloatArray, IntArray
from ketenradar.risk.concentration import hhi

__all__ = [
    "EI_THRESHOLD",
    "SR_THRESHOLD",
    "economic_importance",
    "governance_weighted_hhi",
    "group_mean",
    "is_critical",
    "round_half_up",
    "scale_wgi",
    "stage_supply_risk",
]

SR_THRESHOLD = 1.0
EI_THRESHOLD = 2.8
# Value added of the largest 2-digit manufacturing sector in the EC 2023 study
# (C28 machinery and equipment n.e.c.), million EUR; spec §5.
Q_MAX_2023_MEUR = 204_200.0


def scale_wgi(mean_estimate: ArrayLike) -> FloatArray:
    """Scale the mean of the six WGI estimates (-2.5..2.5) to the EC's 0..10, higher = worse.

    ``WGI_c = 5 - 2 · mean6_c``, clipped to [0, 10] (spec §4.3).
    """
    mean = np.asarray(mean_estimate, dtype=np.float64)
    return np.clip(5.0 - 2.0 * mean, 0.0, 10.0)


def governance_weighted_hhi(
    share: FloatArray,
    wgi_scaled: FloatArray,
    trade_factor: FloatArray,
    group: IntArray,
    n_groups: int,
) -> FloatArray:
    """Return ``HHI_WGI,t = Σ_c s_c² · WGI_c · t_c`` per group (spec §4.2).

    Shares are fractions, so the index lies on about 0..10. A NaN WGI or trade factor makes
    its group NaN: the index is then not known, rather than understated.
    """
    weight = wgi_scaled * trade_factor
    present = ~np.isnan(share) & (share > 0)
    unknown = np.bincount(group, weights=(present & np.isnan(weight)), minlength=n_groups) > 0
    result = hhi(share, group, n_groups, np.where(present, np.nan_to_num(weight), 0.0))
    result[unknown] = np.nan
    return result


def stage_supply_risk(
    hhi_gs: ArrayLike,
    hhi_eu: ArrayLike,
    import_reliance: ArrayLike,
    eol_rir: ArrayLike,
    si_sr: ArrayLike,
    variant: ArrayLike,
) -> FloatArray:
    """Return the supply risk of each material stage (spec §4.6).

    ``gs+eu``: ``[HHI_GS·IR/2 + HHI_EU·(1 − IR/2)] · (1 − EOL_RIR) · SI_SR``;
    ``gs``: ``HHI_GS · (1 − EOL_RIR) · SI_SR``; ``eu``: ``HHI_EU · (1 − EOL_RIR) · SI_SR``.
    Negative import reliance counts as 0. A needed input that is NaN gives NaN; an unknown
    variant gives NaN.
    """
    gs = np.asarray(hhi_gs, dtype=np.float64)
    eu = np.asarray(hhi_eu, dtype=np.float64)
    reliance = np.clip(np.asarray(import_reliance, dtype=np.float64), 0.0, 1.0)
    kind = np.asarray(variant, dtype=object)
    blended = gs * reliance / 2.0 + eu * (1.0 - reliance / 2.0)
    concentration = np.select(
        [kind == "gs+eu", kind == "gs", kind == "eu"], [blended, gs, eu], default=np.nan
    )
    recycling = 1.0 - np.asarray(eol_rir, dtype=np.float64)
    return np.asarray(concentration * recycling * np.asarray(si_sr, dtype=np.float64))


def economic_importance(
    use_share: FloatArray,
    value_added: FloatArray,
    group: IntArray,
    n_groups: int,
    si_ei: FloatArray,
    q_max: float = Q_MAX_2023_MEUR,
) -> FloatArray:
    """Return EI per material: ``Σ_s A_s · Q_s / Q_max · 10 · SI_EI`` (spec §5).

    ``use_share`` and ``value_added`` are per end use (rows), ``group`` maps each row to its
    material, ``si_ei`` is per material. Unallocated uses contribute zero.
    """
    weighted = np.bincount(
        group, weights=np.nan_to_num(use_share) * np.nan_to_num(value_added), minlength=n_groups
    )
    return np.asarray(weighted / q_max * 10.0 * si_ei)


def group_mean(values: FloatArray, group: IntArray, n_groups: int) -> FloatArray:
    """Return the arithmetic mean per group; NaN if any member is NaN (spec §4.9)."""
    total = np.bincount(group, weights=np.nan_to_num(values), minlength=n_groups)
    count = np.bincount(group, minlength=n_groups)
    unknown = np.bincount(group, weights=np.isnan(values), minlength=n_groups) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    mean[unknown | (count == 0)] = np.nan
    return mean


def round_half_up(values: ArrayLike, decimals: int = 1) -> FloatArray:
    """Round as the EC publishes (half away from zero), not banker's rounding."""
    x = np.asarray(values, dtype=np.float64)
    factor = 10.0**decimals
    # The small offset absorbs binary representation error (2.45 stored as 2.4499999...).
    return np.sign(x) * np.floor(np.abs(x) * factor + 0.5 + 1e-9) / factor


def is_critical(supply_risk: ArrayLike, economic_importance: ArrayLike) -> FloatArray:
    """Return 1.0 where a material is critical (EI ≥ 2.8 and SR ≥ 1.0 after rounding), else 0.0.

    NaN where either score is missing.
    """
    sr = round_half_up(supply_risk)
    ei = round_half_up(economic_importance)
    critical = ((sr >= SR_THRESHOLD) & (ei >= EI_THRESHOLD)).astype(np.float64)
    critical[np.isnan(sr) | np.isnan(ei)] = np.nan
    return critical
