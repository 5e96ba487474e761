"""One event = one flat record of harmonized fields; its fingerprint identifies the observation.

The fingerprint is a BLAKE2b digest over the fields that identify what was observed, plus the
time bucket (``time.source`` — or, when a feed gives none, ``time.observation`` — divided by the
dedupe window). The same observation reported again within one window has the same fingerprint, so
it is stored once, across runs and restarts, on any backend.

The window is a setting that may change between runs (the demo ingests with 0, the command line
with a day), and another window cuts time into other buckets. So each event also has its
observation key: the same fields and its exact time, whatever the window. The store keeps one
event per observation key too, so re-ingesting a file never stores one of its rows twice, whatever
the window was the first time. The observation key begins with its time (4 bytes of Unix seconds,
big-endian, then 12 bytes of the digest), so that the store's unique index on it grows at its end
as time goes on, instead of at a random place for every new event: a random key's index outgrows
the database's page cache as the store grows, and every insert then reads and rewrites a page of
its own (docs/benchmarks.md §1.5). The fingerprint stays a plain digest: it is the event's name
outside the store (its STIX and MISP ids, its notices' report ids, its pages' addresses).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from hashlib import blake2b
from typing import Any

import orjson

from tocsin.model.types import epoch_seconds

Event = dict[str, Any]

FINGERPRINT_FIELDS: tuple[str, ...] = (
    "feed.name",
    "classification.type",
    "classification.identifier",
    "source.ip",
    "source.network",
    "source.port",
    "source.fqdn",
    "source.url",
    "source.asn",
    "source.account",
    "destination.ip",
    "destination.port",
    "destination.fqdn",
    "destination.url",
    "protocol.transport",
    "protocol.application",
    "malware.name",
    "malware.hash.md5",
    "malware.hash.sha1",
    "malware.hash.sha256",
)

DEFAULT_WINDOW = 86_400


def expired(event: Mapping[str, Any], now: int) -> bool:
    """Whether the event's indicator is no longer valid at ``now`` (seconds since 1970): its
    ``tocsin.valid_until`` has come. Such an event is kept (it was seen), but never notified or
    shared again as current."""
    until = event.get("tocsin.valid_until")
    return until is not None and epoch_seconds(str(until)) <= now


_epochs: dict[str, int] = {}


def event_seconds(event: Mapping[str, Any]) -> int:
    """The event's time in seconds since 1970: ``time.source``, else ``time.observation``
    (remembered per text: a feed repeats its times)."""
    moment = event.get("time.source") or event["time.observation"]
    seconds = _epochs.get(moment)
    if seconds is None:
        if len(_epochs) > 100_000:
            _epochs.clear()
        seconds = _epochs[moment] = epoch_seconds(moment)
    return seconds


def time_bucket(event: Mapping[str, Any], window: int) -> int:
    """Which dedupe window the event falls into (0 when the window is 0: dedupe forever)."""
    if window <= 0:
        return 0
    return event_seconds(event) // window


def fingerprint(
    event: Mapping[str, Any],
    window: int = DEFAULT_WINDOW,
    fields: tuple[str, ...] = FINGERPRINT_FIELDS,
) -> str:
    """32 hexadecimal digits identifying this observation within its dedupe window."""
    return keys(event, window, fields)[0]


def observation_key(event: Mapping[str, Any], fields: tuple[str, ...] = FINGERPRINT_FIELDS) -> str:
    """32 hexadecimal digits identifying this observation at its exact time (to the second),
    whatever the dedupe window: the time's 8 digits, then 24 of a digest."""
    return keys(event, 1, fields)[1]


def keys(
    event: Mapping[str, Any],
    window: int = DEFAULT_WINDOW,
    fields: tuple[str, ...] = FINGERPRINT_FIELDS,
) -> tuple[str, str]:
    """The fingerprint (in ``window``) and the observation key of an event, the fields'
    JSON written once for both."""
    values = tuple(map(event.get, fields))
    # JSON keeps values apart unambiguously (no separator inside a value can forge another event)
    try:
        head = orjson.dumps(values)[:-1]  # without its closing bracket: the time part follows
    except TypeError:  # only values that never passed a sanitiser
        head = json.dumps(values, default=str, separators=(",", ":")).encode()[:-1]
    seconds = event_seconds(event)
    bucket = seconds // window if window > 0 else 0
    fingerprint = blake2b(b"%s,%d]" % (head, bucket), digest_size=16).digest()
    exact = (
        fingerprint
        if seconds == bucket
        else blake2b(b"%s,%d]" % (head, seconds), digest_size=16).digest()
    )
    # times run from 1970 to 2100 (types.datetime_utc): 4 bytes hold them
    observation = min(max(seconds, 0), 0xFFFFFFFF).to_bytes(4, "big") + exact[:12]
    return fingerprint.hex(), observation.hex()
