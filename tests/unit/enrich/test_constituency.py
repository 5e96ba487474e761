"""The constituency index: which constituent an event's source belongs to, most specific first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tocsin import demo
from tocsin.model.constituent import Constituent
from tocsin.pipeline.enrich.constituency import ConstituencyIndex
from tocsin.services.registry import read_constituents

DEMO = ConstituencyIndex(read_constituents(Path(demo.__file__).with_name("constituents.toml")))

ISP = Constituent.from_mapping(
    {"name": "ISP", "networks": ["10.0.0.0/8"], "asns": [64500], "domains": ["isp.example"]}
)
HOSPITAL = Constituent.from_mapping(
    {
        "name": "Hospital",
        "sector": "health",
        "networks": ["10.20.0.0/16"],
        "asns": [64501],
        "domains": ["hospital.isp.example"],
    }
)
LAB = Constituent.from_mapping(
    {"name": "Lab", "sector": "research", "networks": ["10.20.30.0/24"], "domains": ["lab.example"]}
)
INDEX = ConstituencyIndex([ISP, HOSPITAL, LAB])


def owner(index: ConstituencyIndex, **fields: Any) -> str | None:
    found = index.match({k.replace("__", "."): v for k, v in fields.items()})
    return found.name if found is not None else None


@pytest.mark.parametrize(
    ("ip", "name"),
    [
        ("2001:db8::1", "Harbour Telecom"),
        ("2001:db8:ff:ffff:ffff:ffff:ffff:ffff", "Harbour Telecom"),
        ("2001:db8:100::1", "City Water Utility"),
        ("2001:db8:100:ffff:ffff:ffff:ffff:ffff", "City Water Utility"),
        ("2001:db8:101::", "Harbour Telecom"),
        ("203.0.113.7", "Harbour Telecom"),
        ("192.0.2.127", "Ministry of Health"),
        ("192.0.2.128", "National Parliament"),
        ("192.0.2.200", "Electoral Commission"),
        ("2001:db9::1", None),
        ("8.8.8.8", None),
    ],
)
def test_the_demo_registry_resolves_nested_prefixes_to_the_most_specific(
    ip: str, name: str | None
) -> None:
    """City Water Utility's /48 inside Harbour Telecom's /32 wins for its addresses only."""
    assert owner(DEMO, source__ip=ip) == name


@pytest.mark.parametrize(
    ("ip", "name"),
    [
        ("10.1.0.1", "ISP"),
        ("10.20.0.1", "Hospital"),
        ("10.20.30.40", "Lab"),
        ("10.20.31.0", "Hospital"),
        ("10.21.0.0", "ISP"),
    ],
)
def test_the_longest_prefix_holding_source_ip_wins(ip: str, name: str) -> None:
    """A /8 holding a /16 holding a /24: each address goes to the smallest block around it."""
    assert owner(INDEX, source__ip=ip) == name


def test_source_network_is_used_when_there_is_no_ip() -> None:
    """Without source.ip, the network's first address decides."""
    assert owner(INDEX, source__network="10.20.30.128/25") == "Lab"
    assert owner(INDEX, source__network="10.20.0.0/16") == "Hospital"


def test_source_network_is_used_when_the_ip_belongs_to_nobody() -> None:
    """An address outside every block falls through to source.network."""
    assert owner(INDEX, source__ip="192.0.2.1", source__network="10.20.0.0/24") == "Hospital"


def test_an_address_beats_asn_and_domain() -> None:
    """When the address belongs to one constituent, another's ASN or domain does not count."""
    assert (
        owner(INDEX, source__ip="10.20.30.1", source__asn=64500, source__fqdn="isp.example")
        == "Lab"
    )


def test_an_asn_is_used_when_no_network_matches() -> None:
    """An address outside every block falls back to the owner of source.asn."""
    assert owner(INDEX, source__ip="192.0.2.1", source__asn=64501) == "Hospital"
    assert owner(INDEX, source__asn=64500) == "ISP"


def test_an_asn_beats_a_domain() -> None:
    """The ASN is tried before the domain."""
    assert owner(INDEX, source__asn=64500, source__fqdn="www.lab.example") == "ISP"


@pytest.mark.parametrize(
    ("fqdn", "name"),
    [
        ("isp.example", "ISP"),
        ("mail.isp.example", "ISP"),
        ("a.b.c.isp.example", "ISP"),
        ("hospital.isp.example", "Hospital"),
        ("pacs.hospital.isp.example", "Hospital"),
        ("www.lab.example", "Lab"),
    ],
)
def test_a_domain_or_its_nearest_listed_parent_decides(fqdn: str, name: str) -> None:
    """A name belongs to the constituent listing it or its closest listed parent domain."""
    assert owner(INDEX, source__fqdn=fqdn) == name


@pytest.mark.parametrize(
    "fqdn", ["notisp.example", "isp.example.net", "example", "lab.example.org"]
)
def test_a_domain_matches_on_label_boundaries_only(fqdn: str) -> None:
    """A name that merely ends with the same letters, or contains the domain, matches no one."""
    assert owner(INDEX, source__fqdn=fqdn) is None


def test_an_event_with_nothing_to_match_belongs_to_no_one() -> None:
    """An event without address, network, ASN or domain has no constituent."""
    assert owner(INDEX) is None
    assert owner(INDEX, source__asn=64999, source__fqdn="elsewhere.example") is None


def test_an_empty_registry_matches_nothing() -> None:
    """With no constituents, the index is empty and every event belongs to no one."""
    empty = ConstituencyIndex([])
    assert len(empty) == 0
    assert (
        owner(empty, source__ip="10.0.0.1", source__asn=64500, source__fqdn="isp.example") is None
    )


def test_the_index_knows_constituents_by_name() -> None:
    """by_name holds every constituent, and len counts them."""
    assert len(INDEX) == 3
    assert INDEX.by_name["Lab"] is LAB
