"""The demo report's action section: ranked measures, the catalogue, the roadmap, a procurement example.

The context is computed once per language (the roadmap is drafted in the report's language);
the section is rendered from it and every figure it shows is checked against the services'
numbers, formatted for the language, with the demo's effects and premiums worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest

from ketenradar.locale import format_number, format_percent, use_language
from ketenradar.reports.context import (
    ACTION_START,
    ACTION_TODAY,
    ReportContext,
    build_demo_context,
    demo_bids_path,
    demo_chain_path,
    demo_measures_path,
    demo_scenario_path,
)
from ketenradar.reports.demo import render_demo
from ketenradar.reports.html import render_report
from ketenradar.reports.sections import SECTIONS, action, foresight
from ketenradar.services.chains import open_chain
from ketenradar.services.jsonable import dumps
from ketenradar.services.materials import defence_catalogue
from ketenradar.services.measures import rank_measures_on_chain
from ketenradar.services.procurement import evaluate_bids
from ketenradar.services.scenarios import load_scenario
from tests.helpers.report import section

# The start of each table's caption per report language (the Dutch from the translations).
CAPTIONS = {
    "The example measures ranked:": "De voorbeeldmaatregelen gerangschikt:",
    "Each platform's availability": "Beschikbaarheid en verloren platformdagen",
    "The interventions:": "De interventies:",
    "Progress of the drafted roadmap": "Voortgang van de opgestelde routekaart",
    "Three example bids": "Drie voorbeeldinschrijvingen",
    "The weights": "De gewichten",
    "Measures companies already take": "Maatregelen die bedrijven al nemen",
}


@pytest.fixture(scope="module")
def ctx_en() -> ReportContext:
    return build_demo_context("en")


@pytest.fixture(scope="module")
def ctx_nl() -> ReportContext:
    return build_demo_context("nl")


def _html(ctx: ReportContext) -> str:
    """Render the action section alone into a report document in the context's language."""
    with use_language(ctx.lang):
        built = action.build(ctx)
        return section(render_report("t", "s", "f", [built], ctx.lang), "action")


@pytest.fixture(scope="module")
def html_en(ctx_en: ReportContext) -> str:
    return _html(ctx_en)


@pytest.fixture(scope="module")
def html_nl(ctx_nl: ReportContext) -> str:
    return _html(ctx_nl)


