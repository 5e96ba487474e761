"""The Shadowserver parser: recorded samples, report detection, the row loop and broken input.

The sections cited below (§1.2, §1.3) are those of docs/feeds.md.
"""

from __future__ import annotations

import csv
import io
import re
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.parsers.recorded import assert_as_recorded

from tocsin.model.fields import sanitizer_for
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.pipeline.parsers import get_parser
from tocsin.pipeline.parsers.base import MAX_ROW_CHARS, Record, Source, split_points
from tocsin.pipeline.parsers.shadowserver import (
    ALIASES,
    BY_NAME,
    LAYOUTS,
    REPORTS,
    ShadowserverParser,
    report_from_name,
    reports_from_header,
)
from tocsin.pipeline.stages.batch import Batch, FeedContext
from tocsin.pipeline.stages.normalize import normalize

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "shadowserver"
DEMO = Path(str(resources.files("tocsin.demo"))) / "feeds"
OBSERVED = "2024-05-02T00:00:00+00:00"
EXPECTED = sorted(path.name for path in SAMPLES.glob("*.expected.json"))
HEADERS: dict[str, list[str]] = orjson.loads((SAMPLES / "headers.json").read_bytes())
TELNET = HEADERS["scan_telnet"]
TELNET_FILE = "2024-05-01-scan_telnet-example_cert-geo.csv"


def run(path: Path | str, data: bytes | None = None, **options: Any) -> Batch:
    ctx = FeedContext(
        feed="shadowserver",
        file=Path(path).name,
        observed=OBSERVED,
        provider=ShadowserverParser.provider,
        default_tlp=ShadowserverParser.default_tlp,
    )
    return normalize(ShadowserverParser(options).parse(Source(path, data)), ctx)


def records(data: bytes, name: str = TELNET_FILE, **options: Any) -> list[Record]:
    return list(ShadowserverParser(options).parse(Source(name, data)))


