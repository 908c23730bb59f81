"""`ketenradar report`: index.html, report.xlsx (and report.pdf) on the demo data and on a user's chain.

The workbook's numbers are checked against the JSON the same run writes (data/*.json); the
user's chain is the hand-checkable SHARED chain of tests/helpers/chains.py, whose tank is
limited by gallium: with no chain sourcing for gallium, its availability under the China
gallium/germanium stop is 1 − 0.938 (China's EC 2023 share of gallium processing) = 0.062.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from ketenradar.cli import cli
from ketenradar.locale import _, use_language
from ketenradar.services.reference import list_datasets
from tests.helpers.chains import SHARED, write_chain
from tests.helpers.report import section, sections, without_script_text


def _report(out: Path, *args: str) -> Path:
    """Run `ketenradar report --out OUT ARGS` in-process, assert success, return the folder."""
    result = CliRunner().invoke(cli, ["report", "--out", str(out), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"report written to {out / 'index.html'}" in result.stdout or "index.html" in result.stdout
    return out


def _json(folder: Path, name: str) -> Any:
    return json.loads((folder / "data" / name).read_text(encoding="utf-8"))


def _rows(ws: Any) -> list[tuple[Any, ...]]:
    return [row for row in ws.iter_rows(min_row=2, values_only=True) if any(v is not None for v in row)]


def _sheet_with(book: Any, header: str, first: str) -> Any:
    """Return the one sheet whose first column is headed ``first`` and that has a column ``header``."""
    found = [
        ws for ws in book.worksheets if ws.cell(1, 1).value == first and header in [c.value for c in ws[1]]
    ]
    assert len(found) == 1, [ws.title for ws in found]
    return found[0]


@pytest.fixture(scope="module")
def report_en(demo_report_en: Path) -> Path:
    """The report on the shipped data, as `ketenradar report --lang en` writes it (= the demo)."""
    return demo_report_en.parent


@pytest.fixture(scope="module")
def report_nl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Through the command line (the Dutch demo report of other tests is built by run_demo).
    return _report(tmp_path_factory.mktemp("report-nl") / "rapport", "--lang", "nl")


@pytest.fixture(scope="module")
def user_chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chain(tmp_path_factory.mktemp("chains") / "shared_chain", SHARED)


@pytest.fixture(scope="module")
def report_chain(tmp_path_factory: pytest.TempPathFactory, user_chain: Path) -> Path:
    out = tmp_path_factory.mktemp("report-chain") / "report"
    return _report(out, "--lang", "en", "--chain", str(user_chain))


def test_f20_report_writes_html_and_workbook_with_summary_first(report_en: Path) -> None:
    html = (report_en / "index.html").read_text(encoding="utf-8")
    found = [name for name, _body in sections(html)]
    assert found[0] == "summary" and found[1:5] == ["materials", "maps", "countries", "outlook"]
    assert (report_en / "report.xlsx").is_file()
    assert not re.search(r"""(src|href)=["']https?://""", without_script_text(html))


def test_f20_workbook_has_a_sheet_per_table_plus_contents_and_sources(report_en: Path) -> None:
    html = (report_en / "index.html").read_text(encoding="utf-8")
    book = load_workbook(report_en / "report.xlsx")
    names = book.sheetnames
    assert names[0] == "contents" and names[-1] == "sources"
    assert len(names) - 2 == html.count("<table>")  # every table of the report, one sheet each
    assert all(len(n) <= 31 for n in names) and len({n.casefold() for n in names}) == len(names)
    contents = _rows(book["contents"])
    assert [r[0] for r in contents] == names[1:-1]
    assert all(r[3] for r in contents)  # each table's source note
    # The sources sheet: every shipped dataset with its full checksum.
    sources = book["sources"]
    assert [c.value for c in sources[1]] == ["dataset", "title", "publisher", "edition", "year", "sha256"]
    shipped = {p.dataset: p.sha256 for p in list_datasets().datasets}
    listed = {r[0]: r[5] for r in sources.iter_rows(min_row=2, max_row=len(shipped) + 1, values_only=True)}
    assert listed == shipped
    years = [r[4] for r in sources.iter_rows(min_row=2, max_row=len(shipped) + 1, values_only=True)]
    assert all(isinstance(y, int) for y in years)
    notes_header = [c.value for c in sources[len(shipped) + 3]][:3]
    assert notes_header == ["sheet", "table", "source note"]


