"""Supply risk and economic importance over whole frames of materials and stages.

Frame-level wrapper around :mod:`ketenradar.risk.criticality`: it indexes the inputs, calls the
vectorised kernels once, and says for every value that could not be computed which input was
missing. No file, database or global setting is touched here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ketenradar.locale import N_, _
from ketenradar.model.vocabulary import label
from ketenradar.risk.criticality import (
    Q_MAX_2023_MEUR,
    economic_importance,
    governance_weighted_hhi,
    group_mean,
    scale_wgi,
    stage_supply_risk,
)

__all__ = [
    "DEFAULT_WGI_YEARS",
    "WGI_FIRST_YEAR",
    "WGI_LAST_YEAR",
    "CriticalityResult",
    "assess_economic_importance",
    "assess_supply_risk",
    "group_supply_risk",
    "material_reasons",
    "scaled_wgi_for_years",
]

# The 5-year mean 2016-2020 reproduces the EC's published 2023 stage SRs best among the WGI
# vintages tried (docs/methodology/supply-risk.md records the comparison).
DEFAULT_WGI_YEARS: tuple[int, ...] = (2016, 2017, 2018, 2019, 2020)
# The years of the shipped WGI series.
WGI_FIRST_YEAR, WGI_LAST_YEAR = 1996, 2023

_NEEDS = {
    "gs+eu": ("hhi_gs", "hhi_eu", "import_reliance", "eol_rir", "si_sr"),
    "gs": ("hhi_gs", "eol_rir", "si_sr"),
    "eu": ("hhi_eu", "eol_rir", "si_sr"),
}
_LABEL = {
    "hhi_gs": N_("global-supply concentration (HHI_GS)"),
    "hhi_eu": N_("EU-sourcing concentration (HHI_EU)"),
    "import_reliance": N_("import reliance"),
    "eol_rir": N_("end-of-life recycling input rate"),
    "si_sr": N_("substitution index SI_SR"),
}
_ABSENT = {
    "hhi_gs": N_("no global-supply country shares for this stage"),
    "hhi_eu": N_("no EU-sourcing country shares for this stage"),
}


@dataclass(frozen=True, slots=True)
class CriticalityResult:
    """Supply risk per material stage and per material, with reasons where it is unavailable."""

    stages: pd.DataFrame
    materials: pd.DataFrame
    parameters: dict[str, object] = field(default_factory=dict)


def scaled_wgi_for_years(wgi_long: pd.DataFrame, years: Sequence[int]) -> pd.Series:
    """Return the EC-scaled WGI (0..10) per ISO3 from the mean of six dimensions over ``years``.

    ``wgi_long`` is indexed by (iso3, year) with one column per WGI dimension. A country needs
    all six dimensions in a year for that year to count; it needs every requested year.
    """
    selected = wgi_long[wgi_long.index.get_level_values("year").isin(list(years))]
    yearly = selected.mean(axis=1, skipna=False)
    per_country = yearly.groupby(level="iso3").agg(["mean", "count"])
    complete = per_country["count"] == len(set(years))
    per_country.loc[~complete, "mean"] = np.nan
    return pd.Series(scale_wgi(per_country["mean"].to_numpy()), index=per_country.index, name="wgi")


def _hhi_from_shares(shares: pd.DataFrame, wgi_scaled: pd.Series) -> pd.DataFrame:
    grouped = shares.groupby(["material", "stage", "scope"], sort=False, dropna=False)
    codes = grouped.ngroup().to_numpy()
    uniques = pd.MultiIndex.from_frame(grouped.size().reset_index()[["material", "stage", "scope"]])
    wgi = shares["country"].map(wgi_scaled).to_numpy(dtype=np.float64)
    values = governance_weighted_hhi(
        shares["share"].to_numpy(dtype=np.float64),
        wgi,
        shares["trade_factor"].to_numpy(dtype=np.float64),
        codes,
        len(uniques),
    )
    no_wgi = shares.loc[np.isnan(wgi) & (shares["share"].fillna(0) > 0)]
    missing = no_wgi.groupby(["material", "stage", "scope"])["country"].agg(
        lambda c: ", ".join(sorted(set(c)))
    )
    frame = pd.DataFrame({"hhi": values}, index=uniques)
    frame.index.names = ["material", "stage", "scope"]
    frame["no_wgi"] = missing.reindex(frame.index).fillna("")
    wide = frame.unstack("scope")
    out = pd.DataFrame(index=wide.index)
    for scope in ("gs", "eu"):
        out[f"hhi_{scope}"] = wide["hhi"][scope] if ("hhi", scope) in wide else np.nan
        out[f"no_wgi_{scope}"] = wide["no_wgi"][scope] if ("no_wgi", scope) in wide else ""
    return out.reset_index()


def _reasons(stages: pd.DataFrame) -> list[str]:
    reasons = []
    for row in stages.itertuples(index=False):
        needed = _NEEDS.get(row.supply_data_used)
        if needed is None:
            reasons.append(
                _("supply data variant {variant!r} is not gs+eu, gs or eu").format(
                    variant=row.supply_data_used
                )
            )
            continue
        missing = [name for name in needed if pd.isna(getattr(row, name))]
        text = []
        for name in missing:
            no_wgi = getattr(row, f"no_wgi_{name[-2:]}", "") if name.startswith("hhi") else ""
            if no_wgi:
                text.append(
                    _("{input}: no WGI for {countries}").format(input=_(_LABEL[name]), countries=no_wgi)
                )
            elif name in _ABSENT:
                text.append(_(_ABSENT[name]))
            else:
                text.append(_("{input} missing").format(input=_(_LABEL[name])))
        reasons.append("; ".join(text))
    return reasons


def material_reasons(stages: pd.DataFrame, materials: pd.Index) -> pd.Series:
    """Return per material its stages' reasons, each after the stage's name (empty where none)."""
    with_reason = stages[stages["reason"] != ""]
    joined = (
        (with_reason["stage"].map(lambda stage: label("stage", stage)) + ": " + with_reason["reason"])
        .groupby(with_reason["material"])
        .agg("; ".join)
    )
    return joined.reindex(materials).fillna("")


def assess_supply_risk(
    parameters: pd.DataFrame,
    shares: pd.DataFrame | None = None,
    wgi_scaled: pd.Series | None = None,
) -> CriticalityResult:
    """Compute SR per material stage and per material (maximum over stages).

    Parameters
    ----------
    parameters : one row per (material, stage): ``supply_data_used`` (gs+eu, gs, eu),
        ``import_reliance``, ``eol_rir``, ``si_sr`` (fractions), and either ``hhi_gs`` and
        ``hhi_eu`` (intermediates) or nothing more when ``shares`` is given.
    shares : one row per (material, stage, scope, country): ``share`` (fraction),
        ``trade_factor``; scope ``gs`` (global supply) or ``eu`` (EU sourcing).
    wgi_scaled : EC-scaled WGI (0..10) per ISO3, needed with ``shares``.
    """
    stages = parameters.copy()
    for column in ("hhi_gs", "hhi_eu"):
        if column not in stages:
            stages[column] = np.nan
    if shares is not None:
        if wgi_scaled is None:
            raise ValueError("country shares need wgi_scaled to weight the concentration")
        computed = _hhi_from_shares(shares, wgi_scaled)
        stages = stages.drop(columns=["hhi_gs", "hhi_eu"]).merge(
            computed, on=["material", "stage"], how="left"
        )
    for column in ("no_wgi_gs", "no_wgi_eu"):
        stages[column] = stages[column].fillna("") if column in stages else ""
    stages["supply_risk"] = stage_supply_risk(
        stages["hhi_gs"],
        stages["hhi_eu"],
        stages["import_reliance"],
        stages["eol_rir"],
        stages["si_sr"],
        stages["supply_data_used"],
    )
    stages["reason"] = ""
    unknown = stages["supply_risk"].isna()
    stages.loc[unknown, "reason"] = _reasons(stages.loc[unknown])
    stages = stages.drop(columns=["no_wgi_gs", "no_wgi_eu"])

    material = stages["material"]
    any_missing = stages["supply_risk"].isna().groupby(material, sort=False).any()
    best = stages.loc[stages["supply_risk"].fillna(-np.inf).groupby(material, sort=False).idxmax()]
    best = best.set_index("material")
    materials = best[["supply_risk"]].assign(bottleneck_stage=best["stage"])
    unknown_material = any_missing.reindex(materials.index).to_numpy()
    materials.loc[unknown_material, ["supply_risk", "bottleneck_stage"]] = np.nan
    materials["reason"] = material_reasons(stages, materials.index)
    materials.index.name = "material"
    return CriticalityResult(stages=stages, materials=materials)


def group_supply_risk(result: CriticalityResult, groups: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """Return SR of material groups as the mean of their members' SR (spec §4.9).

    A group whose members are not all computed gets NaN and names the missing members.
    """
    rows: list[tuple[str, str]] = []
    for group_id, members in groups.items():
        rows.extend((group_id, member) for member in members)
    pairs = pd.DataFrame(rows, columns=["group", "member"])
    member_sr = result.materials["supply_risk"].reindex(pairs["member"]).to_numpy()
    codes, uniques = pd.factorize(pairs["group"])
    mean = group_mean(member_sr, codes, len(uniques))
    missing = pairs.loc[np.isnan(member_sr)].groupby("group")["member"].agg(", ".join)
    out = pd.DataFrame({"supply_risk": mean}, index=pd.Index(uniques, name="material"))
    template = _("SR not computable for member(s) {members}")
    out["reason"] = (
        missing.map(lambda members: template.format(members=members)).reindex(out.index).fillna("")
    )
    return out


def assess_economic_importance(
    use_shares: pd.DataFrame, si_ei: pd.Series, q_max: float = Q_MAX_2023_MEUR
) -> pd.DataFrame:
    """Compute EI per material from end-use shares, sector value added and SI_EI (spec §5)."""
    codes, uniques = pd.factorize(use_shares["material"])
    si = si_ei.reindex(uniques).to_numpy(dtype=np.float64)
    values = economic_importance(
        use_shares["share"].to_numpy(dtype=np.float64),
        use_shares["value_added_meur"].to_numpy(dtype=np.float64),
        codes,
        len(uniques),
        si,
        q_max,
    )
    out = pd.DataFrame({"economic_importance": values}, index=pd.Index(uniques, name="material"))
    out["reason"] = np.where(np.isnan(si), _("substitution index SI_EI missing"), "")
    return out
