"""The secret key that sessions and CSRF tokens are signed with: checked before it is used."""

from __future__ import annotations

import secrets

from tocsin.errors import ConfigError

MIN_SECRET_KEY_LENGTH = 32


def new_secret_key() -> str:
    """A fresh random key (256 bits, URL-safe text) for the ``secret_key`` setting."""
    return secrets.token_urlsafe(32)


def check_secret_key(secret_key: str) -> str:
    """The key itself when long enough to sign with; a ``ConfigError`` (never showing it) if not."""
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(
            f"secret_key must be at least {MIN_SECRET_KEY_LENGTH} characters "
            "(set TOCSIN_SECRET_KEY to a long random value)"
        )
    return secret_key
