"""abuse.ch feeds: URLhaus, Feodo Tracker and ThreatFox.

Formats as described in docs/feeds.md §2:

- 2.1 URLhaus database dump: CSV, every value quoted, the header a comment
  (``# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter``; older dumps
  lack ``last_online``). The per-country/ASN/TLD feeds' extra columns (``host``, ``ip``,
  ``asnumber``, ``country``) map too, by name.
- 2.2 Feodo Tracker IP blocklist: the JSON array (``ipblocklist.json``), the CSV with a commented
  header (``# first_seen_utc,dst_ip,dst_port,...``) or the plain list of IPs (``ipblocklist.txt``);
  which one is told from the content. ``time.source`` is ``last_online`` (midnight) when given,
  else ``first_seen`` (``first_seen`` also when both fall on the same day, being the more
  precise). IntelMQ's parser takes ``first_seen`` first; Tocsin does not, because
  ``time.source`` places an event in its dedupe window and tells a notice's reader when the
  host was seen: a C2 first seen years ago and online yesterday is yesterday's news
  (docs/intelmq-compatibility.md).
- 2.3 ThreatFox: the JSON export (one object keyed by IOC id, each value a list of IOC objects),
  the API answer (``{"query_status": "ok", "data": [...]}``) and the CSV export (commented header,
  values separated by ``", "``, ``None`` for null). ``ioc_type`` picks the field the indicator goes
  to; ``threat_type`` picks the RSIT type. It lives in ``abusech_threatfox``.

abuse.ch writes the literal ``None`` for an empty value in its CSV exports; it is left out.
Values are mapped by column or key name, never by position; names without a harmonized field go
to ``extra.<name>``. A JSON document that does not parse at all is one quarantined record.
What the three feeds share (names, empty values, tags, URL hosts, JSON items) is in
``abusech_rows``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from tocsin.pipeline.parsers.abusech_rows import (
    JSON_RAW_CHARS,
    Names,
    json_document,
    json_records,
    mapped,
    split_tags,
)
from tocsin.pipeline.parsers.abusech_threatfox import ThreatFoxParser
from tocsin.pipeline.parsers.base import (
    Parser,
    Record,
    Source,
    csv_records,
    json_kind,
    line_records,
)
from tocsin.pipeline.parsers.phishing import host_field

__all__ = ["PARSERS", "FeodoTrackerParser", "ThreatFoxParser", "URLhausParser"]

# --- URLhaus (docs/feeds.md §2.1) -----------------------------------------------------------------

_URLHAUS = Names(
    {
        "dateadded": "time.source",
        "dateadded (utc)": "time.source",
        "url": "source.url",
        "url_status": "status",
        "ip": "source.ip",
        "ipaddress": "source.ip",
        "asnumber": "source.asn",
        "country": "source.geolocation.cc",
        "host": "extra.host",
    }
)


def _urlhaus_fields(row: Mapping[str, str]) -> dict[str, Any]:
    fields = mapped(row, _URLHAUS)
    host = fields.pop("extra.host", None) or fields.get("source.url")
    if host:
        found = host_field(host)
        if found:
            fields.setdefault(found[0], found[1])
    split_tags(fields)
    return fields


class URLhausParser(Parser):
    """URLhaus CSV dump: one malware-distribution URL per row."""

    name = "urlhaus"
    help = "abuse.ch URLhaus CSV dump (or country/ASN feed): URLs serving malware"
    provider = "abuse.ch"
    default_type = "malware-distribution"
    default_tlp = "CLEAR"
    documentation = "https://urlhaus.abuse.ch/api/"

    def parse(self, source: Source) -> Iterator[Record]:
        return csv_records(
            source, _urlhaus_fields, required=("url",), comment="#", commented_header=True
        )


# --- Feodo Tracker (docs/feeds.md §2.2) -----------------------------------------------------------

_FEODO = Names(
    {
        "ip_address": "source.ip",
        "dst_ip": "source.ip",
        "port": "source.port",
        "dst_port": "source.port",
        "status": "status",
        "c2_status": "status",
        "hostname": "source.reverse_dns",
        "as_number": "source.asn",
        "as_name": "source.as_name",
        "country": "source.geolocation.cc",
        "first_seen": "extra.first_seen",
        "first_seen_utc": "extra.first_seen",
        "malware": "malware.name",
    }
)


def _feodo_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    fields = mapped(row, _FEODO)
    if "source.ip" not in fields:
        raise ValueError("no C2 address (ip_address or dst_ip)")
    first = fields.get("extra.first_seen")
    moment = fields.get("extra.last_online") or first
    if isinstance(moment, str) and isinstance(first, str) and first[:10] >= moment[:10]:
        moment = first  # online only on the day it was first seen: that time is more precise
    if moment is not None:
        fields["time.source"] = moment
    return fields


def _feodo_ip(text: str) -> dict[str, Any]:
    return {"source.ip": text}


def _feodo_layout(source: Source) -> str:
    """``json``, ``csv`` (a header line with commas, commented or not) or ``text`` (IPs)."""
    head = source.head(65536).removeprefix(b"\xef\xbb\xbf")
    if head.lstrip()[:1] in (b"[", b"{"):
        return "json"
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(b"#"):
            if b"," in stripped:
                return "csv"
            continue
        return "csv" if b"," in stripped else "text"
    return "text"


class FeodoTrackerParser(Parser):
    """Feodo Tracker botnet C2 blocklist: one C2 server (IP and port) per row."""

    name = "feodotracker"
    help = "abuse.ch Feodo Tracker C2 IP blocklist (JSON, CSV or plain list): botnet C2 servers"
    provider = "abuse.ch"
    default_type = "c2-server"
    default_tlp = "CLEAR"
    documentation = "https://feodotracker.abuse.ch/blocklist/"

    def parse(self, source: Source) -> Iterator[Record]:
        layout = _feodo_layout(source)
        if layout == "csv":
            yield from csv_records(
                source, _feodo_fields, required=("dst_ip",), comment="#", commented_header=True
            )
            return
        if layout == "text":
            yield from line_records(source, _feodo_ip)
            return
        document, failed = json_document(source)
        if failed:
            yield failed
        elif isinstance(document, list):
            yield from json_records(document, _feodo_fields)
        else:
            raw = orjson.dumps(document).decode()[:JSON_RAW_CHARS]
            yield Record(1, raw, None, f"expected a JSON array, found {json_kind(document)}")


PARSERS: list[type[Parser]] = [URLhausParser, FeodoTrackerParser, ThreatFoxParser]
