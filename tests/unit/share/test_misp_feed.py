"""MISP feeds out: what Tocsin writes, PyMISP loads and indexes the same way, and nothing private
leaves."""

from __future__ import annotations

import hashlib
import random
import shutil
import uuid
from pathlib import Path
from typing import Any

import orjson
import pytest
from pymisp import MISPAttribute, MISPEvent
from pymisp.tools.feed import feed_meta_generator

from tocsin.errors import InvalidValue
from tocsin.formats.misp import misp_event, write_feed
from tocsin.model.event import fingerprint
from tocsin.model.tlp import TLP
from tocsin.pipeline.parsers.base import Source
from tocsin.pipeline.parsers.misp import MISPParser, feed_files
from tocsin.pipeline.stages.batch import FeedContext
from tocsin.pipeline.stages.normalize import normalize

ORG = {"org_name": "EXAMPLE-CERT", "org_uuid": "5f0c2b3a-2222-4c2d-9e7f-000000000002"}
FIRST = "7c1e0d3a-1111-4f6b-8a2c-000000000001"
SECOND = "7c1e0d3a-2222-4f6b-8a2c-000000000002"
OBSERVED = "2024-05-02T00:00:00+00:00"

# What may leave, and so what a round trip must bring back (time.source is checked on its own).
SHARED = (
    "source.ip",
    "source.network",
    "source.port",
    "source.fqdn",
    "source.url",
    "source.asn",
    "malware.hash.md5",
    "malware.hash.sha1",
    "malware.hash.sha256",
    "malware.name",
    "classification.type",
)


def tocsin_event(**fields: Any) -> dict[str, Any]:
    """A stored Tocsin event: harmonized fields, observed, labelled and fingerprinted."""
    event: dict[str, Any] = {"feed.name": "test", "time.observation": OBSERVED, "tlp": "GREEN"}
    event.update(fields)
    event.setdefault("tocsin.fingerprint", fingerprint(event))
    return event


SCANNER = tocsin_event(
    **{
        "classification.type": "brute-force",
        "source.ip": "192.0.2.7",
        "source.port": 22,
        "source.asn": 64496,
        "time.source": "2024-05-01T06:00:00+00:00",
    }
)
C2 = tocsin_event(
    **{
        "classification.type": "c2-server",
        "source.ip": "2001:db8::c2",
        "malware.name": "examplebot",
        "time.source": "2024-05-01T07:00:00+00:00",
        "tlp": "AMBER",
    }
)
DOWNLOAD = tocsin_event(
    **{
        "classification.type": "malware-distribution",
        "source.url": "http://files.example.com/x.exe",
        "source.fqdn": "files.example.com",
        "malware.hash.sha256": "0f4c6e8b2a1d3c5e7f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",
        "malware.hash.md5": "d41d8cd98f00b204e9800998ecf8427e",
        "malware.name": "examplerat",
        "time.source": "2024-05-01T08:00:00+00:00",
    }
)
DROP = tocsin_event(
    **{
        "classification.type": "blacklist",
        "source.network": "198.51.100.0/24",
        "time.source": "2024-05-01T05:00:00+00:00",
    }
)
ASN_DROP = tocsin_event(**{"classification.type": "blacklist", "source.asn": 64511, "tlp": "CLEAR"})
INFECTED = tocsin_event(
    **{
        "classification.type": "infected-system",
        "source.ip": "203.0.113.77",
        "malware.hash.sha1": "3c1b5e2a9d8f7c6b5a4e3d2c1b0a9f8e7d6c5b4a",
        "time.source": "2024-05-01T09:30:00+00:00",
    }
)
GROUPS = {
    FIRST: ("Attacks seen by EXAMPLE-CERT, 2024-05-01", [SCANNER, C2, DOWNLOAD]),
    SECOND: ("Lists and infections, 2024-05-01", [DROP, ASN_DROP, INFECTED]),
}


