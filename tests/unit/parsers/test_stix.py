"""The STIX 2.1 parser: partners' bundles and envelopes, patterns, markings, and Tocsin's own
exports read back to the events they came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import stix2
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains, urls

from tocsin.formats import stix
from tocsin.formats.markings import marking_id
from tocsin.model.event import Event, expired, fingerprint
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.model.tlp import TLP
from tocsin.model.types import epoch_seconds
from tocsin.pipeline.parsers import FAMILIES, get_parser
from tocsin.pipeline.parsers.base import Record, Source
from tocsin.pipeline.parsers.stix import StixParser, Unmappable, read_pattern
from tocsin.pipeline.stages.batch import Batch, FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "stix"
OBSERVED = "2026-11-28T00:00:00+00:00"
PRODUCER = stix.producer_identity("Example National CSIRT")
PARTNER = stix.producer_identity("Example Partner CERT")


def run(data: bytes | Path, default_tlp: str = "AMBER") -> Batch:
    """Parse and normalise one input as the ``stix`` feed."""
    source = Source(data) if isinstance(data, Path) else Source("in.json", data)
    ctx = FeedContext(feed="stix", file=source.name, observed=OBSERVED, default_tlp=default_tlp)
    return normalize(StixParser().parse(source), ctx)


def records(*objects: Any) -> list[Record]:
    bundle = {"type": "bundle", "id": "bundle--5d0f7a8e-3c1b-4e7a-9d2f-6b8c0a1e2f3d"}
    data = orjson.dumps({**bundle, "objects": list(objects)})
    return list(StixParser().parse(Source("in.json", data)))


def indicator(pattern: str, **changes: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2026-11-20T08:00:00.000Z",
        "modified": "2026-11-20T08:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-11-20T07:30:00Z",
        **changes,
    }


@pytest.mark.parametrize("stem", ["partner-bundle", "tocsin-envelope", "truncated", "not-stix"])
def test_recorded_sample(stem: str) -> None:
    """Each recorded input gives exactly the recorded events and quarantine reasons."""
    batch = run(SAMPLES / f"{stem}.json")
    expected = orjson.loads((SAMPLES / f"{stem}.expected.json").read_bytes())
    assert batch.events == expected["events"]
    got = [{"line": q.line, "stage": q.stage, "reason": q.reason} for q in batch.quarantined]
    assert got == expected["quarantined"]
    assert batch.read == len(batch.events) + len(batch.quarantined)


def test_registered_as_the_stix_feed() -> None:
    """The family is registered; the feed defaults to AMBER and takes its type from the data."""
    assert "stix" in FAMILIES
    assert get_parser("stix") is StixParser
    assert (StixParser.default_tlp, StixParser.default_type) == ("AMBER", None)


def test_bundle_envelope_array_and_lone_object_read_alike() -> None:
    """The same objects as a bundle, a TAXII envelope, a bare array or one object alone give the
    same records."""
    item = indicator("[ipv4-addr:value = '203.0.113.9']")
    forms = [
        {"type": "bundle", "id": "bundle--6e8d1c1f-6b0e-4a43-9f55-2e5c8b0b8c0d", "objects": [item]},
        {"more": False, "objects": [item]},
        [item],
        item,
    ]
    got = [list(StixParser().parse(Source("x", orjson.dumps(form)))) for form in forms]
    assert got[0] == got[1] == got[2] == got[3]
    (record,) = got[0]
    assert (record.line, record.raw) == (1, orjson.dumps(item).decode())
    assert record.fields is not None and record.fields["source.ip"] == "203.0.113.9"


def test_an_empty_bundle_has_no_rows() -> None:
    """No objects, no records, nothing quarantined."""
    assert run(b'{"type": "bundle", "id": "bundle--1", "objects": []}').read == 0


def test_objects_are_numbered_by_position_and_kept_raw() -> None:
    """A record's line is its object's position in the array and raw its compact JSON."""
    bad = indicator("[ipv4-addr:value = '203.0.113.9'] FOLLOWEDBY [url:value = 'http://x/']")
    (record,) = records(PARTNER, bad)
    assert record.line == 2
    assert record.raw == orjson.dumps(bad).decode()


@pytest.mark.parametrize(
    ("pattern", "fields"),
    [
        ("[ipv4-addr:value = '203.0.113.9']", {"source.ip": "203.0.113.9"}),
        ("[ipv6-addr:value = '2001:db8::9']", {"source.ip": "2001:db8::9"}),
        ("[ipv4-addr:value = '203.0.113.0/24']", {"source.network": "203.0.113.0/24"}),
        ("[ipv4-addr:value ISSUBSET '203.0.113.0/24']", {"source.network": "203.0.113.0/24"}),
        ("[domain-name:value = 'bad.example']", {"source.fqdn": "bad.example"}),
        ("[url:value = 'http://bad.example/it\\'s']", {"source.url": "http://bad.example/it's"}),
        ("[autonomous-system:number = 64496]", {"source.asn": 64496}),
        (
            "[file:hashes.MD5 = 'aa' AND file:hashes.'SHA-1' = 'bb' AND file:hashes.SHA256 = 'cc']",
            {"malware.hash.md5": "aa", "malware.hash.sha1": "bb", "malware.hash.sha256": "cc"},
        ),
        (
            "[network-traffic:dst_ref.type = 'domain-name' AND "
            "network-traffic:dst_ref.value = 'c2.example' AND network-traffic:dst_port = 443 AND "
            "network-traffic:protocols[*] = 'tcp']",
            {"source.fqdn": "c2.example", "source.port": 443, "protocol.transport": "tcp"},
        ),
        (
            "[domain-name:value = 'bad.example'] AND [ipv4-addr:value = '203.0.113.9']",
            {"source.fqdn": "bad.example", "source.ip": "203.0.113.9"},
        ),
    ],
)
def test_patterns_that_map(pattern: str, fields: dict[str, Any]) -> None:
    """One comparison, or an AND of them, over the paths Tocsin has fields for: one event."""
    assert read_pattern(pattern) == [fields]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [url:value = 'http://x/']", "FOLLOWEDBY"),
        ("[url:value = 'http://x.example/'] WITHIN 60 SECONDS", "qualifier (WITHIN 60 SECONDS)"),
        ("[domain-name:value LIKE '%.bad.example']", "operator LIKE on domain-name:value"),
        ("[ipv4-addr:value != '1.2.3.4']", "operator != on ipv4-addr:value"),
        ("[email-addr:value = 'a@b.example']", "no field for email-addr:value"),
        ("[file:hashes.'SHA-512' = 'aa']", "no field for file:hashes.SHA-512"),
        ("[file:name = 'invoice.exe']", "no field for file:name"),
        (
            "[ipv4-addr:value = '1.2.3.4' AND ipv4-addr:value = '1.2.3.5']",
            "two values for source.ip",
        ),
        ("[ipv4-addr:value = '1.2.3.4'", "not a valid STIX pattern"),
        ("[file:hashes.MD5 = h'ff']", "neither text nor a whole number"),
    ],
)
def test_patterns_that_do_not_map_say_why(pattern: str, reason: str) -> None:
    """What one event cannot hold is refused with the reason, never half mapped."""
    try:
        found = read_pattern(pattern)
    except Unmappable as exc:
        found = [exc]
    (only,) = found
    assert isinstance(only, Unmappable)
    assert reason in str(only)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            "[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '1.2.3.5']",
            [{"source.ip": "1.2.3.4"}, {"source.ip": "1.2.3.5"}],
        ),
        (
            "[ipv4-addr:value = '1.2.3.4'] OR [url:value = 'http://x.example/']",
            [{"source.ip": "1.2.3.4"}, {"source.url": "http://x.example/"}],
        ),
        (
            "[domain-name:value = 'a.example' OR domain-name:value = 'b.example' OR "
            "ipv4-addr:value = '1.2.3.4']",
            [{"source.fqdn": "a.example"}, {"source.fqdn": "b.example"}, {"source.ip": "1.2.3.4"}],
        ),
        (
            "[network-traffic:dst_ref.value = '1.2.3.4' AND network-traffic:dst_port = 443] "
            "OR [domain-name:value = 'c2.example']",
            [{"source.ip": "1.2.3.4", "source.port": 443}, {"source.fqdn": "c2.example"}],
        ),
        (
            "[(ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '1.2.3.5') AND "
            "network-traffic:dst_port = 22]",
            [
                {"source.ip": "1.2.3.4", "source.port": 22},
                {"source.ip": "1.2.3.5", "source.port": 22},
            ],
        ),
        (
            "[ipv4-addr:value = '1.2.3.4'] OR ([url:value = 'http://x/'] OR "
            "[ipv4-addr:value = '1.2.3.4'])",
            [{"source.ip": "1.2.3.4"}, {"source.url": "http://x/"}],
        ),
    ],
)
def test_an_or_is_one_event_per_alternative(pattern: str, expected: list[dict[str, Any]]) -> None:
    """An OR, between comparisons or observations, splits the pattern into alternatives, each
    one event; an AND joins its sides into each alternative; the same alternative twice is one."""
    assert read_pattern(pattern) == expected


def test_an_or_s_unmappable_alternative_is_quarantined_and_the_others_are_events() -> None:
    """Of ``a OR b OR c`` where ``b`` names a file name (no field), ``a`` and ``c`` are events
    and ``b`` alone is quarantined, with which alternative it was and why."""
    pattern = (
        "[domain-name:value = 'bad.example' OR file:name = 'x.exe' OR "
        "ipv4-addr:value = '203.0.113.9']"
    )
    batch = run(orjson.dumps([indicator(pattern, indicator_types=["malicious-activity"])]))
    assert [(e.get("source.fqdn"), e.get("source.ip")) for e in batch.events] == [
        ("bad.example", None),
        (None, "203.0.113.9"),
    ]
    assert {e["extra.stix_id"] for e in batch.events} == {indicator("")["id"]}
    assert {e["classification.type"] for e in batch.events} == {"blacklist"}
    (bad,) = batch.quarantined
    assert bad.reason == (f"{indicator('')['id']}: alternative 2 of 3: no field for file:name")
    assert batch.read == 3


def test_a_pattern_of_too_many_alternatives_is_refused() -> None:
    """An AND of ORs multiplies: past 256 alternatives the indicator is refused, not expanded."""
    part = "(" + " OR ".join(f"ipv4-addr:value = '10.0.0.{n}'" for n in range(20)) + ")"
    with pytest.raises(Unmappable, match="over 256 alternatives"):
        read_pattern(f"[{part} AND {part.replace('ipv4-addr', 'ipv6-addr')}]")


def test_an_unmappable_indicator_is_quarantined_under_its_id() -> None:
    """The quarantine reason names the object, so an analyst can find it in the input."""
    batch = run(orjson.dumps([indicator("[mutex:name = 'x']")]))
    (bad,) = batch.quarantined
    assert bad.stage == "parse"
    assert bad.reason == (
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f: no field for mutex:name"
    )


@pytest.mark.parametrize(
    ("types", "pattern", "expected"),
    [
        (["malicious-activity"], "[ipv4-addr:value = '203.0.113.9']", "blacklist"),
        (["malicious-activity"], f"[file:hashes.'SHA-256' = '{'a' * 64}']", "malware"),
        (["compromised"], "[ipv4-addr:value = '203.0.113.9']", "system-compromise"),
        (["anonymization"], "[ipv4-addr:value = '203.0.113.9']", "proxy"),
        (["attribution", "unknown"], "[ipv4-addr:value = '203.0.113.9']", "undetermined"),
        ([], "[ipv4-addr:value = '203.0.113.9']", "undetermined"),
    ],
)
def test_classification_from_indicator_types(types: list[str], pattern: str, expected: str) -> None:
    """Without an RSIT label the indicator's types give the closest IntelMQ type."""
    (event,) = run(orjson.dumps([indicator(pattern, indicator_types=types)])).events
    assert event["classification.type"] == expected


