"""Roadmaps (routekaarten) per product group: draft one from the analysis, show it, update a status (F17).

:func:`draft_roadmap` gathers the risks the other services find on a chain — single points of
failure and unknown upstream (``services.chains``), CRMA flags and IEA shortfalls per material
(``services.chain_outlook``) and, with a scenario, the platforms' availability
(``services.scenarios``) — takes the interventions from a measures ranking
(:func:`interventions_from_ranking`), proposes owners by measure type and sets milestones on the
default schedule of :mod:`ketenradar.mitigation.roadmap`. Without a ranking it takes up no
interventions and says how to make one. :func:`roadmap_to_yaml` / :func:`roadmap_from_yaml`
round-trip a roadmap through the YAML a person edits; :func:`update_status` rewrites the file
in one step (a new file beside it, then renamed). See ``docs/methodology/roadmap.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ketenradar.errors import InputFileError, OutputRefused
from ketenradar.ingest.roadmap_file import (
    check_ranking,
    dump_roadmap_yaml,
    parse_roadmap_yaml,
    read_roadmap_file,
    set_entry_fields,
)
from ketenradar.ingest.workbook_writer import _replacing_file
from ketenradar.locale import N_, _, format_number, format_percent, translate
from ketenradar.mitigation.catalogue import HORIZONS
from ketenradar.mitigation.roadmap import (
    DEFAULT_SCHEDULE,
    HORIZON_QUARTERS,
    INTERVENTION_START_QUARTERS,
    MILESTONE_OWNERS,
    MILESTONE_TITLES,
    OWNER_TYPES,
    RISK_KINDS,
    STATUSES,
    STEP_TITLES,
    STEPS,
    ChainReference,
    Intervention,
    Milestone,
    Risk,
    Roadmap,
    RoadmapProgress,
    Step,
    add_quarters,
    proposed_owners,
    roadmap_from_document,
    roadmap_progress,
    roadmap_to_document,
    with_status,
)
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.vocabulary import label
from ketenradar.services.jsonable import dumps
from ketenradar.services.provenance import InputRecord, ResultProvenance, input_file, provenance

if TYPE_CHECKING:
    from ketenradar.services.chains import OpenedChain
    from ketenradar.services.scenarios import LoadedScenario

__all__ = [
    "VOCABULARIES",
    "DraftedRoadmap",
    "RoadmapView",
    "draft_roadmap",
    "interventions_from_ranking",
    "quarter_of",
    "roadmap_from_yaml",
    "roadmap_to_yaml",
    "show_roadmap",
    "update_status",
    "write_roadmap",
]

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "steps": STEPS,
    "statuses": STATUSES,
    "owner_types": OWNER_TYPES,
    "risk_kinds": RISK_KINDS,
    "time_horizons": HORIZONS,
}
_HEADER = N_(
    "Roadmap (routekaart) drafted by ketenradar; edit it freely and read it back with "
    "`ketenradar roadmap show`.\n"
    "status: planned | in_progress | done | dropped; owners: government | companies | "
    "knowledge_institutes\n"
    "dates: a day YYYY-MM-DD or a quarter YYYY-Qn; the drafted dates follow the default schedule "
    "of docs/methodology/roadmap.md\n"
    "`ketenradar roadmap status` changes only the status and its date; comments are kept."
)
NO_RANKING = N_(
    "No ranking of measures was given, so no interventions are proposed: run `ketenradar measures "
    "rank` on the chain and draft again with its JSON document."
)
WIDER_PLATFORMS = N_(
    "loss avoided is summed over the ranking's platforms {platforms}, not only this product group's"
)
NO_OWNER = N_("no owner proposed for this kind of measure: agree one")
NO_HORIZON = N_("the ranking gives no time horizon: set the due date")
EXPOSURE_SOURCE = "ketenradar chain exposure (EC 2023 global supply)"
OUTLOOK_SOURCE = "ketenradar outlook --chain (IEA outlook, CRMA benchmarks)"


def quarter_of(day: dt.date) -> str:
    """Return the quarter ``YYYY-Qn`` a day falls in."""
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def roadmap_to_yaml(roadmap: Roadmap) -> str:
    """Return the roadmap as the YAML a person edits (with a comment header in the active language)."""
    return dump_roadmap_yaml(roadmap_to_document(roadmap), header=_(_HEADER))


def roadmap_from_yaml(text: str, *, file: str = "<roadmap>") -> Roadmap:
    """Return the roadmap of YAML text; refuse it with every problem, each with its place."""
    return roadmap_from_document(parse_roadmap_yaml(text, file=file, vocabularies=VOCABULARIES))


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def interventions_from_ranking(
    document: Mapping[str, Any],
    *,
    start: str | None = None,
    measure_types: Mapping[str, str] | None = None,
    file: str = "<ranking>",
) -> tuple[Intervention, ...]:
    """Return one planned intervention per ranked measure, in rank order, with proposed owners.

    ``document`` is the JSON of the measures ranking (``{"measures": [{"id", "kind",
    "platforms", "loss_avoided", "loss_avoided_per_eur", "rank", ...}]}``). With ``start`` (a
    quarter), each starts :data:`INTERVENTION_START_QUARTERS` quarters later and is due by its
    time horizon (:data:`HORIZON_QUARTERS`) where the ranking gives one; otherwise the dates stay
    empty. ``measure_types`` maps a catalogue measure id (``C04``) to its measure type key
    (``broaden_supplier_base``), by which the owners are proposed; a ``measure_type`` that is
    already a key is used as it is.
    """
    types = measure_types or {}
    measures = check_ranking(document, file=file)
    order = sorted(
        range(len(measures)),
        key=lambda n: (measures[n]["rank"] is None, measures[n]["rank"] or 0, n),
    )
    begin = add_quarters(start, INTERVENTION_START_QUARTERS) if start else None
    interventions = []
    for n in order:
        m = measures[n]
        owners = proposed_owners(types.get(m["measure_type"] or "", m["measure_type"]), m["kind"])
        horizon = m["time_horizon"] if m["time_horizon"] in HORIZON_QUARTERS else None
        notes = [] if owners else [_(NO_OWNER)]
        if horizon is None:
            notes.append(_(NO_HORIZON))
        interventions.append(
            Intervention(
                id=m["id"],
                name=m["name"] or m["id"],
                kind=m["kind"],
                measure_type=m["measure_type"],
                owners=owners,
                platforms=tuple(m["platforms"]),
                time_horizon=horizon,
                start=begin,
                due=add_quarters(begin, HORIZON_QUARTERS[horizon]) if begin and horizon else None,
                rank=_optional_int(m["rank"]),
                cost_eur=m["cost_eur"],
                loss_avoided=m["loss_avoided"],
                loss_avoided_per_eur=m["loss_avoided_per_eur"],
                note="; ".join(notes),
            )
        )
    return tuple(interventions)


def _note_wider_platforms(intervention: Intervention, platforms: Sequence[str]) -> Intervention:
    """Return the intervention with a note where its loss avoided covers platforms outside the scope."""
    if intervention.loss_avoided is None or not set(intervention.platforms) - set(platforms):
        return intervention
    note = _(WIDER_PLATFORMS).format(platforms=", ".join(intervention.platforms))
    return replace(intervention, note="; ".join(n for n in (intervention.note, note) if n))


def _joined_ids(limited: Any) -> str:
    """Return the limiting items of a platform as one text ("—" when none are named)."""
    if isinstance(limited, str):
        return limited or "—"
    names = [str(name) for name in (limited if limited is not None else ())]
    return ", ".join(names) if names else "—"


def _joined(values: pd.Series) -> str:
    return ", ".join(dict.fromkeys(str(v) for v in values))


def _exposure_risks(exposure: Any, platforms: Sequence[str]) -> list[Risk]:
    """Return the single points of failure and the unknown upstream of the chosen platforms."""
    result = exposure.result
    points = result.single_points
    points = points[points["platform"].isin(platforms)].astype({"stage": str, "country": str, "reason": str})
    grouped = (
        points.groupby(["item", "stage", "country"], sort=True, observed=True)
        .agg(share=("share", "max"), reason=("reason", "first"), platforms=("platform", _joined))
        .reset_index()
    )
    risks = [
        Risk(
            id=f"spof-{item}-{stage}",
            kind="single_point_of_failure",
            subject=item,
            detail=_("{stage}: {country} supplies {share} ({reason}); platforms: {platforms}").format(
                stage=label("stage", stage),
                country=country,
                share=format_percent(share),
                reason=reason,
                platforms=where,
            ),
            source=EXPOSURE_SOURCE,
        )
        for item, stage, country, share, reason, where in grouped[
            ["item", "stage", "country", "share", "reason", "platforms"]
        ].itertuples(index=False)
    ]
    coverage = result.coverage
    unknown = coverage[coverage["platform"].isin(platforms) & (coverage["unknown_share"] > 0)]
    unknown_materials = unknown.groupby("platform", sort=False)["material"].agg(_joined)
    visibility = result.visibility.set_index("platform")
    for platform in platforms:
        if platform not in visibility.index:
            continue
        known = float(visibility.loc[platform, "material_quantity_known_fraction"])
        materials = unknown_materials.get(platform, "")
        if not (np.isnan(known) or known < 1.0 or materials):
            continue
        tier = visibility.loc[platform, "deepest_known_tier"]
        risks.append(
            Risk(
                id=f"upstream-{platform}",
                kind="unknown_upstream",
                subject=platform,
                detail=_(
                    "origin known for {known} of the material quantity; deepest known tier {tier} of "
                    "{levels} levels; materials with unknown origin: {materials}"
                ).format(
                    known=format_percent(None if np.isnan(known) else known, 1),
                    tier=format_number(None if pd.isna(tier) else float(tier)),
                    levels=int(visibility.loc[platform, "levels"]),
                    materials=materials or "—",
                ),
                source=EXPOSURE_SOURCE,
            )
        )
    return risks


def _outlook_risks(outlook: Any, platforms: Sequence[str]) -> list[Risk]:
    """Return a risk per material of the platforms with an IEA shortfall or a CRMA single-country flag."""
    from ketenradar.model.vocabulary import RAW_MATERIAL_STAGES

    risks: list[Risk] = []
    for benchmarks in outlook.chains:
        materials = benchmarks.materials
        used = [
            m
            for m, on in zip(materials.index, materials["platforms"], strict=True)
            if set(on) & set(platforms)
        ]
        materials = materials.loc[used]
        for material, row in materials.iterrows():
            years = [str(y) for y in (2030, 2040) if row.get(f"iea_{y}_shortfall") is True]
            on = ", ".join(p for p in row["platforms"] if p in platforms)
            if years:
                risks.append(
                    Risk(
                        id=f"iea-{material}",
                        kind="iea_shortfall",
                        subject=str(material),
                        detail=_(
                            "IEA outlook: supply below demand in {years}; platforms: {platforms}"
                        ).format(years=", ".join(years), platforms=on),
                        source=OUTLOOK_SOURCE,
                    )
                )
            stages = [
                _("{stage}: {country} {share}").format(
                    stage=label("stage", stage),
                    country=row[f"{stage}_chain_third_country"],
                    share=format_percent(row[f"{stage}_chain_third_country_share"]),
                )
                for stage in RAW_MATERIAL_STAGES
                if row.get(f"{stage}_chain_exceeds_limit") is True
            ]
            if stages or row.get("crma_ec_exceeds_limit") is True:
                basis = "; ".join(stages) if stages else _("on the EC's world shares")
                risks.append(
                    Risk(
                        id=f"crma-{material}",
                        kind="crma_single_country",
                        subject=str(material),
                        detail=_(
                            "CRMA: one third country supplies more than {limit} ({basis}); "
                            "platforms: {platforms}"
                        ).format(
                            limit=format_percent(outlook.thresholds.single_third_country_limit),
                            basis=basis,
                            platforms=on,
                        ),
                        source=OUTLOOK_SOURCE,
                    )
                )
    return risks


def _scenario_risks(run: Any, platforms: Sequence[str]) -> list[Risk]:
    """Return a risk per chosen platform whose availability under the scenario is below 1."""
    frame = run.result.platforms
    frame = frame[frame["id"].isin(platforms)]
    name = run.result.scenario.name
    return [
        Risk(
            id=f"scenario-{platform}",
            kind="scenario_availability",
            subject=str(platform),
            detail=_(
                "availability {availability} under the scenario {scenario}; limited by {limited}"
            ).format(
                availability=format_percent(float(availability), 1),
                scenario=name,
                limited=_joined_ids(limited),
            ),
            source=f"ketenradar scenario run ({name})",
        )
        for platform, availability, limited in frame[["id", "availability", "limited_by"]].itertuples(
            index=False
        )
        if np.isfinite(availability) and availability < 1.0
    ]


@dataclass(frozen=True, slots=True)
class DraftedRoadmap:
    """A roadmap drafted from the analysis of a chain, with its provenance."""

    roadmap: Roadmap
    provenance: ResultProvenance

    def to_yaml(self) -> str:
        """Return the roadmap as the YAML file a person edits."""
        return roadmap_to_yaml(self.roadmap)

    def to_json(self) -> dict[str, Any]:
        """Return the roadmap document with its progress and provenance."""
        return {
            "roadmap": roadmap_to_document(self.roadmap),
            "progress": roadmap_progress(self.roadmap).to_json(),
            "provenance": self.provenance.to_json(),
        }


def _steps(
    product_group: str,
    chain_name: str,
    platforms: Sequence[tuple[str, str]],
    counts: Mapping[str, int],
    risks: Sequence[Risk],
    interventions: Sequence[Intervention],
    start: str,
) -> tuple[Step, ...]:
    """Return the content of each standard step as drafted from the analysis."""
    kinds = pd.Series([r.kind for r in risks], dtype=object).value_counts()
    found = ", ".join(f"{kind} {int(kinds.get(kind, 0))}" for kind in RISK_KINDS if kinds.get(kind, 0))
    content = {
        "scope": _("Product group {group}: platforms {platforms} of the chain {chain}.").format(
            group=product_group,
            platforms=", ".join(f"{name} ({pid})" for pid, name in platforms),
            chain=chain_name,
        ),
        "chain_mapping": _(
            "The chain holds {items} items, {bom} bill-of-materials rows and {sourcing} sourcing rows; "
            "the risks of kind unknown_upstream say where the origin is not known."
        ).format(items=counts["items"], bom=counts["bom"], sourcing=counts["sourcing"]),
        "risk_assessment": _("{n} risks found ({kinds}).").format(n=len(risks), kinds=found or "—"),
        "interventions": _("{n} interventions taken up from the ranking of measures.").format(
            n=len(interventions)
        )
        if interventions
        else _(NO_RANKING),
        "instruments": _(
            "Choose an instrument for each intervention (e.g. stockpiling, procurement criteria, subsidies, "
            "investment screening) with its owners."
        ),
        "owners": _(
            "Owners are proposed by measure type (see docs/methodology/roadmap.md) and agreed between "
            "government, companies and knowledge institutes."
        ),
        "timeline": _(
            "Dates follow the default schedule from {start}: edit them, and keep the status of each "
            "intervention and milestone up to date."
        ).format(start=start),
    }
    return tuple(Step(step=code, content=content[code]) for code in STEPS)


def _milestones(start: str) -> tuple[Milestone, ...]:
    """Return one planned milestone per standard step, due on the default schedule."""
    return tuple(
        Milestone(
            id=f"m-{code}",
            what=_(MILESTONE_TITLES[code]),
            step=code,
            due=add_quarters(start, DEFAULT_SCHEDULE[code]),
            owners=MILESTONE_OWNERS[code],
        )
        for code in STEPS
    )


def draft_roadmap(
    opened_chain: OpenedChain,
    catalogue: MaterialCatalogue,
    product_group: str,
    ranking: Mapping[str, Any] | None = None,
    *,
    platforms: Sequence[str] = (),
    scenario: LoadedScenario | None = None,
    start: str | None = None,
    today: dt.date | None = None,
    ranking_record: InputRecord | None = None,
) -> DraftedRoadmap:
    """Draft the roadmap of a product group from the chain's analysis and an optional measures ranking.

    ``platforms`` scopes it to some of the chain's platforms (all by default). ``start`` is the
    quarter the schedule starts in; by default the quarter after ``today``.
    """
    from ketenradar.errors import UnknownItem
    from ketenradar.services.chain_outlook import chain_outlook
    from ketenradar.services.chains import chain_exposure
    from ketenradar.services.scenarios import run_on_chain

    if not product_group.strip():
        raise ValueError("the product group needs a name")
    today = today or dt.date.today()
    start = start or add_quarters(quarter_of(today), 1)
    chain = opened_chain.chain
    items = chain.items
    names = dict(
        zip(items["id"][items["kind"] == "platform"], items["name"][items["kind"] == "platform"], strict=True)
    )
    chosen = list(dict.fromkeys(platforms)) or list(names)
    unknown = [p for p in chosen if p not in names]
    if unknown:
        raise UnknownItem(unknown, chain.name, chain.source)
    exposure = chain_exposure(opened_chain, catalogue)
    outlook = chain_outlook([opened_chain], catalogue)
    risks = _exposure_risks(exposure, chosen) + _outlook_risks(outlook, chosen)
    used = [*exposure.provenance.datasets, *outlook.provenance.datasets]
    inputs: list[InputRecord] = [opened_chain.record]
    if scenario is not None:
        run = run_on_chain(opened_chain, scenario, catalogue)
        risks += _scenario_risks(run, chosen)
        used += run.provenance.datasets
        inputs.append(scenario.record)
    interventions: tuple[Intervention, ...] = ()
    if ranking is not None:
        from ketenradar.services.measures import measure_catalogue

        measures = measure_catalogue()
        types = measures.measures.set_index("measure_id")["type"]
        interventions = interventions_from_ranking(
            ranking, start=start, measure_types={k: v for k, v in types.items() if v}
        )
        used += measures.provenance.datasets
        interventions = tuple(_note_wider_platforms(i, chosen) for i in interventions)
    if ranking_record is not None:
        inputs.append(ranking_record)
    counts = {"items": len(items), "bom": len(chain.bom), "sourcing": len(chain.sourcing)}
    record = opened_chain.record
    roadmap = Roadmap(
        product_group=product_group.strip(),
        drafted=today.isoformat(),
        chain=ChainReference(
            name=chain.name, source=record.source, version=record.version, sha256=record.sha256
        ),
        steps=_steps(
            product_group.strip(),
            chain.name,
            [(p, str(names[p])) for p in chosen],
            counts,
            risks,
            interventions,
            start,
        ),
        risks=tuple(risks),
        interventions=interventions,
        milestones=_milestones(start),
        notes=() if ranking is not None else (_(NO_RANKING),),
    )
    parameters = {
        "product_group": roadmap.product_group,
        "platforms": chosen,
        "start": start,
        "scenario": scenario.scenario.name if scenario is not None else None,
        "ranking": ranking is not None,
    }
    return DraftedRoadmap(roadmap, provenance(used, parameters, inputs))


@dataclass(frozen=True, slots=True)
class RoadmapView:
    """A roadmap read from its file, with its progress and provenance (``roadmap show``)."""

    roadmap: Roadmap
    progress: RoadmapProgress
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``roadmap show --format json`` document."""
        return {
            "roadmap": roadmap_to_document(self.roadmap),
            "progress": self.progress.to_json(),
            "provenance": self.provenance.to_json(),
        }

    def steps_frame(self) -> pd.DataFrame:
        """Return the standard steps with their title (in the active language) and content."""
        steps = self.roadmap.steps
        return pd.DataFrame(
            {
                "step": [s.step for s in steps],
                "title": [translate(STEP_TITLES.get(s.step, s.step)) for s in steps],
                "content": [s.content for s in steps],
            }
        )

    def entries_frame(self) -> pd.DataFrame:
        """Return one row per intervention and milestone: type, id, name, owners, dates, status, effect."""
        rows = [
            {
                "type": "intervention",
                "id": i.id,
                "name": i.name,
                "owners": ";".join(i.owners),
                "instrument": i.instrument,
                "start": i.start,
                "due": i.due,
                "status": i.status,
                "status_date": i.status_date,
                "rank": i.rank,
                "loss_avoided": i.loss_avoided,
                "loss_avoided_per_eur": i.loss_avoided_per_eur,
            }
            for i in self.roadmap.interventions
        ] + [
            {
                "type": "milestone",
                "id": m.id,
                "name": m.what,
                "owners": ";".join(m.owners),
                "instrument": None,
                "start": None,
                "due": m.due,
                "status": m.status,
                "status_date": m.status_date,
                "rank": None,
                "loss_avoided": None,
                "loss_avoided_per_eur": None,
            }
            for m in self.roadmap.milestones
        ]
        columns = [
            "type",
            "id",
            "name",
            "owners",
            "instrument",
            "start",
            "due",
            "status",
            "status_date",
            "rank",
            "loss_avoided",
            "loss_avoided_per_eur",
        ]
        frame = pd.DataFrame(rows, columns=columns)
        for column in ("loss_avoided", "loss_avoided_per_eur"):
            frame[column] = frame[column].astype(np.float64)
        frame["rank"] = frame["rank"].astype("Int64")
        return frame


