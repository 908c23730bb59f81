"""The dashboard in Debian's Chromium against a real ``ketenradar serve`` on a loopback port.

Every page loads with no console error and no failed request, and asks nothing of any address but
the server's; the scenario runner runs a library scenario and an uploaded scenario file through
the REST API and shows its numbers; the measures page ranks an uploaded measures file; the
roadmap page shows an uploaded roadmap or the reader's located problems. Every test saves a
full-page screenshot of every page it opens as a test artefact:
``test-artifacts/screenshots/<test>-<page>.png`` under the project root (see tests/web/support.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from ketenradar.locale import MISSING, format_number, format_percent, translate, use_language
from tests.api.support import DEMO_SCENARIO, demo_measures
from tests.helpers.browser import chromium, free_port, served
from tests.web.support import demo_workspace, page_slug, screenshot_path

SCRIPT = "import sys; from ketenradar.cli import main; sys.argv[0] = 'ketenradar'; main()"
PAGES = [
    "/",
    "/?lang=nl",
    "/materials/gallium",
    "/materials/heavy_rare_earths?lang=nl",
    "/countries/CHN",
    "/chains",
    "/chains/demo",
    "/scenarios",
    "/measures",
    "/measures?lang=nl",
    "/roadmaps",
    "/roadmaps?lang=nl",
]
DEMO_ROADMAP = Path(__file__).resolve().parents[2] / "src/ketenradar/demo_data/roadmap/military_ships.yaml"

# Debian's chromium is installed by scripts/test; without it these tests fail, they do not skip.


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``ketenradar serve`` on a free loopback port with the demo chain; yield its base URL."""
    folder = tmp_path_factory.mktemp("served")
    workspace = demo_workspace(folder / "workspace.sqlite")
    port = free_port()
    command = [sys.executable, "-c", SCRIPT, "serve", "--port", str(port), "--workspace", str(workspace)]
    with served(command, "/api/v1/chains", folder, port) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Watched:
    """A page and what went wrong on it: console and script errors, failed or refused requests.

    :meth:`open` goes to a page; the page is saved as a full-page screenshot when the test leaves
    it (opens the next page, or ends, passed or failed), so the picture shows what the test did.
    """

    def __init__(self, page: Any, test: str) -> None:
        self.page = page
        self.test = test
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.screenshots: list[Path] = []
        self._current: str | None = None
        self._seen: dict[str, int] = {}
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"script: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", self._response)
        page.on("request", lambda r: self.requests.append(r.url))

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def open(self, url: str) -> Any:
        """Save the page the test is leaving, then go to ``url``; return the response."""
        self.snap()
        slug = page_slug(url)
        self._seen[slug] = self._seen.get(slug, 0) + 1
        self._current = slug if self._seen[slug] == 1 else f"{slug}-{self._seen[slug]}"
        return self.page.goto(url)

    def snap(self) -> None:
        """Save a full-page screenshot of the open page as ``<test>-<page>.png``."""
        if self._current is None:
            return
        path = screenshot_path(self.test, self._current)
        self.page.screenshot(path=str(path), full_page=True)
        self.screenshots.append(path)
        self._current = None


@pytest.fixture
def watched(browser: Any, request: pytest.FixtureRequest) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = Watched(context.new_page(), request.node.name)
        yield page
        page.snap()
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_f21_page_loads_without_errors_or_outside_requests(server: str, watched: Watched, path: str) -> None:
    response = watched.open(server + path)
    watched.page.wait_for_load_state("networkidle")
    assert response is not None and response.status == 200
    assert watched.problems == []
    assert watched.requests and all(url.startswith(server + "/") for url in watched.requests), (
        watched.requests
    )
    assert watched.page.locator("h1").inner_text().strip()


def test_f21_every_page_opened_is_saved_as_a_screenshot(server: str, watched: Watched) -> None:
    watched.open(server + "/measures")
    watched.open(server + "/roadmaps?lang=nl")
    watched.open(server + "/measures")
    watched.snap()
    names = [path.name for path in watched.screenshots]
    test = "test_f21_every_page_opened_is_saved_as_a_screenshot"
    assert names == [f"{test}-measures.png", f"{test}-roadmaps_lang-nl.png", f"{test}-measures-2.png"]
    assert all(path.parent.parts[-2:] == ("test-artifacts", "screenshots") for path in watched.screenshots)
    # A PNG file starts with its signature.
    assert all(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for path in watched.screenshots)


