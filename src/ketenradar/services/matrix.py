"""The risk-impact matrices of a survey (F7): usage share against supply risk per material.

:func:`risk_impact_points` places each material by the share of respondents using it (from the
published, disclosure-controlled tables of :mod:`ketenradar.services.survey`) and its EC 2023
supply risk; :func:`usage_weighted_exposure` weights the EC's country shares by that usage.
:func:`risk_impact_matrix` builds both into a :class:`RiskImpactMatrix`, whose ``to_json()`` is
the ``matrix --format json`` contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ketenradar.locale import _
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.survey import Survey
from ketenradar.model.vocabulary import label
from ketenradar.refdata.provenance import Provenance
from ketenradar.services.jsonable import json_records, json_value
from ketenradar.services.materials import MaterialOverview, build_material_overview, supply_shares
from ketenradar.services.provenance import ResultProvenance, provenance
from ketenradar.services.survey import (
    TOTAL,
    OpenedSurvey,
    SurveySummary,
    respondents_by_domain,
    summarise_survey,
)
from ketenradar.services.synth import SYNTHETIC_NOTE

__all__ = ["RiskImpactMatrix", "risk_impact_matrix", "risk_impact_points", "usage_weighted_exposure"]


def risk_impact_points(
    summary: SurveySummary, supply_risk: pd.Series, *, domain: str | None = None, dis_area: str | None = None
) -> pd.DataFrame:
    """Usage share (x) against EC 2023 supply risk (y) per material, with quadrants.

    Usage share = companies using the material / respondents (in the domain, or among
    companies active in the DIS area). Suppressed counts give no point ("suppressed").
    """
    if domain and dis_area:
        raise ValueError("choose a domain or a DIS area, not both")
    if dis_area:
        table = summary.tables["materials_by_area"].published()
        area_table = summary.tables["areas_by_domain"].published()
        column = dis_area.lower()
        counts = table[column] if column in table else pd.Series(dtype=object)
        denominator = area_table.loc[column, TOTAL] if column in area_table.index else None
    else:
        table = summary.tables["materials_by_domain"].published()
        if domain:
            counts = table[domain]
            denominator = respondents_by_domain(summary)[domain]
        else:
            counts = table[TOTAL]
            denominator = respondents_by_domain(summary)[TOTAL]
    frame = pd.DataFrame({"material": counts.index, "companies": counts.to_numpy()})
    frame["suppressed"] = frame["companies"].isna() | (denominator is None)
    frame["usage_share"] = [
        None if s or denominator in (None, 0) else c / denominator
        for c, s in zip(frame["companies"], frame["suppressed"], strict=True)
    ]
    frame["supply_risk"] = frame["material"].map(supply_risk)
    points = frame.dropna(subset=["usage_share", "supply_risk"])
    mean_x = float(points["usage_share"].mean()) if len(points) else float("nan")
    mean_y = float(points["supply_risk"].mean()) if len(points) else float("nan")
    high, low = _("high"), _("low")
    frame["quadrant"] = [
        None
        if pd.isna(x) or pd.isna(y)
        else _("{usage} usage, {risk} supply risk").format(
            usage=high if x >= mean_x else low, risk=high if y >= mean_y else low
        )
        for x, y in zip(frame["usage_share"], frame["supply_risk"], strict=True)
    ]
    frame.attrs["mean_usage_share"] = mean_x
    frame.attrs["mean_supply_risk"] = mean_y
    return frame


def usage_weighted_exposure(
    matrix: pd.DataFrame, catalogue: MaterialCatalogue, threshold: float = 0.02
) -> pd.DataFrame:
    """Country exposure per stage: Σ_m usage_m · share_{m,c} / Σ_m usage_m, small countries pooled.

    Countries below ``threshold`` are shown together as ``other``; materials without a usage
    share (suppressed) are left out, as the matrix leaves them out.
    """
    usage = matrix.dropna(subset=["usage_share"]).set_index("material")["usage_share"].astype(float)
    shares = supply_shares(catalogue)
    shares = shares[(shares["scope"] == "gs") & shares["material"].isin(usage.index)].dropna(subset=["share"])
    rows = []
    for stage, part in shares.groupby("stage"):
        weight = usage.reindex(part["material"]).to_numpy()
        exposure = pd.Series(weight * part["share"].to_numpy(), index=part["country"].to_numpy())
        exposure = exposure.groupby(level=0).sum() / usage[usage.index.isin(part["material"])].sum()
        small = exposure < threshold
        shown = exposure[~small].sort_values(ascending=False)
        for country, value in shown.items():
            rows.append({"stage": stage, "country": country, "share": float(value)})
        rows.append({"stage": stage, "country": "other", "share": float(exposure[small].sum())})
    return pd.DataFrame(rows)


@dataclass(frozen=True, slots=True)
class RiskImpactMatrix:
    """A risk-impact matrix and the usage-weighted country exposure behind it."""

    summary: SurveySummary
    points: pd.DataFrame
    exposure: pd.DataFrame
    scope: str
    threshold: float
    provenance: ResultProvenance

    @property
    def notes(self) -> list[str]:
        """Return the notes to show with the matrix (synthetic data is always labelled)."""
        return [_(SYNTHETIC_NOTE)] if self.summary.survey.synthetic else []

    def to_json(self) -> dict[str, Any]:
        """Return the ``matrix --format json`` document."""
        survey = self.summary.survey
        return {
            "survey": survey.name,
            "synthetic": survey.synthetic,
            "scope": self.scope,
            "mean_usage_share": json_value(self.points.attrs["mean_usage_share"]),
            "mean_supply_risk": json_value(self.points.attrs["mean_supply_risk"]),
            "materials": json_records(self.points),
            "exposure": json_records(self.exposure),
            "display_threshold": self.threshold,
            "notes": self.notes,
            "sources": [_("EC (2023) supply risk and global supply shares"), survey.source],
            "provenance": self.provenance.to_json(),
        }


def risk_impact_matrix(
    opened: OpenedSurvey | Survey | SurveySummary,
    *,
    domain: str | None = None,
    dis_area: str | None = None,
    threshold: float = 0.02,
    overview: MaterialOverview | None = None,
) -> RiskImpactMatrix:
    """Build the risk-impact matrix of a survey (all respondents, one domain or one DIS area).

    ``overview`` gives the supply risks (EC 2023 published); built from the reference data when
    not given.
    """
    summary = opened if isinstance(opened, SurveySummary) else summarise_survey(opened)
    overview = overview or build_material_overview()
    points = risk_impact_points(summary, overview.materials["sr_published"], domain=domain, dis_area=dis_area)
    exposure = usage_weighted_exposure(points, overview.catalogue, threshold)
    if domain:
        scope = _("domain {domain}").format(domain=label("domain", domain))
    elif dis_area:
        scope = _("DIS area {area}").format(area=dis_area)
    else:
        scope = _("all respondents")
    parameters = {
        **dict(summary.provenance.parameters),
        "domain": domain,
        "dis_area": dis_area,
        "display_threshold": threshold,
        "supply_risk": "EC 2023 published",
    }
    used: list[Provenance | str] = [*summary.provenance.datasets, "ec_sr_ei_series", "ec_global_supply"]
    return RiskImpactMatrix(
        summary=summary,
        points=points,
        exposure=exposure,
        scope=scope,
        threshold=threshold,
        provenance=provenance(used, parameters, summary.provenance.inputs, seed=summary.provenance.seed),
    )
