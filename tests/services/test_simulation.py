"""The simulation service: provenance, JSON document, and the baseline when nothing is stocked."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.chain import Chain
from ketenradar.model.scenario import Scenario, Shock
from ketenradar.services.scenarios import run_on_chain
from ketenradar.services.simulation import simulate_on_chain
from tests.helpers.chains import CATALOGUE, SHARED, write_chain


@pytest.fixture
def shared(tmp_path: Path) -> Chain:
    return read_chain_workbook(write_chain(tmp_path / "two_platforms", SHARED), list(CATALOGUE))


def test_f12_simulation_without_stocks_repeats_the_baseline_inside_the_window(shared: Chain) -> None:
    # DEU loses all engine supply (engine: DEU 0.6, FRA 0.4) on days 1 and 2 only.
    shock = Shock(countries=("DEU",), severity=1.0, items=("engine",), start_day=1, duration_days=2)
    report = simulate_on_chain(shared, Scenario("engine", (shock,)), CATALOGUE, horizon_days=4)
    baseline = run_on_chain(shared, Scenario("engine", (shock,)), CATALOGUE).result.platforms
    document = report.to_json()
    series = {p["id"]: p["series"] for p in document["platforms"]}
    assert baseline.set_index("id").loc["tank", "availability"] == pytest.approx(0.4)
    assert series == {"tank": [1.0, 0.4, 0.4, 1.0], "ifv": [1.0, 0.4, 0.4, 1.0]}
    tank = next(p for p in document["platforms"] if p["id"] == "tank")
    assert tank["days_lost"] == pytest.approx(1.2)
    assert tank["stockout_day"] == 1
    assert tank["first_short"] is None
    assert document["horizon_days"] == 4
    assert document["shocks"][0]["start_day"] == 1
    assert report.provenance.parameters["horizon_days"] == 4
    assert [d.dataset for d in report.provenance.datasets] == ["ec_global_supply"]
