"""CSRF tokens: one per session, unguessable without the key, checked in constant time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.auth.csrf import check_csrf, csrf_token
from tocsin.errors import ConfigError, InvalidValue

KEY = "k" * 40
SESSION = "3f2a9c"


def test_a_token_is_43_url_safe_characters() -> None:
    """The token fits a form field or a header as it is: URL-safe base64 of 32 bytes, no padding."""
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", csrf_token(SESSION, KEY))


def test_the_token_is_stable_for_a_session() -> None:
    """Every page of one session carries the same token, so several open tabs all work."""
    assert csrf_token(SESSION, KEY) == csrf_token(SESSION, KEY)
    assert check_csrf(csrf_token(SESSION, KEY), SESSION, KEY)


def test_another_sessions_token_is_refused() -> None:
    """A token taken from one session does not pass for another."""
    assert not check_csrf(csrf_token("other-session", KEY), SESSION, KEY)


def test_a_token_made_with_another_key_is_refused() -> None:
    """Without the secret key nobody can make the token for a session id they know."""
    assert not check_csrf(csrf_token(SESSION, "x" * 40), SESSION, KEY)


def test_the_token_is_not_a_plain_hmac_of_the_session_id() -> None:
    """The MAC is labelled for CSRF, so no other HMAC of the same key and id can stand in for it."""
    plain = hmac.new(KEY.encode(), SESSION.encode(), hashlib.sha256).digest()
    assert csrf_token(SESSION, KEY) != base64.urlsafe_b64encode(plain).rstrip(b"=").decode()


@pytest.mark.parametrize("token", ["", "x", "é" * 43, "\udcff" * 43, "=" * 43])
def test_malformed_tokens_are_false_not_errors(token: str) -> None:
    """Empty, short, non-ASCII or unencodable submissions are False, without raising."""
    assert check_csrf(token, SESSION, KEY) is False


def test_no_session_means_no_valid_token() -> None:
    """An empty session id passes no check and gets no token."""
    assert check_csrf(csrf_token(SESSION, KEY), "", KEY) is False
    with pytest.raises(InvalidValue):
        csrf_token("", KEY)


def test_a_short_key_is_refused() -> None:
    """CSRF tokens are not made with an empty or short key."""
    with pytest.raises(ConfigError):
        csrf_token(SESSION, "short")


def test_the_check_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The submitted token is compared with ``hmac.compare_digest``, not ``==``."""
    calls: list[tuple[bytes, bytes]] = []
    real: Callable[[bytes, bytes], bool] = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert check_csrf(csrf_token(SESSION, KEY), SESSION, KEY)
    assert len(calls) == 1


@given(session_id=st.text(min_size=1), other=st.text())
def test_only_the_sessions_own_token_passes(session_id: str, other: str) -> None:
    """For any session id, its token passes and any other text fails."""
    token = csrf_token(session_id, KEY)
    assert check_csrf(token, session_id, KEY)
    assert check_csrf(other, session_id, KEY) is (other == token)


def test_changing_any_character_fails() -> None:
    """A token with any one character replaced by any other URL-safe character is refused."""
    good = csrf_token(SESSION, KEY)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index, original in enumerate(good):
        for other in alphabet.replace(original, ""):
            assert not check_csrf(good[:index] + other + good[index + 1 :], SESSION, KEY)
