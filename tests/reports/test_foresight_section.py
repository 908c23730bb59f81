"""The demo report's foresight section: timelines, loss distribution, stockpile plan, benchmarks.

The context is computed once (the services' results); the section is rendered in English and
in Dutch from it, and every figure it shows is checked against the services' numbers,
formatted for the language, with the plan's costs and losses recomputed by hand.
"""

from __future__ import annotations

import json
import re
from html import unescape
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ketenradar.locale import format_number, use_language
from ketenradar.reports.context import (
    FORESIGHT_DRAWS,
    FORESIGHT_SEED,
    ReportContext,
    build_demo_context,
    with_plan_stock,
)
from ketenradar.reports.demo import render_demo
from ketenradar.reports.html import render_report
from ketenradar.reports.sections import SECTIONS, foresight, scenario
from tests.helpers.report import section

# The start of each table's caption per report language (the Dutch from the catalogue).
CAPTIONS = {
    "The stockpile plan:": "Het voorraadplan:",
    "Expected platform-days lost a year, summed": "Verwachte verloren platformdagen per jaar, opgeteld",
    "Platform-days lost per simulated year over": "Verloren platformdagen per gesimuleerd jaar over",
}


def _table(html: str, caption: str, lang: str = "en") -> list[str]:
    """Return the cells of the one table whose caption starts with ``caption`` (English) in ``lang``."""
    caption = caption if lang == "en" else CAPTIONS[caption]
    tables = [t for t in re.findall(r"<table>(.*?)</table>", html, flags=re.S) if f"<caption>{caption}" in t]
    assert len(tables) == 1, caption
    return _cells(tables[0])


@pytest.fixture(scope="module")
def ctx() -> ReportContext:
    return build_demo_context("en")


def _html(ctx: ReportContext, lang: str) -> str:
    """Render the foresight section alone into a report document in ``lang``."""
    with use_language(lang):
        built = foresight.build(ctx)
        return section(render_report("t", "s", "f", [built], lang), "foresight")


@pytest.fixture(scope="module")
def html_en(ctx: ReportContext) -> str:
    return _html(ctx, "en")


@pytest.fixture(scope="module")
def html_nl(ctx: ReportContext) -> str:
    return _html(ctx, "nl")


