"""F22: accounts, tokens, login attempts, the audit query, jobs and surveys across organisations.

Every test runs on SQLite and on PostgreSQL (``server_store``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from ketenradar.errors import NotFound, UserExists, UserNotFound
from ketenradar.services.synth import synthetic_survey
from ketenradar.storage.server import OBSERVATORY, ROLES, AuditRecord, ServerStore, UserRecord

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_f22_users_are_added_listed_and_unique(server_store: ServerStore) -> None:
    assert ROLES == ("admin", "analyst", "company")
    admin = server_store.add_user("root", "admin", OBSERVATORY, "hash-1")
    ann = server_store.add_user("ann", "company", "acme", "hash-2")
    assert isinstance(admin, UserRecord) and admin.id != ann.id
    assert (ann.name, ann.role, ann.organisation, ann.disabled) == ("ann", "company", "acme", False)
    assert datetime.fromisoformat(ann.created_at).tzinfo is not None
    # The organisations were made with their first user; adding one again changes nothing.
    server_store.add_organisation("acme")
    server_store.add_organisation("empty")
    assert server_store.organisations() == ["acme", "empty", OBSERVATORY]
    with pytest.raises(UserExists, match="'ann' already exists"):
        server_store.add_user("ann", "analyst", OBSERVATORY, "other")
    with pytest.raises(ValueError, match="role"):
        server_store.add_user("eve", "superuser", "acme", "h")
    assert server_store.list_users() == [ann, admin]  # by name
    assert server_store.user_with_hash("ann") == (ann, "hash-2")
    assert server_store.user_with_hash("nobody") is None


def test_f22_password_hash_is_replaced_and_a_missing_user_is_not_found(server_store: ServerStore) -> None:
    server_store.add_user("ann", "company", "acme", "old")
    server_store.set_password_hash("ann", "new")
    found = server_store.user_with_hash("ann")
    assert found is not None and found[1] == "new"
    with pytest.raises(UserNotFound, match="no user named 'bob'") as caught:
        server_store.set_password_hash("bob", "x")
    assert isinstance(caught.value, NotFound)
    with pytest.raises(UserNotFound):
        server_store.disable_user("bob")


def test_f22_tokens_expire_are_revoked_and_die_with_a_disabled_user(server_store: ServerStore) -> None:
    # Expired tokens are dropped by the clock when a token is added: the times are from now.
    now = datetime.now(UTC)
    ann = server_store.add_user("ann", "company", "acme", "h")
    bob = server_store.add_user("bob", "analyst", OBSERVATORY, "h")
    server_store.add_token("digest-ann", ann.id, now + timedelta(hours=8))
    server_store.add_token("digest-ann-2", ann.id, now + timedelta(hours=8))
    server_store.add_token("digest-bob", bob.id, now + timedelta(hours=1))
    assert server_store.user_for_token("digest-ann", now) == ann
    assert server_store.user_for_token("digest-bob", now + timedelta(minutes=59)) == bob
    assert server_store.user_for_token("digest-bob", now + timedelta(hours=1)) is None  # expired
    assert server_store.user_for_token("unknown", now) is None
    # An aware time in another zone is the same moment.
    plus_one = (now + timedelta(minutes=30)).astimezone(timezone(timedelta(hours=1)))
    assert server_store.user_for_token("digest-bob", plus_one) == bob
    server_store.revoke_token("digest-ann-2")
    server_store.revoke_token("digest-ann-2")  # again: nothing happens
    assert server_store.user_for_token("digest-ann-2", now) is None
    disabled = server_store.disable_user("ann")
    assert disabled == replace(ann, disabled=True)
    assert server_store.user_for_token("digest-ann", now) is None
    assert server_store.user_for_token("digest-bob", now) == bob  # another user's token is kept
    assert [u.disabled for u in server_store.list_users()] == [True, False]


def test_f22_failed_logins_count_by_name_or_client_since_a_moment(server_store: ServerStore) -> None:
    attempts = [
        ("ann", "10.0.0.1", False, NOW - timedelta(minutes=20)),  # before the window
        ("ann", "10.0.0.1", False, NOW - timedelta(minutes=5)),
        ("ann", "10.0.0.2", False, NOW - timedelta(minutes=4)),
        ("bob", "10.0.0.1", False, NOW - timedelta(minutes=3)),
        ("ann", "10.0.0.1", True, NOW - timedelta(minutes=2)),  # a success is not a failure
        ("eve", "10.0.0.9", False, NOW - timedelta(minutes=1)),
    ]
    for name, client, success, at in attempts:
        server_store.record_login(name, client, success, at)
    since = NOW - timedelta(minutes=10)
    # ann (from anywhere) or 10.0.0.1 (any name): minutes -5, -4 and -3.
    assert server_store.failed_logins_since("ann", "10.0.0.1", since) == 3
    assert server_store.failed_logins_since("ann", "10.0.0.7", since) == 2
    assert server_store.failed_logins_since("nobody", "10.0.0.1", since) == 2
    assert server_store.failed_logins_since("nobody", "10.0.0.7", since) == 0
    assert server_store.failed_logins_since("ann", "10.0.0.1", NOW - timedelta(hours=1)) == 4


def test_f22_audit_rows_are_filtered_and_limited_oldest_first(server_store: ServerStore) -> None:
    rows = [
        ("ann", "acme", "chain.write", "odd@1", "ok"),
        ("bob", "observatory", "survey.read", "s@1", "ok"),
        ("ann", "acme", "chain.read", "odd@1", "ok"),
        ("ann", "acme", "chain.read", "ghost", "not_found"),
    ]
    for row in rows:
        server_store.append_audit(*row)
    server_store.append_audit("eve", "evil", "auth.login", "eve", "error", "bad password")
    everything = server_store.audit()
    assert [(r.user, r.organisation, r.action, r.target, r.outcome) for r in everything[:4]] == rows
    assert everything[-1] == AuditRecord(
        everything[-1].id, everything[-1].at, "eve", "evil", "auth.login", "eve", "error", "bad password"
    )
    assert [r.id for r in everything] == sorted(r.id for r in everything)
    assert [r.target for r in server_store.audit(user="ann")] == ["odd@1", "odd@1", "ghost"]
    assert [r.user for r in server_store.audit(organisation="observatory")] == ["bob"]
    assert [r.outcome for r in server_store.audit(user="ann", action="chain.read")] == ["ok", "not_found"]
    # The latest two, oldest first.
    assert [r.user for r in server_store.audit(limit=2)] == ["ann", "eve"]
    assert [r.target for r in server_store.audit(user="ann", limit=2)] == ["odd@1", "ghost"]
    at = datetime.fromisoformat(everything[0].at)
    assert at.tzinfo is not None and abs(datetime.now(UTC) - at) < timedelta(minutes=5)
    assert len(server_store.audit(since=at - timedelta(seconds=1))) == 5
    assert server_store.audit(since=datetime.now(UTC) + timedelta(minutes=1)) == []


def test_f22_jobs_are_shared_between_processes_and_hidden_from_other_organisations(
    server_store: ServerStore,
) -> None:
    state = {"state": "running", "progress": 0.25, "result": None, "params": {"years": 100}}
    server_store.save_job("job-1", "acme", "montecarlo", state)
    # Another ServerStore (another server process) sees it.
    other_process = ServerStore(str(server_store.engine.url.render_as_string(hide_password=False)))
    try:
        assert other_process.load_job("job-1", "acme") == state
    finally:
        other_process.dispose()
    assert server_store.load_job("job-1", "rival") is None
    assert server_store.load_job("job-2", "acme") is None
    done = {**state, "state": "done", "progress": 1.0, "result": {"p95": 3.5}}
    server_store.save_job("job-1", "acme", "montecarlo", done)
    assert server_store.load_job("job-1", "acme") == done
    # A job id another organisation holds is never taken over (ids are random).
    with pytest.raises(ValueError, match="another organisation"):
        server_store.save_job("job-1", "rival", "montecarlo", {"state": "mine"})
    assert server_store.load_job("job-1", "acme") == done


def test_f22_latest_surveys_of_every_organisation(server_store: ServerStore) -> None:
    survey = synthetic_survey(4, seed=2)
    a, b = server_store.scoped("a"), server_store.scoped("b")
    a.save_survey(survey)
    a.save_survey(replace(survey, source="a-v2.xlsx"))
    a.save_survey(replace(survey, name="other", source="a-other.xlsx"))
    b.save_survey(replace(survey, source="b.xlsx"))
    latest = server_store.latest_surveys()
    # One per organisation, its most recent submission: a company answering under two names counts once.
    assert [(org, s.name, s.source) for org, s in latest] == [
        ("a", "other", "a-other.xlsx"),
        ("b", survey.name, "b.xlsx"),
    ]
    a.save_survey(replace(survey, source="a-v3.xlsx"))
    assert [(org, s.source) for org, s in server_store.latest_surveys()] == [
        ("a", "a-v3.xlsx"),
        ("b", "b.xlsx"),
    ]
    assert a.list_surveys() == sorted(["other", survey.name]) and b.list_surveys() == [survey.name]
    assert server_store.scoped("nobody-yet").list_surveys() == []
    assert all(len(s.companies) == 4 and s.synthetic for _org, s in latest)