def report(header: list[str], *rows: dict[str, str]) -> bytes:
    """A report in Shadowserver's form: every value quoted, one header line."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode()


def telnet(**values: str) -> dict[str, str]:
    row = {"timestamp": "2024-05-01 03:12:45", "severity": "medium", "ip": "192.0.2.10"}
    row |= {"protocol": "tcp", "port": "23", "tag": "telnet", "asn": "64500", "geo": "AT"}
    return row | values


@pytest.mark.parametrize("expected", EXPECTED)
def test_recorded_sample(expected: str) -> None:
    """Each recorded sample gives exactly the recorded events and quarantined rows, none lost."""
    want = orjson.loads((SAMPLES / expected).read_bytes())
    batch = run(SAMPLES / expected.removesuffix(".expected.json"))
    assert_as_recorded(batch, want)


def test_samples_cover_events_and_broken_rows() -> None:
    """The recorded samples include reports with events and reports with quarantined rows."""
    wants = [orjson.loads((SAMPLES / name).read_bytes()) for name in EXPECTED]
    events = [event for want in wants for event in want["events"]]
    identifiers = {event["classification.identifier"] for event in events}
    assert {"open-telnet", "dns-open-resolver", "open-rdp", "blacklisted-ip"} <= identifiers
    assert {"compromised-website", "device-id", "malware-url", "example-bot"} <= identifiers
    assert "infected-system" in {event["classification.type"] for event in events}
    reasons = {q["reason"] for want in wants for q in want["quarantined"]}
    assert "binary data, not text" in reasons
    assert "malformed CSV: unterminated quoted field" in reasons


def test_parser_is_registered_as_a_private_feed() -> None:
    """The feed name resolves to the parser, which defaults to TLP AMBER (sent to the CERT only)."""
    assert get_parser("shadowserver") is ShadowserverParser
    assert ShadowserverParser.default_tlp == "AMBER"
    assert ShadowserverParser.split_preamble == 1


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_every_reference_header_is_recognised(name: str) -> None:
    """The schema header of each report in the reference identifies that report alone."""
    assert [found.name for found in reports_from_header(HEADERS[name])] == [name]


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_reference_header_maps_with_its_own_report(name: str) -> None:
    """A row under each reference header (detected from the header) becomes a valid event."""
    values = {
        "timestamp": "2024-05-01 10:00:00",
        "ip": "192.0.2.7",
        "src_ip": "192.0.2.7",
        "port": "443",
        "src_port": "443",
        "url": "http://www.example.com/x",
        "infection": "example-bot",
    }
    batch = run("export.csv", report(HEADERS[name], values))
    assert batch.quarantined == []
    (event,) = batch.events
    entry = BY_NAME[name]
    assert event["classification.type"] == entry.type
    assert event["classification.identifier"] == (entry.identifier or "example-bot")
    assert event.get("protocol.application") == entry.application


@pytest.mark.parametrize(
    ("filename", "name", "code"),
    [
        ("2024-05-01-scan_telnet-nl-geo.csv", "scan_telnet", "scan_telnet"),
        ("shadowserver-2026-11-20-scan_telnet-nl-geo.csv", "scan_telnet", "scan_telnet"),
        ("2019-01-01-scan_http-country-geo.csv", "scan_http", "scan_http"),
        ("2024-07-04-dns_openresolver-123-sample-asn.csv", "scan_dns", "dns_openresolver"),
        ("2020-04-03-scan6_telnet-sample-asn-delayed.csv", "scan_telnet", "scan6_telnet"),
        (
            "2024-05-01-event6_sinkhole_http-x-geo.csv",
            "event4_sinkhole_http",
            "event6_sinkhole_http",
        ),
        ("2018-07-10-sinkhole_http_drone-x.csv", "event4_sinkhole_http", "sinkhole_http_drone"),
        ("2018-07-10-botnet_drone-x.csv", "botnet_drone", "botnet_drone"),
        ("2024-05-01-blacklist-x.csv", "blocklist", "blacklist"),
        ("2024-05-01-device_id6-x.csv", "device_id", "device_id6"),
        ("scan_ssl_poodle.csv", "scan_ssl_poodle", "scan_ssl_poodle"),
        ("2024-05-01-SCAN_RDP-NL-GEO.CSV", "scan_rdp", "scan_rdp"),
    ],
)
def test_report_from_file_name(filename: str, name: str, code: str) -> None:
    """Shadowserver file names (§1.2: date, type, identifier; legacy and IPv6 names) give the
    report, and the report name as written."""
    found, token = report_from_name(filename)
    assert found is BY_NAME[name]
    assert token == code


@pytest.mark.parametrize(
    ("filename", "token"),
    [("2024-05-01-scan_tftp-nl-geo.csv", "scan_tftp"), ("export.csv", None), ("telnet.csv", None)],
)
def test_unknown_file_names(filename: str, token: str | None) -> None:
    """A name without a known report gives none, and says which type it named, if any."""
    assert report_from_name(filename) == (None, token)


def test_name_wins_over_header_and_option_over_both() -> None:
    """The option report beats the file name, which beats the header columns."""
    data = report([*TELNET, "product"], telnet(product="ExampleVNC", banner="RFB 003.008"))

    def identifier(name: str, **options: str) -> str:
        (event,) = run(name, data, **options).events
        return str(event["classification.identifier"])

    assert identifier("export.csv") == "open-vnc"
    assert identifier("2024-05-01-scan_telnet-nl-geo.csv") == "open-telnet"
    assert identifier("2024-05-01-scan_telnet-nl-geo.csv", report="scan_ftp") == "accessible-ftp"


def test_unknown_report_quarantines_every_row_with_a_clear_reason() -> None:
    """Neither name nor header known: every row is quarantined, naming the file and the option."""
    data = report(["timestamp", "ip", "port", "whatever"], telnet(), telnet(ip="192.0.2.11"))
    batch = run("weekly-export.csv", data)
    assert batch.events == []
    assert [q.line for q in batch.quarantined] == [2, 3]
    reason = batch.quarantined[0].reason
    assert reason.startswith("weekly-export.csv: unknown Shadowserver report")
    assert "report=<type>" in reason


def test_ambiguous_header_is_named_in_the_reason() -> None:
    """A header that fits two reports equally is not guessed: the reason names both."""
    header = [*TELNET, "device_version"]
    (record,) = records(report(header, telnet()), name="export.csv")
    assert record.error is not None
    assert "scan_telnet and device_id alike" in record.error


def test_unknown_forced_report_is_quarantined() -> None:
    """A report option that names no report quarantines the rows and lists the known ones."""
    (record,) = records(report(TELNET, telnet()), report="scan_nothing")
    assert record.error is not None
    assert record.error.startswith("unknown Shadowserver report 'scan_nothing' in option report")
    assert "scan_telnet" in record.error


def test_missing_required_column_names_the_column() -> None:
    """A scan report without its ip column quarantines each row, naming the column."""
    header = [column for column in TELNET if column != "ip"]
    found = records(report(header, telnet(), telnet()))
    reason = "missing column(s) ip required by Shadowserver report scan_telnet"
    assert [r.error for r in found] == [reason, reason]


def test_sinkhole_needs_a_source_address() -> None:
    """An event report needs src_ip (or the legacy ip); its absence is named."""
    header = [c for c in HEADERS["event4_sinkhole"] if c != "src_ip"]
    data = report(header, {"timestamp": "2024-05-01 10:00:00"})
    (record,) = records(data, name="x.csv", report="event4_sinkhole")
    reason = "missing column(s) src_ip or ip required by Shadowserver report event4_sinkhole"
    assert record.error == reason


def test_columns_map_by_name_in_any_order() -> None:
    """Shuffling the columns (§1.3: the order is not static) changes nothing in the events."""
    rows = [telnet(hostname="a.example.net", banner="login:"), telnet(ip="2001:db8::1", geo="NL")]
    straight = run(TELNET_FILE, report(TELNET, *rows)).events
    shuffled = list(reversed(TELNET))
    assert run(TELNET_FILE, report(shuffled, *rows)).events == straight


def test_descriptive_values_that_fail_their_type_go_to_extra() -> None:
    """An odd hostname, country, ASN or region is kept as extra.<column>; the row is an event."""
    row = telnet(hostname="not a host!", geo="XX", asn="AS-FOO", region=" ", severity="medium")
    (event,) = run(TELNET_FILE, report(TELNET, row)).events
    assert event["extra.hostname"] == "not a host!"
    assert event["extra.geo"] == "XX"
    assert event["extra.asn"] == "AS-FOO"
    assert event["extra.region"] == " "
    assert not {"source.reverse_dns", "source.geolocation.cc", "source.asn"} & set(event)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"ip": "192.0.2.300"}, "source.ip: '192.0.2.300': not an IP address"),
        ({"port": "x23"}, "source.port: 'x23': expected a whole number"),
        ({"timestamp": "yesterday"}, "time.source: 'yesterday': not an ISO 8601 date and time"),
        ({"ip": ""}, "empty value in required column(s): ip"),
        ({"port": "", "timestamp": ""}, "empty value in required column(s): timestamp, port"),
    ],
)
def test_row_identifying_values_quarantine_the_row(values: dict[str, str], reason: str) -> None:
    """A bad or empty timestamp, address or port quarantines the row with the field and why."""
    batch = run(TELNET_FILE, report(TELNET, telnet(**values)))
    assert batch.events == []
    assert [q.reason for q in batch.quarantined] == [reason]


def test_zero_and_unknown_mean_absent() -> None:
    """asn and naics of 0 and a sector of 'unknown' are left out (§1.3)."""
    (event,) = run(TELNET_FILE, report(TELNET, telnet(asn="0", naics="0", sector="unknown"))).events
    assert not {"source.asn", "extra.naics", "extra.sector", "extra.asn"} & set(event)


def test_cve_tags_become_vulnerabilities() -> None:
    """CVE tags (';' or ',' joined, any case) give product.vulnerabilities; extra.tag stays."""
    row = telnet(tag="telnet;CVE-2021-44228,cve-2020-0001;log4j")
    (event,) = run(TELNET_FILE, report(TELNET, row)).events
    assert event["product.vulnerabilities"] == "cve-2020-0001;cve-2021-44228"
    assert event["extra.tag"] == "telnet;CVE-2021-44228,cve-2020-0001;log4j"


def test_protocol_constant_yields_to_the_protocol_column() -> None:
    """scan_smb's transport constant tcp fills in only when the row has no protocol value."""
    header = HEADERS["scan_smb"]
    data = report(header, telnet(protocol="", port="445"), telnet(protocol="udp", port="445"))
    events = run("2024-05-01-scan_smb-x.csv", data).events
    assert [e["protocol.transport"] for e in events] == ["tcp", "udp"]
    assert {e["protocol.application"] for e in events} == {"smb"}


