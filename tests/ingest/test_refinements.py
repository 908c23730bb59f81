"""F15: alternatives and substitutes files in every format, and bad files refused with every problem."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from ketenradar.errors import InputFileError
from ketenradar.ingest.refinements import alternatives_from_reference, read_alternatives, read_substitutes
from ketenradar.model.refinements import Alternative, Substitute
from ketenradar.refdata import load_alternatives
from ketenradar.services.materials import defence_catalogue

CATALOGUE = defence_catalogue()
Writer = Callable[[str, str | bytes], Path]

ALTERNATIVES_CSV = """material,item,stage,country,max_share,lead_time_days,source,note
gallium,,processing,jpn,0.2,90,METI study,second refiner
,radar_module,manufacturing,USA,0.5,,,
"""

GALLIUM_JPN = Alternative(
    stage="processing",
    country="JPN",
    max_share=0.2,
    lead_time_days=90.0,
    material="gallium",
    source="METI study",
    note="second refiner",
)


def _problems(error: pytest.ExceptionInfo[InputFileError]) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in error.value.problems}


def test_f15_alternatives_csv_is_read_into_objects(write: Writer) -> None:
    path = write("alternatives.csv", ALTERNATIVES_CSV)
    first, second = read_alternatives(path, CATALOGUE)
    assert first == GALLIUM_JPN
    # An empty lead time stays unknown (None), and an empty source names the file.
    assert second == Alternative(
        stage="manufacturing",
        country="USA",
        max_share=0.5,
        lead_time_days=None,
        item="radar_module",
        source=str(path),
    )


def test_f15_dutch_csv_with_semicolons_and_decimal_commas(write: Writer) -> None:
    path = write(
        "alternatieven.csv",
        "material;stage;country;max_share;lead_time_days;source;note\n"
        "gallium;processing;JPN;0,2;90;METI study;second refiner\n",
    )
    assert read_alternatives(path, CATALOGUE) == (GALLIUM_JPN,)
    subs = write(
        "substituten.csv",
        "material;substitute;max_share;qualification_days;performance_penalty;cost_factor\n"
        "gallium;germanium;0,25;182,5;0,1;1,5\n",
    )
    (substitute,) = read_substitutes(subs, CATALOGUE)
    assert (substitute.max_share, substitute.qualification_days) == (0.25, 182.5)
    assert (substitute.performance_penalty, substitute.cost_factor) == (0.1, 1.5)


def test_f15_yaml_and_json_give_the_same_objects(write: Writer) -> None:
    yaml_path = write(
        "refinements.yaml",
        """alternatives:
  - material: gallium
    stage: processing
    country: JPN
    max_share: 0.2
    lead_time_days: 90
    source: METI study
    note: second refiner
substitutes:
  - material: gallium
    substitute: germanium
    max_share: 0.3
    qualification_days: 365
    application: semiconductors
""",
    )
    document = {
        "alternatives": [
            {
                "material": "gallium",
                "stage": "processing",
                "country": "JPN",
                "max_share": 0.2,
                "lead_time_days": 90,
                "source": "METI study",
                "note": "second refiner",
            }
        ],
        "substitutes": [
            {
                "material": "gallium",
                "substitute": "germanium",
                "max_share": 0.3,
                "qualification_days": 365,
                "application": "semiconductors",
            }
        ],
    }
    json_path = write("refinements.json", json.dumps(document))
    for path in (yaml_path, json_path):
        assert read_alternatives(path, CATALOGUE) == (GALLIUM_JPN,)
        assert read_substitutes(path, CATALOGUE) == (
            Substitute(
                material="gallium",
                substitute="germanium",
                max_share=0.3,
                qualification_days=365.0,
                application="semiconductors",
                source=str(path),
            ),
        )


def test_f15_excel_sheet_is_read(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "alternatives"
    sheet.append(["material", "stage", "country", "max_share", "lead_time_days", "source", "note"])
    sheet.append(["gallium", "processing", "JPN", 0.2, 90, "METI study", "second refiner"])
    subs = book.create_sheet("substitutes")
    subs.append(["material", "substitute", "max_share", "qualification_days"])
    subs.append(["gallium", "germanium", 0.3, 365])
    path = tmp_path / "refinements.xlsx"
    book.save(path)
    assert read_alternatives(path, CATALOGUE) == (GALLIUM_JPN,)
    (substitute,) = read_substitutes(path, CATALOGUE)
    assert (substitute.material, substitute.substitute, substitute.qualification_days) == (
        "gallium",
        "germanium",
        365.0,
    )
    assert substitute.performance_penalty is None and substitute.cost_factor is None


def test_f15_excel_without_the_sheet_is_refused(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "other"
    path = tmp_path / "refinements.xlsx"
    book.save(path)
    with pytest.raises(InputFileError) as error:
        read_substitutes(path, CATALOGUE)
    assert "substitutes" in str(error.value)


def test_f15_bad_alternatives_csv_reports_every_problem_at_once(write: Writer) -> None:
    path = write(
        "alternatives.csv",
        """material,item,stage,country,max_share,lead_time_days,leadtime
