"""The stable CLI contract of `materials`, `countries`, `sources` and `outlook`: JSON shapes and values."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tomllib

import pytest

from ketenradar import refdata
from ketenradar.refdata.provenance import data_dir
from tests.helpers.cli import assert_no_nan


def test_f01_materials_json_has_all_34_with_published_scores_and_sources(run_json) -> None:
    document = run_json("materials")
    materials = document["materials"]
    assert len(materials) == 34
    for record in materials:
        assert {"id", "names", "flags", "sr", "ei", "sources"} <= set(record)
        assert isinstance(record["sr"], float) and isinstance(record["ei"], float)
        assert record["names"]["en"] and record["names"]["nl"]
        assert record["sources"] and all("citation" in s for s in record["sources"])
    by_id = {m["id"]: m for m in materials}
    assert by_id["gallium"]["sr"] == 3.9 and by_id["gallium"]["ei"] == 3.7
    assert by_id["tungsten"]["supply_risk"]["computed"] == pytest.approx(1.21, abs=0.01)
    assert by_id["tungsten"]["economic_importance"]["computed"] == pytest.approx(8.70, abs=0.01)
    # Missing inputs: published shown, computed null with the reason.
    arsenic = by_id["arsenic"]["supply_risk"]
    assert arsenic["published"] == 1.9 and arsenic["computed"] is None
    assert "no EC supply-risk parameters" in arsenic["unavailable_reason"]
    hree = by_id["heavy_rare_earths"]["supply_risk"]
    assert hree["computed"] is None and "member" in hree["unavailable_reason"]
    assert document["settings"]["wgi_years"] == [2016, 2017, 2018, 2019, 2020]
    assert_no_nan(document)


def test_f01_materials_json_carries_outlook_and_history(run_json) -> None:
    by_id = {m["id"]: m for m in run_json("materials")["materials"]}
    copper = by_id["copper"]
    assert copper["outlook"]["demand_supply"]["2040"]["shortfall"] is True
    assert copper["outlook"]["reserve_lifetime_years_published"] == 94
    assert set(copper["history"]) == {"2011", "2014", "2017", "2020", "2023"}
    assert by_id["gallium"]["stages"]["processing"]["largest_country"] == "CHN"
    assert "mining" not in by_id["gallium"]["stages"]  # gallium is assessed at processing only


def test_f01_materials_usgs_source_switches_the_country_shares(run_json) -> None:
    by_id = {m["id"]: m for m in run_json("materials", "--shares-source", "usgs2025")["materials"]}
    cobalt = by_id["cobalt"]["stages"]["mining"]
    assert cobalt["largest_country"] == "COD"
    assert cobalt["shares_basis"] == "USGS MCS 2025 production 2023"


def test_f01_materials_catalogue_file_adds_materials_with_missing_figures(run_json, write) -> None:
    path = write("extra.csv", "id,name_en,category\naramid_fibre,Aramid fibre,super_fibre\n")
    by_id = {m["id"]: m for m in run_json("materials", "--catalogue", str(path))["materials"]}
    aramid = by_id["aramid_fibre"]
    assert len(by_id) == 35
    assert aramid["sr"] is None and aramid["ei"] is None
    assert aramid["supply_risk"]["unavailable_reason"] == "not assessed in the EC 2023 study"
    assert aramid["flags"]["eu_2023_critical"] is None


def test_f02_countries_json_every_country_with_components_and_composite(run_json) -> None:
    document = run_json("countries")
    countries = {c["iso3"]: c for c in document["countries"]}
    assert len(countries) >= 249
    assert len(document["countries"]) == len(refdata.load_countries().frame)  # the whole reference table
    for record in countries.values():
        assert {"iso3", "groups", "indicators", "components", "composite_risk"} <= set(record)
    china = countries["CHN"]
    assert china["groups"] == [] and china["nl_split"] == "third"
    assert countries["NLD"]["groups"] == ["EU27", "EEA", "NATO", "OECD"]
    assert set(china["components"]) == {"wgi", "oecd_crc", "fsi", "atradius_star"}
    assert china["indicators"]["atradius_star"] is None
    assert china["missing_indicators"] == ["atradius_star"]
    assert 0 <= china["composite_risk"] <= 1
    assert document["weights"] == {
        "wgi": 0.25,
        "oecd_crc": 0.25,
        "fsi": 0.25,
        "atradius_star": 0.25,
    }
    assert_no_nan(document)


def test_f02_weights_on_the_command_line_and_in_a_config_file(run_json, write) -> None:
    only_wgi = {c["iso3"]: c for c in run_json("countries", "--weights", "wgi=1")["countries"]}
    assert only_wgi["CHN"]["composite_risk"] == pytest.approx(only_wgi["CHN"]["components"]["wgi"])
    config = write("k.toml", "[country_risk.weights]\nfsi = 1\n")
    by_config = {c["iso3"]: c for c in run_json("--config", str(config), "countries")["countries"]}
    assert by_config["CHN"]["composite_risk"] == pytest.approx(65.1 / 120)


def test_f02_atradius_from_a_user_file_enters_the_composite(run_json, write) -> None:
    path = write("star.csv", "iso3,atradius_star\nCHN,10\nnld,1\n")
    countries = {c["iso3"]: c for c in run_json("countries", "--indicators", str(path))["countries"]}
    assert countries["CHN"]["components"]["atradius_star"] == 1.0
    assert countries["NLD"]["components"]["atradius_star"] == 0.0
    assert countries["CHN"]["missing_indicators"] == []
    assert any(s["dataset"] == "user" for s in countries["CHN"]["sources"])


def test_f03_materials_recompute_with_user_eu_sourcing(run_json, write) -> None:
    path = write("nl.csv", "material,stage,country,share\ngallium,processing,DEU,1.0\n")
    document = run_json("materials", "--eu-sourcing", str(path))
    by_id = {m["id"]: m for m in document["materials"]}
    default = {m["id"]: m for m in run_json("materials")["materials"]}
    assert by_id["gallium"]["supply_risk"]["computed"] < default["gallium"]["supply_risk"]["computed"]
    assert by_id["tungsten"]["supply_risk"]["computed"] == default["tungsten"]["supply_risk"]["computed"]
    assert document["overrides"] == ["EU sourcing shares replaced from a user file"]


def _manifest() -> dict[str, dict[str, str]]:
    """Return the datasets of the shipped manifest, read here without ketenradar's loaders."""
    return tomllib.loads((data_dir() / "datasets.toml").read_text(encoding="utf-8"))["datasets"]


