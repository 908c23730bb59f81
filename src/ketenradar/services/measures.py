"""Mitigation measures (F16): the catalogue, measures matched to findings, and ranked effects.

The catalogue is the seed report's measures with its ratings (Berenschot 2024) and the shares
of companies taking each kind of measure; a user's CSV can add or re-rate measures. Matching
rules (a shipped YAML, replaceable) point findings on a chain to catalogue measures. A measures
file changes copies of the chain; the scenario is re-run on each copy and the effects ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import InputFileError, Problem
from ketenradar.ingest.measures_file import (
    RESERVED_ID,
    read_matching_rules,
    read_measure_catalogue,
    read_measures,
)
from ketenradar.locale import N_, _, format_percent
from ketenradar.mitigation.catalogue import (
    MEASURE_TYPES,
    effort_scores,
    measure_types_of,
    rating_scores,
)
from ketenradar.mitigation.matching import RULES, MatchingRule, applicable_measures, find_findings
from ketenradar.mitigation.measures import Measure, MeasureNotApplicable, apply_measure, apply_measures
from ketenradar.mitigation.ranking import rank_measures
from ketenradar.model.chain import Chain
from ketenradar.model.material import MaterialCatalogue
from ketenradar.model.scenario import Scenario
from ketenradar.network.build import build_chain_matrix
from ketenradar.scenarios.availability import run_scenario
from ketenradar.scenarios.montecarlo import YEAR_DAYS, monte_carlo
from ketenradar.scenarios.simulate import simulate
from ketenradar.services.chains import OpenedChain, chain_records
from ketenradar.services.jsonable import json_value
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.provenance import InputRecord, ResultProvenance, input_file, provenance
from ketenradar.services.scenarios import LoadedScenario, scenario_inputs, scenario_sources
from ketenradar.storage.base import ChainVersion, Store

__all__ = [
    "COMBINED_ID",
    "MEASURES_RULE",
    "MatchedMeasures",
    "MeasureCatalogueResult",
    "MeasureEffects",
    "load_matching_rules",
    "match_measures",
    "measure_catalogue",
    "rank_measures_on_chain",
    "save_changed_chain",
]

COMBINED_ID = RESERVED_ID
PARTIAL_SUBSTITUTE = N_(
    "measure {id} substitutes {share} of a material: the baseline rule takes a parent's inputs as "
    "complements, so the part still made of the material limits it as before and only a full "
    "substitute (share 1) changes availability or days lost; for a partial substitute over time "
    "use scenario simulate --substitutes"
)
MEASURES_RULE = N_(
    "each measure changes a copy of the chain and the scenario is re-run on it: availability by "
    "the baseline rule and platform-days lost over 365 days (or the Monte Carlo mean); loss "
    "avoided = Σ over platforms of days lost before − after"
)
_CATALOGUE_DATASETS = ("seed_mitigation_measures", "seed_measures_taken")
_RULES_RESOURCE = ("measures", "matching_rules.yaml")
_NOT_APPLICABLE = {
    "no_rows_at_stage": N_("the item has no supply at that stage to share with a new supplier"),
    "country_not_at_stage": N_("the item has no supply from that country at that stage"),
    "nothing_remains": N_(
        "removing the country leaves the item no supply at that stage; add a supplier first"
    ),
}


# ----------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True, slots=True)
class MeasureCatalogueResult:
    """The measure catalogue with the report's ratings and the shares of companies taking measures.

    ``measures``: measure_id, actor, cluster, strategy, type, measure, measure_nl, impact,
    time_horizon, investment, complexity (words; empty where the report gives none),
    impact_score (1–3), effort (investment + complexity, 2–6), origin (``report`` or ``user``).
    ``taken``: rank, measure, measure_nl, pct_companies (% of NLDTIB respondents).
    """

    measures: pd.DataFrame
    taken: pd.DataFrame
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the ``measures list --format json`` document."""
        columns = [
            "measure_id",
            "actor",
            "cluster",
            "strategy",
            "type",
            "measure",
            "measure_nl",
            "impact",
            "time_horizon",
            "investment",
            "complexity",
            "impact_score",
            "effort",
            "origin",
        ]
        return {
            "measures": [
                {c: _json_cell(row[c], f"/measures/{n}/{c}") for c in columns}
                for n, row in enumerate(self.measures.to_dict("records"))
            ],
            "measure_types": [
                {"type": key, "label": _(label), "strategy": strategy}
                for key, (strategy, label) in MEASURE_TYPES.items()
            ],
            "taken": [
                {
                    "rank": int(row["rank"]),
                    "measure": row["measure"],
                    "measure_nl": row["measure_nl"],
                    "pct_companies": json_value(row["pct_companies"], f"/taken/{n}/pct_companies"),
                }
                for n, row in enumerate(self.taken.to_dict("records"))
            ],
            "provenance": self.provenance.to_json(),
        }