def _cells(html: str) -> list[str]:
    """Return the text of every table cell, unescaped."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    return [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def test_i10_foresight_section_follows_the_scenario_section() -> None:
    assert SECTIONS.index(foresight.build) == SECTIONS.index(scenario.build) + 1


def test_i10_foresight_uses_500_draws_seed_0_and_says_so(ctx: ReportContext, html_en: str) -> None:
    assert (FORESIGHT_DRAWS, FORESIGHT_SEED) == (500, 0)
    assert ctx.foresight.montecarlo.result.draws == 500
    assert ctx.foresight.stockpile.plan.before.draws == 500
    assert "over 500 draws (seed 0)" in html_en
    assert "--draws 500 --seed 0" in html_en


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i10_plan_table_shows_the_services_days_and_costs(
    ctx: ReportContext, lang: str, request: pytest.FixtureRequest
) -> None:
    html = request.getfixturevalue(f"html_{lang}")
    cells = _table(html, "The stockpile plan:", lang)
    frame = ctx.foresight.stockpile.candidates_frame()
    with use_language(lang):
        for _index, row in frame.iterrows():
            # Cost by hand: cost of a day × days added.
            cost = row["cost_per_day"] * row["days"]
            assert row["cost"] == pytest.approx(cost)
            at = cells.index(row["name"])
            assert cells[at + 1] == format_number(int(row["days"]), 0)
            assert cells[at + 2] == format_number(row["days"] / (365 / 12), 1)
            assert cells[at + 3] == format_number(cost, 0)


def test_i10_plan_numbers_of_the_demo_inputs(ctx: ReportContext, html_en: str, html_nl: str) -> None:
    frame = ctx.foresight.stockpile.candidates_frame().set_index("item")
    # Illustrative demo inputs: gallium 400 €/day, at most 180 days; the whole 50 000 € is spent.
    assert frame.loc["m_gallium", "cost"] == 400 * frame.loc["m_gallium", "days"]
    spent = float(frame["cost"].sum())
    assert spent <= 50_000
    assert "Budget 50,000 euros a year" in html_en
    assert "Budget 50\u202f000 euros a year" in html_nl or "50\u202f000" in html_nl
    assert "no bound" in html_en  # the light rare earths and cobalt have no max_days


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i10_before_naive_after_and_bound_are_shown(
    ctx: ReportContext, lang: str, request: pytest.FixtureRequest
) -> None:
    html = request.getfixturevalue(f"html_{lang}")
    stockpile = ctx.foresight.stockpile
    plan = stockpile.plan
    platforms = stockpile.platforms_frame()
    # The totals are the platforms' means summed; the avoided losses are differences of them.
    before = platforms["days_lost_before"].sum()
    after = platforms["days_lost_after"].sum()
    naive = platforms["days_lost_naive"].sum()
    assert plan.expected_loss_before == pytest.approx(before)
    cells = _table(html, "Expected platform-days lost a year, summed", lang)
    with use_language(lang):
        expected = [
            ("no added stock", 0.0, before, 0.0),
            ("naive plan", float(plan.naive_cost.sum()), naive, before - naive),
            ("the plan", float(plan.cost.sum()), after, before - after),
        ]
        for n, (_words, cost, loss, avoided) in enumerate(expected):
            row = cells[4 * n : 4 * n + 4]
            assert row[1:] == [format_number(cost, 0), format_number(loss, 1), format_number(avoided, 1)]
        bound = "Model bound" if lang == "en" else "Modelgrens"
        assert f"{bound}: {format_number(plan.model_bound, 1)}" in html
    assert after < naive < before  # the plan beats the naive plan on the demo inputs


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i10_loss_distribution_table_matches_the_draws(
    ctx: ReportContext, lang: str, request: pytest.FixtureRequest
) -> None:
    html = request.getfixturevalue(f"html_{lang}")
    days_lost = ctx.foresight.montecarlo.result.days_lost
    cells = _table(html, "Platform-days lost per simulated year over", lang)
    with use_language(lang):
        for p, name in enumerate(["Air-defence frigate (example)", "Fighter aircraft (example)"]):
            lost = days_lost[p]
            expected = [
                format_number(lost.mean(), 1),
                format_number(float(np.median(lost)), 1),
                *(format_number(float(np.percentile(lost, q)), 1) for q in (90, 95, 99)),
            ]
            at = cells.index(name)
            assert cells[at + 1 : at + 6] == expected
            share = (lost > 0).mean() * 100
            assert cells[at + 6].replace("\u202f", "").rstrip("%").strip() == format_number(share, 1)


def test_i10_contributions_are_mean_minus_mean_without_the_shock(ctx: ReportContext, html_en: str) -> None:
    result = ctx.foresight.montecarlo.result
    contributions = result.mean_days_lost[:, None] - result.removed_mean
    cells = _cells(html_en)
    label = "1: CHN · processing · Gallium, Germanium"
    at = cells.index(label)
    assert cells[at + 1] == "30%"  # the assumed probability of the scenario file
    assert cells[at + 4] == format_number(contributions[0, 0], 1)
    assert "3: COD · mining · Cobalt" in cells


def test_i10_timeline_with_the_plan_stock_loses_less(ctx: ReportContext, html_en: str) -> None:
    without = ctx.foresight.timeline.result
    stocked = ctx.foresight.timeline_with_plan.result
    assert without.horizon_days == 365
    assert not ctx.foresight.chain_has_stock
    assert without.stockout_day == [0, 0]  # no stock: the shocks bite on day 0
    assert stocked.days_lost[0] < without.days_lost[0]
    assert stocked.stockout_day[0] is not None and stocked.stockout_day[0] > 0
    cells = _cells(html_en)
    assert format_number(without.days_lost[0], 1) in cells
    assert format_number(stocked.days_lost[0], 1) in cells
    assert "The example chain holds no stock of its own" in html_en


def test_i10_with_plan_stock_adds_the_days_to_existing_stock(ctx: ReportContext) -> None:
    chain = ctx.foresight.timeline.chain
    items = chain.items.assign(stock_days=np.where(chain.items["id"] == "m_cobalt", 10.0, np.nan))
    stocked = chain.with_frames(items=items)
    plan = SimpleNamespace(plan=SimpleNamespace(days=np.array([4, 0])), item_ids=("m_gallium", "m_cobalt"))
    result = with_plan_stock(stocked, plan).items.set_index("id")["stock_days"]  # type: ignore[arg-type]
    assert result["m_gallium"] == 4.0
    assert result["m_cobalt"] == 10.0  # 10 existing + 0 added
    assert pd.isna(result["m_germanium"])  # no stock and none added stays no stock, not 0
    plan.plan.days = np.array([4, 5])
    assert with_plan_stock(stocked, plan).items.set_index("id").loc["m_cobalt", "stock_days"] == 15.0  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_i10_three_charts_each_a_captioned_figure(
    ctx: ReportContext, lang: str, request: pytest.FixtureRequest
) -> None:
    html = request.getfixturevalue(f"html_{lang}")
    source = ctx.foresight.stockpile.plan.before.scenario.source
    figures = re.findall(r"<figure>(.*?)</figure>", html, flags=re.S)
    assert len(figures) == 3
    assert html.count("<svg") == 3
    for body in figures:
        caption = re.search(r"<figcaption>(.*?)</figcaption>", body, flags=re.S)
        assert caption is not None and source in caption.group(1)  # each chart names its source


def test_i10_dutch_charts_and_tables_use_decimal_commas(ctx: ReportContext, html_nl: str) -> None:
    ticks = re.findall(r"<text[^>]*>([^<]*)</text>", html_nl)
    assert "0,2" in [t.strip() for t in ticks]  # the timeline's output axis
    cells = [c for c in _cells(html_nl) if re.fullmatch(r"[\d\u202f.,%]+", c)]
    assert not [c for c in cells if re.search(r"\d\.\d", c)]
    assert any("," in c for c in cells)


def test_i10_every_table_has_a_source_and_the_inputs_are_called_illustrative(html_en: str) -> None:
    captions = re.findall(r"<caption>(.*?)</caption>", html_en, flags=re.S)
    assert len(captions) == 8
    assert all("Source:" in c or "Sources:" in c for c in captions)
    assert html_en.count('<p class="source">') == 1
    assert "illustrative example inputs" in html_en
    assert "Costs per day and bounds: illustrative example inputs." in html_en
    assert "Regulation (EU) 2024/1252" in html_en


def test_i10_outlook_flags_of_the_demo_chain(ctx: ReportContext, html_en: str) -> None:
    chain = ctx.foresight.outlook.chains[0]
    summary = chain.summary.set_index("benchmark")
    cells = _cells(html_en)
    at = cells.index("CRMA: one third country over the limit, chain's sourcing")
    assert cells[at + 1] == str(summary.loc["crma_single_country_chain", "flagged"])
    # Gallium is over the limit on both bases: China processes most of it.
    assert chain.materials.loc["gallium", "crma_chain_exceeds_limit"] is True
    assert "1 − EC 2023 import reliance" in html_en


def test_i10_demo_writes_foresight_json_from_the_services(ctx: ReportContext) -> None:
    files = render_demo(ctx, [foresight.build])
    document = json.loads(files["data/foresight.json"])
    assert set(document) == {"timeline", "timeline_with_plan", "montecarlo", "stockpile", "outlook"}
    assert document["stockpile"]["plan"] == ctx.foresight.stockpile.to_json()["plan"]
    assert document["montecarlo"]["draws"] == 500 and document["montecarlo"]["seed"] == 0
    assert len(document["timeline"]["platforms"][0]["series"]) == 365
    lost = [p["days_lost"] for p in document["timeline_with_plan"]["platforms"]]
    assert lost == pytest.approx(ctx.foresight.timeline_with_plan.result.days_lost.tolist())
