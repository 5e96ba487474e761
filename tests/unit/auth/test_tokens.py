"""API tokens: shown once, stored as a digest, found by prefix, scoped from a small vocabulary."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.auth.tokens import (
    PREFIX_LENGTH,
    SCOPES,
    format_scopes,
    new_token,
    parse_scopes,
    split_prefix,
    token_digest,
    token_matches,
)
from tocsin.errors import InvalidValue, TocsinError
from tocsin.model.people import Principal


def test_a_new_token_is_secret_prefix_and_digest() -> None:
    """The secret is ``tocsin_`` and 43 random characters; the prefix and digest derive from it."""
    secret, prefix, digest = new_token()
    assert re.fullmatch(r"tocsin_[A-Za-z0-9_-]{43}", secret)
    assert len(prefix) == PREFIX_LENGTH and prefix == secret[7:15]
    assert digest == hashlib.sha256(secret.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)


def test_new_tokens_differ() -> None:
    """Two tokens share neither secret nor digest."""
    first, second = new_token(), new_token()
    assert first[0] != second[0] and first[2] != second[2]


def test_the_prefix_of_a_presented_token_finds_its_row() -> None:
    """``split_prefix`` gives back the prefix stored when the token was made."""
    secret, prefix, _ = new_token()
    assert split_prefix(secret) == prefix


@pytest.mark.parametrize(
    "text",
    [
        "",
        "tocsin_",
        "tocsin_short",
        "ghp_" + "a" * 36,
        "TOCSIN_" + "a" * 43,
        "tocsin_" + "a" * 42 + "!",
        "tocsin_" + "a" * 44,
        " tocsin_" + "a" * 43,
        "tocsin_" + "a" * 43 + "\n",
        "Bearer tocsin_" + "a" * 43,
    ],
)
def test_text_not_shaped_like_a_token_has_no_prefix(text: str) -> None:
    """Anything but ``tocsin_`` and exactly 43 URL-safe characters is not looked up at all."""
    assert split_prefix(text) is None


def test_the_digest_matches_only_its_own_secret() -> None:
    """A stored digest accepts its secret and refuses another token's."""
    secret, _, digest = new_token()
    other, _, _ = new_token()
    assert token_matches(secret, digest)
    assert not token_matches(other, digest)
    assert token_digest(secret) == digest


@pytest.mark.parametrize("digest", ["", "é" * 64, "\udcff", "0" * 64])
def test_a_bad_stored_digest_is_false_not_an_error(digest: str) -> None:
    """An empty, non-ASCII or wrong digest never matches and never raises."""
    assert token_matches(new_token()[0], digest) is False


@given(st.text())
def test_any_text_digests_without_error(text: str) -> None:
    """Whatever a client sends as a token can be digested (and then not found)."""
    assert re.fullmatch(r"[0-9a-f]{64}", token_digest(text))


def test_scopes_are_read_write_admin() -> None:
    """The vocabulary is three words, and covers what principals get by default."""
    assert frozenset({"read", "write", "admin"}) == SCOPES
    assert Principal.system().scopes <= SCOPES


@pytest.mark.parametrize(
    ("text", "scopes"),
    [
        ("read,write", {"read", "write"}),
        ("read", {"read"}),
        (" Read , ADMIN ,", {"read", "admin"}),
        ("read,read", {"read"}),
    ],
)
def test_scopes_parse_from_a_comma_list(text: str, scopes: set[str]) -> None:
    """Spaces, case, repeats and a trailing comma are forgiven."""
    assert parse_scopes(text) == frozenset(scopes)


@pytest.mark.parametrize("text", ["delete", "read,delete", "read;write", "*", "read write"])
def test_unknown_scopes_are_refused(text: str) -> None:
    """An unknown scope is an ``InvalidValue`` (a ``ValueError``, a ``TocsinError``) naming it."""
    with pytest.raises(InvalidValue) as caught:
        parse_scopes(text)
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, TocsinError)
    assert caught.value.field == "scopes" and "known: admin,read,write" in str(caught.value)


@pytest.mark.parametrize("text", ["", " ", ",,"])
def test_no_scope_at_all_is_refused(text: str) -> None:
    """A token that may do nothing is refused when it is asked for."""
    with pytest.raises(InvalidValue, match="at least one"):
        parse_scopes(text)


@given(st.sets(st.sampled_from(sorted(SCOPES)), min_size=1))
def test_formatted_scopes_parse_back(scopes: set[str]) -> None:
    """``parse_scopes(format_scopes(s)) == s`` for every non-empty set of scopes."""
    assert parse_scopes(format_scopes(frozenset(scopes))) == scopes