def test_an_rsit_label_wins_over_indicator_types() -> None:
    """The producer's RSIT label says more than its indicator_types; a label outside the
    taxonomy is ignored."""
    labelled = indicator(
        "[ipv4-addr:value = '203.0.113.9']",
        indicator_types=["malicious-activity"],
        labels=['ecsirt:information-gathering="scanner"'],
    )
    (event,) = run(orjson.dumps([labelled])).events
    assert event["classification.type"] == "scanner"
    odd = {**labelled, "labels": ['rsit:other="made-up"']}
    (event,) = run(orjson.dumps([odd])).events
    assert event["classification.type"] == "blacklist"


def test_benign_revoked_and_older_versions_are_not_rows() -> None:
    """A benign indicator names what not to block; a revoked one is withdrawn; of two versions
    only the latest is a row, wherever it stands in the array."""
    newer = indicator("[ipv4-addr:value = '203.0.113.2']", modified="2026-11-21T00:00:00.000Z")
    older = indicator("[ipv4-addr:value = '203.0.113.1']")
    benign = indicator(
        "[domain-name:value = 'www.example.com']",
        id="indicator--7a6b0f61-5a54-4d86-9b58-3c4c4b3d3c77",
        indicator_types=["benign"],
    )
    revoked = {**older, "id": "indicator--2f2f6f6b-1c3e-4b1b-9e39-5f0d7c9a7b11", "revoked": True}
    found = records(newer, benign, older, revoked)
    assert [(r.line, r.fields and r.fields["source.ip"]) for r in found] == [(1, "203.0.113.2")]


