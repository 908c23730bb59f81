"""Monitoring (F19): the diff and alert kernels, snapshots, rules files, restrictions, key figures.

The kernels of ketenradar.risk.monitor are tested here with the service, on frames small
enough to check by hand.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketenradar.errors import InputFileError, SnapshotNotFound
from ketenradar.ingest.monitor_rules import AlertRule, read_alert_rules, read_key_figures, read_restrictions
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.defaults import DIFF_TABLES
from ketenradar.refdata import known_country_codes
from ketenradar.risk.monitor import (
    affected_chains,
    change_alerts,
    compare_flags,
    compare_labels,
    compare_values,
    new_restrictions,
    restriction_hits,
    threshold_alerts,
)
from ketenradar.services import monitor
from ketenradar.services.provenance import input_file
from ketenradar.storage.sqlite import SqliteStore
from tests.helpers.chains import CATALOGUE, RADAR

Writer = Callable[[str, str | bytes], Path]

USE = pd.DataFrame(
    {
        "chain": ["radar", "radar", "radar", "tank", "tank"],
        "material": ["gallium", "gallium", "", "tungsten", ""],
        "stage": ["processing", "mining", "", "processing", ""],
        "country": ["CHN", "CHN", "USA", "CHN", "DEU"],
        "share": [0.9, 1.0, np.nan, 0.8, np.nan],
    }
)


# --- kernels ------------------------------------------------------------------------------


def test_f19_compare_values_reports_change_and_status_by_hand() -> None:
    old = pd.DataFrame({"material": ["ga", "co", "w", "li"], "sr": [1.0, 2.0, np.nan, 0.5]})
    new = pd.DataFrame({"material": ["ga", "co", "w", "ni"], "sr": [1.5, np.nan, np.nan, 0.7]})
    diff = compare_values(old, new, ["material"], ["sr", "absent_column"]).set_index("material")
    assert set(diff.index) == {"ga", "co", "li", "ni"}  # w: missing on both sides is no change
    assert diff.loc["ga", "change"] == pytest.approx(0.5) and diff.loc["ga", "status"] == "changed"
    assert diff.loc["co", "status"] == "now_missing" and np.isnan(diff.loc["co", "change"])
    assert diff.loc["li", "status"] == "removed" and diff.loc["ni", "status"] == "added"


def test_f19_compare_values_ignores_rounding_noise() -> None:
    old = pd.DataFrame({"k": ["a"], "v": [0.1 + 0.2]})
    new = pd.DataFrame({"k": ["a"], "v": [0.3]})
    assert compare_values(old, new, ["k"], ["v"]).empty


def test_f19_compare_flags_and_labels() -> None:
    old = pd.DataFrame({"material": ["ga", "co"], "crma": pd.Series([True, None], dtype=object)})
    new = pd.DataFrame({"material": ["ga", "co"], "crma": pd.Series([True, False], dtype=object)})
    flags = compare_flags(old, new, ["material"], ["crma"])
    assert flags.to_dict("records") == [{"material": "co", "flag": "crma", "old": None, "new": False}]
    before = pd.DataFrame({"dataset": ["wgi", "fsi"], "sha256": ["aa", "bb"]})
    after = pd.DataFrame({"dataset": ["wgi", "oecd"], "sha256": ["cc", "dd"]})
    labels = compare_labels(before, after, ["dataset"], ["sha256"])
    assert labels.to_numpy().tolist() == [
        ["fsi", "sha256", "bb", None],
        ["oecd", "sha256", None, "dd"],
        ["wgi", "sha256", "aa", "cc"],
    ]


def test_f19_affected_chains_by_material_and_country() -> None:
    table = affected_chains(USE, ["gallium"], ["DEU", "USA"]).set_index("chain")
    assert table.loc["radar", "materials"] == ("gallium",)
    assert table.loc["radar", "countries"] == ("USA",)
    assert table.loc["tank", "materials"] == () and table.loc["tank", "countries"] == ("DEU",)


def test_f19_restrictions_hit_chains_by_material_country_and_stage() -> None:
    rows = pd.DataFrame(
        {
            "country": ["CHN", "CHN", "CHN", "RUS"],
            "material": ["gallium", "tungsten", "tungsten", "gallium"],
            "stage": ["", "mining", "processing", ""],
        }
    )
    hits = restriction_hits(rows, USE)
    # The tank buys tungsten from China at processing only; Russia supplies no chain.
    assert hits["chains"].tolist() == [("radar",), (), ("tank",), ()]
    fresh = new_restrictions(rows.iloc[:2], rows)
    assert fresh[["material", "stage"]].to_numpy().tolist() == [["tungsten", "processing"], ["gallium", ""]]


def test_f19_threshold_alerts_say_whether_the_value_crossed() -> None:
    values = pd.Series({"ga": 3.8, "co": 2.8, "w": 0.9, "li": np.nan})
    previous = pd.Series({"ga": 3.8, "co": 0.9})
    chains = pd.Series({"ga": ("radar",)})
    table = threshold_alerts(values, 1.0, chains, previous=previous).set_index("key")
    assert list(table.index) == ["co", "ga"]  # w is below, li is missing: neither fires
    assert table.loc["co", "crossed"] is True and table.loc["ga", "crossed"] is False
    assert table.loc["co", "chains"] == () and table.loc["ga", "chains"] == ("radar",)
    only = threshold_alerts(values, 1.0, chains, only_in_chains=True)
    assert only["key"].tolist() == ["ga"] and only["crossed"].tolist() == [None]


# --- snapshots, diff and alerts -----------------------------------------------------------


def _changed_copy(store: SqliteStore, name: str, **restrictions: list[str]) -> None:
    """Store a copy of 'jan' with gallium's SR +0.5, NLD's risk +0.1 and the given restrictions."""
    _info, frames = store.load_snapshot("jan")
    frames = {k: v.copy() for k, v in frames.items()}
    materials = frames["materials"]
    materials.loc[materials["material"] == "gallium", "sr_computed"] += 0.5
    countries = frames["countries"]
    countries.loc[countries["iso3"] == "NLD", "composite_risk"] += 0.1
    if restrictions:
        frames["restrictions"] = pd.DataFrame(restrictions)
    store.save_snapshot(name, frames)


@pytest.fixture(scope="module")
def radar_store(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    """A workspace with the radar chain and three snapshots, oldest first.

    'jan' as computed; 'feb' a copy with gallium's SR +0.5 and NLD's risk +0.1; 'mar' the same
    as 'feb' plus two export restrictions (China and Russia on gallium). Tests only read it.
    """
    store = SqliteStore(tmp_path_factory.mktemp("monitor") / "w.sqlite")
    store.save_chain(read_chain_workbook(RADAR, list(CATALOGUE), name="radar"))
    monitor.take_snapshot(store, name="jan")
    _changed_copy(store, "feb")
    _changed_copy(
        store,
        "mar",
        country=["CHN", "RUS"],
        material=["gallium", "gallium"],
        stage=["processing", ""],
        since=["2023-08-01", "2024-01-01"],
        source=["MOFCOM No. 23", "example"],
        note=["", ""],
    )
    return store


def test_f19_snapshot_records_indicators_provenance_and_chain_use(radar_store: SqliteStore) -> None:
    snap = monitor.load_snapshot(radar_store, "jan")
    materials = snap.frame("materials").set_index("material")
    # Gallium's SR as the EC method computes it (docs/architecture.md: 3.80 against 3.9 published).
    assert materials.loc["gallium", "sr_computed"] == pytest.approx(3.80, abs=0.01)
    assert materials.loc["gallium", "sr_published"] == pytest.approx(3.9)
    assert materials.loc["gallium", "crma_third_country_share"] == pytest.approx(0.69)
    use = snap.frame("chain_use")
    copper = use[(use["material"] == "copper") & (use["stage"] == "mining")]
    assert dict(zip(copper["country"], copper["share"], strict=True)) == {"CHL": 0.5, "PER": 0.5}
    parts = set(use.loc[use["material"] == "", "country"])
    assert parts == {"NLD", "DEU", "FRA", "USA", "CHN"}
    datasets = snap.frame("datasets").set_index("dataset")
    assert len(datasets.loc["wgi_long", "sha256"]) == 64
    assert snap.summary()["chains"] == 1


def test_f19_diff_names_change_and_affected_chain(radar_store: SqliteStore) -> None:
    diff = monitor.diff_snapshots(radar_store, "jan", "feb")
    # The command line offers exactly these tables (--table), in this order.
    assert tuple(diff.tables) == DIFF_TABLES
    materials = diff.tables["materials"]
    (row,) = materials.to_dict("records")
    assert (row["material"], row["stage"], row["indicator"], row["status"]) == (
        "gallium",
        "",
        "sr_computed",
        "changed",
    )
    assert row["change"] == pytest.approx(0.5) and row["new"] - row["old"] == pytest.approx(0.5)
    (country,) = diff.tables["countries"].to_dict("records")
    assert country["iso3"] == "NLD" and country["change"] == pytest.approx(0.1)
    assert diff.tables["datasets"].empty
    (chain,) = diff.tables["chains"].to_dict("records")
    assert chain == {"chain": "radar", "materials": ("gallium",), "countries": ("NLD",)}
    document = diff.to_json()
    assert document["chains"] == [{"chain": "radar", "materials": ["gallium"], "countries": ["NLD"]}]
    assert [i["name"] for i in document["provenance"]["inputs"]] == ["jan", "feb"]


def test_f19_alert_rules_fire_on_threshold_change_and_new_restriction(radar_store: SqliteStore) -> None:
    rules = (
        AlertRule("sr_high", "supply_risk_above", 3.5),
        AlertRule("moved", "indicator_change", 0.4, scope="all", indicator="sr_computed"),
        AlertRule("restricted", "export_restriction", None),
        AlertRule("nl_risk", "country_risk_above", 0.99),
    )
    report = monitor.evaluate_alerts(radar_store, rules, "mar")
    assert report.previous is not None and report.previous.name == "feb"
    alerts = report.alerts.set_index("rule")
    # Gallium: 3.80 + 0.5 in feb and in mar; above 3.5 in both, so it did not cross now.
    assert alerts.loc["sr_high", "subject"] == "gallium"
    assert alerts.loc["sr_high", "value"] == pytest.approx(4.30, abs=0.01)
    assert alerts.loc["sr_high", "crossed"] is False and alerts.loc["sr_high", "chains"] == ("radar",)
    # feb → mar changed nothing but the restrictions: no indicator_change alert.
    assert "moved" not in alerts.index
    # Only China supplies the radar's gallium at processing; Russia's restriction hits no chain.
    assert alerts.loc["restricted", "subject"] == "CHN/gallium"
    assert "nl_risk" not in alerts.index
    feb = monitor.evaluate_alerts(radar_store, rules, "feb").alerts.set_index("rule")
    assert feb.loc["moved", "value"] - feb.loc["moved", "previous"] == pytest.approx(0.5)
    assert "restricted" not in feb.index


def test_f19_first_snapshot_has_nothing_to_compare(radar_store: SqliteStore) -> None:
    rules = (AlertRule("moved", "indicator_change", 0.1, indicator="composite_risk"),)
    report = monitor.evaluate_alerts(radar_store, rules, "jan")
    assert report.alerts.empty and report.previous is None
    assert "no earlier snapshot" in report.notes[0]


def test_f19_diff_needs_two_snapshots(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    with pytest.raises(SnapshotNotFound):
        monitor.diff_snapshots(store)


# --- rule, restriction and key-figure files -----------------------------------------------


def test_f19_rules_file_problems_are_all_listed_with_rule_and_id(write: Writer) -> None:
    path = write(
        "rules.yaml",
        """rules:
  - id: a
    kind: supply_risk_above
  - id: b
    kind: country_risk_above
    threshold: 1.5
  - id: c
    kind: price_spike
    threshold: 1
  - id: a
    kind: indicator_change
    threshold: "0.2"
    indicator: hhi
  - id: e
    kind: export_restriction
    threshold: 1
