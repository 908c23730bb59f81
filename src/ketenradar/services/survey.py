"""The sector picture from questionnaires (F6): published tables of company counts.

Published tables are counts of companies with statistical disclosure control: each table is
suppressed together with its margins, and a margin shared by several tables (companies per
domain) is taken from one table only, so two published tables can never be combined to undo a
suppression. Percentages are shown only where both the count and its denominator are published.
The risk-impact matrices (F7) built on these tables are in :mod:`ketenradar.services.matrix`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ketenradar import refdata
from ketenradar.errors import NotFound, SurveyNotFound
from ketenradar.ingest.questionnaire import read_survey
from ketenradar.locale import N_, _
from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.model.vocabulary import CHAIN_POSITIONS, MEASURES, SURVEY_DOMAINS, VISIBILITY_LEVELS
from ketenradar.risk.disclosure import DisclosureRules, primary_suppression, secondary_suppression
from ketenradar.risk.releases import (
    WITHHELD_FEW_CHANGES,
    WITHHELD_UNPROTECTABLE,
    ReleaseChange,
    check_release,
)
from ketenradar.services.jsonable import json_value
from ketenradar.services.provenance import InputRecord, ResultProvenance, input_file, provenance
from ketenradar.services.synth import SYNTHETIC_NOTE, synthetic_survey
from ketenradar.storage.base import Store

__all__ = [
    "TOTAL",
    "DisclosedTable",
    "DisclosureRules",
    "OpenedSurvey",
    "ReleaseComparison",
    "SurveySummary",
    "changed_companies",
    "dis_area_names",
    "open_survey",
    "respondents_by_domain",
    "summarise_survey",
]

TOTAL = "total"
DEMO_SURVEY_COMPANIES, DEMO_SURVEY_SEED = 286, 2024
UNSUPPRESSED_NOTE = N_("UNSUPPRESSED view: disclosure control switched off; not for publication")
SECONDARY_RULE = "every published margin has 0 or at least 2 suppressed cells"
ZERO_RULE = "no published 0 pins a suppressed cell to its line's suppressed total"
AUDIT_RULE = (
    "where lines cross, a linear programme over every published cell (zeros included) leaves "
    "each suppressed cell a range wider than 0.5 companies"
)
RELEASE_RULE = (
    "cells whose change since the previous release concerns fewer than min_companies companies "
    "are suppressed with decoys; a table suppression cannot protect is withheld"
)
CHECKED_NOTE = N_(
    "Checked against the release of version {version} of {name}: cells whose change since then "
    "concerns fewer than {n} companies are suppressed, with further cells so the change cannot be placed."
)
CHECKED_UNVERSIONED_NOTE = N_(
    "Checked against the previous release ({name}): cells whose change since then concerns fewer "
    "than {n} companies are suppressed, with further cells so the change cannot be placed."
)
FIRST_VERSION_NOTE = N_(
    "Version {version} of {name} is its first: there is no earlier release to check against."
)
WITHHELD_NOTES = {
    WITHHELD_FEW_CHANGES: N_(
        "Withheld, because fewer than {n} companies differ from the previous release and suppressed "
        "cells in tables of multiple answers would show what they answered: {titles}."
    ),
    WITHHELD_UNPROTECTABLE: N_(
        "Withheld, because suppression cannot hide what differs from the previous release: {titles}."
    ),
}


def dis_area_names() -> list[str]:
    """Return the DIS areas of the questionnaire, as the report names them."""
    return list(refdata.load_dis_areas()["area"])


@dataclass(frozen=True, slots=True)
class OpenedSurvey:
    """Questionnaire answers with the record of where they came from.

    A stored survey also carries its ``version`` and the ``earlier`` stored versions whose
    releases it is checked against (oldest first; the last one is the release compared with).
    """

    survey: Survey
    record: InputRecord
    seed: int | None = None
    version: int | None = None
    earlier: tuple[OpenedSurvey, ...] = ()


def _stored(survey: Survey, version: int) -> OpenedSurvey:
    """Return a stored survey version with its record."""
    record = InputRecord(role="survey", source=survey.source, name=survey.name, version=version)
    return OpenedSurvey(survey, record, version=version)


def open_survey(
    reference: str | None, store: Store | None, materials: list[str], *, against: int | None = None
) -> OpenedSurvey:
    """Return the survey at a path, the stored survey of that name, or the synthetic demo set.

    A stored survey comes with the versions before it, so that its summary is checked against
    the previous release (``against``: an earlier version to check against instead).
    """
    if reference is None:
        survey = synthetic_survey(DEMO_SURVEY_COMPANIES, seed=DEMO_SURVEY_SEED)
        return OpenedSurvey(
            survey, InputRecord(role="survey", source=survey.source, name=survey.name), DEMO_SURVEY_SEED
        )
    path = Path(reference)
    if path.exists() or path.suffix.lower() in (".xlsx", ".json"):
        return OpenedSurvey(read_survey(path, materials), input_file("survey", path))
    if store is None:
        raise SurveyNotFound(reference)
    versions = store.survey_versions(reference)
    if not versions:
        raise SurveyNotFound(reference)
    latest = versions[-1]
    if against is not None and against not in versions[:-1]:
        raise NotFound(
            _("survey {name!r} has no version {version} before version {latest} (stored: {versions})").format(
                name=reference, version=against, latest=latest, versions=", ".join(map(str, versions))
            ),
            reference,
            against,
        )
    # Each earlier release was itself checked against the one before it, so the whole line of
    # versions up to the one compared with is needed to know what it published.
    chain = [v for v in versions[:-1] if against is None or v <= against]
    earlier = tuple(_stored(store.load_survey(reference, v), v) for v in chain)
    opened = _stored(store.load_survey(reference, latest), latest)
    return OpenedSurvey(opened.survey, opened.record, version=latest, earlier=earlier)


@dataclass(frozen=True, slots=True)
class DisclosedTable:
    """A table of company counts with its margins and which cells are suppressed.

    ``counts`` includes the margins: a ``total`` column when rows are additive (each row's
    total is published), a ``total`` row when columns are. ``title`` is the English msgid;
    :meth:`heading` gives it in the active language. ``compared`` marks the cells suppressed
    only because of the check against the previous release; ``withheld`` says why the whole
    table is suppressed (a code), if it is.
    """

    name: str
    title: str
    counts: pd.DataFrame
    hidden: pd.DataFrame
    rows_additive: bool
    cols_additive: bool
    compared: pd.DataFrame | None = None
    withheld: str | None = None

    def heading(self) -> str:
        """Return the table's title in the active language."""
        return _(self.title)

    def published(self) -> pd.DataFrame:
        """Return the counts with suppressed cells as None (never 0)."""
        return self.counts.astype(object).where(~self.hidden, None)

    def to_json(self, respondents: pd.Series | None = None) -> dict[str, Any]:
        """Return the table as JSON: cells with count, percentage and suppression flag."""
        published = self.published()
        compared = self.compared if self.compared is not None else self.hidden & False
        cells = []
        for row in published.index:
            for col in published.columns:
                value = published.loc[row, col]
                denominator = None if respondents is None else respondents.get(col)
                pct = None if value is None or denominator in (None, 0) else value / denominator
                cells.append(
                    {
                        "row": row,
                        "col": col,
                        "companies": json_value(value),
                        "share_of_respondents": pct,
                        "suppressed": bool(self.hidden.loc[row, col]),
                        "suppressed_by_comparison": bool(compared.loc[row, col]),
                    }
                )
        return {
            "name": self.name,
            "title": self.heading(),
            "rows_additive": self.rows_additive,
            "cols_additive": self.cols_additive,
            "withheld": self.withheld is not None,
            "withheld_reason": self.withheld,
            "cells": cells,
        }


