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


def test_f04_materials_all_lists_the_element_level_materials(run_json) -> None:
    default = run_json("materials")["materials"]
    everything = {m["id"]: m for m in run_json("materials", "--all")["materials"]}
    assert len(default) == 34
    # 34 EU entries + 15 rare earths + 5 PGM + molybdenum (materials_elements.csv) + 5 defence extras.
    assert len(everything) == 34 + 21 + 5
    neodymium = everything["neodymium"]
    assert neodymium["group"] == "light_rare_earths" and neodymium["category"] == "eu_crm_2023_element"
    assert neodymium["flags"]["crma_2024_strategic"] is True
    # Published SR/EI of an element: the EC results table (Nd 4.5/7.2); computed withdrawn.
    assert neodymium["supply_risk"]["published"] == 4.5
    assert neodymium["supply_risk"]["published_dataset"] == "ec_parameters"
    assert "EU sourcing withdrawn" in neodymium["supply_risk"]["unavailable_reason"]
    assert neodymium["stages"]["mining"]["largest_country"] == "CHN"
    molybdenum = everything["molybdenum"]
    assert molybdenum["sr"] == 0.8 and molybdenum["flags"]["eu_2023_critical"] is False
    assert_no_nan(everything)


def test_f04_a_user_catalogue_may_not_reuse_an_element_id(run, write) -> None:
    path = write("extra.csv", "id,name_en\nneodymium,Neodymium (mine)\n")
    result = run("materials", "--catalogue", str(path))
    assert result.exit_code == 1 and "already in the catalogue" in result.stderr


def test_f03_materials_json_flags_crma_strategic_and_withdrawn_sourcing(run_json) -> None:
    by_id = {m["id"]: m for m in run_json("materials")["materials"]}
    light = by_id["light_rare_earths"]
    assert light["flags"]["eu_2023_strategic"] is False  # the seed's list, as printed
    assert light["flags"]["crma_2024_strategic"] is True
    assert light["flags"]["crma_2024_strategic_members"] == [
        "cerium",
        "neodymium",
        "praseodymium",
        "samarium",
    ]
    assert light["stages"]["processing"]["crma_exceeds_limit"] is True
    germanium = by_id["germanium"]["supply_risk"]
    assert germanium["published"] == 1.8 and germanium["computed"] is None
    assert "EU sourcing withdrawn" in germanium["unavailable_reason"]


def test_f05_materials_json_carries_the_reports_callouts_beside_ec(run_json) -> None:
    by_id = {m["id"]: m for m in run_json("materials")["materials"]}
    magnesium = by_id["magnesium"]["report_country_callouts"]
    assert magnesium == [
        {
            "country": "CHN",
            "material": "magnesium",
            "report_share_pct": 64.0,
            "ec_share_pct": 90.6,  # EC 2023 global supply, processing
            "ec_stage": "processing",
            "difference_pct_points": -26.6,
            "differs_over_10_points": True,
            "note": "",
        }
    ]
    # Palladium's call-outs are shown on the PGM group.
    pgm = by_id["platinum_group_metals"]["report_country_callouts"]
    assert {c["country"] for c in pgm} == {"ZAF", "RUS"} and {c["material"] for c in pgm} == {"palladium"}
    # The report's regional shares, as printed (aluminium/bauxite mining: China 25 %).
    assert by_id["aluminium"]["report_region_shares_pct"]["mining"]["China"] == 25.0


def test_f11_json_labels_the_reports_reserves_and_adds_usgs(run_json) -> None:
    by_id = {m["id"]: m for m in run_json("materials")["materials"]}
    lithium = by_id["lithium"]["outlook"]
    assert lithium["reserves_t"] == 105_000_000 and lithium["reserve_lifetime_years_published"] == 304
    assert lithium["reserves_source"] == "seed_world_production_reserves"
    assert lithium["usgs"]["reserves"] == 30_000_000 and lithium["usgs"]["unit"] == "metric tons"
    assert lithium["reserve_lifetime_years_usgs"] == pytest.approx(125.0)  # 30,000,000 / 240,000
    assert lithium["reserve_lifetime_years_usgs_2023"] == pytest.approx(30_000_000 / 204_000)
    assert lithium["reserve_lifetime_conflict"] is True
    titanium = by_id["titanium_metal"]["outlook"]
    assert titanium["eu_eol_rir"] == 0.3 and titanium["eu_eol_rir_ec"] == 0.01
    assert titanium["eu_eol_rir_conflict"] is True
    outlook = {m["material"]: m for m in run_json("outlook")["materials"]}
    assert outlook["cobalt"]["reserve_lifetime_years_usgs"] == pytest.approx(11_000_000 / 290_000)
    assert outlook["cobalt"]["reserve_lifetime_conflict"] is True
