"""F11: outlook and CRMA benchmarks flagged per mapped chain, on hand-built chains and the demo chain.

Expectations are worked out by hand from the chain files below and the shipped tables:
EC 2023 parameters (import reliance, EOL-RIR), EC 2023 EU sourcing and global supply shares, the
IEA outlook as cited in Berenschot (2024).
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from ketenradar.services.chain_outlook import (
    BENCHMARKS,
    BenchmarkThresholds,
    ChainOutlookResult,
    chain_outlook,
)
from ketenradar.services.chains import open_chain
from ketenradar.services.jsonable import dumps
from ketenradar.services.materials import (
    AssessmentOptions,
    MaterialOverview,
    build_material_overview,
    defence_catalogue,
)
from tests.helpers.chains import write_chain

CATALOGUE = defence_catalogue()
DEMO = Path(str(resources.files("ketenradar.demo_data") / "chains" / "defence_demo"))

# Two platforms, each with its own gallium item: the radar's gallium is 80 % Chinese at
# processing (over 65 %), the jammer's 50 % (not over). The jammer's copper is all German
# (a third-country share of 0); beryllium (not strategic) all American; tungsten has no sourcing.
RADAR_JAMMER = {
    "items.csv": """id,name,kind,domain,dis_area,material,unit
radar,Radar,platform,land,,,unit
jammer,Jammer,platform,land,,,unit
tr_module,T/R module,component,,,,unit
amp,Amplifier,component,,,,unit
ga_a,Gallium A,material,,,gallium,kg
ga_b,Gallium B,material,,,gallium,kg
cu,Copper,material,,,copper,kg
be,Beryllium,material,,,beryllium,kg
w,Tungsten,material,,,tungsten,kg
""",
    "bom.csv": """parent,child,quantity
radar,tr_module,10
tr_module,ga_a,0.01
tr_module,w,0.5
jammer,amp,2
amp,ga_b,0.02
amp,cu,1
amp,be,0.1
""",
    "sourcing.csv": """item,country,share,stage,supplier,tier
