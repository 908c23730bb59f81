"""The roadmap (routekaart) of a product group: the standard steps, risks, interventions, milestones (F17).

The letters to parliament describe a standard, step-by-step method per product group (first:
military ships): scope → map the chain → assess the risks → interventions → instruments →
owners (government, companies, knowledge institutes) → timeline and status. A :class:`Roadmap`
holds one such plan as frozen objects; :func:`roadmap_to_document` and
:func:`roadmap_from_document` turn it into the plain mapping a person edits as YAML and back,
without loss (the file's reading and its checks are in :mod:`ketenradar.ingest.roadmap_file`).

Dates are text: a day ``YYYY-MM-DD`` or a quarter ``YYYY-Qn``; a missing date is ``None``.
Progress is the share of the interventions and milestones that are done, among those not
dropped (:func:`roadmap_progress`). Nothing here reads files or the clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ketenradar.locale import N_

__all__ = [
    "DEFAULT_SCHEDULE",
    "HORIZON_QUARTERS",
    "INTERVENTION_START_QUARTERS",
    "MILESTONE_OWNERS",
    "MILESTONE_TITLES",
    "OWNERS_BY_KIND",
    "OWNERS_BY_MEASURE_TYPE",
    "OWNER_TYPES",
    "RISK_KINDS",
    "ROADMAP_VERSION",
    "STATUSES",
    "STEPS",
    "STEP_TITLES",
    "ChainReference",
    "Intervention",
    "Milestone",
    "Progress",
    "Risk",
    "Roadmap",
    "RoadmapProgress",
    "Step",
    "add_quarters",
    "proposed_owners",
    "roadmap_from_document",
    "roadmap_progress",
    "roadmap_to_document",
    "with_status",
]

ROADMAP_VERSION = 1
# The standard steps of the letters to parliament, in their order.
STEPS = ("scope", "chain_mapping", "risk_assessment", "interventions", "instruments", "owners", "timeline")
STEP_TITLES: dict[str, str] = {
    "scope": N_("Scope"),
    "chain_mapping": N_("Map the chain"),
    "risk_assessment": N_("Assess the risks"),
    "interventions": N_("Interventions"),
    "instruments": N_("Instruments"),
    "owners": N_("Owners"),
    "timeline": N_("Timeline and status"),
}
STATUSES = ("planned", "in_progress", "done", "dropped")
OWNER_TYPES = ("government", "companies", "knowledge_institutes")
RISK_KINDS = (
    "single_point_of_failure",
    "unknown_upstream",
    "crma_single_country",
    "iea_shortfall",
    "scenario_availability",
    "other",
)
# Proposed owners per measure type of the catalogue (mitigation.catalogue.MEASURE_TYPES, plus the
# matching rules' map_chain and investment_screening). A draft proposes; the people agree.
OWNERS_BY_MEASURE_TYPE: dict[str, tuple[str, ...]] = {
    "country_partnerships": ("government",),
    "restrictive_measures": ("government",),
    "stimulus_measures": ("government",),
    "investment_screening": ("government",),
    "chain_cooperation": ("companies", "government"),
    "broaden_supplier_base": ("companies",),
    "rnd_redesign": ("companies", "knowledge_institutes"),
    "reduce_reuse_recycle": ("companies", "knowledge_institutes"),
    "stockpiling": ("government", "companies"),
    "map_chain": ("companies",),
}
# Used when a measure names no known measure type: the change it makes to the chain.
OWNERS_BY_KIND: dict[str, tuple[str, ...]] = {
    "add_supplier": ("companies",),
    "remove_country": ("companies",),
    "add_stock": ("government", "companies"),
    "substitute": ("companies", "knowledge_institutes"),
}
# The milestone closing each step, and who is proposed to reach it (the method is public-private).
MILESTONE_TITLES: dict[str, str] = {
    "scope": N_("Scope agreed"),
    "chain_mapping": N_("Chain mapped down to the raw materials"),
    "risk_assessment": N_("Risks assessed"),
    "interventions": N_("Interventions chosen"),
    "instruments": N_("Instruments chosen"),
    "owners": N_("Owners agreed"),
    "timeline": N_("Timeline agreed"),
}
MILESTONE_OWNERS: dict[str, tuple[str, ...]] = {
    "scope": OWNER_TYPES,
    "chain_mapping": ("companies", "knowledge_institutes"),
    "risk_assessment": ("knowledge_institutes", "government"),
    "interventions": OWNER_TYPES,
    "instruments": ("government",),
    "owners": OWNER_TYPES,
    "timeline": OWNER_TYPES,
}
# Default schedule, in quarters after the start quarter, of the milestone closing each step.
DEFAULT_SCHEDULE: dict[str, int] = {
    "scope": 0,
    "chain_mapping": 1,
    "risk_assessment": 1,
    "interventions": 2,
    "instruments": 2,
    "owners": 2,
    "timeline": 3,
}
# Interventions start in the quarter after the timeline is agreed ...
INTERVENTION_START_QUARTERS = 4
# ... and are due this many quarters after their start, by the catalogue's time horizon.
HORIZON_QUARTERS: dict[str, int] = {"short": 3, "medium": 11, "long": 19}
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, slots=True)
class ChainReference:
    """The chain a roadmap was drafted on: its name, source, and stored version or file checksum."""

    name: str
    source: str = ""
    version: int | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One standard step of the method with what the roadmap says under it."""

    step: str
    content: str = ""


