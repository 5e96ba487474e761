"""A login rate limiter: at most ``limit`` attempts per key in any sliding window of time.

The caller picks the keys (one limiter per username, one per client address, say) and passes the
time in (``time.monotonic()`` in production; it must never go backwards). Refused attempts are not
counted, so a blocked key is free again one window after its oldest counted attempt. Memory is
bounded: a key idle for a whole window is forgotten, and beyond ``max_keys`` the longest-idle key
is dropped.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque

from tocsin.errors import InvalidValue


class RateLimiter:
    """A sliding-window log per key, keys kept in the order of their latest counted attempt."""

    def __init__(self, limit: int, window_seconds: float, max_keys: int = 100_000) -> None:
        if limit < 1:
            raise InvalidValue("limit", limit, "at least 1 attempt")
        if not window_seconds > 0:
            raise InvalidValue("window_seconds", window_seconds, "a positive number of seconds")
        if max_keys < 1:
            raise InvalidValue("max_keys", max_keys, "at least 1 key")
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def hit(self, key: str, now: float) -> bool:
        """Count an attempt for ``key`` at ``now`` and say whether it is allowed (True) or not."""
        self._forget_idle(now)
        hits = self._recent(key, now)
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        self._hits[key] = hits
        self._hits.move_to_end(key)
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        return True

    def retry_after(self, key: str, now: float) -> int:
        """Whole seconds until ``key`` may try again (0 when it may now): for ``Retry-After``."""
        hits = self._recent(key, now)
        if len(hits) < self.limit:
            return 0
        return max(1, math.ceil(hits[0] + self.window - now))

    def reset(self, key: str) -> None:
        """Forget ``key``'s attempts (after a successful login, for the username's limiter)."""
        self._hits.pop(key, None)

    def __len__(self) -> int:
        """How many keys are remembered."""
        return len(self._hits)

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key) or deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _forget_idle(self, now: float) -> None:
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if hits and hits[-1] > now - self.window:
                break
            del self._hits[key]
