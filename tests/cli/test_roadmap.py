"""F17 roadmap commands: draft → show → status → show; a bad edit changes nothing and is located."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ketenradar.cli import cli
from ketenradar.reports.context import demo_chain_path

# Shaped as `measures rank --format json` writes it: platforms are effects with an id, and the
# measure type is a catalogue id (C04: broaden the supply chain -> companies).
RANKING = {
    "measures": [
        {
            "id": "lens_stock",
            "kind": "add_stock",
            "measure_type": None,
            "platforms": [{"id": "frigate", "days_lost_before": 20.0, "days_lost_after": 7.5}],
            "loss_avoided": 12.5,
            "loss_avoided_per_eur": None,
            "time_horizon": "short",
            "rank": 1,
        },
        {
            "id": "refiner",
            "kind": "add_supplier",
            "measure_type": "C04",
            "platforms": [{"id": "frigate"}, {"id": "fighter"}],
            "loss_avoided": 146.0,
            "loss_avoided_per_eur": 3.65e-05,
            "cost_eur": 4000000.0,
            "time_horizon": "medium",
            "rank": 2,
        },
    ],
    "provenance": {},
}


def _draft(tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "ships.yaml"
    result = CliRunner().invoke(
        cli,
        [
            "roadmap",
            "draft",
            "--chain",
            str(demo_chain_path()),
            "--product-group",
            "military ships",
            "--platform",
            "frigate",
            "--start",
            "2027-Q1",
            "--out",
            str(out),
            *extra,
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_f17_draft_show_status_show(tmp_path: Path) -> None:
    ranking = tmp_path / "ranking.json"
    ranking.write_text(json.dumps(RANKING))
    out = _draft(tmp_path, "--ranking", str(ranking))
    runner = CliRunner()
    shown = json.loads(runner.invoke(cli, ["roadmap", "show", str(out), "--format", "json"]).stdout)
    roadmap = shown["roadmap"]
    assert [s["step"] for s in roadmap["steps"]] == [
        "scope",
        "chain_mapping",
        "risk_assessment",
        "interventions",
        "instruments",
        "owners",
        "timeline",
    ]
    stock, refiner = roadmap["interventions"]
    # start 2027-Q1 + 4 quarters; short: due 3 quarters later, medium: 11
    assert (stock["owners"], stock["start"], stock["due"]) == (
        ["government", "companies"],
        "2028-Q1",
        "2028-Q4",
    )
    assert (refiner["owners"], refiner["due"], refiner["platforms"]) == (
        ["companies"],
        "2030-Q4",
        ["frigate", "fighter"],
    )
    assert "fighter" in refiner["note"] and stock["note"] == ""
    assert {r["kind"] for r in roadmap["risks"]} >= {"single_point_of_failure", "unknown_upstream"}
    # The demo frigate's gallium is processed 90 % in China: a single point and a CRMA flag.
    assert "spof-m_gallium-processing" in {r["id"] for r in roadmap["risks"]}
    assert shown["progress"]["overall"] == {
        "planned": 9,
        "in_progress": 0,
        "done": 0,
        "dropped": 0,
        "share_done": 0.0,
    }
    assert {i["role"] for i in shown["provenance"]["inputs"]} == {"roadmap"}
    result = runner.invoke(
        cli, ["roadmap", "status", str(out), "lens_stock", "--set", "done", "--date", "2028-03-01"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli, ["roadmap", "status", str(out), "m-scope", "--set", "dropped", "--date", "2027-02-01"]
    )
    assert result.exit_code == 0, result.output
    after = json.loads(runner.invoke(cli, ["roadmap", "show", str(out), "--format", "json"]).stdout)
    # 1 done of 9 − 1 dropped = 8 counted
    assert after["progress"]["overall"]["share_done"] == 1 / 8
    assert after["roadmap"]["interventions"][0]["status_date"] == "2028-03-01"
    table = runner.invoke(cli, ["roadmap", "show", str(out)])
    assert table.exit_code == 0 and "12%" in table.output  # 1/8 = 12.5 %, shown without decimals
    csv = runner.invoke(cli, ["roadmap", "show", str(out), "--format", "csv"]).stdout.splitlines()
    assert csv[0].startswith("type,id,name,owners") and csv[1].startswith("intervention,lens_stock")


def test_f17_draft_without_ranking_says_so_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = _draft(tmp_path)
    text = out.read_text()
    assert "interventions: []" in text and "measures rank" in text
    result = CliRunner().invoke(
        cli,
        ["roadmap", "draft", "--chain", str(demo_chain_path()), "--product-group", "x", "--out", str(out)],
    )
    assert result.exit_code == 1 and "already exists" in result.output
    assert out.read_text() == text


def test_f17_bad_edit_changes_nothing_and_is_located(tmp_path: Path) -> None:
    out = _draft(tmp_path)
    broken = out.read_text().replace("  status: planned", "  status: klaar", 1) + "extra: 1\n"
    out.write_text(broken)
    result = CliRunner().invoke(
        cli, ["--lang", "nl", "roadmap", "status", str(out), "m-scope", "--set", "done"]
    )
    assert result.exit_code == 1
    assert "milestones, 1 (m-scope), status" in result.output and "klaar" in result.output
    assert "extra" in result.output and "niets gewijzigd" in result.output
    assert out.read_text() == broken


def test_f17_status_of_an_unknown_id_changes_nothing(tmp_path: Path) -> None:
    out = _draft(tmp_path)
    before = out.read_bytes()
    result = CliRunner().invoke(cli, ["roadmap", "status", str(out), "nope", "--set", "done"])
    assert result.exit_code == 1 and "nope" in result.output and "m-scope" in result.output
    bad_date = CliRunner().invoke(
        cli, ["roadmap", "status", str(out), "m-scope", "--set", "done", "--date", "2027-13-01"]
    )
    assert bad_date.exit_code == 2
    assert out.read_bytes() == before
    assert list(tmp_path.glob(".*.tmp")) == []


def test_f17_status_keeps_a_persons_comments_and_layout(tmp_path: Path) -> None:
    out = _draft(tmp_path)
    text = out.read_text().replace(
        "- id: m-scope\n", "# eerste mijlpaal, door mij toegevoegd\n- id: m-scope  # scope\n"
    )
    # A person deleted the status_date key of m-owners: it is added below the entry's last key.
    text = text.replace(
        "  status: planned\n  status_date: null\n- id: m-timeline", "  status: planned\n- id: m-timeline"
    )
    out.write_text(text)
    runner = CliRunner()
    for item, date in (("m-scope", "2027-01-15"), ("m-owners", "2027-09-01")):
        result = runner.invoke(
            cli, ["roadmap", "status", str(out), item, "--set", "in_progress", "--date", date]
        )
        assert result.exit_code == 0, result.output
    after = out.read_text()
    assert "# eerste mijlpaal, door mij toegevoegd\n- id: m-scope  # scope\n" in after
    assert after.count("\n") == text.count("\n") + 1  # only the status_date line of m-owners was added
    shown = json.loads(runner.invoke(cli, ["roadmap", "show", str(out), "--format", "json"]).stdout)
    statuses = {m["id"]: (m["status"], m["status_date"]) for m in shown["roadmap"]["milestones"]}
    assert statuses["m-scope"] == ("in_progress", "2027-01-15")
    assert statuses["m-owners"] == ("in_progress", "2027-09-01")
    assert statuses["m-timeline"] == ("planned", None)


def test_f17_draft_with_a_scenario_adds_the_platforms_availability(tmp_path: Path) -> None:
    out = _draft(tmp_path, "--scenario", "china-gallium-germanium-2023")
    runner = CliRunner()
    shown = json.loads(runner.invoke(cli, ["roadmap", "show", str(out), "--format", "json"]).stdout)
    (risk,) = [r for r in shown["roadmap"]["risks"] if r["kind"] == "scenario_availability"]
    assert risk["subject"] == "frigate" and "China" in risk["source"]
    # The items that limit the platform are named (the scenario cuts gallium).
    assert "limited by m_gallium" in risk["detail"]
    unknown = runner.invoke(
        cli,
        ["roadmap", "draft", "--chain", str(demo_chain_path()), "--product-group", "x", "--platform", "tank"],
    )
    assert unknown.exit_code == 1 and "tank" in unknown.output
