"""Monitoring over time (F19): snapshots in the workspace, their differences, alerts, key figures.

A snapshot records, at one moment, per material the indicators (SR and EI computed and
published, per-stage SR, EU and CRMA flags, the CRMA largest third-country share), per country
the composite risk and its indicators, the provenance (edition, year, sha256) of every shipped
dataset, the export restrictions the user supplied, and per stored chain (latest version) the
materials and supplier countries it uses. :func:`diff_snapshots` compares two snapshots and
names the chains affected; :func:`evaluate_alerts` runs alert rules on one. The comparisons
themselves are the pure kernels of :mod:`ketenradar.risk.monitor`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import SnapshotNotFound
from ketenradar.ingest.monitor_rules import COUNTRY_INDICATORS, MATERIAL_INDICATORS, AlertRule
from ketenradar.locale import N_, _
from ketenradar.model.material import MaterialCatalogue
from ketenradar.refdata.provenance import Provenance
from ketenradar.risk.country import DEFAULT_COUNTRY_WEIGHTS
from ketenradar.risk.monitor import (
    affected_chains,
    chains_by,
    change_alerts,
    compare_flags,
    compare_labels,
    compare_values,
    new_restrictions,
    restriction_hits,
    threshold_alerts,
    used_by_a_chain,
)
from ketenradar.services.chains import chain_exposure
from ketenradar.services.countries import build_country_overview
from ketenradar.services.jsonable import json_records
from ketenradar.services.materials import AssessmentOptions, build_material_overview, defence_catalogue
from ketenradar.services.provenance import InputRecord, ResultProvenance, provenance
from ketenradar.storage.base import SnapshotInfo, Store

__all__ = [
    "FLAG_COLUMNS",
    "HEADLINE_METRICS",
    "RESTRICTION_COLUMNS",
    "SNAPSHOT_PARTS",
    "AlertReport",
    "KeyFigures",
    "Snapshot",
    "SnapshotDiff",
    "SnapshotListing",
    "add_key_figures",
    "diff_snapshots",
    "evaluate_alerts",
    "key_figures",
    "list_snapshots",
    "load_snapshot",
    "take_snapshot",
]

SNAPSHOT_PARTS = ("materials", "stages", "countries", "datasets", "chain_use", "restrictions", "settings")
FLAG_COLUMNS = ("eu_2023_strategic", "eu_2023_critical", "crma_strategic", "crma_exceeds_limit")
STAGE_INDICATORS = ("sr_computed", "sr_published", "largest_share", "crma_third_country_share")
RESTRICTION_COLUMNS = ("country", "material", "stage", "since", "source", "note")
CHAIN_USE_COLUMNS = ("chain", "version", "material", "stage", "country", "share")
DATASET_FIELDS = ("edition", "year", "sha256")
# The industry figures F19 asks for as a time series; a metric without figures is reported missing.
HEADLINE_METRICS = (
    "defence_security_turnover",
    "defence_security_export",
    "fte_active_in_defence_and_security",
    "rd_share",
)
NO_EARLIER_SNAPSHOT = N_("rule {rule}: no earlier snapshot to compare with, so it was not evaluated")
EVERY_RESTRICTION_NEW = N_(
    "rule {rule}: no earlier snapshot, so every restriction of {snapshot} counts as new"
)
NO_SNAPSHOTS = N_("the workspace holds no snapshot yet")
_KEY_FIGURE_DATASET = "seed_key_figures"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A stored snapshot: its record and its frames (see :data:`SNAPSHOT_PARTS`)."""

    info: SnapshotInfo
    frames: Mapping[str, pd.DataFrame]
    provenance: ResultProvenance

    def frame(self, part: str) -> pd.DataFrame:
        """Return one part of the snapshot (an empty frame if this snapshot has none)."""
        return self.frames.get(part, pd.DataFrame())

    def summary(self) -> dict[str, Any]:
        """Return the snapshot's name, time and row counts."""
        use = self.frame("chain_use")
        return {
            "name": self.info.name,
            "created_at": self.info.created_at,
            "materials": len(self.frame("materials")),
            "countries": len(self.frame("countries")),
            "datasets": len(self.frame("datasets")),
            "chains": int(use["chain"].nunique()) if len(use) else 0,
            "restrictions": len(self.frame("restrictions")),
        }

    def to_json(self) -> dict[str, Any]:
        """Return the ``monitor snapshot --format json`` document."""
        settings = self.frame("settings")
        return {
            "snapshot": self.summary(),
            "settings": json_records(settings)[0] if len(settings) else {},
            "materials": json_records(self.frame("materials")),
            "stages": json_records(self.frame("stages")),
            "countries": json_records(self.frame("countries")),
            "datasets": json_records(self.frame("datasets")),
            "chain_use": json_records(self.frame("chain_use")),
            "restrictions": json_records(self.frame("restrictions")),
            "provenance": self.provenance.to_json(),
        }


