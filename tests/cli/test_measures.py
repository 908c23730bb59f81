"""The CLI contract of `measures list|rank`: JSON keys, --save-as, an unchanged store, bad files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.chains import write_chain
from tests.helpers.cli import assert_no_nan, refused

# p ← a (gallium: CHN 80 %, JPN 20 % at processing). China stops processed gallium for 100 days:
# 80 platform-days lost; a Korean refiner for half gives 40, dropping China gives 0.
FILES = {
    "items.csv": """id,name,kind,domain,dis_area,material,unit
p,Platform,platform,land,,,unit
a,Gallium,material,,,gallium,kg
""",
    "bom.csv": "parent,child,quantity\np,a,1\n",
    "sourcing.csv": """item,country,share,stage,supplier,tier
p,NLD,1,,OEM,0
a,AUS,1,mining,,1
a,CHN,0.8,processing,,1
a,JPN,0.2,processing,,1
""",
}
SCENARIO = """name: China stops processed gallium
shocks:
  - countries: [CHN]
    stage: processing
    materials: [gallium]
    severity: 1.0
    duration_days: 100
"""
MEASURES = """measures:
  - {id: kor, kind: add_supplier, item: a, stage: processing, country: KOR, share: 0.5,
     cost_eur: 2000000, measure_type: C04}
  - {id: no_china, kind: remove_country, item: a, stage: processing, country: CHN}
