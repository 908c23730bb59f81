"""F16: measures files are checked against the chain; every problem is reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from ketenradar.errors import InputFileError
from ketenradar.ingest.measures_file import read_measure_catalogue, read_measures
from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.model.chain import Chain
from tests.helpers.chains import CATALOGUE, write_chain

FILES = {
    "items.csv": """id,name,kind,domain,dis_area,material,unit
p,Platform,platform,land,,,unit
comp,Component,component,land,,,unit
a,Gallium,material,,,gallium,kg
""",
    "bom.csv": """parent,child,quantity
p,comp,1
comp,a,2
""",
    "sourcing.csv": """item,country,share,stage,supplier,tier
p,NLD,1,,OEM,0
comp,DEU,1,,Maker,1
a,CHN,1,processing,,2
""",
}


@pytest.fixture
def chain(tmp_path: Path) -> Chain:
    return read_chain_workbook(write_chain(tmp_path / "c", FILES), list(CATALOGUE))


def _read(tmp_path: Path, chain: Chain, text: str, name: str = "m.yaml") -> tuple[dict[str, object], ...]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_measures(path, chain, list(CATALOGUE), ["broaden_supplier_base", "C04"])


def test_f16_a_good_file_with_decimal_commas_and_defaults(tmp_path: Path, chain: Chain) -> None:
    measures = _read(
        tmp_path,
        chain,
        """measures:
  - {id: jp, kind: add_supplier, item: a, stage: processing, country: jpn, share: "0,5",
     cost_eur: "4000000,0", measure_type: C04}
  - {id: st, kind: add_stock, item: comp, days: 90}
  - {id: dual, kind: add_supplier, item: comp, country: FRA, share: 0.3}
""",
    )
    first, second, third = measures
    assert (first["share"], first["country"], first["cost_eur"]) == (0.5, "JPN", 4_000_000.0)
    assert second["days"] == 90.0 and second["cost_eur"] is None
    # A part's stage defaults to manufacturing.
    assert third["stage"] == "manufacturing"


def test_f16_json_files_are_read_too(tmp_path: Path, chain: Chain) -> None:
    (measure,) = _read(
        tmp_path,
        chain,
        '{"measures": [{"id": "s", "kind": "substitute", "item": "a", "material": "germanium", "share": 1}]}',
        "m.json",
    )
    assert measure["material"] == "germanium" and measure["share"] == 1.0


def test_f16_every_problem_at_once_located_by_measure_and_field(tmp_path: Path, chain: Chain) -> None:
    with pytest.raises(InputFileError) as caught:
        _read(
            tmp_path,
            chain,
            """measures:
  - {id: a1, kind: add_supplier, item: nope, stage: processing, country: XXX, share: 1.5}
  - {id: a1, kind: teleport, item: a}
  - {id: s1, kind: substitute, item: comp, material: unobtainium, share: 0}
  - {id: r1, kind: remove_country, item: a, stage: manufacturing, country: CHN, days: 3}
  - {id: k1, kind: add_stock, item: comp, days: -1, cost_eur: cheap, measure_type: magic}
  - {id: s2, kind: substitute, item: a, material: gallium, share: "0,2"}
""",
        )
    problems = caught.value.problems
    places = [p.column for p in problems]
    assert all(p.file.endswith("m.yaml") for p in problems)
    expected = [
        "measures 1 (a1), item",
        "measures 1 (a1), country",
        "measures 1 (a1), share",
        "measures 2 (a1), id",
        "measures 2 (a1), kind",
        "measures 3 (s1), item",
        "measures 3 (s1), share",
        "measures 3 (s1), material",
        "measures 4 (r1), days",
        "measures 4 (r1), stage",
        "measures 5 (k1), days",
        "measures 5 (k1), cost_eur",
        "measures 5 (k1), measure_type",
        "measures 6 (s2), material",
    ]
    assert sorted(places) == sorted(expected)
    text = str(caught.value)
    assert "nothing was changed" in text and "ISO 3166" in text and "add_supplier, add_stock" in text


def test_f16_a_document_without_measures_is_refused(tmp_path: Path, chain: Chain) -> None:
    with pytest.raises(InputFileError, match="measures"):
        _read(tmp_path, chain, "measure:\n  - {id: x}\n")
    with pytest.raises(InputFileError, match="empty"):
        _read(tmp_path, chain, "measures: []\n")


def test_f16_user_catalogue_reads_semicolons_and_refuses_bad_ratings(tmp_path: Path) -> None:
    good = tmp_path / "cat.csv"
    good.write_text("measure_id;impact;type\nC04;high;\nX01;low;stockpiling\n", encoding="utf-8")
    frame = read_measure_catalogue(good, ["stockpiling"])
    assert list(frame["measure_id"]) == ["C04", "X01"] and list(frame["impact"]) == ["high", "low"]
    bad = tmp_path / "bad.csv"
    bad.write_text("measure_id,impact,type\nC04,huge,\nX01,low,magic\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_measure_catalogue(bad, ["stockpiling"])
    assert {(p.row, p.column) for p in caught.value.problems} == {(2, "impact"), (3, "type")}


def test_f16_the_id_of_the_combination_is_reserved(tmp_path: Path, chain: Chain) -> None:
    with pytest.raises(InputFileError) as caught:
        _read(
            tmp_path, chain, "measures:\n  - id: combined\n    kind: add_stock\n    item: comp\n    days: 3\n"
        )
    assert any("reserved" in p.message for p in caught.value.problems)


def test_f16_a_missing_measures_file_is_a_located_error_not_a_traceback(tmp_path: Path, chain: Chain) -> None:
    with pytest.raises(InputFileError) as caught:
        read_measures(tmp_path / "nope.yaml", chain, list(CATALOGUE), ["C04"])
    (problem,) = caught.value.problems
    assert problem.message == "file not found" and problem.file.endswith("nope.yaml")
