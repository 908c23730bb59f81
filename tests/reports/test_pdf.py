"""The PDF report: contents with the right page numbers, page labels, tables and figures as in JSON.

The English PDF is the one the session's demo report wrote (``demo_report_en``); the Dutch one is
written here from a shorter report (materials, countries, sources) to keep the module fast. Both are read
back with poppler's ``pdftotext`` and ``pdfinfo``, as a reader's tools would.
"""

from __future__ import annotations

import base64
import html as html_lib
import logging
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ketenradar.errors import OutputRefused
from ketenradar.reports.context import build_demo_context
from ketenradar.reports.demo import render_demo
from ketenradar.reports.pdf import print_stylesheet, render_pdf, report_language, write_pdf
from ketenradar.reports.sections import countries, materials, sources

# poppler-utils (pdftotext, pdfinfo) are installed by scripts/test; without them these tests fail.

# A line of the table of contents: the section title, dot leaders, the page number.
TOC_LINE = re.compile(r"^\s*(\S.*?)\s*\.{4,}\s*(\d+)\s*$")


def _pages(pdf: Path) -> list[str]:
    """Return the text of each page of ``pdf``, laid out as on paper."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]  # the text ends with a form feed after the last page


def _page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)$", info, flags=re.M)
    assert found is not None, info
    return int(found.group(1))


def _titles(document: str) -> list[str]:
    return [html_lib.unescape(t) for t in re.findall(r"<h2>(.*?)</h2>", document)]


def _section_pages(document: str, pages: list[str], section_id: str) -> list[str]:
    """Return the pages of one section, from the page the contents give to the next section's."""
    ids = re.findall(r'<section id="(\w+)">', document)
    starts = [page for _title, page in _contents(pages)] + [len(pages) + 1]
    index = ids.index(section_id)
    return pages[starts[index] - 1 : starts[index + 1] - 1]


def _contents(pages: list[str]) -> list[tuple[str, int]]:
    """Return (title, page) of every line of the table of contents (on the first page)."""
    return [(m.group(1), int(m.group(2))) for line in pages[0].splitlines() if (m := TOC_LINE.match(line))]


@pytest.fixture(scope="module")
def pdf_en(demo_report_en: Path) -> tuple[str, Path]:
    """The English demo report as ``ketenradar demo`` writes it: its HTML and its report.pdf."""
    return demo_report_en.read_text(encoding="utf-8"), demo_report_en.parent / "report.pdf"


