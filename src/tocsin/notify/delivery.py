"""What became of a message (sent, deferred, failed) and the pace of what goes next: the wait
before another attempt (``backoff``) and the messages per recipient domain (``DomainLimiter``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tocsin.auth.ratelimit import RateLimiter
from tocsin.errors import InvalidValue


class Outcome(StrEnum):
    """What became of a message, as the notice records it."""

    SENT = "sent"
    DEFERRED = "deferred"  # a temporary problem: try again later (see ``backoff``)
    FAILED = "failed"  # a permanent one: sending the same message again will not help


@dataclass(frozen=True)
class Delivery:
    """What became of one message. ``detail`` is the server's last reply or the error, on one
    line, without the password; ``refused`` maps each refused recipient to its reply (``"550
    5.1.1 ..."``): the others got the message when the outcome is SENT."""

    outcome: Outcome
    detail: str
    refused: Mapping[str, str] = field(default_factory=dict, hash=False)
    message_id: str = ""


def backoff(attempt: int, *, base: int = 300, cap: int = 6 * 3600) -> int:
    """Seconds to wait after attempt ``attempt`` (1 for the first) failed: ``base`` doubled at
    each attempt, at most ``cap``. Deterministic, so the next attempt can be shown; the pace per
    domain (``DomainLimiter``) already spreads a crowd of retries over time."""
    if attempt < 1:
        raise InvalidValue("attempt", attempt, "1 or more")
    if not 0 < base <= cap:
        raise InvalidValue("base", base, f"a positive number of seconds, at most cap ({cap})")
    return min(cap, base << min(attempt - 1, 64))


class DomainLimiter:
    """At most ``limit`` messages per recipient domain in any sliding window of
    ``window_seconds``; the time is passed in and must never go backwards."""

    def __init__(self, limit: int, window_seconds: float, max_domains: int = 100_000) -> None:
        self._limiter = RateLimiter(limit, window_seconds, max_domains)

    def allow(self, address: str, now: float) -> bool:
        """Whether a message to ``address`` may go now; a yes counts it, a no does not."""
        return self._limiter.hit(_domain(address), now)

    def wait(self, address: str, now: float) -> int:
        """Whole seconds until a message to ``address`` may go (0: now)."""
        return self._limiter.retry_after(_domain(address), now)


def _domain(address: str) -> str:
    # A malformed address counts as a domain of its own: ``deliver`` fails it, nothing raises.
    return address.strip().rpartition("@")[2].rstrip(".").lower()
