"""Password hashes: argon2id, checked without raising, as costly for unknown users as for real."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from argon2 import PasswordHasher, Type, extract_parameters
from argon2.profiles import CHEAPEST, RFC_9106_LOW_MEMORY

from tocsin.auth import passwords
from tocsin.auth.passwords import hash_password, needs_rehash, verify_dummy, verify_password


class SpyHasher(PasswordHasher):
    """The cheapest argon2id hasher, recording every hash it verifies against."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.verified: list[str] = []
        self.hashed = 0

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self.hashed += 1
        return super().hash(password, salt=salt)

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified.append(str(hash))
        return super().verify(hash, password)


@pytest.fixture
def hasher() -> SpyHasher:
    spy = SpyHasher.from_parameters(CHEAPEST)
    assert isinstance(spy, SpyHasher)
    return spy


def test_the_default_hasher_is_argon2id_at_least_rfc_9106_low_memory() -> None:
    """Production hashes use argon2id with no less memory and no fewer passes than RFC 9106 asks."""
    assert passwords.HASHER.type is Type.ID
    assert passwords.HASHER.memory_cost >= RFC_9106_LOW_MEMORY.memory_cost
    assert passwords.HASHER.time_cost >= RFC_9106_LOW_MEMORY.time_cost


def test_a_hashed_password_verifies(hasher: SpyHasher) -> None:
    """The right password matches its hash, which is an argon2id hash."""
    hashed = hash_password("correct horse battery", hasher=hasher)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "correct horse battery", hasher=hasher)


def test_hashes_are_salted(hasher: SpyHasher) -> None:
    """The same password hashed twice gives two different hashes, both valid."""
    first = hash_password("correct horse battery", hasher=hasher)
    second = hash_password("correct horse battery", hasher=hasher)
    assert first != second
    assert verify_password(second, "correct horse battery", hasher=hasher)


@pytest.mark.parametrize(
    "attempt", ["correct horse batterY", "", "correct horse battery ", "\udcff"]
)
def test_a_wrong_password_is_false_not_an_error(hasher: SpyHasher, attempt: str) -> None:
    """A wrong, empty or unencodable password is False, without raising."""
    hashed = hash_password("correct horse battery", hasher=hasher)
    assert verify_password(hashed, attempt, hasher=hasher) is False


@pytest.mark.parametrize(
    "hashed",
    [
        "",
        "not a hash",
        "$argon2id$v=19$m=8,t=1,p=1$garbage",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aé",
    ],
)
def test_a_malformed_hash_is_false_not_an_error(hasher: SpyHasher, hashed: str) -> None:
    """A hash that cannot be read (empty, bcrypt, truncated, non-ASCII) is False, not an error."""
    assert verify_password(hashed, "correct horse battery", hasher=hasher) is False


def test_a_hash_with_the_current_parameters_needs_no_rehash(hasher: SpyHasher) -> None:
    """A hash made by the hasher in use is kept as it is."""
    assert (
        needs_rehash(hash_password("correct horse battery", hasher=hasher), hasher=hasher) is False
    )


def test_a_hash_with_other_parameters_needs_a_rehash(hasher: SpyHasher) -> None:
    """A hash made with weaker (or just other) parameters is to be redone at the next login."""
    older = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1, hash_len=4, salt_len=8)
    hashed = hash_password("correct horse battery", hasher=older)
    assert verify_password(hashed, "correct horse battery", hasher=hasher)
    assert needs_rehash(hashed, hasher=hasher) is True


@pytest.mark.parametrize("hashed", ["", "not a hash", "$argon2id$é"])
def test_an_unreadable_hash_needs_a_rehash(hasher: SpyHasher, hashed: str) -> None:
    """A hash that cannot be read is reported as needing a rehash, without raising."""
    assert needs_rehash(hashed, hasher=hasher) is True


def test_verify_dummy_is_false_and_really_runs_the_hasher(hasher: SpyHasher) -> None:
    """Checking an unknown user costs one argon2 verification with the hasher's own parameters."""
    assert verify_dummy("correct horse battery", hasher=hasher) is False
    assert len(hasher.verified) == 1
    assert extract_parameters(hasher.verified[0]) == extract_parameters(
        hash_password("x", hasher=hasher)
    )


def test_the_dummy_hash_is_made_once_and_reused(hasher: SpyHasher) -> None:
    """Repeated unknown-user checks verify against one constant hash, hashed a single time."""
    for attempt in ["one", "two", "three"]:
        assert verify_dummy(attempt, hasher=hasher) is False
    assert hasher.hashed == 1
    assert len(set(hasher.verified)) == 1 and len(hasher.verified) == 3


def test_verify_dummy_survives_any_password(hasher: SpyHasher) -> None:
    """Even an unencodable password gives False rather than an error."""
    assert verify_dummy("\udcff", hasher=hasher) is False
