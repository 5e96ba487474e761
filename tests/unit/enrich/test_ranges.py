"""Address ranges: nested CIDR prefixes flattened once so that the most specific owner wins."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tocsin.pipeline.enrich.ranges import AddressMap, RangeIndex, ip_to_int

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

NESTED = AddressMap.from_networks(
    [("10.0.0.0/8", "outer"), ("10.1.0.0/16", "middle"), ("10.1.2.0/24", "inner")]
)


def test_ip_to_int_gives_the_version_and_the_number() -> None:
    """An address becomes its IP version and its integer value."""
    assert ip_to_int("192.0.2.1") == (4, int(ipaddress.IPv4Address("192.0.2.1")))
    assert ip_to_int("2001:db8::1") == (6, int(ipaddress.IPv6Address("2001:db8::1")))


@pytest.mark.parametrize(
    ("ip", "owner"),
    [
        ("10.0.0.0", "outer"),
        ("10.0.255.255", "outer"),
        ("10.1.0.0", "middle"),
        ("10.1.1.255", "middle"),
        ("10.1.2.0", "inner"),
        ("10.1.2.77", "inner"),
        ("10.1.2.255", "inner"),
        ("10.1.3.0", "middle"),
        ("10.1.255.255", "middle"),
        ("10.2.0.0", "outer"),
        ("10.255.255.255", "outer"),
    ],
)
def test_each_address_of_nested_blocks_resolves_to_its_most_specific_owner(
    ip: str, owner: str
) -> None:
    """In a /8 holding a /16 holding a /24, each address belongs to the smallest block holding it,
    and addresses after an inner block belong to the enclosing block again."""
    assert NESTED.lookup(ip) == owner


@pytest.mark.parametrize("ip", ["9.255.255.255", "11.0.0.0", "0.0.0.1", "255.255.255.255"])
def test_an_address_outside_every_block_has_no_owner(ip: str) -> None:
    """Addresses just before, just after and far from the blocks resolve to None."""
    assert NESTED.lookup(ip) is None


def test_nested_blocks_flatten_into_disjoint_ranges() -> None:
    """A /8 around a /16 around a /24 becomes five disjoint ranges (outer, middle, inner, middle,
    outer)."""
    assert len(NESTED) == 5


def test_the_order_networks_are_given_in_does_not_matter() -> None:
    """Giving the inner blocks before the outer one resolves every address the same way."""
    reversed_map = AddressMap.from_networks(
        [("10.1.2.0/24", "inner"), ("10.1.0.0/16", "middle"), ("10.0.0.0/8", "outer")]
    )
    for ip in ("10.0.0.1", "10.1.0.1", "10.1.2.1", "10.1.3.1", "10.200.0.1"):
        assert reversed_map.lookup(ip) == NESTED.lookup(ip)


def test_adjacent_siblings_inside_a_block_keep_their_own_owners() -> None:
    """Two touching /25s inside a /24 inside a /16 each own their half; the rest is the /16's."""
    siblings = AddressMap.from_networks(
        [
            ("192.168.0.0/16", "campus"),
            ("192.168.5.0/25", "low"),
            ("192.168.5.128/25", "high"),
        ]
    )
    assert siblings.lookup("192.168.4.255") == "campus"
    assert siblings.lookup("192.168.5.127") == "low"
    assert siblings.lookup("192.168.5.128") == "high"
    assert siblings.lookup("192.168.6.0") == "campus"


def test_ipv4_and_ipv6_are_kept_apart() -> None:
    """An IPv4 address never matches an IPv6 block with the same integer values, nor the reverse."""
    apart = AddressMap.from_networks([("::/96", "v6 low"), ("0.0.0.0/0", "all of v4")])
    assert apart.lookup("0.0.0.5") == "all of v4"
    assert apart.lookup("::5") == "v6 low"
    only_v6 = AddressMap.from_networks([("::/96", "v6 low")])
    assert only_v6.lookup("0.0.0.5") is None
    only_v4 = AddressMap.from_networks([("0.0.0.0/0", "all of v4")])
    assert only_v4.lookup("::5") is None


def test_ipv6_nested_prefixes_resolve_to_the_most_specific() -> None:
    """A /48 inside a /32 owns its addresses; the /32 owns those before and after it."""
    v6 = AddressMap.from_networks([("2001:db8::/32", "telecom"), ("2001:db8:100::/48", "water")])
    assert v6.lookup("2001:db8::1") == "telecom"
    assert v6.lookup("2001:db8:ff:ffff:ffff:ffff:ffff:ffff") == "telecom"
    assert v6.lookup("2001:db8:100::") == "water"
    assert v6.lookup("2001:db8:100:ffff:ffff:ffff:ffff:ffff") == "water"
    assert v6.lookup("2001:db8:101::") == "telecom"
    assert v6.lookup("2001:db9::") is None