def _material_frames(
    catalogue: MaterialCatalogue, options: AssessmentOptions, used: list[Provenance]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the per-material and per-stage indicator frames of a snapshot; add its datasets to ``used``."""
    overview = build_material_overview(catalogue, options)
    used.extend(overview.provenance.datasets)
    stages = overview.stages.reset_index()[
        [
            "material",
            "stage",
            *STAGE_INDICATORS,
            "largest_country",
            "crma_largest_third_country",
            "crma_exceeds_limit",
        ]
    ]
    stages = stages.assign(crma_exceeds_limit=stages["crma_exceeds_limit"].astype(object))
    materials = overview.materials.reset_index()[
        [
            "material",
            "name_en",
            "sr_published",
            "sr_computed",
            "sr_bottleneck_stage",
            "ei_published",
            "ei_computed",
        ]
    ].copy()
    flags = overview.materials[["eu_2023_strategic", "eu_2023_critical", "crma_strategic"]]
    for column in flags.columns:
        materials[column] = flags[column].to_numpy(dtype=object)
    # The material's CRMA figure is its largest third-country share over the stages.
    crma = stages.dropna(subset=["crma_third_country_share"])
    top = crma.loc[crma.groupby("material")["crma_third_country_share"].idxmax()].set_index("material")
    materials["crma_third_country_share"] = (
        top["crma_third_country_share"].reindex(materials["material"]).to_numpy()
    )
    materials["crma_largest_third_country"] = (
        top["crma_largest_third_country"].reindex(materials["material"]).to_numpy(dtype=object)
    )
    exceeds = stages.assign(code=stages["crma_exceeds_limit"].map({True: 1, False: 0}))
    any_exceeds = exceeds.groupby("material")["code"].max().reindex(materials["material"])
    materials["crma_exceeds_limit"] = any_exceeds.map({1.0: True, 0.0: False}).astype(object).to_numpy()
    materials["crma_exceeds_limit"] = materials["crma_exceeds_limit"].where(
        any_exceeds.notna().to_numpy(), None
    )
    return materials, stages


def _chain_use(store: Store, catalogue: MaterialCatalogue) -> tuple[pd.DataFrame, list[InputRecord]]:
    """Return per stored chain (latest version) the materials and supplier countries it uses.

    The material rows are the chain's exposure shares (its own sourcing where known, the world
    shares where not), at the largest share over its platforms; rows with an empty material
    are the countries its components and subsystems are bought from.
    """
    frames = [pd.DataFrame(columns=list(CHAIN_USE_COLUMNS))]
    records = []
    for version in store.list_chains():
        chain = store.load_chain(version.name)
        known = catalogue.with_materials(
            m for m in store.chain_materials(version.name) if m.id not in catalogue
        )
        shares = chain_exposure(chain, known).result.shares
        material_rows = (
            shares.groupby(["material", "stage", "country"], as_index=False)["share"].max()
            if len(shares)
            else pd.DataFrame(columns=["material", "stage", "country", "share"])
        )
        kinds = chain.items.set_index("id")["kind"]
        sourcing = chain.sourcing.assign(kind=chain.sourcing["item"].map(kinds))
        parts = sourcing.loc[sourcing["kind"] != "material", ["country"]].drop_duplicates()
        part_rows = parts.assign(material="", stage="", share=np.nan)
        frames.append(
            pd.concat([material_rows, part_rows], ignore_index=True).assign(
                chain=version.name, version=version.version
            )
        )
        records.append(
            InputRecord(role="chain", source=chain.source, name=version.name, version=version.version)
        )
    use = pd.concat(frames, ignore_index=True)[list(CHAIN_USE_COLUMNS)]
    use = use.astype({"chain": str, "material": str, "stage": str, "country": str, "share": np.float64})
    use["version"] = use["version"].astype(np.int64)
    return use.sort_values(["chain", "material", "stage", "country"], ignore_index=True), records


def _datasets_frame(records: Sequence[Provenance]) -> pd.DataFrame:
    """Return the provenance of the datasets used: id, title, publisher, edition, year, sha256."""
    unique = list({p.dataset: p for p in records}.values())
    return pd.DataFrame(
        {
            "dataset": [p.dataset for p in unique],
            "title": [p.title for p in unique],
            "publisher": [p.publisher for p in unique],
            "edition": [p.edition for p in unique],
            "year": [str(p.year) for p in unique],
            "sha256": [p.sha256 for p in unique],
        }
    ).sort_values("dataset", ignore_index=True)


def take_snapshot(
    store: Store,
    *,
    name: str | None = None,
    catalogue: MaterialCatalogue | None = None,
    options: AssessmentOptions | None = None,
    weights: Mapping[str, float] = DEFAULT_COUNTRY_WEIGHTS,
    restrictions: pd.DataFrame | None = None,
    inputs: Sequence[InputRecord] = (),
) -> Snapshot:
    """Compute the indicators now and store them as one snapshot (one transaction).

    ``restrictions`` are the export restrictions the user supplies (:data:`RESTRICTION_COLUMNS`);
    ``inputs`` records the files they came from.
    """
    catalogue = catalogue or defence_catalogue()
    options = options or AssessmentOptions()
    used: list[Provenance] = []
    materials, stages = _material_frames(catalogue, options, used)
    countries_overview = build_country_overview(weights)
    countries = countries_overview.countries.reset_index().rename(columns={"index": "iso3"})
    countries = countries[["iso3", "name", "nl_split", *COUNTRY_INDICATORS, "weight_coverage"]]
    use, chain_records = _chain_use(store, catalogue)
    restricted = (
        pd.DataFrame(columns=list(RESTRICTION_COLUMNS), dtype=str)
        if restrictions is None
        else restrictions[list(RESTRICTION_COLUMNS)].astype(str)
    )
    all_inputs = [*inputs, *chain_records]
    settings = pd.DataFrame(
        {
            "wgi_years": [",".join(map(str, options.wgi_years))],
            "crma_limit": [options.crma_limit],
            "country_weights": [json.dumps(countries_overview.weights, sort_keys=True)],
            "reference_snapshot": [refdata.snapshot_version()],
            "inputs": [json.dumps([i.to_json() for i in inputs])],
        }
    )
    frames = {
        "materials": materials,
        "stages": stages,
        "countries": countries,
        "datasets": _datasets_frame([*used, *countries_overview.provenance.datasets]),
        "chain_use": use,
        "restrictions": restricted,
        "settings": settings,
    }
    info = store.save_snapshot(name, frames)
    parameters = {**options.describe(), "country_weights": countries_overview.weights, "snapshot": info.name}
    parameters.pop("reference_snapshot")
    datasets = [*used, *countries_overview.provenance.datasets]
    return Snapshot(info, frames, provenance(datasets, parameters, all_inputs))


@dataclass(frozen=True, slots=True)
class SnapshotListing:
    """Every stored snapshot, oldest first."""

    snapshots: tuple[SnapshotInfo, ...]
    provenance: ResultProvenance

    def frame(self) -> pd.DataFrame:
        """Return one row per snapshot: name and time."""
        return pd.DataFrame(
            {"name": [s.name for s in self.snapshots], "created_at": [s.created_at for s in self.snapshots]}
        )

    def to_json(self) -> dict[str, Any]:
        """Return the ``monitor list --format json`` document."""
        return {"snapshots": json_records(self.frame()), "provenance": self.provenance.to_json()}


def list_snapshots(store: Store) -> SnapshotListing:
    """Return every stored snapshot, oldest first."""
    return SnapshotListing(tuple(store.list_snapshots()), provenance())


def _record(info: SnapshotInfo) -> InputRecord:
    return InputRecord(role="snapshot", source=info.created_at, name=info.name)


def load_snapshot(store: Store, name: str | None = None) -> Snapshot:
    """Return a stored snapshot (the latest unless ``name`` is given); raise SnapshotNotFound."""
    if name is None:
        listed = store.list_snapshots()
        if not listed:
            raise SnapshotNotFound("", _(NO_SNAPSHOTS))
        name = listed[-1].name
    info, frames = store.load_snapshot(name)
    return Snapshot(info, frames, provenance(inputs=[_record(info)]))


def _previous(store: Store, name: str) -> Snapshot | None:
    """Return the snapshot stored just before ``name``, or None if it is the first."""
    names = [s.name for s in store.list_snapshots()]
    at = names.index(name)
    return load_snapshot(store, names[at - 1]) if at > 0 else None


@dataclass(frozen=True, slots=True)
class SnapshotDiff:
    """What changed from snapshot ``old`` to ``new``, by how much, and which chains it affects.

    ``materials``: material, stage ("" for the material as a whole), indicator, old, new,
    change, status. ``flags``: material, flag, old, new. ``countries``: iso3, indicator, old,
    new, change, status. ``datasets``: dataset, field, old, new. ``restrictions_added`` and
    ``restrictions_removed``: the restriction rows with the chains they hit. ``chains``: chain,
    materials, countries (what hit it).
    """

    old: SnapshotInfo
    new: SnapshotInfo
    tables: Mapping[str, pd.DataFrame]
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``monitor diff --format json`` document."""
        return {
            "old": {"name": self.old.name, "created_at": self.old.created_at},
            "new": {"name": self.new.name, "created_at": self.new.created_at},
            **{key: _json_table(frame) for key, frame in self.tables.items()},
            "provenance": self.provenance.to_json(),
        }


