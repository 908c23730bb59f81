"""The CLI contract of `scenario simulate`: JSON keys, a hand-checked series, csv and table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.chains import write_chain

# Platform p ← component c ← gallium m, processed half in CHN (2.5 days of buffer on that row)
# and half in JPN. A full loss of CHN supply: the buffer covers days 0 and 1, half of day 2
# (the row delivers 0.5, m = 1 − 0.5·0.5 = 0.75), then m = 0.5.
BUFFERED = {
    "items.csv": """id,name,kind,domain,dis_area,material,unit
p,Platform,platform,land,,,unit
c,Component,component,land,,,unit
m,Gallium,material,,,gallium,kg
""",
    "bom.csv": """parent,child,quantity
p,c,1
c,m,2
""",
    "sourcing.csv": """item,country,share,stage,supplier,tier,stock_days
p,NLD,1,manufacturing,,0,
c,DEU,1,manufacturing,,1,
m,AUS,1,mining,,3,
m,CHN,0.5,processing,,2,2.5
m,JPN,0.5,processing,,2,
""",
}

SCENARIO = """name: China stops
shocks:
  - countries: [CHN]
    severity: 1.0
    start_day: 1
    duration_days: 4
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    chain = write_chain(tmp_path / "buffered", BUFFERED)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    return str(scenario), str(chain)


def test_f12_simulate_json_keeps_the_contract_shape(
    run_json: Callable[..., Any], files: tuple[str, str]
) -> None:
    scenario, chain = files
    document = run_json("scenario", "simulate", scenario, "--chain", chain, "--horizon", "7")
    assert {"scenario", "horizon_days", "platforms", "provenance"} <= set(document)
    assert document["scenario"] == "China stops"
    assert document["horizon_days"] == 7
    (platform,) = document["platforms"]
    assert {"id", "days_lost", "stockout_day", "min_output", "first_short", "series"} <= set(platform)
    # Shock on days 1–4: buffer whole on days 1, 2; 0.75 on day 3; 0.5 on day 4; back on day 5.
    assert platform["series"] == pytest.approx([1, 1, 1, 0.75, 0.5, 1, 1])
    assert platform["days_lost"] == pytest.approx(0.75)
    assert platform["stockout_day"] == 3
    assert platform["min_output"] == pytest.approx(0.5)
    assert platform["first_short"] == "m"
    assert document["provenance"]["parameters"]["horizon_days"] == 7


def test_f12_simulate_csv_has_a_row_per_platform_and_day(
    run: Callable[..., Any], files: tuple[str, str]
) -> None:
    scenario, chain = files
    result = run("scenario", "simulate", scenario, "--chain", chain, "--horizon", "4", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "platform,day,output",
        "p,0,1.0",
        "p,1,1.0",
        "p,2,1.0",
        "p,3,0.75",
    ]


def test_f12_simulate_table_names_the_first_stock_to_run_out(
    run: Callable[..., Any], files: tuple[str, str]
) -> None:
    scenario, chain = files
    result = run("scenario", "simulate", scenario, "--chain", chain, "--horizon", "7")
    assert result.exit_code == 0, result.output
    assert "0.8" in result.stdout  # days lost 0.75 at one decimal
    assert " m " in result.stdout


MONTE_CARLO = """name: China may stop
shocks:
  - countries: [CHN]
    severity: 1.0
    start_day: 100
    duration_days: 4
    probability: 0.5
"""


