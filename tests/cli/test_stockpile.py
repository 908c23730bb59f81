"""The CLI contract of `stockpile plan`: JSON keys and a hand-checked plan, csv, table, bad files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.chains import write_chain
from tests.helpers.cli import assert_no_nan, refused

# Platform p1 ← gallium a (half CHN, half JPN at processing); platform p2 ← germanium b (CHN only).
# CHN gallium lost on days 10–49 (a at 0.5: 20 platform-days); CHN germanium on days 100–109
# (b at 0: 10 platform-days). a costs 100 €/day, b 50 €/day; with 1000 €: 10 days of b, 5 of a.
TWO = {
    "items.csv": """id,name,kind,domain,dis_area,material,unit
p1,Platform one,platform,land,,,unit
p2,Platform two,platform,land,,,unit
a,Gallium,material,,,gallium,kg
b,Germanium,material,,,germanium,kg
""",
    "bom.csv": """parent,child,quantity
p1,a,1
p2,b,1
""",
    "sourcing.csv": """item,country,share,stage,supplier,tier
a,AUS,1,mining,,1
a,CHN,0.5,processing,,1
a,JPN,0.5,processing,,1
b,AUS,1,mining,,1
b,CHN,1,processing,,1
""",
}

SCENARIO = """name: China stops twice
shocks:
  - countries: [CHN]
    stage: processing
    materials: [gallium]
    severity: 1.0
    start_day: 10
    duration_days: 40
  - countries: [CHN]
    stage: processing
    materials: [germanium]
    severity: 1.0
    start_day: 100
    duration_days: 10
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str, str]:
    chain = write_chain(tmp_path / "two", TWO)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    candidates = tmp_path / "candidates.csv"
    candidates.write_text("item;cost_per_day;max_days\na;100;\nb;50,0;\n", encoding="utf-8")
    return str(scenario), str(chain), str(candidates)


def _args(files: tuple[str, str, str], *more: str) -> list[str]:
    scenario, chain, candidates = files
    return ["stockpile", "plan", "--scenario", scenario, "--chain", chain, "--candidates", candidates, *more]


def test_f14_stockpile_json_keeps_the_contract_and_the_hand_optimum(
    run_json: Callable[..., Any], files: tuple[str, str, str]
) -> None:
    document = run_json(*_args(files, "--budget", "1000", "--draws", "10", "--seed", "3"))
    assert {
        "plan",
        "budget",
        "cost",
        "expected_loss_before",
        "expected_loss_after",
        "loss_avoided",
        "naive",
        "model_bound",
        "platforms",
        "solver",
        "draws",
        "seed",
        "provenance",
    } <= set(document)
    assert {"plan", "loss_avoided", "cost", "expected_loss_after"} <= set(document["naive"])
    plan = {row["item"]: row for row in document["plan"]}
    assert {row["item"]: row["days"] for row in document["plan"]} == {"a": 5, "b": 10}
    assert plan["a"]["cost"] == 500.0 and plan["b"]["cost"] == 500.0
    assert plan["b"]["months"] == pytest.approx(10 / (365 / 12))
    assert {"item", "name", "days", "months", "cost", "existing_days"} <= set(plan["a"])
    assert document["budget"] == 1000.0 and document["cost"] == 1000.0
    assert document["expected_loss_before"] == pytest.approx(30.0)
    assert document["expected_loss_after"] == pytest.approx(15.0)
    assert document["model_bound"] == pytest.approx(15.0)
    assert document["loss_avoided"] == pytest.approx(15.0)
    assert {row["item"]: row["days"] for row in document["naive"]["plan"]} == {"a": 10, "b": 0}
    assert document["naive"]["loss_avoided"] == pytest.approx(10.0)
    assert document["solver"]["status"] == "optimal"
    assert (document["draws"], document["seed"]) == (10, 3)
    provenance = document["provenance"]
    assert provenance["parameters"]["budget_eur"] == 1000.0
    assert provenance["seed"] == 3
    roles = {record["role"]: record for record in provenance["inputs"]}
    candidates = Path(files[2])
    assert roles["candidates"]["sha256"] == hashlib.sha256(candidates.read_bytes()).hexdigest()
    assert_no_nan(document)


def test_f14_stockpile_csv_has_a_row_per_candidate(
    run: Callable[..., Any], files: tuple[str, str, str]
) -> None:
    result = run(*_args(files, "--budget", "1000", "--draws", "5", "--format", "csv"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split(",")[:6] == ["item", "name", "existing_days", "days", "months", "cost"]
    assert [line.split(",")[3] for line in lines[1:]] == ["5", "10"]


def test_f14_stockpile_table_shows_plan_totals_and_platforms(
    run: Callable[..., Any], files: tuple[str, str, str]
) -> None:
    result = run(*_args(files, "--budget", "1000", "--draws", "5"))
    assert result.exit_code == 0, result.output
    assert "Stockpile plan over 5 years" in result.stdout
    assert "model bound" in result.stdout
    assert "p2" in result.stdout


def test_f14_bad_candidates_file_exits_with_a_located_message_and_writes_nothing(
    run: Callable[..., Any], files: tuple[str, str, str], tmp_path: Path
) -> None:
    scenario, chain, _ = files
    workspace = tmp_path / "w.sqlite"
    assert run("chain", "import", chain, "--name", "two", "--workspace", str(workspace)).exit_code == 0
    digest = hashlib.sha256(workspace.read_bytes()).hexdigest()
    bad = tmp_path / "bad.csv"
    bad.write_text("item,cost_per_day,max_days\nzz,10,\nb,-1,1.5\n", encoding="utf-8")
    message = refused(
        run,
        "stockpile",
        "plan",
        "--scenario",
        scenario,
        "--chain",
        "two",
        "--candidates",
        str(bad),
        "--budget",
        "100",
        "--workspace",
        str(workspace),
        "--format",
        "json",
    )
    assert "row 2, column 'item'" in message and "no item of the chain" in message
    assert "row 3, column 'cost_per_day'" in message
    assert "row 3, column 'max_days'" in message
    assert hashlib.sha256(workspace.read_bytes()).hexdigest() == digest


def test_f14_demo_example_beats_the_naive_plan(run_json: Callable[..., Any]) -> None:
    from importlib import resources

    folder = resources.files("ketenradar.demo_data")
    document = run_json(
        "stockpile",
        "plan",
        "--scenario",
        str(folder / "stockpile" / "scenario.yaml"),
        "--chain",
        str(folder / "chains" / "defence_demo"),
        "--candidates",
        str(folder / "stockpile" / "candidates.csv"),
        "--budget",
        "50000",
        "--draws",
        "100",
    )
    assert document["cost"] <= 50000
    assert document["loss_avoided"] > document["naive"]["loss_avoided"] > 0


def test_f14_budget_must_be_a_finite_number(run: Callable[..., Any], files: tuple[str, str, str]) -> None:
    for budget in ("nan", "inf", "-1"):
        result = run(*_args(files, "--budget", budget))
        assert result.exit_code == 2, result.output
        assert "--budget" in result.stderr
