"""abuse.ch feeds: URLhaus, Feodo Tracker and ThreatFox.

Formats as described in docs/feeds.md §2:

- 2.1 URLhaus database dump: CSV, every value quoted, the header a comment
  (``# id,dateadded,url,url_status,last_online,threat,tags,urlhaus_link,reporter``; older dumps
  lack ``last_online``). The per-country/ASN/TLD feeds' extra columns (``host``, ``ip``,
  ``asnumber``, ``country``) map too, by name.
- 2.2 Feodo Tracker IP blocklist: the JSON array (``ipblocklist.json``), the CSV with a commented
  header (``# first_seen_utc,dst_ip,dst_port,...``) or the plain list of IPs (``ipblocklist.txt``);
  which one is told from the content. ``time.source`` is ``last_online`` (midnight) when given,
  else ``first_seen``, as IntelMQ's feed documentation states (``first_seen`` also when both fall
  on the same day, being the more precise).
- 2.3 ThreatFox: the JSON export (one object keyed by IOC id, each value a list of IOC objects),
  the API answer (``{"query_status": "ok", "data": [...]}``) and the CSV export (commented header,
  values separated by ``", "``, ``None`` for null). ``ioc_type`` picks the field the indicator goes
  to; ``threat_type`` picks the RSIT type.

abuse.ch writes the literal ``None`` for an empty value in its CSV exports; it is left out.
Values are mapped by column or key name, never by position; names without a harmonized field go
to ``extra.<name>``. A JSON document that does not parse at all is one quarantined record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import orjson

from tocsin.pipeline.parsers.base import (
    Parser,
    Record,
    Source,
    csv_records,
    json_kind,
    line_records,
    too_long,
)

JSON_RAW_CHARS = 2000
NULL = "None"

ItemMapper = Callable[[Mapping[str, Any]], dict[str, Any]]


class _Names(dict[str, str]):
    """Field name per column or key; one without a harmonized field maps to ``extra.<name>``."""

    def __missing__(self, key: str) -> str:
        name = "extra." + key
        if len(self) < 4096:  # keys come from the input: keep the memo bounded
            self[key] = name
        return name


def _mapped(row: Mapping[str, Any], names: _Names) -> dict[str, Any]:
    """Harmonized names for a row's non-empty values (``None`` and ``"None"`` are empty)."""
    fields: dict[str, Any] = {}
    for key, value in row.items():
        if value.__class__ is str:
            value = value.strip()
            if not value or value == NULL:
                continue
        elif value is None:
            continue
        if key:
            fields[names[key]] = value
    return fields


def _tags(fields: dict[str, Any]) -> None:
    """``extra.tags`` as a list: abuse.ch gives one comma-separated string."""
    tags = fields.get("extra.tags")
    if isinstance(tags, str):
        parts = tags.split(",")
        if " " in tags:
            parts = [part.strip() for part in parts]
        fields["extra.tags"] = [part for part in parts if part]


def _host(url: str) -> tuple[str, str] | None:
    """Which field a URL's host goes to (``source.ip`` or ``source.fqdn``) and the host."""
    start = url.find("://")
    rest = url[start + 3 :] if start >= 0 else url
    for separator in "/?#":
        cut = rest.find(separator)
        if cut >= 0:
            rest = rest[:cut]
    at = rest.rfind("@")
    if at >= 0:
        rest = rest[at + 1 :]
    if rest.startswith("["):
        end = rest.find("]")
        return ("source.ip", rest[1:end]) if end > 1 else None
    host = rest.partition(":")[0]
    if not host:
        return None
    if host[-1].isdigit() and host.replace(".", "").isdigit():
        return ("source.ip", host)
    return ("source.fqdn", host)


