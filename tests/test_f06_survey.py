"""F6/F7: questionnaires, disclosure control that cannot be undone, risk-impact matrices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from ketenradar.ingest.workbook_writer import write_sheets
from ketenradar.model.survey import SURVEY_SHEETS
from ketenradar.risk.disclosure import DisclosureRules, primary_suppression, secondary_suppression
from ketenradar.services.survey import TOTAL, summarise_survey
from ketenradar.services.synth import synthetic_survey


def _augmented(core: np.ndarray, rows: bool, cols: bool) -> np.ndarray:
    table = core
    if rows:
        table = np.column_stack([table, table.sum(axis=1)])
    if cols:
        table = np.vstack([table, table.sum(axis=0)])
    return table


@settings(max_examples=60, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(2, 5), st.integers(2, 5)), elements=st.integers(0, 12)),
    st.booleans(),
    st.booleans(),
)
def test_f06_no_suppressed_cell_can_be_derived_from_published_margins(core, rows, cols) -> None:
    table = _augmented(core, rows, cols)
    hidden = primary_suppression(table, np.zeros(table.shape), np.ones(table.shape))
    hidden = secondary_suppression(table, hidden, rows_additive=rows, cols_additive=cols)
    assert _check_lines(table, hidden, rows, cols)


def _check_lines(table: np.ndarray, hidden: np.ndarray, rows: bool, cols: bool) -> bool:
    """Every additive line (cells and its total) has 0 or at least 2 hidden entries, and the LP
    over all lines at once leaves every hidden cell undetermined."""
    lines = []
    if rows:
        lines += [hidden[r, :] for r in range(table.shape[0])]
    if cols:
        lines += [hidden[:, c] for c in range(table.shape[1])]
    if any(line.sum() == 1 for line in lines):
        return False
    # Express each line as: Σ cells − total = 0 with the total as the last element.
    unknown = np.flatnonzero(hidden.ravel())
    if unknown.size == 0:
        return True
    position = {cell: i for i, cell in enumerate(unknown)}
    A, b = [], []
    shape = table.shape
    index = np.arange(table.size).reshape(shape)
    line_cells = []
    if rows:
        line_cells += [index[r, :] for r in range(shape[0])]
    if cols:
        line_cells += [index[:, c] for c in range(shape[1])]
    flat = table.ravel().astype(float)
    for cells in line_cells:
        sign = np.ones(len(cells))
        sign[-1] = -1.0  # the last entry of an augmented line is its total
        row = np.zeros(unknown.size)
        known = 0.0
        for cell, s in zip(cells, sign, strict=True):
            if cell in position:
                row[position[cell]] += s
            else:
                known += s * flat[cell]
        if row.any():
            A.append(row)
            b.append(-known)
    for i in range(unknown.size):
        goal = np.zeros(unknown.size)
        goal[i] = 1.0
        kwargs = {"A_eq": np.array(A), "b_eq": np.array(b)} if A else {}
        low = linprog(goal, bounds=(0, None), **kwargs)
        high = linprog(-goal, bounds=(0, None), **kwargs)
        if high.status == 3:
            continue
        if low.status != 0 or high.x[i] - low.x[i] < 0.5:
            return False
    return True


def test_f06_published_survey_tables_cannot_be_undone_through_shared_margins() -> None:
    summary = summarise_survey(synthetic_survey(120, seed=5))
    for table in summary.tables.values():
        counts = table.counts.to_numpy()
        hidden = table.hidden.to_numpy()
        assert _check_lines(counts, hidden, table.rows_additive, table.cols_additive), table.name
    # The respondents per domain appear in two tables: identical counts and identical suppression.
    few = summary.tables["few_suppliers_by_domain"]
    materials = summary.tables["materials_by_domain"]
    assert TOTAL not in materials.counts.index  # the shared margin is published once only
    assert few.hidden.loc[TOTAL, TOTAL] == False  # noqa: E712 - all respondents are published


def test_f06_primary_rules_by_hand() -> None:
    counts = np.array([5, 2, 4, 0])
    largest = np.array([10.0, 1.0, 90.0, np.nan])
    total = np.array([30.0, 2.0, 100.0, np.nan])
    hidden = primary_suppression(counts, largest, total, DisclosureRules(3, 0.5))
    assert hidden.tolist() == [False, True, True, False]  # too few; one company holds 90 %


def summarise_survey_from(folder: Path):
    from ketenradar import refdata
    from ketenradar.ingest.questionnaire import read_survey

    return summarise_survey(read_survey(folder, list(refdata.load_materials())))


def _write_survey(folder: Path, survey) -> Path:
    return write_sheets({s: getattr(survey, s) for s in SURVEY_SHEETS}, folder)


def test_f06_summary_percentages_by_hand(run_json, tmp_path: Path) -> None:
    companies = pd.DataFrame(
        {
            "company": [f"c{i}" for i in range(8)],
            "fte": [10, 12, 11, 9, 10, 13, 10, 11],
            "domain": ["land"] * 5 + ["maritime"] * 3,
            "chain_position": ["tier_1"] * 8,
            "visibility": ["tier_1"] * 8,
            "few_suppliers": [True, True, True, False, False, True, True, True],
            "owner_country": [""] * 8,
        }
    )
    materials = pd.DataFrame(
        {"company": ["c0", "c1", "c2", "c5", "c6", "c7"], "material": "gallium", "bought_directly": False}
    )
    areas = pd.DataFrame(columns=["company", "category", "area"])
    measures = pd.DataFrame({"company": ["c0", "c1", "c2"], "measure": "stockpiling"})
    folder = write_sheets(
        {"companies": companies, "materials": materials, "areas": areas, "measures": measures},
        tmp_path / "answers",
    )
    document = run_json("survey", "summary", str(folder))
    tables = {t["name"]: t for t in document["tables"]}
    cells = {(c["row"], c["col"]): c for c in tables["materials_by_domain"]["cells"]}
    assert cells[("gallium", "land")]["companies"] == 3
    assert cells[("gallium", "land")]["share_of_respondents"] == pytest.approx(3 / 5)
    assert cells[("gallium", "total")]["companies"] == 6
    few = {(c["row"], c["col"]): c for c in tables["few_suppliers_by_domain"]["cells"]}
    # 2 land companies without few suppliers: suppressed, and so is its partner cell in the row.
    assert few[("no", "land")]["suppressed"] and few[("no", "land")]["companies"] is None
    table = summarise_survey_from(folder).tables["few_suppliers_by_domain"]
    assert _check_lines(table.counts.to_numpy(), table.hidden.to_numpy(), True, True)
    unsuppressed = run_json("survey", "summary", str(folder), "--unsuppressed")
    assert any("UNSUPPRESSED" in n for n in unsuppressed["notes"])


def test_f07_matrix_quadrants_and_exposure(run_json) -> None:
    document = run_json("matrix", "--domain", "land")
    assert document["synthetic"] is True and "SYNTHETIC" in document["notes"][0]
    points = [m for m in document["materials"] if m["usage_share"] is not None]
    mean_x, mean_y = document["mean_usage_share"], document["mean_supply_risk"]
    assert mean_x == pytest.approx(
        np.mean([m["usage_share"] for m in points if m["supply_risk"] is not None])
    )
    for m in points:
        if m["supply_risk"] is None:
            continue
        expected = (
            f"{'high' if m['usage_share'] >= mean_x else 'low'} usage, "
            f"{'high' if m['supply_risk'] >= mean_y else 'low'} supply risk"
        )
        assert m["quadrant"] == expected
    for stage in ("mining", "processing"):
        shares = [e["share"] for e in document["exposure"] if e["stage"] == stage]
        assert 0.95 <= sum(shares) <= 1.02  # EC lists main suppliers only
        shown = [e for e in document["exposure"] if e["stage"] == stage and e["country"] != "other"]
        assert all(e["share"] >= 0.02 for e in shown)


def test_f07_matrix_by_dis_area(run, run_json) -> None:
    document = run_json("matrix", "--dis-area", "Protection")
    assert document["scope"] == "DIS area Protection"
    assert any(m["usage_share"] is not None for m in document["materials"])
    result = run("matrix", "--dis-area", "Sensors")
    assert result.exit_code == 2 and "unknown DIS area 'Sensors'" in result.stderr


@pytest.mark.parametrize(
    ("sheet", "content", "fragment"),
    [
        (
            "companies",
            "company,fte,domain,chain_position,visibility,few_suppliers\nc1,10,sea,oem,none,true\n",
            "sheet 'companies', row 2, column 'domain'",
        ),
        (
            "companies",
            "company,fte,domain,chain_position,visibility,few_suppliers\nc1,-3,land,oem,none,true\n",
            "column 'fte': value out of range",
        ),
        (
            "materials",
            "company,material\nc9,gallium\n",
            "sheet 'materials', row 2, column 'company': unknown company",
        ),
        ("materials", "company,material\nc1,unobtainium\n", "column 'material': not an accepted value"),
        ("measures", "company,measure\nc1,pray\n", "sheet 'measures', row 2, column 'measure'"),
        ("areas", "company,category,area\nc1,technology,shipbuilding\n", "column 'area'"),
    ],
)
def test_f06_bad_questionnaire_is_refused_and_nothing_stored(
    run, tmp_path: Path, sheet, content, fragment
) -> None:
    base = {
        "companies": "company,fte,domain,chain_position,visibility,few_suppliers\nc1,10,land,oem,none,true\n",
        "materials": "company,material\nc1,gallium\n",
        "areas": "company,category,area\n",
        "measures": "company,measure\nc1,stockpiling\n",
    }
    base[sheet] = content
    folder = tmp_path / "answers"
    folder.mkdir()
    for name, text in base.items():
        (folder / f"{name}.csv").write_text(text)
    workspace = tmp_path / "w.sqlite"
    result = run("survey", "import", str(folder), "--workspace", str(workspace))
    assert result.exit_code == 1
    assert fragment in result.stderr
    assert not workspace.exists()


def test_f06_import_store_and_summarise_by_name(run, run_json, tmp_path: Path) -> None:
    folder = _write_survey(tmp_path / "s", synthetic_survey(40, seed=9))
    workspace = str(tmp_path / "w.sqlite")
    result = run("survey", "import", str(folder), "--name", "nl2025", "--workspace", workspace)
    assert result.exit_code == 0 and "40 companies" in result.stdout
    by_name = run_json("survey", "summary", "nl2025", "--workspace", workspace)
    by_file = run_json("survey", "summary", str(folder))
    assert by_name["tables"] == by_file["tables"]