def test_f21_material_chart_is_drawn(server: str, watched: Watched) -> None:
    watched.open(server + "/materials/gallium")
    bars = watched.page.locator("#stage-processing figure svg rect.bar")
    assert bars.count() == 6
    box = bars.first.bounding_box()
    assert box is not None and box["width"] > 300  # China's 93.8 % of a 360-unit scale
    assert watched.problems == []


def test_f21_chain_tree_expands(server: str, watched: Watched) -> None:
    watched.open(server + "/chains/demo")
    radar = watched.page.locator("li[data-item='fr_radar'] > details")
    module = watched.page.locator("li[data-item='gan_tr_module']").first
    assert not module.is_visible()
    radar.locator("> summary").click()
    assert module.is_visible()
    assert watched.problems == []


def _rows(page: Any, selector: str) -> list[list[str]]:
    """Return the cells of a table's body rows as shown."""
    rows = page.locator(f"{selector} tbody tr")
    return [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]


def _availability_rows(run: dict[str, Any]) -> list[list[str]]:
    return [
        [p["id"], format_percent(p["availability"], 1), ", ".join(p["limited_by"])] for p in run["platforms"]
    ]


def test_f21_scenario_runner_end_to_end(server: str, watched: Watched) -> None:
    horizon = 90
    body = {"chain": "demo", "scenario": DEMO_SCENARIO}
    run = httpx.post(f"{server}/api/v1/scenarios/run", json=body, timeout=60).json()
    simulated = httpx.post(
        f"{server}/api/v1/scenarios/simulate", json={**body, "horizon_days": horizon}, timeout=60
    ).json()
    page = watched.page
    watched.open(server + "/scenarios?lang=nl")
    page.select_option("#scenario", DEMO_SCENARIO)
    page.select_option("#chain", "demo")
    page.check("#over-time")
    page.fill("#horizon", str(horizon))
    page.click("#run")
    page.wait_for_selector("#timeline-chart")
    with use_language("nl"):
        expected = _availability_rows(run)
        timeline = [
            [
                p["id"],
                format_number(p["days_lost"], 1),
                format_percent(p["min_output"], 1),
                "—" if p["stockout_day"] is None else format_number(p["stockout_day"], 0),
            ]
            for p in simulated["platforms"]
        ]
    assert _rows(page, "#availability") == expected
    assert _rows(page, "#timeline") == timeline
    # The demo scenario leaves 10 % of gallium's processing (Japan): both platforms at 10,0 %.
    assert {row[1] for row in expected} == {"10,0%"}
    lines = page.locator("#timeline-chart polyline.series")
    assert lines.count() == len(simulated["platforms"])
    points = lines.first.get_attribute("points")
    assert points is not None and len(points.split()) == horizon
    assert page.locator("#status").inner_text() != ""
    assert watched.problems == []


def test_f21_scenario_runner_runs_an_uploaded_scenario_file(
    server: str, watched: Watched, tmp_path: Path
) -> None:
    # Half of China's gallium processing lost: the demo chain's gallium is 90 % Chinese, so both
    # platforms keep 1 − 0.9 × 0.5 = 55 % (the baseline rule; hand-checked against the API below).
    text = (
        "name: Gallium halved (uploaded)\n"
        "source: a test file\n"
        "shocks:\n"
        "  - countries: [CHN]\n"
        "    stage: processing\n"
        "    materials: [gallium]\n"
        "    severity: 0.5\n"
    )
    file = tmp_path / "gallium_halved.yaml"
    file.write_text(text, encoding="utf-8")
    document = yaml.safe_load(text)
    run = httpx.post(
        f"{server}/api/v1/scenarios/run", json={"chain": "demo", "scenario": document}, timeout=60
    ).json()
    page = watched.page
    watched.open(server + "/scenarios?lang=nl")
    page.check("#source-own")
    assert page.locator("#scenario").is_disabled()
    page.set_input_files("#scenario-file", str(file))
    page.wait_for_function("document.getElementById('scenario-text').value.length > 0")
    page.select_option("#chain", "demo")
    page.click("#run")
    page.wait_for_selector("#availability")
    with use_language("nl"):
        expected = _availability_rows(run)
    assert _rows(page, "#availability") == expected
    assert {row[1] for row in expected} == {"55,0%"}
    assert page.locator("#result h2").first.inner_text() == "Gallium halved (uploaded)"
    assert watched.problems == []


