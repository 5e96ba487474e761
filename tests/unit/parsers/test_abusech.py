"""The abuse.ch parsers (URLhaus, Feodo Tracker, ThreatFox): samples, layouts, broken input.

The formats are those of docs/feeds.md §2; §0 below is that page's quick index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.parsers.recorded import assert_as_recorded

from tocsin.pipeline.parsers import get_parser
from tocsin.pipeline.parsers.abusech import (
    PARSERS,
    FeodoTrackerParser,
    ThreatFoxParser,
    URLhausParser,
)
from tocsin.pipeline.parsers.base import Parser, Record, Source
from tocsin.pipeline.parsers.phishing import host_field
from tocsin.pipeline.stages.batch import Batch, FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "abusech"
OBSERVED = "2024-05-02T00:00:00+00:00"
EXPECTED = sorted(path.name for path in SAMPLES.glob("*.expected.json"))


def run(parser: type[Parser], path: Path | str, data: bytes | None = None) -> Batch:
    ctx = FeedContext(
        feed=parser.name,
        file=Path(path).name,
        observed=OBSERVED,
        provider=parser.provider,
        default_type=parser.default_type,
        default_tlp=parser.default_tlp,
    )
    return normalize(parser().parse(Source(path, data)), ctx)


def records(parser: type[Parser], data: bytes, name: str = "input") -> list[Record]:
    return list(parser().parse(Source(name, data)))


def fields(parser: type[Parser], data: bytes) -> list[dict[str, Any] | None]:
    return [record.fields for record in records(parser, data)]


@pytest.mark.parametrize("expected", EXPECTED)
def test_recorded_sample(expected: str) -> None:
    """Each recorded sample gives exactly the recorded events and quarantined rows, none lost."""
    want = orjson.loads((SAMPLES / expected).read_bytes())
    batch = run(get_parser(want["feed"]), SAMPLES / expected.removesuffix(".expected.json"))
    assert_as_recorded(batch, want)


def test_every_parser_has_a_good_and_a_broken_sample() -> None:
    """Every abuse.ch feed has a recorded sample with events and one with quarantined rows."""
    feeds_with = {"events": set(), "quarantined": set()}
    for expected in EXPECTED:
        want = orjson.loads((SAMPLES / expected).read_bytes())
        for key, found in feeds_with.items():
            if want[key]:
                found.add(want["feed"])
    names = {parser.name for parser in PARSERS}
    assert feeds_with == {"events": names, "quarantined": names}


def test_feeds_are_registered_as_public_lists() -> None:
    """The three feed names resolve to their parsers, with the §0 types and TLP CLEAR."""
    assert get_parser("urlhaus") is URLhausParser
    assert get_parser("feodotracker") is FeodoTrackerParser
    assert get_parser("threatfox") is ThreatFoxParser
    assert URLhausParser.default_type == "malware-distribution"
    assert FeodoTrackerParser.default_type == "c2-server"
    assert ThreatFoxParser.default_type is None
    assert all(parser.default_tlp == "CLEAR" for parser in PARSERS)


def test_urlhaus_maps_columns_by_header_name() -> None:
    """A reordered header and the older dump without last_online map the same values."""
    old = (
        b"# id,dateadded,url,url_status,threat,tags,urlhaus_link,reporter\n"
        b'"7","2024-05-01 06:01:12","http://192.0.2.45/x","online","malware_download","elf",'
        b'"https://urlhaus.abuse.ch/url/7/","r"\n'
    )
    shuffled = (
        b"# url,reporter,tags,id,url_status,urlhaus_link,threat,dateadded\n"
        b'"http://192.0.2.45/x","r","elf","7","online","https://urlhaus.abuse.ch/url/7/",'
        b'"malware_download","2024-05-01 06:01:12"\n'
    )
    assert fields(URLhausParser, old) == fields(URLhausParser, shuffled)
    assert fields(URLhausParser, old)[0] == {
        "extra.id": "7",
        "time.source": "2024-05-01 06:01:12",
        "source.url": "http://192.0.2.45/x",
        "status": "online",
        "extra.threat": "malware_download",
        "extra.tags": ["elf"],
        "extra.urlhaus_link": "https://urlhaus.abuse.ch/url/7/",
        "extra.reporter": "r",
        "source.ip": "192.0.2.45",
    }


def test_urlhaus_country_feed_columns() -> None:
    """The per-country feed's host, ip, asnumber and country columns reach their fields."""
    data = (
        b"# Dateadded (UTC),URL,URL_status,Threat,Host,IPaddress,ASnumber,Country\n"
        b'"2024-05-01 06:01:12","http://files.example.com/a","online","malware_download",'
        b'"files.example.com","203.0.113.5","64496","NL"\n'
    )
    (got,) = fields(URLhausParser, data)
    assert got is not None
    assert got["time.source"] == "2024-05-01 06:01:12"
    assert got["source.fqdn"] == "files.example.com"
    assert got["source.ip"] == "203.0.113.5"
    assert got["source.asn"] == "64496"
    assert got["source.geolocation.cc"] == "NL"


