"""Spamhaus DROP lists: networks (DROP, EDROP, DROPv6) and ASNs (ASN-DROP) not to route or peer.

Formats as described in docs/feeds.md §3. One parser reads them all,
telling each line's shape from the line itself:

- text DROP/EDROP/DROPv6: ``<CIDR> ; <SBL id>``; lines starting with ``;`` are comments, and
  ``; Last-Modified: <RFC 1123 date>`` gives ``time.source`` to the rows after it (as IntelMQ does);
- text ASN-DROP: ``AS<number> ; <CC> | <AS name>`` (the country may be empty);
- JSON (``drop_v4.json``, ``drop_v6.json``, ``asndrop.json``): one object per line, keys ``cidr``,
  ``sblid``, ``rir`` or ``asn``, ``cc``, ``asname``, ``domain``; the last line is a metadata record
  (``{"type": "metadata", "timestamp": <Unix seconds>, ...}``) whose timestamp is ``time.source``.

The network goes to ``source.network``, the SBL id to ``extra.blocklist`` (IntelMQ's name), the
ASN to ``source.asn``. The type is ``blacklist``, where IntelMQ says ``spam``: RSIT's
``blacklist`` is for lists that "clearly refer to abusive behavior, such as spamming, but
diverge from the standard classification", and DROP lists networks run by spam or other
cyber-crime operations, not hosts seen sending spam (docs/intelmq-compatibility.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

from tocsin.pipeline.parsers.base import Parser, Record, Source, unusable

_JSON_KEYS = {
    "cidr": "source.network",
    "sblid": "extra.blocklist",
    "asn": "source.asn",
    "asname": "source.as_name",
    "cc": "source.geolocation.cc",
    "rir": "extra.rir",
    "domain": "extra.domain",
}

# Placeholders some lists write for "no country"; they are not ISO 3166-1 codes.
_NO_COUNTRY = frozenset({"ZZ", "XX", "--"})


def _text_fields(text: str) -> dict[str, Any]:
    """Fields of a text line: ``CIDR ; SBLnnn`` or ``ASnnn ; CC | AS-NAME``."""
    left, _, right = text.partition(";")
    key = left.strip()
    if key[:2].upper() == "AS":
        fields: dict[str, Any] = {"source.asn": key}
        country, bar, as_name = right.partition("|")
        if not bar:
            country, as_name = "", country
        country = country.strip()
        as_name = as_name.strip()
        if country and country.upper() not in _NO_COUNTRY:
            fields["source.geolocation.cc"] = country
        if as_name:
            fields["source.as_name"] = as_name
        return fields
    fields = {"source.network": key}
    sbl_id = right.strip()
    if sbl_id:
        fields["extra.blocklist"] = sbl_id
    return fields


def _json_fields(text: str) -> dict[str, Any] | None:
    """Fields of a JSON line, or None for the metadata line."""
    try:
        item = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    if not isinstance(item, dict):
        raise ValueError("JSON line is not an object")
    if "cidr" not in item and "asn" not in item:
        if item.get("type") == "metadata":
            return None
        raise ValueError("JSON line has neither 'cidr' nor 'asn'")
    fields: dict[str, Any] = {}
    for key, value in item.items():
        if value is None or value == "" or not key:
            continue
        if key == "cc" and isinstance(value, str) and value.upper() in _NO_COUNTRY:
            continue
        fields[_JSON_KEYS.get(key) or "extra." + key] = value
    return fields


def _last_modified(comment: str) -> str | None:
    """The ISO time of a ``; Last-Modified: <RFC 1123 date>`` comment; None for other comments."""
    text = comment.lstrip("; \t")
    if text[:14].lower() != "last-modified:":
        return None
    try:
        return parsedate_to_datetime(text[14:].strip()).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):  # OverflowError: a year of 20 digits
        return ""


def _metadata_time(source: Source) -> Any:
    """The NDJSON metadata line's ``timestamp`` (the file's last line), or None.

    Only a JSON list is read whole for this; the lists are small (thousands of lines).
    """
    if source.head(4096).removeprefix(b"\xef\xbb\xbf").lstrip()[:1] != b"{":
        return None
    last = source.data[-4096:].rstrip().rpartition(b"\n")[2].strip()
    if b"metadata" not in last:
        return None
    try:
        item = orjson.loads(last)
    except orjson.JSONDecodeError:
        return None
    if isinstance(item, dict) and item.get("type") == "metadata":
        return item.get("timestamp")
    return None


class SpamhausDropParser(Parser):
    """Spamhaus DROP, EDROP, DROPv6 and ASN-DROP, as text or NDJSON: one network or ASN per row."""

    name = "spamhaus-drop"
    help = "Spamhaus DROP/EDROP/DROPv6/ASN-DROP (text or JSON): hijacked networks and ASNs"
    provider = "Spamhaus"
    default_type = "blacklist"
    default_tlp = "CLEAR"
    documentation = "https://www.spamhaus.org/drop/"

    def parse(self, source: Source) -> Iterator[Record]:
        moment: Any = _metadata_time(source)
        bad_moment = ""
        for number, text in source.lines():
            stripped = text.strip()
            if not stripped:
                continue
            if stripped[0] == ";":
                moment, bad_moment = _comment_time(stripped, moment, bad_moment)
                continue
            record = _record(number, text, stripped, moment, bad_moment)
            if record is not None:
                yield record


def _comment_time(comment: str, moment: Any, bad_moment: str) -> tuple[Any, str]:
    """The list's time after a comment line: a ``Last-Modified`` comment sets it (or, when its
    date is unreadable, unsets it and is kept as text); any other comment leaves it as it was."""
    found = _last_modified(comment)
    if found:
        return found, ""
    if found == "":
        return None, comment
    return moment, bad_moment


def _record(number: int, text: str, stripped: str, moment: Any, bad_moment: str) -> Record | None:
    """One line's record, given the list's time; None for the NDJSON metadata line."""
    bad = unusable(number, text)
    if bad is not None:
        return bad
    try:
        fields = _json_fields(stripped) if stripped[0] == "{" else _text_fields(stripped)
    except ValueError as exc:
        return Record(number, text, None, str(exc))
    if fields is None:
        return None
    if moment is not None:
        fields["time.source"] = moment
    elif bad_moment:
        fields["extra.last_modified"] = bad_moment
    return Record(number, text, fields)


PARSERS: list[type[Parser]] = [SpamhausDropParser]