def test_blocklist_range_is_a_network() -> None:
    """A blocklist ip holding a CIDR range becomes source.network, an address source.ip."""
    header = HEADERS["blocklist"]
    rows = [{"timestamp": "2024-05-01", "ip": ip} for ip in ("203.0.113.0/24", "203.0.113.9")]
    events = run("2024-05-01-blocklist-x.csv", report(header, *rows)).events
    assert [e.get("source.network") for e in events] == ["203.0.113.0/24", None]
    assert [e.get("source.ip") for e in events] == [None, "203.0.113.9"]


def test_repeated_header_and_blank_lines_are_not_rows() -> None:
    """Blank lines and a header repeated mid-file (joined reports) are skipped, not quarantined."""
    data = report(TELNET, telnet())
    header, row = data.decode().splitlines()
    found = records(f"\n{header}\n\n{row}\n   \n{header}\n{row}\n".encode())
    assert [(r.line, r.error) for r in found] == [(4, None), (7, None)]


def test_value_spanning_lines_is_one_record() -> None:
    """A quoted banner with line breaks is joined into one row, numbered where it starts."""
    data = report(TELNET, telnet(banner="Welcome\r\nto the\nrouter"), telnet(ip="192.0.2.12"))
    found = records(data)
    assert [r.line for r in found] == [2, 5]
    assert found[0].fields is not None
    assert found[0].fields["extra.banner"] == "Welcome\nto the\nrouter"