def test_f21_scenario_runner_shows_the_readers_problems_for_a_bad_file(server: str, watched: Watched) -> None:
    text = "name: x\nshocks:\n  - countries: [CHN]\n    materials: [unobtainium]\n    severity: 2\n"
    refused = httpx.post(
        f"{server}/api/v1/scenarios/run?lang=nl",
        json={"chain": "demo", "scenario": yaml.safe_load(text)},
        timeout=60,
    ).json()
    page = watched.page
    watched.open(server + "/scenarios?lang=nl")
    page.check("#source-own")
    page.fill("#scenario-text", text)
    page.click("#run")
    page.wait_for_selector("#status.error")
    shown = page.locator("#problems li").all_inner_texts()
    # The located, translated problems of the API, each on its own line; here with the file "scenario".
    assert shown == [p["text"] for p in refused["error"]["details"]["problems"]]
    assert len(shown) == 2
    assert page.locator("#availability").count() == 0


def test_f21_scenario_runner_shows_the_apis_refusal(server: str, watched: Watched) -> None:
    page = watched.page
    watched.open(server + "/scenarios")
    page.check("#over-time")
    page.fill("#horizon", "0")
    # The browser's own form check would stop a number below min; the API's is what is tested here.
    page.eval_on_selector("#scenario-form", "form => form.noValidate = true")
    page.click("#run")
    page.wait_for_selector("#status.error")
    assert "horizon_days" in page.locator("#status").inner_text()
    assert page.locator("#timeline-chart").count() == 0


def test_f21_measures_ranked_from_an_uploaded_file(server: str, watched: Watched) -> None:
    measures = yaml.safe_load(demo_measures().read_text(encoding="utf-8"))
    body = {"chain": "demo", "scenario": DEMO_SCENARIO, "measures": measures, "seed": 0}
    ranking = httpx.post(f"{server}/api/v1/measures/rank", json=body, timeout=120).json()
    page = watched.page
    watched.open(server + "/measures?lang=nl")
    page.select_option("#chain", "demo")
    page.select_option("#scenario", DEMO_SCENARIO)
    page.set_input_files("#measures-file", str(demo_measures()))
    page.wait_for_function("document.getElementById('measures-text').value.length > 0")
    page.click("#rank")
    page.wait_for_selector("#ranking-chart", timeout=120_000)

    def per_million(value: float | None) -> float | None:
        return None if value is None else value * 1e6

    with use_language("nl"):
        expected = [
            [
                format_number(m["rank"], 0),
                m["id"],
                m["name"] or MISSING,
                m["kind"],
                m["item"] or MISSING,
                format_number(m["loss_avoided"], 2),
                format_number(m["cost_eur"], 0),
                format_number(per_million(m["loss_avoided_per_eur"]), 3),
                format_number(m["impact"], 0),
                format_number(m["effort"], 0),
            ]
            for m in ranking["measures"]
        ]
        platforms = [
            [
                m["id"],
                p["id"],
                format_percent(p["availability_before"], 1),
                format_percent(p["availability_after"], 1),
                format_number(p["days_lost_before"], 2),
                format_number(p["days_lost_after"], 2),
            ]
            for m in ranking["measures"]
            for p in m["platforms"]
        ]
    assert _rows(page, "#ranking") == expected
    assert [row[0] for row in expected] == [str(n) for n in range(1, len(expected) + 1)]
    assert _rows(page, "#ranking-platforms") == platforms
    bars = page.locator("#ranking-chart rect.bar")
    assert bars.count() == sum(m["loss_avoided"] is not None for m in ranking["measures"])
    assert watched.problems == []


