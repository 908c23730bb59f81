"""The demo report: offline, self-contained, a source note under every section, computed figures.

Most tests read the English report that ``demo_report_en`` (tests/conftest.py) builds once per
session; the Dutch report and the failed build make their own.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from ketenradar.refdata import read_dataset
from ketenradar.reports.demo import run_demo
from ketenradar.reports.sections import SECTIONS
from tests.helpers.report import CHARTS_PER_SECTION, section, sections, without_script_text

# A percentage as the report prints it: "28%" (computed) or "28 %" (quoted from the report).
PERCENT = re.compile(r"\d+(?:\.\d+)?\s?%")


def _caption_with(body: str, marker: str) -> str:
    """Return the one table caption of a section that contains ``marker``."""
    captions = [c for c in re.findall(r"<caption>(.*?)</caption>", body, flags=re.S) if marker in c]
    assert len(captions) == 1, (marker, captions)
    return captions[0]


def test_f01_report_is_self_contained(demo_report_en: Path) -> None:
    html = without_script_text(demo_report_en.read_text())
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert not re.search(r"<script\b[^>]*\bsrc=", html)  # the charts' scripts are inline, nothing fetched


def test_f01_every_chart_is_a_captioned_figure_in_its_section(demo_report_en: Path) -> None:
    html = without_script_text(demo_report_en.read_text())
    bodies = dict(sections(html))
    # materials: SR-vs-EI and concentration; countries: risk components; chain: exposure;
    # sector: risk-impact matrices and usage-weighted exposure.
    for name, charts in CHARTS_PER_SECTION.items():
        assert bodies[name].count("<svg") == charts, name
    figures = re.findall(r"<figure>(.*?)</figure>", html, flags=re.S)
    assert sum(f.count("<svg") for f in figures) == html.count("<svg")  # no chart outside a figure
    for figure in figures:
        assert figure.count("<svg") == 1
        caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, flags=re.S)
        assert caption is not None and caption.group(1).strip()


def test_f01_every_section_and_table_has_a_source_note(demo_report_en: Path) -> None:
    html = demo_report_en.read_text()
    found = sections(html)
    assert [s[0] for s in found] == [
        "summary",
        "materials",
        "maps",
        "countries",
        "outlook",
        "chain",
        "scenario",
        "foresight",
        "action",
        "sector",
        "catalogue",
        "sources",
    ]
    for name, body in found:
        assert body.count('<p class="source">') == 1, name
        # Every section has its table (each becomes a sheet of report.xlsx), but the maps: their
        # figures are the EC shares the materials section tabulates.
        assert ("<table>" in body) == (name != "maps"), name


def test_f01_report_lists_the_34_materials_with_published_sr(demo_report_en: Path) -> None:
    materials = section(demo_report_en.read_text(), "materials")
    table = materials.split("</table>")[0]
    assert table.count("<tr") == 35  # header + 34
    assert ">Heavy rare earth elements<" in table and ">5.1<" in table
    assert "computed SR unavailable" in materials  # reasons listed, not hidden


def test_f01_missing_figures_are_marked_not_zero(demo_report_en: Path) -> None:
    catalogue = section(demo_report_en.read_text(), "catalogue")
    assert "aramid_fibre" in catalogue
    assert catalogue.count('class="missing"') >= 3 * 5
    assert "not assessed in the EC 2023 study" in catalogue


def test_f01_dutch_report(demo_report_nl: Path) -> None:
    html = demo_report_nl.read_text()
    assert '<html lang="nl">' in html and "De 34 kritieke grondstoffen van de EU" in html
    assert "<th>grondstof</th>" in html and "<th>material</th>" not in html


def test_f01_failed_demo_leaves_the_previous_report_intact(demo_report_en: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    shutil.copytree(demo_report_en.parent, out)  # a previous report, as run_demo wrote it
    before = (out / "index.html").read_text()

    def broken(_ctx: object) -> None:
        raise RuntimeError("section failed")

    with pytest.raises(RuntimeError):
        run_demo(out, sections=[*SECTIONS, broken])
    assert (out / "index.html").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no staging folder left


def test_f05_demo_shows_the_chain_and_the_gallium_germanium_scenario(demo_report_en: Path) -> None:
    html = demo_report_en.read_text()
    chain = section(html, "chain")
    assert "illustrative" in chain
    assert "Single points of failure" in chain and "Visibility" in chain
    assert "uhmwpe_fibre" in chain and "aramid_fibre" in chain
    assert "ketenradar chain exposure" in chain  # how to reproduce it
    scenario = section(html, "scenario")
    assert "China gallium and germanium export licensing" in scenario
    assert "Gallium (m_gallium)" in scenario
    assert "severity 1.0 is the stress-test assumption" in scenario


def test_f06_demo_sector_picture_is_labelled_synthetic_and_reproduces_the_report(
    demo_report_en: Path,
) -> None:
    sector = section(demo_report_en.read_text(), "sector")
    assert sector.count("SYNTHETIC") >= 3
    assert "(report: 28 %)" in sector
    assert "(report: 81 %)" in sector
    assert "Disclosure control" in sector
    # Foreign-owned share of NLDTIB companies, by hand from the shipped seed table: the country
    # rows (the total row has no ISO3), companies whose owner country is not the Netherlands.
    owners = read_dataset("seed_owner_countries").dropna(subset=["country_iso3"])
    foreign = owners.loc[owners["country_iso3"] != "NLD", "n_companies"].sum() / owners["n_companies"].sum()
    ownership = _caption_with(sector, "(report: 28 %)")
    assert PERCENT.findall(ownership)[0] == f"{foreign:.0%}"  # the computed figure comes first
    # Weapon systems from the United States, by hand from the shipped SIPRI seed table: USA
    # total_units over the total row's (the row without ISO3).
    arms = read_dataset("seed_arms_imports")
    usa = arms.loc[arms["country_iso3"] == "USA", "total_units"].item()
    total = arms.loc[arms["country_iso3"].isna(), "total_units"].item()
    materiel = _caption_with(sector, "(report: 81 %)")
    assert PERCENT.findall(materiel)[0] == f"{usa / total:.0%}"


def test_f20_no_id_appears_twice_in_the_report(demo_report_en: Path) -> None:
    # Every chart is an inline SVG drawing; their ids (and the references to them) stay unique.
    html = without_script_text(demo_report_en.read_text())
    ids = re.findall(r'\bid="([^"]+)"', html)
    repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not repeated, repeated[:10]
    for reference in set(re.findall(r"url\(#([^)]+)\)", html)):
        assert reference in ids