def _json_table(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Return a table's rows as JSON records, tuples as lists."""
    records = json_records(frame)
    for record in records:
        for key, value in record.items():
            if isinstance(value, tuple):
                record[key] = list(value)
    return records


def _material_diff(old: Snapshot, new: Snapshot) -> pd.DataFrame:
    """Return the material and per-stage indicator changes in one table (stage "" for the material)."""
    whole = compare_values(old.frame("materials"), new.frame("materials"), ["material"], MATERIAL_INDICATORS)
    staged = compare_values(old.frame("stages"), new.frame("stages"), ["material", "stage"], STAGE_INDICATORS)
    table = pd.concat([whole.assign(stage=""), staged], ignore_index=True)
    columns = ["material", "stage", "indicator", "old", "new", "change", "status"]
    return table[columns].sort_values(["material", "stage", "indicator"], ignore_index=True)


def _restriction_table(rows: pd.DataFrame, use: pd.DataFrame) -> pd.DataFrame:
    """Return restriction rows with the chains they hit."""
    if rows.empty:
        return pd.DataFrame(columns=[*RESTRICTION_COLUMNS, "chains"])
    return restriction_hits(rows[list(RESTRICTION_COLUMNS)], use)


def diff_snapshots(store: Store, old: str | None = None, new: str | None = None) -> SnapshotDiff:
    """Compare two snapshots (default: the two latest; with only ``old``, ``old`` against the latest)."""
    names = [s.name for s in store.list_snapshots()]
    if new is None:
        if not names:
            raise SnapshotNotFound("", _(NO_SNAPSHOTS))
        new = names[-1]
    if old is None:
        if len(names) < 2:
            raise SnapshotNotFound(
                "", _("a comparison needs two stored snapshots; the workspace has {n}").format(n=len(names))
            )
        old = names[-2]
    before, after = load_snapshot(store, old), load_snapshot(store, new)
    materials = _material_diff(before, after)
    flags = compare_flags(before.frame("materials"), after.frame("materials"), ["material"], FLAG_COLUMNS)
    countries = compare_values(
        before.frame("countries"), after.frame("countries"), ["iso3"], COUNTRY_INDICATORS
    )
    datasets = compare_labels(before.frame("datasets"), after.frame("datasets"), ["dataset"], DATASET_FIELDS)
    use = pd.concat([before.frame("chain_use"), after.frame("chain_use")], ignore_index=True)
    old_restrictions, new_restrictions_ = before.frame("restrictions"), after.frame("restrictions")
    added = _restriction_table(
        new_restrictions(old_restrictions, new_restrictions_), after.frame("chain_use")
    )
    removed = _restriction_table(
        new_restrictions(new_restrictions_, old_restrictions), before.frame("chain_use")
    )
    changed_materials = sorted(set(materials["material"]) | set(flags["material"]) | set(added["material"]))
    changed_countries = sorted(set(countries["iso3"]) | set(added["country"]))
    chains = affected_chains(use, changed_materials, changed_countries)
    tables = {
        "materials": materials,
        "flags": flags,
        "countries": countries,
        "datasets": datasets,
        "restrictions_added": added,
        "restrictions_removed": removed,
        "chains": chains,
    }
    return SnapshotDiff(
        before.info, after.info, tables, provenance(inputs=[_record(before.info), _record(after.info)])
    )


ALERT_COLUMNS = (
    "rule",
    "kind",
    "subject",
    "indicator",
    "value",
    "previous",
    "threshold",
    "crossed",
    "chains",
    "detail",
)


@dataclass(frozen=True, slots=True)
class AlertReport:
    """The alerts that fired on a snapshot: one row per rule and subject (material, country, restriction)."""

    snapshot: SnapshotInfo
    previous: SnapshotInfo | None
    rules: tuple[AlertRule, ...]
    alerts: pd.DataFrame
    notes: tuple[str, ...]
    provenance: ResultProvenance = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """Return the ``monitor alerts --format json`` document."""
        return {
            "snapshot": self.snapshot.name,
            "compared_with": self.previous.name if self.previous else None,
            "rules": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "threshold": r.threshold,
                    "scope": r.scope,
                    "indicator": r.indicator,
                    "value": r.value,
                    "description": r.description,
                }
                for r in self.rules
            ],
            "alerts": _json_table(self.alerts),
            "notes": list(self.notes),
            "provenance": self.provenance.to_json(),
        }


