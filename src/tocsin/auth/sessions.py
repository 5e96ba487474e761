"""Session tokens for cookies: signed with the secret key, dated, and refused once too old.

The token is itsdangerous' URL-safe timed format (JSON payload, timestamp, HMAC-SHA256 signature)
with a salt of its own, so a token signed for another purpose with the same key is refused. The
clock is injected; ``loads`` also takes the time explicitly. How the cookie is set is the web
layer's job: ``CookiePolicy`` holds the attributes it must use.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode

from tocsin.auth.keys import check_secret_key
from tocsin.errors import InvalidValue

SALT = "tocsin.session"
MAX_TOKEN_LENGTH = 4000  # browsers drop cookies over about 4096 bytes, name and attributes included


@dataclass(frozen=True, slots=True)
class CookiePolicy:
    """The session cookie's attributes: HttpOnly, SameSite=Lax, Secure whenever served over https.

    A secure cookie takes the ``__Host-`` prefix, which browsers accept only with Secure, Path=/
    and no Domain: a sibling subdomain then cannot plant a session cookie.
    """

    secure: bool
    max_age: int
    http_only: bool = True
    same_site: Literal["lax"] = "lax"
    path: str = "/"

    @classmethod
    def for_scheme(cls, scheme: str, max_age: int) -> CookiePolicy:
        return cls(secure=scheme.lower() == "https", max_age=max_age)

    @property
    def name(self) -> str:
        return "__Host-tocsin_session" if self.secure else "tocsin_session"


class _ClockedSigner(TimestampSigner):
    """itsdangerous' timestamp signer, reading the time from an injected clock."""

    def __init__(self, *args: Any, clock: Callable[[], float], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock())


class SessionSigner:
    """Signs session data into a token and reads it back while it is younger than ``max_age``."""

    def __init__(
        self, secret_key: str, max_age_seconds: int, clock: Callable[[], float] = time.time
    ) -> None:
        if max_age_seconds < 1:
            raise InvalidValue("max_age_seconds", max_age_seconds, "at least 1 second")
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._serializer = URLSafeTimedSerializer(
            check_secret_key(secret_key),
            salt=SALT,
            signer=_ClockedSigner,
            signer_kwargs={"clock": clock, "digest_method": hashlib.sha256},
        )

    def dumps(self, data: dict[str, Any]) -> str:
        """A token carrying ``data`` (JSON-able), dated now by the clock."""
        token = self._serializer.dumps(data)
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidValue("session", f"{len(token)} characters", "too big for a cookie")
        return token

    def loads(self, token: str, now: float | None = None) -> dict[str, Any] | None:
        """The data in ``token``; None (never an exception) when tampered, expired or malformed.

        A token dated after ``now`` is refused too; ``now`` defaults to the clock.
        """
        found = self.loads_aged(token, now)
        return None if found is None else found[0]

    def loads_aged(self, token: str, now: float | None = None) -> tuple[dict[str, Any], int] | None:
        """``loads``, with the token's age in whole seconds (for an idle timeout: a token
        signed afresh at every request is as old as the last request)."""
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or not _canonical(token):
            return None
        try:
            data, signed_at = self._serializer.loads(token, return_timestamp=True)
        except BadData:
            return None
        age = (self._clock() if now is None else now) - signed_at.timestamp()
        if not 0 <= age <= self.max_age_seconds or not isinstance(data, dict):
            return None
        return data, int(age)


def _canonical(token: str) -> bool:
    """Whether the signature is in its one canonical base64 spelling.

    Base64 leaves a few bits of the last character unused; without this check a token whose last
    character differs only in those bits would still be accepted as the same token.
    """
    signature = token.rpartition(".")[2]
    try:
        return base64_encode(base64_decode(signature)) == signature.encode("ascii")
    except BadData:
        return False
