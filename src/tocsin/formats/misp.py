"""A MISP feed of Tocsin events: a directory that MISP and PyMISP read (docs/feeds.md §7).

``misp_event`` turns a group of Tocsin events (flat dicts, IntelMQ's field names) into one MISP
event; ``write_feed`` writes MISP events as a feed directory: one ``<uuid>.json`` per event,
``manifest.json`` and ``hashes.csv`` with the keys and lines PyMISP's feed generator writes. Which
events a partner may have is decided before (see ``tocsin.services.publish``); these functions only
translate, and never let more out than the allow-list below.

What leaves, and nothing else: ``classification.type``, the ``source.*`` observables (``ip``,
``network``, ``port``, ``fqdn``, ``url``, ``asn``), ``malware.name`` and ``malware.hash.*``,
``time.source`` / ``time.observation`` and ``tlp``. Values are read field by field from that
list, never by walking the event, so ``comment``, ``event_description.*``, ``extra.*``, ``raw``,
``source.account``, ``*.abuse_contact`` and ``tocsin.*`` cannot leak; the fingerprint only seeds
the attribute UUIDs through a one-way hash. ``feed.name`` and ``feed.provider`` are not written
either: the MISP event's creator (``Orgc``) is the source a partner sees. The caller's ``info``
and organisation name are written as given. ``destination.*`` stays home as well: in Tocsin's
model it is the target (a victim, a sensor, a sinkhole), and a partner acting on it would act
against the wrong party.

Attributes of one Tocsin event (each checked by its field's sanitiser first):

- ``source.url`` → ``url``; ``source.fqdn`` → ``domain``; ``source.ip`` → ``ip-dst`` for servers
  that victims reach (``c2-server``, ``malware-distribution``, ``malware-configuration``,
  ``phishing``) and ``ip-src`` otherwise, as ``ip-…|port`` with ``source.port``;
  ``source.network`` → the same ``ip-…`` type (MISP takes a CIDR there); category
  ``Network activity``.
- ``source.asn`` → ``AS`` (never for detection), only when the event has no address, name or URL:
  otherwise the AS is our enrichment, not the observation.
- ``malware.hash.md5|sha1|sha256`` → ``md5|sha1|sha256``, category ``Payload delivery``.
- ``to_ids`` is true only when the type names a threat (``ACTIONABLE``): an infected, vulnerable or
  compromised system is a victim, and an undetermined one is not known to be bad.
- An attribute's UUID is ``uuid5(<MISP event UUID>, "<fingerprint>|<type>")``: a re-export gives
  the same UUIDs, and the same Tocsin event in two MISP events does not collide (MISP refuses an
  attribute UUID it holds already). MISP also refuses the same type and value twice in one event:
  the earliest event that has it gives the attribute (then the smallest fingerprint).
- Its ``timestamp`` is ``time.source`` (else ``time.observation``) in Unix seconds, which the
  ``misp`` parser reads back as ``time.source``; its ``comment`` is empty.

Tags: the event carries ``tlp:<colour>`` (the most restrictive TLP of its events, an event without
one counting as AMBER like a feed without one, and at least the ``tlp`` asked for) and
``rsit:<class>="<type>"`` for each type among its events; when they have several types, each
attribute carries its own ``rsit`` tag too. ``malware.name`` becomes an attribute tag
``malware:<name>``. The event is ``published``, ``analysis`` 2 (complete: the events are final)
and ``threat_level_id`` 4 (undefined: the RSIT tags say what it is).

Every file is written whole under a temporary name and then renamed over the old one, event files
first and the manifest last, so that a reader never sees half a file nor a manifest naming a file
not yet there. Event files the previous manifest listed and the new one does not are removed last.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid as uuids
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from datetime import date as calendar_date
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from tocsin.errors import InvalidValue
from tocsin.model.event import fingerprint
from tocsin.model.fields import sanitize
from tocsin.model.taxonomy import taxonomy_of
from tocsin.model.tlp import TLP
from tocsin.model.types import epoch_seconds

ANALYSIS_COMPLETE = "2"
THREAT_LEVEL_UNDEFINED = "4"
NETWORK_ACTIVITY = "Network activity"
PAYLOAD_DELIVERY = "Payload delivery"
MAX_INFO_CHARS = 256
DEFAULT_TLP = TLP.AMBER  # an event without a label is handled as a feed without one is

REACHED = frozenset({"c2-server", "malware-distribution", "malware-configuration", "phishing"})
ACTIONABLE = frozenset(
    {
        "c2-server",
        "malware-distribution",
        "malware-configuration",
        "malware",
        "dga-domain",
        "blacklist",
        "phishing",
        "masquerade",
        "spam",
        "scanner",
        "brute-force",
        "exploit",
        "ids-alert",
        "dos",
        "ddos",
    }
)
HASHES = (
    ("malware.hash.md5", "md5"),
    ("malware.hash.sha1", "sha1"),
    ("malware.hash.sha256", "sha256"),
)

# FIRST's colours (docs/standards.md §3); other tags take PyMISP's default.
TLP_COLOURS = {
    TLP.CLEAR: "#FFFFFF",
    TLP.GREEN: "#33FF00",
    TLP.AMBER: "#FFC000",
    TLP.AMBER_STRICT: "#FFC000",
    TLP.RED: "#FF2B2B",
}
TAG_COLOUR = "#ffffff"

Attribute = tuple[str, str, str, bool]  # MISP type, value, category, to_ids


class _Row(NamedTuple):
    """What one Tocsin event gives: when, the UUID seed, its type, malware and attributes."""

    seconds: int
    seed: str
    type: str
    malware: str | None
    attributes: list[Attribute]


def misp_event(
    info: str,
    events: Iterable[Mapping[str, Any]],
    *,
    org_name: str,
    org_uuid: str,
    tlp: TLP | str | None = None,
    date: calendar_date | str,
    uuid: str,
) -> dict[str, Any]:
    """One MISP event ``{"Event": {...}}`` holding the attributes of ``events``.

    ``tlp`` is a floor: the event is labelled with the most restrictive of it and its events'
    labels. ``date`` is the MISP event's date; ``uuid`` its UUID (keep it to update the event).
    """
    info = _info(info)
    event_uuid = _uuid("uuid", uuid)
    day = _date(date)
    label = TLP.parse(tlp) if tlp is not None else TLP.CLEAR
    rows = []
    for event in events:
        label = max(label, TLP.parse(sanitize("tlp", event.get("tlp") or DEFAULT_TLP.value_name)))
        rows.append(_row(event))
    rows.sort(key=lambda row: (row.seconds, row.seed))  # the same output in any input order
    types = sorted({row.type for row in rows})
    namespace = uuids.UUID(event_uuid)
    attributes: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        tags = [_tag(_rsit(row.type))] if len(types) > 1 else []
        if row.malware:
            tags.append(_tag(f"malware:{row.malware}"))
        for misp_type, value, category, to_ids in row.attributes:
            if (misp_type, value) in seen:
                continue
            seen.add((misp_type, value))
            attribute: dict[str, Any] = {
                "category": category,
                "comment": "",
                "disable_correlation": False,
                "timestamp": str(row.seconds or _midnight(day)),
                "to_ids": to_ids,
                "type": misp_type,
                "uuid": str(uuids.uuid5(namespace, f"{row.seed}|{misp_type}")),
                "value": value,
            }
            if tags:
                attribute["Tag"] = [dict(tag) for tag in tags]
            attributes.append(attribute)
    stamp = max((int(a["timestamp"]) for a in attributes), default=_midnight(day))
    body: dict[str, Any] = {
        "analysis": ANALYSIS_COMPLETE,
        "date": day,
        "extends_uuid": "",
        "info": info,
        "protected": False,
        "publish_timestamp": str(stamp),
        "published": True,
        "threat_level_id": THREAT_LEVEL_UNDEFINED,
        "timestamp": str(stamp),
        "uuid": event_uuid,
        "Orgc": {"name": _name(org_name), "uuid": _uuid("org_uuid", org_uuid)},
        "Tag": [_tag("tlp:" + label.value_name.lower(), TLP_COLOURS[label])]
        + [_tag(_rsit(type_)) for type_ in types],
    }
    if attributes:  # PyMISP leaves the key out of an event without attributes
        body["Attribute"] = attributes
    return {"Event": body}


def write_feed(directory: str | Path, misp_events: Iterable[Mapping[str, Any]]) -> list[Path]:
    """Write ``misp_events`` as the whole MISP feed in ``directory``; the event files written.

    The feed afterwards holds exactly these events: ``manifest.json`` lists them, and the event
    files of events it no longer lists are removed.
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / "manifest.json"
    before = _listed(manifest_path)
    manifest: dict[str, Any] = {}
    lines: list[str] = []
    written: list[Path] = []
    for item in misp_events:
        event = item.get("Event")
        if not isinstance(event, Mapping):
            raise InvalidValue("Event", event, "expected a MISP event as misp_event makes it")
        event_uuid = _uuid("Event.uuid", event.get("uuid"))
        if event_uuid in manifest:
            raise InvalidValue("Event.uuid", event_uuid, "two events of the feed have this UUID")
        manifest[event_uuid] = _manifest_entry(event)
        lines.extend(f"{digest},{event_uuid}" for digest in _value_hashes(event))
        path = root / f"{event_uuid}.json"
        _replace(path, orjson.dumps({"Event": event}))
        written.append(path)
    _replace(root / "hashes.csv", "".join(line + "\n" for line in lines).encode())
    _replace(manifest_path, orjson.dumps(manifest))
    for stale in before - manifest.keys():
        (root / f"{stale}.json").unlink(missing_ok=True)
    return written