def test_unterminated_quote_loses_only_its_own_line() -> None:
    """An unclosed quote quarantines its line; the lines read ahead are parsed again."""
    good = report(TELNET, telnet(), telnet(ip="192.0.2.12")).decode().splitlines()
    broken = good[1][:40]
    found = records("\n".join([good[0], broken, good[1], good[2]]).encode())
    assert [(r.line, r.error) for r in found] == [
        (2, "malformed CSV: unterminated quoted field"),
        (3, None),
        (4, None),
    ]


def test_malformed_binary_and_overlong_lines() -> None:
    """Malformed CSV, binary garbage and over-long rows are quarantined with their reason."""
    good = report(TELNET, telnet()).decode().splitlines()
    long_row = report(TELNET, telnet(banner="x" * MAX_ROW_CHARS)).decode().splitlines()[1]
    lines = [good[0], '"a"b,"c"', "\x00\x01\x02 garbage \x03\x04\x05\x06\x07\x08\x0e", long_row]
    found = records("\n".join(lines).encode())
    assert [r.error for r in found] == [
        "malformed CSV: ',' expected after '\"'",
        "binary data, not text",
        f"row longer than {MAX_ROW_CHARS} characters ({len(long_row)})",
    ]
    assert len(found[2].raw) == MAX_ROW_CHARS


def test_wrong_column_count_is_quarantined() -> None:
    """A shifted or truncated row says how many columns it has and how many it should."""
    good = report(TELNET, telnet()).decode().splitlines()
    (record,) = records(f'{good[0]}\n{good[1]},"extra"\n'.encode())
    assert record.error == "expected 15 columns, found 16 (truncated or shifted row)"