@dataclass(frozen=True, slots=True)
class ReleaseComparison:
    """Which published release a summary was checked against, and how much differs."""

    previous: InputRecord
    changed_companies: int
    in_previous: int
    in_current: int

    def to_json(self, tables: dict[str, DisclosedTable]) -> dict[str, Any]:
        """Return the ``release_check`` block of the summary document."""
        return {
            "checked_against": {"survey": self.previous.name, "version": self.previous.version},
            "rule": RELEASE_RULE,
            "changed_companies": self.changed_companies,
            "changed_companies_in_previous": self.in_previous,
            "changed_companies_in_current": self.in_current,
            "suppressed_by_comparison": sum(
                int(t.compared.to_numpy().sum()) for t in tables.values() if t.compared is not None
            ),
            "withheld_tables": [t.name for t in tables.values() if t.withheld is not None],
        }


@dataclass(frozen=True, slots=True)
class SurveySummary:
    """All published tables of one survey, with the rules applied and the respondents count.

    ``comparison``: the previous release it was checked against, if any.
    """

    survey: Survey
    tables: dict[str, DisclosedTable]
    rules: DisclosureRules
    controlled: bool
    provenance: ResultProvenance
    notes: list[str] = field(default_factory=list)
    comparison: ReleaseComparison | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the ``survey summary --format json`` document."""
        respondents = respondents_by_domain(self)
        return {
            "survey": self.survey.name,
            "synthetic": self.survey.synthetic,
            "respondents": len(self.survey.companies),
            "disclosure_control": None
            if not self.controlled
            else {
                "min_companies": self.rules.min_companies,
                "max_dominance": self.rules.max_dominance,
                "secondary_suppression": SECONDARY_RULE,
                "zeros": ZERO_RULE,
                "audit": AUDIT_RULE,
            },
            "release_check": None if self.comparison is None else self.comparison.to_json(self.tables),
            "tables": [
                t.to_json(respondents if t.name.endswith("by_domain") else None) for t in self.tables.values()
            ],
            "notes": self.notes,
            "provenance": self.provenance.to_json(),
        }


def _members(
    membership: pd.DataFrame, companies: pd.DataFrame, *, rows_additive: bool, cols_additive: bool
) -> pd.DataFrame:
    """Return every (company, row, col) a company counts in, margins included, with its FTE."""
    frame = membership.merge(companies[["company", "fte"]], on="company").drop_duplicates(
        ["company", "row", "col"]
    )
    pieces = [frame]
    if rows_additive:
        pieces.append(frame.assign(col=TOTAL).drop_duplicates(["company", "row"]))
    if cols_additive:
        pieces.append(frame.assign(row=TOTAL).drop_duplicates(["company", "col"]))
    if rows_additive and cols_additive:
        pieces.append(frame.assign(row=TOTAL, col=TOTAL).drop_duplicates(["company"]))
    return pd.concat(pieces, ignore_index=True)


def _cross(
    full: pd.DataFrame, rows: list[str], cols: list[str], *, rows_additive: bool, cols_additive: bool
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return counts, largest FTE and FTE total per (row, col), with the additive margins."""
    grouped = full.groupby(["row", "col"])
    row_labels = rows + ([TOTAL] if cols_additive else [])
    col_labels = cols + ([TOTAL] if rows_additive else [])

    def grid(series: pd.Series, fill: float) -> pd.DataFrame:
        return series.unstack("col").reindex(index=row_labels, columns=col_labels).fillna(fill)

    return (
        grid(grouped["company"].nunique(), 0).astype(int),
        grid(grouped["fte"].max(), np.nan),
        grid(grouped["fte"].sum(), np.nan),
    )