def test_a_sighting_adds_no_row_and_hides_the_indicator_of_an_observation() -> None:
    """A sighting is context; an indicator sighted through an observed-data of the same input
    is that observation, read once from the observed-data."""
    found = stix.event_objects(_event(**{"classification.type": "c2-server"}), PRODUCER)
    assert {o["type"] for o in found} >= {"indicator", "sighting", "observed-data"}
    got = records(PRODUCER, *found)
    assert [orjson.loads(r.raw)["type"] for r in got] == ["observed-data"]
    lone = [o for o in found if o["type"] in ("indicator", "sighting")]
    assert [orjson.loads(r.raw)["type"] for r in records(*lone)] == ["indicator"]


def test_provenance_names_the_producer() -> None:
    """feed.provider is the creator identity's name when present; the ids always travel."""
    item = indicator("[ipv4-addr:value = '203.0.113.9']", created_by_ref=PARTNER["id"])
    (event,) = run(orjson.dumps([PARTNER, item])).events
    assert event["feed.provider"] == "Example Partner CERT"
    assert event["extra.stix_id"] == item["id"]
    assert event["extra.stix_created_by"] == PARTNER["id"]
    assert event["time.source"] == "2026-11-20T07:30:00+00:00"
    assert event["time.observation"] == "2026-11-20T08:00:00+00:00"
    (event,) = run(orjson.dumps([item])).events
    assert "feed.provider" not in event and event["extra.stix_created_by"] == PARTNER["id"]


