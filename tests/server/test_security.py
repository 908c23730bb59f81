"""The dashboard's login and logout forms (CSRF double submit), cross-site refusals, secure headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ketenradar.api import create_app
from ketenradar.api.app import SECURE_HEADERS
from ketenradar.server.security import CSRF_COOKIE, SESSION_COOKIE, csrf_matches, from_other_site, safe_next
from ketenradar.storage import SqliteStore
from ketenradar.storage.server import ServerStore
from ketenradar.web.pages import CONTENT_SECURITY_POLICY
from tests.api.support import TestClient, error_of
from tests.server.conftest import PASSWORD, login


def _csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def _form_login(client: TestClient, name: str = "alice", next_path: str = "/chains") -> str:
    """Log in through the page's form; return the CSRF token of the page."""
    page = client.get("/login")
    csrf = _csrf_of(page.text)
    assert page.cookies[CSRF_COOKIE] == csrf
    response = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf, "next": next_path},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_path
    return csrf


def _set_cookie_headers(response: object) -> list[str]:
    return response.headers.get_list("set-cookie")  # type: ignore[attr-defined, no-any-return]


def test_the_login_form_sets_an_httponly_strict_session_cookie(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert 'name="username"' in page.text and 'name="password"' in page.text
    csrf = _csrf_of(page.text)
    response = client.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "csrf_token": csrf, "next": "/chains"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    (session,) = [c for c in _set_cookie_headers(response) if c.startswith(SESSION_COOKIE + "=")]
    attributes = {part.strip().lower() for part in session.split(";")}
    assert "httponly" in attributes and "samesite=strict" in attributes and "path=/" in attributes
    assert "max-age=28800" in attributes
    # The pages now open with the cookie, and the chain list is alice's (empty).
    assert client.get("/chains").status_code == 200
    assert client.get("/api/v1/auth/me").json()["name"] == "alice"


def test_a_login_form_without_the_matching_csrf_token_is_refused(
    client: TestClient, accounts: ServerStore
) -> None:
    page = client.get("/login")
    csrf = _csrf_of(page.text)
    for token in ("", "x" + csrf[1:], csrf + "x"):
        response = client.post(
            "/login",
            data={"username": "alice", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert SESSION_COOKIE not in response.cookies
    # Without the cookie (another site's form cannot send it with its own token) it is refused too.
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 403
    # A refused form is not even a login attempt.
    assert accounts.audit(action="auth.login") == []


def test_the_logout_form_needs_its_csrf_token(client: TestClient) -> None:
    _form_login(client)
    response = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/chains", follow_redirects=False).status_code == 200  # still logged in
    page = client.get("/login")
    assert 'id="logout-form"' in page.text
    response = client.post("/logout", data={"csrf_token": _csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/chains", follow_redirects=False).status_code == 303


def test_a_logged_out_session_cookie_is_dead_even_if_replayed(client: TestClient) -> None:
    _form_login(client)
    stolen = client.cookies[SESSION_COOKIE]
    page = client.get("/login")
    client.post("/logout", data={"csrf_token": _csrf_of(page.text)}, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, stolen)
    assert client.get("/chains", follow_redirects=False).status_code == 303
    error_of(client.get("/api/v1/chains"), 401, "not_authenticated")


def test_a_wrong_password_in_the_form_shows_the_page_again(client: TestClient) -> None:
    csrf = _csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "alice", "password": "wrong", "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 401
    assert 'id="login-message"' in response.text
    assert SESSION_COOKIE not in response.cookies


def test_login_goes_only_to_paths_of_this_server() -> None:
    assert safe_next("/chains/demo?lang=nl") == "/chains/demo?lang=nl"
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", ""):
        assert safe_next(target) == "/"


def test_csrf_tokens_must_both_be_present_and_equal() -> None:
    assert csrf_matches("abc", "abc")
    assert not csrf_matches("abc", "abd")
    assert not csrf_matches(None, "abc")
    assert not csrf_matches("", "")


def test_a_cookie_request_from_another_site_may_not_change_anything(client: TestClient) -> None:
    _form_login(client)
    evil = {"Origin": "https://evil.example"}
    response = client.post("/api/v1/scenarios/run", json={"chain": "x", "scenario": "y"}, headers=evil)
    error_of(response, 403, "cross_site_refused")
    response = client.post(
        "/api/v1/scenarios/run",
        json={"chain": "x", "scenario": "y"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    error_of(response, 403, "cross_site_refused")
    # The dashboard's own script (same origin) goes through to the route (here: no such chain).
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    response = client.post("/api/v1/scenarios/run", json={"chain": "x", "scenario": "y"}, headers=same)
    error_of(response, 404, "not_found")


def test_a_token_request_is_not_a_browser_session(client: TestClient) -> None:
    headers = {**login(client, "alice"), "Origin": "https://elsewhere.example"}
    response = client.post("/api/v1/scenarios/run", json={"chain": "x", "scenario": "y"}, headers=headers)
    error_of(response, 404, "not_found")


@pytest.mark.parametrize(
    ("headers", "other"),
    [
        ({}, False),
        ({"sec-fetch-site": "same-origin"}, False),
        ({"sec-fetch-site": "none"}, False),
        ({"sec-fetch-site": "same-site"}, True),
        ({"origin": "http://testserver"}, False),
        ({"origin": "http://testserver:8000"}, True),
        ({"origin": "null"}, True),
    ],
)
def test_other_sites_are_told_by_the_browsers_headers(headers: dict[str, str], other: bool) -> None:
    scope = {"headers": [(b"host", b"testserver"), *((k.encode(), v.encode()) for k, v in headers.items())]}
    assert from_other_site(scope) is other


def _assert_secure(response: object, *, no_store: bool) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in SECURE_HEADERS.items():
        assert headers[name] == value, (response, name)
    policy = headers["content-security-policy"]
    # A page with charts may allow inline styles (Plotly); scripts come from this server only.
    assert policy.startswith("default-src 'self'; script-src 'self';")
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    if headers.get("content-type", "").startswith("application/json"):
        assert policy == CONTENT_SECURITY_POLICY
    assert (headers.get("cache-control") == "no-store") is no_store, (response, headers.get("cache-control"))


def test_every_server_response_has_the_secure_headers(client: TestClient) -> None:
    headers = login(client, "alice")
    responses = [
        client.get("/api/v1/chains"),  # 401
        client.get("/api/v1/chains", headers=headers),
        client.get("/api/v1/chains/none", headers=headers),  # 404
        client.get("/api/v1/materials", headers=headers),
        client.post("/api/v1/auth/token", data={"username": "alice", "password": PASSWORD}),
        client.get("/login"),
        client.get("/chains", follow_redirects=False),  # redirect
        client.get("/chains", headers=headers),
        client.get("/openapi.json"),
    ]
    for response in responses:
        _assert_secure(response, no_store=True)
    # The shipped assets may be cached.
    _assert_secure(client.get("/static/dashboard.css"), no_store=False)


@pytest.fixture
def local_client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(SqliteStore(tmp_path / "workspace.sqlite"))) as test_client:
        yield test_client


def test_the_local_mode_has_the_secure_headers_too(local_client: TestClient) -> None:
    for path in ("/api/v1/chains", "/api/v1/chains/none", "/", "/static/dashboard.css", "/openapi.json"):
        _assert_secure(local_client.get(path), no_store=False)
    # And it stays without a login.
    assert local_client.get("/api/v1/chains").status_code == 200
    assert local_client.get("/login").status_code == 404


def test_the_openapi_description_says_how_to_log_in(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    scheme = schema["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    assert schema["security"] == [{"OAuth2PasswordBearer": []}]
    assert "ErrorResponse" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if path == "/api/v1/auth/token":
                assert operation["security"] == [] and "401" in operation["responses"]
            else:
                assert "401" in operation["responses"], (method, path)
