"""The secret key: refused when too short to sign with, and never shown in the error."""

from __future__ import annotations

import pytest

from tocsin.auth.keys import MIN_SECRET_KEY_LENGTH, check_secret_key, new_secret_key
from tocsin.errors import ConfigError
from tocsin.settings import Settings


def test_a_new_key_is_long_enough_and_random() -> None:
    """Generated keys pass the check and two of them differ."""
    first, second = new_secret_key(), new_secret_key()
    assert check_secret_key(first) == first
    assert len(first) >= MIN_SECRET_KEY_LENGTH
    assert first != second


def test_the_default_setting_is_refused() -> None:
    """The unset ``secret_key`` (empty) is a configuration error, not a weak key used silently."""
    with pytest.raises(ConfigError, match="TOCSIN_SECRET_KEY"):
        check_secret_key(Settings().secret_key)


def test_a_short_key_is_refused_without_being_shown() -> None:
    """A key one character too short is refused and its text is not in the message."""
    key = "s3cr3t-" + "k" * (MIN_SECRET_KEY_LENGTH - 8)
    with pytest.raises(ConfigError) as caught:
        check_secret_key(key)
    assert key not in str(caught.value)