def test_f20_workbook_numbers_equal_the_json_outputs(report_en: Path) -> None:
    book = load_workbook(report_en / "report.xlsx")
    scenario = _json(report_en, "scenario.json")
    # Platforms under the scenario: availability stored as the fraction (shown as a percentage).
    platforms = book[next(n for n in book.sheetnames if n.startswith("Platforms under the scenario"))]
    cells = [row[1] for row in platforms.iter_rows(min_row=2, max_row=3)]
    assert [c.value for c in cells] == pytest.approx([p["availability"] for p in scenario["platforms"]])
    assert all(c.number_format == "0%" for c in cells)
    # The key figures: each taken from the JSON of its section.
    figures = {r[0]: r for r in _rows(book["Key figures"])}
    assert figures["EU critical raw materials (2023 list)"][1] == 34
    materials = _json(report_en, "materials.json")["materials"]
    assert len([m for m in materials if m["category"] == "eu_crm_2023"]) == 34
    exposure = _json(report_en, "chain_exposure.json")
    spof = sum(len(p["single_point_details"]) for p in exposure["platforms"])
    assert figures["Single points of failure in chain defence_demo"][1] == spof == 23
    worst = next(v for k, v in figures.items() if k.startswith("Lowest platform availability"))
    assert worst[2] == pytest.approx(min(p["availability"] for p in scenario["platforms"]))
    stockpile = _json(report_en, "foresight.json")["stockpile"]
    saved = next(v for k, v in figures.items() if k.startswith("Platform-days lost avoided by the stockpile"))
    assert saved[1] == pytest.approx(stockpile["loss_avoided"], rel=1e-12)
    measures = _json(report_en, "action.json")["ranking"]["measures"]
    top = next(m for m in measures if m["rank"] == 1)
    assert figures[f"Top-ranked measure: {top['name']}"][1] == pytest.approx(top["loss_avoided"], rel=1e-12)


def test_f20_summary_lists_the_most_concentrated_supplies_from_ec_shares(report_en: Path) -> None:
    book = load_workbook(report_en / "report.xlsx")
    ws = _sheet_with(book, "basis", "material")
    rows = _rows(ws)
    assert len(rows) == 5
    shares = [r[4] for r in rows]
    assert shares == sorted(shares, reverse=True)
    materials = {m["id"]: m for m in _json(report_en, "materials.json")["materials"]}
    gallium = materials["gallium"]["stages"]["processing"]
    assert ("Gallium", "processing", "China", "CHN", gallium["largest_share"]) in [r[:5] for r in rows]
    summary = section((report_en / "index.html").read_text(encoding="utf-8"), "summary")
    assert "94%" in summary  # 0.938 as the report shows it


def test_f20_dutch_report_has_dutch_sheet_names_and_numbers(report_nl: Path) -> None:
    book = load_workbook(report_nl / "report.xlsx")
    with use_language("nl"):
        contents, sources, platforms = _("contents"), _("sources"), _("Platforms under the scenario")
    assert platforms != "Platforms under the scenario"  # the caption is translated already
    assert book.sheetnames[0] == contents and book.sheetnames[-1] == sources
    assert platforms[:31] in book.sheetnames
    html = (report_nl / "index.html").read_text(encoding="utf-8")
    assert '<html lang="nl"' in html
    assert "50\u202f000 €" in section(html, "summary")  # the stockpile budget, as the locale groups it


def test_f20_report_on_a_users_chain_names_it_and_invents_no_inputs(report_chain: Path) -> None:
    html = (report_chain / "index.html").read_text(encoding="utf-8")
    found = [name for name, _body in sections(html)]
    assert found[:7] == ["summary", "materials", "maps", "countries", "outlook", "chain", "scenario"]
    chain = section(html, "chain")
    assert "Value chain: shared_chain" in chain and "Tank" in chain
    assert "ketenradar chain exposure" in chain and "shared_chain --format json" in chain
    assert "Frigate" not in chain and "defence_demo" not in chain
    foresight, action = section(html, "foresight"), section(html, "action")
    assert "Not computed for your chain" in foresight and "<table>" not in foresight
    assert "ketenradar stockpile plan --chain" in foresight
    assert "ketenradar measures rank --chain" in action and "<table>" not in action
    assert not (report_chain / "data" / "foresight.json").exists()
    assert not (report_chain / "data" / "action.json").exists()
    # The tank is limited by gallium: 1 − 0.938 (China's share of gallium processing) = 0.062.
    scenario = _json(report_chain, "scenario.json")
    assert {p["id"]: p["availability"] for p in scenario["platforms"]} == pytest.approx(
        {"tank": 0.062, "ifv": 1.0}
    )
    figures = {r[0]: r for r in _rows(load_workbook(report_chain / "report.xlsx")["Key figures"])}
    worst = figures["Lowest platform availability under the scenario: Tank (chain shared_chain)"]
    assert worst[2] == pytest.approx(0.062)
    assert not any(k.startswith(("Top-ranked measure", "Platform-days lost avoided")) for k in figures)


def test_f20_several_chains_get_a_chain_and_scenario_section_each(tmp_path: Path, user_chain: Path) -> None:
    from ketenradar.reports.context import demo_chain_path

    out = _report(tmp_path / "report", "--chain", str(user_chain), "--chain", str(demo_chain_path()))
    found = [name for name, _body in sections((out / "index.html").read_text(encoding="utf-8"))]
    assert found[5:9] == ["chain", "scenario", "chain_2", "scenario_2"]
    assert (out / "data" / "chain_exposure-2.json").is_file() and (out / "data" / "scenario-2.json").is_file()


def test_f20_report_refuses_a_folder_with_other_files(tmp_path: Path, user_chain: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["report", "--out", str(tmp_path), "--chain", str(user_chain)])
    assert result.exit_code != 0
    assert "is not empty and is not a ketenradar report" in result.output + str(result.exception)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_f20_unknown_chain_fails_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        cli,
        ["report", "--out", str(out), "--chain", "no-such-chain", "--workspace", str(tmp_path / "w.sqlite")],
    )
    assert result.exit_code != 0
    assert "no-such-chain" in result.output + str(result.exception)
    assert not out.exists()
