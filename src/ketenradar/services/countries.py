"""Countries with their groups, risk indicators and composite country risk.

Returns a :class:`CountryOverview` whose ``to_json()`` is the ``countries --format json``
contract. User indicators (e.g. Atradius STAR, which is not public) add to or replace the
shipped ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.locale import _
from ketenradar.risk.country import (
    COUNTRY_INDICATORS,
    DEFAULT_COUNTRY_WEIGHTS,
    assess_country_risk,
    normalise_weights,
)
from ketenradar.services.jsonable import json_value
from ketenradar.services.provenance import InputRecord, ResultProvenance, provenance, sources_json

__all__ = ["CountryOverview", "build_country_overview", "country_risk", "normalise_weights"]


@dataclass(frozen=True, slots=True)
class CountryOverview:
    """Per country: groups, raw indicators, scaled components and composite risk."""

    countries: pd.DataFrame
    weights: dict[str, float]
    provenance: ResultProvenance
    user_indicator_file: str | None = None

    def records(self) -> list[dict[str, Any]]:
        """Return one JSON-ready record per country."""
        frame = self.countries
        cites = sources_json(self.provenance.datasets)
        if self.user_indicator_file:
            cites.append(
                {"dataset": "user", "title": "user indicator file", "citation": self.user_indicator_file}
            )
        records = []
        for iso3, row in frame.iterrows():
            groups = [g for g in ("EU27", "EEA", "NATO", "OECD") if row[g.lower()]]
            records.append(
                {
                    "iso3": iso3,
                    "name": row["name"],
                    "groups": groups,
                    "nl_split": row["nl_split"],
                    "indicators": {
                        "wgi": {
                            **{d: json_value(row[f"wgi_{d}"]) for d in refdata.WGI_DIMENSIONS},
                            "mean": json_value(row["wgi_mean"]),
                        },
                        "oecd_crc": json_value(row["oecd_crc"]),
                        "oecd_classified": json_value(row["oecd_classified"]),
                        "fsi_total": json_value(row["fsi_total"]),
                        "atradius_star": json_value(row["atradius_star"]),
                    },
                    "components": {name: json_value(row[f"component_{name}"]) for name in self.weights},
                    "composite_risk": json_value(row["composite_risk"]),
                    "weight_coverage": json_value(row["weight_coverage"]),
                    "missing_indicators": list(row["missing_indicators"]),
                    "sources": cites,
                }
            )
        return records

    def to_json(self) -> dict[str, Any]:
        """Return the ``countries --format json`` document."""
        return {
            "countries": self.records(),
            "weights": self.weights,
            "scaling": scaling(),
            "sources": sources_json(self.provenance.datasets),
            "provenance": self.provenance.to_json(),
        }


def scaling() -> dict[str, str]:
    """Return how each indicator is scaled to 0..1, as text for output."""
    return {name: f"{_(scale.label)}: {scale.describe()}" for name, scale in COUNTRY_INDICATORS.items()}


def build_country_overview(
    weights: Mapping[str, float] = DEFAULT_COUNTRY_WEIGHTS,
    user_indicators: pd.DataFrame | None = None,
    user_indicator_file: str | None = None,
    *,
    inputs: Sequence[InputRecord] = (),
) -> CountryOverview:
    """Assemble countries with indicators and composite risk; user indicators add or replace."""
    table = refdata.load_countries()
    frame = table.frame.copy()
    frame["atradius_star"] = np.nan
    if user_indicators is not None:
        for column in user_indicators.columns:
            values = user_indicators[column].dropna()
            frame.loc[values.index, column] = values
    risk = assess_country_risk(frame, weights)
    normalised = normalise_weights(weights)
    return CountryOverview(
        countries=frame.join(risk),
        weights=normalised,
        provenance=provenance(table.provenance, {"weights": normalised}, inputs),
        user_indicator_file=user_indicator_file,
    )


def country_risk(weights: Mapping[str, float] = DEFAULT_COUNTRY_WEIGHTS) -> pd.Series:
    """Return the composite risk (0..1) per ISO3 with the given weights."""
    return build_country_overview(weights).countries["composite_risk"]
