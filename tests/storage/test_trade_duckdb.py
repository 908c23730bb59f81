"""F8: the trade engine reads files with typed SQL: bad files are refused, hostile text stays data."""

from __future__ import annotations

import pytest


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


def test_f08_hostile_headers_and_values_stay_data(run, write) -> None:
    # A quote in a header or a value must not change the SQL that reads the file.
    header = "reporter,partner,hs,year,flow,value,\"x': 'VARCHAR'}); DROP TABLE raw; --\"\n"
    ok = write("h.csv", header + "USA,NLD,930690,2021,X,6,1\n")
    assert run("trade", "concentration", str(ok), "--format", "json").exit_code == 0
    bad = write("v.csv", 'reporter,partner,hs,year,flow,value\nUSA,"NL\') OR 1=1; --",930690,2021,X,6\n')
    result = run("trade", "concentration", str(bad))
    assert result.exit_code == 1
    assert "row 2, column 'partner': unknown country code" in result.stderr
