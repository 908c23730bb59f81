"""Login, tokens, logout, expiry, the rate limit of failed logins and their audit rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from argon2 import PasswordHasher

from ketenradar.server.auth import token_digest
from ketenradar.server.passwords import Passwords
from ketenradar.storage.server import ServerStore
from tests.api.support import TestClient, error_of
from tests.server.conftest import PASSWORD, Clock, fast_passwords, login

TOKEN_URL = "/api/v1/auth/token"


def _refused_login(client: TestClient, name: str, password: str) -> dict[str, object]:
    response = client.post(TOKEN_URL, data={"username": name, "password": password})
    error = error_of(response, 401, "not_authenticated")
    assert response.headers["www-authenticate"] == "Bearer"
    return error


def test_login_gives_a_bearer_token_that_names_the_caller(
    client: TestClient, accounts: ServerStore, clock: Clock
) -> None:
    response = client.post(TOKEN_URL, data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 8 * 3600
    assert len(body["access_token"]) >= 43  # 32 random bytes, URL-safe base64
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {"name": "alice", "role": "company", "organisation": "acme"}
    # The database keeps the digest only: the token itself is nowhere in it.
    assert accounts.user_for_token(body["access_token"], clock()) is None
    assert accounts.user_for_token(token_digest(body["access_token"]), clock()) is not None


def test_wrong_password_unknown_name_and_disabled_user_get_the_same_answer(
    client: TestClient, accounts: ServerStore
) -> None:
    accounts.disable_user("bob")
    wrong_password = _refused_login(client, "alice", "not the password")
    unknown_name = _refused_login(client, "mallory", PASSWORD)
    disabled = _refused_login(client, "bob", PASSWORD)
    assert wrong_password == unknown_name == disabled


def test_a_name_longer_than_any_users_is_an_ordinary_failed_login(
    client: TestClient, accounts: ServerStore
) -> None:
    long_name = "a" * 500
    assert _refused_login(client, long_name, "x") == _refused_login(client, "mallory", "x")
    (row, _other) = accounts.audit(action="auth.login")
    assert row.user == "a" * 200 and row.outcome == "failed"


def test_an_unknown_name_costs_a_password_verification(
    make_client: Callable[..., TestClient], accounts: ServerStore
) -> None:
    verified: list[str] = []

    class Counting(Passwords):
        def verify(self, password_hash: str, password: str) -> bool:
            verified.append(password)
            return super().verify(password_hash, password)

    client = make_client(passwords=Counting(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)))
    _refused_login(client, "mallory", "guess one")
    _refused_login(client, "alice", "guess two")
    assert verified == ["guess one", "guess two"]


def test_a_disabled_users_token_is_refused(client: TestClient, accounts: ServerStore) -> None:
    headers = login(client, "bob")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    accounts.disable_user("bob")
    error_of(client.get("/api/v1/auth/me", headers=headers), 401, "not_authenticated")


def test_logout_revokes_the_token(client: TestClient, accounts: ServerStore) -> None:
    headers = login(client, "alice")
    other = login(client, "alice")
    response = client.post("/api/v1/auth/logout", headers=headers)
    assert response.status_code == 204
    error_of(client.get("/api/v1/auth/me", headers=headers), 401, "not_authenticated")
    # Another login of the same user keeps working.
    assert client.get("/api/v1/auth/me", headers=other).status_code == 200
    logouts = accounts.audit(action="auth.logout")
    assert [(r.user, r.organisation, r.outcome) for r in logouts] == [("alice", "acme", "ok")]


def test_a_token_past_its_expiry_is_refused(make_client: Callable[..., TestClient], clock: Clock) -> None:
    client = make_client(token_lifetime=timedelta(hours=1))
    response = client.post(TOKEN_URL, data={"username": "alice", "password": PASSWORD})
    assert response.json()["expires_in"] == 3600
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    clock.advance(timedelta(minutes=59, seconds=59))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    clock.advance(timedelta(seconds=2))
    error_of(client.get("/api/v1/auth/me", headers=headers), 401, "not_authenticated")


def test_a_made_up_or_damaged_token_is_refused(client: TestClient) -> None:
    for header in ("Bearer made-up", "Bearer ", "Basic YWxpY2U6cGFzcw==", "bearer"):
        response = client.get("/api/v1/chains", headers={"Authorization": header})
        error_of(response, 401, "not_authenticated")
        assert response.headers["www-authenticate"] == "Bearer"


def test_five_failures_for_a_name_block_it_for_fifteen_minutes(
    make_client: Callable[..., TestClient], clock: Clock, accounts: ServerStore
) -> None:
    client = make_client()
    for _attempt in range(5):
        _refused_login(client, "alice", "wrong")
        clock.advance(timedelta(seconds=10))
    # The sixth attempt is refused even with the right password, by this process and any other.
    for server in (client, make_client()):
        response = server.post(TOKEN_URL, data={"username": "alice", "password": PASSWORD})
        error = error_of(response, 429, "too_many_logins")
        assert response.headers["retry-after"] == "900"
        assert error["details"] == {"retry_after": 900}
    # 15 minutes after the first failure it has left the window; four remain, so one login is allowed.
    clock.advance(timedelta(minutes=15) - timedelta(seconds=50) + timedelta(seconds=1))
    assert client.post(TOKEN_URL, data={"username": "alice", "password": PASSWORD}).status_code == 200
    outcomes = [r.outcome for r in accounts.audit(action="auth.login")]
    assert outcomes == ["failed"] * 5 + ["rate_limited"] * 2 + ["ok"]


def test_failures_from_one_client_block_other_names_from_that_client(
    client: TestClient, accounts: ServerStore
) -> None:
    for number in range(5):
        _refused_login(client, f"guess{number}", "wrong")
    # The TestClient is one client address: bob is refused from it too, though bob never failed.
    error_of(client.post(TOKEN_URL, data={"username": "bob", "password": PASSWORD}), 429, "too_many_logins")


def test_four_failures_do_not_block(client: TestClient) -> None:
    for _attempt in range(4):
        _refused_login(client, "alice", "wrong")
    assert client.post(TOKEN_URL, data={"username": "alice", "password": PASSWORD}).status_code == 200


def test_a_hash_with_old_parameters_is_renewed_at_login(
    make_client: Callable[..., TestClient], accounts: ServerStore
) -> None:
    stronger = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    before = accounts.user_with_hash("alice")
    assert before is not None and stronger.needs_rehash(before[1])
    client = make_client(passwords=stronger)
    login(client, "alice")
    after = accounts.user_with_hash("alice")
    assert after is not None
    assert after[1] != before[1]
    assert not stronger.needs_rehash(after[1])
    assert stronger.verify(after[1], PASSWORD)
    # bob did not log in: his hash is as it was.
    bob = accounts.user_with_hash("bob")
    assert bob is not None and fast_passwords().verify(bob[1], PASSWORD) and stronger.needs_rehash(bob[1])


def test_every_login_is_audited_with_its_outcome(client: TestClient, accounts: ServerStore) -> None:
    _refused_login(client, "alice", "wrong")
    _refused_login(client, "mallory", "wrong")
    login(client, "bob")
    rows = [(r.user, r.organisation, r.target, r.outcome) for r in accounts.audit(action="auth.login")]
    assert rows == [
        ("alice", "acme", "alice", "failed"),
        ("mallory", "", "mallory", "failed"),
        ("bob", "bolt", "bob", "ok"),
    ]
    assert all("client=" in r.detail for r in accounts.audit(action="auth.login"))


def test_without_a_caller_the_api_answers_401_and_pages_go_to_the_login(client: TestClient) -> None:
    for path in ("/api/v1/chains", "/api/v1/materials", "/api/v1/jobs/abc", "/api/v1/no-such-route"):
        response = client.get(path)
        error_of(response, 401, "not_authenticated")
        assert response.headers["www-authenticate"] == "Bearer"
    error_of(client.post("/api/v1/chains"), 401, "not_authenticated")
    for path in ("/", "/chains", "/chains/demo", "/scenarios?lang=nl"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert client.get("/scenarios?lang=nl", follow_redirects=False).headers["location"] == (
        "/login?next=%2Fscenarios%3Flang%3Dnl"
    )
    # The login, its page, the assets and the API's description need no caller.
    assert client.get("/login").status_code == 200
    assert client.get("/static/dashboard.css").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_guesses_sent_at_once_are_held_to_the_limit(accounts: ServerStore) -> None:
    """Each attempt is counted before its password is checked: 24 at once get at most 5 checks."""
    from concurrent.futures import ThreadPoolExecutor

    from ketenradar.api.errors import NotAuthenticated, TooManyLogins
    from ketenradar.server.auth import Authenticator, LoginPolicy

    authenticator = Authenticator(accounts, passwords=fast_passwords(), policy=LoginPolicy())

    def guess(number: int) -> str:
        try:
            authenticator.login("alice", f"wrong guess {number}", f"10.0.0.{number}")
        except NotAuthenticated:
            return "checked"
        except TooManyLogins:
            return "refused"
        return "accepted"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(guess, range(24)))
    assert outcomes.count("accepted") == 0
    assert outcomes.count("checked") <= LoginPolicy().max_failures
    assert outcomes.count("refused") >= 24 - LoginPolicy().max_failures
    # What stays counted is the guesses that were checked: the refused ones are not failures.
    since = authenticator.clock() - timedelta(hours=1)
    assert accounts.failed_logins_since("alice", "no such client", since) == outcomes.count("checked")
