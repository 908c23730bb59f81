"""`ketenradar demo`: writes the report and the JSON of its results where the user is."""

from __future__ import annotations

import json
from pathlib import Path

from ketenradar import refdata


def test_f01_demo_writes_report_and_data_files(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("demo")
    assert result.exit_code == 0, result.output
    index = tmp_path / "ketenradar-report" / "index.html"
    assert f"report written to {index}" in result.stdout
    materials = json.loads((index.parent / "data" / "materials.json").read_text())
    assert len([m for m in materials["materials"] if m["category"] == "eu_crm_2023"]) == 34
    assert (index.parent / "data" / "countries.json").is_file()
    # One record per country of the reference table.
    countries = json.loads((index.parent / "data" / "countries.json").read_text())
    assert len(countries["countries"]) == len(refdata.load_countries().frame)
