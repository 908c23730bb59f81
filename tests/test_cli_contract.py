"""The stable CLI contract: JSON shapes of materials, countries, criticality compute, sources."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

import ketenradar


def _no_nan(document: object) -> None:
    if isinstance(document, float):
        assert math.isfinite(document)
    elif isinstance(document, dict):
        for value in document.values():
            _no_nan(value)
    elif isinstance(document, list):
        for value in document:
            _no_nan(value)


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
    _no_nan(document)


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
    _no_nan(document)


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


def test_f03_criticality_compute_intermediates(run_json, write) -> None:
    path = write(
        "inter.csv",
        "material,stage,supply_data_used,hhi_gs,hhi_eu,import_reliance,eol_rir,si_sr\n"
        "cobalt,mining,gs+eu,3.6,1.3,0.32,0,1.0\n"
        "tungsten,mining,gs+eu,7.5,1.9,0.44,0.42,1.0\n"
        "tungsten,processing,gs,2.0,,,0.42,1.0\n"
        "beryllium,mining,gs,2.4,,,0,1.0\n",
    )
    document = run_json("criticality", "compute", str(path))
    by_id = {m["material"]: m for m in document["materials"]}
    assert by_id["cobalt"]["supply_risk"] == pytest.approx(3.6 * 0.16 + 1.3 * 0.84)
    assert by_id["tungsten"]["supply_risk"] == pytest.approx(1.8166, abs=1e-4)
    assert by_id["tungsten"]["bottleneck_stage"] == "mining"
    assert by_id["tungsten"]["supply_risk_rounded"] == 1.8
    assert by_id["tungsten"]["stages"]["processing"]["supply_risk"] == pytest.approx(1.16)
    assert by_id["beryllium"]["supply_risk"] == pytest.approx(2.4)


def test_f03_criticality_compute_country_shares_with_parameters(run_json, write) -> None:
    from ketenradar import refdata
    from ketenradar.risk.assessment import DEFAULT_WGI_YEARS, scaled_wgi_for_years

    shares = write(
        "shares.csv",
        "material,stage,scope,country,share,trade_factor\n"
        "novium,processing,gs,CHN,0.8,\n"
        "novium,processing,gs,DEU,0.2,\n"
        "novium,processing,eu,NOR,1.0,1.0\n",
    )
    params = write(
        "params.csv",
        "material,stage,supply_data_used,import_reliance,eol_rir,si_sr\n"
        "novium,processing,gs+eu,0.5,0.1,0.9\n",
    )
    document = run_json("criticality", "compute", str(shares), "--parameters", str(params))
    wgi = scaled_wgi_for_years(refdata.load_wgi_long().frame, DEFAULT_WGI_YEARS)
    # By hand: Germany is an EU member, so its default trade factor is 0.8.
    hhi_gs = 0.8**2 * wgi["CHN"] * 1.0 + 0.2**2 * wgi["DEU"] * 0.8
    hhi_eu = 1.0 * wgi["NOR"]
    expected = (hhi_gs * 0.25 + hhi_eu * 0.75) * 0.9 * 0.9
    stage = document["materials"][0]["stages"]["processing"]
    assert stage["hhi_gs"] == pytest.approx(hhi_gs)
    assert stage["hhi_eu"] == pytest.approx(hhi_eu)
    assert document["materials"][0]["supply_risk"] == pytest.approx(expected)


def test_f03_dutch_sourcing_replaces_eu_sourcing_and_keeps_the_rest(run_json, write) -> None:
    dutch = write(
        "nl.csv",
        "material,stage,scope,country,share\ngallium,processing,eu,DEU,0.7\ngallium,processing,eu,JPN,0.3\n",
    )
    document = run_json("criticality", "compute", str(dutch), "--fill-from-reference")
    gallium = document["materials"][0]
    assert gallium["stages"]["processing"]["inputs"] == "reference+user"
    reference = {m["id"]: m for m in run_json("materials")["materials"]}["gallium"]
    # Sourcing from Germany and Japan instead of the EC's mix lowers gallium's supply risk.
    assert gallium["supply_risk"] < reference["supply_risk"]["computed"]
    assert gallium["stages"]["processing"]["hhi_gs"] == pytest.approx(
        reference["stages"]["processing"]["hhi_gs"]
    )


def test_f03_materials_recompute_with_user_eu_sourcing(run_json, write) -> None:
    path = write("nl.csv", "material,stage,country,share\ngallium,processing,DEU,1.0\n")
    document = run_json("materials", "--eu-sourcing", str(path))
    by_id = {m["id"]: m for m in document["materials"]}
    default = {m["id"]: m for m in run_json("materials")["materials"]}
    assert by_id["gallium"]["supply_risk"]["computed"] < default["gallium"]["supply_risk"]["computed"]
    assert by_id["tungsten"]["supply_risk"]["computed"] == default["tungsten"]["supply_risk"]["computed"]
    assert document["overrides"] == ["EU sourcing shares replaced from a user file"]


def test_f01_sources_lists_every_dataset(run_json) -> None:
    document = run_json("sources")
    assert len(document["datasets"]) >= 30
    assert all(len(d["sha256"]) == 64 for d in document["datasets"])


@pytest.mark.parametrize("command", [["materials"], ["countries"], ["sources"], ["outlook"]])
def test_f01_csv_output_is_a_rectangular_table(run, command) -> None:
    result = run(*command, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert len(rows) > 2 and len({len(r) for r in rows}) == 1


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


def test_exported_members_match_all() -> None:
    import types

    public = {
        name
        for name in dir(ketenradar)
        if not name.startswith("_") and not isinstance(getattr(ketenradar, name), types.ModuleType)
    }
    assert public | {"__version__"} == set(ketenradar.__all__)
