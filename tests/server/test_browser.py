"""The dashboard in server mode, in Debian's Chromium against a real uvicorn on a loopback port.

A page without a session goes to the login form; after logging in, the pages and the scenario
runner (its script calls the API with the session cookie) work with no console error (a
Content-Security-Policy violation is one) and no request leaving the server; logging out ends
the session. Runs on a SQLite server database (the store itself is tested on both).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ketenradar.ingest.workbook import read_chain_workbook
from ketenradar.server.passwords import hash_password
from ketenradar.services.materials import defence_catalogue
from ketenradar.storage.server import ServerStore
from tests.api.support import DEMO_SCENARIO, demo_folder
from tests.helpers.browser import chromium, free_port, served
from tests.server.conftest import PASSWORD

SERVE = (
    "import sys, uvicorn\n"
    "from ketenradar.server import create_server_app\n"
    "from ketenradar.storage.server import ServerStore\n"
    "uvicorn.run(create_server_app(ServerStore(sys.argv[1])), host='127.0.0.1', port=int(sys.argv[2]),"
    " log_level='warning')\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the server on a SQLite database with alice (acme, the demo chain) and bob (bolt)."""
    folder = tmp_path_factory.mktemp("server")
    url = f"sqlite:///{folder / 'server.sqlite'}"
    store = ServerStore(url)
    store.upgrade()
    for name, organisation in (("alice", "acme"), ("bob", "bolt")):
        store.add_organisation(organisation)
        store.add_user(name, "company", organisation, hash_password(PASSWORD))
    chain = read_chain_workbook(demo_folder(), list(defence_catalogue()), name="demo")
    store.scoped("acme", user="setup").save_chain(chain)
    store.dispose()
    port = free_port()
    with served([sys.executable, "-c", SERVE, url, str(port)], "/login", folder, port) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A fresh browser page with the problems it meets and every URL it asks for."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    requests: list[str] = []
    opened = context.new_page()
    opened.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    opened.on("pageerror", lambda e: problems.append(f"script: {e}"))
    opened.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    opened.on("request", lambda r: requests.append(r.url))
    try:
        yield opened, problems, requests
    finally:
        context.close()


def _log_in(opened: Any, server: str, path: str, name: str = "alice") -> None:
    opened.goto(server + path)
    assert opened.url.startswith(server + "/login?next=")
    opened.fill("input[name=username]", name)
    opened.fill("input[name=password]", PASSWORD)
    opened.click("#login-form button[type=submit]")
    opened.wait_for_load_state("networkidle")


def test_the_login_form_leads_to_the_page_asked_for(
    server: str, page: tuple[Any, list[str], list[str]]
) -> None:
    opened, problems, requests = page
    _log_in(opened, server, "/chains")
    assert opened.url == server + "/chains"
    assert "demo" in opened.locator("main").inner_text()
    cookies = {c["name"]: c for c in opened.context.cookies()}
    assert cookies["ketenradar_session"]["httpOnly"] and cookies["ketenradar_session"]["sameSite"] == "Strict"
    for path in ("/", "/chains/demo", "/materials/gallium", "/countries/CHN?lang=nl", "/scenarios"):
        response = opened.goto(server + path)
        opened.wait_for_load_state("networkidle")
        assert response is not None and response.status == 200, path
    assert problems == []
    assert all(url.startswith(server + "/") for url in requests), requests


def test_the_scenario_runner_calls_the_api_with_the_session(
    server: str, page: tuple[Any, list[str], list[str]]
) -> None:
    opened, problems, _requests = page
    _log_in(opened, server, "/scenarios")
    opened.select_option("#scenario", DEMO_SCENARIO)
    opened.select_option("#chain", "demo")
    opened.click("#run")
    opened.wait_for_selector("#availability")
    cells = opened.locator("#availability tbody tr").first.locator("td").all_inner_texts()
    assert cells[1].strip() == "10.0%"  # gallium's processing outside China (Japan): 10 %
    assert problems == []


def test_another_company_does_not_see_the_chain(server: str, page: tuple[Any, list[str], list[str]]) -> None:
    opened, _problems, _requests = page
    _log_in(opened, server, "/chains", name="bob")
    assert "demo" not in opened.locator("main").inner_text()
    response = opened.goto(server + "/chains/demo")
    assert response is not None and response.status == 404


def test_logging_out_ends_the_session(server: str, page: tuple[Any, list[str], list[str]]) -> None:
    opened, problems, _requests = page
    _log_in(opened, server, "/chains")
    opened.goto(server + "/login")
    opened.click("#logout-form button[type=submit]")
    opened.wait_for_load_state("networkidle")
    assert opened.url == server + "/login"
    opened.goto(server + "/chains")
    assert opened.url.startswith(server + "/login?next=")
    assert problems == []


def test_the_page_cannot_be_framed_or_sniffed(server: str) -> None:
    response = httpx.get(server + "/login", timeout=10)
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
