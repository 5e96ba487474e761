"""TAXII 2.1 resources, as bytes: the query filters read, the envelopes and manifests written
(docs/standards.md §2).

Objects are stored as JSON text, so an envelope is written by joining the stored texts: a page
costs the same at 5,000 objects as at 500,000.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from tocsin.errors import InvalidValue
from tocsin.model.numbers import parse_id
from tocsin.share.objects import format_us, format_version, timestamp_us
from tocsin.store.shapes import ObjectQuery, Row

TAXII = "application/taxii+json;version=2.1"
STIX = "application/stix+json;version=2.1"
MAX_PAGE = 1000
MAX_CONTENT_LENGTH = 10 * 1024 * 1024
VERSION_WORDS = frozenset({"first", "last", "all"})
Render = Callable[[Sequence[Row], bool], bytes]  # a page of rows, and whether more follow


def query(
    params: Mapping[str, str],
    *,
    allowed: frozenset[str],
    limit: int = MAX_PAGE,
    by_version: bool = False,
) -> ObjectQuery:
    """The filters of a request, checked (InvalidValue with the reason: a 400). ``by_version``:
    the request lists one object's versions, whose pages go in version order, so its ``next``
    is a position in that order (``version_token``), not a date_added."""
    unknown = [k for k in params if k not in allowed]
    if unknown:
        raise InvalidValue("filter", unknown[0], "not a filter of this endpoint")
    page = limit if "limit" not in params else _limit(params["limit"], limit)
    after = _moment("added_after", params.get("added_after"))
    position = None
    if by_version:
        position = _version_cursor(params.get("next"))
    else:
        cursor = _cursor(params.get("next"))
        if cursor is not None:
            after = cursor if after is None else max(after, cursor)
    versions: tuple[str | int, ...] = ("last",)
    if "match[version]" in params:
        versions = tuple(
            word if word in VERSION_WORDS else _checked_moment("match[version]", word)
            for word in _split(params["match[version]"])
        )
    spec = _split(params.get("match[spec_version]", ""))
    return ObjectQuery(
        added_after=after,
        ids=_split(params.get("match[id]", "")),
        types=_split(params.get("match[type]", "")),
        versions=versions,
        spec_versions=spec,
        limit=page,
        after_version=position,
    )


def envelope(rows: Sequence[Row], more: bool) -> bytes:
    """``{"more": …, "next": …, "objects": [...]}`` from stored texts, without parsing them."""
    head = (
        b'{"more":true,"next":"' + next_token(rows[-1]) + b'",'
        if more and rows
        else b'{"more":false,'
    )
    if not rows:
        return head + b'"objects":[]}'
    return head + b'"objects":[' + ",".join(r.data for r in rows).encode() + b"]}"


def manifest(rows: Sequence[Row], more: bool) -> bytes:
    records = [
        {
            "id": r.object_id,
            "date_added": format_us(r.date_added),
            "version": _version(r),
            "media_type": STIX,
        }
        for r in rows
    ]
    body: dict[str, Any] = {"more": more}
    if more and rows:
        body["next"] = next_token(rows[-1]).decode()
    body["objects"] = records
    return orjson.dumps(body)


def versions(rows: Sequence[Row], more: bool) -> bytes:
    body: dict[str, Any] = {"more": more}
    if more and rows:
        body["next"] = version_token(rows[-1]).decode()
    body["versions"] = [_version(r) for r in rows]
    return orjson.dumps(body)


def _version(row: Row) -> str:
    """What a row's version is advertised as; an object without one (an SCO) is advertised under
    its date_added, which ``match[version]`` takes for it too."""
    return format_version(row.version) if row.version else format_us(row.date_added)


def added_headers(rows: Sequence[Row]) -> dict[str, str]:
    if not rows:
        return {}
    added = [r.date_added for r in rows]
    return {
        "X-TAXII-Date-Added-First": format_us(min(added)),
        "X-TAXII-Date-Added-Last": format_us(max(added)),
    }


def next_token(row: Row) -> bytes:
    return base64.urlsafe_b64encode(str(row.date_added).encode()).rstrip(b"=")


def version_token(row: Row) -> bytes:
    """Where a page of versions stopped: the (version, date_added) of its last row, the order
    ``versions`` are sorted in."""
    return base64.urlsafe_b64encode(f"{row.version}.{row.date_added}".encode()).rstrip(b"=")


def error(status: int, title: str, description: str = "") -> bytes:
    body = {"title": title, "http_status": str(status)}
    if description:
        body["description"] = description
    return orjson.dumps(body)


def _limit(text: str, largest: int) -> int:
    """A page size: ASCII digits, at least 1; past ``largest`` (however far), ``largest``."""
    if not (text.isascii() and text.isdigit()) or not text.strip("0"):
        raise InvalidValue("limit", text, "a positive whole number")
    return min(parse_id(text) or largest, largest)


def _cursor(token: str | None) -> int | None:
    """The ``date_added`` a ``next`` token this server gave stands for (``next_token``)."""
    if token is None:
        return None
    try:
        cursor = parse_id(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        cursor = None
    if cursor is None:
        raise InvalidValue("next", token, "not a cursor this server gave")
    return cursor


def _version_cursor(token: str | None) -> tuple[int, int] | None:
    """The (version, date_added) a ``next`` token of the versions endpoint stands for
    (``version_token``): two whole numbers in ASCII digits, each below 2**63."""
    if token is None:
        return None
    try:
        parts = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(".")
    except (binascii.Error, UnicodeDecodeError):
        parts = []
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) < 20 for p in parts):
        raise InvalidValue("next", token, "not a cursor this server gave")
    version, added = int(parts[0]), int(parts[1])
    if version >= 2**63 or added >= 2**63:
        raise InvalidValue("next", token, "not a cursor this server gave")
    return version, added


def _moment(name: str, value: str | None) -> int | None:
    return None if value is None else _checked_moment(name, value)


def _checked_moment(name: str, value: str) -> int:
    try:
        return timestamp_us(value)
    except ValueError:
        raise InvalidValue(name, value, "a timestamp such as 2026-11-28T10:00:00.000Z") from None


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())
