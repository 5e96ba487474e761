"""The log-in throttle: which address a client counts as, and which limits apply to whom."""

from __future__ import annotations

import pytest

from tocsin.auth.throttle import Limits, LoginThrottle, network
from tocsin.errors import TooManyAttempts

T0 = 1_795_830_000


@pytest.mark.parametrize(
    ("client", "counted_as"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2::7", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
        ("", ""),
    ],
)
def test_a_client_counts_as_its_address_or_its_ipv6_64(client: str, counted_as: str) -> None:
    """IPv4 as itself, IPv6 by its /64, an IPv4-mapped IPv6 address as its IPv4, the rest as
    given."""
    assert network(client) == counted_as


def test_a_success_clears_only_its_own_pairs_count() -> None:
    """After a right password for one name, the address's count across names stays: a guesser
    holding one good account cannot clear their address by logging into it."""
    throttle = LoginThrottle(Limits(pair=5, address=3, user=100))
    throttle.attempt("victim", "198.51.100.9", T0)
    throttle.attempt("victim", "198.51.100.9", T0)
    throttle.attempt("mine", "198.51.100.9", T0)
    throttle.succeeded("mine", "198.51.100.9", T0)
    with pytest.raises(TooManyAttempts):
        throttle.attempt("victim", "198.51.100.9", T0 + 1)


def test_trust_in_an_address_lapses() -> None:
    """An address the user logged in from passes the per-name count for ``trust_seconds``, then
    counts like any other."""
    throttle = LoginThrottle(Limits(pair=100, address=100, user=1, trust_seconds=60))
    throttle.succeeded("ana", "192.0.2.7", T0)
    throttle.attempt("ana", "203.0.113.1", T0 + 1)  # fills the per-name count
    throttle.attempt("ana", "192.0.2.7", T0 + 2)  # trusted: passes
    with pytest.raises(TooManyAttempts):
        throttle.attempt("ana", "192.0.2.7", T0 + 62)
