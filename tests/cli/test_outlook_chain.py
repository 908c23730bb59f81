"""F11: `ketenradar outlook --chain`: the outlook and CRMA flags per mapped chain, as JSON, CSV and tables."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from click.testing import Result

from tests.helpers.chains import write_chain
from tests.helpers.cli import assert_no_nan, refused
from tests.services.test_chain_outlook import RADAR_JAMMER

Run = Callable[..., Result]
Write = Callable[[str, str], Path]

DEMO = str(Path(str(resources.files("ketenradar.demo_data") / "chains" / "defence_demo")))


def test_f11_outlook_chain_json_flags_the_demo_chain(run_json: Callable[..., Any]) -> None:
    document = run_json("outlook", "--chain", DEMO)
    assert_no_nan(document)
    (chain,) = document["chains"]
    by_id = {r["material"]: r for r in chain["materials"]}
    gallium = by_id["gallium"]
    assert gallium["platforms"] == ["frigate", "fighter"]
    assert gallium["crma_single_third_country"]["chain"]["processing"]["third_country"] == "CHN"
    assert gallium["flags"]["crma_single_country_chain"] is True
    assert gallium["flags"]["crma_processing"] is True  # 1 − 98 % import reliance = 2 % < 40 %
    assert by_id["copper"]["iea"]["2040"]["supply_minus_demand_kt"] == -10373.0
    assert by_id["aramid_fibre"]["flags"]["crma_single_country_chain"] is None
    summary = {row["benchmark"]: row for row in chain["summary"]}
    assert summary["iea_shortfall_2040"]["materials"] == ["cobalt", "copper", "lithium", "nickel"]
    assert document["settings"]["crma_extraction_benchmark"] == 0.1


def test_f11_outlook_chain_csv_one_row_per_chain_and_material(run: Run, tmp_path: Path) -> None:
    folder = write_chain(tmp_path / "radar_jammer", RADAR_JAMMER)
    result = run("outlook", "--chain", DEMO, "--chain", str(folder), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    # 13 materials in the demo chain, 4 in the hand-built one.
    assert [r["chain"] for r in rows].count("defence_demo") == 13
    assert [r["chain"] for r in rows].count("radar_jammer") == 4
    gallium = next(r for r in rows if r["chain"] == "radar_jammer" and r["material"] == "gallium")
    assert gallium["processing_chain_platforms_over_limit"] == "radar"
    assert gallium["platforms"] == "radar;jammer"


def test_f11_outlook_chain_table_has_the_three_parts(run: Run) -> None:
    result = run("outlook", "--chain", DEMO)
    assert result.exit_code == 0, result.output
    for title in (
        "Outlook of chain 'defence_demo'",
        "CRMA single-country benchmark of chain 'defence_demo'",
        "CRMA capacity benchmarks of chain 'defence_demo'",
        "Summary of chain 'defence_demo'",
    ):
        assert title in result.stdout
    assert "25%" in result.stdout  # the recycling benchmark of the regulation, in the caption


def test_f11_outlook_chain_in_dutch_runs(run: Run) -> None:
    result = run("--lang", "nl", "outlook", "--chain", DEMO)
    assert result.exit_code == 0, result.output
    assert "25%" in result.stdout or "25 %" in result.stdout


def test_f11_outlook_on_a_stored_chain(run: Run, tmp_path: Path) -> None:
    folder = write_chain(tmp_path / "radar_jammer", RADAR_JAMMER)
    workspace = str(tmp_path / "w.sqlite")
    assert run("chain", "import", str(folder), "--name", "rj", "--workspace", workspace).exit_code == 0
    result = run("outlook", "--chain", "rj", "--workspace", workspace, "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["chains"][0]["chain"] == "rj"
    assert document["provenance"]["inputs"][0]["version"] == 1


def test_f11_benchmark_thresholds_come_from_the_settings(run: Run, write: Write) -> None:
    config = write("k.toml", "[outlook]\ncrma_recycling_benchmark = 0.6\n")
    result = run("--config", str(config), "outlook", "--chain", DEMO, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = {r["material"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    # Copper's EOL-RIR is 55 %: below 60 %, not below the regulation's 25 %.
    assert rows["copper"]["recycling_below_benchmark"] == "True"
    assert rows["copper"]["recycling_benchmark"] == "0.6"


def test_f11_bad_benchmark_setting_is_refused(run: Run, write: Write) -> None:
    config = write("bad.toml", "[outlook]\ncrma_processing_benchmark = 1.4\n")
    message = refused(run, "--config", str(config), "outlook", "--chain", DEMO)
    assert "outlook.crma_processing_benchmark" in message


def test_f11_unknown_chain_is_refused(run: Run, tmp_path: Path) -> None:
    message = refused(run, "outlook", "--chain", "no_such_chain", "--workspace", str(tmp_path / "w.sqlite"))
    assert "no_such_chain" in message


def test_f11_outlook_without_chain_is_unchanged(run_json: Callable[..., Any]) -> None:
    document = run_json("outlook")
    assert set(document) == {"materials", "iea_outlook", "settings", "sources", "provenance"}
    assert len(document["materials"]) == 34


def test_f11_chain_without_platforms_says_so(run: Run, tmp_path: Path) -> None:
    folder = write_chain(
        tmp_path / "no_platform",
        {
            "items.csv": "id,name,kind,domain,dis_area,material,unit\n"
            "sub,Sub,subsystem,land,,,unit\nga,Gallium,material,,,gallium,kg\n",
            "bom.csv": "parent,child,quantity\nsub,ga,1\n",
            "sourcing.csv": "item,country,share,stage,supplier,tier\nga,CHN,1,processing,,2\n",
        },
    )
    result = run("outlook", "--chain", str(folder), "--format", "json")
    assert result.exit_code == 0
    assert "no item of kind 'platform'" in result.stderr
    assert json.loads(result.stdout)["chains"][0]["materials"] == []
