"""Monitoring input files: alert rules (YAML/JSON), export restrictions and key figures (CSV).

Each reader checks the whole file, reports every problem at once with where it is (rule
number and id, row and column) and returns model values; nothing is stored before a file has
passed. Numbers in rule files are strict (``threshold: "1.0"`` or ``true`` is refused, as in
scenario files); CSV files may use semicolons and decimal commas.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import ROW, Column, check_csv_table, check_frame, clip, read_csv_text
from ketenradar.ingest.validation import (
    load_document,
    validation_problems,
)
from ketenradar.locale import N_, _
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES
from ketenradar.refdata import known_country_codes

__all__ = [
    "COUNTRY_INDICATORS",
    "MATERIAL_INDICATORS",
    "RULE_KINDS",
    "AlertRule",
    "read_alert_rules",
    "read_key_figures",
    "read_restrictions",
]

RuleKind = Literal["supply_risk_above", "country_risk_above", "export_restriction", "indicator_change"]
RULE_KINDS: tuple[str, ...] = (
    "supply_risk_above",
    "country_risk_above",
    "export_restriction",
    "indicator_change",
)
# The numbers a snapshot keeps per material and per country (the indicators a rule may name).
MATERIAL_INDICATORS: tuple[str, ...] = (
    "sr_computed",
    "sr_published",
    "ei_computed",
    "ei_published",
    "crma_third_country_share",
)
COUNTRY_INDICATORS: tuple[str, ...] = ("composite_risk", "wgi_mean", "oecd_crc", "fsi_total")
_EXPECTED_RULES = N_("a mapping with a list of rules (see docs/methodology/monitoring.md)")


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One checked alert rule.

    ``threshold``: SR level (supply_risk_above), composite country risk 0..1
    (country_risk_above) or the least absolute change (indicator_change); None for
    export_restriction. ``scope`` ``chains`` keeps only materials and countries a stored chain
    uses. ``value`` chooses the computed or the EC-published SR.
    """

    id: str
    kind: str
    threshold: float | None
    scope: str = "chains"
    indicator: str | None = None
    value: str = "computed"
    description: str = ""


class _RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=80)
    kind: RuleKind
    threshold: float | None = Field(default=None, strict=True, allow_inf_nan=False)
    scope: Literal["chains", "all"] = "chains"
    indicator: str | None = None
    value: Literal["computed", "published"] = "computed"
    description: str = ""


def _rule_label(number: int, rule: Any) -> str:
    """Return "rule N (id)" for messages, with the id when the rule has a usable one."""
    label = _("rule {number}").format(number=number)
    rule_id = rule.get("id") if isinstance(rule, dict) else None
    return f"{label} ({clip(rule_id, 40)})" if isinstance(rule_id, str) and rule_id else label


def _cross_checks(number: int, model: _RuleModel, file: str) -> list[Problem]:
    """Return the problems between a rule's fields: the threshold and indicator its kind needs."""
    where = _rule_label(number, {"id": model.id})
    problems = []

    def problem(key: str, message: str, expected: str, value: object = None) -> None:
        problems.append(
            Problem(
                file=file,
                column=f"{where}, {key}",
                message=message,
                expected=expected,
                value=None if value is None else clip(value),
            )
        )

    if model.kind == "export_restriction":
        if model.threshold is not None:
            problem(
                "threshold",
                _("an export_restriction rule takes no threshold"),
                _("no threshold (every new restriction hitting a chain is an alert)"),
                model.threshold,
            )
    elif model.threshold is None:
        problem("threshold", _("required key is missing"), _("a number"))
    elif model.kind == "country_risk_above" and not 0.0 <= model.threshold <= 1.0:
        problem(
            "threshold",
            _("value out of range"),
            _("a composite country risk from 0 to 1"),
            model.threshold,
        )
    elif model.kind == "supply_risk_above" and model.threshold < 0.0:
        problem("threshold", _("value out of range"), _("a supply risk of 0 or more"), model.threshold)
    elif model.kind == "indicator_change" and model.threshold <= 0.0:
        problem(
            "threshold",
            _("value out of range"),
            _("the least absolute change, a number above 0"),
            model.threshold,
        )
    known = (*MATERIAL_INDICATORS, *COUNTRY_INDICATORS)
    if model.kind == "indicator_change":
        if model.indicator is None:
            problem(
                "indicator",
                _("required key is missing"),
                _("one of {choices}").format(choices=", ".join(known)),
            )
        elif model.indicator not in known:
            problem(
                "indicator",
                _("not an accepted value"),
                _("one of {choices}").format(choices=", ".join(known)),
                model.indicator,
            )
    elif model.indicator is not None:
        problem(
            "indicator",
            _("only an indicator_change rule names an indicator"),
            _("no indicator for kind {kind}").format(kind=model.kind),
            model.indicator,
        )
    return problems


