"""The login rate limiter: at most ``limit`` attempts per key per sliding window, bounded memory."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tocsin.auth.ratelimit import RateLimiter
from tocsin.errors import InvalidValue

T0 = 1_000.0


def test_attempts_up_to_the_limit_are_allowed_then_refused() -> None:
    """Five attempts in a minute pass; the sixth is refused."""
    limiter = RateLimiter(limit=5, window_seconds=60)
    assert [limiter.hit("alice", T0 + i) for i in range(6)] == [True] * 5 + [False]


def test_retry_after_is_zero_while_allowed_then_counts_down() -> None:
    """Retry-After is 0 while attempts remain, then the whole seconds until the oldest expires."""
    limiter = RateLimiter(limit=2, window_seconds=60)
    assert limiter.retry_after("alice", T0) == 0
    limiter.hit("alice", T0)
    assert limiter.retry_after("alice", T0) == 0
    limiter.hit("alice", T0 + 10)
    assert limiter.retry_after("alice", T0 + 10) == 50
    assert limiter.retry_after("alice", T0 + 59.5) == 1
    assert limiter.retry_after("alice", T0 + 60) == 0


def test_the_window_slides() -> None:
    """An attempt stops counting exactly one window after it was made, not at a fixed boundary."""
    limiter = RateLimiter(limit=2, window_seconds=60)
    assert limiter.hit("alice", T0) and limiter.hit("alice", T0 + 30)
    assert not limiter.hit("alice", T0 + 59.9)
    assert limiter.hit("alice", T0 + 60)  # the first has expired
    assert not limiter.hit("alice", T0 + 61)  # the ones at +30 and +60 still count
    assert limiter.hit("alice", T0 + 90)


def test_refused_attempts_do_not_extend_the_block() -> None:
    """Hammering a blocked key does not push back the moment it is free again."""
    limiter = RateLimiter(limit=1, window_seconds=60)
    assert limiter.hit("alice", T0)
    assert not any(limiter.hit("alice", T0 + i) for i in range(1, 60))
    assert limiter.retry_after("alice", T0 + 59) == 1
    assert limiter.hit("alice", T0 + 60)


def test_asking_retry_after_is_not_an_attempt() -> None:
    """Reading the wait time does not use up an attempt."""
    limiter = RateLimiter(limit=1, window_seconds=60)
    for _ in range(10):
        assert limiter.retry_after("alice", T0) == 0
    assert limiter.hit("alice", T0)


def test_keys_are_counted_apart() -> None:
    """Blocking one username (or address) does not block another."""
    limiter = RateLimiter(limit=1, window_seconds=60)
    assert limiter.hit("alice", T0) and not limiter.hit("alice", T0)
    assert limiter.hit("bob", T0)
    assert limiter.hit("192.0.2.1", T0)


def test_reset_forgets_a_key() -> None:
    """After a successful login the username's count can be cleared."""
    limiter = RateLimiter(limit=1, window_seconds=60)
    limiter.hit("alice", T0)
    limiter.reset("alice")
    limiter.reset("never-seen")
    assert limiter.hit("alice", T0)


def test_idle_keys_are_forgotten() -> None:
    """Keys with no attempt in the last window are dropped: memory follows recent activity only."""
    limiter = RateLimiter(limit=3, window_seconds=60)
    for i in range(1_000):
        limiter.hit(f"203.0.113.{i}", T0 + i / 100)
    assert len(limiter) == 1_000
    limiter.hit("alice", T0 + 70)
    assert len(limiter) == 1


def test_a_key_emptied_by_retry_after_is_forgotten_too() -> None:
    """A key whose attempts all expired while being asked about is dropped like any idle key."""
    limiter = RateLimiter(limit=1, window_seconds=60)
    limiter.hit("alice", T0)
    assert limiter.retry_after("alice", T0 + 61) == 0
    limiter.hit("bob", T0 + 62)
    assert len(limiter) == 1


def test_the_number_of_keys_is_capped() -> None:
    """Beyond ``max_keys`` the longest-idle keys are dropped, the most recent ones kept."""
    limiter = RateLimiter(limit=1, window_seconds=3600, max_keys=10)
    for i in range(100):
        assert limiter.hit(f"user{i}", T0 + i)
    assert len(limiter) == 10
    assert not limiter.hit("user99", T0 + 100)  # recent: still remembered and blocked
    assert limiter.hit("user0", T0 + 100)  # evicted: counted afresh


@pytest.mark.parametrize(
    ("limit", "window", "max_keys"), [(0, 60, 10), (1, 0, 10), (1, -1, 10), (1, 60, 0)]
)
def test_nonsense_settings_are_refused(limit: int, window: float, max_keys: int) -> None:
    """A zero limit, a non-positive window or no room for keys is an ``InvalidValue``."""
    with pytest.raises(InvalidValue):
        RateLimiter(limit, window, max_keys=max_keys)


attempts = st.lists(
    st.tuples(st.sampled_from(["alice", "bob", "192.0.2.1"]), st.floats(0, 40)), max_size=60
)


@given(limit=st.integers(1, 4), window=st.floats(1, 100), steps=attempts)
def test_it_agrees_with_a_naive_sliding_window(
    limit: int, window: float, steps: list[tuple[str, float]]
) -> None:
    """An attempt is allowed exactly when fewer than ``limit`` allowed ones fall in the window."""
    limiter = RateLimiter(limit, window)
    allowed: dict[str, list[float]] = {}
    now = T0
    for key, pause in steps:
        now += pause
        recent = [t for t in allowed.get(key, []) if t > now - window]
        expected = len(recent) < limit
        assert limiter.hit(key, now) is expected
        if expected:
            allowed.setdefault(key, []).append(now)


@given(
    limit=st.integers(1, 4),
    window=st.integers(1, 100),
    steps=st.lists(st.tuples(st.sampled_from(["alice", "bob"]), st.integers(0, 40)), max_size=60),
)
def test_retry_after_is_exactly_long_enough(
    limit: int, window: int, steps: list[tuple[str, int]]
) -> None:
    """Waiting ``retry_after`` seconds lets the next attempt through; one second less does not."""
    limiter = RateLimiter(limit, window)
    now = T0
    for key, pause in steps:
        now += pause
        limiter.hit(key, now)
    wait = limiter.retry_after("alice", now)
    if wait:
        assert not limiter.hit("alice", now + wait - 1)
    assert limiter.hit("alice", now + wait)


@given(max_keys=st.integers(1, 5), keys=st.lists(st.text(max_size=3), max_size=50))
def test_memory_never_exceeds_max_keys(max_keys: int, keys: list[str]) -> None:
    """However many distinct keys arrive at once, at most ``max_keys`` are remembered."""
    limiter = RateLimiter(limit=2, window_seconds=60, max_keys=max_keys)
    for key in keys:
        limiter.hit(key, T0)
        assert len(limiter) <= max_keys