def _indexed(frame: pd.DataFrame, key: str, column: str) -> pd.Series:
    """Return one column of a snapshot frame indexed by its key (empty if the frame lacks it)."""
    if column not in frame.columns:
        return pd.Series(dtype=np.float64)
    return frame.set_index(key)[column].astype(np.float64)


def _rule_alerts(rule: AlertRule, snap: Snapshot, before: Snapshot | None, notes: list[str]) -> pd.DataFrame:
    """Return the alerts of one rule on a snapshot (compared with ``before`` where the rule needs it)."""
    use = snap.frame("chain_use")
    only_chains = rule.scope == "chains"
    prior = before.frame if before is not None else None
    if rule.kind in ("supply_risk_above", "country_risk_above"):
        assert rule.threshold is not None
        frame_name, key, column = (
            ("materials", "material", f"sr_{rule.value}")
            if rule.kind == "supply_risk_above"
            else ("countries", "iso3", "composite_risk")
        )
        fired = threshold_alerts(
            _indexed(snap.frame(frame_name), key, column),
            rule.threshold,
            chains_by(use, "material" if key == "material" else "country"),
            previous=_indexed(prior(frame_name), key, column) if prior else None,
            only_in_chains=only_chains,
        )
        return fired.rename(columns={"key": "subject"}).assign(indicator=column, detail="")
    if rule.kind == "indicator_change":
        assert rule.threshold is not None and rule.indicator is not None
        if before is None:
            notes.append(_(NO_EARLIER_SNAPSHOT).format(rule=rule.id))
            return pd.DataFrame()
        material = rule.indicator in MATERIAL_INDICATORS
        frame_name, key = ("materials", "material") if material else ("countries", "iso3")
        fired = change_alerts(
            _indexed(before.frame(frame_name), key, rule.indicator),
            _indexed(snap.frame(frame_name), key, rule.indicator),
            rule.threshold,
            chains_by(use, "material" if material else "country"),
            only_in_chains=only_chains,
        )
        return fired.rename(columns={"key": "subject"}).assign(indicator=rule.indicator, detail="")
    # export_restriction: a restriction in this snapshot and not in the one before.
    if before is None:
        notes.append(_(EVERY_RESTRICTION_NEW).format(rule=rule.id, snapshot=snap.info.name))
    earlier = (
        before.frame("restrictions")
        if before is not None
        else pd.DataFrame(columns=list(RESTRICTION_COLUMNS))
    )
    hits = _restriction_table(new_restrictions(earlier, snap.frame("restrictions")), use)
    if only_chains:
        hits = hits.loc[used_by_a_chain(hits["chains"])]
    # Codes and the user's own text: the detail reads the same in every language and in JSON.
    stage = hits["stage"].where(hits["stage"] != "", "any")
    return pd.DataFrame(
        {
            "subject": (hits["country"] + "/" + hits["material"]).to_numpy(),
            "indicator": "export_restriction",
            "value": np.nan,
            "previous": np.nan,
            "crossed": None,
            "chains": hits["chains"].to_numpy(dtype=object),
            "detail": (
                "stage: " + stage + "; since: " + hits["since"] + "; source: " + hits["source"]
            ).to_numpy(dtype=object),
        }
    )


