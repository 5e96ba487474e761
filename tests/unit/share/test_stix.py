"""Tocsin's events and incidents as STIX 2.1: checked against the OASIS library and validator."""

from __future__ import annotations

import re
from typing import Any

import orjson
import pytest
import stix2
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains, urls
from stix2patterns.validator import run_validator
from stix2validator import ValidationOptions, validate_instance

from tocsin.formats import stix
from tocsin.formats.markings import marking, marking_id, tlp_of_refs
from tocsin.model.event import Event, fingerprint
from tocsin.model.incident import Incident, Status
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.model.tlp import TLP
from tocsin.pipeline.parsers.base import Record
from tocsin.pipeline.stages.batch import FeedContext
from tocsin.pipeline.stages.normalize import normalize

PRODUCER = stix.producer_identity("Example National CSIRT")
OBSERVED = "2026-11-06T19:47:58+00:00"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(\d{3})?Z$")
SDO_SRO = frozenset({"observed-data", "indicator", "sighting", "incident", "grouping", "report"})


def event(**fields: Any) -> Event:
    """An event as the pipeline stores it: normalised, with its fingerprint."""
    given_fields = {
        "feed.name": "example-feed",
        "time.source": "2026-11-06T18:47:58+00:00",
        "classification.type": "scanner",
        "source.ip": "192.0.2.20",
        "tlp": "AMBER",
        **fields,
    }
    given_fields = {k: v for k, v in given_fields.items() if v is not None}
    ctx = FeedContext(feed="example-feed", file="x", observed=OBSERVED)
    batch = normalize([Record(1, "", given_fields)], ctx)
    assert not batch.quarantined, batch.quarantined
    (found,) = batch.events
    found["tocsin.fingerprint"] = fingerprint(found)
    return found


def valid(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """A bundle of the objects, after the OASIS validator found no error in it and the stix2
    library parsed each of its objects without allowing custom content."""
    made = stix.bundle(objects)
    results = validate_instance(made, ValidationOptions(version="2.1"))
    if not results.is_valid or results.errors:
        for line in (*results.errors, *results.warnings):
            print(line)
    assert results.is_valid
    assert not results.errors
    for obj in made["objects"]:
        stix2.parse(obj, allow_custom=False)
    return made


def of_type(objects: list[dict[str, Any]], type_: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["type"] == type_]


def test_tlp2_ids_are_the_oasis_common_objects() -> None:
    """Each TLP 2.0 label has the id OASIS fixed (written out here, as published)."""
    assert {label: marking_id(label) for label in TLP} == {
        TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }


def test_marking_definition_is_the_published_object() -> None:
    """TLP:AMBER+STRICT is byte for byte the object of cti-stix-common-objects."""
    assert marking(TLP.AMBER_STRICT) == {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "created": "2022-10-01T00:00:00.000Z",
        "name": "TLP:AMBER+STRICT",
        "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension",
                "tlp_2_0": "amber+strict",
            }
        },
    }


def test_every_marking_definition_is_valid_stix() -> None:
    """The five definitions pass the validator and the stix2 library, named TLP:<COLOUR>."""
    made = valid([marking(label) for label in TLP])
    assert [o["name"] for o in made["objects"]] == [label.label for label in TLP]