@dataclass(frozen=True, slots=True)
class _Previous:
    """The previous release of one table as the check needs it: on the new table's grid."""

    counts: pd.DataFrame
    hidden: pd.DataFrame
    members: pd.DataFrame
    change: tuple[int, int, int]


def _changed_cells(before: pd.DataFrame, after: pd.DataFrame, like: pd.DataFrame) -> np.ndarray:
    """Return per cell the companies counted in it in one release but not in the other."""
    keys = ["company", "row", "col"]
    differ = pd.concat([before[keys], after[keys]]).drop_duplicates(keep=False)
    if differ.empty:
        return np.zeros(like.shape, dtype=np.int64)
    per_cell = differ.groupby(["row", "col"]).size().unstack("col")
    cells: np.ndarray = per_cell.reindex(index=like.index, columns=like.columns).fillna(0).to_numpy(np.int64)
    return cells


def _table(
    name: str,
    title: str,
    full: pd.DataFrame,
    rows: list[str],
    cols: list[str],
    *,
    rows_additive: bool,
    cols_additive: bool,
    rules: DisclosureRules,
    controlled: bool,
    previous: _Previous | None = None,
) -> DisclosedTable:
    counts, largest, total = _cross(
        full, rows, cols, rows_additive=rows_additive, cols_additive=cols_additive
    )
    keep = np.zeros(counts.shape, dtype=bool)
    if rows_additive and cols_additive:
        # The number of respondents is public (every survey states its size).
        keep[-1, -1] = True
    if not controlled:
        hidden = np.zeros(counts.shape, dtype=bool)
    else:
        hidden = primary_suppression(counts.to_numpy(), largest.to_numpy(), total.to_numpy(), rules)
        hidden &= ~keep
        hidden = secondary_suppression(
            counts.to_numpy(), hidden, rows_additive=rows_additive, cols_additive=cols_additive, keep=keep
        )
    compared, withheld = None, None
    if controlled and previous is not None:
        companies, in_previous, in_current = previous.change
        check = check_release(
            counts.to_numpy(),
            hidden,
            previous.counts.to_numpy(),
            previous.hidden.to_numpy(),
            ReleaseChange(
                cells=_changed_cells(previous.members, full, counts),
                companies=companies,
                in_previous=in_previous,
                in_current=in_current,
            ),
            rows_additive=rows_additive,
            cols_additive=cols_additive,
            rules=rules,
            keep=keep,
        )
        hidden, withheld = check.hidden, check.withheld
        compared = pd.DataFrame(check.differencing, index=counts.index, columns=counts.columns)
    return DisclosedTable(
        name=name,
        title=title,
        counts=counts,
        hidden=pd.DataFrame(hidden, index=counts.index, columns=counts.columns),
        rows_additive=rows_additive,
        cols_additive=cols_additive,
        compared=compared,
        withheld=withheld,
    )


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a frame's rows as text that compares equal across storage round trips."""

    def text(value: Any) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, bool | np.bool_):
            return str(bool(value))
        if isinstance(value, int | float | np.integer | np.floating):
            return repr(float(value))
        return str(value)

    columns = sorted(frame.columns)
    return frame[columns].map(text).drop_duplicates()