# --- one Tocsin event ----------------------------------------------------------------------------


def _row(event: Mapping[str, Any]) -> _Row:
    type_ = sanitize("classification.type", event.get("classification.type") or "undetermined")
    moment = event.get("time.source") or event.get("time.observation")
    seconds = epoch_seconds(sanitize("time.source", moment)) if moment else 0
    seed = event.get("tocsin.fingerprint") or fingerprint(event, 0)
    malware = event.get("malware.name")
    name = sanitize("malware.name", malware) if malware else None
    return _Row(seconds, str(seed), type_, name, _attributes(event, type_))


def _attributes(event: Mapping[str, Any], type_: str) -> list[Attribute]:
    def value(name: str) -> Any:
        found = event.get(name)
        return None if found is None or found == "" else sanitize(name, found)

    to_ids = type_ in ACTIONABLE
    side = "ip-dst" if type_ in REACHED else "ip-src"
    found: list[Attribute] = []
    url, fqdn, ip, network = map(
        value, ("source.url", "source.fqdn", "source.ip", "source.network")
    )
    if url:
        found.append(("url", url, NETWORK_ACTIVITY, to_ids))
    if fqdn:
        found.append(("domain", fqdn, NETWORK_ACTIVITY, to_ids))
    if ip:
        port = value("source.port")
        if port is None:
            found.append((side, ip, NETWORK_ACTIVITY, to_ids))
        else:
            found.append((f"{side}|port", f"{ip}|{port}", NETWORK_ACTIVITY, to_ids))
    if network:
        found.append((side, network, NETWORK_ACTIVITY, to_ids))
    asn = value("source.asn")
    if asn and not found:
        found.append(("AS", str(asn), NETWORK_ACTIVITY, False))
    for field, misp_type in HASHES:
        digest = value(field)
        if digest:
            found.append((misp_type, digest, PAYLOAD_DELIVERY, to_ids))
    return found


