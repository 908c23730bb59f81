"""Roadmap files (v1): the YAML a person edits, checked at the edge; and the measures' ranking JSON.

The checks collect every problem before refusing, each with its place in the document
(``interventions, 2 (lens_stock), status``): unknown keys, statuses, owner types, step and risk
codes that are not in the vocabularies, dates that are not a day ``YYYY-MM-DD`` or a quarter
``YYYY-Qn`` (or are impossible, such as 2026-02-30), a due date before the start, and ids given
twice. Numbers may be written with a decimal comma (``12,5``). Keys given twice and YAML that
does not parse are refused by :mod:`ketenradar.ingest.validation`.

The vocabularies (steps, statuses, owner types, risk kinds, time horizons) belong to the
roadmap model in ``mitigation``; the caller passes them in, so this edge does not import the core.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import clip
from ketenradar.ingest.validation import (
    DocumentPath,
    load_document,
    load_yaml_text,
    validation_problems,
)
from ketenradar.locale import _

__all__ = [
    "RoadmapVocabularies",
    "check_ranking",
    "check_roadmap_document",
    "dump_roadmap_yaml",
    "parse_roadmap_yaml",
    "read_ranking",
    "read_roadmap_file",
    "set_entry_fields",
]

RoadmapVocabularies = Mapping[str, Collection[str]]
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_DECIMAL = re.compile(r"^\s*-?\d+(?:[.,]\d+)?\s*$")


def _date_text(value: Any) -> str | None:
    """Return a day or quarter as text ``YYYY-MM-DD`` / ``YYYY-Qn``; refuse anything else."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise ValueError(_("a date without a time of day is expected (YYYY-MM-DD or a quarter YYYY-Qn)"))
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(_("a date is expected: YYYY-MM-DD or a quarter YYYY-Qn"))
    text = value.strip()
    if _QUARTER.match(text):
        return text
    if _DAY.match(text):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("no such day in the calendar")) from None
        return text
    raise ValueError(_("not a date: expected YYYY-MM-DD or a quarter YYYY-Qn"))


def _number(value: Any) -> Any:
    """Return a number written with a decimal comma (``12,5``) as a float; leave the rest to pydantic."""
    if isinstance(value, str) and _DECIMAL.match(value):
        return float(value.strip().replace(",", "."))
    return value


def _first_day(text: str) -> dt.date:
    """Return the first day of a day or quarter."""
    quarter = _QUARTER.match(text)
    if quarter:
        return dt.date(int(quarter[1]), 3 * int(quarter[2]) - 2, 1)
    return dt.date.fromisoformat(text)


def _last_day(text: str) -> dt.date:
    """Return the last day of a day or quarter."""
    quarter = _QUARTER.match(text)
    if quarter:
        year, number = int(quarter[1]), int(quarter[2])
        return dt.date(year + number // 4, number % 4 * 3 + 1, 1) - dt.timedelta(days=1)
    return dt.date.fromisoformat(text)


DateText = Annotated[str | None, BeforeValidator(_date_text)]
Number = Annotated[Annotated[float, Field(strict=True, allow_inf_nan=False)] | None, BeforeValidator(_number)]
Amount = Annotated[
    Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.0)] | None, BeforeValidator(_number)
]
Text = Annotated[str, Field(strict=True)]
Id = Annotated[str, Field(strict=True, min_length=1)]


def _one_of(value: Any, info: ValidationInfo, vocabulary: str) -> Any:
    """Refuse a code that is not in the named vocabulary of the validation context."""
    allowed = (info.context or {}).get(vocabulary)
    if allowed is not None and value is not None and value not in allowed:
        raise ValueError(_("not an accepted value: one of {expected}").format(expected=", ".join(allowed)))
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ChainModel(_Strict):
    name: Id
    source: Text = ""
    version: int | None = Field(default=None, strict=True)
    sha256: str | None = Field(default=None, strict=True)


