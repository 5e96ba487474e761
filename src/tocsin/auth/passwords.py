"""Password hashes: argon2id, checked without raising, as slow for unknown users as for real ones.

``HASHER`` uses argon2-cffi's defaults (RFC 9106's low-memory profile: argon2id, 64 MiB, 3 passes).
Every function takes the hasher as a keyword so tests can use a cheap one. Strength rules are the
model's (``tocsin.model.people.check_password_strength``); this module only hashes and checks.
"""

from __future__ import annotations

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher()


def hash_password(password: str, *, hasher: PasswordHasher = HASHER) -> str:
    """The encoded argon2id hash of ``password`` (salted: two calls give different hashes)."""
    return hasher.hash(password)


def verify_password(hash: str, password: str, *, hasher: PasswordHasher = HASHER) -> bool:
    """Whether ``password`` matches ``hash``; False (never an exception) when wrong or malformed."""
    try:
        return hasher.verify(hash, password)
    except (VerificationError, InvalidHashError, UnicodeError):
        return False


def needs_rehash(hash: str, *, hasher: PasswordHasher = HASHER) -> bool:
    """Whether ``hash`` was made with other parameters (or cannot be read) and should be redone.

    Call it after a successful ``verify_password``, while the cleartext is at hand.
    """
    try:
        return hasher.check_needs_rehash(hash)
    except (InvalidHashError, UnicodeError):
        return True


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A constant hash of a random password, made once per hasher with that hasher's parameters."""
    return hasher.hash(secrets.token_urlsafe(32))


def verify_dummy(password: str, *, hasher: PasswordHasher = HASHER) -> bool:
    """Check ``password`` against the dummy hash and return False: a login for a user who does not
    exist then costs what a real check costs, so timing does not tell which usernames exist."""
    verify_password(_dummy_hash(hasher), password, hasher=hasher)
    return False
