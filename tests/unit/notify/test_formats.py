"""A notice's attachments: the events as CSV and as XARF v4 reports that the real schema accepts.

The XARF v4 schemas (v4.2.0) come from the ``xarf`` package on PyPI, read from its installed files;
their ``$ref``s resolve offline through a ``referencing`` registry (nothing is fetched), and formats
(uuid, email, hostname, date-time, uri) are checked.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from functools import cache
from importlib.resources import files
from typing import Any

import pytest
import xarf
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.factories import make_event
from tocsin.errors import InvalidValue
from tocsin.formats.notices import (
    CSV_COLUMNS,
    XARF_TYPES,
    XARF_VERSION,
    Reporter,
    events_csv,
    safe_cell,
    xarf_files,
    xarf_json,
    xarf_reports,
)
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY

CERT = Reporter(org="CERT Example", contact="cert@cert.example", domain="cert.example")
ENGLISH = [
    "time (UTC)",
    "address",
    "port",
    "network",
    "ASN",
    "host name",
    "URL",
    "country",
    "class",
    "type",
    "identifier",
    "malware",
    "protocol",
    "application",
    "destination port",
    "description",
    "feed",
]
FRENCH = [
    "heure (UTC)",
    "adresse",
    "port",
    "réseau",
    "ASN",
    "nom d'hôte",
    "URL",
    "pays",
    "classe",
    "type",
    "identifiant",
    "logiciel malveillant",
    "protocole",
    "application",
    "port de destination",
    "description",
    "flux",
]


@cache
def xarf_schema() -> Draft202012Validator:
    """The XARF v4 master schema with every core and type schema it refers to, offline."""
    root = files("xarf") / "schemas"
    paths = [root / "xarf-core.json", root / "xarf-v4-master.json", *(root / "types").iterdir()]
    resources = [
        Resource.from_contents(json.loads(path.read_text("utf-8")), DRAFT202012)
        for path in paths
        if path.name.endswith(".json")
    ]
    for resource in resources:
        Draft202012Validator.check_schema(resource.contents)
    registry: Registry[Any] = Registry().with_resources(
        (uri, r) for r in resources if (uri := r.id())
    )
    master = registry.contents("https://xarf.org/schemas/v4/xarf-v4-master.json")
    return Draft202012Validator(
        master, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid(report: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in xarf_schema().iter_errors(report)]
    assert not errors, errors


def table(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def rich(type_: str) -> dict[str, Any]:
    """An event of this type with every field a mapping may use."""
    return make_event(
        classification__type=type_,
        classification__identifier="open-redis",
        source__ip="192.0.2.10",
        source__port=51234,
        source__asn=64496,
        source__fqdn="host.example.net",
        source__url="http://host.example.net/login.php",
        source__geolocation__cc="NL",
        protocol__transport="tcp",
        protocol__application="redis",
        destination__port=6379,
        malware__name="win.emotet",
        malware__hash__sha256="a" * 64,
        feed__name="Shadowserver Scan Redis",
        feed__accuracy=90,
        event_description__text="Host reported by the feed",
    )


# ---- CSV ----


def test_csv_header_is_english_by_default() -> None:
    """The header row names the columns in English, in their fixed order."""
    assert table(events_csv([]))[0] == ENGLISH == [en for _, en, _ in CSV_COLUMNS]


@pytest.mark.parametrize("lang", ["fr", "FR", "fr-CA", "fr_BE"])
def test_csv_header_is_french_for_french(lang: str) -> None:
    """French, in any region's spelling, gives the French header row."""
    assert table(events_csv([], lang=lang))[0] == FRENCH


def test_csv_header_is_english_for_a_language_it_has_not() -> None:
    """A language without a header row of its own falls back to English."""
    assert table(events_csv([], lang="de"))[0] == ENGLISH


def test_csv_has_one_row_per_event_in_the_columns_order() -> None:
    """Each event is one row, its values under the right headers, the time without its zone."""
    events = [rich("scanner"), make_event(source__ip="198.51.100.7", time__source=None)]
    rows = table(events_csv(events))
    assert len(rows) == 3
    first, second = (dict(zip(ENGLISH, row, strict=True)) for row in rows[1:])
    assert first["time (UTC)"] == "2026-11-20 10:00:00"
    assert (first["address"], first["port"], first["ASN"]) == ("192.0.2.10", "51234", "64496")
    assert (first["type"], first["class"], first["malware"]) == (
        "scanner",
        "information-gathering",
        "win.emotet",
    )
    assert (first["protocol"], first["destination port"], first["feed"]) == (
        "tcp",
        "6379",
        "Shadowserver Scan Redis",
    )
    assert second["time (UTC)"] == "2026-11-28 03:00:00"  # time.observation stands in
    assert second["address"] == "198.51.100.7"
    assert second["port"] == second["malware"] == ""


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"]
)
def test_csv_neutralises_formulas(text: str) -> None:
    """A cell a spreadsheet would run as a formula starts with an apostrophe instead."""
    event = {"time.observation": "2026-11-28T03:00:00+00:00", "feed.name": text}
    rows = table(events_csv([event]))
    assert rows[1][ENGLISH.index("feed")] == "'" + text


