"""The CLI contract of `chain` and `scenario run`, on files and on stored chains.

The radar numbers are worked out in tests/data/radar_chain/EXPECTED.md.
"""

from __future__ import annotations

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
    first = run_json("chain", "exposure", str(RADAR))["platforms"]
    assert run_json("chain", "exposure", "r", "--workspace", workspace)["platforms"] == first


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
    (platform,) = run_json("chain", "exposure", str(folder))["platforms"]
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
    assert '"platforms": []' in result.stdout


def test_f05_lone_platform_without_bom(run_json, tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        "c",
        "id,name,kind\np,Platform,platform\n",
        "parent,child,quantity\n",
        "item,country,share\n",
    )
    (platform,) = run_json("chain", "exposure", str(folder))["platforms"]
    assert platform["materials"] == [] and platform["visibility"]["levels"] == 1
