"""F8: `trade concentration` and `trade groups` by hand, on Comtrade- and BACI-style files."""

from __future__ import annotations

import pytest

COMTRADE = """reporter,partner,hs,year,flow,value
USA,NLD,930690,2021,X,60
DEU,NLD,930690,2021,X,30
CHN,NLD,930690,2021,X,10
USA,NLD,930690,2022,X,40
DEU,NLD,930690,2022,X,40
FRA,NLD,930690,2022,X,20
NLD,DEU,880212,2022,M,5
"""


def test_f08_shares_hhi_regions_and_change_by_hand(run_json, write) -> None:
    document = run_json("trade", "concentration", str(write("flows.csv", COMTRADE)))
    conc = {(c["hs"], c["year"]): c for c in document["concentration"]}
    assert conc[("930690", 2021)]["hhi"] == pytest.approx(0.6**2 + 0.3**2 + 0.1**2)
    assert conc[("930690", 2021)]["top_exporter"] == "USA"
    assert conc[("880212", 2022)]["top_exporter"] == "DEU"  # an import record: partner exports
    regions = {(r["hs"], r["year"], r["region"]): r["share"] for r in document["regions"]}
    assert regions[("930690", 2021, "China")] == pytest.approx(0.1)
    assert regions[("930690", 2021, "North America")] == pytest.approx(0.6)
    (change,) = document["change"]
    assert change["hhi_change"] == pytest.approx(0.36 - 0.46)
    nl = {(d["hs"], d["year"]): d for d in document["nl_import_dependence"]}
    assert nl[("930690", 2021)]["third_country_share"] == pytest.approx(0.7)


def test_f08_baci_style_with_numeric_codes_and_hs_aggregation(run_json, write) -> None:
    baci = "t,i,j,k,v,q\n2022,842,528,930690,60,1\n2022,276,528,930620,40,1\n2022,490,528,880212,5,1\n"
    document = run_json("trade", "concentration", str(write("baci.csv", baci)), "--hs-digits", "4")
    conc = {c["hs"]: c for c in document["concentration"]}
    assert conc["9306"]["hhi"] == pytest.approx(0.6**2 + 0.4**2)
    assert conc["8802"]["top_exporter"] == "TWN"  # BACI's 490 "Other Asia, nes"


def test_f08_report_product_groups_are_shown(run_json) -> None:
    groups = run_json("trade", "groups")["product_groups"]
    assert len(groups) == 11
    ammunition = next(g for g in groups if g["hs_code"] == "930690")
    assert ammunition["europe_pct"] == 54
