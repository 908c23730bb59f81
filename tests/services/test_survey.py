"""F6: the published survey tables of the synthetic demo set pass disclosure control."""

from __future__ import annotations

from ketenradar.services.survey import TOTAL, summarise_survey
from ketenradar.services.synth import synthetic_survey
from tests.helpers.disclosure import check_lines


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