""",
    )
    with pytest.raises(InputFileError) as caught:
        read_alert_rules(path)
    where = [p.column or "" for p in caught.value.problems]
    assert "rule 1 (a), threshold" in where  # missing
    assert "rule 4 (a), id" in where  # the id of rule 1 again
    assert "rule 2 (b), threshold" in where  # out of 0..1
    assert any(w.startswith("rule 3 (c), kind") for w in where)  # unknown kind
    assert any(w.startswith("rule 4 (a), threshold") for w in where)  # quoted number
    assert "rule 5 (e), threshold" in where  # export_restriction takes none
    assert str(path) in str(caught.value) and "nothing was changed" in str(caught.value)


def test_f19_example_rules_file_reads() -> None:
    from importlib.resources import files

    rules = read_alert_rules(Path(str(files("ketenradar") / "demo_data" / "monitor" / "alert_rules.yaml")))
    assert [r.kind for r in rules] == [
        "supply_risk_above",
        "country_risk_above",
        "export_restriction",
        "indicator_change",
    ]


def test_f19_restrictions_file_refuses_bad_rows_at_once(write: Writer) -> None:
    path = write(
        "restrictions.csv",
        "country;material;stage;since;source\nCHN;gallium;processing;2023-08-01;MOFCOM\n"
        "XXX;gallium;;2023-08-01;x\nCHN;unobtainium;;01-08-2023;x\n",
    )
    with pytest.raises(InputFileError) as caught:
        read_restrictions(path, list(CATALOGUE), known_country_codes())
    found = {(p.row, p.column) for p in caught.value.problems}
    assert found == {(3, "country"), (4, "material"), (4, "since")}


def test_f19_restrictions_from_yaml(write: Writer) -> None:
    path = write(
        "restrictions.yaml",
        "restrictions:\n  - {country: chn, material: gallium, since: 2023-08-01, source: MOFCOM}\n",
    )
    frame = read_restrictions(path, list(CATALOGUE), known_country_codes())
    assert frame.to_dict("records") == [
        {
            "country": "CHN",
            "material": "gallium",
            "stage": "",
            "since": "2023-08-01",
            "source": "MOFCOM",
            "note": "",
        }
    ]


def test_f19_key_figures_seed_series_and_dutch_file_added(tmp_path: Path, write: Writer) -> None:
    store = SqliteStore(tmp_path / "w.sqlite")
    seeded = monitor.key_figures(store)
    turnover = seeded.figures[seeded.figures["metric"] == "defence_security_turnover"]
    assert turnover[["year", "value"]].to_numpy().tolist() == [[2021, 4.7], [2023, 7.7]]
    assert "defence_security_export" in seeded.missing and "rd_share" in seeded.missing
    path = write(
        "figures.csv",
        "metric;year;value;unit;source\ndefence_security_turnover;2024;9,1;EUR billion;CBS 2025\n"
        "defence_security_export;2024;3,25;EUR billion;CBS 2025\n",
    )
    figures = read_key_figures(path, monitor.series_units(store))
    added = monitor.add_key_figures(store, figures, file=input_file("key_figures", path))
    assert added.added == 2
    turnover = added.figures[added.figures["metric"] == "defence_security_turnover"]
    assert turnover["value"].tolist() == [4.7, 7.7, 9.1]
    assert turnover["origin"].tolist() == ["reference", "reference", "workspace"]
    assert "defence_security_export" not in added.missing
    with pytest.raises(InputFileError, match="already stored"):
        monitor.add_key_figures(store, figures, file=input_file("key_figures", path))
    assert len(store.key_figures()) == 2


def test_f19_key_figures_refuse_another_unit_and_a_fractional_year(write: Writer) -> None:
    path = write(
        "figures.csv",
        "metric,year,value,unit,source\ndefence_security_turnover,2024,9100,EUR million,CBS\n"
        "rd_share,2024.5,2.1,pct,CBS\n",
    )
    with pytest.raises(InputFileError) as caught:
        read_key_figures(path, {"defence_security_turnover": "EUR billion"})
    assert {(p.row, p.column) for p in caught.value.problems} == {(2, "unit"), (3, "year")}


def test_f19_change_alerts_fire_on_moves_either_way_by_hand() -> None:
    previous = pd.Series({"ga": 3.8, "co": 2.0, "w": 1.0, "li": np.nan})
    values = pd.Series({"ga": 4.3, "co": 1.7, "w": 1.1, "li": 2.0, "ni": 5.0})
    chains = pd.Series({"co": ("tank",)})
    table = change_alerts(previous, values, 0.3, chains).set_index("key")
    # ga +0.5 and co −0.3 fire; w +0.1 does not; li and ni have no earlier value.
    assert list(table.index) == ["co", "ga"]
    assert table.loc["co", "previous"] == pytest.approx(2.0) and table.loc["co", "value"] == pytest.approx(
        1.7
    )
    assert table.loc["co", "chains"] == ("tank",) and table.loc["ga", "chains"] == ()
    assert change_alerts(previous, values, 0.3, chains, only_in_chains=True)["key"].tolist() == ["co"]


@given(
    st.lists(
        st.tuples(st.sampled_from("abcdefgh"), st.floats(-5, 5) | st.just(float("nan"))),
        min_size=1,
        max_size=8,
        unique_by=lambda pair: pair[0],
    ),
    st.randoms(use_true_random=False),
)
def test_f19_a_snapshot_compared_with_itself_or_reordered_has_no_change(
    rows: list[tuple[str, float]], rng: random.Random
) -> None:
    frame = pd.DataFrame(rows, columns=["material", "sr"])
    shuffled = frame.sample(frac=1.0, random_state=rng.randint(0, 1000))
    assert compare_values(frame, shuffled, ["material"], ["sr"]).empty
    assert compare_flags(frame.assign(f=True), shuffled.assign(f=True), ["material"], ["f"]).empty