def evaluate_alerts(store: Store, rules: Sequence[AlertRule], snapshot: str | None = None) -> AlertReport:
    """Evaluate alert rules on a snapshot (the latest unless named) against the stored chains.

    Rules on a change (indicator_change, export_restriction) compare with the snapshot stored
    just before it.
    """
    snap = load_snapshot(store, snapshot)
    before = _previous(store, snap.info.name)
    notes: list[str] = []
    tables = []
    for rule in rules:
        fired = _rule_alerts(rule, snap, before, notes)
        if len(fired):
            tables.append(fired.assign(rule=rule.id, kind=rule.kind, threshold=rule.threshold))
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ALERT_COLUMNS})
    alerts = pd.concat([empty, *tables], ignore_index=True)[list(ALERT_COLUMNS)]
    for column in ("value", "previous", "threshold"):
        alerts[column] = alerts[column].astype(np.float64)
    records = [_record(snap.info), *([_record(before.info)] if before else [])]
    parameters = {"rules": [r.id for r in rules]}
    return AlertReport(
        snap.info,
        before.info if before else None,
        tuple(rules),
        alerts,
        tuple(notes),
        provenance((), parameters, records),
    )


@dataclass(frozen=True, slots=True)
class KeyFigures:
    """Industry key figures as series: the report's figures and those users added, each with its source.

    ``figures``: metric, year (missing where the source gives none), period (as printed),
    value, unit, qualifier, source, note, origin (``reference`` or ``workspace``).
    ``missing`` lists the headline metrics (:data:`HEADLINE_METRICS`) without any figure.
    """

    figures: pd.DataFrame
    missing: tuple[str, ...]
    added: int
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``monitor key-figures --format json`` document: figures grouped per metric."""
        series = []
        for metric, rows in self.figures.groupby("metric", sort=True):
            series.append(
                {
                    "metric": metric,
                    "values": json_records(rows.drop(columns="metric")),
                }
            )
        return {
            "series": series,
            "missing_metrics": list(self.missing),
            "added": self.added,
            "provenance": self.provenance.to_json(),
        }


def _reference_figures() -> pd.DataFrame:
    """Return the report's key figures; a year is kept only where the source prints one year."""
    raw = refdata.read_dataset(_KEY_FIGURE_DATASET)
    printed = raw["year"].astype("string").fillna("")
    single = printed.str.fullmatch(r"\d{4}")
    return pd.DataFrame(
        {
            "metric": raw["metric"].astype(str),
            "year": pd.array(np.where(single, printed, None), dtype="Int64"),
            "period": printed.to_numpy(dtype=object),
            "value": raw["value"].astype(np.float64),
            "unit": raw["unit"].astype(str),
            "qualifier": raw["qualifier"].astype("string").fillna("").to_numpy(dtype=object),
            "source": raw["source"].astype(str),
            "note": raw["note"].astype("string").fillna("").to_numpy(dtype=object),
            "origin": "reference",
        }
    )