def test_an_indicator_that_indicates_a_malware_takes_its_name() -> None:
    """A relationship ``indicates`` to a malware object of the input names the malware."""
    item = indicator(f"[file:hashes.'SHA-256' = '{'b' * 64}']")
    malware = stix2.Malware(name="QakBot", is_family=True)
    link = stix2.Relationship(item["id"], "indicates", malware.id)
    objects = [item, orjson.loads(malware.serialize()), orjson.loads(link.serialize())]
    (event,) = run(orjson.dumps(objects)).events
    assert event["malware.name"] == "qakbot"


def _marked(*refs: str, sco_refs: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    ip = orjson.loads(stix2.IPv4Address(value="192.0.2.9").serialize())
    if sco_refs:
        ip["object_marking_refs"] = list(sco_refs)
    observed = {
        "type": "observed-data",
        "spec_version": "2.1",
        "id": "observed-data--0b7ad3b8-8f0f-4b51-9a8d-2c2c1e4b1f01",
        "created": "2026-11-20T08:00:00.000Z",
        "modified": "2026-11-20T08:00:00.000Z",
        "first_observed": "2026-11-20T07:00:00Z",
        "last_observed": "2026-11-20T07:00:00Z",
        "number_observed": 1,
        "object_refs": [ip["id"]],
    }
    if refs:
        observed["object_marking_refs"] = list(refs)
    return [ip, observed]


@pytest.mark.parametrize(
    ("refs", "sco_refs", "expected"),
    [
        ((), (), "GREEN"),  # no marking: the feed's default (GREEN in this test)
        ((marking_id(TLP.CLEAR),), (), "CLEAR"),
        ((stix2.TLP_WHITE.id,), (), "CLEAR"),
        ((marking_id(TLP.GREEN),), (stix2.TLP_AMBER.id,), "AMBER"),
        ((marking_id(TLP.AMBER_STRICT), stix2.TLP_AMBER.id), (), "AMBER+STRICT"),
        ((stix2.TLP_GREEN.id,), (marking_id(TLP.RED),), "RED"),
        # an id the input does not define: read as RED (markings fail closed)
        (("marking-definition--3c2a7a4e-2f6a-4a4e-8a31-5a1f3f0a9e21",), (), "RED"),
    ],
)
def test_the_most_restrictive_marking_of_object_and_observables_wins(
    refs: tuple[str, ...], sco_refs: tuple[str, ...], expected: str
) -> None:
    """TLP 2.0 and 1.0 ids, on the object and on each SCO it refers to: the most restrictive
    counts; none leaves the feed's default. RED is still read."""
    (event,) = run(orjson.dumps(_marked(*refs, sco_refs=sco_refs)), default_tlp="GREEN").events
    assert event["tlp"] == expected


def test_a_marking_definition_of_the_input_is_understood() -> None:
    """A producer's own TLP definition (2.0 extension or 1.0 form) counts under its own id;
    a redefinition of a well-known id does not change what that id means."""
    own = "marking-definition--3c2a7a4e-2f6a-4a4e-8a31-5a1f3f0a9e21"
    definition = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": own,
        "created": "2025-01-01T00:00:00.000Z",
        "definition_type": "tlp",
        "definition": {"tlp": "red"},
    }
    (event,) = run(orjson.dumps([definition, *_marked(own)])).events
    assert event["tlp"] == "RED"
    forged = {**definition, "id": marking_id(TLP.CLEAR)}
    (event,) = run(orjson.dumps([forged, *_marked(marking_id(TLP.CLEAR))])).events
    assert event["tlp"] == "CLEAR"