def _cells(html: str) -> list[str]:
    """Return the text of every table cell, unescaped."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def _table(html: str, caption: str, lang: str = "en") -> list[str]:
    """Return the cells of the one table whose caption starts with ``caption`` (English) in ``lang``."""
    start = caption if lang == "en" else CAPTIONS[caption]
    tables = [
        t for t in re.findall(r"<table>(.*?)</table>", html, flags=re.S) if f"<caption>{start}" in unescape(t)
    ]
    assert len(tables) == 1, caption
    return _cells(tables[0])


def _rows(cells: list[str], width: int) -> list[list[str]]:
    assert len(cells) % width == 0
    return [cells[i : i + width] for i in range(0, len(cells), width)]


def test_i11_action_section_follows_the_foresight_section() -> None:
    assert SECTIONS.index(action.build) == SECTIONS.index(foresight.build) + 1


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i11_section_renders_in_both_languages(lang: str, request: pytest.FixtureRequest) -> None:
    html = request.getfixturevalue(f"html_{lang}")
    title = {"en": "Action: measures, roadmap and procurement", "nl": "Handelen: maatregelen, routekaart"}
    assert title[lang] in html
    assert html.count("<table>") == 11


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i11_measure_table_shows_the_services_numbers(lang: str, request: pytest.FixtureRequest) -> None:
    ctx = request.getfixturevalue(f"ctx_{lang}")
    html = request.getfixturevalue(f"html_{lang}")
    ranking = ctx.action.ranking.measures
    rows = _rows(_table(html, "The example measures ranked:", lang), 10)
    assert [r[1] for r in rows] == ranking["name"].tolist()
    with use_language(lang):
        for row, (_n, measure) in zip(rows, ranking.iterrows(), strict=True):
            assert row[0] == str(measure["rank"])
            assert row[4] == format_number(measure["cost_eur"], 0)
            assert row[5] == format_number(measure["loss_avoided"], 1)
            assert row[6] == format_number(measure["loss_avoided_per_eur"] * 1e6, 1)
    # By hand: the Japanese refiner lifts both platforms from 328.5 to 255.5 days lost over the
    # year, 2 × 73 = 146 platform-days, at 4 000 000 euros: 146 / 4 = 36.5 per million euros.
    by_name = {r[1]: r for r in rows}
    first = by_name["Qualify a Japanese gallium refiner"]
    assert first[0] == "1"  # the most platform-days avoided per euro
    expected = {"en": ("4,000,000", "146.0", "36.5"), "nl": ("4\u202f000\u202f000", "146,0", "36,5")}
    assert tuple(first[4:7]) == expected[lang]
    free = by_name["Buy processed germanium outside China"]
    assert free[4] == "—" and free[6] == "—"  # no cost given: none assumed


def test_i11_combined_effect_is_shown_and_does_not_add_up(ctx_en: ReportContext, html_en: str) -> None:
    effects = _rows(_table(html_en, "Each platform's availability"), 6)
    together = [r for r in effects if r[0] == "all measures together"]
    # Both platforms: 10% → 55% available, 328.5 → 44.25 days lost (shown to one decimal).
    assert together == [
        ["all measures together", "Air-defence frigate (example)", "10%", "55%", "328.5", "44.3"],
        ["all measures together", "Fighter aircraft (example)", "10%", "55%", "328.5", "44.3"],
    ]
    combined = ctx_en.action.combined.measures.set_index("id")
    assert combined.loc["combined", "loss_avoided"] == pytest.approx(2 * (328.5 - 44.25))
    # Alone: 146 + 53.6 + 0 + 0 = 199.6; together 568.5: the effects do not add up.
    assert "together the measures avoid 568.5 platform-days, the measures alone 199.6 added up" in html_en
    alone = ctx_en.action.ranking.measures.set_index("id")["loss_avoided"]
    assert combined.loc[alone.index, "loss_avoided"].tolist() == pytest.approx(alone.tolist())


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i11_roadmap_shows_the_frigates_interventions_and_progress(
    lang: str, request: pytest.FixtureRequest
) -> None:
    ctx = request.getfixturevalue(f"ctx_{lang}")
    html = request.getfixturevalue(f"html_{lang}")
    roadmap = ctx.action.roadmap.roadmap
    assert roadmap.product_group == {"en": "military ships", "nl": "militaire schepen"}[lang]
    assert roadmap.drafted == ACTION_TODAY.isoformat() == "2026-11-30"
    assert roadmap.milestones[0].due == ACTION_START == "2027-Q1"
    rows = _rows(_table(html, "The interventions:", lang), 9)
    ranked = ctx.action.ranking.measures
    assert [r[1] for r in rows] == ranked["name"].tolist()
    # Owners proposed by the measure type (C04, C08, C05, G05) of each example measure.
    owners = {
        "en": {
            "Qualify a Japanese gallium refiner": "companies",
            "Hold 120 days of GaN amplifiers": "government, companies",
            "Qualify a cobalt-free superalloy (nickel)": "companies, knowledge institutes",
            "Buy processed germanium outside China": "government",
        },
        "nl": {
            "Qualify a Japanese gallium refiner": "bedrijven",
            "Hold 120 days of GaN amplifiers": "overheid, bedrijven",
            "Qualify a cobalt-free superalloy (nickel)": "bedrijven, kennisinstellingen",
            "Buy processed germanium outside China": "overheid",
        },
    }
    assert {r[1]: r[2] for r in rows} == owners[lang]
    # Interventions start four quarters after 2027-Q1; medium term is due 11 quarters later.
    refiner = next(r for r in rows if r[1] == "Qualify a Japanese gallium refiner")
    assert refiner[4:6] == ["2028-Q1", "2030-Q4"]
    with use_language(lang):
        assert [r[7] for r in rows] == [format_number(v, 1) for v in ranked["loss_avoided"]]
    progress = _rows(_table(html, "Progress of the drafted roadmap", lang), 6)
    assert [r[1:] for r in progress] == [
        ["4", "0", "0", "0", "0%"],
        ["7", "0", "0", "0", "0%"],
        ["11", "0", "0", "0", "0%"],
    ]
    assert "frigate" in [r.subject for r in roadmap.risks if r.kind == "scenario_availability"]
    assert {"fighter"} & {r.subject for r in roadmap.risks} == set()  # scoped to the frigate


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i11_procurement_table_equals_evaluate_bids(lang: str, request: pytest.FixtureRequest) -> None:
    html = request.getfixturevalue(f"html_{lang}")
    with use_language(lang):
        evaluation = evaluate_bids(demo_bids_path(), defence_catalogue())
        rows = _rows(_table(html, "Three example bids", lang), 10)
        bids = evaluation.bids
        assert [r[1] for r in rows] == bids["bid"].tolist() == ["eu_yard", "asia_yard", "nl_yard"]
        assert [r[0] for r in rows] == [str(r) for r in bids["rank"]]
        assert [r[7] for r in rows] == [format_percent(p / 100, 1) for p in bids["premium_pct"]]
        assert [r[8] for r in rows] == [format_number(v, 3) for v in bids["risk_reduction"]]
        assert [r[6] for r in rows] == [format_number(v, 3) for v in bids["score"]]
    # By hand, against the cheapest bid asia_yard (980): (1250 − 980) / 980 = 27.6 %,
    # (1100 − 980) / 980 = 12.2 %.
    assert [r[7] for r in rows] == (
        ["12.2%", "0.0%", "27.6%"] if lang == "en" else ["12,2%", "0,0%", "27,6%"]
    )
    weights = _rows(_table(html, "The weights", lang), 2)
    assert [w[1] for w in weights] == (
        ["0.40", "0.20", "0.30", "0.10"] if lang == "en" else ["0,40", "0,20", "0,30", "0,10"]
    )


def test_i11_flip_points_are_said_in_a_sentence(ctx_en: ReportContext, html_en: str) -> None:
    flips = ctx_en.action.procurement.sweep.flips  # type: ignore[union-attr]
    assert [round(float(f), 2) for f in flips] == [0.27, 0.62]
    assert "nl_yard wins from an origin-risk weight of 0.62 to 1.00, at a premium of 27.6%" in html_en
    assert "asia_yard, the cheapest bid, wins from an origin-risk weight of 0.00 to 0.27" in html_en


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i11_two_charts_each_a_captioned_figure(lang: str, request: pytest.FixtureRequest) -> None:
    html = request.getfixturevalue(f"html_{lang}")
    figures = re.findall(r"<figure>(.*?)</figure>", html, flags=re.S)
    assert len(figures) == 2 and html.count("<svg") == 2
    for body in figures:
        caption = re.search(r"<figcaption>(.*?)</figcaption>", body, flags=re.S)
        assert caption is not None and re.search(r"(Source|Bron)", caption.group(1))
    catalogue, sweep = figures
    assert all(f"G{n:02d}" in catalogue for n in range(1, 11))  # the rated measures' ids
    assert "O01" not in catalogue.split("<figcaption>")[0]  # the unrated overview is not drawn
    assert all(bid in sweep for bid in ("nl_yard", "eu_yard", "asia_yard"))


def test_i11_every_table_and_chart_has_a_source(html_en: str) -> None:
    captions = re.findall(r"<caption>(.*?)</caption>", html_en, flags=re.S)
    assert len(captions) == 11
    assert all("Source:" in c or "Sources:" in c for c in captions)
    assert html_en.count('<p class="source">') == 1
    assert "illustrative example inputs" in html_en
    assert "Costs: illustrative example inputs." in html_en
    assert "Berenschot (2024) NLDTIB survey" in html_en
    assert str(demo_measures_path()) in html_en and str(demo_bids_path()) in html_en


def test_i11_dutch_numbers_have_decimal_commas(html_nl: str) -> None:
    cells = [c for c in _cells(html_nl) if re.fullmatch(r"[\d\u202f.,%]+", c)]
    assert len(cells) > 50
    assert not [c for c in cells if re.search(r"\d\.\d", c)]
    assert sum("," in c for c in cells) > 20
    assert "militaire schepen" in html_nl


def test_i11_demo_writes_action_json_from_the_services(ctx_en: ReportContext) -> None:
    files = render_demo(ctx_en, [action.build])
    document = json.loads(files["data/action.json"])
    assert set(document) == {"ranking", "combined", "catalogue", "roadmap", "procurement"}
    assert document == json.loads(dumps(ctx_en.action.to_json()))
    # Recomputed by the services directly, the documents are the same.
    catalogue = defence_catalogue()
    chain = open_chain(demo_chain_path(), None, catalogue, name="defence_demo")
    scenario = load_scenario(demo_scenario_path(), catalogue)
    ranking = rank_measures_on_chain(chain, scenario, catalogue, demo_measures_path())
    assert document["ranking"] == json.loads(dumps(ranking.to_json()))
    assert document["procurement"] == json.loads(dumps(evaluate_bids(demo_bids_path(), catalogue).to_json()))
    assert sorted(document["combined"]["combined"]) == sorted(
        m["id"] for m in document["ranking"]["measures"]
    )
    assert document["roadmap"]["roadmap"]["drafted"] == dt.date(2026, 11, 30).isoformat()
    assert [i["id"] for i in document["roadmap"]["roadmap"]["interventions"]] == [
        m["id"] for m in document["ranking"]["measures"]
    ]