@dataclass(frozen=True, slots=True)
class Risk:
    """One finding on the chain: its kind, what it concerns, the detail and where it was found."""

    id: str
    kind: str
    subject: str
    detail: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Intervention:
    """One measure taken up in the roadmap, with its proposed owners, instrument, dates and status.

    ``loss_avoided`` (platform-days) and ``loss_avoided_per_eur`` come from the measures'
    ranking where it measured them; ``None`` where it did not.
    """

    id: str
    name: str
    kind: str | None = None
    measure_type: str | None = None
    owners: tuple[str, ...] = ()
    instrument: str | None = None
    platforms: tuple[str, ...] = ()
    time_horizon: str | None = None
    start: str | None = None
    due: str | None = None
    status: str = "planned"
    status_date: str | None = None
    rank: int | None = None
    cost_eur: float | None = None
    loss_avoided: float | None = None
    loss_avoided_per_eur: float | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Milestone:
    """One milestone: what is to be reached, when, by whom, and how far it is."""

    id: str
    what: str
    step: str | None = None
    due: str | None = None
    owners: tuple[str, ...] = ()
    status: str = "planned"
    status_date: str | None = None


@dataclass(frozen=True, slots=True)
class Roadmap:
    """The roadmap of one product group: the standard steps, risks, interventions and milestones."""

    product_group: str
    chain: ChainReference
    steps: tuple[Step, ...]
    risks: tuple[Risk, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    notes: tuple[str, ...] = ()
    drafted: str | None = None
    version: int = ROADMAP_VERSION


@dataclass(frozen=True, slots=True)
class Progress:
    """How many of a list of entries have each status, and the share done among those not dropped."""

    planned: int
    in_progress: int
    done: int
    dropped: int

    @property
    def counted(self) -> int:
        """Return the entries that count towards progress (all but the dropped ones)."""
        return self.planned + self.in_progress + self.done

    @property
    def share_done(self) -> float | None:
        """Return done / (planned + in progress + done), or None when nothing counts."""
        return self.done / self.counted if self.counted else None

    def to_json(self) -> dict[str, Any]:
        """Return the counts and the share done as JSON-ready values."""
        return {
            "planned": self.planned,
            "in_progress": self.in_progress,
            "done": self.done,
            "dropped": self.dropped,
            "share_done": self.share_done,
        }


@dataclass(frozen=True, slots=True)
class RoadmapProgress:
    """Progress of the interventions, of the milestones, and of both together."""

    interventions: Progress
    milestones: Progress
    overall: Progress

    def to_json(self) -> dict[str, Any]:
        """Return the three progress counts as JSON-ready values."""
        return {
            "interventions": self.interventions.to_json(),
            "milestones": self.milestones.to_json(),
            "overall": self.overall.to_json(),
        }


def _progress(statuses: Sequence[str]) -> Progress:
    """Return the counts of each status in a list of statuses."""
    return Progress(*(sum(1 for s in statuses if s == code) for code in STATUSES))


def roadmap_progress(roadmap: Roadmap) -> RoadmapProgress:
    """Return the progress: share done = done / (entries − dropped), for interventions, milestones, both."""
    interventions = [i.status for i in roadmap.interventions]
    milestones = [m.status for m in roadmap.milestones]
    return RoadmapProgress(
        interventions=_progress(interventions),
        milestones=_progress(milestones),
        overall=_progress(interventions + milestones),
    )


def add_quarters(quarter: str, quarters: int) -> str:
    """Return the quarter ``YYYY-Qn`` that lies ``quarters`` quarters after ``quarter``."""
    match = _QUARTER.match(quarter)
    if match is None:
        raise ValueError(f"not a quarter YYYY-Qn: {quarter!r}")
    index = int(match[1]) * 4 + int(match[2]) - 1 + quarters
    return f"{index // 4:04d}-Q{index % 4 + 1}"


def proposed_owners(measure_type: str | None, kind: str | None) -> tuple[str, ...]:
    """Return the owners proposed for a measure: by its measure type, else by its kind, else none."""
    if measure_type and measure_type in OWNERS_BY_MEASURE_TYPE:
        return OWNERS_BY_MEASURE_TYPE[measure_type]
    if kind and kind in OWNERS_BY_KIND:
        return OWNERS_BY_KIND[kind]
    return ()


def with_status(roadmap: Roadmap, item_id: str, status: str, date: str | None) -> Roadmap:
    """Return the roadmap with the status (and its date) of one intervention or milestone changed.

    Raises ``KeyError`` when neither an intervention nor a milestone has that id, and
    ``ValueError`` for a status that is not one of :data:`STATUSES`.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    ids = {i.id for i in roadmap.interventions} | {m.id for m in roadmap.milestones}
    if item_id not in ids:
        raise KeyError(item_id)
    interventions = tuple(
        replace(i, status=status, status_date=date) if i.id == item_id else i for i in roadmap.interventions
    )
    milestones = tuple(
        replace(m, status=status, status_date=date) if m.id == item_id else m for m in roadmap.milestones
    )
    return replace(roadmap, interventions=interventions, milestones=milestones)


def roadmap_to_document(roadmap: Roadmap) -> dict[str, Any]:
    """Return the roadmap as a plain mapping in the file's key order (every key written, null if missing)."""
    chain = roadmap.chain
    return {
        "version": roadmap.version,
        "product_group": roadmap.product_group,
        "drafted": roadmap.drafted,
        "chain": {
            "name": chain.name,
            "source": chain.source,
            "version": chain.version,
            "sha256": chain.sha256,
        },
        "steps": [{"step": s.step, "content": s.content} for s in roadmap.steps],
        "risks": [
            {"id": r.id, "kind": r.kind, "subject": r.subject, "detail": r.detail, "source": r.source}
            for r in roadmap.risks
        ],
        "interventions": [
            {
                "id": i.id,
                "name": i.name,
                "kind": i.kind,
                "measure_type": i.measure_type,
                "owners": list(i.owners),
                "instrument": i.instrument,
                "platforms": list(i.platforms),
                "time_horizon": i.time_horizon,
                "start": i.start,
                "due": i.due,
                "status": i.status,
                "status_date": i.status_date,
                "rank": i.rank,
                "cost_eur": i.cost_eur,
                "loss_avoided": i.loss_avoided,
                "loss_avoided_per_eur": i.loss_avoided_per_eur,
                "note": i.note,
            }
            for i in roadmap.interventions
        ],
        "milestones": [
            {
                "id": m.id,
                "what": m.what,
                "step": m.step,
                "due": m.due,
                "owners": list(m.owners),
                "status": m.status,
                "status_date": m.status_date,
            }
            for m in roadmap.milestones
        ],
        "notes": list(roadmap.notes),
    }


def _fields(entry: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """Return the named keys of an entry that it has, lists as tuples."""
    return {n: tuple(entry[n]) if isinstance(entry[n], list) else entry[n] for n in names if n in entry}


def roadmap_from_document(document: Mapping[str, Any]) -> Roadmap:
    """Return the roadmap of a mapping already checked by the roadmap file reader.

    Keys the checked mapping leaves out take their defaults (an empty text, no date, planned).
    """
    chain = document["chain"]
    return Roadmap(
        version=int(document.get("version", ROADMAP_VERSION)),
        product_group=document["product_group"],
        drafted=document.get("drafted"),
        chain=ChainReference(**_fields(chain, ("name", "source", "version", "sha256"))),
        steps=tuple(Step(**_fields(s, ("step", "content"))) for s in document.get("steps") or ()),
        risks=tuple(
            Risk(**_fields(r, ("id", "kind", "subject", "detail", "source")))
            for r in document.get("risks") or ()
        ),
        interventions=tuple(
            Intervention(**_fields(i, [f for f in Intervention.__dataclass_fields__]))
            for i in document.get("interventions") or ()
        ),
        milestones=tuple(
            Milestone(**_fields(m, [f for f in Milestone.__dataclass_fields__]))
            for m in document.get("milestones") or ()
        ),
        notes=tuple(document.get("notes") or ()),
    )
