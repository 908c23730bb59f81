"""Measures files (action files v1), users' measure catalogues and matching rules files.

Measures files: YAML or JSON, checked against the chain into the fields of Measure objects.

``{"measures": [{id, kind, item, ...}]}``; the kinds and their fields are those of
:mod:`ketenradar.mitigation.measures`. Numbers may be written with a decimal comma
(``share: "0,5"``); booleans, NaN and infinity are refused. Every problem is reported at once,
with the file, the measure (its position and id) and the field; nothing is changed. A measure
catalogue is a CSV (comma or semicolon); a matching rules file is YAML or JSON.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.tables import MAX_PROBLEMS, ROW, Column, check_frame, clip, read_csv_text
from ketenradar.ingest.validation import load_document
from ketenradar.locale import _
from ketenradar.model.chain import Chain
from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES
from ketenradar.refdata import known_country_codes

__all__ = [
    "CATALOGUE_COLUMNS",
    "MEASURE_KINDS",
    "RESERVED_ID",
    "read_matching_rules",
    "read_measure_catalogue",
    "read_measures",
]

RATING_WORDS = ("low", "medium", "high")
HORIZON_WORDS = ("short", "medium", "long")

# The kinds of measures file v1 (the same as ketenradar.mitigation.measures.MEASURE_KINDS; ingest
# sits below mitigation, so the list is repeated and a test keeps the two equal).
MEASURE_KINDS = ("add_supplier", "add_stock", "substitute", "remove_country")

_COMMON = ("id", "kind", "item", "name", "cost_eur", "measure_type")
# The id under which `measures rank --combine` reports the measures applied together.
RESERVED_ID = "combined"
# The fields each kind takes besides the common ones, and which of them are required.
_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "add_supplier": (("stage", "country", "share"), ("country", "share")),
    "add_stock": (("days",), ("days",)),
    "substitute": (("material", "share"), ("material", "share")),
    "remove_country": (("stage", "country"), ("country",)),
}


def _number(value: Any) -> float | None:
    """Return a finite number (a text with a decimal comma counts), None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