def changed_companies(before: Survey, after: Survey) -> tuple[int, int, int]:
    """Return how many companies joined, left or changed an answer, and how many each release counts.

    Returns (changed, of them in ``before``, of them in ``after``).
    """
    changed: set[str] = set()
    for sheet in SURVEY_SHEETS:
        old, new = getattr(before, sheet), getattr(after, sheet)
        columns = sorted(set(old.columns) & set(new.columns))
        if "company" not in columns:
            continue
        differ = pd.concat([_canonical(old[columns]), _canonical(new[columns])]).drop_duplicates(keep=False)
        changed.update(differ["company"])
    old_companies, new_companies = set(before.companies["company"]), set(after.companies["company"])
    changed |= old_companies ^ new_companies
    return len(changed), len(changed & old_companies), len(changed & new_companies)


def _previous_release(
    previous: SurveySummary | Survey | OpenedSurvey, rules: DisclosureRules
) -> SurveySummary:
    """Return the previous release as published: a summary, or one made of the given answers."""
    return previous if isinstance(previous, SurveySummary) else summarise_survey(previous, rules)


def summarise_survey(
    opened: OpenedSurvey | Survey,
    rules: DisclosureRules | None = None,
    controlled: bool = True,
    *,
    previous: SurveySummary | Survey | OpenedSurvey | None = None,
) -> SurveySummary:
    """Build every published table of the survey, with disclosure control unless switched off.

    ``previous``: the release published before this one (its summary, or its answers, which
    are summarised with the same rules). A stored survey opened with :func:`open_survey` is
    checked against the release of its previous version by default. Cells whose change since
    then concerns fewer than ``min_companies`` companies are suppressed (with decoys), or the
    table is withheld (:func:`ketenradar.risk.releases.check_release`).
    """
    survey, record, seed = (
        (opened.survey, opened.record, opened.seed)
        if isinstance(opened, OpenedSurvey)
        else (opened, InputRecord(role="survey", source=opened.source, name=opened.name), None)
    )
    rules = rules or DisclosureRules()
    if previous is None and isinstance(opened, OpenedSurvey) and opened.earlier and controlled:
        release: SurveySummary | None = None
        for version in opened.earlier:
            release = summarise_survey(version, rules, previous=release)
        previous = release
    before = _previous_release(previous, rules) if previous is not None and controlled else None
    companies = survey.companies
    domains = list(SURVEY_DOMAINS)
    used = sorted(set(survey.materials["material"]))
    if before is not None:
        # A material row of the previous release stays (a row that vanished would say 0).
        used = sorted(set(used) | set(before.tables["materials_by_domain"].counts.index))
    area_labels = [a.lower() for a in refdata.load_dis_areas()["area"]]
    specs = _specs(survey, used, domains, area_labels)
    change = changed_companies(before.survey, survey) if before is not None else (0, 0, 0)
    previous_specs = (
        {spec[0]: spec for spec in _specs(before.survey, used, domains, area_labels)} if before else {}
    )
    tables = {}
    for name, title, membership, rows, cols, rows_additive, cols_additive in specs:
        full = _members(
            membership[["company", "row", "col"]],
            companies,
            rows_additive=rows_additive,
            cols_additive=cols_additive,
        )
        prior = None
        if before is not None:
            published = before.tables[name]
            prior = _Previous(
                counts=published.counts.reindex(index=_labels(rows, cols_additive), fill_value=0).reindex(
                    columns=_labels(cols, rows_additive), fill_value=0
                ),
                hidden=published.hidden.reindex(index=_labels(rows, cols_additive), fill_value=False).reindex(
                    columns=_labels(cols, rows_additive), fill_value=False
                ),
                members=_members(
                    previous_specs[name][2][["company", "row", "col"]],
                    before.survey.companies,
                    rows_additive=rows_additive,
                    cols_additive=cols_additive,
                ),
                change=change,
            )
        tables[name] = _table(
            name,
            title,
            full,
            rows,
            cols,
            rows_additive=rows_additive,
            cols_additive=cols_additive,
            rules=rules,
            controlled=controlled,
            previous=prior,
        )
    notes = [_(SYNTHETIC_NOTE)] if survey.synthetic else []
    if not controlled:
        notes.append(_(UNSUPPRESSED_NOTE))
    comparison = None
    if before is not None:
        against = before.provenance.inputs[0] if before.provenance.inputs else InputRecord("survey", "")
        comparison = ReleaseComparison(
            previous=InputRecord(
                role="previous release", source=against.source, name=against.name, version=against.version
            ),
            changed_companies=change[0],
            in_previous=change[1],
            in_current=change[2],
        )
        name = against.name or against.source
        notes.append(
            _(CHECKED_NOTE).format(version=against.version, name=name, n=rules.min_companies)
            if against.version is not None
            else _(CHECKED_UNVERSIONED_NOTE).format(name=name, n=rules.min_companies)
        )
        for reason, note in WITHHELD_NOTES.items():
            titles = [t.heading() for t in tables.values() if t.withheld == reason]
            if titles:
                notes.append(_(note).format(n=rules.min_companies, titles="; ".join(titles)))
    elif isinstance(opened, OpenedSurvey) and opened.version is not None and controlled:
        notes.append(_(FIRST_VERSION_NOTE).format(version=opened.version, name=survey.name))
    parameters = {
        "disclosure_control": controlled,
        "min_companies": rules.min_companies,
        "max_dominance": rules.max_dominance,
        "secondary_suppression": SECONDARY_RULE,
        "zeros": ZERO_RULE,
        "checked_against": None
        if comparison is None
        else {"survey": comparison.previous.name, "version": comparison.previous.version},
    }
    used_data = ["seed_dis_area_activity", *(["seed_measures_taken"] if survey.synthetic else [])]
    inputs = [record, *([comparison.previous] if comparison is not None else [])]
    return SurveySummary(
        survey=survey,
        tables=tables,
        rules=rules,
        controlled=controlled,
        provenance=provenance(used_data, parameters, inputs, seed=seed),
        notes=notes,
        comparison=comparison,
    )