def _load_document(path: Path) -> Any:
    """Return the parsed YAML or JSON document; refuse unreadable text and repeated keys."""
    if not path.is_file():
        raise InputFileError.single(
            str(path), _("file not found"), expected=_("a rules file (.yaml or .json)")
        )
    return load_document(path, expected=_(_EXPECTED_RULES), place=lambda where: ", ".join(map(str, where)))


def _rule_place(where: str, loc: tuple[int | str, ...]) -> str:
    """Return where in a rule a problem is: the rule, then the key path."""
    return ", ".join([where, *(str(p) for p in loc)])


def read_alert_rules(path: str | Path) -> tuple[AlertRule, ...]:
    """Read a YAML or JSON alert-rules file; refuse it with every problem located by rule."""
    path = Path(path)
    name = str(path)
    data = _load_document(path)
    rules = data.get("rules") if isinstance(data, dict) else None
    extra = sorted(str(k) for k in data if k != "rules") if isinstance(data, dict) else []
    if not isinstance(rules, list) or not rules:
        raise InputFileError.single(
            name,
            _("no list of rules"),
            column="rules",
            expected=_("a key 'rules' holding a list of at least one rule"),
        )
    problems = [
        Problem(
            file=name,
            column=clip(key, 40),
            message=_("Extra inputs are not permitted: the key is unknown (check its spelling)"),
            expected=_("only the key 'rules' at the top level"),
        )
        for key in extra
    ]
    checked: list[AlertRule] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rules, start=1):
        where = _rule_label(number, raw)
        # Ids are compared on the raw rules, so a repeated id is reported even if its rule has other faults.
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(raw_id, str) and raw_id in seen:
            problems.append(
                Problem(
                    file=name,
                    column=f"{where}, id",
                    message=_("the id is used by rule {number} too").format(number=seen[raw_id]),
                    expected=_("a different id for each rule"),
                    value=clip(raw_id),
                )
            )
        if isinstance(raw_id, str):
            seen.setdefault(raw_id, number)
        try:
            model = _RuleModel.model_validate(raw)
        except ValidationError as error:
            problems += validation_problems(
                error,
                file=name,
                expected=_("see docs/methodology/monitoring.md (alert rules)"),
                place=functools.partial(_rule_place, where),
            )
            continue
        more = _cross_checks(number, model, name)
        problems += more
        if not more:
            checked.append(
                AlertRule(
                    id=model.id,
                    kind=model.kind,
                    threshold=model.threshold,
                    scope=model.scope,
                    indicator=model.indicator,
                    value=model.value,
                    description=model.description,
                )
            )
    if problems:
        raise InputFileError(problems)
    return tuple(checked)


_RESTRICTION_COLUMNS = [
    Column("country", "iso3"),
    Column("material", "material"),
    Column("stage", "choice", choices=RAW_MATERIAL_STAGES, required=False, allow_empty=True),
    Column("since"),
    Column("source"),
    Column("note", required=False, allow_empty=True),
]


def _restriction_frame(path: Path) -> pd.DataFrame:
    """Return the restrictions of a CSV file, or of a YAML/JSON list, as text cells."""
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        return read_csv_text(path)
    data = _load_document(path)
    entries = data.get("restrictions") if isinstance(data, dict) else data
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputFileError.single(
            str(path),
            _("no list of restrictions"),
            expected=_("a list of restrictions, each with country, material, stage, since and source"),
        )
    # YAML reads 2024-01-01 as a date and 1 as a number: the cell checks want the text.
    cells = [{str(k): "" if v is None else str(v) for k, v in entry.items()} for entry in entries]
    frame = pd.DataFrame(cells, dtype=object)
    frame[ROW] = np.arange(1, len(frame) + 1)
    return frame