def test_legacy_row_with_unquoted_numbers() -> None:
    """Older files left numbers unquoted (§1.3): such rows go through the csv module alike."""
    header = report([*TELNET, "sic"]).decode().strip()
    row = '"2010-06-10 23:55:29","medium","192.0.2.10","tcp",23,"","telnet",64500,"AT",,,0,,,"x",0'
    (event,) = run(TELNET_FILE, f"{header}\n{row}\n".encode()).events
    assert (event["source.port"], event["source.asn"]) == (23, 64500)
    assert "extra.sic" not in event


def test_split_parts_give_the_same_records(tmp_path: Path) -> None:
    """Parsed in parts (as two processes do, header as preamble), a report gives the same rows."""
    rows = [telnet(ip=f"192.0.2.{i}", port=str(1000 + i)) for i in range(1, 120)]
    path = tmp_path / TELNET_FILE
    path.write_bytes(report(TELNET, *rows))
    whole = list(ShadowserverParser().parse(Source(path)))
    parts = split_points(path, 3, preamble=1)
    assert len(parts) == 3
    pieces = [
        record
        for start, end in parts
        for record in ShadowserverParser().parse(Source(path, start=start, end=end, preamble=1))
    ]
    assert pieces == whole


def test_table_is_consistent() -> None:
    """Every report has an RSIT type and identifier, and every layout target is a field."""
    assert len(BY_NAME) == len(REPORTS)
    for entry in REPORTS:
        assert entry.type in TYPE_TO_TAXONOMY, entry.name
        assert entry.identifier is None or re.fullmatch(r"[a-z0-9-]+", entry.identifier)
        assert entry.layout in LAYOUTS
        for target in [*LAYOUTS[entry.layout].values(), *entry.columns.values()]:
            if not target.startswith("!"):
                sanitizer_for(target)
    assert set(ALIASES.values()) <= set(BY_NAME)
    assert not set(ALIASES) & set(BY_NAME)


@pytest.mark.parametrize("path", sorted(DEMO.glob("shadowserver-*.csv")), ids=lambda p: p.name)
def test_demo_file_is_clean(path: Path) -> None:
    """Each demo report is detected from its name and loads 20–150 events with nothing lost."""
    batch = run(path)
    found, _ = report_from_name(path.name)
    assert found is not None
    assert batch.quarantined == []
    assert 20 <= len(batch.events) <= 150
    assert {event["classification.type"] for event in batch.events} == {found.type}
    if found.identifier:
        assert {event["classification.identifier"] for event in batch.events} == {found.identifier}


# any text but control characters (line breaks and binary are covered by the tests above)
values = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)


@settings(max_examples=200, database=None)
@given(st.lists(st.lists(values, min_size=3, max_size=3), min_size=1, max_size=5))
def test_any_quoted_values_round_trip(rows: list[list[str]]) -> None:
    """Whatever the values hold (quotes, commas, separators), each row maps back to exactly them."""
    header = ["timestamp", "ip", "port", "a", "b", "c"]
    key = {"timestamp": "2024-05-01 00:00:00", "ip": "192.0.2.1", "port": "1"}
    data = report(header, *[key | dict(zip("abc", row, strict=True)) for row in rows])
    found = records(data, name="x.csv", report="scan_telnet")
    got = [{k: v for k, v in (r.fields or {}).items() if k.startswith("extra.")} for r in found]
    wanted = [{f"extra.{k}": v for k, v in zip("abc", row, strict=True) if v} for row in rows]
    assert got == wanted
    assert all(r.error is None for r in found)


@settings(max_examples=300, database=None)
@given(st.binary(max_size=400))
def test_no_input_makes_the_parser_raise(data: bytes) -> None:
    """Arbitrary bytes under a real header yield records (events or reasons), never an error."""
    head = report(TELNET)
    for record in records(head + data):
        assert (record.fields is None) == (record.error is not None)
