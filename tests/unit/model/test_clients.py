"""Who the client is behind proxies: X-Forwarded-For believed from trusted proxies only, read
from the right, so that what a client writes into the header itself is never its address."""

from __future__ import annotations

import pytest

from tocsin.errors import ConfigError
from tocsin.model.clients import client_address, networks
from tocsin.settings import Settings

PROXIES = networks("127.0.0.1, 10.0.0.0/24 ::1")


def test_an_untrusted_peers_forwarded_for_is_ignored() -> None:
    """With no trusted proxy, or from a peer that is not one, the peer is the client."""
    assert client_address("127.0.0.1", ["198.51.100.7"], ()) == "127.0.0.1"
    assert client_address("203.0.113.9", ["198.51.100.7"], PROXIES) == "203.0.113.9"


def test_the_rightmost_address_that_is_not_a_trusted_proxy_is_the_client() -> None:
    """Through two trusted proxies, the address the outer one appended is the client, and what
    the client wrote to the left of it is not."""
    header = ["192.0.2.66, 198.51.100.7, 10.0.0.3"]
    assert client_address("127.0.0.1", header, PROXIES) == "198.51.100.7"
    assert client_address("127.0.0.1", ["192.0.2.66", "198.51.100.7"], PROXIES) == "198.51.100.7"


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("127.0.0.1", [], "127.0.0.1"),  # a trusted proxy that names no one
        ("127.0.0.1", ["unknown"], "127.0.0.1"),  # nor anything that is an address
        ("127.0.0.1", ["10.0.0.4"], "10.0.0.4"),  # every hop trusted: the first is the client
        ("::1", ["2001:db8::1"], "2001:db8::1"),
        ("::ffff:127.0.0.1", ["198.51.100.7"], "198.51.100.7"),  # IPv4-mapped
    ],
)
def test_the_edges(peer: str, header: list[str], client: str) -> None:
    """No header, a word instead of an address, only proxies, IPv6 and IPv4-mapped peers."""
    assert client_address(peer, header, PROXIES) == client


def test_a_trusted_proxies_setting_that_is_not_addresses_is_refused() -> None:
    """TOCSIN_TRUSTED_PROXIES names addresses and networks, or the settings do not load."""
    assert Settings.load({"TOCSIN_TRUSTED_PROXIES": "127.0.0.1,10.0.0.0/8"}).trusted_proxies
    with pytest.raises(ConfigError, match="trusted_proxies"):
        Settings.load({"TOCSIN_TRUSTED_PROXIES": "127.0.0.1, proxy.example"})