def read_restrictions(
    path: str | Path, materials: Collection[str], countries: Collection[str] | None = None
) -> pd.DataFrame:
    """Read export restrictions (country, material, stage, since, source[, note]); refuse every problem.

    An empty stage covers every stage. ``since`` is a date written YYYY-MM-DD. Returns the
    rows with stage "" where it was empty. ``countries`` defaults to every ISO3 code ketenradar knows.
    """
    path = Path(path)
    countries = known_country_codes() if countries is None else countries
    name = str(path)
    checked = check_frame(
        _restriction_frame(path),
        _RESTRICTION_COLUMNS,
        file=name,
        materials=materials,
        countries=countries,
        unique=["country", "material", "stage"],
    )
    problems = list(checked.problems)
    frame = checked.frame
    if checked.header_ok and not frame.empty:
        since = frame["since"].astype(str)
        parsed = pd.to_datetime(since, format="%Y-%m-%d", errors="coerce")
        bad = checked.ok("since") & (since != "").to_numpy() & parsed.isna().to_numpy()
        rows = frame[ROW].to_numpy() if ROW in frame.columns else np.arange(len(frame)) + 2
        problems += [
            Problem(
                file=name,
                row=int(r),
                column="since",
                value=clip(v),
                message=_("not a date"),
                expected=_("a date written YYYY-MM-DD, e.g. 2023-08-01"),
            )
            for r, v in zip(rows[bad], since[bad], strict=True)
        ]
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: p.row or 0))
    columns = ["country", "material", "stage", "since", "source", "note"]
    return frame[columns].astype(str).reset_index(drop=True)


_FIGURE_COLUMNS = [
    Column("metric", "id"),
    Column("year", "number", minimum=1900.0, maximum=2100.0),
    Column("value", "number"),
    Column("unit"),
    Column("source"),
    Column("qualifier", required=False, allow_empty=True),
    Column("note", required=False, allow_empty=True),
]


def read_key_figures(path: str | Path, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Read key figures (metric, year, value, unit, source[, qualifier, note]); refuse every problem.

    ``units`` gives the unit of each series already known; a row in another unit is refused,
    as a series must not mix units. Years are whole numbers. The ``_row`` column keeps each
    row's line in the file.
    """
    name = str(path)
    checked = check_csv_table(path, _FIGURE_COLUMNS, unique=["metric", "year", "source"])
    problems = list(checked.problems)
    frame = checked.frame
    if checked.header_ok and not frame.empty:
        rows = frame[ROW].to_numpy() if ROW in frame.columns else np.arange(len(frame)) + 2
        years = frame["year"].to_numpy(dtype=np.float64)
        fractional = checked.ok("year") & ~np.isnan(years) & (np.floor(years) != years)
        problems += [
            Problem(
                file=name,
                row=int(r),
                column="year",
                value=f"{y:g}",
                message=_("not a whole number"),
                expected=_("a year such as 2024"),
            )
            for r, y in zip(rows[fractional], years[fractional], strict=True)
        ]
        if units:
            known = frame["metric"].map(dict(units))
            clash = (
                checked.ok("metric", "unit") & known.notna().to_numpy() & (known != frame["unit"]).to_numpy()
            )
            problems += [
                Problem(
                    file=name,
                    row=int(r),
                    column="unit",
                    value=clip(u),
                    message=_("the series {metric} is in another unit").format(metric=m),
                    expected=_("the series' unit {unit!r}").format(unit=k),
                )
                for r, m, u, k in zip(
                    rows[clash], frame["metric"][clash], frame["unit"][clash], known[clash], strict=True
                )
            ]
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: p.row or 0))
    # The file's row numbers stay with the rows, so a later refusal (already stored) can name them.
    out = frame[["metric", "year", "value", "unit", "source", "qualifier", "note", ROW]].copy()
    out["year"] = out["year"].astype(np.int64)
    return out.reset_index(drop=True)