def _rsit(type_: str) -> str:
    return f'rsit:{taxonomy_of(type_)}="{type_}"'


def _tag(name: str, colour: str = TAG_COLOUR) -> dict[str, Any]:
    """A tag as PyMISP writes it into a feed (``MISPTag._to_feed``)."""
    return {"colour": colour, "local": False, "name": name, "relationship_type": ""}


# --- the feed's index files ----------------------------------------------------------------------


def _manifest_entry(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event's manifest entry, keys and types as PyMISP's ``MISPEvent.manifest``."""
    orgc = event.get("Orgc") or {}
    return {
        "Orgc": {"name": orgc.get("name"), "uuid": orgc.get("uuid")},
        "Tag": list(event.get("Tag") or []),
        "info": event.get("info"),
        "date": event.get("date"),
        "analysis": int(event.get("analysis", ANALYSIS_COMPLETE)),
        "threat_level_id": int(event.get("threat_level_id", THREAT_LEVEL_UNDEFINED)),
        "timestamp": int(event.get("timestamp", 0)),
    }


def _value_hashes(event: Mapping[str, Any]) -> list[str]:
    """MD5 of every attribute value, one per part of a composite value (``attributes_hashes``)."""
    attributes = list(event.get("Attribute") or [])
    for item in event.get("Object") or []:
        attributes.extend(item.get("Attribute") or [])
    digests = []
    for attribute in attributes:
        value = str(attribute["value"])
        composite = "|" in attribute["type"] or attribute["type"] == "malware-sample"
        for part in value.split("|") if composite else [value]:
            digests.append(hashlib.md5(part.encode(), usedforsecurity=False).hexdigest())
    return digests


def _listed(manifest: Path) -> set[str]:
    """The event UUIDs an existing manifest lists (none when there is none or it is unreadable)."""
    try:
        found = orjson.loads(manifest.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return set()
    return {key for key in found if _is_uuid(key)} if isinstance(found, dict) else set()


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: a temporary file, then a rename."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# --- checked arguments ---------------------------------------------------------------------------


def _info(info: str) -> str:
    text = info.strip() if isinstance(info, str) else ""
    if not text:
        raise InvalidValue("info", info, "a MISP event needs a title")
    if len(text) > MAX_INFO_CHARS or "\n" in text or "\r" in text:
        raise InvalidValue("info", info, f"one line of at most {MAX_INFO_CHARS} characters")
    return text


def _name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidValue("org_name", name, "the organisation needs a name")
    return name.strip()


def _uuid(field: str, value: Any) -> str:
    try:
        return str(uuids.UUID(str(value)))
    except ValueError:
        raise InvalidValue(field, value, "not a UUID") from None


def _is_uuid(text: str) -> bool:
    try:
        return str(uuids.UUID(text)) == text.lower()
    except ValueError:
        return False


def _date(value: calendar_date | str) -> str:
    try:
        if isinstance(value, datetime):
            moment = value if value.tzinfo is None else value.astimezone(UTC)
            return moment.date().isoformat()
        if isinstance(value, calendar_date):
            return value.isoformat()
        return calendar_date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise InvalidValue("date", value, "not a date (YYYY-MM-DD)") from None


def _midnight(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())
