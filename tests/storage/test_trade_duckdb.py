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


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("nan", "row 2, column 'value': not a finite number"),
        ("NaN", "row 2, column 'value': not a finite number"),
        ("inf", "row 2, column 'value': not a finite number"),
        ("-inf", "row 2, column 'value': not a finite number"),
        ("1e300", "row 2, column 'value': trade value too large"),
    ],
)
def test_f08_values_that_cannot_be_computed_are_refused(run, write, value: str, fragment: str) -> None:
    # Before: nan was accepted (total and HHI null, wrong top exporter) and inf crashed the JSON.
    path = write(
        "bad.csv",
        f"reporter,partner,hs,year,flow,value\nUSA,NLD,930690,2021,X,{value}\nDEU,NLD,930690,2021,X,5\n",
    )
    result = run("trade", "concentration", str(path), "--format", "json")
    assert result.exit_code == 1 and result.stdout == ""
    assert fragment in result.stderr and "1 problem(s)" in result.stderr


def test_f08_baci_nan_is_refused(write) -> None:
    from ketenradar.errors import InputFileError
    from ketenradar.storage.trade_duckdb import load_flows

    path = write("b.csv", "t,i,j,k,v,q\n2022,842,528,930690,nan,1\n2022,842,528,930690,5,1\n")
    with pytest.raises(InputFileError) as caught:
        load_flows(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "v")]