def test_whole_address_spaces_reach_their_last_address() -> None:
    """0.0.0.0/0 and ::/0 own the very first and very last address of their version."""
    everything = AddressMap.from_networks([("0.0.0.0/0", 4), ("::/0", 6)])
    assert everything.lookup(str(ipaddress.IPv4Address(0))) == 4
    assert everything.lookup("255.255.255.255") == 4
    assert everything.lookup("::") == 6
    assert everything.lookup("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == 6


def test_host_bits_in_a_network_are_ignored() -> None:
    """A network written with host bits set covers its whole block."""
    loose = AddressMap.from_networks([("192.0.2.77/24", "docs")])
    assert loose.lookup("192.0.2.0") == "docs"
    assert loose.lookup("192.0.2.255") == "docs"


@pytest.mark.parametrize("text", ["", "not an address", "10.0.0.0/8", "010.1.2.3", "1.2.3"])
def test_something_that_is_not_an_address_has_no_owner(text: str) -> None:
    """A lookup of text that is not a canonical address returns None instead of raising."""
    assert NESTED.lookup(text) is None


def test_an_empty_map_owns_nothing() -> None:
    """With no networks, the map is empty and every lookup is None."""
    empty: AddressMap[str] = AddressMap.from_networks([])
    assert len(empty) == 0
    assert empty.lookup("10.0.0.1") is None
    assert empty.lookup("2001:db8::1") is None


def test_lookup_network_takes_the_owner_of_the_first_address() -> None:
    """A network is owned by whoever owns its first address."""
    assert NESTED.lookup_network("10.1.2.128/25") == "inner"
    assert NESTED.lookup_network("10.1.0.0/16") == "middle"
    assert NESTED.lookup_network("11.0.0.0/8") is None


def test_range_index_resolves_arbitrary_disjoint_ranges() -> None:
    """Ranges that are not CIDR-aligned (as in ip2asn) own exactly their first to last number."""
    index = RangeIndex([(10, 20, "a"), (21, 21, "b"), (40, 50, "c")])
    assert [index.get(n) for n in (9, 10, 20, 21, 22, 39, 40, 50, 51)] == [
        None,
        "a",
        "a",
        "b",
        None,
        None,
        "c",
        "c",
        None,
    ]


def _network(version: int) -> st.SearchStrategy[Network]:
    bits = 32 if version == 4 else 128
    return st.builds(
        lambda address, prefix: ipaddress.ip_network((address, prefix), strict=False),
        st.integers(0, 2**bits - 1),
        st.integers(0, bits),
    )


def _networks(version: int) -> st.SearchStrategy[list[Network]]:
    return st.lists(_network(version), max_size=24, unique=True)


def _most_specific(networks: list[Network], ip: str) -> Any:
    """The brute-force answer: the index of the longest prefix holding ``ip``, if any."""
    address = ipaddress.ip_address(ip)
    holding = [(net.prefixlen, i) for i, net in enumerate(networks) if address in net]
    return max(holding)[1] if holding else None


def _probes(networks: list[Network], extra: list[int], version: int) -> list[str]:
    """Random addresses plus every block's edges and the addresses just outside them."""
    top = 2**32 - 1 if version == 4 else 2**128 - 1
    numbers = set(extra)
    for net in networks:
        first, last = int(net.network_address), int(net.broadcast_address)
        numbers.update({first, last, max(first - 1, 0), min(last + 1, top)})
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return [str(make(n)) for n in sorted(numbers)]


@settings(deadline=None)
@given(networks=_networks(4), extra=st.lists(st.integers(0, 2**32 - 1), max_size=20))
def test_ipv4_lookup_equals_the_brute_force_most_specific_network(
    networks: list[Network], extra: list[int]
) -> None:
    """For any set of IPv4 CIDRs (nested or disjoint), a lookup names the most specific network
    holding the address, exactly as checking every network would."""
    address_map = AddressMap.from_networks((str(net), i) for i, net in enumerate(networks))
    for ip in _probes(networks, extra, 4):
        assert address_map.lookup(ip) == _most_specific(networks, ip), ip


@settings(deadline=None)
@given(networks=_networks(6), extra=st.lists(st.integers(0, 2**128 - 1), max_size=20))
def test_ipv6_lookup_equals_the_brute_force_most_specific_network(
    networks: list[Network], extra: list[int]
) -> None:
    """For any set of IPv6 CIDRs, a lookup names the most specific network holding the address."""
    address_map = AddressMap.from_networks((str(net), i) for i, net in enumerate(networks))
    for ip in _probes(networks, extra, 6):
        assert address_map.lookup(ip) == _most_specific(networks, ip), ip


@settings(deadline=None)
@given(networks=_networks(4), data=st.data())
def test_any_input_order_builds_the_same_map(networks: list[Network], data: st.DataObject) -> None:
    """Shuffling the networks changes no lookup."""
    items = [(str(net), i) for i, net in enumerate(networks)]
    shuffled = data.draw(st.permutations(items))
    first, second = AddressMap.from_networks(items), AddressMap.from_networks(shuffled)
    for ip in _probes(networks, [], 4):
        assert first.lookup(ip) == second.lookup(ip), ip
