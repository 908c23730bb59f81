"""`ketenradar monitor`: snapshot, list, diff, alerts and key-figures on a tmp workspace (F19)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from tests.helpers.chains import RADAR

RULES = Path(str(files("ketenradar") / "demo_data" / "monitor" / "alert_rules.yaml"))
RESTRICTIONS = Path(str(files("ketenradar") / "demo_data" / "monitor" / "export_restrictions.csv"))


@pytest.fixture
def workspace(run: Callable[..., Result], tmp_path: Path) -> str:
    """A workspace with the radar chain and snapshots 'jan' (no restrictions) and 'feb' (the example file)."""
    path = str(tmp_path / "w.sqlite")
    assert run("chain", "import", str(RADAR), "--name", "radar", "--workspace", path).exit_code == 0
    first = run("monitor", "snapshot", "--name", "jan", "--workspace", path)
    assert first.exit_code == 0 and "stored snapshot 'jan'" in first.stdout
    second = run(
        "monitor", "snapshot", "--name", "feb", "--restrictions", str(RESTRICTIONS), "--workspace", path
    )
    assert second.exit_code == 0 and "3 export restrictions" in second.stdout
    return path


def test_f19_list_in_three_formats(
    run: Callable[..., Result], run_json: Callable[..., Any], workspace: str
) -> None:
    listed = run_json("monitor", "list", "--workspace", workspace)
    assert [s["name"] for s in listed["snapshots"]] == ["jan", "feb"]
    csv = run("monitor", "list", "--workspace", workspace, "--format", "csv").stdout.splitlines()
    assert csv[0] == "name,created_at" and csv[1].startswith("jan,")
    assert "Stored snapshots" in run("monitor", "list", "--workspace", workspace).stdout


def test_f19_diff_of_the_two_latest_names_new_restrictions_and_chain(
    run: Callable[..., Result], run_json: Callable[..., Any], workspace: str
) -> None:
    document = run_json("monitor", "diff", "--workspace", workspace)
    assert (document["old"]["name"], document["new"]["name"]) == ("jan", "feb")
    # Same reference data both times: no indicator changed, only the restrictions did.
    assert document["materials"] == [] and document["countries"] == [] and document["datasets"] == []
    added = {(r["country"], r["material"]): r["chains"] for r in document["restrictions_added"]}
    assert added == {("CHN", "gallium"): ["radar"], ("CHN", "germanium"): [], ("CHN", "natural_graphite"): []}
    # The radar uses gallium (from China), not germanium or graphite.
    assert document["chains"] == [{"chain": "radar", "materials": ["gallium"], "countries": ["CHN"]}]
    csv = run(
        "monitor", "diff", "jan", "feb", "--table", "chains", "--format", "csv", "--workspace", workspace
    )
    assert csv.stdout.splitlines()[1] == "radar,gallium,CHN"
    table = run("monitor", "diff", "--workspace", workspace).stdout
    assert "New export restrictions" in table and "Stored chains affected" in table


def test_f19_alerts_from_the_example_rules(
    run: Callable[..., Result], run_json: Callable[..., Any], workspace: str
) -> None:
    document = run_json("monitor", "alerts", "--rules", str(RULES), "--workspace", workspace)
    assert document["snapshot"] == "feb" and document["compared_with"] == "jan"
    fired = {(a["rule"], a["subject"]) for a in document["alerts"]}
    assert ("sr_high", "gallium") in fired
    assert ("new_export_restriction", "CHN/gallium") in fired
    # Germanium is restricted too, but the radar does not use it.
    assert ("new_export_restriction", "CHN/germanium") not in fired
    gallium = next(a for a in document["alerts"] if a["subject"] == "gallium")
    assert gallium["chains"] == ["radar"] and gallium["threshold"] == 1.0 and gallium["value"] > 1.0
    assert not any(a["rule"] == "sr_moved" for a in document["alerts"])
    first = run_json(
        "monitor", "alerts", "--rules", str(RULES), "--snapshot", "jan", "--workspace", workspace
    )
    assert any("no earlier snapshot" in note for note in first["notes"])
    table = run("monitor", "alerts", "--rules", str(RULES), "--workspace", workspace)
    assert table.exit_code == 0 and "Alerts on snapshot 'feb'" in table.stdout
    csv = run("monitor", "alerts", "--rules", str(RULES), "--format", "csv", "--workspace", workspace).stdout
    assert csv.splitlines()[0] == "rule,kind,subject,indicator,value,previous,threshold,crossed,chains,detail"
    assert "sr_high,supply_risk_above,gallium,sr_computed," in csv


def test_f19_bad_rules_file_lists_every_problem_and_exits_1(
    run: Callable[..., Result], write: Callable[[str, str], Path], workspace: str
) -> None:
    rules = write(
        "rules.yaml", "rules:\n  - id: x\n    kind: nope\n  - id: y\n    kind: country_risk_above\n"
    )
    result = run("monitor", "alerts", "--rules", str(rules), "--workspace", workspace)
    assert result.exit_code == 1
    assert "2 problem(s)" in result.stderr
    assert "rule 1 (x), kind" in result.stderr and "rule 2 (y), threshold" in result.stderr


def test_f19_bad_restrictions_store_nothing(
    run: Callable[..., Result], write: Callable[[str, str], Path], workspace: str
) -> None:
    bad = write("r.csv", "country,material,stage,since,source\nCHN,gallium,,next year,x\n")
    result = run("monitor", "snapshot", "--name", "mar", "--restrictions", str(bad), "--workspace", workspace)
    assert result.exit_code == 1 and "since" in result.stderr
    with sqlite3.connect(workspace) as connection:
        assert connection.execute("SELECT name FROM snapshots ORDER BY snapshot_key").fetchall() == [
            ("jan",),
            ("feb",),
        ]


def test_f19_taken_name_is_refused(run: Callable[..., Result], workspace: str) -> None:
    result = run("monitor", "snapshot", "--name", "jan", "--workspace", workspace)
    assert result.exit_code == 1 and "already stored" in result.stderr
    assert "--name" in result.stderr and "monitor list" in result.stderr  # the hint


def test_f19_unknown_snapshot_is_an_error(run: Callable[..., Result], workspace: str) -> None:
    result = run("monitor", "diff", "nope", "feb", "--workspace", workspace)
    assert result.exit_code == 1 and "no stored snapshot 'nope'" in result.stderr
    assert "`ketenradar monitor list`" in result.stderr  # the hint


def test_f19_key_figures_show_series_add_and_say_what_is_missing(
    run: Callable[..., Result],
    run_json: Callable[..., Any],
    write: Callable[[str, str], Path],
    tmp_path: Path,
) -> None:
    workspace = str(tmp_path / "k.sqlite")
    table = run("monitor", "key-figures", "--workspace", workspace)
    assert table.exit_code == 0 and "Industry key figures" in table.stdout
    assert "no figures for: defence_security_export, rd_share" in table.stdout
    figures = write(
        "figures.csv",
        "metric;year;value;unit;source\ndefence_security_turnover;2024;9,1;EUR billion;CBS 2025\n",
    )
    added = run_json("monitor", "key-figures", "--add", str(figures), "--workspace", workspace)
    series = {s["metric"]: s["values"] for s in added["series"]}
    turnover = series["defence_security_turnover"]
    assert [(v["year"], v["value"], v["source"]) for v in turnover] == [
        (2021, 4.7, "Berenschot 2024 (report text)"),
        (2023, 7.7, "Berenschot 2024 (report text)"),
        (2024, 9.1, "CBS 2025"),
    ]
    assert added["added"] == 1
    again = run("monitor", "key-figures", "--add", str(figures), "--workspace", workspace)
    assert again.exit_code == 1 and "already stored" in again.stderr
    csv = run("monitor", "key-figures", "--workspace", workspace, "--format", "csv").stdout
    assert "defence_security_turnover,2024,2024,9.1,EUR billion" in csv


def test_f19_dutch_table_uses_decimal_comma(run: Callable[..., Result], workspace: str) -> None:
    result = run("--lang", "nl", "monitor", "key-figures", "--workspace", workspace)
    assert result.exit_code == 0 and "4,7" in result.stdout


def test_f19_snapshot_json_has_provenance(run_json: Callable[..., Any], tmp_path: Path) -> None:
    document = run_json("monitor", "snapshot", "--workspace", str(tmp_path / "e.sqlite"))
    assert document["snapshot"]["name"] == "snapshot-1" and document["snapshot"]["chains"] == 0
    datasets = {d["id"] for d in document["provenance"]["datasets"]}
    assert {"ec_parameters", "wgi_long"} <= datasets
    assert json.dumps(document)