def test_f13_montecarlo_json_keeps_the_contract_shape(run_json: Callable[..., Any], tmp_path: Path) -> None:
    chain = write_chain(tmp_path / "buffered", BUFFERED)
    scenario = tmp_path / "mc.yaml"
    scenario.write_text(MONTE_CARLO, encoding="utf-8")
    document = run_json(
        "scenario", "montecarlo", str(scenario), "--chain", str(chain), "--draws", "40", "--seed", "3"
    )
    assert {"scenario", "draws", "seed", "platforms", "provenance"} <= set(document)
    assert (document["scenario"], document["draws"], document["seed"]) == ("China may stop", 40, 3)
    (platform,) = document["platforms"]
    assert {"id", "mean_days_lost", "p50", "p90", "p95", "p99", "p_loss", "contributions"} <= set(platform)
    (contribution,) = platform["contributions"]
    assert {"shock", "mean_days_lost"} <= set(contribution)
    # Days 100–103 with 2.5 days of buffer: 1, 1, 0.75, 0.5 → 0.75 days lost in each occurring year.
    occurring = document["shock_frequency"][0]["draws_occurring"]
    assert platform["mean_days_lost"] == pytest.approx(0.75 * occurring / 40)
    assert platform["p_loss"] == pytest.approx(occurring / 40)
    assert contribution["mean_days_lost"] == pytest.approx(platform["mean_days_lost"])
    assert document["provenance"]["parameters"]["draws"] == 40
    assert document["provenance"]["seed"] == 3


def test_f13_montecarlo_csv_and_table(run: Callable[..., Any], tmp_path: Path) -> None:
    chain = write_chain(tmp_path / "buffered", BUFFERED)
    scenario = tmp_path / "mc.yaml"
    scenario.write_text(MONTE_CARLO, encoding="utf-8")
    result = run(
        "scenario", "montecarlo", str(scenario), "--chain", str(chain), "--draws", "10", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "id,mean_days_lost,p50,p90,p95,p99,p_loss"
    table = run("scenario", "montecarlo", str(scenario), "--chain", str(chain), "--draws", "10")
    assert table.exit_code == 0, table.output
    assert "Monte Carlo" in table.stdout


def test_f15_simulate_with_an_alternatives_file_uses_the_ramped_up_supplier(
    run_json: Callable[..., Any], files: tuple[str, str], tmp_path: Path
) -> None:
    # KOR can deliver 0.25 of m's processing from 2 days after the shock first hits m (day 1):
    # from day 3 on. Day 3: buffer 0.75 + 0.25 = 1; day 4: 0.5 + 0.25 = 0.75.
    scenario, chain = files
    alternatives = tmp_path / "alternatives.csv"
    alternatives.write_text(
        "item;stage;country;max_share;lead_time_days;source\nm;processing;KOR;0,25;2;test\n", encoding="utf-8"
    )
    document = run_json(
        "scenario",
        "simulate",
        scenario,
        "--chain",
        chain,
        "--horizon",
        "7",
        "--alternatives",
        str(alternatives),
    )
    (platform,) = document["platforms"]
    assert platform["series"] == pytest.approx([1, 1, 1, 1, 0.75, 1, 1])
    (relief,) = document["relief"]
    assert (relief["kind"], relief["item"], relief["from"], relief["first_day"]) == (
        "alternative",
        "m",
        "KOR",
        3,
    )
    assert relief["share_days"] == pytest.approx(0.5)
    parameters = document["provenance"]["parameters"]
    assert parameters["alternatives_used"] == 1
    assert any(record["role"] == "alternatives" for record in document["provenance"]["inputs"])


def test_f15_an_alternative_for_an_item_the_chain_lacks_is_noted(
    run_json: Callable[..., Any], files: tuple[str, str], tmp_path: Path
) -> None:
    scenario, chain = files
    alternatives = tmp_path / "alternatives.csv"
    alternatives.write_text(
        "item,stage,country,max_share,lead_time_days,source\nnope,processing,KOR,0.25,2,test\n",
        encoding="utf-8",
    )
    document = run_json(
        "scenario",
        "simulate",
        scenario,
        "--chain",
        chain,
        "--horizon",
        "7",
        "--alternatives",
        str(alternatives),
    )
    (note,) = [n for n in document["notes"] if n["code"] == "alternative_not_in_chain"]
    assert note["subject"] == "nope processing KOR"
    assert document["relief"] == []