def test_f01_sources_lists_every_dataset(run_json) -> None:
    document = run_json("sources")
    assert len(document["datasets"]) >= 30
    assert all(len(d["sha256"]) == 64 for d in document["datasets"])
    # Every dataset of the manifest, in its order, with the checksum of the shipped file (computed here).
    manifest = _manifest()
    assert [d["dataset"] for d in document["datasets"]] == list(manifest)
    for dataset in document["datasets"]:
        assert dataset["file"] == manifest[dataset["dataset"]]["file"]
        shipped = (data_dir() / dataset["file"]).read_bytes()
        assert dataset["sha256"] == hashlib.sha256(shipped).hexdigest(), dataset["dataset"]


@pytest.mark.parametrize("command", [["materials"], ["countries"], ["sources"], ["outlook"]])
def test_f01_csv_output_is_a_rectangular_table(run, command) -> None:
    result = run(*command, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) > 2 and len({len(r) for r in rows}) == 1
    # A header and one row per EU material (34), per country of the reference table, per dataset
    # of the manifest, per EU material.
    records = {
        "materials": len(refdata.load_materials()),
        "countries": len(refdata.load_countries().frame),
        "sources": len(_manifest()),
        "outlook": len(refdata.load_materials()),
    }[command[0]]
    assert len(rows) == 1 + records


@pytest.mark.parametrize("command", [["materials"], ["countries"], ["outlook"], ["sources"]])
def test_f01_table_output_names_its_sources(run, command) -> None:
    result = run(*command)
    assert result.exit_code == 0
    assert "Source" in result.stdout or "SOURCES.md" in result.stdout


def test_f01_outlook_json_carries_iea_and_crma(run_json) -> None:
    document = run_json("outlook")
    copper = [r for r in document["iea_outlook"] if r["commodity"] == "Copper" and r["year"] == 2040]
    assert copper[0]["shortfall"] is True
    gallium = next(m for m in document["materials"] if m["material"] == "gallium")
    assert gallium["crma_exceeds_limit"] is True
    json.dumps(document, allow_nan=False)
