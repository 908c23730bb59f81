"""The stable CLI contract of `criticality compute`: supply risk from intermediates or shares, by hand."""

from __future__ import annotations

import pytest


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


def test_f03_withdrawn_eu_sourcing_is_named_when_filling_from_the_reference(run_json, write) -> None:
    # Germanium's EU-sourcing rows were withdrawn (a copy of its global supply): filled in from
    # the reference, its SR stays missing and says why.
    shares = write("ge.csv", "material,stage,scope,country,share\ngermanium,processing,gs,CHN,0.8\n")
    (germanium,) = run_json("criticality", "compute", str(shares), "--fill-from-reference")["materials"]
    assert germanium["supply_risk"] is None
    assert "EU sourcing withdrawn" in germanium["unavailable_reason"]
    own = write(
        "ge_eu.csv",
        "material,stage,scope,country,share\ngermanium,processing,gs,CHN,0.8\n"
        "germanium,processing,eu,BEL,0.6\ngermanium,processing,eu,CHN,0.4\n",
    )
    (given,) = run_json("criticality", "compute", str(own), "--fill-from-reference")["materials"]
    assert given["supply_risk"] is not None