def test_f21_roadmap_upload_shows_owners_dates_and_status(
    server: str, watched: Watched, tmp_path: Path
) -> None:
    from ketenradar.mitigation.roadmap import STEP_TITLES
    from ketenradar.web.action_pages import OWNER_WORDS, STATUS_WORDS

    # One milestone done, so the progress is 1 of 7 milestones (14 %), hand-counted in the file.
    text = DEMO_ROADMAP.read_text(encoding="utf-8").replace("  status: planned\n", "  status: done\n", 1)
    file = tmp_path / "ships.yaml"
    file.write_text(text, encoding="utf-8")
    shown = httpx.post(
        f"{server}/api/v1/roadmaps/show", json={"roadmap": text, "name": "ships.yaml"}, timeout=60
    ).json()
    page = watched.page
    watched.open(server + "/roadmaps?lang=nl")
    page.set_input_files("#roadmap-file", str(file))
    page.wait_for_function("document.getElementById('roadmap-text').value.length > 0")
    page.click("#show")
    page.wait_for_selector("#milestones")
    with use_language("nl"):
        milestones = [
            [
                m["id"],
                m["what"],
                translate(STEP_TITLES[m["step"]]),
                ", ".join(translate(OWNER_WORDS[o]) for o in m["owners"]),
                m["due"],
                translate(STATUS_WORDS[m["status"]]),
                m["status_date"] or MISSING,
            ]
            for m in shown["roadmap"]["milestones"]
        ]
        progress = shown["progress"]["milestones"]
        milestone_row = [
            translate("milestones"),
            *(format_number(progress[k], 0) for k in ("planned", "in_progress", "done", "dropped")),
            format_percent(progress["share_done"], 0),
        ]
    assert _rows(page, "#milestones") == milestones
    assert milestones[0][5] == "gereed" and milestones[1][5] == "gepland"
    assert milestones[0][3] == "overheid, bedrijven, kennisinstellingen"
    assert _rows(page, "#progress-table")[1] == milestone_row
    assert milestone_row[1:] == ["6", "0", "1", "0", "14%"]
    assert len(_rows(page, "#risks")) == len(shown["roadmap"]["risks"])
    assert _rows(page, "#interventions") == []
    assert watched.problems == []


def test_f21_roadmap_problems_are_located_and_translated(server: str, watched: Watched) -> None:
    text = (
        DEMO_ROADMAP.read_text(encoding="utf-8")
        .replace("due: 2027-Q2", "due: 2027-Q5", 1)
        .replace("  - companies\n", "  - firms\n", 1)
    )
    refused = httpx.post(
        f"{server}/api/v1/roadmaps/show?lang=nl", json={"roadmap": text, "name": "roadmap.yaml"}, timeout=60
    ).json()
    page = watched.page
    watched.open(server + "/roadmaps?lang=nl")
    page.fill("#roadmap-text", text)
    page.click("#show")
    page.wait_for_selector("#status.error")
    shown = page.locator("#problems li").all_inner_texts()
    assert shown == [p["text"] for p in refused["error"]["details"]["problems"]]
    assert shown and all(line.startswith("roadmap.yaml") for line in shown)
    assert any("2027-Q5" in line for line in shown)
    assert page.locator("#milestones").count() == 0


def test_f21_roadmap_drafted_from_a_stored_chain_can_be_saved(server: str, watched: Watched) -> None:
    body = {"chain": "demo", "product_group": "military ships", "start": "2027-Q1"}
    # The draft is written in the page's language (its header comment and step texts).
    drafted = httpx.post(f"{server}/api/v1/roadmaps/draft?lang=nl", json=body, timeout=60).json()
    page = watched.page
    watched.open(server + "/roadmaps?lang=nl")
    page.select_option("#draft-chain", "demo")
    page.fill("#product-group", "military ships")
    page.fill("#start", "2027-Q1")
    page.click("#draft-run")
    page.wait_for_selector("#milestones")
    assert page.input_value("#roadmap-text") == drafted["yaml"]
    assert len(_rows(page, "#risks")) == len(drafted["roadmap"]["risks"])
    assert [row[4] for row in _rows(page, "#milestones")] == [
        m["due"] for m in drafted["roadmap"]["milestones"]
    ]
    link = page.locator("#download")
    assert link.is_visible() and (link.get_attribute("href") or "").startswith("blob:")
    with page.expect_download() as saving:
        link.click()
    saved = saving.value
    assert saved.suggested_filename == "roadmap.yaml"
    assert Path(saved.path()).read_text(encoding="utf-8") == drafted["yaml"]
    assert watched.problems == []