def _read(path: Path) -> Roadmap:
    return roadmap_from_document(read_roadmap_file(path, vocabularies=VOCABULARIES))


def show_roadmap(path: str | Path) -> RoadmapView:
    """Read a roadmap file and return it with its progress; refuse it with every problem."""
    path = Path(path)
    roadmap = _read(path)
    used = provenance((), {}, [input_file("roadmap", path, name=roadmap.product_group)])
    return RoadmapView(roadmap, roadmap_progress(roadmap), used)


def write_roadmap(roadmap: Roadmap, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write the roadmap's YAML to ``path`` in one step (a new file beside it, then renamed).

    An existing file is replaced only with ``overwrite``: it may hold a person's edits.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputRefused(_("{path} is a folder; expected a file name ending in .yaml").format(path=path))
    if path.exists() and not overwrite:
        raise OutputRefused(
            _(
                "{path} already exists and may hold a person's edits; give another file name or delete it"
            ).format(path=path)
        )
    text = roadmap_to_yaml(roadmap)
    with _replacing_file(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path


def update_status(
    path: str | Path,
    item_id: str,
    status: str,
    date: dt.date | None = None,
) -> RoadmapView:
    """Set the status (and its date, today by default) of one intervention or milestone in a roadmap file.

    The file is checked first and rewritten in one step; a bad file, an unknown id or a status
    that is not one of :data:`STATUSES` changes nothing. Only the two values change: the
    person's comments and layout are kept (the whole file is written anew only where an entry
    cannot be edited in place, and then its comments are lost).
    """
    path = Path(path)
    roadmap = _read(path)
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    when = (date or dt.date.today()).isoformat()
    try:
        changed = with_status(roadmap, item_id, status, when)
    except KeyError:
        known = [i.id for i in roadmap.interventions] + [m.id for m in roadmap.milestones]
        raise InputFileError.single(
            str(path),
            _("no intervention or milestone has this id"),
            column="id",
            value=item_id,
            expected=_("one of: {ids}").format(ids=", ".join(known[:20]) + (" …" if len(known) > 20 else "")),
        ) from None
    if path.suffix.lower() == ".json":
        text = dumps(roadmap_to_document(changed), indent=2, ensure_ascii=False) + "\n"
    else:
        edited = set_entry_fields(
            path.read_text(encoding="utf-8-sig"), item_id, {"status": status, "status_date": f"'{when}'"}
        )
        # The edit in place must read back as exactly the changed roadmap; otherwise write it whole.
        text = edited if edited is not None and _parses_as(edited, changed) else roadmap_to_yaml(changed)
    with _replacing_file(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return show_roadmap(path)


def _parses_as(text: str, roadmap: Roadmap) -> bool:
    """Return whether YAML text reads back as the given roadmap."""
    try:
        return roadmap_from_yaml(text) == roadmap
    except InputFileError:
        return False
