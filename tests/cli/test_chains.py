"""The CLI contract of `chain` and `scenario run`, on files and on stored chains.

The radar numbers are worked out in tests/data/radar_chain/EXPECTED.md.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ketenradar.reports.context import demo_chain_path, demo_scenario_path
from tests.helpers.chains import RADAR


def test_f05_chain_exposure_json_keeps_the_contract_shape(run_json) -> None:
    document = run_json("chain", "exposure", str(RADAR))
    assert document["chain"] == "radar_chain"
    (platform,) = document["platforms"]
    assert {"id", "materials", "single_points_of_failure", "visibility"} <= set(platform)
    materials = {m["material"]: m for m in platform["materials"]}
    assert materials["copper"]["quantity"] == pytest.approx(80)
    for material in materials.values():
        assert {"material", "quantity", "stages"} <= set(material)
        for stage in ("mining", "processing"):
            entry = material["stages"][stage]
            assert entry["basis"] in ("chain", "world", "none")
            assert all(len(c) == 3 and c.isupper() for c in entry["shares"])
    assert materials["copper"]["stages"]["mining"]["shares"] == {"CHL": 0.5, "PER": 0.5}
    assert materials["light_rare_earths"]["stages"]["mining"]["basis"] == "world"
    assert "magnet_motor" in platform["single_points_of_failure"]


def test_f12_scenario_run_json_keeps_the_contract_shape(run_json) -> None:
    document = run_json(
        "scenario", "run", str(RADAR / "scenario_rare_earth_motor.yaml"), "--chain", str(RADAR)
    )
    assert document["scenario"] == "Half of Chinese supply lost, any stage"
    assert {"id", "availability", "limited_by"} <= set(document["items"][0])
    (platform,) = document["platforms"]
    assert platform == {
        "id": "ground_radar",
        "availability": pytest.approx(0.5),
        "limited_by": ["magnet_motor", "ga"],
    }


def test_f04_stored_chain_works_like_the_file(run, run_json, tmp_path: Path) -> None:
    workspace = str(tmp_path / "w.sqlite")
    result = run("chain", "import", str(demo_chain_path()), "--name", "demo", "--workspace", workspace)
    assert result.exit_code == 0 and "version 1" in result.stdout
    from_file = run_json("chain", "exposure", str(demo_chain_path()))
    stored = run_json("chain", "exposure", "demo", "--workspace", workspace)
    assert stored["platforms"] == from_file["platforms"]
    listed = run_json("chain", "list", "--workspace", workspace)["chains"]
    assert [(c["name"], c["version"], c["n_items"]) for c in listed] == [("demo", 1, 45)]
    shown = run_json("chain", "show", "demo", "--workspace", workspace)
    assert shown["platforms"] == ["frigate", "fighter"]
    scenario = run_json(
        "scenario", "run", str(demo_scenario_path()), "--chain", "demo", "--workspace", workspace
    )
    frigate = next(p for p in scenario["platforms"] if p["id"] == "frigate")
    assert frigate["availability"] == pytest.approx(0.1)  # gallium: Japan's 10 % remains
    assert frigate["limited_by"] == ["m_gallium"]


def test_f04_export_and_reimport_round_trip(run, run_json, tmp_path: Path) -> None:
    workspace = str(tmp_path / "w.sqlite")
    assert run("chain", "import", str(RADAR), "--name", "r", "--workspace", workspace).exit_code == 0
    for target in ("r.xlsx", "r.json", "r_csv"):
        out = tmp_path / target
        assert run("chain", "export", "r", str(out), "--workspace", workspace).exit_code == 0
        assert run("chain", "import", str(out), "--name", "r", "--workspace", workspace).exit_code == 0
    versions = run_json("chain", "show", "r", "--workspace", workspace)["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3, 4]
    first = run_json("chain", "exposure", "--detail", "items", str(RADAR))["platforms"]
    stored = run_json("chain", "exposure", "--detail", "items", "r", "--workspace", workspace)
    assert stored["platforms"] == first


def test_f04_unknown_stored_chain_is_a_clear_error(run, tmp_path: Path) -> None:
    result = run("chain", "exposure", "nothing", "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 1
    assert "no stored chain 'nothing'" in result.stderr


def test_f04_chain_synth_writes_a_valid_workbook(run, tmp_path: Path) -> None:
    out = tmp_path / "synth"
    assert run("chain", "synth", "--items", "500", "--seed", "3", str(out)).exit_code == 0
    result = run("chain", "import", str(out), "--name", "s", "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 0, result.stderr
    assert "500 items" in result.stdout


def _folder(tmp_path: Path, name: str, items: str, bom: str, sourcing: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "items.csv").write_text(items)
    (folder / "bom.csv").write_text(bom)
    (folder / "sourcing.csv").write_text(sourcing)
    return folder


def test_f05_chain_without_any_sourcing_uses_world_shares(run_json, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        "c",
        "id,name,kind,material\np,Radar,platform,\nga,Gallium,material,gallium\n",
        "parent,child,quantity\np,ga,2\n",
        "item,country,share\n",
    )
    (platform,) = run_json("chain", "exposure", "--detail", "items", str(folder))["platforms"]
    gallium = platform["materials"][0]["stages"]["processing"]
    assert gallium["basis"] == "world" and gallium["known_fraction"] == 0
    # China supplies 93.8 % of world gallium processing: a single point even without chain data.
    assert platform["single_points_of_failure"] == ["ga"]
    assert {d["reason"] for d in platform["single_point_details"]} == {"material ≥ 90% from one country"}


def test_f05_chain_without_platforms_says_so(run, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        "c",
        "id,name,kind,material\nc1,Part,component,\nga,Gallium,material,gallium\n",
        "parent,child,quantity\nc1,ga,1\n",
        "item,country,share\n",
    )
    result = run("chain", "exposure", str(folder), "--format", "json")
    assert result.exit_code == 0
    assert "no item of kind 'platform'" in result.stderr
    assert json.loads(result.stdout)["platforms"] == []


def test_f05_lone_platform_without_bom(run_json, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        "c",
        "id,name,kind\np,Platform,platform\n",
        "parent,child,quantity\n",
        "item,country,share\n",
    )
    (platform,) = run_json("chain", "exposure", "--detail", "items", str(folder))["platforms"]
    assert platform["materials"] == [] and platform["visibility"]["levels"] == 1


def test_f05_levels_below_counts_the_branch_itself(run_json) -> None:
    # Issue 8: copper under power_unit is one level down, though it also sits three levels below
    # the antenna (power_unit was reported 2). In the demo, ft_gear → gear_alloy → m_nickel is 2
    # levels (nickel is 3 levels below frigate branches, so ft_gear was reported 3).
    (radar,) = run_json("chain", "exposure", "--detail", "items", str(RADAR))["platforms"]
    branches = {b["branch"]: b["levels_below"] for b in radar["visibility"]["branches"]}
    assert branches == {"antenna_array": 3, "power_unit": 1}
    assert radar["visibility"]["levels"] == 5
    demo = run_json("chain", "exposure", "--detail", "items", str(demo_chain_path()))["platforms"]
    fighter = next(p for p in demo if p["id"] == "fighter")
    gear = next(b for b in fighter["visibility"]["branches"] if b["branch"] == "ft_gear")
    assert gear["levels_below"] == 2


def test_f05_chain_exposure_table_shows_split_hhi_and_item_concentration(run) -> None:
    result = run("chain", "exposure", str(RADAR))
    assert result.exit_code == 0, result.output
    table = result.stdout
    for header in ("NL", "EU+EEA", "third", "HHI", "top country"):
        assert header in table
    # Copper processing: CHN 0.5, DEU 0.5 → EU+EEA 0.50, third 0.50, HHI 0.50.
    copper = next(line for line in table.splitlines() if "copper" in line and "processing" in line)
    assert _cells(copper)[4:9] == ["CHN 50%", "0.00", "0.50", "0.50", "0.50"]
    # Per-item HHI: mmic is made 60/40 in two countries → 0.6² + 0.4² = 0.52.
    assert "Concentration of each item's own sourcing" in table
    mmic = next(line for line in table.splitlines() if line.startswith("│ mmic "))
    assert _cells(mmic) == ["mmic", "manufacturing", "2", "USA", "0.60", "0.52"]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("│")[1:-1]]


def test_f05_chain_exposure_table_is_bounded_on_a_big_chain(run, run_json, tmp_path: Path) -> None:
    # Issue 8: 100,000 items printed 157,661 lines; tables now stop after 20 rows and say how
    # many more the complete JSON and CSV hold.
    out = tmp_path / "synth"
    assert (
        run("chain", "synth", "--items", "3000", "--platforms", "3", "--seed", "1", str(out)).exit_code == 0
    )
    result = run("chain", "exposure", str(out))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    more = [line for line in lines if line.endswith("more (use --format csv or json for all)")]
    assert len(more) >= 3  # exposure, single points, item concentration
    assert len(lines) < 200
    document = run_json("chain", "exposure", "--detail", "items", str(out))
    details = sum(len(p["single_point_details"]) for p in document["platforms"])
    assert details > 1000  # JSON stays complete
    csv_lines = run("chain", "exposure", str(out), "--format", "csv").stdout.splitlines()
    assert len(csv_lines) > 1000


def test_f12_scenario_table_bounds_a_long_limited_by_cell(run, run_json, tmp_path: Path) -> None:
    # Issue 8: a platform limited by thousands of items put them all in one cell.
    materials = [f"m{k}" for k in range(12)]
    folder = _folder(
        tmp_path,
        "c",
        "id,name,kind,material\np,Platform,platform,\n"
        + "".join(f"{m},Copper {m},material,copper\n" for m in materials),
        "parent,child,quantity\n" + "".join(f"p,{m},1\n" for m in materials),
        "item,country,share,stage\n"
        + "".join(f"{m},CHN,1,processing\n{m},CHL,1,mining\n" for m in materials),
    )
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: China\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n", encoding="utf-8")
    (platform,) = run_json("scenario", "run", str(scenario), "--chain", str(folder))["platforms"]
    assert sorted(platform["limited_by"]) == sorted(materials)  # JSON: all of them
    table = run("scenario", "run", str(scenario), "--chain", str(folder)).stdout
    first = ", ".join(platform["limited_by"][:5])
    assert f"{first} … and 7 more" in " ".join(table.split())
    assert "Most affected items (lowest availability first)" in table


def test_f04_materials_from_a_catalogue_file_travel_with_the_stored_chain(run, tmp_path: Path) -> None:
    # A chain using a material from --catalogue is stored with it; its export re-imports alone.
    catalogue = tmp_path / "extra.csv"
    catalogue.write_text("id,name_en,name_nl,category\nkevlar_x,Kevlar X,Kevlar X,super_fibre\n")
    folder = tmp_path / "chain"
    shutil.copytree(RADAR, folder)
    items = folder / "items.csv"
    items.write_text(items.read_text().replace(",copper,", ",kevlar_x,"))
    workspace = str(tmp_path / "w.sqlite")
    assert run("chain", "import", str(folder), "--name", "x", "--workspace", workspace).exit_code == 1
    result = run(
        "chain", "import", str(folder), "--name", "x", "--catalogue", str(catalogue), "--workspace", workspace
    )
    assert result.exit_code == 0, result.output
    for target in ("x.xlsx", "x.json", "x_csv"):
        out = tmp_path / target
        assert run("chain", "export", "x", str(out), "--workspace", workspace).exit_code == 0
        again = run("chain", "import", str(out), "--name", "again", "--workspace", workspace)
        assert again.exit_code == 0, again.output


def test_f12_scenario_list_json_shows_the_library(run_json) -> None:
    document = run_json("scenario", "list")
    entries = {s["id"]: s for s in document["scenarios"]}
    assert {"china-graphite-2023", "russia-sanctions-2022", "drc-cobalt-hypothetical"} <= set(entries)
    assert set(entries["china-graphite-2023"]) == {"id", "name", "description", "source", "shocks"}
    assert entries["china-graphite-2023"]["shocks"] == 2
    assert "No. 39" in entries["china-graphite-2023"]["source"]
    assert {r["name"] for r in document["provenance"]["inputs"]} == {f"library:{i}" for i in entries}


def test_f12_scenario_run_takes_a_library_id(run_json) -> None:
    document = run_json("scenario", "run", "china-graphite-2023", "--chain", str(demo_chain_path()))
    assert document["scenario"] == "China graphite export controls (December 2023), stress test"
    assert [s["stage"] for s in document["shocks"]] == ["mining", "processing"]
    assert any(p["availability"] < 1 for p in document["platforms"])
    (_, scenario) = document["provenance"]["inputs"]
    assert scenario["name"] == "library:china-graphite-2023"


def test_f12_unknown_scenario_id_lists_the_library_and_writes_nothing(run, tmp_path: Path) -> None:
    workspace = tmp_path / "w.sqlite"
    result = run(
        "scenario", "run", "china-graphit", "--chain", str(demo_chain_path()), "--workspace", str(workspace)
    )
    assert result.exit_code == 1 and result.stdout == ""
    assert "no scenario 'china-graphit' in the library" in result.stderr
    assert "china-graphite-2023" in result.stderr and "file path" in result.stderr
    assert not workspace.exists()
    missing = run("scenario", "simulate", str(tmp_path / "gone.yaml"), "--chain", str(demo_chain_path()))
    assert missing.exit_code == 1 and str(tmp_path / "gone.yaml") in missing.stderr
    assert "russia-sanctions-2022" in missing.stderr