@settings(deadline=None)
@given(st.text())
def test_any_text_round_trips_with_at_most_an_apostrophe(text: str) -> None:
    """Any text comes back from a CSV reader unchanged, or after one added leading apostrophe."""
    event = {"time.observation": "2026-11-28T03:00:00+00:00", "event_description.text": text}
    cell = table(events_csv([event]))[1][ENGLISH.index("description")]
    dangerous = text.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell == ("'" + text if dangerous else text) == safe_cell(text)


SECRET = "zq-secret-7f3a"


def leaky_event() -> dict[str, Any]:
    """An event whose raw line, extra fields, account, comment and victim hold a marker."""
    return make_event(
        source__ip="192.0.2.10",
        raw=f"192.0.2.10,{SECRET}@mail.example",
        extra__contact_email=f"{SECRET}@mail.example",
        extra__owner={"name": SECRET},
        source__account=SECRET,
        comment=SECRET,
        destination__ip="203.0.113.99",
        destination__fqdn=f"{SECRET}.example",
    )


@pytest.mark.parametrize("type_", ["scanner", "phishing", "infected-system", "blacklist"])
def test_no_raw_extra_or_personal_field_leaks(type_: str) -> None:
    """Neither attachment carries raw, extra.*, the account, the comment nor the victim."""
    event = {**leaky_event(), "classification.type": type_}
    (report,) = (xarf_json(r) for r in xarf_reports([event], reporter=CERT))
    for data in (events_csv([event]), events_csv([event], "fr"), report):
        assert SECRET.encode() not in data
        assert b"203.0.113.99" not in data


# ---- XARF ----

EXPECTED = {
    "infected-system": ("infrastructure", "botnet"),
    "c2-server": ("infrastructure", "botnet"),
    "scanner": ("connection", "port_scan"),
    "brute-force": ("connection", "login_attack"),
    "ddos": ("connection", "ddos"),
    "ids-alert": ("connection", "vulnerability_scan"),
    "ddos-amplifier": ("vulnerability", "open_service"),
    "vulnerable-system": ("vulnerability", "open_service"),
    "potentially-unwanted-accessible": ("vulnerability", "open_service"),
    "weak-crypto": ("vulnerability", "misconfiguration"),
    "phishing": ("content", "phishing"),
    "malware-distribution": ("content", "malware"),
    "system-compromise": ("content", "remote_compromise"),
    "unauthorised-information-modification": ("content", "remote_compromise"),
    "spam": ("messaging", "spam"),
    "blacklist": ("reputation", "blocklist"),
    "copyright": ("copyright", "copyright"),
    "undetermined": ("reputation", "threat_intelligence"),
    "dga-domain": ("reputation", "threat_intelligence"),
}


def test_the_validator_is_the_real_type_aware_schema() -> None:
    """The schema checks formats and refuses a scan without protocol, a bad id, a bad category."""
    checked = set(Draft202012Validator.FORMAT_CHECKER.checkers)
    assert {"uuid", "email", "hostname", "date-time", "uri", "ipv4", "ipv6"} <= checked
    (report,) = xarf_reports([rich("scanner")], reporter=CERT)
    assert xarf_schema().is_valid(report)
    assert not xarf_schema().is_valid({k: v for k, v in report.items() if k != "protocol"})
    assert not xarf_schema().is_valid({**report, "report_id": "not-a-uuid"})
    assert not xarf_schema().is_valid({**report, "category": "abuse"})


@pytest.mark.parametrize("type_", sorted(EXPECTED))
def test_rsit_types_map_to_the_expected_xarf_type(type_: str) -> None:
    """A fully described event of each RSIT type gets the XARF category and type it fits."""
    (report,) = xarf_reports([rich(type_)], reporter=CERT)
    assert (report["category"], report["type"]) == EXPECTED[type_]
    assert_valid(report)


