"""Every result's JSON carries its provenance: datasets with edition and sha256, the user's inputs
with their checksums, the parameters, the package version and, where random, the seed."""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import ketenradar
from ketenradar import refdata
from ketenradar.cli import cli
from ketenradar.reports.context import demo_chain_path, demo_scenario_path

DEMO_DATA = Path(str(resources.files("ketenradar.demo_data")))
INTERMEDIATES = (
    "material,stage,supply_data_used,hhi_gs,hhi_eu,import_reliance,eol_rir,si_sr\n"
    "cobalt,mining,gs+eu,3.6,1.3,0.32,0,1.0\n"
)
SERVER_PASSWORD = "provenance test password"
COMTRADE = "reporter,partner,hs,year,flow,value\nUSA,NLD,930690,2021,X,60\nDEU,NLD,930690,2021,X,40\n"


def _json_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            found += _json_commands(command, path)
        elif any(
            isinstance(p.type, click.Choice) and "json" in p.type.choices and p.name == "fmt"
            for p in command.params
        ):
            found.append(path)
    return found


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("provenance")
    inputs = folder / "intermediates.csv"
    inputs.write_text(INTERMEDIATES)
    trade = folder / "flows.csv"
    trade.write_text(COMTRADE)
    workspace = folder / "w.sqlite"
    result = CliRunner().invoke(
        cli, ["chain", "import", str(demo_chain_path()), "--name", "demo", "--workspace", str(workspace)]
    )
    assert result.exit_code == 0, result.output
    # Two snapshots, so that monitor diff and alerts have something to compare.
    for name in ("first", "second"):
        result = CliRunner().invoke(
            cli, ["monitor", "snapshot", "--name", name, "--workspace", str(workspace)]
        )
        assert result.exit_code == 0, result.output
    # The observatory server's database: a user to disable, and a backup to restore into a new one.
    server = f"sqlite:///{folder / 'server.sqlite'}"
    for name in ("root", "leaver"):
        result = CliRunner().invoke(
            cli,
            ["user", "add", name, "--role", "admin", "--password-stdin", "--database", server],
            input=SERVER_PASSWORD + "\n",
        )
        assert result.exit_code == 0, result.output
    backup = folder / "server-backup.zip"
    result = CliRunner().invoke(cli, ["backup", str(backup), "--database", server])
    assert result.exit_code == 0, result.output
    return {
        "inputs": inputs,
        "trade": trade,
        "workspace": workspace,
        "server": Path(server.removeprefix("sqlite:///")),
        "backup": backup,
        "restored": folder / "restored.sqlite",
        "second_backup": folder / "second-backup.zip",
    }


def _arguments(files: dict[str, Path]) -> dict[tuple[str, ...], list[str]]:
    workspace = ["--workspace", str(files["workspace"])]
    server = ["--database", f"sqlite:///{files['server']}"]
    return {
        ("materials",): [],
        ("countries",): [],
        ("sources",): [],
        ("outlook",): [],
        ("criticality", "compute"): [str(files["inputs"])],
        ("chain", "list"): workspace,
        ("chain", "show"): ["demo", *workspace],
        ("chain", "exposure"): [str(demo_chain_path())],
        ("scenario", "list"): [],
        ("scenario", "run"): [str(demo_scenario_path()), "--chain", "demo", *workspace],
        ("scenario", "simulate"): [str(demo_scenario_path()), "--chain", "demo", *workspace],
        ("scenario", "montecarlo"): [
            str(demo_scenario_path()),
            "--chain",
            "demo",
            "--draws",
            "5",
            *workspace,
        ],
        ("scenario", "alternatives"): [],
        ("stockpile", "plan"): [
            "--scenario",
            str(DEMO_DATA / "stockpile" / "scenario.yaml"),
            "--chain",
            "demo",
            "--candidates",
            str(DEMO_DATA / "stockpile" / "candidates.csv"),
            "--budget",
            "20000",
            "--draws",
            "20",
            *workspace,
        ],
        ("measures", "list"): [],
        ("measures", "rank"): [
            "--scenario",
            str(DEMO_DATA / "stockpile" / "scenario.yaml"),
            "--chain",
            "demo",
            "--measures",
            str(DEMO_DATA / "measures" / "measures.yaml"),
            *workspace,
        ],
        ("monitor", "snapshot"): ["--name", "third", *workspace],
        ("monitor", "list"): workspace,
        ("monitor", "diff"): ["first", "second", *workspace],
        ("monitor", "alerts"): ["--rules", str(DEMO_DATA / "monitor" / "alert_rules.yaml"), *workspace],
        ("monitor", "key-figures"): workspace,
        ("survey", "summary"): [],
        ("matrix",): ["--domain", "land"],
        ("ownership",): [],
        ("materiel",): [],
        ("trade", "concentration"): [str(files["trade"])],
        ("trade", "groups"): [],
        ("procure", "evaluate"): [str(DEMO_DATA / "procurement" / "bids"), *workspace],
        ("roadmap", "show"): [str(DEMO_DATA / "roadmap" / "military_ships.yaml")],
        ("user", "add"): ["newcomer", "--role", "analyst", "--password-stdin", *server],
        ("user", "list"): server,
        ("user", "disable"): ["leaver", *server],
        ("audit",): ["--limit", "5", *server],
        ("backup",): [str(files["second_backup"]), *server],
        ("restore",): [str(files["backup"]), "--database", f"sqlite:///{files['restored']}"],
    }