galium,,processing,XXX,1.5,-1,
gallium,x,refining,JPN,0.2,,
,,mining,JPN,0.2,,
gallium,,processing,JPN,0.1,,
gallium,,processing,JPN,0.1,,
""",
    )
    with pytest.raises(InputFileError) as error:
        read_alternatives(path, CATALOGUE)
    assert _problems(error) == {
        (1, "leadtime"),  # a misspelt column is not silently ignored
        (2, "material"),  # unknown material id
        (2, "country"),  # unknown country code
        (2, "max_share"),  # above 1
        (2, "lead_time_days"),  # negative
        (3, "stage"),  # not a stage
        (3, "item"),  # both a material and an item
        (4, "material"),  # neither
        (6, "country"),  # the same material, stage and country twice
    }
    assert all(p.file == str(path) for p in error.value.problems)
    assert "gallium" in next(p.message for p in error.value.problems if p.row == 2 and p.column == "material")
    assert "nothing was changed" in str(error.value)


def test_f15_dutch_csv_with_a_decimal_point_is_refused(write: Writer) -> None:
    path = write("a.csv", "material;stage;country;max_share\ngallium;processing;JPN;0.2\n")
    with pytest.raises(InputFileError) as error:
        read_alternatives(path, CATALOGUE)
    assert _problems(error) == {(2, "max_share")}


def test_f15_alternatives_need_a_material_or_item_column(write: Writer) -> None:
    path = write("a.csv", "stage,country,max_share\nprocessing,JPN,0.2\n")
    with pytest.raises(InputFileError) as error:
        read_alternatives(path, CATALOGUE)
    assert _problems(error) == {(1, "material")}


def test_f15_bad_substitutes_yaml_reports_every_entry_and_key(write: Writer) -> None:
    path = write(
        "subs.yaml",
        """substitutes:
  - material: gallium
    substitute: gallium
    max_share: 0.3
    qualification_days: true
    performance_penalty: 2
    cost_factor: 0
  - material: gallium
    substitute: unobtainium
    max_share: 0.3
  - material: gallium
    substitute: germanium
    max_share: [0.3]
    qualification_days: 10
    penalty: 0.1
""",
    )
    with pytest.raises(InputFileError) as error:
        read_substitutes(path, CATALOGUE)
    # A list as a value stops the file before the cells are checked.
    assert _problems(error) == {(None, "entry 3, max_share")}
    path.write_text(path.read_text().replace("max_share: [0.3]", "max_share: 0.3"))
    with pytest.raises(InputFileError) as error:
        read_substitutes(path, CATALOGUE)
    assert _problems(error) == {
        (None, "penalty"),
        (None, "entry 1, substitute"),  # the material itself
        (None, "entry 1, qualification_days"),  # true is not a number
        (None, "entry 1, performance_penalty"),  # above 1
        (None, "entry 1, cost_factor"),  # must be above 0
        (None, "entry 2, substitute"),  # not in the catalogue
        (None, "entry 2, qualification_days"),  # required
    }


def test_f15_structured_file_shape_errors(write: Writer) -> None:
    wrong_key = write("a.yaml", "alternative:\n  - material: gallium\n")
    with pytest.raises(InputFileError) as error:
        read_alternatives(wrong_key, CATALOGUE)
    assert _problems(error) == {(None, "alternative"), (None, "alternatives")}
    repeated = write("a.json", '{"alternatives": [{"material": "gallium", "material": "cobalt"}]}')
    with pytest.raises(InputFileError) as error:
        read_alternatives(repeated, CATALOGUE)
    assert "twice" in str(error.value)


def test_f15_missing_and_unsupported_files_are_refused(tmp_path: Path, write: Writer) -> None:
    with pytest.raises(InputFileError) as error:
        read_alternatives(tmp_path / "absent.csv", CATALOGUE)
    assert "not found" in str(error.value)
    odd = write("a.ods", "x")
    with pytest.raises(InputFileError) as error:
        read_alternatives(odd, CATALOGUE)
    assert ".ods" in str(error.value)


def test_f15_a_bad_file_leaves_the_file_unchanged(write: Writer) -> None:
    text = "material,stage,country,max_share\ngallium,processing,XXX,2\n"
    path = write("a.csv", text)
    with pytest.raises(InputFileError):
        read_alternatives(path, CATALOGUE)
    assert path.read_text() == text


def test_f15_errors_in_dutch(write: Writer) -> None:
    from ketenradar.locale import use_language

    path = write("a.csv", "material,stage,country,max_share\ngallium,processing,JPN,2\n")
    with use_language("nl"), pytest.raises(InputFileError) as error:
        read_alternatives(path, CATALOGUE)
    assert "rij 2" in str(error.value)


def test_f15_reference_table_becomes_alternatives_without_lead_time() -> None:
    frame = load_alternatives().frame
    alternatives = alternatives_from_reference(frame)
    assert len(alternatives) == len(frame) > 0
    assert all(a.lead_time_days is None for a in alternatives)
    assert all(a.source.startswith("USGS MCS 2025") for a in alternatives)
    usa = next(a for a in alternatives if a.material == "aluminium" and a.country == "USA")
    # USGS 2024: capacity 1 360 kt, production 670 kt, world production 72 000 kt.
    assert usa.max_share == pytest.approx((1360 - 670) / 72000)
    assert usa.stage == "processing" and usa.item == ""