class _Checker:
    """Collects the problems of one measures file, one measure at a time."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, place: str, message: str, expected: str, value: Any = None) -> None:
        """Record one problem at a place such as ``measures 2 (lens_stock), share``."""
        self.problems.append(
            Problem(
                file=self.file,
                column=place,
                message=message,
                expected=expected,
                value=None if value is None else clip(value),
            )
        )


def read_measures(
    path: str | Path,
    chain: Chain,
    materials: Collection[str],
    measure_types: Collection[str] = (),
) -> tuple[dict[str, Any], ...]:
    """Read a measures file against the chain; return its measures in file order.

    Each measure is a mapping of the fields of ``ketenradar.mitigation.measures.Measure``
    (the services build the objects).

    ``materials`` are the catalogue's material ids (for ``substitute``), ``measure_types`` the
    accepted ``measure_type`` values (catalogue ids and type keys; empty: any text). Refuses, all
    at once: a document without a ``measures`` list, a missing or repeated id, an unknown kind,
    item, country, stage or material, a field the kind does not take, a share outside (0, 1], days
    or a cost that are not positive numbers, a substitute for an item that is not a material.
    """
    path = Path(path)
    file = str(path)
    document = load_document(path, expected=_("a measures file (YAML or JSON) with a list 'measures'"))
    if not isinstance(document, Mapping) or not isinstance(document.get("measures"), list):
        raise InputFileError.single(
            file,
            _("no list 'measures' at the top of the file"),
            expected=_("a key 'measures' holding a list of measures (see the measures file format)"),
        )
    extra = sorted(str(k) for k in document if k != "measures")
    checker = _Checker(file)
    for key in extra:
        checker.add(key, _("unknown key"), _("only the key 'measures' at the top"))
    items = chain.items
    kinds_of = dict(zip(items["id"].astype(str), items["kind"].astype(str), strict=True))
    material_of = dict(zip(items["id"].astype(str), items["material"].astype(str), strict=True))
    seen: set[str] = set()
    measures: list[dict[str, Any]] = []
    for position, entry in enumerate(document["measures"], start=1):
        measure = _check_entry(
            checker, position, entry, kinds_of, material_of, set(materials), set(measure_types), seen
        )
        if measure is not None:
            measures.append(measure)
    if not document["measures"]:
        checker.add("measures", _("the list is empty"), _("at least one measure"))
    if checker.problems:
        raise InputFileError(checker.problems)
    return tuple(measures)


def _check_entry(
    checker: _Checker,
    position: int,
    entry: Any,
    kinds_of: dict[str, str],
    material_of: dict[str, str],
    materials: set[str],
    measure_types: set[str],
    seen: set[str],
) -> dict[str, Any] | None:
    """Check one measure; record its problems and return it when it has none."""
    before = len(checker.problems)
    if not isinstance(entry, Mapping):
        checker.add(
            _("measures {n}").format(n=position), _("not a mapping"), _("a measure with id, kind and item")
        )
        return None
    raw_id = entry.get("id")
    measure_id = str(raw_id).strip() if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else ""
    where = (
        _("measures {n} ({id})").format(n=position, id=clip(measure_id, 40))
        if measure_id
        else _("measures {n}").format(n=position)
    )

    def at(field: str) -> str:
        return f"{where}, {field}"

    if not measure_id:
        checker.add(at("id"), _("no id"), _("a short unique name for the measure"), raw_id)
    elif measure_id in seen:
        checker.add(at("id"), _("the id is used twice"), _("a unique id per measure"), measure_id)
    elif measure_id == RESERVED_ID:
        checker.add(
            at("id"),
            _("the id {id!r} is reserved for the measures applied together").format(id=RESERVED_ID),
            _("another id"),
            measure_id,
        )
    seen.add(measure_id)
    kind = entry.get("kind")
    if kind not in MEASURE_KINDS:
        checker.add(
            at("kind"),
            _("unknown kind") if kind is not None else _("no kind"),
            _("one of {kinds}").format(kinds=", ".join(MEASURE_KINDS)),
            kind,
        )
        return None
    allowed, required = _FIELDS[kind]
    for key in entry:
        if key not in _COMMON and key not in allowed:
            checker.add(
                at(str(key)),
                _("the kind {kind} does not take this field").format(kind=kind),
                _("one of {fields}").format(fields=", ".join((*_COMMON, *allowed))),
            )
    for key in required:
        if entry.get(key) is None:
            checker.add(at(key), _("missing"), _("a value for the kind {kind}").format(kind=kind))
    item = entry.get("item")
    item_kind = kinds_of.get(str(item)) if isinstance(item, str) else None
    if item_kind is None:
        checker.add(
            at("item"),
            _("no item of the chain has this id") if item is not None else _("missing"),
            _("an item id of the chain's items sheet"),
            item,
        )
    is_material = item_kind == "material"
    stage: str | None = None
    if "stage" in allowed:
        stage = entry.get("stage")
        if stage is None:
            if item_kind is not None and not is_material:
                stage = "manufacturing"
            elif is_material:
                checker.add(at("stage"), _("missing"), _("mining or processing for a material item"))
        elif item_kind is not None:
            usable = RAW_MATERIAL_STAGES if is_material else ("manufacturing",)
            if stage not in usable:
                checker.add(
                    at("stage"),
                    _("this stage does not apply to the item"),
                    _("one of {stages}").format(stages=", ".join(usable)),
                    stage,
                )
    country = entry.get("country")
    if country is not None:
        code = str(country).strip().upper()
        if code not in known_country_codes():
            checker.add(at("country"), _("unknown country code"), _("an ISO 3166 alpha-3 code"), country)
        country = code
    share = None
    if entry.get("share") is not None:
        share = _number(entry["share"])
        if share is None or not 0.0 < share <= 1.0:
            checker.add(
                at("share"),
                _("the share is out of range"),
                _("a fraction above 0 and at most 1"),
                entry["share"],
            )
            share = None
    days = None
    if entry.get("days") is not None:
        days = _number(entry["days"])
        if days is None or days <= 0.0:
            checker.add(at("days"), _("not a positive number of days"), _("days > 0"), entry["days"])
    cost = None
    if entry.get("cost_eur") is not None:
        cost = _number(entry["cost_eur"])
        if cost is None or cost < 0.0:
            checker.add(
                at("cost_eur"), _("not a cost in euros"), _("a number of euros ≥ 0"), entry["cost_eur"]
            )
    material = entry.get("material")
    if kind == "substitute" and item_kind is not None:
        if not is_material:
            checker.add(
                at("item"), _("a substitute replaces a material item"), _("an item of kind material"), item
            )
        if material is not None:
            if str(material) not in materials:
                checker.add(
                    at("material"), _("unknown material id"), _("a material id of the catalogue"), material
                )
            elif material == material_of.get(str(item)):
                checker.add(
                    at("material"),
                    _("the item is already of this material"),
                    _("another material"),
                    material,
                )
    measure_type = entry.get("measure_type")
    if measure_type is not None and measure_types and str(measure_type) not in measure_types:
        checker.add(
            at("measure_type"),
            _("unknown measure type"),
            _("a measure type or a catalogue id (see `ketenradar measures list`)"),
            measure_type,
        )
    name = entry.get("name")
    if len(checker.problems) > before:
        return None
    return dict(
        id=measure_id,
        kind=str(kind),
        item=str(item),
        name="" if name is None else str(name),
        stage=stage,
        country=None if country is None else str(country),
        share=share,
        days=days,
        material=None if material is None else str(material),
        cost_eur=cost,
        measure_type=None if measure_type is None else str(measure_type),
    )


# A user's measure catalogue: new measures, or new ratings for the shipped ones (by measure_id).
CATALOGUE_COLUMNS = (
    Column("measure_id"),
    Column("measure", required=False, allow_empty=True),
    Column("actor", required=False, allow_empty=True, kind="choice", choices=("government", "companies")),
    Column("type", required=False, allow_empty=True),
    Column("impact", required=False, allow_empty=True, kind="choice", choices=RATING_WORDS),
    Column("time_horizon", required=False, allow_empty=True, kind="choice", choices=HORIZON_WORDS),
    Column("investment", required=False, allow_empty=True, kind="choice", choices=RATING_WORDS),
    Column("complexity", required=False, allow_empty=True, kind="choice", choices=RATING_WORDS),
)


def read_measure_catalogue(path: str | Path, types: Collection[str]) -> pd.DataFrame:
    """Read a user's measure catalogue (CSV, comma or semicolon); return its checked rows.

    Columns: ``measure_id``* and any of measure, actor (government|companies), type (a measure
    type key), impact, investment, complexity (low|medium|high), time_horizon
    (short|medium|long). An empty cell keeps the shipped value. All problems at once.
    """
    path = Path(path)
    checked = check_frame(read_csv_text(path), CATALOGUE_COLUMNS, file=str(path), unique=["measure_id"])
    problems = list(checked.problems)
    out = checked.frame
    if checked.header_ok and "type" in out.columns:
        bad = (out["type"] != "").to_numpy() & ~out["type"].isin(list(types)).to_numpy()
        problems += [
            Problem(
                file=str(path),
                row=int(r),
                column="type",
                value=clip(v),
                message=_("unknown measure type"),
                expected=_("one of {types}").format(types=", ".join(types)),
            )
            for r, v in zip(out[ROW].to_numpy()[bad], out["type"][bad], strict=True)
        ]
    if problems:
        raise InputFileError(sorted(problems, key=lambda p: p.row or 0)[:MAX_PROBLEMS])
    present = [c.name for c in CATALOGUE_COLUMNS if c.name in out.columns]
    return out[present].reset_index(drop=True)


def read_matching_rules(path: str | Path, names: Collection[str]) -> dict[str, dict[str, Any]]:
    """Read a matching rules file: per rule its measures, threshold and max_lead_time_days.

    ``{"rules": {name: {"measures": [...], "threshold": x, "max_lead_time_days": y}}}``; the
    numbers are None where not given. Refuses, all at once: a rule not in ``names``, an unknown
    key, a rule without measures, a threshold that is not a number.
    """
    path = Path(path)
    file = str(path)
    document = load_document(path, expected=_("a matching rules file (YAML or JSON) with a key 'rules'"))
    rules = document.get("rules") if isinstance(document, Mapping) else None
    if not isinstance(rules, Mapping):
        raise InputFileError.single(
            file, _("no mapping 'rules' at the top of the file"), expected=_("a key 'rules'")
        )
    problems: list[Problem] = []
    read: dict[str, dict[str, Any]] = {}
    numbers = ("threshold", "max_lead_time_days")
    for name, body in rules.items():
        where = f"rules, {name}"
        if name not in names:
            problems.append(
                Problem(
                    file, _("unknown rule"), _("one of {rules}").format(rules=", ".join(names)), column=where
                )
            )
            continue
        if not isinstance(body, Mapping):
            problems.append(Problem(file, _("not a mapping"), _("a mapping with 'measures'"), column=where))
            continue
        for key in body:
            if key not in ("measures", *numbers):
                problems.append(
                    Problem(
                        file,
                        _("unknown key"),
                        "measures, threshold, max_lead_time_days",
                        column=f"{where}, {key}",
                    )
                )
        measures = body.get("measures")
        if not isinstance(measures, list) or not measures:
            problems.append(
                Problem(
                    file,
                    _("no measures"),
                    _("a list of measure types or catalogue ids"),
                    column=f"{where}, measures",
                )
            )
            measures = []
        values: dict[str, float | None] = {}
        for key in numbers:
            value = body.get(key)
            number = None if value is None else _number(value)
            if value is not None and number is None:
                problems.append(
                    Problem(
                        file, _("not a number"), _("a number"), column=f"{where}, {key}", value=clip(value)
                    )
                )
            values[key] = number
        read[str(name)] = {"measures": [str(m) for m in measures], **values}
    if problems:
        raise InputFileError(problems)
    return read
