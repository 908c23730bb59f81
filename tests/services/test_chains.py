"""F5: chain exposure through the service: shares, world fallback, HHI, single points, visibility.

The exposure kernel (network/exposure.py) is checked by hand here, through the service that
wires it to the reference data; its invariants on random chains are in network/test_exposure.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.services.chains import chain_exposure
from ketenradar.services.materials import world_supply_shares
from tests.helpers.chains import CATALOGUE, SHARED, write_chain


@pytest.fixture
def shared_chain(tmp_path: Path):
    return read_chain_workbook(write_chain(tmp_path / "two_platforms", SHARED), list(CATALOGUE))


def test_f05_quantity_weighted_shares_and_world_fallback(shared_chain) -> None:
    result = chain_exposure(shared_chain, CATALOGUE).result
    shares = result.shares.set_index(["platform", "material", "stage", "country"])["share"]
    assert shares[("tank", "tungsten", "processing", "CHN")] == pytest.approx(0.8)
    assert shares[("tank", "tungsten", "processing", "AUT")] == pytest.approx(0.2)
    coverage = result.coverage.set_index(["platform", "material", "stage"])
    assert coverage.loc[("tank", "tungsten", "processing"), "basis"] == "chain"
    # NdPr has no sourcing in the chain: the EC's world shares stand in.
    world = world_supply_shares(CATALOGUE).set_index(["material", "stage", "country"])["share"]
    assert coverage.loc[("ifv", "light_rare_earths", "mining"), "basis"] == "world"
    assert shares[("ifv", "light_rare_earths", "mining", "CHN")] == pytest.approx(
        world[("light_rare_earths", "mining", "CHN")]
    )


def test_f05_partly_known_material_reports_the_known_fraction(tmp_path: Path) -> None:
    files = dict(SHARED)
    files["items.csv"] += "w2,Tungsten scrap route,material,,,tungsten,kg\n"
    files["bom.csv"] += "turret,w2,30\n"
    chain = read_chain_workbook(write_chain(tmp_path / "partial", files), list(CATALOGUE))
    result = chain_exposure(chain, CATALOGUE).result
    coverage = result.coverage.set_index(["platform", "material", "stage"])
    assert coverage.loc[("tank", "tungsten", "processing"), "known_fraction"] == pytest.approx(10 / 40)
    shares = result.shares.set_index(["platform", "material", "stage", "country"])["share"]
    world = world_supply_shares(CATALOGUE).set_index(["material", "stage", "country"])["share"]
    expected = (10 * 0.8 + 30 * world[("tungsten", "processing", "CHN")]) / 40
    assert shares[("tank", "tungsten", "processing", "CHN")] == pytest.approx(expected)


def test_f05_split_hhi_single_points_and_visibility(shared_chain) -> None:
    report = chain_exposure(shared_chain, CATALOGUE)
    result, document = report.result, report.to_json(detail=True)
    tank = next(p for p in document["platforms"] if p["id"] == "tank")
    tungsten = next(m for m in tank["materials"] if m["material"] == "tungsten")
    processing = tungsten["stages"]["processing"]
    assert processing["split"] == pytest.approx({"NL": 0.0, "EU+EEA": 0.2, "third": 0.8})
    assert processing["hhi"] == pytest.approx(0.8**2 + 0.2**2)
    assert {"magnet", "turret", "w"} <= set(tank["single_points_of_failure"])
    assert "engine" not in tank["single_points_of_failure"]  # two suppliers in two countries
    ifv = next(p for p in document["platforms"] if p["id"] == "ifv")
    assert "w" not in ifv["single_points_of_failure"]  # tungsten is not in the IFV
    assert tank["visibility"]["deepest_known_tier"] == 4
    branches = {b["branch"]: b["deepest_known_tier"] for b in tank["visibility"]["branches"]}
    assert branches == {"engine": 2, "turret": 4}
    node = result.node_hhi.set_index(["item", "stage"])["hhi"]
    assert node[("engine", "manufacturing")] == pytest.approx(0.6**2 + 0.4**2)


def test_f05_spof_threshold_is_configurable(shared_chain) -> None:
    strict = chain_exposure(shared_chain, CATALOGUE, spof_threshold=0.79).result
    loose = chain_exposure(shared_chain, CATALOGUE, spof_threshold=1.0).result
    reason = "material ≥"
    strict_w = strict.single_points[
        (strict.single_points["item"] == "w") & strict.single_points["reason"].str.startswith(reason)
    ]
    loose_w = loose.single_points[
        (loose.single_points["item"] == "w") & loose.single_points["reason"].str.startswith(reason)
    ]
    assert set(strict_w["stage"]) == {"mining", "processing"}
    assert set(loose_w["stage"]) == {"mining"}


def test_f05_split_table_gives_quantity_split_and_hhi_per_material_and_stage(shared_chain) -> None:
    # Issue 8: the split and HHI per material and stage were in JSON only; the table shows them.
    table = chain_exposure(shared_chain, CATALOGUE).split_table()
    row = table.set_index(["platform", "material", "stage"]).loc[("tank", "tungsten", "processing")]
    assert row["quantity"] == pytest.approx(10)
    assert (row["NL"], row["EU+EEA"], row["third"]) == pytest.approx((0.0, 0.2, 0.8))
    assert row["hhi"] == pytest.approx(0.8**2 + 0.2**2)
    assert (row["top_country"], row["top_share"]) == ("CHN", pytest.approx(0.8))


def test_f05_json_lists_the_concentration_of_every_item(shared_chain) -> None:
    # Issue 8: per-item (node) HHI was computed but shown nowhere.
    document = chain_exposure(shared_chain, CATALOGUE).to_json(detail=True)
    nodes = {(n["item"], n["stage"]): n for n in document["node_concentration"]}
    engine = nodes[("engine", "manufacturing")]
    assert engine == {
        "item": "engine",
        "stage": "manufacturing",
        "hhi": pytest.approx(0.6**2 + 0.4**2),
        "countries": 2,
        "top_country": "DEU",
        "top_share": pytest.approx(0.6),
    }
    assert nodes[("w", "mining")]["hhi"] == 1.0
    json.dumps(document, allow_nan=False)


@pytest.mark.parametrize("detail", [False, True])
def test_f09_streamed_json_is_the_document(shared_chain, detail: bool) -> None:
    # Issue 9: write_json streams per platform and per chunk of rows; a reader must get exactly
    # the document to_json builds, with and without the per-item detail.
    import io
    import json

    report = chain_exposure(shared_chain, CATALOGUE)
    stream = io.BytesIO()
    report.write_json(stream, detail=detail)
    assert json.loads(stream.getvalue()) == json.loads(json.dumps(report.to_json(detail=detail)))


def test_f09_per_item_detail_only_when_asked(shared_chain) -> None:
    # The contract's keys are always there; the per-item tables (millions of rows on a national
    # chain) only with detail, and the document says which it is.
    report = chain_exposure(shared_chain, CATALOGUE)
    brief, full = report.to_json(), report.to_json(detail=True)
    assert brief["detail"] == "none" and full["detail"] == "items"
    assert "node_concentration" not in brief and len(full["node_concentration"]) == len(
        report.result.node_hhi
    )
    for short, long in zip(brief["platforms"], full["platforms"], strict=True):
        assert short["materials"] == long["materials"]
        assert short["single_points_of_failure"] == long["single_points_of_failure"]
        assert "single_point_details" not in short and "branches" not in short["visibility"]
        assert {d["item"] for d in long["single_point_details"]} == set(long["single_points_of_failure"])


@pytest.mark.parametrize("odd", ['say "hi"', "back\\slash", "tab\there", "ünï ☃", "plain", "Zz"])
def test_f09_single_point_ids_as_json_text_equal_the_lists(odd: str) -> None:
    # The stream writes each platform's ids as JSON text made by Arrow; it must read back as
    # the sorted, unique ids of the single points table, whatever characters an id holds.
    import json

    import numpy as np
    import orjson

    from ketenradar.model.chain import Chain
    from ketenradar.services.chains import _single_point_ids

    items = pd.DataFrame(
        {
            "id": ["p1", "p2", odd, "zz", "a"],
            "name": ["P1", "P2", "odd", "zz", "a"],
            "kind": ["platform", "platform", "component", "component", "component"],
            "domain": "",
            "dis_area": "",
            "material": "",
            "unit": "",
        }
    )
    bom = pd.DataFrame(
        {"parent": ["p1", "p1", "p2", "p2"], "child": [odd, "zz", odd, "a"], "quantity": [1.0, 2.0, 1.0, 1.0]}
    )
    sourcing = pd.DataFrame(
        {
            "item": [odd, "zz", "a"],
            "country": ["NLD", "DEU", "FRA"],
            "share": 1.0,
            "stage": "manufacturing",
            "supplier": ["s1", "", "s3"],
            "tier": np.nan,
            "lead_time_days": np.nan,
            "stock_days": np.nan,
        }
    )
    report = chain_exposure(Chain("odd", items, bom, sourcing), CATALOGUE)
    table = report.result.single_points
    expected = {p: sorted(set(g["item"])) for p, g in table.groupby("platform", observed=True)}
    lists = _single_point_ids(report.result)
    assert lists == expected == {"p1": sorted([odd, "zz"]), "p2": sorted(["a", odd])}
    texts = _single_point_ids(report.result, as_json=True)
    assert {k: json.loads(orjson.dumps(v)) for k, v in texts.items()} == lists