def variant(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Another observation like ``event`` (so with a fingerprint of its own)."""
    fields = {k: v for k, v in event.items() if k != "tocsin.fingerprint"}
    return tocsin_event(**{**fields, **changes})


def build(events: list[dict[str, Any]], event_uuid: str = FIRST, **more: Any) -> dict[str, Any]:
    return misp_event("Test", events, **ORG, date="2024-05-01", uuid=event_uuid, **more)


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """The two groups above written as a feed."""
    written = [
        misp_event(info, events, **ORG, date="2024-05-01", uuid=key)
        for key, (info, events) in GROUPS.items()
    ]
    write_feed(tmp_path, written)
    return tmp_path


def md5(text: str) -> str:
    """The digest hashes.csv holds for a value."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def loaded(path: Path) -> MISPEvent:
    event = MISPEvent()
    event.load_file(path)
    return event


def written(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def test_pymisp_loads_every_event_file_as_written(feed: Path) -> None:
    """Each event file loads in PyMISP, and PyMISP's own feed output of it is the file itself."""
    for key, (info, _events) in GROUPS.items():
        path = feed / f"{key}.json"
        event = loaded(path)
        assert event.uuid == key
        assert event.info == info
        assert event.Orgc.name == "EXAMPLE-CERT"
        assert event.published is True
        assert event.to_feed() == written(path)


def test_attributes_have_the_expected_types_and_flags(feed: Path) -> None:
    """Types, values, categories and to_ids as the mapping says, in the events' time order."""
    got = [
        (a.type, a.value, a.category, a.to_ids)
        for key in GROUPS
        for a in loaded(feed / f"{key}.json").attributes
    ]
    sha256 = DOWNLOAD["malware.hash.sha256"]
    assert got == [
        ("ip-src|port", "192.0.2.7|22", "Network activity", True),
        ("ip-dst", "2001:db8::c2", "Network activity", True),
        ("url", "http://files.example.com/x.exe", "Network activity", True),
        ("domain", "files.example.com", "Network activity", True),
        ("md5", "d41d8cd98f00b204e9800998ecf8427e", "Payload delivery", True),
        ("sha256", sha256, "Payload delivery", True),
        ("ip-src", "198.51.100.0/24", "Network activity", True),
        ("ip-src", "203.0.113.77", "Network activity", False),
        ("sha1", INFECTED["malware.hash.sha1"], "Payload delivery", False),
        ("AS", "64511", "Network activity", False),  # no time.source: observed the day after
    ]


def test_categories_are_valid_for_their_types(feed: Path) -> None:
    """PyMISP in strict mode accepts every attribute (category allowed for its type)."""
    for key in GROUPS:
        for item in written(feed / f"{key}.json")["Event"]["Attribute"]:
            MISPAttribute(strict=True).from_dict(**item)


def test_tags_carry_tlp_rsit_and_malware(feed: Path) -> None:
    """Event tags: the TLP and one RSIT tag per type; attributes: their own type and malware."""
    first = loaded(feed / f"{FIRST}.json")
    assert [t.name for t in first.tags] == [
        "tlp:amber",
        'rsit:intrusion-attempts="brute-force"',
        'rsit:malicious-code="c2-server"',
        'rsit:malicious-code="malware-distribution"',
    ]
    by_type = {a.type: [t.name for t in a.tags] for a in first.attributes}
    assert by_type["ip-dst"] == ['rsit:malicious-code="c2-server"', "malware:examplebot"]
    assert by_type["ip-src|port"] == ['rsit:intrusion-attempts="brute-force"']


def test_one_type_is_tagged_on_the_event_only() -> None:
    """When every event has the same type, the RSIT tag is on the MISP event alone."""
    body = build([SCANNER, variant(SCANNER, **{"source.ip": "192.0.2.8"})])["Event"]
    assert [t["name"] for t in body["Tag"]] == [
        "tlp:green",
        'rsit:intrusion-attempts="brute-force"',
    ]
    assert all("Tag" not in a for a in body["Attribute"])


def test_manifest_is_pymisps_manifest_of_the_events(feed: Path) -> None:
    """manifest.json holds, per event, exactly PyMISP's ``MISPEvent.manifest`` of the file."""
    expected: dict[str, Any] = {}
    for key in GROUPS:
        expected.update(loaded(feed / f"{key}.json").manifest)
    manifest = written(feed / "manifest.json")
    assert manifest == expected
    keys = ["Orgc", "Tag", "info", "date", "analysis", "threat_level_id", "timestamp"]
    assert list(manifest[FIRST]) == list(expected[FIRST]) == keys


def test_hashes_are_pymisps_attribute_hashes(feed: Path) -> None:
    """hashes.csv lists ``attributes_hashes('md5')`` of each event with its UUID, in order."""
    expected = [
        f"{digest},{key}"
        for key in GROUPS
        for digest in loaded(feed / f"{key}.json").attributes_hashes("md5")
    ]
    lines = (feed / "hashes.csv").read_text().splitlines()
    assert lines == expected
    assert f"{md5('192.0.2.7')},{FIRST}" in lines  # a composite, in parts
    assert f"{md5('22')},{FIRST}" in lines


def test_index_files_match_pymisps_feed_generator(
    feed: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """PyMISP's generator, run over the same event files, writes the same manifest and hashes."""
    other = tmp_path_factory.mktemp("pymisp")
    for key in GROUPS:
        shutil.copy(feed / f"{key}.json", other / f"{key}.json")
    feed_meta_generator(other)
    assert written(other / "manifest.json") == written(feed / "manifest.json")
    ours = sorted((feed / "hashes.csv").read_text().splitlines())
    assert sorted((other / "hashes.csv").read_text().splitlines()) == ours


def test_attribute_uuids_are_stable_and_seeded_by_the_fingerprint() -> None:
    """uuid5(event UUID, fingerprint|type): the same in any input order, new in another event."""
    events = [SCANNER, C2, DOWNLOAD]
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)
    once = build(events)
    assert build(shuffled) == once
    first = once["Event"]["Attribute"][0]
    seed = f"{SCANNER['tocsin.fingerprint']}|ip-src|port"
    assert first["uuid"] == str(uuid.uuid5(uuid.UUID(FIRST), seed))
    elsewhere = build(events, SECOND)["Event"]["Attribute"]
    assert {a["uuid"] for a in elsewhere}.isdisjoint(a["uuid"] for a in once["Event"]["Attribute"])


def test_a_value_is_written_once_per_event() -> None:
    """The same indicator on two days is one attribute (MISP refuses a duplicate), the earliest."""
    later = variant(SCANNER, **{"time.source": "2024-05-01T20:00:00+00:00"})
    (attribute, *rest) = build([later, SCANNER])["Event"]["Attribute"]
    assert rest == []
    assert attribute["timestamp"] == "1714543200"  # 06:00, the earlier sighting
    seed = f"{SCANNER['tocsin.fingerprint']}|ip-src|port"
    assert attribute["uuid"] == str(uuid.uuid5(uuid.UUID(FIRST), seed))


@pytest.mark.parametrize(
    ("labels", "floor", "want"),
    [
        (["CLEAR"], None, "tlp:clear"),
        (["CLEAR", "GREEN"], None, "tlp:green"),
        (["GREEN", "AMBER+STRICT", "AMBER"], None, "tlp:amber+strict"),
        (["GREEN"], "AMBER", "tlp:amber"),
        (["CLEAR"], TLP.RED, "tlp:red"),
        ([None], None, "tlp:amber"),
    ],
)
def test_the_most_restrictive_label_wins(labels: list[str | None], floor: Any, want: str) -> None:
    """The MISP event's TLP is the most restrictive of its events' (and of the floor asked for)."""
    events = []
    for number, label in enumerate(labels):
        event = tocsin_event(**{"source.ip": f"192.0.2.{number + 1}"})
        if label is None:
            del event["tlp"]
        else:
            event["tlp"] = label
        events.append(event)
    tags = build(events, tlp=floor)["Event"]["Tag"]
    assert [t["name"] for t in tags if t["name"].startswith("tlp:")] == [want]


SECRETS = ("Jane Q. Doolittle", "jane.doolittle@mailbox.example.org", "+31 6 1234 5678")
# pieces of them that must not show up either (a value cut short, a normalised number)
PIECES = ("doolittle", "mailbox", "1234 5678", "12345678", "+316")


def test_nothing_private_leaves(tmp_path: Path) -> None:
    """A name, an address and a phone number in every field that must stay home appear in no byte
    of the feed, not even as a value hash; nor does the fingerprint."""
    name, mail, phone = SECRETS
    private = {
        "comment": f"called {name} on {phone}",
        "event_description.text": f"{name} <{mail}>",
        "event_description.target": name,
        "event_description.url": f"https://portal.example.org/?who={mail}",
        "extra.contact": {"name": name, "email": mail, "phone": phone},
        "extra.note": phone,
        "raw": f"{name},{mail},{phone}",
        "source.account": mail,
        "source.abuse_contact": mail,
        "destination.abuse_contact": mail,
        "destination.account": name,
        "destination.ip": "198.51.100.200",
        "feed.provider": name,
        "tocsin.constituent": name,
        "tocsin.sector": phone,
        "status": name,
    }
    events = [tocsin_event(**{**SCANNER, **private}), tocsin_event(**{**DOWNLOAD, **private})]
    write_feed(tmp_path, [build(events)])
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == [f"{FIRST}.json", "hashes.csv", "manifest.json"]
    data = b"".join(f.read_bytes() for f in files).lower()
    forbidden = [*SECRETS, *PIECES, "198.51.100.200"]
    forbidden += [event["tocsin.fingerprint"] for event in events]
    for text in forbidden:
        assert text.lower().encode() not in data, text
        assert md5(text).encode() not in data, text


KINDS = ("ip-src|port", "ip-dst", "ip-src", "url", "domain", "AS", "md5", "sha1", "sha256")


def test_round_trip_through_the_misp_parser(feed: Path) -> None:
    """Written feed → ``misp`` parser → the shared fields of every event come back unchanged."""
    origin = {
        str(uuid.uuid5(uuid.UUID(key), f"{event['tocsin.fingerprint']}|{kind}")): event
        for key, (_info, events) in GROUPS.items()
        for event in events
        for kind in KINDS
    }
    back = []
    for path in feed_files(feed):
        ctx = FeedContext(feed="misp", file=path.name, observed=OBSERVED)
        batch = normalize(MISPParser().parse(Source(path)), ctx)
        assert batch.quarantined == []
        back.extend(batch.events)
    assert len(back) == 10
    for event in back:
        original = origin[event["misp.attribute_uuid"]]
        for name in SHARED:
            if name in event:
                assert event[name] == original[name], name
        assert event["time.source"] == original.get("time.source", original["time.observation"])
        assert event["tlp"] == {FIRST: "AMBER", SECOND: "GREEN"}[event["misp.event_uuid"]]
        assert event["feed.provider"] == "EXAMPLE-CERT"
    assert {origin[e["misp.attribute_uuid"]]["tocsin.fingerprint"] for e in back} == {
        event["tocsin.fingerprint"] for _info, events in GROUPS.values() for event in events
    }
    for _info, events in GROUPS.values():
        for original in events:
            for name in SHARED:
                if name == "source.asn" and "source.ip" in original:
                    continue  # our enrichment, not the observation: it stays home
                if name in original:
                    assert any(e.get(name) == original[name] for e in back), name


def test_the_feed_is_replaced_whole(tmp_path: Path) -> None:
    """A second write leaves exactly its events: files no longer listed go, no temp file stays."""
    write_feed(tmp_path, [build([SCANNER]), build([DROP], SECOND)])
    write_feed(tmp_path, [build([DROP], SECOND)])
    assert sorted(f.name for f in tmp_path.iterdir()) == [
        f"{SECOND}.json",
        "hashes.csv",
        "manifest.json",
    ]
    assert list(written(tmp_path / "manifest.json")) == [SECOND]


def test_a_reader_of_the_old_file_keeps_reading_it_whole(tmp_path: Path) -> None:
    """Files are renamed over, never rewritten in place: an open old manifest stays intact."""
    write_feed(tmp_path, [build([SCANNER])])
    with open(tmp_path / "manifest.json", "rb") as old:
        write_feed(tmp_path, [build([DROP], SECOND)])
        assert list(orjson.loads(old.read())) == [FIRST]
    assert list(written(tmp_path / "manifest.json")) == [SECOND]


def test_a_failed_write_leaves_the_manifest_as_it_was(tmp_path: Path) -> None:
    """Two events with one UUID are refused before the manifest is touched."""
    write_feed(tmp_path, [build([SCANNER])])
    before = (tmp_path / "manifest.json").read_bytes()
    with pytest.raises(InvalidValue, match="two events of the feed have this UUID"):
        write_feed(tmp_path, [build([DROP], SECOND), build([C2], SECOND)])
    assert (tmp_path / "manifest.json").read_bytes() == before
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".")]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"info": ""}, "info"),
        ({"info": "two\nlines"}, "info"),
        ({"info": "x" * 257}, "info"),
        ({"uuid": "not-a-uuid"}, "uuid"),
        ({"org_uuid": "42"}, "org_uuid"),
        ({"org_name": " "}, "org_name"),
        ({"date": "2024-13-01"}, "date"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, Any], field: str) -> None:
    """A title MISP would refuse, a bad UUID, organisation or date raise, naming the argument."""
    given = {"info": "Test", **ORG, "date": "2024-05-01", "uuid": FIRST, **arguments}
    info = given.pop("info")
    with pytest.raises(InvalidValue) as caught:
        misp_event(info, [SCANNER], **given)
    assert caught.value.field == field


def test_an_event_without_observables_has_no_attributes() -> None:
    """Nothing to share gives a valid MISP event without attributes, timed at its date."""
    body = build([tocsin_event(**{"classification.type": "scanner"})])["Event"]
    assert "Attribute" not in body
    assert body["timestamp"] == "1714521600"
    event = MISPEvent()
    event.load({"Event": body})
    assert event.attributes == []
