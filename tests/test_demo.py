"""`ketenradar demo`: an offline, self-contained report with a source note under every table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ketenradar.reports.demo import run_demo
from ketenradar.reports.sections import SECTIONS


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_demo(tmp_path_factory.mktemp("demo") / "ketenradar-report")


def test_f01_demo_writes_report_and_data_files(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("demo")
    assert result.exit_code == 0, result.output
    index = tmp_path / "ketenradar-report" / "index.html"
    assert f"report written to {index}" in result.stdout
    materials = json.loads((index.parent / "data" / "materials.json").read_text())
    assert len([m for m in materials["materials"] if m["category"] == "eu_crm_2023"]) == 34
    assert (index.parent / "data" / "countries.json").is_file()


def test_f01_report_is_self_contained(report: Path) -> None:
    html = report.read_text()
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "<script" not in html
    # SR-vs-EI, concentration, country components, chain exposure, matrices, usage-weighted exposure
    assert html.count("<svg") == 6


def test_f01_every_section_and_table_has_a_source_note(report: Path) -> None:
    html = report.read_text()
    sections = re.findall(r'<section id="(\w+)">(.*?)</section>', html, flags=re.S)
    assert [s[0] for s in sections] == [
        "materials",
        "countries",
        "outlook",
        "chain",
        "scenario",
        "sector",
        "catalogue",
        "sources",
    ]
    for name, body in sections:
        assert body.count('<p class="source">') == 1, name
        assert "<table>" in body, name


def test_f01_report_lists_the_34_materials_with_published_sr(report: Path) -> None:
    html = report.read_text()
    materials = re.search(r'<section id="materials">(.*?)</section>', html, flags=re.S).group(1)
    table = materials.split("</table>")[0]
    assert table.count("<tr") == 35  # header + 34
    assert ">Heavy rare earth elements<" in table and ">5.1<" in table
    assert "computed SR unavailable" in materials  # reasons listed, not hidden


def test_f01_missing_figures_are_marked_not_zero(report: Path) -> None:
    html = report.read_text()
    catalogue = re.search(r'<section id="catalogue">(.*?)</section>', html, flags=re.S).group(1)
    assert "aramid_fibre" in catalogue
    assert catalogue.count('class="missing"') >= 3 * 5
    assert "not assessed in the EC 2023 study" in catalogue


def test_f01_dutch_report(tmp_path: Path) -> None:
    index = run_demo(tmp_path / "nl", lang="nl")
    html = index.read_text()
    assert '<html lang="nl">' in html and "De 34 kritieke grondstoffen van de EU" in html
    assert "<th>grondstof</th>" in html and "<th>material</th>" not in html


def test_f01_failed_demo_leaves_the_previous_report_intact(tmp_path: Path) -> None:
    out = tmp_path / "report"
    run_demo(out)
    before = (out / "index.html").read_text()

    def broken(_ctx: object) -> None:
        raise RuntimeError("section failed")

    with pytest.raises(RuntimeError):
        run_demo(out, sections=[*SECTIONS, broken])
    assert (out / "index.html").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging folder left


def test_f05_demo_shows_the_chain_and_the_gallium_germanium_scenario(report: Path) -> None:
    html = report.read_text()
    chain = re.search(r'<section id="chain">(.*?)</section>', html, flags=re.S).group(1)
    assert "illustrative" in chain
    assert "Single points of failure" in chain and "Visibility" in chain
    assert "uhmwpe_fibre" in chain and "aramid_fibre" in chain
    assert "ketenradar chain exposure" in chain  # how to reproduce it
    scenario = re.search(r'<section id="scenario">(.*?)</section>', html, flags=re.S).group(1)
    assert "China gallium and germanium export licensing" in scenario
    assert "Gallium (m_gallium)" in scenario
    assert "severity 1.0 is the stress-test assumption" in scenario


def test_f06_demo_sector_picture_is_labelled_synthetic_and_reproduces_the_report(report: Path) -> None:
    html = report.read_text()
    sector = re.search(r'<section id="sector">(.*?)</section>', html, flags=re.S).group(1)
    assert sector.count("SYNTHETIC") >= 3
    assert "28 %" in sector and "(report: 28 %)" in sector
    assert "81%" in sector and "(report: 81 %)" in sector
    assert "Disclosure control" in sector