@pytest.fixture(scope="module")
def pdf_nl(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A shorter Dutch report (three sections), its HTML and the PDF written by write_pdf."""
    ctx = build_demo_context("nl")
    document = render_demo(ctx, [materials.build, countries.build, sources.build], pdf=False)["index.html"]
    assert isinstance(document, str)
    return document, write_pdf(document, tmp_path_factory.mktemp("pdf-nl") / "rapport.pdf")


def test_pdf_is_a_pdf_of_many_pages_without_scripts(pdf_en: tuple[str, Path]) -> None:
    content = pdf_en[1].read_bytes()
    assert content.startswith(b"%PDF-")
    assert b"/JavaScript" not in content and b"/JS " not in content
    assert _page_count(pdf_en[1]) >= 5


def test_contents_lists_every_section_in_order_with_the_page_it_starts_on(pdf_en: tuple[str, Path]) -> None:
    document, pdf = pdf_en
    pages = _pages(pdf)
    titles = _titles(document)
    assert len(titles) >= 5
    contents = _contents(pages)
    assert [title for title, _page in contents] == titles
    numbers = [page for _title, page in contents]
    assert numbers[0] == 2  # the title page holds the contents; each section starts a new page
    assert numbers == sorted(set(numbers))
    for title, number in contents:
        # The first page after the contents that names the section is the one the contents give.
        first = next(i for i, text in enumerate(pages[1:], start=2) if title in text)
        assert first == number, title


def test_every_page_says_page_n_of_m(pdf_en: tuple[str, Path]) -> None:
    pages = _pages(pdf_en[1])
    total = _page_count(pdf_en[1])
    assert len(pages) == total
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"\bPage {number} of {total}\s*$", text.rstrip()), number


def test_running_header_names_the_report_and_the_section(pdf_en: tuple[str, Path]) -> None:
    document, pdf = pdf_en
    pages = _pages(pdf)
    title = html_lib.unescape(re.search(r"<h1>(.*?)</h1>", document).group(1))  # type: ignore[union-attr]
    first_section = _titles(document)[0]
    for (section, number), next_one in zip(_contents(pages), _contents(pages)[1:], strict=False):
        for page in pages[number - 1 : next_one[1] - 1]:
            head = page.strip().splitlines()[0]
            assert head.startswith(title) and head.endswith(section), (number, head)
    assert not pages[0].strip().splitlines()[0].endswith(first_section)  # the title page has none


def test_a_long_table_repeats_its_header_row_on_the_next_page(pdf_en: tuple[str, Path]) -> None:
    document, pdf = pdf_en
    pages = _section_pages(document, _pages(pdf), "materials")
    materials = re.search(r'<section id="materials">.*?<thead>(.*?)</thead>', document, flags=re.S)
    assert materials is not None
    headers = [html_lib.unescape(h) for h in re.findall(r"<th>(.*?)</th>", materials.group(1))]
    # Headers sit at the bottom of their cells: the last word of each forms the header's last line.
    last_line = r"^\s*" + r"\s+".join(re.escape(h.split()[-1]) for h in headers) + r"\s*$"
    # The materials table (34 rows) does not fit one page: its header is on both pages it spans.
    assert len(pages) >= 2
    for text in pages[:2]:
        assert re.search(last_line, text, flags=re.M), (last_line, text[:600])


def test_every_chart_is_drawn_in_the_pdf(pdf_en: tuple[str, Path]) -> None:
    document, pdf = pdf_en
    text = " ".join(" ".join(_pages(pdf)).split())
    # The charts' drawings; script text (the inlined plotly.js holds an SVG logo) is left out.
    markup = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", document, flags=re.S)
    drawings = re.findall(r"<svg\b.*?</svg>", markup, flags=re.S)
    assert len(drawings) >= 5
    for drawing in drawings:
        # A chart's longest label (its title, mostly) stays text in the PDF, as in the SVG.
        labels = [
            " ".join(html_lib.unescape(t).split())
            for t in re.findall(r"<text\b[^>]*>([^<]+)</text>", drawing)
        ]
        longest = max(labels, key=len)
        assert longest in text, longest


def _material_row(pages: list[str], name: str) -> str:
    rows = [line for text in pages for line in text.splitlines() if re.match(rf"^{re.escape(name)}\s", line)]
    assert rows, name
    return rows[0]


@pytest.mark.parametrize("material", ["gallium", "magnesium", "cobalt", "lithium"])
def test_supply_risk_in_the_pdf_equals_the_json_output(
    pdf_en: tuple[str, Path], pdf_nl: tuple[str, Path], run_json: Callable[..., Any], material: str
) -> None:
    found = [m for m in run_json("materials")["materials"] if m["id"] == material]
    assert len(found) == 1
    record = found[0]
    sr, computed, ei = (
        record["supply_risk"]["published"],
        record["supply_risk"]["computed"],
        record["economic_importance"]["published"],
    )
    assert sr is not None and computed is not None and ei is not None
    # As the materials table prints them: SR and EI to one decimal, computed SR to two.
    english = [f"{sr:.1f}", f"{computed:.2f}", f"{ei:.1f}"]
    dutch = [number.replace(".", ",") for number in english]
    for (document, pdf), lang, (sr_text, computed_text, ei_text) in (
        (pdf_en, "en", english),
        (pdf_nl, "nl", dutch),
    ):
        row = _material_row(_section_pages(document, _pages(pdf), "materials"), record["names"][lang])
        # SR 2023, SR computed, the bottleneck stage (if it is on this line), EI 2023, side by side.
        pattern = (
            rf"\s{re.escape(sr_text)}\s+{re.escape(computed_text)}\s+(?:[^\d\s]\S*\s+)?{re.escape(ei_text)}\s"
        )
        assert re.search(pattern, row), (lang, row, sr_text, computed_text, ei_text)


def test_dutch_pdf_has_dutch_page_labels_contents_and_decimal_commas(pdf_nl: tuple[str, Path]) -> None:
    document, pdf = pdf_nl
    pages = _pages(pdf)
    total = _page_count(pdf)
    assert [title for title, _page in _contents(pages)] == _titles(document)
    assert "Inhoud" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"\bPagina {number} van {total}\s*$", text.rstrip()), number
    row = _material_row(_section_pages(document, pages, "materials"), "Magnesium")
    assert re.search(r"\s\d,\d\d\s", row) and not re.search(r"\d\.\d", row), row


def test_the_page_label_and_the_language_come_from_the_document() -> None:
    assert report_language('<!DOCTYPE html>\n<html lang="nl">') == "nl"
    assert report_language("<html lang='EN'>") == "en"
    assert report_language('<html lang="de">') == "en"  # an unsupported language: the default
    assert report_language("<p>no html element</p>") == "en"
    assert 'content: "Page " counter(page) " of " counter(pages);' in print_stylesheet("en")


# A 1x1 red PNG: embedded as a data: URI it is drawn, from a file or the network it is not.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)


def test_nothing_outside_the_document_is_loaded(tmp_path: Path) -> None:
    image = tmp_path / "pixel.png"
    image.write_bytes(PIXEL)
    inline = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    page = '<html lang="en"><head><title>t</title></head><body><h2>x</h2><img src="{}"></body></html>'
    assert b"/Image" in render_pdf(page.format(inline))
    assert b"/Image" not in render_pdf(page.format(image.as_uri()))
    assert b"/Image" not in render_pdf(page.format("http://127.0.0.1:9/pixel.png"))


def test_write_pdf_replaces_a_file_whole_and_refuses_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"old")
    page = '<html lang="en"><head><title>t</title></head><body><h2>x</h2><p>text</p></body></html>'
    assert write_pdf(page, out) == out
    assert out.read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]  # no temporary file left
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    with pytest.raises(OutputRefused, match=r"folder\.pdf is a folder"):
        write_pdf(page, folder)
    assert list(folder.iterdir()) == []


def test_expected_styling_warnings_are_dropped_and_others_kept(caplog: pytest.LogCaptureFixture) -> None:
    chart = '<svg width="10" height="10"><g id="{}"><path style="fill: #1f4e79; stroke: none"/></g></svg>'
    page = '<html lang="en"><head><title>t</title></head><body>{}{}<p style="colr: red">x</p></body></html>'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf(page.format(chart.format("a-figure_1"), chart.format("b-figure_1")))
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    assert not [m for m in messages if "fill" in m or "stroke" in m or "defined twice" in m], messages
    assert [m for m in messages if "colr" in m], messages  # a real mistake is still reported
    # The report's charts have ids of their own (reports.charts): an id given twice is a mistake.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf(page.format(chart.format("figure_1"), chart.format("figure_1")))
    assert [r for r in caplog.records if "defined twice" in r.getMessage()]