def _json_cell(value: Any, where: str) -> Any:
    """Return a JSON cell: empty text as None (a rating the report does not give stays missing)."""
    if isinstance(value, str):
        return value or None
    return json_value(value, where)


def _shipped_catalogue() -> pd.DataFrame:
    """Return the report's measures with their type, scores and origin ``report``."""
    raw = refdata.read_dataset("seed_mitigation_measures")
    text = ["actor", "cluster", "strategy", "measure", "measure_nl"]
    ratings = ["impact", "time_horizon", "investment", "complexity"]
    frame = raw[["measure_id", *text, *ratings]].copy()
    for column in (*text, *ratings):
        frame[column] = frame[column].fillna("").astype(str)
    frame.insert(4, "type", measure_types_of(frame["strategy"]))
    frame["origin"] = "report"
    return frame


def _with_scores(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the catalogue with impact_score and effort computed from its words."""
    return frame.assign(
        impact_score=rating_scores(frame["impact"].replace("", np.nan)),
        effort=effort_scores(
            frame["investment"].replace("", np.nan), frame["complexity"].replace("", np.nan)
        ),
    )


def _merge_user_catalogue(shipped: pd.DataFrame, user: pd.DataFrame) -> pd.DataFrame:
    """Return the shipped catalogue with the user's rows: re-rated where the id exists, else added."""
    frame = shipped.set_index("measure_id")
    for row in user.to_dict("records"):
        measure_id = str(row["measure_id"])
        if measure_id not in frame.index:
            frame.loc[measure_id] = ""
            frame.loc[measure_id, "origin"] = "user"
        else:
            frame.loc[measure_id, "origin"] = "user"
        for column, value in row.items():
            if column != "measure_id" and isinstance(value, str) and value != "":
                frame.loc[measure_id, column] = value
    return frame.reset_index()


def measure_catalogue(catalogue_file: str | Path | None = None) -> MeasureCatalogueResult:
    """Return the measure catalogue (the report's, with a user's CSV of added or re-rated measures)."""
    frame = _shipped_catalogue()
    records: tuple[InputRecord, ...] = ()
    if catalogue_file is not None:
        user = read_measure_catalogue(catalogue_file, list(MEASURE_TYPES))
        frame = _merge_user_catalogue(frame, user)
        records = (input_file("measure_catalogue", catalogue_file),)
    taken = refdata.read_dataset("seed_measures_taken")[["rank", "measure", "measure_nl", "pct_companies"]]
    parameters = {"ratings": "low=1, medium=2, high=3; effort = investment + complexity"}
    return MeasureCatalogueResult(
        measures=_with_scores(frame),
        taken=taken.reset_index(drop=True),
        provenance=provenance(_CATALOGUE_DATASETS, parameters, records),
    )


# ------------------------------------------------------------------------------------ matching


def load_matching_rules(path: str | Path | None = None) -> tuple[dict[str, MatchingRule], InputRecord]:
    """Read the matching rules (the shipped default unless a YAML/JSON file is given).

    Refuses, all at once: an unknown rule or key, a threshold that is not a number, a rule
    without measures.
    """
    if path is None:
        resource = resources.files("ketenradar.demo_data").joinpath(*_RULES_RESOURCE)
        with resources.as_file(resource) as shipped:
            return _rules(Path(shipped)), input_file("matching_rules", shipped)
    return _rules(Path(path)), input_file("matching_rules", path)


def _rules(path: Path) -> dict[str, MatchingRule]:
    """Read a matching rules file into rules."""
    return {
        name: MatchingRule(
            name=name,
            measures=tuple(fields["measures"]),
            threshold=fields["threshold"],
            max_lead_time_days=fields["max_lead_time_days"],
        )
        for name, fields in read_matching_rules(path, RULES).items()
    }


def _si_sr_by_material() -> pd.Series:
    """Return the EC SI_SR per material, the largest over the stages the EC gives."""
    parameters = refdata.load_ec_parameters().frame
    return parameters.groupby("material")["si_sr"].max()


@dataclass(frozen=True, slots=True)
class MatchedMeasures:
    """Findings on a chain and the catalogue measures that apply to each, with provenance.

    ``findings``: rule, item, material, stage, country, value, evaluated. ``applicable``: the
    findings joined with the catalogue's measure ids their rule points to.
    """

    chain: Chain
    findings: pd.DataFrame
    applicable: pd.DataFrame
    catalogue: MeasureCatalogueResult
    rules: Mapping[str, MatchingRule]
    provenance: ResultProvenance

    def to_json(self) -> dict[str, Any]:
        """Return the findings with their applicable measures (``measures list --chain``)."""
        by_finding = self.applicable.groupby(["rule", "item", "stage", "country"], sort=False, dropna=False)[
            "measure_id"
        ].agg(lambda ids: sorted(str(i) for i in ids if isinstance(i, str)))
        findings = []
        for n, row in enumerate(self.findings.to_dict("records")):
            key = (row["rule"], row["item"], row["stage"], row["country"])
            findings.append(
                {
                    "rule": row["rule"],
                    "item": row["item"] or None,
                    "material": row["material"] or None,
                    "stage": row["stage"] or None,
                    "country": row["country"] or None,
                    "value": json_value(row["value"], f"/findings/{n}/value"),
                    "evaluated": bool(row["evaluated"]),
                    "measures": by_finding.get(key, []),
                }
            )
        return {
            "chain": self.chain.name,
            "rules": {
                name: {
                    "measures": list(rule.measures),
                    "threshold": rule.threshold,
                    "max_lead_time_days": rule.max_lead_time_days,
                }
                for name, rule in self.rules.items()
            },
            "findings": findings,
            **{key: value for key, value in self.catalogue.to_json().items() if key != "provenance"},
            "provenance": self.provenance.to_json(),
        }


def match_measures(
    opened: OpenedChain | Chain,
    catalogue: MaterialCatalogue,
    *,
    scenario: LoadedScenario | Scenario | None = None,
    rules_file: str | Path | None = None,
    catalogue_file: str | Path | None = None,
) -> MatchedMeasures:
    """Find the chain's findings by the matching rules and the catalogue measures for each."""
    rules, rules_record = load_matching_rules(rules_file)
    measures = measure_catalogue(catalogue_file)
    world = world_supply_shares(catalogue)
    own: pd.Series | None = None
    if scenario is not None:
        chain, spec, records = scenario_inputs(opened, scenario)
        result = run_scenario(chain, build_chain_matrix(chain), spec, world)
        own = pd.Series(result.own_availability, index=pd.Index(np.asarray(result.labels, dtype=object)))
    else:
        chain, records = chain_records(opened)
    findings = find_findings(chain, world, _si_sr_by_material(), rules, own)
    applicable = applicable_measures(findings, rules, measures.measures)
    used = provenance(
        [*_CATALOGUE_DATASETS, "ec_global_supply", "ec_parameters"],
        {"rules": {name: rule.threshold for name, rule in rules.items()}},
        (*records, rules_record, *measures.provenance.inputs),
    )
    return MatchedMeasures(chain, findings, applicable, measures, rules, used)


# ------------------------------------------------------------------------------------- effects


@dataclass(frozen=True, slots=True)
class MeasureEffects:
    """Each measure's effect on the platforms under a scenario, ranked, with provenance.

    ``measures``: one row per measure (and ``combined`` for a chosen set): id, kind, name, item,
    measure_type, cost_eur, loss_avoided (platform-days, Σ over platforms), loss_avoided_per_eur,
    impact, effort, time_horizon, rank. ``platforms``: one row per measure and platform: measure,
    id, availability_before/after, days_lost_before/after. ``changed`` is the chain with the
    combined set (or all measures) applied, for ``--save-as``.
    """

    chain: Chain
    scenario: Scenario
    measures: pd.DataFrame
    platforms: pd.DataFrame
    combined: tuple[str, ...]
    changed: Chain
    method: str
    draws: int | None
    seed: int | None
    provenance: ResultProvenance
    notes: tuple[dict[str, Any], ...] = ()

    def impact_effort(self) -> pd.DataFrame:
        """Return per measure: id, label, impact (1–3), effort (2–6), time_horizon, loss_avoided.

        The frame :func:`ketenradar.reports.charts.impact_effort_chart` draws; ``label`` is the
        measure's name, else its id; ``time_horizon`` is empty where the catalogue gives none.
        """
        frame = self.measures
        label = frame["name"].where(frame["name"].astype(str) != "", frame["id"])
        return frame[["id", "impact", "effort", "time_horizon", "loss_avoided"]].assign(
            label=label.to_numpy()
        )

    def to_json(self) -> dict[str, Any]:
        """Return the ``measures rank --format json`` document (see the CLI contract)."""
        platforms = self.platforms.groupby("measure", sort=False)
        entries = []
        for n, row in enumerate(self.measures.to_dict("records")):
            rows = platforms.get_group(row["id"]).to_dict("records")
            entries.append(
                {
                    "id": row["id"],
                    "kind": row["kind"],
                    "name": row["name"] or None,
                    "item": row["item"] or None,
                    "measure_type": row["measure_type"] or None,
                    "platforms": [
                        {
                            "id": p["id"],
                            **{
                                key: json_value(p[key], f"/measures/{n}/platforms/{m}/{key}")
                                for key in (
                                    "availability_before",
                                    "availability_after",
                                    "days_lost_before",
                                    "days_lost_after",
                                )
                            },
                        }
                        for m, p in enumerate(rows)
                    ],
                    **{
                        key: json_value(row[key], f"/measures/{n}/{key}")
                        for key in ("cost_eur", "loss_avoided", "loss_avoided_per_eur", "impact", "effort")
                    },
                    "time_horizon": row["time_horizon"] or None,
                    "rank": int(row["rank"]),
                }
            )
        return {
            "scenario": self.scenario.name,
            "rule": _(MEASURES_RULE),
            "method": self.method,
            "horizon_days": YEAR_DAYS,
            "draws": self.draws,
            "seed": self.seed,
            "combined": list(self.combined),
            "measures": entries,
            "notes": list(self.notes),
            "sources": scenario_sources(self.scenario, self.provenance),
            "provenance": self.provenance.to_json(),
        }


def _platform_effect(
    chain: Chain,
    spec: Scenario,
    world: pd.DataFrame,
    draws: int | None,
    seed: int,
) -> pd.DataFrame:
    """Return per platform id: availability (baseline rule) and days lost (365 days or MC mean)."""
    matrix = build_chain_matrix(chain)
    result = run_scenario(chain, matrix, spec, world)
    ids = np.asarray(result.labels[result.platform_positions], dtype=object)
    if draws is None:
        lost = simulate(chain, matrix, spec, world, YEAR_DAYS).days_lost
    else:
        lost = monte_carlo(chain, matrix, spec, world, draws, seed).mean_days_lost
    return pd.DataFrame(
        {"availability": result.availability[result.platform_positions], "days_lost": lost},
        index=pd.Index(ids, name="id"),
    )


def _changed_chains(
    chain: Chain,
    measures: Sequence[Measure],
    world: pd.DataFrame,
    names: dict[str, str],
    file: str,
) -> list[Chain]:
    """Return the chain with each measure applied alone; refuse all inapplicable measures at once."""
    changed: list[Chain] = []
    problems: list[Problem] = []
    for position, measure in enumerate(measures, start=1):
        try:
            changed.append(apply_measure(chain, measure, world, names))
        except MeasureNotApplicable as error:
            problems.append(
                Problem(
                    file=file,
                    column=_("measures {n} ({id})").format(n=position, id=measure.id),
                    message=_(_NOT_APPLICABLE[error.reason]),
                    expected=_("a measure that the chain leaves something to change for"),
                )
            )
    if problems:
        raise InputFileError(problems)
    return changed


def _catalogue_ratings(measures: Sequence[Measure], catalogue: pd.DataFrame) -> pd.DataFrame:
    """Return impact (1–3), effort (2–6) and time_horizon of each measure's catalogue entry.

    Only a ``measure_type`` that is a catalogue id carries the report's ratings; a measure type
    key covers several rated measures and gets none (no average is made up).
    """
    by_id = catalogue.set_index("measure_id")
    keys = [m.measure_type or "" for m in measures]
    found = by_id.reindex(keys)
    return pd.DataFrame(
        {
            "impact": found["impact_score"].to_numpy(dtype=np.float64),
            "effort": found["effort"].to_numpy(dtype=np.float64),
            "time_horizon": found["time_horizon"].fillna("").astype(str).to_numpy(dtype=object),
        }
    )


def rank_measures_on_chain(
    opened: OpenedChain | Chain,
    scenario: LoadedScenario | Scenario,
    catalogue: MaterialCatalogue,
    measures_file: str | Path,
    *,
    combine: Sequence[str] | None = None,
    draws: int | None = None,
    seed: int = 0,
    catalogue_file: str | Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MeasureEffects:
    """Re-run the scenario with each measure of the file alone (and a combined set); rank them.

    ``combine`` names measure ids to apply together (``["all"]`` for every one); ``draws``
    switches days lost from the 365-day simulation to the Monte Carlo mean over that many draws
    with ``seed``. The measures file is checked against the chain before anything is computed.
    """
    chain, spec, records = scenario_inputs(opened, scenario)
    entries = measure_catalogue(catalogue_file)
    type_keys = [*MEASURE_TYPES, *entries.measures["measure_id"].astype(str)]
    read = read_measures(measures_file, chain, list(catalogue), type_keys)
    measures = [Measure(**entry) for entry in read]
    file = str(measures_file)
    combined = _combined_ids(measures, combine, file)
    world = world_supply_shares(catalogue)
    names = {m: catalogue[m].name_en for m in catalogue}
    changed = _changed_chains(chain, measures, world, names, file)
    chosen = [m for m in measures if m.id in set(combined)] if combined else list(measures)
    together = apply_measures(chain, chosen, world, names)
    runs = [*changed, together] if combined else changed
    total = len(runs) + 1
    before = _platform_effect(chain, spec, world, draws, seed)
    if progress is not None:
        progress(1, total)
    afters = []
    for n, changed_chain in enumerate(runs, start=2):
        afters.append(_platform_effect(changed_chain, spec, world, draws, seed))
        if progress is not None:
            progress(n, total)
    ids = [m.id for m in measures] + ([COMBINED_ID] if combined else [])
    platform_rows = [
        pd.DataFrame(
            {
                "measure": measure_id,
                "id": before.index.to_numpy(dtype=object),
                "availability_before": before["availability"].to_numpy(),
                "availability_after": after["availability"].reindex(before.index).to_numpy(),
                "days_lost_before": before["days_lost"].to_numpy(),
                "days_lost_after": after["days_lost"].reindex(before.index).to_numpy(),
            }
        )
        for measure_id, after in zip(ids, afters, strict=True)
    ]
    platforms = pd.concat(platform_rows, ignore_index=True)
    avoided = (
        (platforms["days_lost_before"] - platforms["days_lost_after"])
        .groupby(platforms["measure"], sort=False)
        .sum()
    )
    costs = np.array([np.nan if m.cost_eur is None else m.cost_eur for m in measures], dtype=np.float64)
    if combined:
        costs = np.append(costs, _combined_cost(chosen))
    loss = avoided.reindex(ids).to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_eur = np.where(costs > 0, loss / costs, np.nan)
    ratings = _catalogue_ratings(measures, entries.measures)
    if combined:
        ratings = pd.concat(
            [ratings, pd.DataFrame({"impact": [np.nan], "effort": [np.nan], "time_horizon": [""]})],
            ignore_index=True,
        )
    frame = pd.DataFrame(
        {
            "id": ids,
            "kind": [m.kind for m in measures] + (["combination"] if combined else []),
            "name": [m.name for m in measures] + ([", ".join(combined)] if combined else []),
            "item": [m.item for m in measures] + ([""] if combined else []),
            "measure_type": [m.measure_type or "" for m in measures] + ([""] if combined else []),
            "cost_eur": costs,
            "loss_avoided": loss,
            "loss_avoided_per_eur": per_eur,
            **{c: ratings[c].to_numpy() for c in ("impact", "effort", "time_horizon")},
        }
    )
    frame["rank"] = rank_measures(frame)
    frame = frame.sort_values("rank", kind="stable").reset_index(drop=True)
    method = "simulation" if draws is None else "montecarlo"
    parameters = {
        "rule": "measures v1",
        "method": method,
        "horizon_days": YEAR_DAYS,
        "draws": draws,
        "combined": list(combined),
        "world_shares": "EC 2023 global supply",
    }
    used = provenance(
        ["ec_global_supply", *_CATALOGUE_DATASETS],
        parameters,
        (*records, input_file("measures", measures_file), *entries.provenance.inputs),
        seed=None if draws is None else seed,
    )
    return MeasureEffects(
        chain=chain,
        scenario=spec,
        measures=frame,
        platforms=platforms,
        combined=tuple(combined),
        changed=together,
        method=method,
        draws=draws,
        seed=None if draws is None else seed,
        provenance=used,
        notes=tuple(
            {
                "code": "partial_substitute",
                "measure": m.id,
                "text": _(PARTIAL_SUBSTITUTE).format(id=m.id, share=format_percent(m.share or 0.0, 0)),
            }
            for m in measures
            if m.kind == "substitute" and (m.share or 0.0) < 1.0
        ),
    )


def _combined_ids(measures: Sequence[Measure], combine: Sequence[str] | None, file: str) -> list[str]:
    """Return the ids to combine (``all`` = every measure), refusing ids the file does not have."""
    if not combine:
        return []
    ids = [m.id for m in measures]
    if list(combine) == ["all"]:
        return ids
    unknown = [c for c in combine if c not in ids]
    if unknown:
        raise InputFileError(
            [
                Problem(
                    file=file,
                    message=_("no measure of the file has this id"),
                    expected=_("an id of the measures file, or all"),
                    value=c,
                )
                for c in unknown
            ]
        )
    return [i for i in ids if i in set(combine)]


def _combined_cost(chosen: Sequence[Measure]) -> float:
    """Return the sum of the chosen measures' costs, NaN if any has none (no cost is assumed)."""
    costs = [m.cost_eur for m in chosen]
    return float("nan") if any(c is None for c in costs) else float(sum(c for c in costs if c is not None))


def save_changed_chain(
    effects: MeasureEffects, store: Store, name: str, catalogue: MaterialCatalogue
) -> ChainVersion:
    """Store the chain with the combined set (or all measures) applied as the next version of ``name``.

    The chain the measures were applied to is never changed; this stores a new version only.
    """
    from ketenradar.services.materials import defence_catalogue

    shipped = set(defence_catalogue())
    used = set(effects.changed.items["material"])
    extra = [m for m in catalogue.values() if m.id in used and m.id not in shipped]
    return store.save_chain(effects.changed.with_frames(name=name), materials=extra)
