"""The enrich stage: ASN and country from the table, constituent and contact from the registry,
suffix and registered domain from the PSL; what a feed gave is kept."""

from __future__ import annotations

from typing import Any

from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.model.event import Event
from tocsin.pipeline.enrich.asn import build_asn_map
from tocsin.pipeline.enrich.constituency import ConstituencyIndex
from tocsin.pipeline.stages.batch import Batch
from tocsin.pipeline.stages.enrich import Enricher

ASNS = build_asn_map(
    [
        AsnRange("203.0.113.0", "203.0.113.255", 64496, "NL", "EXAMPLE-HARBOUR Harbour Telecom"),
        AsnRange("198.51.100.0", "198.51.100.255", 64500, "BE", None),
        AsnRange("2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 64496, "NL", "HARBOUR6"),
    ]
)
HARBOUR = Constituent.from_mapping(
    {
        "name": "Harbour Telecom",
        "sector": "telecommunications",
        "abuse_contact": "abuse@harbour-telecom.example",
        "networks": ["203.0.113.0/24", "2001:db8::/32"],
        "asns": [64496],
    }
)
WATER = Constituent.from_mapping(
    {
        "name": "City Water Utility",
        "sector": "drinking-water",
        "abuse_contact": "ot-security@citywater.example",
        "networks": ["2001:db8:100::/48"],
        "domains": ["citywater.nl"],
    }
)
POWER = Constituent.from_mapping({"name": "Northwind Power", "sector": "energy", "asns": [64500]})
ENRICH = Enricher(ConstituencyIndex([HARBOUR, WATER, POWER]), ASNS)


def enrich(enricher: Enricher = ENRICH, **fields: Any) -> Event:
    event: Event = {k.replace("__", "."): v for k, v in fields.items()}
    (result,) = enricher(Batch(events=[event])).events
    return result


def test_asn_name_and_country_are_filled_from_the_table() -> None:
    """An event with only an address gets the ASN, AS name and country of its range."""
    event = enrich(source__ip="203.0.113.9")
    assert event["source.asn"] == 64496
    assert event["source.as_name"] == "EXAMPLE-HARBOUR Harbour Telecom"
    assert event["source.geolocation.cc"] == "NL"


def test_a_feeds_own_asn_and_country_are_never_overwritten() -> None:
    """When the feed gave an ASN and a country, the table's values do not replace them."""
    event = enrich(source__ip="203.0.113.9", source__asn=64511, source__geolocation__cc="DE")
    assert event["source.asn"] == 64511
    assert event["source.geolocation.cc"] == "DE"


def test_a_feeds_own_as_name_is_never_overwritten() -> None:
    """An AS name the feed gave stays."""
    event = enrich(source__ip="203.0.113.9", source__as_name="Feed's Name")
    assert event["source.as_name"] == "Feed's Name"


def test_an_as_name_is_added_only_when_it_names_the_events_asn() -> None:
    """When the feed's ASN differs from the table's, the table's AS name (of another AS) is not
    attached to the feed's ASN."""
    event = enrich(source__ip="203.0.113.9", source__asn=64511)
    assert event["source.asn"] == 64511
    assert "source.as_name" not in event


def test_a_range_without_name_adds_no_name() -> None:
    """A table row without a name fills ASN and country only."""
    event = enrich(source__ip="198.51.100.7")
    assert event["source.asn"] == 64500
    assert event["source.geolocation.cc"] == "BE"
    assert "source.as_name" not in event


def test_an_address_outside_the_table_gets_no_asn() -> None:
    """Nothing is added for an address the table does not cover."""
    event = enrich(source__ip="192.0.2.1")
    assert "source.asn" not in event
    assert "source.geolocation.cc" not in event


def test_constituent_sector_and_abuse_contact_come_from_the_registry() -> None:
    """An address in a constituent's network gets its name, sector and abuse contact."""
    event = enrich(source__ip="203.0.113.9")
    assert event["tocsin.constituent"] == "Harbour Telecom"
    assert event["tocsin.sector"] == "telecommunications"
    assert event["source.abuse_contact"] == "abuse@harbour-telecom.example"


def test_the_nested_constituent_wins_in_ipv6() -> None:
    """An address in the /48 inside Harbour Telecom's /32 belongs to City Water Utility."""
    event = enrich(source__ip="2001:db8:100::25")
    assert event["tocsin.constituent"] == "City Water Utility"
    assert event["tocsin.sector"] == "drinking-water"
    assert event["source.abuse_contact"] == "ot-security@citywater.example"
    assert event["source.asn"] == 64496


def test_a_feeds_own_abuse_contact_is_kept() -> None:
    """An abuse contact the feed gave is not replaced by the constituent's."""
    event = enrich(source__ip="203.0.113.9", source__abuse_contact="noc@feed.example")
    assert event["source.abuse_contact"] == "noc@feed.example"
    assert event["tocsin.constituent"] == "Harbour Telecom"


def test_the_constituent_is_always_tocsins_own() -> None:
    """A constituent or sector already on the event is replaced by the registry's answer."""
    event = enrich(source__ip="203.0.113.9", tocsin__constituent="Someone", tocsin__sector="other")
    assert event["tocsin.constituent"] == "Harbour Telecom"
    assert event["tocsin.sector"] == "telecommunications"


def test_an_asn_filled_from_the_table_finds_the_constituent_owning_it() -> None:
    """An address in no constituent network, whose table ASN a constituent owns, belongs to it."""
    event = enrich(source__ip="198.51.100.7")
    assert event["tocsin.constituent"] == "Northwind Power"
    assert event["tocsin.sector"] == "energy"
    assert "source.abuse_contact" not in event  # Northwind lists none


def test_an_event_outside_the_constituency_gets_no_constituent() -> None:
    """An address, ASN and domain nobody owns leave constituent, sector and contact unset."""
    event = enrich(source__ip="192.0.2.1", source__fqdn="elsewhere.example.com")
    assert "tocsin.constituent" not in event
    assert "tocsin.sector" not in event
    assert "source.abuse_contact" not in event


def test_domain_suffix_and_registered_domain_come_from_the_psl() -> None:
    """A name gets its public suffix (if it had none) and its registered domain."""
    event = enrich(source__fqdn="scada.plant.citywater.nl")
    assert event["source.domain_suffix"] == "nl"
    assert event["tocsin.registered_domain"] == "citywater.nl"
    assert event["tocsin.constituent"] == "City Water Utility"


def test_a_feeds_own_domain_suffix_is_kept() -> None:
    """A suffix the feed gave is not replaced."""
    event = enrich(source__fqdn="www.example.co.uk", source__domain_suffix="uk")
    assert event["source.domain_suffix"] == "uk"
    assert event["tocsin.registered_domain"] == "example.co.uk"


def test_a_name_under_no_public_suffix_gets_neither() -> None:
    """A name the PSL does not know gets no suffix and no registered domain."""
    event = enrich(source__fqdn="printer.lan")
    assert "source.domain_suffix" not in event
    assert "tocsin.registered_domain" not in event


def test_without_table_or_registry_only_domains_are_enriched() -> None:
    """An empty registry and no ASN table add nothing but the PSL's answers."""
    bare = Enricher(ConstituencyIndex([]))
    event = enrich(bare, source__ip="203.0.113.9", source__fqdn="www.example.com")
    assert event == {
        "source.ip": "203.0.113.9",
        "source.fqdn": "www.example.com",
        "source.domain_suffix": "com",
        "tocsin.registered_domain": "example.com",
    }


def test_every_event_of_a_batch_is_enriched_in_place_and_the_batch_returned() -> None:
    """The stage returns the batch it got, with each event enriched, quarantine untouched."""
    first: Event = {"source.ip": "203.0.113.1"}
    second: Event = {"source.ip": "2001:db8:100::1"}
    batch = Batch(events=[first, second], read=2)
    assert ENRICH(batch) is batch
    assert batch.events == [first, second]
    assert first["tocsin.constituent"] == "Harbour Telecom"
    assert second["tocsin.constituent"] == "City Water Utility"
    assert batch.read == 2
    assert batch.quarantined == []