def _labels(labels: list[str], with_total: bool) -> list[str]:
    """Return a table's row (or column) labels with the total last when it is published."""
    return labels + ([TOTAL] if with_total else [])


def _specs(
    survey: Survey, used: list[str], domains: list[str], area_labels: list[str]
) -> list[tuple[str, str, pd.DataFrame, list[str], list[str], bool, bool]]:
    """Return each table's name, title, membership (company → row, col), rows, cols, additivity."""
    companies = survey.companies
    domain_of = companies.set_index("company")["domain"]
    material_area = survey.materials[["company", "material"]].merge(
        survey.areas[["company", "area"]], on="company"
    )
    return [
        # Companies per domain are published once: as the total row of this table.
        (
            "few_suppliers_by_domain",
            N_("Dependent on a limited number of suppliers, by domain"),
            companies.assign(row=np.where(companies["few_suppliers"], "yes", "no"), col=companies["domain"]),
            ["yes", "no"],
            domains,
            True,
            True,
        ),
        (
            "visibility_by_position",
            N_("Insight into the value chain, by chain position"),
            companies.assign(row=companies["visibility"], col=companies["chain_position"]),
            list(VISIBILITY_LEVELS),
            list(CHAIN_POSITIONS),
            True,
            True,
        ),
        (
            "materials_by_domain",
            N_("Companies using each material, by domain"),
            survey.materials.assign(
                row=survey.materials["material"], col=survey.materials["company"].map(domain_of)
            ),
            used,
            domains,
            True,
            False,
        ),
        (
            "areas_by_domain",
            N_("Companies active in each DIS area, by domain"),
            survey.areas.assign(row=survey.areas["area"], col=survey.areas["company"].map(domain_of)),
            area_labels,
            domains,
            True,
            False,
        ),
        (
            "materials_by_area",
            N_("Companies using each material, by DIS area"),
            material_area.rename(columns={"material": "row", "area": "col"}),
            used,
            area_labels,
            False,
            False,
        ),
        (
            "measures",
            N_("Measures taken (more than one answer possible)"),
            survey.measures.assign(row="companies", col=survey.measures["measure"]),
            ["companies"],
            list(MEASURES),
            False,
            False,
        ),
    ]


def respondents_by_domain(summary: SurveySummary) -> pd.Series:
    """Return published respondents per domain (None where suppressed), from its single source."""
    table = summary.tables["few_suppliers_by_domain"]
    return table.published().loc[TOTAL]
