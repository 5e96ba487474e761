"""Log-in throttling that slows a guesser without letting a stranger lock the owner out.

Three sliding-window limits (``ratelimit.RateLimiter``) are checked before a password is:

- per user name and address: a handful of tries (``pair``), the limit a guesser meets first;
- per address: more (``address``), as several people may share one (an office, a NAT); an IPv6
  client counts by its /64, since one host commonly holds a whole /64 and could otherwise take a
  fresh address for every try;
- per user name: many more (``user``), against guessing one account from many addresses. This one
  never refuses an address the user has logged in from before (``trust_seconds``), nor a client
  the caller vouches for (a browser holding the user's device cookie): someone who knows only the
  name and rotates addresses cannot keep the owner out.

Only the (user, address) count is forgotten after a success: a guesser holding one good account
cannot clear their address's count by logging into it. Times are passed in (the injected clock).
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from dataclasses import dataclass

from tocsin.auth.ratelimit import RateLimiter
from tocsin.errors import TooManyAttempts


@dataclass(frozen=True, slots=True)
class Limits:
    pair: int = 5  # tries per user name and address, per window
    address: int = 20  # tries per address (an IPv6 /64), per window
    user: int = 100  # tries per user name from addresses it never logged in from, per window
    window: int = 300  # seconds
    trust_seconds: int = 30 * 86_400  # how long a successful address stays trusted for its user
    max_trusted: int = 100_000  # (user, address) pairs remembered at most


def network(client: str) -> str:
    """The address a client counts as: itself, an IPv6 one by its /64 (an IPv4-mapped IPv6
    address as its IPv4), anything unreadable as given."""
    try:
        address = ipaddress.ip_address(client.strip())
    except ValueError:
        return client.strip()
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class LoginThrottle:
    """Decides whether a log-in attempt may be checked, and remembers where logins succeeded."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        window = self.limits.window
        self._pairs = RateLimiter(self.limits.pair, window)
        self._addresses = RateLimiter(self.limits.address, window)
        self._users = RateLimiter(self.limits.user, window)
        self._trusted: OrderedDict[tuple[str, str], int] = OrderedDict()

    def attempt(self, user: str, client: str, now: int, *, vouched: bool = False) -> None:
        """Count an attempt for ``user`` from ``client``; TooManyAttempts when one of the limits
        that applies is reached. An unknown address (``client`` empty) has no count of its own:
        it is never pooled with other users' attempts."""
        where = network(client)
        checks: list[tuple[RateLimiter, str]] = [(self._pairs, f"{user}\0{where}")]
        if where:
            checks.append((self._addresses, where))
        if not vouched and not self._is_trusted(user, where, now):
            checks.append((self._users, user))
        refused = [(limiter, key) for limiter, key in checks if not limiter.hit(key, now)]
        if refused:
            raise TooManyAttempts(max(limiter.retry_after(key, now) for limiter, key in refused))

    def succeeded(self, user: str, client: str, now: int) -> None:
        """A right password (and code): forget this pair's count and trust the address."""
        where = network(client)
        self._pairs.reset(f"{user}\0{where}")
        if where:
            self._trusted[(user, where)] = now
            self._trusted.move_to_end((user, where))
            while len(self._trusted) > self.limits.max_trusted:
                self._trusted.popitem(last=False)

    def _is_trusted(self, user: str, where: str, now: int) -> bool:
        since = self._trusted.get((user, where))
        return since is not None and now - since <= self.limits.trust_seconds
