"""The TOTP second factor: RFC 6238 codes, checked at an injected time, each usable only once."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.auth.totp import (
    STEP_SECONDS,
    new_secret,
    provisioning_uri,
    verify,
    verify_once,
)
from tocsin.errors import InvalidValue

# RFC 6238 appendix B: the SHA-1 seed "12345678901234567890"; its 8-digit codes, last 6 digits here.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [
    (59, "287082"),
    (1111111109, "081804"),
    (1111111111, "050471"),
    (1234567890, "005924"),
    (2000000000, "279037"),
    (20000000000, "353130"),
]
NOW = 1_800_000_000.0  # a step boundary: 1_800_000_000 / 30 = 60_000_000


def code_at(when: float, secret: str = RFC_SECRET) -> str:
    return pyotp.TOTP(secret).at(when)


@pytest.mark.parametrize(("when", "code"), RFC_VECTORS)
def test_rfc_6238_vectors_verify(when: int, code: str) -> None:
    """The RFC's published codes are accepted at their times, without any drift allowance."""
    assert verify(RFC_SECRET, code, when, valid_window=0)


def test_spaces_in_a_code_are_ignored() -> None:
    """A code typed as the apps show it ("287 082") is accepted."""
    assert verify(RFC_SECRET, " 287 082 ", 59)


def test_one_step_of_drift_is_allowed_by_default() -> None:
    """The previous and next steps' codes pass with the default window, and not with window 0."""
    for offset in (-STEP_SECONDS, STEP_SECONDS):
        assert verify(RFC_SECRET, code_at(NOW + offset), NOW)
        assert not verify(RFC_SECRET, code_at(NOW + offset), NOW, valid_window=0)


def test_a_code_two_steps_old_is_refused() -> None:
    """A code from a minute ago is outside the default window."""
    assert not verify(RFC_SECRET, code_at(NOW - 2 * STEP_SECONDS), NOW)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "28708",
        "2870820",
        "28708a",
        "+28708",
        "abcdef",
        "２８７０８２",
        "٢٨٧٠٨٢",
        "287082\n",
        "0x1234",
    ],
)
def test_anything_but_six_ascii_digits_is_refused(code: str) -> None:
    """Short, long, lettered and non-ASCII-digit codes are refused by both checks."""
    assert verify(RFC_SECRET, code, 59) is False
    assert verify_once(RFC_SECRET, code, 59, None) is None


def test_a_wrong_code_is_refused() -> None:
    """A well-formed code that is not the current one is refused."""
    wrong = f"{(int(code_at(NOW)) + 1) % 1_000_000:06d}"
    assert not verify(RFC_SECRET, wrong, NOW)
    assert verify_once(RFC_SECRET, wrong, NOW, None) is None


def test_verify_once_returns_the_step_and_refuses_a_replay() -> None:
    """A code gives its time step once; the same code again, with that step stored, is refused."""
    code = code_at(NOW)
    step = verify_once(RFC_SECRET, code, NOW, None)
    assert step == int(NOW) // STEP_SECONDS
    assert verify_once(RFC_SECRET, code, NOW + 5, step) is None


def test_an_older_code_still_in_the_window_is_refused_after_a_newer_one() -> None:
    """Once a step is used, a code from an earlier step cannot be slipped in within the window."""
    step = verify_once(RFC_SECRET, code_at(NOW), NOW, None)
    assert verify(RFC_SECRET, code_at(NOW - STEP_SECONDS), NOW)  # right, but...
    assert verify_once(RFC_SECRET, code_at(NOW - STEP_SECONDS), NOW, step) is None


def test_the_next_code_is_accepted_after_one_was_used() -> None:
    """Using a code does not block the following step's code."""
    step = verify_once(RFC_SECRET, code_at(NOW), NOW, None)
    assert step is not None
    later = NOW + STEP_SECONDS
    assert verify_once(RFC_SECRET, code_at(later), later, step) == step + 1


@given(when=st.floats(min_value=1e9, max_value=4e9), offset=st.sampled_from([-1, 0, 1]))
def test_any_code_in_the_window_verifies_once(when: float, offset: int) -> None:
    """At any time, a code of a step within the window is accepted once and then refused."""
    code = pyotp.TOTP(RFC_SECRET).at(when, counter_offset=offset)
    assert verify(RFC_SECRET, code, when)
    step = verify_once(RFC_SECRET, code, when, None)
    assert step == int(when) // STEP_SECONDS + offset
    assert verify_once(RFC_SECRET, code, when, step) is None


def test_new_secrets_are_160_bit_base32_and_distinct() -> None:
    """A new secret decodes to 20 random bytes and works at once."""
    first, second = new_secret(), new_secret()
    assert len(base64.b32decode(first)) == 20
    assert first != second
    assert verify(first, code_at(NOW, first), NOW)


def test_the_provisioning_uri_is_what_authenticator_apps_read() -> None:
    """The URI names the issuer and the user, carries the secret, and yields the same codes."""
    secret = new_secret()
    uri = provisioning_uri(secret, "alice@cert.example")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Tocsin:alice%40cert.example"
    query = parse_qs(parts.query)
    assert query["secret"] == [secret] and query["issuer"] == ["Tocsin"]
    parsed = pyotp.parse_uri(uri)
    assert isinstance(parsed, pyotp.TOTP) and parsed.at(NOW) == code_at(NOW, secret)


def test_the_issuer_can_be_named() -> None:
    """A national team can show its own name in the app."""
    assert "issuer=CERT-XY" in provisioning_uri(new_secret(), "bob", issuer="CERT-XY")


@pytest.mark.parametrize("secret", ["not base32!", "AAAA", "ABCDEFGH"])
def test_an_unusable_secret_is_an_error_that_hides_it(secret: str) -> None:
    """A stored secret that is not base32 or too short is an ``InvalidValue`` without its text."""
    with pytest.raises(InvalidValue) as caught:
        verify(secret, "123456", NOW)
    assert caught.value.field == "totp_secret"
    assert secret not in str(caught.value)


@pytest.mark.parametrize("window", [-1, 11])
def test_an_unreasonable_window_is_refused(window: int) -> None:
    """A negative or huge drift allowance is a programming error, not a silent False or True."""
    with pytest.raises(InvalidValue):
        verify(RFC_SECRET, code_at(NOW), NOW, valid_window=window)
