"""Issue 8 at the command line: bad files end in one located message and exit 1, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.chains import SHARED, write_chain
from tests.helpers.cli import refused


def _edit(files: dict[str, str], sheet: str, old: str, new: str) -> dict[str, str]:
    assert old in files[sheet], old
    return {**files, sheet: files[sheet].replace(old, new)}


def test_f12_infinite_duration_is_refused_before_json_output(run, write, tmp_path: Path) -> None:
    chain = write_chain(tmp_path / "c", SHARED)
    scenario = write(
        "s.yaml", "name: x\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n    duration_days: .inf\n"
    )
    message = refused(run, "scenario", "run", str(scenario), "--chain", str(chain), "--format", "json")
    assert "shock 1, duration_days" in message and "not a finite number" in message


def test_f12_overflowing_quantities_are_refused_before_json_output(run, write, tmp_path: Path) -> None:
    files = _edit(SHARED, "bom.csv", "engine,magnet,4", "engine,magnet,1e200")
    files = _edit(files, "bom.csv", "magnet,ndpr,0.5", "magnet,ndpr,1e200")
    chain = write_chain(tmp_path / "c", files)
    scenario = write("s.yaml", "name: x\nshocks:\n  - countries: [CHN]\n    severity: 0.5\n")
    message = refused(run, "scenario", "run", str(scenario), "--chain", str(chain), "--format", "json")
    assert "row 5, column 'quantity'" in message and "row 7, column 'quantity'" in message
    message = refused(run, "chain", "exposure", str(chain), "--format", "json")
    assert "between 1e-09 and 1e+09" in message


def test_f12_shock_on_an_absent_material_is_noted_in_the_json(run_json, write, tmp_path: Path) -> None:
    chain = write_chain(tmp_path / "c", SHARED)
    scenario = write(
        "s.yaml", "name: x\nshocks:\n  - countries: [CHN]\n    severity: 1\n    materials: [germanium]\n"
    )
    document = run_json("scenario", "run", str(scenario), "--chain", str(chain))
    assert document["notes"][0]["materials"] == ["germanium"] and document["notes"][0]["hits_nothing"]
    assert all(item["availability"] == 1.0 for item in document["items"])


def test_f04_duplicate_header_is_a_message_not_an_index_error(run, tmp_path: Path) -> None:
    files = _edit(SHARED, "bom.csv", "parent,child,quantity", "parent,child,quantity ,quantity")
    files = {
        **files,
        "bom.csv": "\n".join(
            line + ",1" if i else line for i, line in enumerate(files["bom.csv"].splitlines())
        ),
    }
    message = refused(
        run, "chain", "import", str(write_chain(tmp_path / "c", files)), "--workspace", str(tmp_path / "w")
    )
    assert "sheet 'bom', row 1, column 'quantity': the column name appears more than once" in message


def test_f04_deep_json_chain_is_refused(run, write, tmp_path: Path) -> None:
    path = write("deep.json", '{"items": ' + "[" * 2000 + "]" * 2000 + "}")
    message = refused(run, "chain", "import", str(path), "--workspace", str(tmp_path / "w"))
    assert "nested deeper than 64 levels" in message


def test_f04_dutch_excel_csv_chain_is_imported(run, run_json, tmp_path: Path) -> None:
    # Dutch Excel saves "CSV" with semicolons and decimal commas; the exporter's quote before text
    # that starts like a formula comes back off.
    dutch = {name: text.replace(",", ";") for name, text in SHARED.items()}
    dutch = _edit(dutch, "bom.csv", "magnet;ndpr;0.5", "magnet;ndpr;0,5")
    dutch = _edit(dutch, "sourcing.csv", "engine;DEU;0.6;;E1", "engine;DEU;0,6;;'=E1")
    dutch = _edit(dutch, "sourcing.csv", "engine;FRA;0.4", "engine;FRA;0,4")
    dutch = _edit(dutch, "sourcing.csv", "w;CHN;0.8", "w;CHN;0,8")
    dutch = _edit(dutch, "sourcing.csv", "w;AUT;0.2", "w;AUT;0,2")
    dutch = _edit(dutch, "bom.csv", "turret;ga;0.01", "turret;ga;0,01")
    workspace = str(tmp_path / "w.sqlite")
    folder = write_chain(tmp_path / "nl", dutch)
    result = run("chain", "import", str(folder), "--name", "nl", "--workspace", workspace)
    assert result.exit_code == 0, result.output
    assert run("chain", "export", "nl", str(tmp_path / "out.json"), "--workspace", workspace).exit_code == 0
    document = json.loads((tmp_path / "out.json").read_text())
    assert {r["quantity"] for r in document["bom"] if r["child"] == "ndpr"} == {0.5}
    assert "=E1" in {r["supplier"] for r in document["sourcing"]}


def test_f04_exported_materials_sheet_reimports_without_catalogue(run, tmp_path: Path) -> None:
    files = _edit(
        SHARED, "items.csv", "ga,Gallium,material,,,gallium,kg", "ga,Aramid X,material,,,aramid_x,kg"
    )
    files["materials.csv"] = "id,name_en,name_nl,category,note\naramid_x,Aramid X,Aramide X,super_fibre,\n"
    folder = write_chain(tmp_path / "m", files)
    result = run("chain", "import", str(folder), "--name", "m", "--workspace", str(tmp_path / "w.sqlite"))
    assert result.exit_code == 0, result.output