class _StepModel(_Strict):
    step: str = Field(strict=True)
    content: Text = ""

    @field_validator("step")
    @classmethod
    def _step(cls, value: str, info: ValidationInfo) -> str:
        return str(_one_of(value, info, "steps"))

    @field_validator("content", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return "" if value is None else value


class _RiskModel(_Strict):
    id: Id
    kind: str = Field(strict=True)
    subject: Text
    detail: Text = ""
    source: Text = ""

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str, info: ValidationInfo) -> str:
        return str(_one_of(value, info, "risk_kinds"))

    @field_validator("detail", "source", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return "" if value is None else value


def _owners(value: list[str], info: ValidationInfo) -> list[str]:
    allowed: Collection[str] | None = (info.context or {}).get("owner_types")
    if allowed is None:
        return value
    unknown = [owner for owner in value if owner not in allowed]
    if unknown:
        raise ValueError(
            _("unknown owner type {owners}: one of {expected}").format(
                owners=", ".join(clip(o, 40) for o in unknown), expected=", ".join(allowed)
            )
        )
    if len(set(value)) < len(value):
        raise ValueError(_("an owner type is named twice"))
    return value


def _none_as_empty_list(value: Any) -> Any:
    return [] if value is None else value


class _InterventionModel(_Strict):
    id: Id
    name: Text
    kind: str | None = Field(default=None, strict=True)
    measure_type: str | None = Field(default=None, strict=True)
    owners: Annotated[list[str], BeforeValidator(_none_as_empty_list)] = []
    instrument: str | None = Field(default=None, strict=True)
    platforms: Annotated[list[Text], BeforeValidator(_none_as_empty_list)] = []
    time_horizon: str | None = Field(default=None, strict=True)
    start: DateText = None
    due: DateText = None
    status: str = Field(default="planned", strict=True)
    status_date: DateText = None
    rank: int | None = Field(default=None, strict=True, ge=1)
    cost_eur: Amount = None
    loss_avoided: Number = None
    loss_avoided_per_eur: Number = None
    note: Text = ""

    @field_validator("owners")
    @classmethod
    def _owner_types(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return _owners(value, info)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str, info: ValidationInfo) -> str:
        return str(_one_of(value, info, "statuses"))

    @field_validator("time_horizon")
    @classmethod
    def _horizon(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _one_of(value, info, "time_horizons")  # type: ignore[no-any-return]

    @field_validator("note", mode="before")
    @classmethod
    def _empty(cls, value: Any) -> Any:
        return "" if value is None else value


class _MilestoneModel(_Strict):
    id: Id
    what: Text
    step: str | None = Field(default=None, strict=True)
    due: DateText = None
    owners: Annotated[list[str], BeforeValidator(_none_as_empty_list)] = []
    status: str = Field(default="planned", strict=True)
    status_date: DateText = None

    @field_validator("step")
    @classmethod
    def _step(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _one_of(value, info, "steps")  # type: ignore[no-any-return]

    @field_validator("owners")
    @classmethod
    def _owner_types(cls, value: list[str], info: ValidationInfo) -> list[str]:
        return _owners(value, info)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str, info: ValidationInfo) -> str:
        return str(_one_of(value, info, "statuses"))


class _RoadmapModel(_Strict):
    version: int = Field(default=1, strict=True, ge=1, le=1)
    product_group: Annotated[str, Field(strict=True, min_length=1)]
    drafted: DateText = None
    chain: _ChainModel
    steps: Annotated[list[_StepModel], BeforeValidator(_none_as_empty_list)] = []
    risks: Annotated[list[_RiskModel], BeforeValidator(_none_as_empty_list)] = []
    interventions: Annotated[list[_InterventionModel], BeforeValidator(_none_as_empty_list)] = []
    milestones: Annotated[list[_MilestoneModel], BeforeValidator(_none_as_empty_list)] = []
    notes: Annotated[list[Text], BeforeValidator(_none_as_empty_list)] = []


def _place(loc: DocumentPath, document: Any) -> str:
    """Return a place in the roadmap for people: ``interventions, 2 (lens_stock), status``."""
    parts: list[str] = []
    node = document
    for part in loc:
        child = None
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            child = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            child = node.get(part)
        if isinstance(part, int):
            entry_id = child.get("id") if isinstance(child, dict) else None
            label = str(part + 1)
            parts.append(
                f"{label} ({clip(entry_id, 40)})" if isinstance(entry_id, str) and entry_id else label
            )
        else:
            parts.append(clip(part, 40))
        node = child
    return ", ".join(parts) or _("file")


def _repeated_ids(document: dict[str, Any], file: str) -> list[Problem]:
    """Return a problem for every id of a risk, intervention or milestone used before (raw document)."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for section in ("risks", "interventions", "milestones"):
        entries = document.get(section)
        for n, entry in enumerate(entries if isinstance(entries, list) else []):
            entry_id = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(entry_id, str):
                continue
            where = _place((section, n, "id"), document)
            if entry_id in seen:
                problems.append(
                    Problem(
                        file=file,
                        column=where,
                        value=clip(entry_id),
                        message=_("the id is already used at {place}").format(place=seen[entry_id]),
                        expected=_("a different id for each risk, intervention and milestone"),
                    )
                )
            else:
                seen[entry_id] = where
    return problems


def _cross_checks(model: _RoadmapModel, document: Any, file: str) -> list[Problem]:
    """Return the problems across the fields of a valid document: steps given twice, due before start."""
    problems: list[Problem] = []
    steps: set[str] = set()
    for n, step in enumerate(model.steps):
        if step.step in steps:
            problems.append(
                Problem(
                    file=file,
                    column=_place(("steps", n, "step"), document),
                    value=step.step,
                    message=_("the step appears twice"),
                    expected=_("each standard step once"),
                )
            )
        steps.add(step.step)
    for n, intervention in enumerate(model.interventions):
        if (
            intervention.start
            and intervention.due
            and _last_day(intervention.due) < _first_day(intervention.start)
        ):
            problems.append(
                Problem(
                    file=file,
                    column=_place(("interventions", n, "due"), document),
                    value=intervention.due,
                    message=_("the due date lies before the start ({start})").format(
                        start=intervention.start
                    ),
                    expected=_("a due date on or after the start"),
                )
            )
    return problems


def check_roadmap_document(document: Any, *, file: str, vocabularies: RoadmapVocabularies) -> dict[str, Any]:
    """Return a roadmap document checked and normalised (dates as text, every key present).

    ``vocabularies`` maps ``steps``, ``statuses``, ``owner_types``, ``risk_kinds`` and
    ``time_horizons`` to their codes. Every problem is collected before refusing.
    """
    if not isinstance(document, dict):
        raise InputFileError.single(
            file,
            _("the roadmap is not a mapping of keys to values"),
            expected=_("a roadmap file as ketenradar drafts it (product_group, chain, steps, ...)"),
        )
    repeated = _repeated_ids(document, file)
    try:
        model = _RoadmapModel.model_validate(document, context=dict(vocabularies))
    except ValidationError as error:
        raise InputFileError(
            validation_problems(
                error,
                file=file,
                expected=_("see docs/methodology/roadmap.md (roadmap file v1)"),
                place=lambda loc: _place(loc, document),
            )
            + repeated
        ) from None
    problems = repeated + _cross_checks(model, document, file)
    if problems:
        raise InputFileError(problems)
    return model.model_dump()


_UNQUOTED_DAY = re.compile(r"^[^#'\"]*?:\s*(\d{4}-\d{1,2}-\d{1,2})\s*(?:#.*)?$")


def _impossible_days(text: str, file: str) -> list[Problem]:
    """Return a problem for each unquoted day that is not in the calendar (YAML's reader fails on it)."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _UNQUOTED_DAY.match(line)
        if match is None:
            continue
        year, month, day = (int(part) for part in match[1].split("-"))
        try:
            dt.date(year, month, day)
        except ValueError:
            problems.append(
                Problem(
                    file=file,
                    row=number,
                    value=match[1],
                    message=_("no such day in the calendar"),
                    expected=_("a date YYYY-MM-DD or a quarter YYYY-Qn"),
                )
            )
    return problems


def read_roadmap_file(path: str | Path, *, vocabularies: RoadmapVocabularies) -> dict[str, Any]:
    """Read a roadmap YAML (or JSON) file and return its checked document; refuse it with every problem."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError.single(str(path), _("file not found"), expected=_("a roadmap file (.yaml)"))
    if path.suffix.lower() != ".json":
        try:
            impossible = _impossible_days(path.read_text(encoding="utf-8-sig"), str(path))
        except UnicodeDecodeError:
            impossible = []  # load_document says so
        if impossible:
            raise InputFileError(impossible)
    document = load_document(path, expected=_("a roadmap file (.yaml)"))
    return check_roadmap_document(document, file=str(path), vocabularies=vocabularies)


def parse_roadmap_yaml(text: str, *, file: str, vocabularies: RoadmapVocabularies) -> dict[str, Any]:
    """Parse roadmap YAML text and return its checked document; refuse it with every problem."""
    impossible = _impossible_days(text, file)
    if impossible:
        raise InputFileError(impossible)
    try:
        document = load_yaml_text(text, file=file)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputFileError.single(
            file,
            _("not valid YAML: {error}").format(error=clip(getattr(error, "problem", None) or error, 120)),
            row=mark.line + 1 if mark is not None else None,
            expected=_("a roadmap file (.yaml)"),
        ) from None
    return check_roadmap_document(document, file=file, vocabularies=vocabularies)


def _entry_node(root: yaml.Node, item_id: str) -> yaml.MappingNode | None:
    """Return the node of the intervention or milestone with this id, or None."""
    if not isinstance(root, yaml.MappingNode):
        return None
    for key, value in root.value:
        if not (key.value in ("interventions", "milestones") and isinstance(value, yaml.SequenceNode)):
            continue
        for node in value.value:
            if isinstance(node, yaml.MappingNode) and any(
                k.value == "id" and isinstance(v, yaml.ScalarNode) and v.value == item_id
                for k, v in node.value
            ):
                return node
    return None


def set_entry_fields(text: str, item_id: str, fields: Mapping[str, str]) -> str | None:
    """Return roadmap YAML text with scalar fields of one intervention or milestone set, all else kept.

    Comments, key order, quoting and layout stay as the person wrote them: only the values of
    ``fields`` (given as YAML scalars, e.g. ``done`` or ``'2027-01-15'``) are replaced, or added
    as a line below the entry's last key. None when the entry cannot be edited in place (not
    found, written in flow style, or a field holding a list or mapping); the caller then writes
    the whole document.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    entry = _entry_node(root, item_id) if root is not None else None
    if entry is None or entry.flow_style or not entry.value:
        return None
    edits: list[tuple[int, int, str]] = []
    for name, scalar in fields.items():
        found = [v for k, v in entry.value if k.value == name]
        if found and not isinstance(found[0], yaml.ScalarNode):
            return None
        if found:
            start, end = found[0].start_mark.index, found[0].end_mark.index
            edits.append((start, end, scalar if end > start else " " + scalar))
            continue
        last = entry.value[-1][1].end_mark.index
        line_end = text.find("\n", last)
        at = len(text) if line_end < 0 else line_end + 1
        indent = " " * entry.value[0][0].start_mark.column
        edits.append((at, at, ("" if line_end >= 0 else "\n") + f"{indent}{name}: {scalar}\n"))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def dump_roadmap_yaml(document: Mapping[str, Any], *, header: str = "") -> str:
    """Return a roadmap document as YAML text in its own key order, with ``header`` as comment lines."""
    body = yaml.safe_dump(
        dict(document), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body


def _platform_ids(value: Any) -> Any:
    """Return the platform ids of a ranked measure: its ``platforms`` are ids or effects with an ``id``."""
    if isinstance(value, list):
        return [p["id"] if isinstance(p, dict) and "id" in p else p for p in value]
    return _none_as_empty_list(value)


class _RankedMeasure(BaseModel):
    # The ranking document carries more keys (effects per platform, provenance): they are not needed.
    model_config = ConfigDict(extra="ignore")

    id: Id
    kind: str | None = Field(default=None, strict=True)
    name: str | None = Field(default=None, strict=True)
    measure_type: str | None = Field(default=None, strict=True)
    time_horizon: str | None = Field(default=None, strict=True)
    platforms: Annotated[list[Text], BeforeValidator(_platform_ids)] = []
    rank: int | None = Field(default=None, strict=True, ge=1)
    cost_eur: Number = None
    loss_avoided: Number = None
    loss_avoided_per_eur: Number = None


class _Ranking(BaseModel):
    model_config = ConfigDict(extra="ignore")

    measures: list[_RankedMeasure]


def check_ranking(document: Any, *, file: str) -> list[dict[str, Any]]:
    """Return the measures of a ranking document (``measures rank --format json``), checked."""
    try:
        ranking = _Ranking.model_validate(document)
    except ValidationError as error:
        raise InputFileError(
            validation_problems(
                error,
                file=file,
                expected=_("the JSON document of the measures ranking"),
                place=lambda loc: _place(loc, document),
            )
        ) from None
    measures = [m.model_dump() for m in ranking.measures]
    counts = Counter(m["id"] for m in measures)
    twice = [measure_id for measure_id, n in counts.items() if n > 1]
    if twice:
        raise InputFileError(
            [
                Problem(
                    file=file,
                    column="measures, id",
                    value=clip(measure_id),
                    message=_("the measure id appears twice"),
                    expected=_("each measure once"),
                )
                for measure_id in twice
            ]
        )
    return measures


def read_ranking(path: str | Path) -> list[dict[str, Any]]:
    """Read a measures ranking JSON file and return its measures, checked."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError.single(
            str(path), _("file not found"), expected=_("the JSON document of the measures ranking")
        )
    document = load_document(path, expected=_("the JSON document of the measures ranking"))
    return check_ranking(document, file=str(path))