@pytest.mark.parametrize("type_", sorted(TYPE_TO_TAXONOMY))
def test_every_rsit_type_gives_a_valid_report(type_: str) -> None:
    """Every type of the taxonomy maps to a XARF pair, full or bare, and the schema accepts it."""
    bare = make_event(classification__type=type_, source__ip="192.0.2.10")
    for event in (rich(type_), bare):
        (report,) = xarf_reports([event], reporter=CERT)
        assert report["xarf_version"] == XARF_VERSION
        assert_valid(report)


def test_the_mapping_names_only_rsit_types() -> None:
    """Every type the mapping lists is a type of Tocsin's taxonomy (no typo goes unnoticed)."""
    assert set(XARF_TYPES) <= set(TYPE_TO_TAXONOMY)


def test_nothing_is_invented_to_fill_a_required_field() -> None:
    """A scan from an IP without source port or protocol falls back to threat intelligence."""
    for missing in ("source.port", "protocol.transport"):
        event = {k: v for k, v in rich("scanner").items() if k != missing}
        (report,) = xarf_reports([event], reporter=CERT)
        assert (report["category"], report["type"]) == ("reputation", "threat_intelligence")
        assert report["threat_type"] == "scanner"
        assert_valid(report)


def test_spam_by_smtp_falls_back_and_other_spam_stays_spam() -> None:
    """SMTP spam (whose envelope sender Tocsin never holds) falls back; forum spam stays spam."""
    smtp, forum = xarf_reports(
        [
            make_event(classification__type="spam", source__ip="192.0.2.1", protocol__application=a)
            for a in ("smtp", None)
        ],
        reporter=CERT,
    )
    assert smtp["type"] == "threat_intelligence"
    assert (forum["category"], forum["type"], forum["protocol"]) == ("messaging", "spam", "other")
    for report in (smtp, forum):
        assert_valid(report)


def test_report_carries_the_core_fields() -> None:
    """Reporter and sender are the team; time, port, confidence, description and tags follow."""
    (report,) = xarf_reports([rich("brute-force")], reporter=CERT)
    assert (
        report["reporter"]
        == report["sender"]
        == {
            "org": "CERT Example",
            "contact": "cert@cert.example",
            "domain": "cert.example",
        }
    )
    assert report["timestamp"] == "2026-11-20T10:00:00Z"
    assert (report["source_identifier"], report["source_port"]) == ("192.0.2.10", 51234)
    assert (report["confidence"], report["description"]) == (0.9, "Host reported by the feed")
    assert report["tags"] == [
        "rsit:brute-force",
        "malware:win-emotet",
        "feed:shadowserver-scan-redis",
        "tlp:amber",
    ]
    assert report["evidence_source"] == "threat_intelligence"


@pytest.mark.parametrize(
    ("fields", "identifier"),
    [
        ({"source__fqdn": "bad.example", "source__url": "http://x.example/"}, "bad.example"),
        ({"source__url": "http://x.example/a"}, "http://x.example/a"),
        ({"source__network": "192.0.2.0/24", "source__asn": 64496}, "192.0.2.0/24"),
        ({"source__asn": 64496}, "AS64496"),
    ],
)
def test_source_identifier_falls_back_from_ip(fields: dict[str, Any], identifier: str) -> None:
    """Without an IP the source is the host name, else the URL, else the network, else the AS."""
    (report,) = xarf_reports([make_event(**fields)], reporter=CERT)
    assert report["source_identifier"] == identifier
    assert_valid(report)


def test_an_event_without_a_source_is_refused() -> None:
    """An event that names no source cannot become a report."""
    with pytest.raises(InvalidValue):
        xarf_reports([make_event()], reporter=CERT)


def test_report_ids_are_stable_uuid5_per_event() -> None:
    """The same event (even re-read, unfingerprinted) keeps its id; other events get others."""
    event = rich("scanner")
    again = {k: v for k, v in event.items() if k != "tocsin.fingerprint"}
    other = rich("brute-force")
    later = {**event, "time.source": "2026-12-20T10:00:00+00:00", "tocsin.fingerprint": None}
    ids = [r["report_id"] for r in xarf_reports([event, again, other, later], reporter=CERT)]
    assert ids[0] == ids[1]
    assert len({ids[0], ids[2], ids[3]}) == 3
    assert all(uuid.UUID(i).version == 5 for i in ids)


