"""abuse.ch ThreatFox (docs/feeds.md §2.3): the JSON export, the API answer and the CSV export.

The JSON export is one object keyed by IOC id, each value a list of IOC objects; the API answer is
``{"query_status": "ok", "data": [...]}``; the CSV export has a commented header, values separated
by ``", "`` and ``None`` for null. ``ioc_type`` picks the field the indicator goes to;
``threat_type`` picks the RSIT type.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import orjson

from tocsin.pipeline.parsers.abusech_rows import (
    JSON_RAW_CHARS,
    Names,
    json_document,
    json_item,
    json_records,
    looks_like_json,
    mapped,
    split_tags,
)
from tocsin.pipeline.parsers.base import Parser, Record, Source, csv_records, json_kind
from tocsin.pipeline.parsers.phishing import host_field

_THREATFOX = Names(
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


def _indicator(fields: dict[str, Any]) -> tuple[str, str]:
    """The IOC's value (taken out of ``fields``) and the field its ``ioc_type`` sends it to."""
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
    return value, target


def _place(fields: dict[str, Any], target: str, value: str) -> None:
    """The indicator in its field: ``ip:port`` split in two, a URL's host beside the URL."""
    if target == "ip:port":
        address, colon, port = value.rpartition(":")
        if colon:
            fields["source.ip"] = address.strip("[]")
            fields["source.port"] = port
        else:
            fields["source.ip"] = value
        return
    fields[target] = value
    if target == "source.url":
        found = host_field(value)
        if found:
            fields[found[0]] = found[1]


def _classify(fields: dict[str, Any]) -> None:
    """The RSIT type from ``threat_type``; an unknown threat type leaves it undetermined."""
    threat = fields.get("extra.threat_type")
    if isinstance(threat, str):
        type_ = _THREAT_TYPES.get(threat.lower())
        if type_:
            fields["classification.type"] = type_


def _threatfox_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    fields = mapped(row, _THREATFOX)
    value, target = _indicator(fields)
    _place(fields, target, value)
    _classify(fields)
    split_tags(fields)
    return fields


def _threatfox_export(document: dict[str, Any]) -> Iterator[Record]:
    """The export's IOCs; ``raw`` keeps each under its id (``{"<id>": [ioc]}``)."""
    ordinal = 0
    for ioc_id, entries in document.items():
        for item in entries if isinstance(entries, list) else [entries]:
            ordinal += 1
            raw = orjson.dumps({ioc_id: [item]}).decode()
            record = json_item(ordinal, raw, item, _threatfox_fields)
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
    yield from json_records(data, _threatfox_fields)


class ThreatFoxParser(Parser):
    """ThreatFox IOC export: one indicator (address, domain, URL or hash) per record."""

    name = "threatfox"
    help = "abuse.ch ThreatFox IOC export (JSON, API answer or CSV): C2s, payload URLs, hashes"
    provider = "abuse.ch"
    default_type = None  # set per row from threat_type; unknown threat types are undetermined
    default_tlp = "CLEAR"
    documentation = "https://threatfox.abuse.ch/export/"

    def parse(self, source: Source) -> Iterator[Record]:
        if not looks_like_json(source):
            yield from _threatfox_csv(source)
            return
        document, failed = json_document(source)
        if failed:
            yield failed
        elif isinstance(document, dict) and "query_status" in document:
            yield from _threatfox_api(document)
        elif isinstance(document, dict):
            yield from _threatfox_export(document)
        elif isinstance(document, list):
            yield from json_records(document, _threatfox_fields)
        else:
            raw = orjson.dumps(document).decode()[:JSON_RAW_CHARS]
            yield Record(1, raw, None, f"expected a JSON object, found {json_kind(document)}")