ga_a,CHN,0.8,processing,,4
ga_a,JPN,0.1,processing,,4
ga_a,DEU,0.1,processing,,4
ga_b,CHN,0.5,processing,,4
ga_b,DEU,0.3,processing,,4
ga_b,JPN,0.2,processing,,4
cu,DEU,1,processing,,4
cu,DEU,1,mining,,5
be,USA,1,processing,,4
""",
}


@pytest.fixture(scope="module")
def overview() -> MaterialOverview:
    return build_material_overview(CATALOGUE)


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory, overview: MaterialOverview) -> ChainOutlookResult:
    folder = write_chain(tmp_path_factory.mktemp("chain") / "radar_jammer", RADAR_JAMMER)
    return chain_outlook([open_chain(folder, None, CATALOGUE)], CATALOGUE, overview=overview)


@pytest.fixture(scope="module")
def demo(overview: MaterialOverview) -> ChainOutlookResult:
    return chain_outlook([open_chain(DEMO, None, CATALOGUE)], CATALOGUE, overview=overview)


def test_f11_gallium_80_percent_china_is_flagged_50_percent_is_not(hand: ChainOutlookResult) -> None:
    stages = hand.chains[0].platform_stages.set_index(["platform", "material", "stage"])
    radar = stages.loc[("radar", "gallium", "processing")]
    jammer = stages.loc[("jammer", "gallium", "processing")]
    assert (radar["third_country"], radar["third_country_share"]) == ("CHN", pytest.approx(0.8))
    assert (jammer["third_country"], jammer["third_country_share"]) == ("CHN", pytest.approx(0.5))
    assert radar["basis"] == jammer["basis"] == "chain"
    assert radar["exceeds_limit"] is True and jammer["exceeds_limit"] is False
    gallium = hand.chains[0].materials.loc["gallium"]
    # The chain's figure is its worst platform's; only the radar is over the limit.
    assert gallium["processing_chain_platform"] == "radar"
    assert gallium["processing_chain_third_country_share"] == pytest.approx(0.8)
    assert gallium["processing_chain_platforms_over_limit"] == ("radar",)
    assert gallium["crma_chain_exceeds_limit"] is True
    assert gallium["platforms"] == ("radar", "jammer")


def test_f11_chain_basis_follows_the_limit_setting(tmp_path: Path, overview: MaterialOverview) -> None:
    folder = write_chain(tmp_path / "radar_jammer", RADAR_JAMMER)
    options = AssessmentOptions(crma_limit=0.45)
    strict = build_material_overview(CATALOGUE, options)
    result = chain_outlook(
        [open_chain(folder, None, CATALOGUE)],
        CATALOGUE,
        BenchmarkThresholds(single_third_country_limit=0.45),
        overview=strict,
    )
    assert result.chains[0].materials.loc["gallium", "processing_chain_platforms_over_limit"] == (
        "radar",
        "jammer",
    )
    with pytest.raises(ValueError, match="limit"):
        chain_outlook(
            [open_chain(folder, None, CATALOGUE)],
            CATALOGUE,
            overview=overview,
            thresholds=BenchmarkThresholds(single_third_country_limit=0.45),
        )


def test_f11_all_eu_sourcing_has_third_country_share_zero_not_missing(hand: ChainOutlookResult) -> None:
    copper = hand.chains[0].platform_stages.set_index(["platform", "material", "stage"])
    row = copper.loc[("jammer", "copper", "processing")]
    assert row["third_country_share"] == 0.0 and row["exceeds_limit"] is False
    assert hand.chains[0].materials.loc["copper", "crma_chain_exceeds_limit"] is False


def test_f11_non_strategic_material_is_shown_not_flagged(hand: ChainOutlookResult) -> None:
    beryllium = hand.chains[0].materials.loc["beryllium"]
    assert beryllium["crma_strategic"] is False
    assert beryllium["processing_chain_third_country"] == "USA"
    assert beryllium["processing_chain_third_country_share"] == 1.0
    assert beryllium["processing_chain_exceeds_limit"] is None
    assert beryllium["extraction_below_benchmark"] is None
    assert beryllium["recycling_below_benchmark"] is None


def test_f11_iea_shortfall_with_the_numbers_and_a_reason_where_missing(hand: ChainOutlookResult) -> None:
    materials = hand.chains[0].materials
    copper = materials.loc["copper"]
    # IEA GCMO 2024: copper 2030 demand 25,249 kt, supply 23,000; 2040 25,373 and 15,000.
    assert copper["iea_2030_supply_minus_demand_kt"] == -2249.0
    assert copper["iea_2040_supply_minus_demand_kt"] == -10373.0
    assert copper["iea_2030_shortfall"] is True and copper["iea_2040_shortfall"] is True
    assert pd.isna(copper["iea_unavailable_reason"])
    tungsten = materials.loc["tungsten"]
    assert tungsten["iea_2030_shortfall"] is None
    assert tungsten["iea_2030_demand_kt"] != tungsten["iea_2030_demand_kt"]  # NaN: missing, not 0
    assert "IEA" in tungsten["iea_unavailable_reason"]


def test_f11_ec_basis_single_country_benchmark(hand: ChainOutlookResult) -> None:
    gallium = hand.chains[0].materials.loc["gallium"]
    # EC 2023 EU sourcing of gallium at processing: China 69 %.
    assert gallium["processing_ec_third_country"] == "CHN"
    assert gallium["processing_ec_third_country_share"] == pytest.approx(0.69)
    assert gallium["processing_ec_basis"] == "EC 2023 EU sourcing"
    assert gallium["crma_ec_exceeds_limit"] is True


def test_f11_capacity_proxies_by_hand(hand: ChainOutlookResult) -> None:
    m = hand.chains[0].materials
    # Gallium processing: import reliance 98 % -> 2 % of EU consumption produced in the EU;
    # the EU sourcing lists Germany 2 % (the only EU27 member).
    assert m.loc["gallium", "processing_eu_share"] == pytest.approx(0.02)
    assert m.loc["gallium", "processing_eu_share_basis"] == "EC 2023 import reliance"
    assert m.loc["gallium", "processing_eu_share_eu_sourcing"] == pytest.approx(0.02)
    assert m.loc["gallium", "processing_below_benchmark"] is True
    # Gallium is assessed at processing only: no extraction figure, and the flag stays missing.
    assert m.loc["gallium", "extraction_below_benchmark"] is None
    assert "EC" in m.loc["gallium", "extraction_unavailable_reason"]
    # Tungsten: IR 21 % at mining -> 79 % (>= 10 %); 80 % at processing -> 20 % (< 40 %).
    # EU sourcing: mining AUT 34 + PRT 22 + ESP 21 = 77 %; processing AUT 19 %.
    assert m.loc["tungsten", "extraction_eu_share"] == pytest.approx(0.79)
    assert m.loc["tungsten", "extraction_eu_share_eu_sourcing"] == pytest.approx(0.77)
    assert m.loc["tungsten", "extraction_below_benchmark"] is False
    assert m.loc["tungsten", "processing_eu_share"] == pytest.approx(0.20)
    assert m.loc["tungsten", "processing_eu_share_eu_sourcing"] == pytest.approx(0.19)
    assert m.loc["tungsten", "processing_below_benchmark"] is True
    # Recycling: EOL-RIR (EC 2023) gallium 0 %, tungsten 42 %, copper 55 %.
    assert m.loc["gallium", "recycling_eol_rir"] == 0.0 and m.loc["gallium", "recycling_below_benchmark"]
    assert m.loc["tungsten", "recycling_eol_rir"] == pytest.approx(0.42)
    assert m.loc["tungsten", "recycling_below_benchmark"] is False
    assert m.loc["copper", "recycling_source"] == "ec_parameters"
    # Beryllium mining: no import reliance and no EU sourcing: the EU27 share of global supply.
    assert m.loc["beryllium", "extraction_eu_share_basis"] == "EC 2023 global supply"


def test_f11_recycling_threshold_is_a_setting(tmp_path: Path, overview: MaterialOverview) -> None:
    folder = write_chain(tmp_path / "radar_jammer", RADAR_JAMMER)
    opened = [open_chain(folder, None, CATALOGUE)]
    high = chain_outlook(opened, CATALOGUE, BenchmarkThresholds(recycling=0.6), overview=overview)
    low = chain_outlook(opened, CATALOGUE, BenchmarkThresholds(recycling=0.5), overview=overview)
    assert high.chains[0].materials.loc["copper", "recycling_below_benchmark"] is True  # 55 % < 60 %
    assert low.chains[0].materials.loc["copper", "recycling_below_benchmark"] is False


def test_f11_summary_counts_materials_and_names_the_platforms(hand: ChainOutlookResult) -> None:
    summary = hand.chains[0].summary.set_index("benchmark")
    assert list(summary.index) == [code for code, _column, _words in BENCHMARKS]
    chain = summary.loc["crma_single_country_chain"]
    # Gallium is over only in the radar (80 %, the jammer's 50 % is not); tungsten, without
    # sourcing in the chain, takes the world shares (CHN 82.6 % mining, 85.6 % processing) and
    # sits in the radar only. On the EC's basis gallium (CHN 69 %) affects both platforms.
    assert chain["materials"] == ("gallium", "tungsten") and chain["platforms"] == ("radar",)
    assert summary.loc["crma_single_country_ec", "platforms"] == ("radar", "jammer")
    # Every material is counted once: flagged + not flagged + unknown = 4 materials.
    counts = summary[["flagged", "not_flagged", "unknown"]].sum(axis=1)
    assert set(counts) == {4}
    processing = summary.loc["crma_processing"]
    # Gallium (2 %) and tungsten (20 %) below 40 %; copper 83 % is not; beryllium not strategic.
    assert processing["materials"] == ("gallium", "tungsten")
    assert processing["platforms"] == ("radar", "jammer")
    iea = summary.loc["iea_shortfall_2030"]
    assert (iea["flagged"], iea["materials"], iea["platforms"]) == (1, ("copper",), ("jammer",))


def test_f11_demo_chain_flags(demo: ChainOutlookResult) -> None:
    m = demo.chains[0].materials
    # The demo's gallium: CHN 90 % at processing on the chain's own sourcing, in both platforms.
    assert m.loc["gallium", "processing_chain_basis"] == "chain"
    assert m.loc["gallium", "processing_chain_third_country_share"] == pytest.approx(0.9)
    assert m.loc["gallium", "processing_chain_platforms_over_limit"] == ("frigate", "fighter")
    # Natural graphite mining: the chain is silent, so world shares (CHN 66.7 % > 65 %), while the
    # EC's EU sourcing gives CHN 40 %: flagged on the chain's basis, not on the EC's.
    assert m.loc["natural_graphite", "mining_chain_basis"] == "world"
    assert m.loc["natural_graphite", "mining_chain_third_country_share"] == pytest.approx(0.667)
    assert m.loc["natural_graphite", "crma_chain_exceeds_limit"] is True
    assert m.loc["natural_graphite", "crma_ec_exceeds_limit"] is False
    # Super fibres are outside the CRMA: shown, never flagged.
    assert m.loc["uhmwpe_fibre", "processing_chain_third_country"] == "USA"
    assert m.loc["uhmwpe_fibre", "crma_chain_exceeds_limit"] is None
    # Cobalt: IEA 2030 325 − 299 = 26 kt (no shortfall), 2040 225 − 323 = −98 kt (shortfall).
    assert m.loc["cobalt", "iea_2030_supply_minus_demand_kt"] == 26.0
    assert m.loc["cobalt", "iea_2040_shortfall"] is True
    # The report's lifetime (151 y) and USGS's (11 Mt / 290 kt = 37.9 y) side by side.
    assert m.loc["cobalt", "reserve_lifetime_years_report"] == 151.0
    assert m.loc["cobalt", "reserve_lifetime_years_usgs"] == pytest.approx(11_000_000 / 290_000)
    assert m.loc["cobalt", "price_volatility_pct"] == 111.0
    assert set(demo.chains[0].summary.loc[0, "platforms"]) <= {"frigate", "fighter"}


def test_f11_json_document_shape_and_provenance(demo: ChainOutlookResult) -> None:
    document = json.loads(dumps(demo.to_json()))
    assert set(document) == {"chains", "benchmarks", "settings", "sources", "provenance"}
    assert document["settings"]["crma_recycling_benchmark"] == 0.25
    assert document["settings"]["crma_single_third_country_limit"] == 0.65
    chain = document["chains"][0]
    assert chain["chain"] == "defence_demo"
    assert [p["id"] for p in chain["platforms"]] == ["frigate", "fighter"]
    gallium = next(r for r in chain["materials"] if r["material"] == "gallium")
    assert gallium["flags"]["crma_single_country_chain"] is True
    assert gallium["crma_single_third_country"]["chain"]["processing"]["platforms_over_limit"] == [
        "frigate",
        "fighter",
    ]
    assert gallium["crma_capacity"]["processing"]["basis"] == "EC 2023 import reliance"
    assert gallium["iea"]["2030"]["shortfall"] is None
    provenance = document["provenance"]
    ids = {d["id"] for d in provenance["datasets"]}
    assert {
        "ec_parameters",
        "ec_global_supply",
        "ec_eu_sourcing",
        "country_groups",
        "seed_iea_outlook",
    } <= ids
    assert provenance["inputs"][0]["role"] == "chain" and provenance["inputs"][0]["sha256"]
    assert provenance["parameters"]["crma_processing_benchmark"] == 0.4


def test_f11_csv_frame_has_one_row_per_chain_and_material(
    demo: ChainOutlookResult, hand: ChainOutlookResult
) -> None:
    both = ChainOutlookResult(demo.chains + hand.chains, demo.thresholds, demo.provenance)
    frame = both.frame()
    assert len(frame) == len(demo.chains[0].materials) + len(hand.chains[0].materials)
    assert list(frame.columns[:3]) == ["chain", "material", "platforms"]
    assert frame.loc[frame["material"] == "gallium", "platforms"].tolist() == [
        "frigate;fighter",
        "radar;jammer",
    ]
