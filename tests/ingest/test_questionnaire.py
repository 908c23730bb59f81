"""F6: a bad questionnaire is refused with sheet, row and column, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest


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


def test_f06_unknown_companies_are_reported_with_cell_problems(run, tmp_path: Path) -> None:
    folder = tmp_path / "answers"
    folder.mkdir()
    files = {
        "companies": "company,fte,domain,chain_position,visibility,few_suppliers\nc1,-3,land,oem,none,true\n",
        "materials": "company,material\nc9,gallium\n",
        "areas": "company,category,area\n",
        "measures": "company,measure\nc1,stockpiling\n",
    }
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    result = run("survey", "import", str(folder), "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 1 and "2 problem(s)" in result.stderr
    assert "column 'fte': value out of range" in result.stderr
    assert "sheet 'materials', row 2, column 'company': unknown company" in result.stderr
