"""Scenario files (v1): YAML or JSON, validated at the edge into Scenario objects."""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.validation import describe_error
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
    severity: float = Field(ge=0.0, le=1.0)
    duration_days: float | None = Field(default=None, ge=0.0)
    probability: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("countries")
    @classmethod
    def _iso3(cls, value: list[str]) -> list[str]:
        codes = [c.strip().upper() for c in value]
        unknown = [c for c in codes if c not in known_country_codes()]
        if unknown:
            raise ValueError(
                _("unknown country code(s) {codes}; expected ISO 3166 alpha-3").format(
                    codes=", ".join(unknown)
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


def _where(loc: tuple[int | str, ...]) -> str:
    parts = []
    for i, part in enumerate(loc):
        if part == "shocks" and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            continue
        parts.append(_("shock {number}").format(number=part + 1) if isinstance(part, int) else str(part))
    return ", ".join(parts) or _("file")


def read_scenario(path: str | Path, materials: Collection[str] | None = None) -> Scenario:
    """Read a YAML or JSON scenario file; refuse it with every problem located."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputFileError.single(name, _("file not found"), expected=_("a scenario file (.yaml or .json)"))
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except UnicodeDecodeError:
        raise InputFileError.single(
            name, _("the file is not UTF-8 text"), expected=_("a UTF-8 text file")
        ) from None
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        row = line + 1 if line is not None else getattr(error, "lineno", None)
        raise InputFileError.single(
            name,
            _("not valid YAML/JSON: {error}").format(error=str(error).splitlines()[0]),
            row=row,
            expected=_("a mapping with name and shocks"),
        ) from None
    try:
        model = _ScenarioModel.model_validate(data)
    except ValidationError as error:
        raise InputFileError(
            [
                Problem(
                    file=name,
                    column=_where(tuple(e["loc"])),
                    message=describe_error(e),
                    expected=_("see docs/input-files.md (scenario file v1)"),
                )
                for e in error.errors()
            ]
        ) from None
    problems = []
    if materials is not None:
        for i, shock in enumerate(model.shocks):
            problems += [
                Problem(
                    file=name,
                    column=_("shock {number}").format(number=i + 1) + ", materials",
                    value=m,
                    message=_("unknown material id"),
                    expected=_("a material id of the catalogue"),
                )
                for m in shock.materials
                if m not in materials
            ]
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
            )
            for s in model.shocks
        ),
    )
