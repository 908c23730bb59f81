"""Scenario files (v1): YAML or JSON, validated at the edge into Scenario objects.

Numbers are strict: ``severity: true`` or ``severity: "0.5"`` is refused rather than read as
1 or 0.5, and NaN or infinity (``.inf`` in YAML) is refused as well; ``start_day`` must be a
whole number (``1.5`` and ``2.0`` are refused). Keys given twice,
documents nested too deep and pydantic's own wording never reach the user (see
:mod:`ketenradar.ingest.validation`).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import clip, suggest_material
from ketenradar.ingest.validation import (
    DocumentPath,
    load_document,
    validation_problems,
)
from ketenradar.locale import _
from ketenradar.model.scenario import Scenario, Shock, ShockStage
from ketenradar.refdata import known_country_codes

__all__ = ["read_scenario"]


class _ShockModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    countries: list[str] = Field(min_length=1)
    stage: ShockStage = "any"
    materials: list[str] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list)
    # Strict numbers: a YAML true or a quoted "0.5" is a mistake, not a number.
    severity: float = Field(ge=0.0, le=1.0, strict=True, allow_inf_nan=False)
    duration_days: float | None = Field(default=None, ge=0.0, strict=True, allow_inf_nan=False)
    # Days are whole: strict refuses 1.5 (and 2.0, a float) as well as true and "3".
    start_day: int = Field(default=0, ge=0, strict=True)
    probability: float | None = Field(default=None, ge=0.0, le=1.0, strict=True, allow_inf_nan=False)

    @field_validator("countries")
    @classmethod
    def _iso3(cls, value: list[str]) -> list[str]:
        codes = [c.strip().upper() for c in value]
        unknown = [c for c in codes if c not in known_country_codes()]
        if unknown:
            raise ValueError(
                _("unknown country code(s) {codes}; expected ISO 3166 alpha-3").format(
                    codes=", ".join(clip(c, 20) for c in unknown[:10])
                )
            )
        return codes

    @model_validator(mode="after")
    def _one_filter(self) -> _ShockModel:
        if self.materials and self.items:
            raise ValueError(_("give either materials or items, not both (use two shocks)"))
        return self


class _ScenarioModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    source: str = ""
    shocks: list[_ShockModel] = Field(min_length=1)


def _where(loc: DocumentPath) -> str:
    parts = []
    for i, part in enumerate(loc):
        if part == "shocks" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            continue
        if isinstance(part, int):
            shock = i > 0 and loc[i - 1] == "shocks"
            parts.append(_("shock {number}").format(number=part + 1) if shock else f"[{part + 1}]")
        else:
            parts.append(clip(part, 40))
    return ", ".join(parts) or _("file")


def _load(path: Path) -> Any:
    """Return the parsed document, refusing unreadable text, deep nesting and repeated keys."""
    return load_document(path, expected=_("a mapping with name and shocks"), place=_where)


def _unknown_materials(data: Any, materials: Collection[str], file: str) -> list[Problem]:
    """Return a problem for each material id of each shock that the catalogue does not know."""
    shocks = data.get("shocks") if isinstance(data, dict) else None
    if not isinstance(shocks, list):
        return []
    problems = []
    for i, shock in enumerate(shocks):
        named = shock.get("materials") if isinstance(shock, dict) else None
        if not isinstance(named, list):
            continue
        problems += [
            Problem(
                file=file,
                column=_("shock {number}").format(number=i + 1) + ", materials",
                value=clip(m),
                message=_("unknown material id") + suggest_material(m, materials),
                expected=_("a material id of the catalogue"),
            )
            for m in named
            if isinstance(m, str) and m not in materials
        ]
    return problems


def read_scenario(path: str | Path, materials: Collection[str] | None = None) -> Scenario:
    """Read a YAML or JSON scenario file; refuse it with every problem located."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputFileError.single(name, _("file not found"), expected=_("a scenario file (.yaml or .json)"))
    data = _load(path)
    # Material ids are checked on the raw document too, so they are reported with the other problems.
    problems = _unknown_materials(data, materials, name) if materials is not None else []
    try:
        model = _ScenarioModel.model_validate(data)
    except ValidationError as error:
        problems = (
            validation_problems(
                error, file=name, expected=_("see docs/input-files.md (scenario file v1)"), place=_where
            )
            + problems
        )
        raise InputFileError(problems) from None
    if problems:
        raise InputFileError(problems)
    return Scenario(
        name=model.name,
        description=model.description,
        source=model.source or name,
        shocks=tuple(
            Shock(
                countries=tuple(s.countries),
                severity=s.severity,
                stage=s.stage,
                materials=tuple(s.materials),
                items=tuple(s.items),
                duration_days=s.duration_days,
                probability=s.probability,
                start_day=s.start_day,
            )
            for s in model.shocks
        ),
    )
