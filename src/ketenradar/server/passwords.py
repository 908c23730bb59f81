"""Password hashes with argon2id (argon2-cffi): hash, verify, and whether a hash needs renewing.

A hash carries its own parameters, so a server whose parameters were raised still verifies old
hashes and renews each at its owner's next login (:func:`needs_rehash`). An unknown user is
answered after verifying a dummy hash, so a wrong name takes as long as a wrong password.
"""

from __future__ import annotations

from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["Passwords", "hash_password", "needs_rehash", "verify_password"]


class Passwords:
    """argon2id hashing with one set of parameters (argon2-cffi's defaults unless a hasher is given)."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher if hasher is not None else PasswordHasher()

    def hash(self, password: str) -> str:
        """Return the argon2id hash of ``password`` (a fresh random salt each time)."""
        return self.hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Return whether ``password`` matches ``password_hash`` (a damaged hash matches nothing)."""
        try:
            return self.hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Return whether ``password_hash`` was made with other parameters than this hasher's."""
        try:
            return self.hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    @cached_property
    def dummy_hash(self) -> str:
        """A hash of no one's password, verified when a login names an unknown user."""
        return self.hash("ketenradar: no such user")

    def verify_dummy(self, password: str) -> None:
        """Spend the time of one verification, as for a real user, and discard the answer."""
        self.verify(self.dummy_hash, password)


_DEFAULT = Passwords()


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password`` with the default parameters."""
    return _DEFAULT.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``."""
    return _DEFAULT.verify(password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Return whether ``password_hash`` was made with other than the default parameters."""
    return _DEFAULT.needs_rehash(password_hash)
