"""F6: the published survey tables of the synthetic demo set pass disclosure control."""

from __future__ import annotations

import dataclasses

import numpy as np

from ketenradar.model.survey import SURVEY_SHEETS, Survey
from ketenradar.services.survey import TOTAL, summarise_survey
from ketenradar.services.synth import synthetic_survey
from tests.helpers.disclosure import check_lines
from tests.risk.lp_attack import attack_table
from tests.risk.test_disclosure import _assert_company_not_placed


def test_f06_published_survey_tables_cannot_be_undone_through_shared_margins() -> None:
    summary = summarise_survey(synthetic_survey(120, seed=5))
    for table in summary.tables.values():
        counts = table.counts.to_numpy()
        hidden = table.hidden.to_numpy()
        assert check_lines(counts, hidden, table.rows_additive, table.cols_additive), table.name
    # The respondents per domain appear in two tables: identical counts and identical suppression.
    few = summary.tables["few_suppliers_by_domain"]
    materials = summary.tables["materials_by_domain"]
    assert TOTAL not in materials.counts.index  # the shared margin is published once only
    assert few.hidden.loc[TOTAL, TOTAL] == False  # noqa: E712 - all respondents are published


def _without(survey: Survey, companies: list[str]) -> Survey:
    """Return the survey without some companies' answers (a later version of it)."""
    return dataclasses.replace(
        survey,
        **{
            sheet: getattr(survey, sheet)[~getattr(survey, sheet)["company"].isin(companies)]
            for sheet in SURVEY_SHEETS
        },
    )


def test_f06_lp_attacker_learns_no_suppressed_cell_of_one_release() -> None:
    # Issue 8, points 2 and 5: on the published tables of one release, using the published
    # zeros and margins, every suppressed cell keeps a range wider than 0.5 companies and none
    # is pinned to its line's suppressed total. The demo set had material rows whose only users
    # sat in one domain (cell and row total suppressed, the other domains published as 0).
    for seed in (5, 9):
        summary = summarise_survey(synthetic_survey(60, seed=seed))
        for table in summary.tables.values():
            counts, hidden = table.counts.to_numpy(), table.hidden.to_numpy()
            assert attack_table(counts, hidden, table.rows_additive, table.cols_additive) == [], table.name


def test_f06_differencing_attack_on_two_versions_differing_by_one_company() -> None:
    # Issue 8, point 1: the attacker subtracts the published cells of two releases between
    # which one company left, and must not learn its answers.
    first = synthetic_survey(120, seed=5)
    gone = first.companies.iloc[7]
    second = _without(first, [gone["company"]])
    before = summarise_survey(first)
    after = summarise_survey(second, previous=before)
    assert after.comparison is not None and after.comparison.changed_companies == 1
    for name, table in after.tables.items():
        old = before.tables[name]
        counts = old.counts.reindex_like(table.counts).fillna(0)
        published_both = ~table.hidden & ~old.hidden.reindex_like(table.hidden).fillna(False).astype(bool)
        if table.rows_additive and table.cols_additive:
            published_both.loc[TOTAL, TOTAL] = False  # the number of respondents is public
        # Subtraction shows nothing: every cell published in both releases is unchanged.
        assert (table.counts - counts)[published_both].fillna(0).eq(0).all().all(), name
    # Single-answer tables: the LP attacker holding both releases cannot place the company
    # more than the previous release alone did, even knowing its domain or chain position.
    for name, row, col in (
        ("few_suppliers_by_domain", "yes" if gone["few_suppliers"] else "no", gone["domain"]),
        ("visibility_by_position", gone["visibility"], gone["chain_position"]),
    ):
        table, old = after.tables[name], before.tables[name]
        r, c = table.counts.index.get_loc(row), table.counts.columns.get_loc(col)
        company = np.zeros(table.counts.shape, dtype=int)
        company[[r, r, -1, -1], [c, -1, c, -1]] = 1
        _assert_company_not_placed(
            old.counts.to_numpy(),
            old.hidden.to_numpy(),
            table.counts.to_numpy(),
            table.hidden.to_numpy(),
            company,
            -1,
        )
        assert attack_table(table.counts.to_numpy(), table.hidden.to_numpy(), True, True) == []
    # Multiple-answer tables would point at its materials, DIS areas and measures: withheld.
    for name in ("materials_by_domain", "areas_by_domain", "materials_by_area", "measures"):
        assert after.tables[name].withheld == "few_companies_changed"
        assert after.tables[name].published().isna().all().all()
    document = after.to_json()
    assert document["release_check"]["changed_companies"] == 1
    assert document["provenance"]["parameters"]["checked_against"] == {
        "survey": first.name,
        "version": None,
    }
    assert [i["role"] for i in document["provenance"]["inputs"]] == ["survey", "previous release"]


def test_f06_changes_of_three_companies_suppress_only_cells_they_alone_changed() -> None:
    # With 3 companies changed no table is withheld, but a cell whose change concerns only 1 or
    # 2 of them is never published in both releases (subtraction would isolate them).
    first = synthetic_survey(120, seed=5)
    gone = list(first.companies["company"].iloc[[3, 50, 90]])
    second = _without(first, gone)
    before = summarise_survey(first)
    after = summarise_survey(second, previous=before)
    assert all(t.withheld is None for t in after.tables.values())
    for name, table in after.tables.items():
        old = before.tables[name]
        if table.rows_additive and table.cols_additive:
            continue
        difference = (old.counts.reindex_like(table.counts).fillna(0) - table.counts).abs()
        published_both = ~table.hidden & ~old.hidden.reindex_like(table.hidden).fillna(False).astype(bool)
        # Only removals: the difference is the number of companies the change concerns.
        small = (difference > 0) & (difference < 3)
        assert not (small & published_both).any().any(), name
    # A summary given the previous version's answers checks against their release.
    assert (
        summarise_survey(second, previous=first)
        .tables["measures"]
        .hidden.equals(after.tables["measures"].hidden)
    )
