"""API tokens: a secret shown once, stored as its SHA-256 digest, with a prefix to tell it apart.

A token reads ``tocsin_`` followed by 43 URL-safe characters (256 random bits). Its prefix is the
first 8 of those characters: stored in clear (``ApiToken.prefix``) so people can tell tokens apart
and the store can find the row; the digest is what proves the token. A slow hash is not needed:
the secret is random, not chosen by a person.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from tocsin.errors import InvalidValue

MARKER = "tocsin_"
PREFIX_LENGTH = 8
SCOPES = frozenset({"read", "write", "admin"})
_SHAPE = re.compile(r"tocsin_[A-Za-z0-9_-]{43}")


def new_token() -> tuple[str, str, str]:
    """A fresh token as (the secret to show once, its 8-character prefix, its digest to store)."""
    secret = MARKER + secrets.token_urlsafe(32)
    return secret, secret[len(MARKER) : len(MARKER) + PREFIX_LENGTH], token_digest(secret)


def token_digest(secret: str) -> str:
    """The SHA-256 hex digest of the secret: the only form of it that is stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def split_prefix(secret: str) -> str | None:
    """The prefix to look the token up by; None when the text is not shaped like a Tocsin token."""
    if not _SHAPE.fullmatch(secret):
        return None
    return secret[len(MARKER) : len(MARKER) + PREFIX_LENGTH]


def token_matches(secret: str, digest: str) -> bool:
    """Whether ``secret`` is the token stored as ``digest``, compared in constant time."""
    return hmac.compare_digest(token_digest(secret).encode(), digest.encode("utf-8", "replace"))


def parse_scopes(text: str) -> frozenset[str]:
    """Scopes from a comma-separated list (``"read,write"``); ``InvalidValue`` for unknown ones."""
    scopes = frozenset(part.strip().lower() for part in text.split(",") if part.strip())
    if not scopes:
        raise InvalidValue("scopes", text, f"at least one of {format_scopes(SCOPES)}")
    unknown = scopes - SCOPES
    if unknown:
        raise InvalidValue(
            "scopes", text, f"unknown {format_scopes(unknown)}; known: {format_scopes(SCOPES)}"
        )
    return scopes


def format_scopes(scopes: frozenset[str]) -> str:
    """Scopes as a sorted comma-separated list, the form ``parse_scopes`` reads back."""
    return ",".join(sorted(scopes))