def test_observed_data_reads_each_side_from_the_graph() -> None:
    """A foreign observation: src/dst of the network-traffic, the name resolving to the
    destination, the AS the source belongs to, a second IP left unmapped."""
    owner = stix2.AutonomousSystem(number=64496)
    src = stix2.IPv4Address(value="192.0.2.9", belongs_to_refs=[owner.id])
    dst = stix2.IPv6Address(value="2001:db8::80")
    other = stix2.IPv4Address(value="192.0.2.10")
    name = stix2.DomainName(value="www.example.net", resolves_to_refs=[dst.id])
    url = stix2.URL(value="https://www.example.net/login")
    traffic = stix2.NetworkTraffic(
        src_ref=src.id, dst_ref=dst.id, dst_port=443, protocols=["ipv6", "tcp", "https"]
    )
    scos = [src, dst, other, name, url, traffic, owner]
    observed = stix2.ObservedData(
        first_observed="2026-11-20T07:00:00Z",
        last_observed="2026-11-20T07:05:00Z",
        number_observed=1,
        object_refs=[s.id for s in scos],
    )
    objects = [orjson.loads(o.serialize()) for o in (*scos, observed)]
    (event,) = run(orjson.dumps(objects)).events
    sides = ("source.", "destination.", "protocol.")
    assert {k: v for k, v in event.items() if k.startswith(sides)} == {
        "source.ip": "192.0.2.9",
        "source.asn": 64496,
        "destination.ip": "2001:db8::80",
        "destination.fqdn": "www.example.net",
        "destination.url": "https://www.example.net/login",
        "destination.port": 443,
        "protocol.transport": "tcp",
        "protocol.application": "https",
    }
    assert event["extra.stix_unmapped_refs"] == [other.id]


