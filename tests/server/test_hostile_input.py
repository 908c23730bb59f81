"""Names no stored thing can have (a NUL character) are answered like names that do not exist.

PostgreSQL refuses a NUL in text: such a name must never reach a query, or the caller would get a
500 where a missing name gets a 404, and the audit row of the attempt would be lost.
"""

from __future__ import annotations

from ketenradar.storage.server import ServerStore
from tests.api.support import TestClient
from tests.server.conftest import login


def test_a_name_with_a_nul_is_not_found_like_a_missing_name(
    client: TestClient, accounts: ServerStore
) -> None:
    alice = login(client, "alice")
    for path in ("/api/v1/chains/{}", "/api/v1/chains/{}/exposure", "/api/v1/surveys/{}", "/api/v1/jobs/{}"):
        hostile = client.get(path.format("a%00b"), headers=alice)
        missing = client.get(path.format("ab"), headers=alice)
        assert hostile.status_code == missing.status_code == 404, (path, hostile.text)
        assert hostile.json()["error"]["code"] == missing.json()["error"]["code"]
    run = client.post(
        "/api/v1/scenarios/run",
        headers=alice,
        json={"chain": "a\u0000b", "scenario": "taiwan-semiconductors"},
    )
    assert run.status_code == 404, run.text
    page = client.get("/chains/a%00b", headers=alice)
    assert page.status_code == 404
    # The attempts are in the audit log, the NUL written visibly.
    targets = [r.target for r in accounts.audit(user="alice") if r.outcome == "not_found"]
    assert "a\\0b" in targets


def test_a_login_name_with_a_nul_is_refused_like_a_wrong_one(client: TestClient) -> None:
    hostile = client.post("/api/v1/auth/token", data={"username": "ali\u0000ce", "password": "x" * 14})
    wrong = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "x" * 14})
    assert hostile.status_code == wrong.status_code == 401
    assert hostile.json() == wrong.json()
