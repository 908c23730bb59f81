"""Questionnaire answers of responding companies."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["SURVEY_SHEETS", "Survey"]

SURVEY_SHEETS = ("companies", "materials", "areas", "measures")


@dataclass(frozen=True, slots=True)
class Survey:
    """Validated questionnaire answers; ``synthetic`` marks generated data everywhere it is shown.

    ``companies``: company, fte, domain, chain_position, visibility, few_suppliers,
    owner_country. ``materials``: company, material, bought_directly. ``areas``: company,
    category, area. ``measures``: company, measure.
    """

    name: str
    companies: pd.DataFrame
    materials: pd.DataFrame
    areas: pd.DataFrame
    measures: pd.DataFrame
    source: str
    synthetic: bool = False
