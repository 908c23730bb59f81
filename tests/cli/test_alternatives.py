"""F15: `scenario alternatives` lists shipped and user alternatives and user substitutes, with sources."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from click.testing import Result

# The root imports a group's extra modules only on its first lookup; once `chain` is looked up,
# `scenario` (defined in the same module) counts as loaded, so this module is imported here.
import ketenradar.cli.refinements  # noqa: F401

USER_ALTERNATIVES = """material,item,stage,country,max_share,lead_time_days,source
aluminium,,processing,USA,0.01,120,our supplier survey
,radar_module,manufacturing,DEU,0.5,60,
"""
USER_SUBSTITUTES = """material;substitute;max_share;qualification_days;application;cost_factor;source
gallium;germanium;0,3;365;semiconductors;1,5;vendor data sheet
"""


def test_f15_json_lists_shipped_alternatives_without_lead_time(run_json: Callable[..., Any]) -> None:
    document = run_json("scenario", "alternatives")
    alternatives = document["alternatives"]
    assert alternatives and all(a["origin"] == "reference" for a in alternatives)
    assert all(a["lead_time_days"] is None and a["usable"] is False for a in alternatives)
    assert all(a["source"].startswith("USGS MCS 2025") for a in alternatives)
    assert document["substitutes"] == []
    codes = {n["code"]: n for n in document["notes"]}
    assert codes["no_lead_time"]["count"] == len(alternatives)
    assert "no_substitutes" in codes
    assert "alternatives_usgs" in {d["id"] for d in document["provenance"]["datasets"]}


def test_f15_user_files_replace_and_add_with_their_records(
    run_json: Callable[..., Any], write: Callable[..., Any]
) -> None:
    alternatives = write("alternatives.csv", USER_ALTERNATIVES)
    substitutes = write("substitutes.csv", USER_SUBSTITUTES)
    shipped = len(run_json("scenario", "alternatives")["alternatives"])
    document = run_json(
        "scenario", "alternatives", "--alternatives", str(alternatives), "--substitutes", str(substitutes)
    )
    rows = document["alternatives"]
    # The user's USA aluminium row replaces the shipped one; the radar module row is added.
    assert document["replaced_reference_rows"] == 1
    assert len(rows) == shipped - 1 + 2
    usa = [r for r in rows if r["material"] == "aluminium" and r["country"] == "USA"]
    assert usa == [
        {
            "material": "aluminium",
            "item": None,
            "stage": "processing",
            "country": "USA",
            "max_share": 0.01,
            "lead_time_days": 120.0,
            "usable": True,
            "origin": "user_file",
            "source": "our supplier survey",
            "note": "",
        }
    ]
    (substitute,) = document["substitutes"]
    assert (substitute["max_share"], substitute["cost_factor"]) == (0.3, 1.5)
    assert substitute["performance_penalty"] is None
    roles = {i["role"]: i for i in document["provenance"]["inputs"]}
    assert set(roles) == {"alternatives", "substitutes"} and len(roles["alternatives"]["sha256"]) == 64
    assert {n["code"] for n in document["notes"]} == {"no_lead_time"}


def test_f15_csv_has_one_row_per_alternative_and_substitute(
    run: Callable[..., Result], write: Callable[..., Any]
) -> None:
    substitutes = write("substitutes.csv", USER_SUBSTITUTES)
    result = run("scenario", "alternatives", "--substitutes", str(substitutes), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    kinds = [r["kind"] for r in rows]
    assert kinds.count("substitute") == 1 and kinds.count("alternative") >= 1
    assert all(r["lead_time_days"] == "" for r in rows if r["kind"] == "alternative")


def test_f15_table_notes_alternatives_without_ramp_up(run: Callable[..., Result]) -> None:
    result = run("scenario", "alternatives")
    assert result.exit_code == 0, result.output
    assert "Alternative producing countries" in result.stdout
    assert "gallium" in result.stdout
    assert "no ramp-up time" in result.stderr
    assert "no substitute catalogue" in result.stderr


def test_f15_bad_file_is_refused_with_its_rows(run: Callable[..., Result], write: Callable[..., Any]) -> None:
    bad = write("alternatives.csv", "material,stage,country,max_share\ngallium,processing,XXX,2\n")
    result = run("scenario", "alternatives", "--alternatives", str(bad))
    assert result.exit_code != 0
    assert "row 2" in result.stderr and "max_share" in result.stderr and "country" in result.stderr
    assert result.stdout == ""
