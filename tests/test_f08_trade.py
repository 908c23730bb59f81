"""F8: trade-flow concentration from Comtrade- and BACI-style files, by hand."""

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


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            "reporter,partner,hs,year,value\nUSA,NLD,930690,2021,6\n",
            "column 'flow': required column is missing",
        ),
        (
            "reporter,partner,hs,year,flow,value\nUSA,NLD,930690,2021,X,six\n",
            "row 2, column 'value': not a number",
        ),
        ("reporter,partner,hs,year,flow,value\nUSA,NLD,930690,2021,X,-1\n", "negative trade value"),
        (
            "reporter,partner,hs,year,flow,value\nUSA,HOL,930690,2021,X,1\n",
            "row 2, column 'partner': unknown country",
        ),
        (
            "reporter,partner,hs,year,flow,value\nUSA,NLD,930690,2021,re-export,1\n",
            "column 'flow': unknown flow",
        ),
        ("t,i,j,k,v,q\n2022,999,528,930690,60,1\n", "column 'i': unknown country code"),
    ],
)
def test_f08_bad_trade_files_are_refused(run, write, content: str, fragment: str) -> None:
    path = write("bad.csv", content)
    result = run("trade", "concentration", str(path))
    assert result.exit_code == 1
    assert fragment in result.stderr and str(path) in result.stderr


def test_f08_report_product_groups_are_shown(run_json) -> None:
    groups = run_json("trade", "groups")["product_groups"]
    assert len(groups) == 11
    ammunition = next(g for g in groups if g["hs_code"] == "930690")
    assert ammunition["europe_pct"] == 54


def test_f08_hostile_headers_and_values_stay_data(run, write) -> None:
    # A quote in a header or a value must not change the SQL that reads the file.
    header = "reporter,partner,hs,year,flow,value,\"x': 'VARCHAR'}); DROP TABLE raw; --\"\n"
    ok = write("h.csv", header + "USA,NLD,930690,2021,X,6,1\n")
    assert run("trade", "concentration", str(ok), "--format", "json").exit_code == 0
    bad = write("v.csv", 'reporter,partner,hs,year,flow,value\nUSA,"NL\') OR 1=1; --",930690,2021,X,6\n')
    result = run("trade", "concentration", str(bad))
    assert result.exit_code == 1
    assert "row 2, column 'partner': unknown country code" in result.stderr
