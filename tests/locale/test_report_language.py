"""`ketenradar --lang nl demo` writes a report without an English sentence and with Dutch numbers.

Every text node of the Dutch report must be a Dutch sentence of the catalogue (placeholders
filled with values that pass the same check), data shown as given (an element marked
``translate="no"``, or a name, code or number of the shipped data), or a number in Dutch style.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from babel.messages.pofile import read_po

from ketenradar.ingest.scenario_file import read_scenario
from ketenradar.locale import country_name, locale_dir
from ketenradar.mitigation.roadmap import RISK_KINDS
from ketenradar.refdata import (
    dataset_names,
    known_country_codes,
    provenance_of,
)
from ketenradar.reports.context import (
    demo_bids_path,
    demo_candidates_path,
    demo_chain_path,
    demo_measures_path,
    demo_scenario_path,
    demo_stockpile_scenario_path,
)
from ketenradar.risk.country import COUNTRY_INDICATORS
from ketenradar.services.materials import defence_catalogue
from tests.helpers.report import section, without_script_text

NUMBER = re.compile(r"[-−]?\d{1,3}(?:\u202f\d{3})*(?:,\d+)?\s?%?|[-−]?\d+(?:,\d+)?%?")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
SEPARATORS = re.compile(r"; |, | · | — | – | → |: ")
# Whitespace as HTML collapses it; the narrow no-break space between thousands is not.
SPACE = re.compile(r"[ \t\n\r\f\v]+")


class _TextNodes(HTMLParser):
    """Collect (text, verbatim, element, css class) for every text node, inside SVG too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, str]] = []
        self.nodes: list[tuple[str, bool, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        inherited = bool(self.stack) and self.stack[-1][1]
        verbatim = inherited or values.get("translate") == "no" or tag in ("style", "script")
        self.stack.append((tag, verbatim, values.get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = SPACE.sub(" ", data).strip()
        if text and self.stack:
            tag, verbatim, css = self.stack[-1]
            self.nodes.append((text, verbatim, tag, css))


@pytest.fixture(scope="module")
def dutch_report(demo_report_nl: Path) -> str:
    return demo_report_nl.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalogue() -> tuple[set[str], list[re.Pattern[str]], set[str]]:
    """Dutch sentences (exact and with placeholders) and the English ones that differ from them."""
    with (locale_dir() / "nl" / "LC_MESSAGES" / "ketenradar.po").open("rb") as handle:
        po = read_po(handle, locale="nl")
    exact, patterns, english = set(), [], set()
    for message in po:
        if not message.id or not isinstance(message.string, str) or not message.string:
            continue
        dutch = SPACE.sub(" ", message.string).strip()
        if message.string != message.id:
            english.add(SPACE.sub(" ", str(message.id)).strip())
        if PLACEHOLDER.search(dutch):
            pieces = PLACEHOLDER.split(dutch)
            patterns.append(re.compile("(.+?)".join(re.escape(p) for p in pieces), re.DOTALL))
        else:
            exact.add(dutch)
    return exact, patterns, english


@pytest.fixture(scope="module")
def data_words() -> list[str]:
    """Names and codes of the shipped data, shown as given: longest first.

    Material, item and country names (in Dutch where the data have them), ids and codes,
    dataset titles (Dutch ones from the manifest), the demo scenario's name and source, and the
    country-risk indicators' codes.
    """
    materials = [*defence_catalogue().values()]
    items = pd.read_csv(demo_chain_path() / "items.csv")
    scenario = read_scenario(demo_scenario_path())
    words = {m.name_nl for m in materials} | {m.id for m in materials}
    words |= {member for m in materials for member in m.members}
    words |= {provenance_of(name).title_nl for name in dataset_names()}
    words |= {scenario.name, scenario.source} | set(COUNTRY_INDICATORS)
    words |= set(items["name"]) | set(items["id"])
    words |= {country_name(code, name, "nl") for code, name in known_country_codes().items()}
    words |= set(known_country_codes())
    words |= {str(demo_chain_path()), str(demo_scenario_path())}
    # The foresight section quotes the stockpile example's scenario and names its input files.
    stockpile = read_scenario(demo_stockpile_scenario_path())
    words |= {stockpile.name, stockpile.source}
    words |= {str(demo_stockpile_scenario_path()), str(demo_candidates_path())}
    # The action section names its example measures and bids (data shown as given) and its input files.
    measures = yaml.safe_load(demo_measures_path().read_text(encoding="utf-8"))["measures"]
    words |= {m["id"] for m in measures} | {m["name"] for m in measures}
    words |= set(pd.read_csv(demo_bids_path() / "bids.csv")["bid"])
    words |= {str(demo_measures_path()), str(demo_bids_path())}
    # The roadmap writes the demo chain's name and its risk kinds as codes, as it writes ids.
    words |= {"defence_demo", *RISK_KINDS}
    return sorted((w for w in words if isinstance(w, str) and w), key=len, reverse=True)


def _allowed(
    text: str, catalogue: tuple[set[str], list[re.Pattern[str]], set[str]], data: list[str], depth: int = 0
) -> bool:
    exact, patterns, _english = catalogue
    text = text.strip()
    if not text or NUMBER.fullmatch(text) or text in ("—", "(", ")", "%"):
        return True
    if depth > 4:
        return False
    # A note shown as a sentence (reports.formatting.sentence): capital first letter, full stop.
    variants = {
        text,
        text[:1].lower() + text[1:],
        text.removesuffix("."),
        (text[:1].lower() + text[1:]).removesuffix("."),
    }
    if variants & exact:
        return True
    for pattern in patterns:
        for variant in variants:
            match = pattern.fullmatch(variant)
            if match and all(_allowed(group, catalogue, data, depth + 1) for group in match.groups()):
                return True
    parts = [p for p in SEPARATORS.split(text) if p.strip()]
    if len(parts) > 1 and all(_allowed(p, catalogue, data, depth + 1) for p in parts):
        return True
    # A label joined to a sentence ("processing: EU sourcing withdrawn: ..."): split once.
    for separator in SEPARATORS.finditer(text):
        head, tail = text[: separator.start()], text[separator.end() :]
        if _allowed(head, catalogue, data, depth + 1) and _allowed(tail, catalogue, data, depth + 1):
            return True
    rest = text
    for word in data:
        if word in rest:
            rest = rest.replace(word, " ")
    rest = NUMBER.sub(" ", rest)
    return not re.search(r"[A-Za-zÀ-ÿ]{2,}", rest)


def test_f20_dutch_report_has_no_english_sentence(dutch_report: str, catalogue, data_words) -> None:
    parser = _TextNodes()
    parser.feed(dutch_report)
    assert len(parser.nodes) > 500
    offenders = sorted(
        {
            text
            for text, verbatim, _tag, _css in parser.nodes
            if not verbatim and not _allowed(text, catalogue, data_words)
        }
    )
    assert offenders == []
    # The check itself must catch English: the English report fails it.
    english_sentences = catalogue[2]
    # Scripts aside: the charts' Dutch toolbar texts are a dictionary keyed by Plotly's English ones.
    shown = without_script_text(dutch_report)
    assert not any(sentence in shown for sentence in english_sentences if len(sentence) > 40)


def test_f20_dutch_report_numbers_have_decimal_commas(dutch_report: str) -> None:
    parser = _TextNodes()
    parser.feed(dutch_report)
    cells = [text for text, _verbatim, tag, css in parser.nodes if tag == "td" and "num" in css]
    assert len(cells) > 300
    assert not [c for c in cells if re.search(r"\d\.\d", c)]
    assert sum("," in c for c in cells) > 100
    assert any("\u202f" in c for c in cells)  # thousands grouped with a narrow space
    ticks = [text for text, _verbatim, tag, _css in parser.nodes if tag == "text" and NUMBER.fullmatch(text)]
    assert ticks and not [t for t in ticks if re.search(r"\d\.\d", t)]


def test_f20_the_language_check_catches_english(demo_report_en: Path, catalogue, data_words) -> None:
    parser = _TextNodes()
    parser.feed(demo_report_en.read_text(encoding="utf-8"))
    rejected = [
        text
        for text, verbatim, _tag, _css in parser.nodes
        if not verbatim and not _allowed(text, catalogue, data_words)
    ]
    assert len(rejected) > 100
    assert "The sector picture" in rejected


def test_i10_dutch_foresight_section_is_dutch_with_decimal_commas(
    dutch_report: str,
    catalogue: tuple[set[str], list[re.Pattern[str]], set[str]],
    data_words: list[str],
) -> None:
    parser = _TextNodes()
    parser.feed(section(dutch_report, "foresight"))
    offenders = sorted(
        {
            text
            for text, verbatim, _tag, _css in parser.nodes
            if not verbatim and not _allowed(text, catalogue, data_words)
        }
    )
    assert offenders == []
    cells = [text for text, _verbatim, tag, css in parser.nodes if tag == "td" and "num" in css]
    assert len(cells) > 50
    assert not [c for c in cells if re.search(r"\d\.\d", c)]
    assert sum("," in c for c in cells) > 20
    ticks = [text for text, _verbatim, tag, _css in parser.nodes if tag == "text" and NUMBER.fullmatch(text)]
    assert "0,2" in ticks and not [t for t in ticks if re.search(r"\d\.\d", t)]


def test_i11_dutch_action_section_is_dutch_with_decimal_commas(
    dutch_report: str,
    catalogue: tuple[set[str], list[re.Pattern[str]], set[str]],
    data_words: list[str],
) -> None:
    parser = _TextNodes()
    parser.feed(section(dutch_report, "action"))
    offenders = sorted(
        {
            text
            for text, verbatim, _tag, _css in parser.nodes
            if not verbatim and not _allowed(text, catalogue, data_words)
        }
    )
    assert offenders == []
    assert "Handelen: maatregelen, routekaart en inkoop" in [text for text, *_rest in parser.nodes]
    cells = [text for text, _verbatim, tag, css in parser.nodes if tag == "td" and "num" in css]
    assert len(cells) > 50
    assert not [c for c in cells if re.search(r"\d\.\d", c)]
    assert sum("," in c for c in cells) > 20
    ticks = [text for text, _verbatim, tag, _css in parser.nodes if tag == "text" and NUMBER.fullmatch(text)]
    assert "0,2" in ticks and not [t for t in ticks if re.search(r"\d\.\d", t)]
