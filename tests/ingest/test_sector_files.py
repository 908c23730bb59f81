"""F9/F10: bad ownership registers and arms-import files are refused with row and column."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("command", "content", "fragment"),
    [
        ("ownership", "company,fte,legal_owner_country\na,-5,NLD\n", "column 'fte': value out of range"),
        ("ownership", "company,fte,legal_owner_country\na,5,Holland\n", "unknown country code"),
        ("ownership", "company,fte,legal_owner_country\na,5,NLD\na,6,NLD\n", "duplicate row"),
        ("ownership", "company,fte\na,5\n", "column 'legal_owner_country': required column is missing"),
        ("materiel", "supplier,recipient,domain,units\nUSA,NLD,space,3\n", "column 'domain'"),
        (
            "materiel",
            "supplier,recipient,domain,units\nUSA,NLD,air,3\nUSA,BEL,air,3\n",
            "row 3, column 'recipient': more than one recipient",
        ),
    ],
)
def test_f09_f10_bad_files_are_refused(run, write, command: str, content: str, fragment: str) -> None:
    path = write("bad.csv", content)
    result = run(command, str(path))
    assert result.exit_code == 1
    assert fragment in result.stderr and str(path) in result.stderr


def test_f10_second_recipient_is_reported_with_cell_problems(run, write) -> None:
    path = write("bad.csv", "supplier,recipient,domain,units\nUSA,NLD,air,3\nUSA,BEL,air,-3\n")
    result = run("materiel", str(path))
    assert result.exit_code == 1 and "2 problem(s)" in result.stderr
    assert "row 3, column 'recipient': more than one recipient" in result.stderr
    assert "row 3, column 'units': value out of range" in result.stderr