def _event(**fields: Any) -> Event:
    """An event as the pipeline stores it."""
    given_fields = {
        "feed.name": "example-feed",
        "time.source": "2026-11-06T18:47:58+00:00",
        "classification.type": "scanner",
        "source.ip": "192.0.2.20",
        "tlp": "AMBER",
        **fields,
    }
    ctx = FeedContext(feed="example-feed", file="x", observed="2026-11-06T19:47:58+00:00")
    records = [Record(1, "", {k: v for k, v in given_fields.items() if v is not None})]
    batch = normalize(records, ctx)
    assert batch.events, batch.quarantined
    found = batch.events[0]
    found["tocsin.fingerprint"] = fingerprint(found)
    return found


def round_trip(event: Event) -> Event:
    """Export one event as Tocsin does, read the bundle back as the stix feed."""
    data = stix.dumps(stix.bundle([PRODUCER, *stix.event_objects(event, PRODUCER)]))
    batch = run(data, default_tlp="CLEAR")
    assert not batch.quarantined, batch.quarantined
    (back,) = batch.events
    return back


def shared(event: Event) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k in stix.SHAREABLE}


@pytest.mark.parametrize("type_", sorted(TYPE_TO_TAXONOMY))
def test_round_trip_of_every_type(type_: str) -> None:
    """event → STIX → parser gives the shareable fields and the TLP back, for each type."""
    event = _event(
        **{"classification.type": type_, "classification.identifier": "rdp", "tlp": "AMBER+STRICT"},
        **{"source.fqdn": "host.example", "source.url": "http://host.example/a?b=c"},
        **{"source.asn": 64496},
        **{"source.network": "192.0.2.0/24", "source.port": 3389, "protocol.transport": "tcp"},
        **{"destination.ip": "198.51.100.7", "destination.port": 443, "destination.asn": 64497},
        **{"destination.fqdn": "sink.example", "destination.url": "https://sink.example/x"},
        **{"destination.network": "198.51.100.0/25", "protocol.application": "https"},
        **{"malware.name": "mirai", "malware.hash.md5": "c" * 32, "malware.hash.sha1": "d" * 40},
        **{"comment": "not shared", "source.geolocation.cc": "NL", "extra.n": 3},
    )
    assert stix.shareable(event) == shared(event)  # every field here can travel
    back = round_trip(event)
    assert shared(back) == shared(event)
    assert back["tlp"] == "AMBER+STRICT"
    assert back["classification.taxonomy"] == event["classification.taxonomy"]
    assert "comment" not in back and "source.geolocation.cc" not in back