def _looks_like_json(source: Source) -> bool:
    head = source.head(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head[:1] in (b"[", b"{")


def _json_document(source: Source) -> tuple[Any, Record | None]:
    """The parsed document, or a record quarantining the whole input (truncated, corrupt)."""
    text = source.text()
    try:
        return orjson.loads(text), None
    except orjson.JSONDecodeError as exc:
        return None, Record(1, text[:JSON_RAW_CHARS], None, f"not valid JSON: {exc}")


def _json_item(ordinal: int, raw: str, item: Any, mapper: ItemMapper) -> Record:
    if not isinstance(item, dict):
        return Record(ordinal, raw, None, f"item is {json_kind(item)}, not an object")
    reason = too_long(raw)
    if reason:
        return Record(ordinal, raw[:JSON_RAW_CHARS], None, reason)
    try:
        return Record(ordinal, raw, mapper(item))
    except ValueError as exc:
        return Record(ordinal, raw, None, str(exc))


def _json_records(items: Iterable[Any], mapper: ItemMapper) -> Iterator[Record]:
    """One record per item of a JSON array; ``line`` is the item's ordinal."""
    for ordinal, item in enumerate(items, start=1):
        yield _json_item(ordinal, orjson.dumps(item).decode(), item, mapper)


# --- URLhaus (docs/feeds.md §2.1) -----------------------------------------------------------------

_URLHAUS = _Names(
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
    fields = _mapped(row, _URLHAUS)
    host = fields.pop("extra.host", None) or fields.get("source.url")
    if host:
        found = _host(host)
        if found:
            fields.setdefault(found[0], found[1])
    _tags(fields)
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

_FEODO = _Names(
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
    fields = _mapped(row, _FEODO)
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
        document, failed = _json_document(source)
        if failed:
            yield failed
        elif isinstance(document, list):
            yield from _json_records(document, _feodo_fields)
        else:
            raw = orjson.dumps(document).decode()[:JSON_RAW_CHARS]
            yield Record(1, raw, None, f"expected a JSON array, found {json_kind(document)}")


# --- ThreatFox (docs/feeds.md §2.3) ---------------------------------------------------------------

_THREATFOX = _Names(
    {
        "ioc_value": "extra.ioc_value",
        "ioc": "extra.ioc_value",
        "ioc_id": "extra.ioc_id",
        "id": "extra.ioc_id",
        "first_seen_utc": "time.source",
        "first_seen": "time.source",
        "last_seen_utc": "extra.last_seen",
        "last_seen": "extra.last_seen",
        "malware": "extra.malware",
        "fk_malware": "extra.malware",
        "malware_printable": "malware.name",
        "confidence_level": "feed.accuracy",
    }
)

_IOC_TYPES = {
    "ip:port": "ip:port",
    "ip": "source.ip",
    "domain": "source.fqdn",
    "url": "source.url",
    "md5_hash": "malware.hash.md5",
    "sha1_hash": "malware.hash.sha1",
    "sha256_hash": "malware.hash.sha256",
}

_THREAT_TYPES = {
    "botnet_cc": "c2-server",
    "payload_delivery": "malware-distribution",
    "payload": "malware",
}


def _threatfox_fields(row: Mapping[str, Any]) -> dict[str, Any]:  # noqa: C901
    fields = _mapped(row, _THREATFOX)
    value = fields.pop("extra.ioc_value", None)
    kind = fields.get("extra.ioc_type")
    if value is None:
        raise ValueError("no IOC value (ioc_value)")
    if not isinstance(value, str):
        raise ValueError(f"IOC value is {json_kind(value)}, not text")
    if not isinstance(kind, str):
        raise ValueError("no IOC type (ioc_type)")
    target = _IOC_TYPES.get(kind.lower())
    if target is None:
        raise ValueError(f"IOC type {kind!r} has no field in the event model")
    if target == "ip:port":
        address, colon, port = value.rpartition(":")
        if colon:
            fields["source.ip"] = address.strip("[]")
            fields["source.port"] = port
        else:
            fields["source.ip"] = value
    else:
        fields[target] = value
        if target == "source.url":
            found = _host(value)
            if found:
                fields[found[0]] = found[1]
    threat = fields.get("extra.threat_type")
    if isinstance(threat, str):
        type_ = _THREAT_TYPES.get(threat.lower())
        if type_:
            fields["classification.type"] = type_
    _tags(fields)
    return fields


def _threatfox_export(document: dict[str, Any]) -> Iterator[Record]:
    """The export's IOCs; ``raw`` keeps each under its id (``{"<id>": [ioc]}``)."""
    ordinal = 0
    for ioc_id, entries in document.items():
        for item in entries if isinstance(entries, list) else [entries]:
            ordinal += 1
            raw = orjson.dumps({ioc_id: [item]}).decode()
            record = _json_item(ordinal, raw, item, _threatfox_fields)
            if record.fields is not None:
                record.fields.setdefault("extra.ioc_id", ioc_id)
            yield record


_THREATFOX_REQUIRED = ("ioc_value", "ioc_type")


def _threatfox_csv(source: Source) -> Iterator[Record]:
    """The CSV export: ``", "`` between quoted values, the header the last comment with commas."""
    return csv_records(
        source,
        _threatfox_fields,
        required=_THREATFOX_REQUIRED,
        comment="#",
        commented_header=True,
        skipinitialspace=True,
    )


def _threatfox_api(document: dict[str, Any]) -> Iterator[Record]:
    """The API answer's IOCs (``data``); an answer that is not ``ok`` is one quarantined record."""
    status = document.get("query_status")
    data = document.get("data")
    if status == "no_result":
        return
    if status != "ok" or not isinstance(data, list):
        raw = orjson.dumps(document).decode()[:JSON_RAW_CHARS]
        yield Record(1, raw, None, f"ThreatFox API answer with query_status {status!r}")
        return
    yield from _json_records(data, _threatfox_fields)


class ThreatFoxParser(Parser):
    """ThreatFox IOC export: one indicator (address, domain, URL or hash) per record."""

    name = "threatfox"
    help = "abuse.ch ThreatFox IOC export (JSON, API answer or CSV): C2s, payload URLs, hashes"
    provider = "abuse.ch"
    default_type = None  # set per row from threat_type; unknown threat types are undetermined
    default_tlp = "CLEAR"
    documentation = "https://threatfox.abuse.ch/export/"

    def parse(self, source: Source) -> Iterator[Record]:
        if not _looks_like_json(source):
            yield from _threatfox_csv(source)
            return
        document, failed = _json_document(source)
        if failed:
            yield failed
        elif isinstance(document, dict) and "query_status" in document:
            yield from _threatfox_api(document)
        elif isinstance(document, dict):
            yield from _threatfox_export(document)
        elif isinstance(document, list):
            yield from _json_records(document, _threatfox_fields)
        else:
            raw = orjson.dumps(document).decode()[:JSON_RAW_CHARS]
            yield Record(1, raw, None, f"expected a JSON object, found {json_kind(document)}")


PARSERS: list[type[Parser]] = [URLhausParser, FeodoTrackerParser, ThreatFoxParser]