def test_urlhaus_without_url_column_quarantines_every_row() -> None:
    """A dump whose header lacks the url column quarantines its rows, naming the column."""
    data = b'# id,dateadded,link\n"1","2024-05-01 06:01:12","http://192.0.2.45/x"\n'
    (record,) = records(URLhausParser, data)
    assert record.fields is None
    assert record.error == "missing column(s): url"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://192.0.2.45:8080/bin.sh", ("source.ip", "192.0.2.45")),
        ("https://files.example.com/invoice.zip", ("source.fqdn", "files.example.com")),
        ("http://user:pw@cdn.example.net:81/a?b#c", ("source.fqdn", "cdn.example.net")),
        ("http://[2001:db8::15]:8000/x86", ("source.ip", "2001:db8::15")),
        ("example.org?q=1", ("source.fqdn", "example.org")),
        ("http://example.org#top", ("source.fqdn", "example.org")),
        ("http:///path-only", None),
        ("http://[]/", None),
        ("http://www..example.com/phishing", None),
        ("http://-a-.example.com/x", None),
    ],
)
def test_url_host(url: str, host: tuple[str, str] | None) -> None:
    """A URL's host goes to source.ip when it is an address, to source.fqdn when it is a domain
    name, and nowhere when browsers accept it but DNS would not (the URL alone is kept)."""
    assert host_field(url) == host


def test_feodotracker_layouts_agree() -> None:
    """The JSON, CSV and plain-text forms of one blocklist give the same C2 addresses."""
    addresses = []
    for name in ("feodotracker.json", "feodotracker.csv", "feodotracker.txt"):
        batch = run(FeodoTrackerParser, SAMPLES / name)
        addresses.append([event["source.ip"] for event in batch.events][:2])
    assert addresses == [["192.0.2.66", "203.0.113.9"]] * 3


@pytest.mark.parametrize(
    ("first_seen", "last_online", "moment"),
    [
        ("2024-04-29 11:02:13", "2024-05-01", "2024-05-01T00:00:00+00:00"),
        ("2024-04-29 11:02:13", None, "2024-04-29T11:02:13+00:00"),
        ("2024-05-01 11:02:13", "2024-05-01", "2024-05-01T11:02:13+00:00"),
        (None, "2024-05-01", "2024-05-01T00:00:00+00:00"),
    ],
)
def test_feodotracker_time_source(
    first_seen: str | None, last_online: str | None, moment: str
) -> None:
    """time.source is last_online at midnight, else first_seen (also when on the same day)."""
    item = {"ip_address": "192.0.2.66", "first_seen": first_seen, "last_online": last_online}
    batch = run(FeodoTrackerParser, "ipblocklist.json", orjson.dumps([item]))
    assert batch.events[0]["time.source"] == moment


def test_feodotracker_json_object_is_one_quarantined_record() -> None:
    """A JSON document that is not an array is quarantined whole, with the reason."""
    (record,) = records(FeodoTrackerParser, b'{"error": "rate limited"}')
    assert (record.line, record.raw, record.fields) == (1, '{"error":"rate limited"}', None)
    assert record.error == "expected a JSON array, found an object"


@pytest.mark.parametrize(
    ("ioc_type", "value", "want"),
    [
        ("ip:port", "192.0.2.99:8443", {"source.ip": "192.0.2.99", "source.port": "8443"}),
        ("ip:port", "[2001:db8::9]:443", {"source.ip": "2001:db8::9", "source.port": "443"}),
        ("domain", "c2.example.net", {"source.fqdn": "c2.example.net"}),
        (
            "url",
            "http://198.51.100.7/a.exe",
            {"source.url": "http://198.51.100.7/a.exe", "source.ip": "198.51.100.7"},
        ),
        ("md5_hash", "0" * 32, {"malware.hash.md5": "0" * 32}),
        ("sha1_hash", "1" * 40, {"malware.hash.sha1": "1" * 40}),
        ("sha256_hash", "2" * 64, {"malware.hash.sha256": "2" * 64}),
    ],
)
def test_threatfox_ioc_types(ioc_type: str, value: str, want: dict[str, str]) -> None:
    """Each ioc_type puts the indicator in its own field(s) of the event."""
    document = {"42": [{"ioc_value": value, "ioc_type": ioc_type, "threat_type": "botnet_cc"}]}
    (got,) = fields(ThreatFoxParser, orjson.dumps(document))
    assert got is not None
    assert {name: got[name] for name in want} == want
    assert got["extra.ioc_id"] == "42"


