"""Phishing URL feeds: OpenPhish's community feed and PhishTank's online-valid list.

Formats as in docs/feeds.md:

- §4.1 OpenPhish: plain text, one URL per line, no header and no time. The URL goes to
  ``source.url`` and its host to ``source.ip`` (a literal address) or ``source.fqdn`` (a name).
  Without a time in the feed, ``time.observation`` is the only time the event has.
- §4.2 PhishTank ``online-valid``: a JSON array of objects, or the CSV form with the header
  ``phish_id,url,phish_detail_url,submission_time,verified,verification_time,online,target``
  (told apart by the first character of the file). Mapping, after IntelMQ's parser:
  ``url`` → ``source.url``; ``phish_detail_url`` → ``event_description.url``; ``target`` →
  ``event_description.target``; ``submission_time`` → ``time.source`` (``verification_time``
  when there is no submission time, and always ``extra.phishtank.verification_time``);
  ``phish_id`` → ``extra.phishtank.phish_id`` (a number); ``verified`` →
  ``extra.phishtank.verified`` (true/false) — IntelMQ's names; ``online`` → ``status``
  (``online``/``offline``); any other key → ``extra.<key>``. As for OpenPhish, the
  URL's host goes to ``source.fqdn`` (a name) or ``source.ip`` (a literal address, unless the
  details give the address).
  Of the JSON ``details`` (one entry per DNS resolution of the host) only the FIRST is mapped:
  ``ip_address`` → ``source.ip``, ``cidr_block`` → ``source.network``, ``announcing_network`` →
  ``source.asn``, ``country`` → ``source.geolocation.cc``, ``rir`` → ``source.registry``,
  ``detail_time`` → ``extra.detail_time``. Later resolutions are not kept: one event per phish.

JSON items have no useful line numbers (the file is usually one line), so a PhishTank JSON
record's ``line`` is the item's ordinal (1-based). A document that is not JSON at all (e.g. a
truncated download) becomes one unparsable record (line 1, its first 2,000 characters), so the
input is quarantined rather than crashing the run; an item that is not an object is quarantined
on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from tocsin.model import types
from tocsin.pipeline.parsers.base import Parser, Record, Source, csv_records, line_records

RAW_PREVIEW = 2_000


def url_host(url: str) -> tuple[str, bool]:
    """The host of a URL and whether it is a literal IP address (no full URL parse: hot path).

    ``http://user@[2001:db8::1]:8080/x`` gives ``("2001:db8::1", True)``; a URL without a scheme
    is read as if it had one. The host is not validated here: the normalise stage does that.
    """
    start = url.find("://")
    rest = url[start + 3 :] if start >= 0 else url
    for separator in "/?#\\":
        end = rest.find(separator)
        if end >= 0:
            rest = rest[:end]
    host = rest.rpartition("@")[2]
    if host.startswith("["):
        return host[1:].partition("]")[0], True
    host = host.partition(":")[0]
    return host, host[-1:].isdigit() and host.replace(".", "").isdigit()


def host_field(url: str) -> tuple[str, str] | None:
    """Which field a URL's host goes to (``source.ip`` or ``source.fqdn``) and the host; None
    for a host that browsers accept but that is no domain name (``www..example.com``): the URL
    is kept, as browsers and IntelMQ keep it, without a ``source.fqdn`` that DNS would refuse."""
    host, is_ip = url_host(url)
    if not host:
        return None
    if is_ip:
        return "source.ip", host
    try:
        types.fqdn(host)
    except ValueError:
        return None
    return "source.fqdn", host


def _openphish(url: str) -> dict[str, Any]:
    fields = {"source.url": url}
    if found := host_field(url):
        fields[found[0]] = found[1]
    return fields


class OpenPhish(Parser):
    name = "openphish"
    help = "OpenPhish community feed: one phishing URL per line"
    provider = "OpenPhish"
    default_type = "phishing"
    default_tlp = "CLEAR"
    documentation = "https://openphish.com/phishing_feeds.html"

    def parse(self, source: Source) -> Iterator[Record]:
        return line_records(source, _openphish)


# PhishTank keys (CSV columns and JSON keys alike) and their harmonized fields.
_PHISHTANK: dict[str, str] = {
    "url": "source.url",
    "phish_detail_url": "event_description.url",
    "submission_time": "time.source",
    "target": "event_description.target",
    "phish_id": "extra.phishtank.phish_id",
    "verification_time": "extra.phishtank.verification_time",
    "verified": "extra.phishtank.verified",
    "online": "status",
}
_DETAILS: dict[str, str] = {
    "ip_address": "source.ip",
    "cidr_block": "source.network",
    "announcing_network": "source.asn",
    "country": "source.geolocation.cc",
    "rir": "source.registry",
    "detail_time": "extra.detail_time",
}
_YES_NO: dict[str, bool] = {"yes": True, "no": False, "true": True, "false": False}
_ONLINE: dict[str, str] = {"yes": "online", "no": "offline"}


def _phish(item: dict[str, Any]) -> dict[str, Any]:
    """The fields of one PhishTank entry (a CSV row or a JSON object); ``url`` is required."""
    if item.get("url") in (None, ""):
        raise KeyError("url")
    fields = _phish_keys(item)
    _phish_values(fields)
    url = fields["source.url"]
    found = host_field(url) if isinstance(url, str) else None
    if found is not None:
        fields.setdefault(*found)  # the details' address, when given, is the one it resolved to
    return fields


def _phish_keys(item: dict[str, Any]) -> dict[str, Any]:
    """Each non-empty key under its field; the first resolution of ``details`` mapped too."""
    fields: dict[str, Any] = {}
    for key, value in item.items():
        if value is None or value == "" or value == []:
            continue
        if key == "details":
            _details(value, fields)
            continue
        fields[_PHISHTANK.get(key) or f"extra.{key}"] = value
    return fields


def _phish_values(fields: dict[str, Any]) -> None:
    """The id as a number, ``verified`` as a boolean, ``online`` as a status, and the
    verification time as the source time when the submission time is missing."""
    phish_id = fields.get("extra.phishtank.phish_id")
    if isinstance(phish_id, str) and phish_id.isdigit():
        fields["extra.phishtank.phish_id"] = int(phish_id)
    verified = fields.get("extra.phishtank.verified")
    if isinstance(verified, str):
        fields["extra.phishtank.verified"] = _YES_NO.get(verified.lower(), verified)
    online = fields.get("status")
    if isinstance(online, str):
        fields["status"] = _ONLINE.get(online.lower(), online)
    if "time.source" not in fields and "extra.phishtank.verification_time" in fields:
        fields["time.source"] = fields["extra.phishtank.verification_time"]


def _details(details: Any, fields: dict[str, Any]) -> None:
    """Map the first resolution of ``details``; a value of another shape is kept as it is."""
    first = details[0] if isinstance(details, list) else details
    if not isinstance(first, dict):
        fields["extra.details"] = details
        return
    for key, value in first.items():
        if value is not None and value != "":
            fields[_DETAILS.get(key) or f"extra.detail_{key}"] = value


class PhishTank(Parser):
    name = "phishtank"
    help = "PhishTank online-valid list (JSON array or CSV): verified phishing URLs"
    provider = "PhishTank"
    default_type = "phishing"
    default_tlp = "CLEAR"
    documentation = "https://www.phishtank.com/developer_info.php"

    def parse(self, source: Source) -> Iterator[Record]:
        head = source.data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:1] in (b"[", b"{"):
            return self._json(source)
        return csv_records(source, _phish, required=("url",))

    def _json(self, source: Source) -> Iterator[Record]:
        text = source.text()
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield Record(1, text[:RAW_PREVIEW], None, f"not valid JSON: {exc}")
            return
        items = [document] if isinstance(document, dict) else document
        for ordinal, item in enumerate(items, start=1):
            raw = orjson.dumps(item).decode()
            if not isinstance(item, dict):
                kind = type(item).__name__
                yield Record(ordinal, raw, None, f"expected a JSON object, found {kind}")
                continue
            try:
                fields = _phish(item)
            except KeyError as exc:
                yield Record(ordinal, raw, None, f"missing value: {exc.args[0]}")
                continue
            yield Record(ordinal, raw, fields)


PARSERS: list[type[Parser]] = [OpenPhish, PhishTank]
