"""F18 bids files: the demo, Dutch CSV, Excel and JSON; bad files refused with every problem at once."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from ketenradar.errors import InputFileError
from ketenradar.ingest.bids import read_bids

DEMO_BIDS = Path(str(resources.files("ketenradar.demo_data"))) / "procurement" / "bids"


def _folder(tmp_path: Path, bids: str, origin: str | None) -> Path:
    folder = tmp_path / "bids"
    folder.mkdir()
    (folder / "bids.csv").write_text(bids, encoding="utf-8")
    if origin is not None:
        (folder / "origin.csv").write_text(origin, encoding="utf-8")
    return folder


def test_f18_the_demo_bids_read() -> None:
    read = read_bids(DEMO_BIDS)
    assert read.bids["bid"].tolist() == ["nl_yard", "eu_yard", "asia_yard"]
    assert read.bids.loc[0, "chain"] == "../../chains/defence_demo"
    assert read.bids.loc[0, "platform"] == "frigate"
    assert read.folder == DEMO_BIDS
    sums = read.origin.groupby(["bid", "level"])["share"].sum()
    assert sums.to_numpy() == pytest.approx(1.0)


def test_f18_dutch_csv_with_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        "bid;price;delivery_days;nl_eu_content\nwerf_a;1250,5;300;0,65\nwerf_b;999;250;\n",
        "bid;level;country;share\nwerf_a;product;nld;1\nwerf_b;product;DEU;0,6\nwerf_b;product;FRA;0,4\n",
    )
    read = read_bids(folder)
    assert read.bids["price"].tolist() == [1250.5, 999.0]
    assert read.bids.loc[0, "nl_eu_content"] == 0.65
    # Not known stays missing, never 0.
    assert read.bids["nl_eu_content"].isna().tolist() == [False, True]
    assert read.origin["share"].tolist() == [1.0, 0.6, 0.4]
    assert read.origin["country"].tolist() == ["NLD", "DEU", "FRA"]


def test_f18_a_bad_bids_file_gets_every_problem_at_once(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        "bid,price,delivery_days,nl_eu_content,chain,platform,colour\n"
        "a,-5,100,0.5,,,red\n"  # row 2: price ≤ 0
        "b,100,,1.5,,,\n"  # row 3: delivery empty, content > 1
        "c,100,20,,,tank,\n"  # row 4: a platform without a chain
        "d,100,20,,some_chain,,\n"  # row 5: a chain and origin rows
        "e,100,20,,,,\n"  # row 6: neither chain nor origin
        "a,90,20,,,,\n",  # row 7: bid a twice
        "bid,level,country,share\n"
        "a,product,NLD,0.5\n"  # row 2: a's product shares sum to 0.9
        "a,product,DEU,0.4\n"
        "b,wholesale,NLD,1\n"  # row 4: unknown level
        "c,product,XXX,1\n"  # row 5: unknown country
        "d,product,NLD,1\n"  # row 6: d has a chain
        "zz,product,NLD,1\n",  # row 7: no such bid
    )
    with pytest.raises(InputFileError) as caught:
        read_bids(folder)
    found = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert {
        ("bids", 1, "colour"),
        ("bids", 2, "price"),
        ("bids", 3, "delivery_days"),
        ("bids", 3, "nl_eu_content"),
        ("bids", 4, "platform"),
        ("bids", 6, "chain"),
        ("bids", 7, "bid"),
        ("origin", 2, "share"),
        ("origin", 4, "level"),
        ("origin", 5, "country"),
        ("origin", 6, "bid"),
        ("origin", 7, "bid"),
    } <= found
    text = str(caught.value)
    assert "nothing was changed" in text
    assert "shares of bid 'a' at level product sum to 0.9, 0.1 less than 1" in text
    assert "bid 'e' has neither a chain nor origin rows" in text
    assert "unknown country code" in text
    assert str(folder) in text


def test_f18_bids_without_a_chain_need_an_origin_sheet(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "bid,price,delivery_days\na,100,20\n", None)
    with pytest.raises(InputFileError) as caught:
        read_bids(folder)
    (problem,) = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("bids", 2, "chain")
    assert "a sheet 'origin'" in problem.expected


def test_f18_bids_with_chains_need_no_origin_sheet(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "bid,price,delivery_days,chain\na,100,20,demo\n", None)
    read = read_bids(folder)
    assert read.origin.empty and read.bids.loc[0, "chain"] == "demo"


def test_f18_excel_bids(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    bids = book.active
    bids.title = "bids"
    bids.append(["bid", "price", "delivery_days", "nl_eu_content"])
    bids.append(["a", 100, 30, 0.4])
    bids.append(["b", 120, None, None])  # row 3: delivery empty
    origin = book.create_sheet("origin")
    origin.append(["bid", "level", "country", "share"])
    origin.append(["a", "material", "CHN", 1])
    origin.append(["b", "material", "AUS", 0.5])  # row 3: b's material shares sum to 0.5
    path = tmp_path / "bids.xlsx"
    book.save(path)
    with pytest.raises(InputFileError) as caught:
        read_bids(path)
    found = {(p.sheet, p.row, p.column) for p in caught.value.problems}
    assert found == {("bids", 3, "delivery_days"), ("origin", 3, "share")}
    bids.cell(row=3, column=3, value=40)
    origin.cell(row=3, column=4, value=1)
    book.save(path)
    read = read_bids(path)
    assert read.bids["delivery_days"].tolist() == [30.0, 40.0]
    assert read.folder == tmp_path


def test_f18_json_bids(tmp_path: Path) -> None:
    path = tmp_path / "bids.json"
    document = {
        "bids": [
            {"bid": "a", "price": 100, "delivery_days": 30},
            {"bid": "b", "price": "x", "delivery_days": 3},
        ],
        "origin": [
            {"bid": "a", "level": "product", "country": "NLD", "share": 1},
            {"bid": "b", "level": "product", "country": "NLD", "share": 1},
        ],
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_bids(path)
    (problem,) = caught.value.problems
    # JSON rows are the entries, counted from 1.
    assert (problem.sheet, problem.row, problem.column, problem.message) == (
        "bids",
        2,
        "price",
        "not a number",
    )
    document["bids"][1]["price"] = 90.5
    path.write_text(json.dumps(document), encoding="utf-8")
    assert read_bids(path).bids["price"].tolist() == [100.0, 90.5]
