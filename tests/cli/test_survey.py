"""F6/F7: `survey summary`, `survey import` and `matrix` on the command line, by hand."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ketenradar.ingest.workbook_writer import write_sheets
from ketenradar.model.survey import SURVEY_SHEETS
from ketenradar.services.survey import DEMO_SURVEY_COMPANIES, DEMO_SURVEY_SEED, summarise_survey
from ketenradar.services.synth import synthetic_survey
from tests.helpers.disclosure import check_lines


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
    assert check_lines(table.counts.to_numpy(), table.hidden.to_numpy(), True, True)
    unsuppressed = run_json("survey", "summary", str(folder), "--unsuppressed")
    assert any("UNSUPPRESSED" in n for n in unsuppressed["notes"])
    shown = {
        (c["row"], c["col"]): c
        for t in unsuppressed["tables"]
        if t["name"] == "few_suppliers_by_domain"
        for c in t["cells"]
    }
    # Without disclosure control the cell is printed: c3 and c4, the two land companies above.
    assert shown[("no", "land")]["companies"] == 2 and not shown[("no", "land")]["suppressed"]


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
    # By hand from the answers `matrix` uses by default (the synthetic demo set, 286 companies,
    # seed 2024): usage share = companies active in Protection that use the material / companies
    # active in Protection; a count of 1-2 companies, or one company > 50 % of the FTE, is hidden.
    survey = synthetic_survey(DEMO_SURVEY_COMPANIES, seed=DEMO_SURVEY_SEED)
    active = set(survey.areas.loc[survey.areas["area"] == "protection", "company"])
    fte = survey.companies.set_index("company")["fte"]
    users = survey.materials[survey.materials["company"].isin(active)].drop_duplicates(
        ["company", "material"]
    )
    by_material = users.groupby("material")["company"].agg(list)
    assert {m["material"] for m in document["materials"]} == set(survey.materials["material"])
    for point in document["materials"]:
        companies = by_material.get(point["material"], [])
        weights = fte[companies]
        hidden = 0 < len(companies) < 3 or (len(companies) > 0 and weights.max() / weights.sum() > 0.5)
        if hidden:
            assert point["usage_share"] is None, point["material"]
        else:
            assert point["companies"] == len(companies), point["material"]
            assert point["usage_share"] == pytest.approx(len(companies) / len(active)), point["material"]
    result = run("matrix", "--dis-area", "Sensors")
    assert result.exit_code == 2 and "unknown DIS area 'Sensors'" in result.stderr


def test_f06_import_store_and_summarise_by_name(run, run_json, tmp_path: Path) -> None:
    folder = _write_survey(tmp_path / "s", synthetic_survey(40, seed=9))
    workspace = str(tmp_path / "w.sqlite")
    result = run("survey", "import", str(folder), "--name", "nl2025", "--workspace", workspace)
    assert result.exit_code == 0 and "40 companies" in result.stdout
    by_name = run_json("survey", "summary", "nl2025", "--workspace", workspace)
    by_file = run_json("survey", "summary", str(folder))
    assert by_name["tables"] == by_file["tables"]


def _cells(document) -> dict[tuple[str, str, str], int | None]:
    return {(t["name"], c["row"], c["col"]): c["companies"] for t in document["tables"] for c in t["cells"]}


def test_f06_stored_survey_is_checked_against_its_previous_version(run, run_json, tmp_path: Path) -> None:
    # Issue 8, point 1, on the command line: version 2 lacks one company of version 1. The
    # attacker subtracts the published cells of the two releases as `survey summary` printed them.
    first = synthetic_survey(60, seed=11)
    gone = first.companies["company"].iloc[3]
    second = dataclasses.replace(
        first, **{s: getattr(first, s)[getattr(first, s)["company"] != gone] for s in SURVEY_SHEETS}
    )
    workspace = str(tmp_path / "w.sqlite")
    run(
        "survey",
        "import",
        str(_write_survey(tmp_path / "v1", first)),
        "--name",
        "nl",
        "--workspace",
        workspace,
    )
    released = run_json("survey", "summary", "nl", "--workspace", workspace)
    assert released["release_check"] is None
    assert any("first" in n for n in released["notes"])
    run(
        "survey",
        "import",
        str(_write_survey(tmp_path / "v2", second)),
        "--name",
        "nl",
        "--workspace",
        workspace,
    )
    document = run_json("survey", "summary", "nl", "--workspace", workspace)
    assert document["release_check"]["checked_against"] == {"survey": "nl", "version": 1}
    assert document["provenance"]["parameters"]["checked_against"] == {"survey": "nl", "version": 1}
    assert [(i["role"], i["version"]) for i in document["provenance"]["inputs"]] == [
        ("survey", 2),
        ("previous release", 1),
    ]
    assert any("Checked against the release of version 1 of nl" in n for n in document["notes"])
    before, after = _cells(released), _cells(document)
    differences = {
        key: before[key] - value
        for key, value in after.items()
        if value is not None and before.get(key) is not None and key[1:] != ("total", "total")
    }
    assert differences and set(differences.values()) == {0}  # nothing left to subtract
    assert document["respondents"] == released["respondents"] - 1  # public: one company left
    table = run("survey", "summary", "nl", "--workspace", workspace)
    assert "Checked against the release of version 1" in " ".join(table.stdout.split())


def test_f06_summary_against_a_named_version(run, run_json, tmp_path: Path) -> None:
    workspace = str(tmp_path / "w.sqlite")
    for seed in (3, 4, 5):
        folder = _write_survey(tmp_path / f"s{seed}", synthetic_survey(15, seed=seed))
        run("survey", "import", str(folder), "--name", "nl", "--workspace", workspace)
    assert run_json("survey", "summary", "nl", "--workspace", workspace)["release_check"][
        "checked_against"
    ] == {
        "survey": "nl",
        "version": 2,
    }
    named = run_json("survey", "summary", "nl", "--workspace", workspace, "--against", "1")
    assert named["release_check"]["checked_against"]["version"] == 1
    missing = run("survey", "summary", "nl", "--workspace", workspace, "--against", "3")
    assert missing.exit_code == 1 and "no version 3 before version 3" in missing.stderr
    folder = str(tmp_path / "s3")
    assert run("survey", "summary", folder, "--against", "1").exit_code == 2
