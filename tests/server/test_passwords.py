"""argon2id password hashes: verify, refuse, renew when the parameters change."""

from __future__ import annotations

from argon2 import PasswordHasher

from ketenradar.server.passwords import Passwords, hash_password, needs_rehash, verify_password
from tests.server.conftest import fast_passwords


def test_a_hash_verifies_its_password_only() -> None:
    passwords = fast_passwords()
    hashed = passwords.hash("correct horse battery staple")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert passwords.verify(hashed, "correct horse battery staple")
    assert not passwords.verify(hashed, "correct horse battery stapler")
    assert not passwords.verify(hashed, "")


def test_the_same_password_gets_a_different_salt_each_time() -> None:
    passwords = fast_passwords()
    assert passwords.hash("same password") != passwords.hash("same password")


def test_a_damaged_hash_matches_nothing_and_needs_renewing() -> None:
    passwords = fast_passwords()
    assert not passwords.verify("not a hash", "anything")
    assert passwords.needs_rehash("not a hash")


def test_a_hash_with_other_parameters_needs_renewing_but_still_verifies() -> None:
    old = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    new = Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    hashed = old.hash("a long enough password")
    assert new.verify(hashed, "a long enough password")
    assert new.needs_rehash(hashed)
    assert not old.needs_rehash(hashed)
    assert not new.needs_rehash(new.hash("a long enough password"))


def test_the_module_functions_use_argon2_cffi_defaults() -> None:
    hashed = hash_password("twelve chars!")
    defaults = PasswordHasher()
    assert f"m={defaults.memory_cost},t={defaults.time_cost},p={defaults.parallelism}" in hashed
    assert verify_password(hashed, "twelve chars!")
    assert not verify_password(hashed, "twelve chars?")
    assert not needs_rehash(hashed)


def test_the_dummy_verification_accepts_no_password() -> None:
    passwords = fast_passwords()
    assert not passwords.verify(passwords.dummy_hash, "")
    passwords.verify_dummy("anything")  # spends the time and answers nothing