@pytest.mark.parametrize(
    ("threat_type", "type_"),
    [
        ("botnet_cc", "c2-server"),
        ("payload_delivery", "malware-distribution"),
        ("payload", "malware"),
        ("cc_skimming", "undetermined"),
    ],
)
def test_threatfox_threat_types(threat_type: str, type_: str) -> None:
    """threat_type picks the RSIT type; one the reference does not name is undetermined."""
    item = {"ioc_value": "c2.example.net", "ioc_type": "domain", "threat_type": threat_type}
    document = {"1": [item]}
    batch = run(ThreatFoxParser, "recent.json", orjson.dumps(document))
    assert batch.events[0]["classification.type"] == type_


def test_threatfox_truncated_json_is_one_quarantined_record() -> None:
    """A truncated export is one record at line 1 with the first 2000 characters as raw."""
    whole = (SAMPLES / "threatfox.json").read_bytes()
    (record,) = records(ThreatFoxParser, whole[:3000])
    assert record.line == 1
    assert record.fields is None
    assert record.raw == whole[:2000].decode()
    assert record.error is not None
    assert record.error.startswith("not valid JSON: unexpected end of data")


def test_threatfox_raw_replays_to_the_same_fields() -> None:
    """The raw text kept for an IOC parses again into the same fields, id included."""
    for record in records(ThreatFoxParser, (SAMPLES / "threatfox.json").read_bytes()):
        (again,) = records(ThreatFoxParser, record.raw.encode())
        assert again.fields == record.fields


def test_threatfox_json_and_csv_exports_agree() -> None:
    """The CSV export and the JSON export of the same IOCs give the same observables."""
    keys = ("source.ip", "source.port", "source.fqdn", "source.url", "malware.hash.md5")
    keys += ("classification.type", "malware.name", "time.source", "extra.ioc_id")

    def observables(name: str) -> list[dict[str, Any]]:
        events = run(ThreatFoxParser, SAMPLES / name).events
        return [{key: event[key] for key in keys if key in event} for event in events]

    assert observables("threatfox.csv") == observables("threatfox.json")[:4]


def test_threatfox_api_answer() -> None:
    """The API answer maps its own key names; no_result is empty; a failed query is quarantined."""
    item = {
        "id": "7",
        "ioc": "c2.example.net",
        "ioc_type": "domain",
        "threat_type": "botnet_cc",
        "first_seen": "2024-05-01 08:15:00 UTC",
        "tags": ["c2", "ExampleRAT"],
    }
    answer = orjson.dumps({"query_status": "ok", "data": [item]})
    (event,) = run(ThreatFoxParser, "api.json", answer).events
    assert event["source.fqdn"] == "c2.example.net"
    assert event["extra.ioc_id"] == "7"
    assert event["time.source"] == "2024-05-01T08:15:00+00:00"
    assert event["extra.tags"] == ["c2", "ExampleRAT"]
    empty = orjson.dumps({"query_status": "no_result", "data": "Your search did not yield"})
    assert records(ThreatFoxParser, empty) == []
    (failed,) = records(ThreatFoxParser, b'{"query_status": "unknown_auth_key"}')
    assert failed.error == "ThreatFox API answer with query_status 'unknown_auth_key'"


PREFIXES = (b"", b"[", b"{", b'{"1": [', b"# id,url\n", b"# a, b\n", b"\xef\xbb\xbf")


@settings(max_examples=300, database=None)
@given(
    data=st.tuples(
        st.sampled_from(PREFIXES), st.binary(max_size=300) | st.text(max_size=300).map(str.encode)
    ).map(b"".join)
)
def test_no_input_makes_a_parser_raise(data: bytes) -> None:
    """Whatever the bytes, every abuse.ch parser yields records with fields or a reason."""
    for parser in PARSERS:
        for record in records(parser, data):
            assert (record.fields is None) == (record.error is not None)


DEMO = Path(__file__).resolve().parents[3] / "src" / "tocsin" / "demo" / "feeds"


@pytest.mark.parametrize(
    ("parser", "name"),
    [
        (URLhausParser, "urlhaus.csv"),
        (FeodoTrackerParser, "feodotracker.json"),
        (ThreatFoxParser, "threatfox.json"),
    ],
)
def test_demo_file_is_clean(parser: type[Parser], name: str) -> None:
    """The demo file of each abuse.ch feed gives 20-150 events and quarantines nothing."""
    batch = run(parser, DEMO / name)
    assert batch.quarantined == []
    assert 20 <= len(batch.events) <= 150