"""


@pytest.fixture
def files(tmp_path: Path, run: Callable[..., Any]) -> dict[str, str]:
    chain = write_chain(tmp_path / "one", FILES)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    measures = tmp_path / "measures.yaml"
    measures.write_text(MEASURES, encoding="utf-8")
    workspace = tmp_path / "w.sqlite"
    assert run("chain", "import", str(chain), "--name", "one", "--workspace", str(workspace)).exit_code == 0
    return {"scenario": str(scenario), "measures": str(measures), "workspace": str(workspace)}


def _rank(files: dict[str, str], *more: str) -> list[str]:
    return [
        "measures",
        "rank",
        "--chain",
        "one",
        "--scenario",
        files["scenario"],
        "--measures",
        files["measures"],
        "--workspace",
        files["workspace"],
        *more,
    ]


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_f16_rank_json_keeps_the_contract_and_the_hand_values(
    run_json: Callable[..., Any], files: dict[str, str]
) -> None:
    before = _digest(files["workspace"])
    document = run_json(*_rank(files))
    assert _digest(files["workspace"]) == before  # a what-if never changes the store
    entries = {m["id"]: m for m in document["measures"]}
    for entry in entries.values():
        assert {"id", "kind", "platforms", "loss_avoided", "loss_avoided_per_eur", "rank"} <= set(entry)
        for platform in entry["platforms"]:
            assert {
                "id",
                "availability_before",
                "availability_after",
                "days_lost_before",
                "days_lost_after",
            } <= set(platform)
    kor = entries["kor"]
    assert kor["platforms"][0]["days_lost_before"] == pytest.approx(80.0)
    assert kor["platforms"][0]["days_lost_after"] == pytest.approx(40.0)
    assert kor["platforms"][0]["availability_after"] == pytest.approx(0.6)
    assert kor["loss_avoided"] == pytest.approx(40.0)
    assert kor["loss_avoided_per_eur"] == pytest.approx(40.0 / 2e6)
    assert (kor["impact"], kor["effort"], kor["time_horizon"]) == (2.0, 5.0, "medium")  # C04 in the report
    assert entries["no_china"]["loss_avoided"] == pytest.approx(80.0)
    assert entries["no_china"]["loss_avoided_per_eur"] is None
    assert [m["rank"] for m in document["measures"]] == [1, 2]
    assert document["measures"][0]["id"] == "kor"  # costed measures rank first
    roles = {r["role"] for r in document["provenance"]["inputs"]}
    assert {"chain", "scenario", "measures"} <= roles
    assert_no_nan({k: v for k, v in document.items() if k != "measures"})


def test_f16_combine_and_save_as_store_a_new_chain(
    run_json: Callable[..., Any], run: Callable[..., Any], files: dict[str, str]
) -> None:
    document = run_json(*_rank(files, "--combine", "all", "--save-as", "one-mitigated"))
    combined = next(m for m in document["measures"] if m["id"] == "combined")
    assert combined["kind"] == "combination" and combined["loss_avoided"] == pytest.approx(80.0)
    listing = run_json("chain", "list", "--workspace", files["workspace"])
    names = {c["name"] for c in listing["chains"]}
    assert {"one", "one-mitigated"} <= names
    stored = run_json("chain", "show", "one-mitigated", "--workspace", files["workspace"])
    assert [v["version"] for v in stored["versions"]] == [1]
    # The stored copy has both measures: half KOR, the rest JPN only; China stops, nothing is lost.
    stock = Path(files["measures"]).with_name("stock.yaml")
    stock.write_text("measures:\n  - {id: s, kind: add_stock, item: a, days: 5}\n", encoding="utf-8")
    mitigated = run_json(
        *_rank({**files, "measures": str(stock)})[:3],
        "one-mitigated",
        *_rank(files)[4:7],
        str(stock),
        *_rank(files)[8:],
    )
    assert mitigated["measures"][0]["platforms"][0]["days_lost_before"] == pytest.approx(0.0)
    # The original is still version 1 and unchanged: the scenario on it still loses 80 days.
    again = run_json(*_rank(files))
    assert again["measures"][0]["platforms"][0]["days_lost_before"] == pytest.approx(80.0)


def test_f16_monte_carlo_rank_reports_draws_and_seed(
    run_json: Callable[..., Any], files: dict[str, str]
) -> None:
    document = run_json(*_rank(files, "--draws", "3", "--seed", "2"))
    assert (document["method"], document["draws"], document["seed"]) == ("montecarlo", 3, 2)
    assert document["provenance"]["seed"] == 2


def test_f16_rank_csv_and_table(run: Callable[..., Any], files: dict[str, str]) -> None:
    result = run(*_rank(files, "--format", "csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("id,kind,name,item,measure_type,cost_eur,loss_avoided")
    table = run(*_rank(files))
    assert table.exit_code == 0 and "Measures ranked under" in table.stdout and "no_china" in table.stdout


def test_f16_bad_measures_file_is_refused_and_the_store_unchanged(
    run: Callable[..., Any], files: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "measures:\n  - {id: x, kind: add_supplier, item: zz, country: XXX, share: 2}\n"
        "  - {id: y, kind: remove_country, item: a, stage: mining, country: AUS}\n",
        encoding="utf-8",
    )
    before = _digest(files["workspace"])
    message = refused(run, *_rank({**files, "measures": str(bad)}, "--save-as", "nope", "--format", "json"))
    assert "measures 1 (x), item" in message and "measures 1 (x), country" in message
    assert _digest(files["workspace"]) == before
    # The file is fine but removing AUS leaves no mining supply: said so, nothing stored.
    bad.write_text("measures:\n  - {id: y, kind: remove_country, item: a, stage: mining, country: AUS}\n")
    message = refused(run, *_rank({**files, "measures": str(bad)}, "--save-as", "nope"))
    assert "measures 1 (y)" in message and "no supply at that stage" in message
    assert _digest(files["workspace"]) == before


def test_f16_list_json_has_the_report_ratings_and_the_shares_taken(run_json: Callable[..., Any]) -> None:
    document = run_json("measures", "list")
    by_id = {m["measure_id"]: m for m in document["measures"]}
    assert (by_id["G06"]["impact"], by_id["G06"]["investment"], by_id["G06"]["effort"]) == (
        "high",
        "high",
        6.0,
    )
    assert by_id["O05"]["impact"] is None and by_id["O05"]["effort"] is None  # the report rates none
    assert document["taken"][0]["pct_companies"] == 35
    assert {d["id"] for d in document["provenance"]["datasets"]} >= {
        "seed_mitigation_measures",
        "seed_measures_taken",
    }


def test_f16_list_with_a_chain_matches_findings_to_measures(run_json: Callable[..., Any]) -> None:
    folder = resources.files("ketenradar.demo_data")
    document = run_json("measures", "list", "--chain", str(folder / "chains" / "defence_demo"))
    rules = {f["rule"] for f in document["findings"]}
    assert {"single_country", "ownership", "shortfall"} <= rules
    ownership = next(f for f in document["findings"] if f["rule"] == "ownership")
    assert ownership["evaluated"] is False


def test_f16_demo_measures_file_ranks_on_the_demo_chain(run_json: Callable[..., Any]) -> None:
    folder = resources.files("ketenradar.demo_data")
    document = run_json(
        "measures",
        "rank",
        "--chain",
        str(folder / "chains" / "defence_demo"),
        "--scenario",
        "china-gallium-germanium-2023",
        "--measures",
        str(folder / "measures" / "measures.yaml"),
    )
    ids = [m["id"] for m in document["measures"]]
    assert sorted(ids) == [
        "cobalt_free_alloy",
        "mmic_stock",
        "no_chinese_germanium",
        "second_gallium_refiner",
    ]
    assert document["measures"][0]["id"] == "second_gallium_refiner"


def test_f16_combine_with_an_unknown_id_is_refused(run: Callable[..., Any], files: dict[str, str]) -> None:
    message = refused(run, *_rank(files, "--combine", "kor,nope"))
    assert "no measure of the file has this id" in message and "nope" in message