def test_tlp1_ids_are_read_as_tlp2_labels() -> None:
    """STIX's built-in TLP 1.0 ids are understood; WHITE is CLEAR."""
    assert stix2.TLP_WHITE.id == "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    assert tlp_of_refs(["marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"]) is TLP.CLEAR
    assert tlp_of_refs(["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"]) is TLP.GREEN
    assert tlp_of_refs(["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]) is TLP.AMBER
    assert tlp_of_refs(["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]) is TLP.RED
    assert [stix2.TLP_GREEN.id, stix2.TLP_AMBER.id, stix2.TLP_RED.id] == [
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
    ]


def test_most_restrictive_marking_wins() -> None:
    """Of several refs the most restrictive TLP counts; refs that are not TLP do not count."""
    statement = "marking-definition--0e5a2e8c-64a3-4d5d-8f6a-1d1f3c6e0c11"
    green2, amber1 = marking_id(TLP.GREEN), stix2.TLP_AMBER.id
    assert tlp_of_refs([green2, statement, amber1]) is TLP.AMBER
    assert tlp_of_refs([marking_id(TLP.AMBER_STRICT), amber1]) is TLP.AMBER_STRICT
    assert tlp_of_refs([statement]) is None
    assert tlp_of_refs([]) is None
    assert tlp_of_refs([statement], definitions={statement: TLP.RED}) is TLP.RED


IDN = "xn--bcher-kva.example"
ODD_URL = 'http://x.example/a\'b?c="d"\\é'


@pytest.mark.parametrize(
    ("type_", "properties", "reference"),
    [
        ("ipv4-addr", {"value": "198.51.100.3"}, stix2.IPv4Address(value="198.51.100.3")),
        ("ipv4-addr", {"value": "192.0.2.0/24"}, stix2.IPv4Address(value="192.0.2.0/24")),
        ("ipv6-addr", {"value": "2001:db8::7"}, stix2.IPv6Address(value="2001:db8::7")),
        ("domain-name", {"value": IDN}, stix2.DomainName(value=IDN)),
        ("url", {"value": ODD_URL}, stix2.URL(value=ODD_URL)),
        ("autonomous-system", {"number": 64496}, stix2.AutonomousSystem(number=64496)),
        (
            "file",
            {"hashes": {"SHA-256": "a" * 64, "SHA-1": "b" * 40}},
            stix2.File(hashes={"SHA-256": "a" * 64, "SHA-1": "b" * 40}),
        ),
        ("file", {"hashes": {"SHA-256": "c" * 64}}, stix2.File(hashes={"SHA-256": "c" * 64})),
    ],
)
def test_sco_id_is_the_one_stix2_computes(
    type_: str, properties: dict[str, Any], reference: Any
) -> None:
    """Deterministic SCO ids agree with the OASIS library's, hashes chosen as it chooses them."""
    assert stix.sco_id(type_, properties) == reference.id


def test_network_traffic_id_is_the_one_stix2_computes() -> None:
    """network-traffic's id covers its refs, ports and protocols exactly as stix2's does."""
    src = stix2.IPv4Address(value="192.0.2.20")
    dst = stix2.IPv6Address(value="2001:db8::1")
    reference = stix2.NetworkTraffic(
        src_ref=src.id, dst_ref=dst.id, src_port=0, dst_port=443, protocols=["tcp", "https"]
    )
    properties = {
        "src_ref": src.id,
        "dst_ref": dst.id,
        "src_port": 0,
        "dst_port": 443,
        "protocols": ["tcp", "https"],
        "is_active": False,  # not id-contributing: ignored
    }
    assert stix.sco_id("network-traffic", properties) == reference.id


def test_sco_id_refuses_what_tocsin_never_writes() -> None:
    """No e-mail address ever gets an SCO, and an SCO without its id properties has no id."""
    with pytest.raises(ValueError, match="email-addr"):
        stix.sco_id("email-addr", {"value": "someone@example.org"})
    with pytest.raises(ValueError, match="needs one of value"):
        stix.sco_id("url", {})


@settings(max_examples=150)
@given(
    st.one_of(
        st.ip_addresses(v=4).map(lambda a: ("ipv4-addr", str(a))),
        st.ip_addresses(v=6).map(lambda a: ("ipv6-addr", str(a))),
        domains().map(lambda d: ("domain-name", d)),
        urls().map(lambda u: ("url", u)),
        st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).map(lambda t: ("url", t)),
    )
)
def test_sco_ids_agree_with_stix2_on_any_value(item: tuple[str, str]) -> None:
    """Any address, name, URL or text (escapes, non-ASCII) gets stix2's id."""
    type_, value = item
    cls = {
        "ipv4-addr": stix2.IPv4Address,
        "ipv6-addr": stix2.IPv6Address,
        "domain-name": stix2.DomainName,
        "url": stix2.URL,
    }[type_]
    assert stix.sco_id(type_, {"value": value}) == cls(value=value).id


def test_producer_identity_is_the_same_in_every_export() -> None:
    """The team's identity is an organisation whose id and version depend on its name only."""
    again = stix.producer_identity("Example National CSIRT")
    assert again == PRODUCER
    assert PRODUCER["identity_class"] == "organization"
    assert stix.producer_identity("Another CSIRT")["id"] != PRODUCER["id"]
    valid([PRODUCER])


@pytest.mark.parametrize("type_", sorted(TYPE_TO_TAXONOMY))
def test_every_type_of_the_taxonomy_exports_valid_stix(type_: str) -> None:
    """Each RSIT type gives a valid bundle; an indicator and a sighting only for types to block."""
    found = stix.event_objects(
        event(
            **{"classification.type": type_, "source.fqdn": "bad.example", "source.port": 4444},
            **{"protocol.transport": "tcp", "destination.ip": "198.51.100.9"},
            **{"malware.hash.sha256": "ab" * 32, "malware.name": "emotet"},
        ),
        PRODUCER,
    )
    valid([PRODUCER, *found])
    (observed,) = of_type(found, "observed-data")
    taxonomy = TYPE_TO_TAXONOMY[type_]
    assert f'rsit:{taxonomy}="{type_}"' in observed["labels"]
    assert "malware:emotet" in observed["labels"]
    indicators = of_type(found, "indicator")
    assert len(indicators) == len(of_type(found, "sighting")) == int(type_ in stix.INDICATOR_TYPES)
    for indicator in indicators:
        assert run_validator(indicator["pattern"], stix_version="2.1") == []


def test_every_object_is_marked_dated_and_signed() -> None:
    """Each SDO and SRO: spec 2.1, millisecond UTC times, the producer, the event's TLP 2.0
    marking; each SCO carries the marking too."""
    half = "2026-11-06T18:47:58.5+00:00"
    found = stix.event_objects(event(tlp="AMBER+STRICT", **{"time.source": half}), PRODUCER)
    strict = marking_id(TLP.AMBER_STRICT)
    for obj in found:
        assert obj["spec_version"] == "2.1"
        assert obj["object_marking_refs"] == [strict]
        if obj["type"] in SDO_SRO:
            assert obj["created_by_ref"] == PRODUCER["id"]
            assert STAMP.match(obj["created"]) and obj["modified"] == obj["created"]
    (observed,) = of_type(found, "observed-data")
    assert observed["first_observed"] == observed["last_observed"] == "2026-11-06T18:47:58.500Z"
    assert observed["created"] == "2026-11-06T19:47:58.000Z"
    assert observed["number_observed"] == 1


def test_exporting_an_event_twice_gives_the_same_objects() -> None:
    """Ids derive from the fingerprint and the values: a re-export is the same objects."""
    one = event(**{"classification.type": "c2-server", "source.url": "http://c2.example/gate"})
    assert stix.event_objects(one, PRODUCER) == stix.event_objects(dict(one), PRODUCER)
    other = event(**{"classification.type": "c2-server", "source.ip": "192.0.2.21"})
    ids = {o["id"] for o in stix.event_objects(one, PRODUCER)}
    assert ids.isdisjoint(o["id"] for o in stix.event_objects(other, PRODUCER) if "created" in o)


def test_the_sighting_ties_indicator_observation_and_producer() -> None:
    """The sighting is of the indicator, refers to the observed-data and is sighted by us."""
    found = stix.event_objects(event(**{"classification.type": "brute-force"}), PRODUCER)
    (indicator,) = of_type(found, "indicator")
    (sighting,) = of_type(found, "sighting")
    (observed,) = of_type(found, "observed-data")
    assert sighting["sighting_of_ref"] == indicator["id"]
    assert sighting["observed_data_refs"] == [observed["id"]]
    assert sighting["where_sighted_refs"] == [PRODUCER["id"]]
    assert sighting["count"] == 1
    assert sighting["first_seen"] == indicator["valid_from"] == observed["last_observed"]
    assert indicator["pattern"] == "[ipv4-addr:value = '192.0.2.20']"
    assert indicator["indicator_types"] == ["malicious-activity"]


@pytest.mark.parametrize(
    ("fields", "pattern"),
    [
        (
            {"classification.type": "phishing", "source.url": "https://login.example/x"},
            "[url:value = 'https://login.example/x']",
        ),
        (
            {"classification.type": "scanner", "source.fqdn": "scan.example"},
            "[ipv4-addr:value = '192.0.2.20']",
        ),
        (
            {"classification.type": "spam", "source.ip": None, "source.network": "192.0.2.0/24"},
            "[ipv4-addr:value ISSUBSET '192.0.2.0/24']",
        ),
        (
            {"classification.type": "ddos", "source.ip": "2001:db8::5"},
            "[ipv6-addr:value = '2001:db8::5']",
        ),
        (
            {"classification.type": "c2-server", "source.fqdn": "c2.example"},
            "[domain-name:value = 'c2.example']",
        ),
        (
            {
                "classification.type": "malware-distribution",
                "source.ip": None,
                "malware.hash.md5": "d" * 32,
                "malware.hash.sha256": "e" * 64,
            },
            f"[file:hashes.'SHA-256' = '{'e' * 64}']",
        ),
        (
            {"classification.type": "phishing", "source.url": "http://x.example/it's"},
            "[url:value = 'http://x.example/it\\'s']",
        ),
    ],
)
def test_the_pattern_names_what_best_identifies_the_threat(
    fields: dict[str, Any], pattern: str
) -> None:
    """Served threats by URL first, attackers by address first, hashes last; quotes escaped."""
    found = stix.event_objects(event(**fields), PRODUCER)
    (indicator,) = of_type(found, "indicator")
    assert indicator["pattern"] == pattern
    assert run_validator(pattern, stix_version="2.1") == []
    valid([PRODUCER, *found])


def test_victims_are_never_indicators() -> None:
    """An infected or vulnerable system is observed, never offered as something to block."""
    for type_ in ("infected-system", "vulnerable-system", "system-compromise", "ddos-amplifier"):
        found = stix.event_objects(event(**{"classification.type": type_}), PRODUCER)
        assert {o["type"] for o in found} == {"ipv4-addr", "observed-data"}


def test_sides_are_anchored_in_the_graph() -> None:
    """network-traffic names each side's address; names resolve to, and addresses belong to,
    their own side's objects; one name seen on both sides is one object."""
    found = stix.event_objects(
        event(
            **{"source.fqdn": "same.example", "source.asn": 64496, "source.port": 50000},
            **{"destination.ip": "198.51.100.7", "destination.fqdn": "same.example"},
            **{"destination.asn": 64497, "destination.port": 443, "protocol.transport": "tcp"},
        ),
        PRODUCER,
    )
    valid([PRODUCER, *found])
    by_value = {o.get("value", o.get("number")): o for o in found if o["type"] != "observed-data"}
    src, dst = by_value["192.0.2.20"], by_value["198.51.100.7"]
    (traffic,) = of_type(found, "network-traffic")
    assert (traffic["src_ref"], traffic["dst_ref"]) == (src["id"], dst["id"])
    assert (traffic["src_port"], traffic["dst_port"], traffic["protocols"]) == (50000, 443, ["tcp"])
    assert by_value["same.example"]["resolves_to_refs"] == [src["id"], dst["id"]]
    assert src["belongs_to_refs"] == [by_value[64496]["id"]]
    assert dst["belongs_to_refs"] == [by_value[64497]["id"]]


def test_without_protocols_the_ip_version_is_the_protocol() -> None:
    """network-traffic needs a protocol: with none known, the addresses' IP version is named."""
    seeded = event(**{"source.ip": "2001:db8::1", "destination.port": 22})
    found = stix.event_objects(seeded, PRODUCER)
    (traffic,) = of_type(found, "network-traffic")
    assert traffic["protocols"] == ["ipv6"]
    assert "dst_ref" not in traffic
    valid([PRODUCER, *found])


PERSONAL = ("Jane Doe", "jane.doe@example.org", "+31 6 1234 5678")


def test_no_personal_data_leaves_with_an_event() -> None:
    """A name, e-mail address and phone number in every field off the allow-list are absent
    from the exported bytes; so is the fingerprint, which only names the objects."""
    name, mail, phone = PERSONAL
    seeded = event(
        **{
            "comment": f"call {name} on {phone}",
            "event_description.text": f"{name} <{mail}> reported it",
            "event_description.target": name,
            "event_description.url": f"https://portal.example/r?by={mail}",
            "extra.reporter": {"name": name, "mail": mail, "phone": phone},
            "extra.note": phone,
            "source.account": mail,
            "source.abuse_contact": mail,
            "destination.abuse_contact": mail,
            "source.reverse_dns": "jane-doe.home.example",
            "source.geolocation.city": "Janeville",
            "tocsin.constituent": name,
            "tocsin.sector": "health",
            "product.name": name,
            "status": phone,
            "classification.type": "phishing",
            "source.url": "https://login.example/?session=1",
        }
    )
    seeded["raw"] = f"{name},{mail},{phone}"
    data = stix.dumps(valid([PRODUCER, *stix.event_objects(seeded, PRODUCER)]))
    for secret in (*PERSONAL, "jane.doe", "jane-doe", "Janeville", "health"):
        assert secret.encode() not in data
    assert seeded["tocsin.fingerprint"].encode() not in data
    assert b"https://login.example/?session=1" in data  # the allow-listed URL does leave


def test_a_url_that_names_a_person_is_withheld() -> None:
    """A phishing link carrying its victim's address (even encoded) stays home; its host goes."""
    for url in (
        "https://x.example/in?u=jane.doe@example.org",
        "https://x.example/?u=jd%40example.org",
    ):
        seeded = event(**{"classification.type": "phishing", "source.ip": None, "source.url": url})
        found = stix.event_objects(seeded, PRODUCER)
        data = stix.dumps(found)
        assert b"example.org" not in data
        (indicator,) = of_type(found, "indicator")
        assert indicator["pattern"] == "[domain-name:value = 'x.example']"


def test_a_destination_that_cannot_be_anchored_is_withheld() -> None:
    """A destination URL whose host is no destination address would read back as the source's:
    it is withheld, never switched to the other side."""
    seeded = event(
        **{"classification.type": "infected-system", "destination.ip": "198.51.100.7"},
        **{"destination.url": "http://c2.example/gate.php", "protocol.transport": "tcp"},
    )
    assert "destination.url" not in stix.shareable(seeded)
    assert b"c2.example" not in stix.dumps(stix.event_objects(seeded, PRODUCER))


def test_an_event_with_nothing_to_share_exports_nothing() -> None:
    """A destination name alone, with no protocol to carry it: nothing to observe, no objects."""
    seeded = event(**{"source.ip": None, "destination.fqdn": "sink.example"})
    assert not [k for k in stix.shareable(seeded) if k.startswith(("source.", "destination."))]
    assert stix.event_objects(seeded, PRODUCER) == []


def test_an_unlabelled_event_is_red() -> None:
    """An event without a TLP is exported as RED: nobody loosened it."""
    seeded = event()
    del seeded["tlp"]
    found = stix.event_objects(seeded, PRODUCER)
    assert {tuple(o["object_marking_refs"]) for o in found} == {(marking_id(TLP.RED),)}


# The STIX validator loads its schemas and pattern grammar on first use, and a busy machine runs
# an example in more than Hypothesis's 200 ms: the check is what it says, not how fast.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ip=st.one_of(st.none(), st.ip_addresses().map(str)),
    fqdn=st.one_of(st.none(), domains()),
    url=st.one_of(st.none(), urls()),
    type_=st.sampled_from(sorted(TYPE_TO_TAXONOMY)),
    label=st.sampled_from(list(TLP)),
)
def test_any_address_name_or_url_exports_valid_stix(
    ip: str | None, fqdn: str | None, url: str | None, type_: str, label: TLP
) -> None:
    """Whatever addresses, names and URLs an event holds, its bundle is valid STIX and its
    pattern a valid STIX pattern."""
    assume(ip or fqdn or url)
    fields = {"source.ip": ip, "source.fqdn": fqdn, "source.url": url}
    ctx = FeedContext(feed="f", file="x", observed=OBSERVED)
    batch = normalize([Record(1, "", {k: v for k, v in fields.items() if v})], ctx)
    assume(batch.events)  # some generated names are not domain names Tocsin accepts
    seeded = {**batch.events[0], "classification.type": type_, "tlp": label.value_name}
    found = stix.event_objects(seeded, PRODUCER)
    valid([PRODUCER, *found])
    for indicator in of_type(found, "indicator"):
        assert run_validator(indicator["pattern"], stix_version="2.1") == []


def incident(**changes: Any) -> Incident:
    base: dict[str, Any] = {
        "id": 7,
        "reference": "TOC-2026-000042",
        "title": "Jane Doe's mail server sends spam",
        "type": "spam",
        "priority": "P3",
        "tlp": "AMBER",
        "status": Status.IN_PROGRESS,
        "org_id": 1,
        "created": 1_795_000_000,
        "acknowledged_at": 1_795_000_600,
        "constituent": "Example Hospital",
        "sector": "health",
        "details": {"notes": "jane.doe@example.org, +31 6 1234 5678"},
    }
    return Incident(**{**base, **changes})


def test_an_open_incident_is_an_incident_and_a_grouping() -> None:
    """While open: the incident and a suspicious-activity grouping of it and its events."""
    events = stix.event_objects(event(**{"classification.type": "spam"}), PRODUCER)
    refs = [o["id"] for o in events if o["type"] in ("observed-data", "indicator", "sighting")]
    found = stix.incident_objects(incident(), refs, PRODUCER)
    assert [o["type"] for o in found] == ["incident", "grouping"]
    case, grouping = found
    assert case["name"] == grouping["name"] == "TOC-2026-000042: spam"
    assert case["description"] == "Abusive content: spam (Reference Security Incident Taxonomy)"
    assert grouping["context"] == "suspicious-activity"
    assert grouping["object_refs"] == [case["id"], *refs]
    assert case["modified"] == "2026-11-18T11:16:40.000Z"  # acknowledged, the latest time known
    assert all(o["object_marking_refs"] == [marking_id(TLP.AMBER)] for o in found)
    valid([PRODUCER, *events, *found])


@pytest.mark.parametrize(
    ("status", "published"),
    [
        (Status.RESOLVED, "2026-11-19T13:46:40.000Z"),
        (Status.CLOSED, "2026-11-20T16:00:00.000Z"),
    ],
)
def test_a_finished_incident_is_a_report_and_its_grouping_is_revoked(
    status: Status, published: str
) -> None:
    """Resolved or closed: a report published then, and the open-time grouping revoked, under
    the same ids, so a partner's copy is updated rather than doubled."""
    events = stix.event_objects(event(**{"classification.type": "spam"}), PRODUCER)
    refs = [o["id"] for o in events if o["type"] == "observed-data"]
    done = incident(status=status, resolved_at=1_795_096_000, closed_at=1_795_190_400)
    if status is Status.RESOLVED:
        done = incident(status=status, resolved_at=1_795_096_000)
    case, report, grouping = stix.incident_objects(done, refs, PRODUCER)
    opened = stix.incident_objects(incident(), refs, PRODUCER)
    assert (case["id"], grouping["id"]) == (opened[0]["id"], opened[1]["id"])
    assert report["type"] == "report" and report["published"] == published
    assert report["object_refs"] == [case["id"], *refs]
    assert grouping["revoked"] is True and grouping["modified"] > opened[1]["modified"]
    assert case["modified"] == published
    valid([PRODUCER, *events, *opened])
    valid([PRODUCER, *events, case, report, grouping])


def test_no_word_of_the_incident_leaves() -> None:
    """Title, details, constituent and sector stay home: only reference, type and taxonomy go."""
    refs = ["observed-data--00000000-0000-4000-8000-000000000000"]
    found = stix.incident_objects(incident(), refs, PRODUCER)
    data = stix.dumps(found)
    for secret in (*PERSONAL, "Jane", "mail server", "Hospital", "health", "P3"):
        assert secret.encode() not in data


def test_bundle_keeps_one_copy_of_each_object() -> None:
    """The latest version of an SDO is kept; an SCO keeps the most restrictive TLP it was
    given; the marking definitions used are added."""
    green = stix.event_objects(event(tlp="GREEN"), PRODUCER)
    red = stix.event_objects(event(tlp="RED", **{"source.port": 1}), PRODUCER)
    made = valid([PRODUCER, *green, *red])
    ip = next(o for o in made["objects"] if o["type"] == "ipv4-addr")
    assert ip["object_marking_refs"] == [marking_id(TLP.RED)]
    assert len([o for o in made["objects"] if o["type"] == "ipv4-addr"]) == 1
    markings = {o["id"] for o in made["objects"] if o["type"] == "marking-definition"}
    assert markings == {marking_id(TLP.GREEN), marking_id(TLP.RED)}
    opened = stix.incident_objects(incident(), [ip["id"]], PRODUCER)
    later = stix.incident_objects(incident(), [ip["id"]], PRODUCER, modified=1_796_000_000)
    made = stix.bundle([*later, *opened])
    assert [o["modified"] for o in made["objects"][:2]] == [later[0]["modified"]] * 2
    assert re.fullmatch(r"bundle--[0-9a-f-]{36}", made["id"])
    assert orjson.loads(stix.dumps(made)) == made