def series_units(store: Store) -> dict[str, str]:
    """Return the unit of each key-figure series the reference data or the workspace holds."""
    figures = pd.concat([_reference_figures(), store.key_figures()], ignore_index=True)
    return dict(zip(figures["metric"], figures["unit"], strict=True))


def key_figures(store: Store, *, added: int = 0, inputs: Sequence[InputRecord] = ()) -> KeyFigures:
    """Return the key-figure series: the report's figures and those stored in the workspace."""
    stored = store.key_figures()
    user = pd.DataFrame(
        {
            "metric": stored["metric"],
            "year": stored["year"].astype("Int64"),
            "period": stored["year"].astype(str),
            "value": stored["value"],
            "unit": stored["unit"],
            "qualifier": stored["qualifier"],
            "source": stored["source"],
            "note": stored["note"],
            "origin": "workspace",
        }
    )
    figures = pd.concat([_reference_figures(), user], ignore_index=True)
    figures = figures.sort_values(["metric", "year", "source"], na_position="first", ignore_index=True)
    missing = tuple(m for m in HEADLINE_METRICS if m not in set(figures["metric"]))
    return KeyFigures(figures, missing, added, provenance([_KEY_FIGURE_DATASET], {}, inputs))


def add_key_figures(store: Store, figures: pd.DataFrame, *, file: InputRecord) -> KeyFigures:
    """Store checked key-figure rows from a user file (one transaction); return the updated series.

    Raise InputFileError naming each row whose metric, year and source are already stored.
    """
    from ketenradar.errors import InputFileError, Problem

    stored = store.key_figures()
    keys = ["metric", "year", "source"]
    lines = (
        figures["_row"] if "_row" in figures.columns else pd.Series(figures.index + 2, index=figures.index)
    )
    clash = figures[keys].reset_index().merge(stored[keys].astype({"year": np.int64}), on=keys)["index"]
    if len(clash):
        raise InputFileError(
            [
                Problem(
                    file=file.source,
                    row=int(lines.loc[i]),
                    column="year",
                    value=str(figures.loc[i, "year"]),
                    message=_("a figure for {metric} in this year from this source is already stored").format(
                        metric=figures.loc[i, "metric"]
                    ),
                    expected=_("figures not yet in the workspace"),
                )
                for i in clash
            ]
        )
    rows = figures.assign(file=file.source)
    count = store.add_key_figures(rows)
    return key_figures(store, added=count, inputs=[file])
