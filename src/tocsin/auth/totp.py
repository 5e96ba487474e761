"""The optional second factor: time-based one-time passwords (RFC 6238) from authenticator apps.

Six digits, SHA-1, 30-second steps: what every authenticator app expects. The time is always
passed in. ``verify_once`` returns the time step a code belonged to; the caller stores it and passes
it back next time, so a code (or an older one still inside the window) cannot be used twice.
"""

from __future__ import annotations

import re

import pyotp
from pyotp.exceptions import OTPVerificationError

from tocsin.errors import InvalidValue

DIGITS = 6
STEP_SECONDS = 30
_CODE = re.compile(r"[0-9]{6}")


def new_secret() -> str:
    """A fresh random base32 secret (160 bits) to store with the user and show once as a QR code."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str = "Tocsin") -> str:
    """The ``otpauth://`` URI an authenticator app reads (from a QR code) to add this account."""
    return _totp(secret).provisioning_uri(name=username, issuer_name=issuer)


def verify(secret: str, code: str, now: float, valid_window: int = 1) -> bool:
    """Whether ``code`` is right at ``now``, allowing ``valid_window`` steps of drift each way.

    Anything but six ASCII digits (spaces ignored) is refused without computing anything.
    """
    normalised = _normalise(code)
    if normalised is None:
        return False
    return _totp(secret).verify(normalised, for_time=now, valid_window=_window(valid_window))


def verify_once(
    secret: str, code: str, now: float, last_used_step: int | None, valid_window: int = 1
) -> int | None:
    """The step ``code`` belongs to if it is right and newer than ``last_used_step``; else None.

    Store the step returned and pass it back next time: a replayed code, or an older code that is
    still inside the window, is refused.
    """
    normalised = _normalise(code)
    if normalised is None:
        return None
    try:
        step = _totp(secret).verify_and_get_timecode(
            normalised, for_time=now, valid_window=_window(valid_window)
        )
    except OTPVerificationError:
        return None
    if last_used_step is not None and step <= last_used_step:
        return None
    return step


def _normalise(code: str) -> str | None:
    text = code.replace(" ", "")
    return text if _CODE.fullmatch(text) else None


def _window(valid_window: int) -> int:
    if not 0 <= valid_window <= 10:
        raise InvalidValue("valid_window", valid_window, "0 to 10 steps")
    return valid_window


def _totp(secret: str) -> pyotp.TOTP:
    try:
        return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    except ValueError:  # binascii.Error included; the secret itself is never shown
        raise InvalidValue("totp_secret", "(hidden)", "not base32 of at least 112 bits") from None