def _sha256(path: Path) -> str:
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    digest = hashlib.sha256()
    for file in sorted(p for p in path.iterdir() if p.is_file()):
        digest.update(file.name.encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def test_every_json_command_is_covered(files: dict[str, Path]) -> None:
    assert set(_json_commands(cli)) == set(_arguments(files))


@pytest.mark.parametrize("command", sorted(_json_commands(cli)), ids=" ".join)
def test_every_json_document_carries_provenance(command: tuple[str, ...], files: dict[str, Path]) -> None:
    stdin = SERVER_PASSWORD + "\n" if command == ("user", "add") else None
    result = CliRunner().invoke(cli, [*command, *_arguments(files)[command], "--format", "json"], input=stdin)
    assert result.exit_code == 0, result.output
    block = json.loads(result.stdout)["provenance"]
    assert block["package_version"] == ketenradar.__version__
    assert block["reference_snapshot"] == refdata.snapshot_version()
    assert isinstance(block["parameters"], dict)
    for dataset in block["datasets"]:
        shipped = refdata.provenance_of(dataset["id"])
        assert (dataset["edition"], dataset["year"], dataset["sha256"]) == (
            shipped.edition,
            shipped.year,
            shipped.sha256,
        )
        assert re.fullmatch(r"[0-9a-f]{64}", dataset["sha256"])
    for record in block["inputs"]:
        source = Path(record["source"])
        if record["sha256"] is not None:
            assert record["sha256"] == _sha256(source)
        else:
            # A stored chain has a version, a snapshot its unique name; a survey may be synthetic.
            assert record["version"] is not None or record["role"] in ("survey", "snapshot")
    assert "seed" in block


def test_inputs_name_the_user_files_and_stored_versions(files: dict[str, Path]) -> None:
    runner = CliRunner()
    exposure = json.loads(
        runner.invoke(cli, ["chain", "exposure", str(demo_chain_path()), "--format", "json"]).stdout
    )
    (chain,) = exposure["provenance"]["inputs"]
    assert chain["role"] == "chain" and chain["sha256"] == _sha256(demo_chain_path())
    assert {d["id"] for d in exposure["provenance"]["datasets"]} == {"ec_global_supply", "country_groups"}
    assert exposure["provenance"]["parameters"]["spof_share_threshold"] == 0.9
    stored = json.loads(
        runner.invoke(
            cli,
            [
                "scenario",
                "run",
                str(demo_scenario_path()),
                "--chain",
                "demo",
                "--workspace",
                str(files["workspace"]),
                "--format",
                "json",
            ],
        ).stdout
    )
    chain, scenario = stored["provenance"]["inputs"]
    assert (chain["name"], chain["version"]) == ("demo", 1)
    assert scenario["role"] == "scenario" and scenario["sha256"] == _sha256(demo_scenario_path())


def test_random_results_carry_their_seed() -> None:
    document = json.loads(CliRunner().invoke(cli, ["survey", "summary", "--format", "json"]).stdout)
    assert document["synthetic"] is True
    assert document["provenance"]["seed"] == 2024


def test_materials_provenance_records_options_and_overrides(tmp_path: Path) -> None:
    sourcing = tmp_path / "nl.csv"
    sourcing.write_text("material,stage,country,share\ngallium,processing,DEU,1.0\n")
    document = json.loads(
        CliRunner()
        .invoke(cli, ["materials", "--eu-sourcing", str(sourcing), "--wgi-years", "2019", "--format", "json"])
        .stdout
    )
    block = document["provenance"]
    assert block["parameters"]["wgi_years"] == [2019]
    assert block["parameters"]["overrides"] == ["EU sourcing shares replaced from a user file"]
    assert block["inputs"] == [
        {
            "role": "eu_sourcing",
            "name": None,
            "source": str(sourcing),
            "sha256": _sha256(sourcing),
            "version": None,
        }
    ]
