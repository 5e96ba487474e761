"""Session tokens: what is signed reads back; anything tampered, expired or malformed is None."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tocsin.auth.sessions import MAX_TOKEN_LENGTH, SALT, CookiePolicy, SessionSigner
from tocsin.errors import ConfigError, InvalidValue

KEY = "k" * 40
T0 = 1_800_000_000.0
MAX_AGE = 3600
B64 = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


class Clock:
    """A clock that stands still until moved."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def signer(clock: Clock | None = None, key: str = KEY) -> SessionSigner:
    return SessionSigner(key, MAX_AGE, clock=clock or Clock())


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
json_dicts = st.dictionaries(st.text(max_size=10), json_values, max_size=5)


@given(data=json_dicts)
def test_any_json_dict_reads_back_as_signed(data: dict[str, Any]) -> None:
    """loads(dumps(x)) == x for every JSON-able dict."""
    sessions = signer()
    assert sessions.loads(sessions.dumps(data)) == data


@given(data=st.fixed_dictionaries({"uid": st.integers(1, 10**6)}), where=st.data())
def test_any_changed_character_is_refused(data: dict[str, Any], where: st.DataObject) -> None:
    """Replacing any one character of a token with any other makes it unreadable."""
    sessions = signer()
    token = sessions.dumps(data)
    index = where.draw(st.integers(0, len(token) - 1))
    other = where.draw(st.characters().filter(lambda c: c != token[index]))
    assert sessions.loads(token[:index] + other + token[index + 1 :]) is None


def test_the_last_signature_character_has_no_spare_spellings() -> None:
    """A signature differing only in base64's unused low bits is refused, not read as the same."""
    sessions = signer()
    token = sessions.dumps({"uid": 7})
    last = B64.index(token[-1])
    for twin in (B64[last ^ 1], B64[last ^ 2], B64[last ^ 3]):
        assert sessions.loads(token[:-1] + twin) is None


def test_a_token_expires_after_max_age() -> None:
    """A token reads at exactly max_age seconds old and not a second later."""
    clock = Clock()
    sessions = signer(clock)
    token = sessions.dumps({"uid": 7})
    assert sessions.loads(token, now=T0 + MAX_AGE) == {"uid": 7}
    assert sessions.loads(token, now=T0 + MAX_AGE + 1) is None
    clock.now = T0 + MAX_AGE + 1
    assert sessions.loads(token) is None  # without ``now``, the injected clock decides


def test_a_token_from_the_future_is_refused() -> None:
    """A token dated after the time of reading (a clock set wrong, or forged) is refused."""
    token = signer(Clock(T0 + 60)).dumps({"uid": 7})
    assert signer(Clock(T0)).loads(token) is None


def test_a_token_signed_with_another_key_is_refused() -> None:
    """A token from another installation (another secret key) is not a session here."""
    token = signer(key="x" * 40).dumps({"uid": 7})
    assert signer().loads(token) is None


class FixedTimeSigner(TimestampSigner):
    """itsdangerous' timestamp signer stuck at T0, to make tokens outside ``SessionSigner``."""

    def get_timestamp(self) -> int:
        return int(T0)


def serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        KEY, salt=salt, signer=FixedTimeSigner, signer_kwargs={"digest_method": hashlib.sha256}
    )


def test_the_outside_serializer_matches_ours() -> None:
    """A token made by plain itsdangerous with our key, salt and digest reads back (control)."""
    assert signer().loads(serializer(SALT).dumps({"uid": 7})) == {"uid": 7}


def test_a_token_signed_for_another_purpose_is_refused() -> None:
    """The same key with another salt (another use of itsdangerous) does not make a session."""
    assert signer().loads(serializer("password-reset").dumps({"uid": 7})) is None


def test_a_payload_moved_under_another_signature_is_refused() -> None:
    """Swapping one token's data onto another token's timestamp and signature fails."""
    sessions = signer()
    mine = sessions.dumps({"uid": 7}).split(".")
    theirs = sessions.dumps({"uid": 1}).split(".")
    assert sessions.loads(".".join([theirs[0], *mine[1:]])) is None


def test_a_signed_value_that_is_not_a_dict_is_refused() -> None:
    """Only a dict is a session, even when correctly signed with our key and salt."""
    assert signer().loads(serializer(SALT).dumps([1, 2])) is None


@pytest.mark.parametrize(
    "token",
    ["", ".", "..", "abc", "a.b.c", "é.é.é", "\udcff", "x" * (MAX_TOKEN_LENGTH + 1), "=.=.="],
)
def test_malformed_tokens_are_none_not_errors(token: str) -> None:
    """Empty, garbled, non-ASCII, unencodable or oversized input is None, without raising."""
    assert signer().loads(token) is None


def test_data_too_big_for_a_cookie_is_refused_when_signing() -> None:
    """Signing data that no browser would keep is an error, not a silently dropped cookie."""
    with pytest.raises(InvalidValue, match="too big"):
        signer().dumps({"blob": secrets.token_hex(3000)})


def test_a_short_secret_key_is_refused() -> None:
    """Sessions are not signed with an empty or short key."""
    with pytest.raises(ConfigError):
        SessionSigner("", MAX_AGE)


def test_a_max_age_below_one_second_is_refused() -> None:
    """A session that is expired on arrival is a configuration mistake."""
    with pytest.raises(InvalidValue):
        SessionSigner(KEY, 0)


def test_the_cookie_policy_over_https() -> None:
    """Over https the cookie is Secure, HttpOnly, SameSite=Lax, Path=/ and ``__Host-`` named."""
    policy = CookiePolicy.for_scheme("HTTPS", max_age=MAX_AGE)
    assert (policy.secure, policy.http_only, policy.same_site, policy.path) == (
        True,
        True,
        "lax",
        "/",
    )
    assert policy.name == "__Host-tocsin_session"
    assert policy.max_age == MAX_AGE


def test_the_cookie_policy_over_plain_http() -> None:
    """Over plain http (a local console) the cookie cannot be Secure, so it drops the prefix too."""
    policy = CookiePolicy.for_scheme("http", max_age=MAX_AGE)
    assert (policy.secure, policy.http_only, policy.same_site) == (False, True, "lax")
    assert policy.name == "tocsin_session"


def test_the_cookie_policy_is_frozen() -> None:
    """Nobody loosens the attributes of a policy once made."""
    policy = CookiePolicy.for_scheme("https", max_age=MAX_AGE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.http_only = False  # type: ignore[misc]
