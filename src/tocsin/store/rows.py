"""Events and quarantined rows as the flat tuples the backends write, and back.

Compact on purpose (the ingest rate depends on it): the fingerprint and addresses as bytes (IPv4
as IPv4-mapped IPv6, so a network is one byte range for both versions), times as Unix seconds,
priority and TLP as small integers, and the whole event as one JSON text.
"""

from __future__ import annotations

import socket
from hashlib import blake2b
from typing import Any

import orjson

from tocsin.model.event import DEFAULT_WINDOW, Event, observation_key
from tocsin.model.fields import PRIORITIES
from tocsin.model.quarantine import Quarantined
from tocsin.model.tlp import TLP
from tocsin.model.types import epoch_seconds

# fingerprint, observation, rank, event_time, window_start, day, source_ip, source_asn, source_fqdn,
# source_url, type, constituent, priority, tlp, feed, data
EventRow = tuple[
    bytes,
    bytes,
    int,
    int,
    int,
    int,
    bytes | None,
    int | None,
    str | None,
    str | None,
    str,
    str | None,
    int,
    int,
    str,
    str,
]
# key, feed, file, line, stage, reason, raw, created
QuarantineRow = tuple[bytes, str, str, int, str, str, str, int]

EVENT_COLUMNS = (
    "fingerprint",
    "observation",
    "rank",
    "event_time",
    "window_start",
    "day",
    "source_ip",
    "source_asn",
    "source_fqdn",
    "source_url",
    "type",
    "constituent",
    "priority",
    "tlp",
    "feed",
    "data",
)
QUARANTINE_COLUMNS = ("key", "feed", "file", "line", "stage", "reason", "raw", "created")

DAY = 86_400  # seconds: the store's lookups by address, domain and URL are kept by day
_V4_PREFIX = b"\x00" * 10 + b"\xff\xff"
_PRIORITY = {p: i + 1 for i, p in enumerate(PRIORITIES)}
_TLP = {t.value_name: int(t) for t in TLP}
_TLP_NAMES = {int(t): t.value_name for t in TLP}
_epoch_cache: dict[str, int] = {}


def ip_bytes(ip: str) -> bytes:
    """16 bytes for any canonical address (IPv4 mapped into IPv6)."""
    if ":" in ip:
        return socket.inet_pton(socket.AF_INET6, ip)
    return _V4_PREFIX + socket.inet_pton(socket.AF_INET, ip)


def _seconds(moment: str) -> int:
    found = _epoch_cache.get(moment)
    if found is None:
        if len(_epoch_cache) > 100_000:
            _epoch_cache.clear()
        found = _epoch_cache[moment] = epoch_seconds(moment)
    return found


def event_row(
    event: Event, rank: int, observation: str | None = None, window: int = DEFAULT_WINDOW
) -> EventRow:
    """The row of an event; ``rank`` decides which of two events with one fingerprint is kept;
    ``observation`` is its observation key, if known already; ``window`` the dedupe window its
    fingerprint was computed in (the row keeps the window's start: the store's dedupe key begins
    with it, docs/benchmarks.md §1.5)."""
    ip = event.get("source.ip")
    seconds = _seconds(event.get("time.source") or event["time.observation"])
    return (
        bytes.fromhex(event["tocsin.fingerprint"]),
        bytes.fromhex(observation or observation_key(event)),
        rank,
        seconds,
        seconds // window * window if window > 0 else 0,
        seconds // DAY,
        ip_bytes(ip) if ip else None,
        event.get("source.asn"),
        event.get("source.fqdn"),
        event.get("source.url"),
        event["classification.type"],
        event.get("tocsin.constituent"),
        _PRIORITY[event.get("tocsin.priority", "P4")],
        _TLP[event["tlp"]],
        event["feed.name"],
        orjson.dumps(event).decode(),
    )


def quarantine_key(file: str, line: int, raw: str) -> bytes:
    return blake2b(
        f"{file}\x1f{line}\x1f{raw}".encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


def quarantine_row(item: Quarantined, created: int) -> QuarantineRow:
    return (
        quarantine_key(item.file, item.line, item.raw),
        item.feed,
        item.file,
        item.line,
        item.stage,
        item.reason,
        item.raw.replace("\x00", "\\x00"),
        created,
    )


def event_from_data(data: str | bytes) -> Event:
    loaded: dict[str, Any] = orjson.loads(data)
    return loaded


def tlp_name(code: int) -> str:
    return _TLP_NAMES[code]
