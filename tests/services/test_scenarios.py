"""F12: baseline availability under shocks, by hand on small chains, through the scenario service.

The radar numbers are worked out in tests/data/radar_chain/EXPECTED.md. Invariants of the rule
(scenarios/availability.py) on random chains: tests/scenarios/test_availability.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar.ingest.scenario_file import read_scenario
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.services.materials import world_supply_shares
from ketenradar.services.scenarios import run_on_chain
from tests.helpers.chains import CATALOGUE, RADAR, SHARED, write_chain


def _run(chain, *shocks: Shock):
    result = run_on_chain(chain, Scenario("test", shocks), CATALOGUE).result
    return result.items.set_index("id"), result.platforms.set_index("id")


@pytest.fixture
def radar():
    return read_chain_workbook(RADAR, list(CATALOGUE))


@pytest.fixture
def shared(tmp_path: Path):
    return read_chain_workbook(write_chain(tmp_path / "two_platforms", SHARED), list(CATALOGUE))


def test_f12_radar_half_of_chinese_supply_matches_the_worked_example(radar) -> None:
    spec = read_scenario(RADAR / "scenario_rare_earth_motor.yaml", list(CATALOGUE))
    result = run_on_chain(radar, spec, CATALOGUE).result
    items = result.items.set_index("id")
    assert items.loc["ga", "availability"] == pytest.approx(0.5)
    assert items.loc["cu", "availability"] == pytest.approx(0.75)
    assert items.loc["magnet_motor", "own_availability"] == pytest.approx(0.5)
    assert items.loc["power_unit", "availability"] == pytest.approx(0.75)
    world = world_supply_shares(CATALOGUE).set_index(["material", "stage", "country"])["share"]
    nd = min(1 - 0.5 * world[("light_rare_earths", s, "CHN")] for s in ("mining", "processing"))
    assert items.loc["nd", "availability"] == pytest.approx(nd)
    platform = result.platforms.set_index("id").loc["ground_radar"]
    assert platform["availability"] == pytest.approx(0.5)
    assert set(platform["limited_by"]) == {"ga", "magnet_motor"}


def test_f12_overlapping_shocks_combine_multiplicatively(shared) -> None:
    items, _ = _run(
        shared,
        Shock(countries=("CHN",), severity=0.5, stage="processing"),
        Shock(countries=("CHN",), severity=0.4, stage="any", materials=("tungsten",)),
    )
    loss = 1 - (1 - 0.5) * (1 - 0.4)
    processing = 1 - 0.8 * loss
    mining = 1 - 1.0 * 0.4
    assert items.loc["w", "availability"] == pytest.approx(min(processing, mining))


def test_f12_items_filter_hits_only_the_listed_items(shared) -> None:
    items, platforms = _run(shared, Shock(countries=("DEU",), severity=1.0, items=("engine",)))
    assert items.loc["engine", "own_availability"] == pytest.approx(0.4)
    assert items.loc["ifv", "own_availability"] == pytest.approx(1.0)  # ifv is made in DEU too
    assert platforms.loc["tank", "availability"] == pytest.approx(0.4)
    assert platforms.loc["tank", "limited_by"] == ["engine"]


def test_f12_shared_component_shock_reaches_both_platforms(shared) -> None:
    _, platforms = _run(shared, Shock(countries=("CHN",), severity=0.3, stage="manufacturing"))
    assert platforms.loc["tank", "availability"] == pytest.approx(0.7)
    assert platforms.loc["ifv", "availability"] == pytest.approx(0.7)


def test_f12_materials_filter_does_not_touch_parts(shared) -> None:
    items, _ = _run(shared, Shock(countries=("CHN",), severity=1.0, materials=("tungsten",)))
    assert items.loc["magnet", "own_availability"] == 1.0
    assert items.loc["w", "availability"] == 0.0
    assert items.loc["tank", "limited_by"] == ["turret"]


def test_f12_unaffected_chain_is_fully_available(shared) -> None:
    items, platforms = _run(shared, Shock(countries=("ATA",), severity=1.0))  # supplies nothing
    assert (items["availability"] == 1.0).all()
    assert platforms["limited_by"].map(len).sum() == 0


def test_f12_items_filter_on_a_world_sourced_material(radar) -> None:
    # nd (NdPr) has no sourcing in the radar chain: its own availability comes from world shares,
    # and an items filter naming it must still apply.
    items, _ = _run(radar, Shock(countries=("CHN",), severity=1.0, items=("nd",)))
    world = world_supply_shares(CATALOGUE).set_index(["material", "stage", "country"])["share"]
    expected = min(1 - world[("light_rare_earths", s, "CHN")] for s in ("mining", "processing"))
    assert items.loc["nd", "availability"] == pytest.approx(expected)
    assert items.loc["ga", "availability"] == 1.0  # not named by the filter


def test_f12_shock_on_a_material_absent_from_the_chain_is_noted(shared) -> None:
    from ketenradar.locale import use_language

    scenario = Scenario(
        "test",
        (
            Shock(countries=("CHN",), severity=1.0, materials=("germanium",)),
            Shock(countries=("CHN",), severity=0.5, materials=("tungsten", "antimony")),
            Shock(countries=("CHN",), severity=0.5, materials=("gallium",)),  # ga is in the chain
        ),
    )
    run = run_on_chain(shared, scenario, CATALOGUE)
    notes = run.to_json()["notes"]
    assert [(n["shock"], n["materials"], n["hits_nothing"]) for n in notes] == [
        (1, ["germanium"], True),
        (2, ["antimony"], False),
    ]
    assert notes[0]["code"] == "materials_not_in_chain" and "hits nothing" in notes[0]["text"]
    with use_language("nl"):
        dutch = run.to_json()["notes"][0]["text"]
    assert "germanium" in dutch


def test_f12_scenario_json_has_no_non_finite_number(shared) -> None:
    import json

    run = run_on_chain(shared, Scenario("t", (Shock(countries=("CHN",), severity=0.5),)), CATALOGUE)
    json.dumps(run.to_json(), allow_nan=False)
    assert run.to_json()["notes"] == []


def test_f12_scenario_json_lists_each_shock_with_its_start_day(shared) -> None:
    shocks = (
        Shock(countries=("CHN",), severity=0.5, start_day=30, duration_days=90.0),
        Shock(countries=("COD",), severity=0.2),
    )
    listed = run_on_chain(shared, Scenario("t", shocks), CATALOGUE).to_json()["shocks"]
    assert [(s["start_day"], s["duration_days"]) for s in listed] == [(30, 90.0), (0, None)]


# The shipped library (issue 10 item 2): every file loads, names its source, says when it is hypothetical.


def test_f12_every_library_scenario_loads_against_the_catalogue() -> None:
    from ketenradar.services.scenarios import library_ids, load_scenario, scenario_library

    library = scenario_library()
    ids = [entry.id for entry in library]
    assert len(ids) == len(set(ids)) == len(library_ids())
    assert {
        "china-gallium-germanium-2023",
        "china-graphite-2023",
        "china-rare-earth-technology-2023",
        "russia-sanctions-2022",
        "taiwan-semiconductors-hypothetical",
        "drc-cobalt-hypothetical",
    } <= set(ids)
    for entry in library:
        loaded = load_scenario(entry.id, CATALOGUE)  # validates the material ids
        assert loaded.scenario.name == entry.name and len(loaded.scenario.shocks) == entry.shocks >= 1
        assert loaded.record.name == f"library:{entry.id}" and loaded.record.sha256 is not None
    assert all("_" not in i and i == i.lower() for i in ids)  # ids use hyphens


def test_f12_every_library_scenario_names_its_source_and_labels_its_assumptions() -> None:
    from ketenradar.services.scenarios import scenario_library

    for entry in scenario_library():
        assert entry.source.strip() and entry.source != entry.id, entry.id
        assert "assumption" in entry.description, entry.id
        hypothetical = entry.id.endswith("-hypothetical")
        assert ("HYPOTHETICAL" in entry.name) == hypothetical, entry.id
        assert ("HYPOTHETICAL" in entry.description) == hypothetical, entry.id
        assert (entry.source == "hypothetical scenario, no official act") == hypothetical, entry.id
        if not hypothetical:
            assert any(str(year) in entry.source for year in range(2014, 2030)), entry.id


def test_f12_unknown_library_id_lists_the_ids_and_a_missing_file_is_named() -> None:
    from ketenradar.errors import InputFileError, NotFound
    from ketenradar.services.scenarios import load_scenario

    with pytest.raises(NotFound) as unknown:
        load_scenario("china-graphite", CATALOGUE)
    assert "china-graphite-2023" in str(unknown.value) and "file path" in str(unknown.value)
    with pytest.raises(InputFileError) as missing:
        load_scenario("missing/china-graphite-2023.yaml", CATALOGUE)
    assert "missing/china-graphite-2023.yaml" in str(missing.value)
    assert "drc-cobalt-hypothetical" in str(missing.value)
