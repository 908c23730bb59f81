"""Bad user files are refused with file, row, column and what was expected; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar.errors import InputFileError
from ketenradar.ingest.inputs import read_country_indicators, read_criticality_inputs
from tests.helpers.cli import refused

SHARES_HEADER = "material,stage,scope,country,share,trade_factor\n"
PARAMS = "material,stage,supply_data_used,import_reliance,eol_rir,si_sr\nx,mining,gs,,0,1\n"


CASES = [
    pytest.param(
        "eu_sourcing",
        "material,stage,country\ngallium,processing,CHN\n",
        ["row 1", "column 'share'", "required column is missing"],
        id="missing-column",
    ),
    pytest.param(
        "eu_sourcing",
        "material,stage,country,share\nunobtainium,processing,CHN,1\n",
        ["row 2", "column 'material'", "unknown material id", "'unobtainium'"],
        id="unknown-material",
    ),
    pytest.param(
        "eu_sourcing",
        "material,stage,country,share\ngallium,processing,XYZ,1\n",
        ["row 2", "column 'country'", "unknown country code", "ISO 3166"],
        id="unknown-country",
    ),
    pytest.param(
        "eu_sourcing",
        "material,stage,country,share\ngallium,processing,CHN,1.5\n",
        ["row 2", "column 'share'", "out of range", "≤ 1"],
        id="share-out-of-range",
    ),
    pytest.param(
        "eu_sourcing",
        'material,stage,country,share\ngallium,processing,CHN,"0,5"\n',
        ["row 2", "column 'share'", "decimal comma", "dot as decimal separator"],
        id="decimal-comma",
    ),
    pytest.param(
        "eu_sourcing",
        "material,stage,country,share\ngallium,smelting,CHN,0.5\n",
        ["row 2", "column 'stage'", "one of mining, processing"],
        id="bad-choice",
    ),
    pytest.param(
        "eu_sourcing",
        "material,stage,country,share\ngallium,processing,CHN,0.7\ngallium,processing,CHN,0.2\n",
        ["row 3", "duplicate row"],
        id="duplicate-row",
    ),
    pytest.param(
        "eu_sourcing",
        "material,stage,country,share\ngallium,processing,CHN,0.7\ngallium,processing,JPN,0.5\n",
        ["row 2", "column 'share'", "sum to 1.2000", "0.2000 more than 1"],
        id="shares-over-one",
    ),
    pytest.param("eu_sourcing", "material,stage,country,share\n", ["no data rows"], id="header-only"),
    pytest.param("eu_sourcing", "", ["the file is empty"], id="empty-file"),
    pytest.param(
        "eu_sourcing",
        "material,stage,country,share\ngallium,processing,CHN,abc\n",
        ["row 2", "column 'share'", "not a number", "'abc'"],
        id="not-a-number",
    ),
    pytest.param(
        "indicators",
        "iso3,atradius_star\nCHN,11\n",
        ["row 2", "column 'atradius_star'", "out of range", "≤ 10"],
        id="star-out-of-range",
    ),
    pytest.param("indicators", "iso3\nCHN\n", ["no indicator column"], id="no-indicator-column"),
    pytest.param(
        "catalogue",
        "id,name_en\ngallium,Gallium again\n",
        ["row 2", "column 'id'", "already in the catalogue"],
        id="catalogue-id-clash",
    ),
    pytest.param(
        "catalogue",
        "id,name_en\nAramid Fibre,Aramid\n",
        ["row 2", "column 'id'", "not a valid id", "lower-case"],
        id="catalogue-bad-id",
    ),
    pytest.param(
        "parameters",
        "material,stage,supply_data_used,import_reliance,eol_rir,si_sr\ngallium,processing,gs+eu,,0,0.98\n",
        ["row 2", "column 'import_reliance'", "variant 'gs+eu' needs it"],
        id="variant-needs-input",
    ),
    pytest.param(
        "parameters",
        "material,stage,supply_data_used,import_reliance,eol_rir,si_sr\ngallium,processing,gs,0.5,-0.1,0\n",
        ["row 2", "column 'eol_rir'", "≥ 0", "column 'si_sr'", "> 0"],
        id="several-problems-at-once",
    ),
]

OPTION = {
    "eu_sourcing": "--eu-sourcing",
    "indicators": "--indicators",
    "catalogue": "--catalogue",
    "parameters": "--parameters",
}


@pytest.mark.parametrize(("kind", "content", "expected"), CASES)
def test_f01_bad_user_file_is_refused_precisely(
    run, write, kind: str, content: str, expected: list[str]
) -> None:
    path = write("input.csv", content)
    command = ["countries"] if kind == "indicators" else ["materials"]
    message = refused(run, *command, OPTION[kind], str(path))
    assert str(path) in message
    for fragment in expected:
        assert fragment in message, fragment


def test_f01_bad_encoding_names_the_row_and_what_to_do(run, write) -> None:
    path = write("latin1.csv", "iso3,atradius_star\nCHN,5\nCIV,4\n".replace("CIV", "CÔT").encode("latin-1"))
    message = refused(run, "countries", "--indicators", str(path))
    assert "row 3" in message and "not UTF-8" in message and "CSV UTF-8" in message


def test_f01_missing_file_is_refused(run, tmp_path: Path) -> None:
    message = refused(run, "materials", "--eu-sourcing", str(tmp_path / "absent.csv"))
    assert "file not found" in message


def test_f03_criticality_compute_refuses_bad_files(run, write) -> None:
    shares = write("s.csv", SHARES_HEADER + "x,mining,gs,CHN,0.9,\nx,mining,zz,CHN,0.1,\n")
    message = refused(run, "criticality", "compute", str(shares), "--parameters", str(write("p.csv", PARAMS)))
    assert "row 3" in message and "column 'scope'" in message and "one of gs, eu" in message

    shares = write("s2.csv", SHARES_HEADER + "x,mining,gs,CHN,0.9,\n")
    message = refused(run, "criticality", "compute", str(shares))
    assert "--parameters FILE, or --fill-from-reference" in message

    other = write("p2.csv", PARAMS.replace("x,mining", "y,mining"))
    message = refused(run, "criticality", "compute", str(shares), "--parameters", str(other))
    assert "no parameters for x / mining" in message

    inter = write(
        "i.csv",
        "material,stage,supply_data_used,hhi_gs,hhi_eu,import_reliance,eol_rir,si_sr\n"
        "x,mining,eu,2,,0.5,0,1\n",
    )
    message = refused(run, "criticality", "compute", str(inter))
    assert "column 'hhi_eu'" in message and "variant 'eu' needs it" in message


def test_f01_every_problem_is_reported_not_only_the_first(write) -> None:
    path = write("many.csv", SHARES_HEADER + "".join(f"x,mining,gs,QQ{i},2,\n" for i in range(5)))
    with pytest.raises(InputFileError) as caught:
        read_criticality_inputs(path)
    problems = caught.value.problems
    assert len(problems) == 10  # five unknown countries and five shares out of range
    assert {p.row for p in problems} == {2, 3, 4, 5, 6}
    assert {p.column for p in problems} == {"country", "share"}


def test_f02_problem_carries_its_location_as_attributes(write) -> None:
    path = write("star.csv", "iso3,atradius_star\nCHN,0\n")
    with pytest.raises(InputFileError) as caught:
        read_country_indicators(path)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        str(path),
        2,
        "atradius_star",
        "0",
    )


def test_f01_share_sums_are_checked_with_the_cell_problems(write) -> None:
    from ketenradar.ingest.inputs import read_shares

    content = (
        "material,stage,country,share\ngallium,processing,CHN,0.7\ngallium,processing,JPN,0.5\n"
        "germanium,processing,ZZZ,0.5\ngermanium,processing,CHN,abc\n"
    )
    with pytest.raises(InputFileError) as caught:
        read_shares(write("s.csv", content), with_scope=False, materials=None)
    found = [(p.row, p.column, p.message.split(",")[0]) for p in caught.value.problems]
    # The sum of gallium is reported with the cell problems; germanium's spoiled sum is not.
    assert found == [
        (2, "share", "shares of gallium / processing sum to 1.2000"),
        (4, "country", "unknown country code"),
        (5, "share", "not a number"),
    ]


def test_f01_catalogue_ids_differing_only_in_case_are_refused(write) -> None:
    from ketenradar.ingest.inputs import read_material_catalogue
    from tests.helpers.chains import CATALOGUE

    path = write("c.csv", "id,name_en\naramid_x,A\naramid_y,B\n")
    assert [m.id for m in read_material_catalogue(path, CATALOGUE)] == ["aramid_x", "aramid_y"]
    path = write("c2.csv", "id,name_en,category\nx_1,A,Bad Category\ngallium,G,\n")
    with pytest.raises(InputFileError) as caught:
        read_material_catalogue(path, CATALOGUE)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "category"), (3, "id")]


def test_f01_dutch_csv_is_read_with_decimal_commas(write) -> None:
    from ketenradar.ingest.inputs import read_country_indicators

    frame = read_country_indicators(write("nl.csv", "iso3;wgi_mean\nCHN;-0,5\nNLD;1,25\n"))
    assert frame.loc["CHN", "wgi_mean"] == -0.5 and frame.loc["NLD", "wgi_mean"] == 1.25