ADDRESSES = st.one_of(st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(str))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    src=st.fixed_dictionaries(
        {},
        optional={
            "source.ip": ADDRESSES,
            "source.fqdn": domains(),
            "source.url": urls(),
            "source.port": st.integers(0, 65535),
            "source.asn": st.integers(1, 4294967295),
        },
    ),
    dst=st.fixed_dictionaries(
        {},
        optional={
            "destination.ip": ADDRESSES,
            "destination.fqdn": domains(),
            "destination.port": st.integers(0, 65535),
            "destination.asn": st.integers(1, 4294967295),
        },
    ),
    protocol=st.fixed_dictionaries(
        {},
        optional={
            "protocol.transport": st.sampled_from(["tcp", "udp", "icmp", "quic"]),
            "protocol.application": st.sampled_from(["http", "ssh", "tcp", "ipv4"]),
        },
    ),
    type_=st.sampled_from(sorted(TYPE_TO_TAXONOMY)),
    label=st.sampled_from(list(TLP)),
    hashed=st.booleans(),
)
def test_round_trip_gives_back_what_may_leave(
    src: dict[str, Any],
    dst: dict[str, Any],
    protocol: dict[str, Any],
    type_: str,
    label: TLP,
    hashed: bool,
) -> None:
    """For any addresses, names, URLs, ports, ASNs and protocols, what a partner reads back is
    exactly ``shareable(event)``, at the event's TLP: nothing more, nothing on the wrong side."""
    fields = {**src, **dst, **protocol, "classification.type": type_, "tlp": label.value_name}
    if hashed:
        fields["malware.hash.sha256"] = "e" * 64
    fields.setdefault("source.ip", None)
    ctx = FeedContext(feed="f", file="x", observed="2026-11-06T19:47:58+00:00")
    given_fields = {k: v for k, v in fields.items() if v is not None}
    batch = normalize([Record(1, "", given_fields)], ctx)
    assume(batch.events)  # a generated name Tocsin does not accept, or no observable at all
    event = batch.events[0]
    event["tocsin.fingerprint"] = fingerprint(event)
    expected = stix.shareable(event)
    objects = stix.event_objects(event, PRODUCER)
    if not any(k.startswith(("source.", "destination.", "malware.")) for k in expected):
        assert objects == []
        return
    back = round_trip(event)
    assert shared(back) == expected
    assert back["tlp"] == label.value_name


def test_an_indicator_s_valid_until_is_kept_with_its_events() -> None:
    """``valid_until`` becomes ``tocsin.valid_until`` on each event the indicator names; an
    indicator already past it is still read (kept, as expired), not dropped or quarantined."""
    item = indicator(
        "[ipv4-addr:value = '203.0.113.9' OR domain-name:value = 'bad.example']",
        valid_until="2026-11-21T00:00:00.000Z",
    )
    batch = run(orjson.dumps([item]))
    assert not batch.quarantined
    assert [e["tocsin.valid_until"] for e in batch.events] == ["2026-11-21T00:00:00+00:00"] * 2
    assert [expired(e, epoch_seconds(OBSERVED)) for e in batch.events] == [True, True]
    assert "tocsin.valid_until" not in run(orjson.dumps([indicator("[url:value = 'x']")])).events[0]


def test_a_valid_until_travels_out_and_back_with_tocsin_s_own_export() -> None:
    """Tocsin's indicator carries the event's ``valid_until``, and the observed-data it is
    sighted through reads back with it (that is the row of Tocsin's exports)."""
    event = _event(
        **{"classification.type": "c2-server", "tocsin.valid_until": "2026-12-01T00:00:00+00:00"}
    )
    found = stix.event_objects(event, PRODUCER)
    (made,) = [o for o in found if o["type"] == "indicator"]
    assert made["valid_until"] == "2026-12-01T00:00:00.000Z"
    assert round_trip(event)["tocsin.valid_until"] == "2026-12-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("spec", "reason"),
    [(None, "no spec_version: a STIX 2.0 object"), ("2.0", "spec_version '2.0'")],
)
def test_a_stix_2_0_row_is_quarantined_not_read_as_2_1(spec: str | None, reason: str) -> None:
    """An indicator or observed-data without spec_version is STIX 2.0 (STIX 2.1 section 3.2),
    refused like one that says 2.0, with the reason; it was read as if it were 2.1."""
    item = {k: v for k, v in indicator("[ipv4-addr:value = '203.0.113.9']").items()}
    del item["spec_version"]
    if spec is not None:
        item["spec_version"] = spec
    batch = run(orjson.dumps([item]))
    assert batch.events == []
    (bad,) = batch.quarantined
    assert bad.reason == f"{item['id']}: {reason}; Tocsin reads STIX 2.1"