def test_report_ids_differ_between_teams() -> None:
    """Two teams reporting the same observation give their reports different ids."""
    other = Reporter(org="CERT Other", contact="abuse@other.example", domain="other.example")
    event = rich("scanner")
    assert (
        xarf_reports([event], reporter=CERT)[0]["report_id"]
        != xarf_reports([event], reporter=other)[0]["report_id"]
    )


def test_a_url_is_escaped_into_a_valid_uri() -> None:
    """Non-ASCII, spaces' kin and stray percent signs in a URL are escaped for the uri format."""
    event = make_event(
        classification__type="phishing", source__url="http://bad.example/connexion/été%zz<x>|"
    )
    (report,) = xarf_reports([event], reporter=CERT)
    assert report["url"] == "http://bad.example/connexion/%C3%A9t%C3%A9%25zz%3Cx%3E%7C"
    assert_valid(report)


def test_each_xarf_report_is_a_file_of_its_own() -> None:
    """Each report is one attached file holding that report object alone (an XARF reader refuses
    an array), named in the order of the events."""
    reports = xarf_reports([rich(t) for t in ("scanner", "phishing", "spam")], reporter=CERT)
    attached = xarf_files(reports)
    assert [name for name, _ in attached] == ["xarf-1.json", "xarf-2.json", "xarf-3.json"]
    assert [json.loads(data) for _, data in attached] == reports
    assert all(xarf.parse(data.decode()).errors == [] for _, data in attached)


def test_xarf_file_names_sort_in_the_order_of_the_events() -> None:
    """With ten reports or more the numbers are zero-padded, so a sorted listing keeps the order."""
    reports = xarf_reports([rich("scanner")] * 12, reporter=CERT)
    names = [name for name, _ in xarf_files(reports)]
    assert names[0] == "xarf-01.json" and names[-1] == "xarf-12.json"
    assert sorted(names) == names


names = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
optional_fields = {
    "source.port": st.integers(0, 65535),
    "source.fqdn": names.map(lambda n: f"{n}.example"),
    "source.url": st.text(min_size=1, max_size=20).map(lambda p: f"http://x.example/{p}"),
    "source.asn": st.integers(1, 4294967295),
    "source.geolocation.cc": st.sampled_from(["NL", "FR", "CI"]),
    "protocol.transport": st.sampled_from(["tcp", "udp", "icmp", "sctp", "gre"]),
    "protocol.application": st.sampled_from(["smtp", "ssh", "irc", "dns", "http"]),
    "destination.port": st.integers(0, 65535),
    "classification.identifier": names,
    "malware.name": st.text(min_size=1, max_size=30),
    "feed.name": st.text(min_size=1, max_size=30),
    "feed.accuracy": st.floats(0, 100),
    "event_description.text": st.text(min_size=1, max_size=1200),
    "tlp": st.sampled_from(["CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"]),
}


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    fields = draw(st.fixed_dictionaries({}, optional=optional_fields))
    fields["classification.type"] = draw(st.sampled_from(sorted(TYPE_TO_TAXONOMY)))
    if draw(st.booleans()) or not fields.keys() & {"source.fqdn", "source.url", "source.asn"}:
        fields["source.ip"] = draw(st.ip_addresses().map(str))
    try:
        return make_event(**{k.replace(".", "__"): v for k, v in fields.items()})
    except InvalidValue:  # text a sanitiser refuses (white space only, a NUL byte…)
        return make_event(
            source__ip="192.0.2.1", classification__type=fields["classification.type"]
        )


@settings(deadline=None, max_examples=150)
@given(events())
def test_any_event_gives_a_report_the_schema_accepts(event: dict[str, Any]) -> None:
    """For any event Tocsin can hold, the XARF report validates against the real v4 schema."""
    (report,) = xarf_reports([event], reporter=CERT)
    assert_valid(report)
    assert re.fullmatch(r"[0-9a-f-]{36}", report["report_id"])


@settings(deadline=None, max_examples=100)
@given(
    st.sampled_from(["phishing", "malware-distribution", "copyright", "system-compromise"]),
    st.text(min_size=1, max_size=40),
)
def test_any_url_gives_a_content_report_the_schema_accepts(type_: str, path: str) -> None:
    """For any URL Tocsin accepts, a content report carries it as a URI the schema accepts."""
    try:
        event = make_event(classification__type=type_, source__url=f"http://x.example/{path}")
    except InvalidValue:  # white space or control characters: not a URL Tocsin holds
        return
    (report,) = xarf_reports([event], reporter=CERT)
    assert report["category"] in {"content", "copyright"}
    assert_valid(report)
