"""Tocsin's events and incidents as STIX 2.1 objects: plain dicts, stable ids, nothing private.

One event becomes its observables (SCOs), one ``observed-data`` that refers to them and, when the
event is about something to block, an ``indicator`` with the ``sighting`` that ties the two.
Every id is derived, never random, so exporting the same event or incident again gives the same
objects: SCO ids as STIX computes them (UUIDv5 over the id-contributing properties), and the
others as UUIDv5 in Tocsin's namespace over the event's fingerprint or the incident's reference.

The observables themselves, the allow-list of what may leave and how the two sides of an event
are told apart live in ``tocsin.formats.observables``: of an event, only ``shareable(event)`` is
read here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from tocsin.formats.markings import TLP2_IDS, marking, marking_id, tlp_of_refs
from tocsin.formats.observables import (
    CONTRIBUTING,
    HASHES,
    NETWORK_LAYER,
    PROTOCOL_FIELDS,
    SCO_NAMESPACE,
    SHAREABLE,
    SIDES,
    TRANSPORTS,
    Observables,
    address_type,
    in_network,
    network_side,
    protocols,
    read_protocols,
    sco_id,
    shareable,
    traffic_possible,
    url_host,
    url_side,
)
from tocsin.model.event import Event, fingerprint
from tocsin.model.incident import OPEN, Incident, Status
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.model.tlp import TLP

# The observables' public names are re-exported: callers import them from here too.
__all__ = [
    "CONTRIBUTING",
    "HASHES",
    "NETWORK_LAYER",
    "SCO_NAMESPACE",
    "SHAREABLE",
    "SIDES",
    "TRANSPORTS",
    "bundle",
    "dumps",
    "event_objects",
    "in_network",
    "incident_objects",
    "marking",
    "marking_id",
    "network_side",
    "producer_identity",
    "protocols",
    "read_protocols",
    "sco_id",
    "shareable",
    "stix_time",
    "tlp_of_refs",
    "url_host",
    "url_side",
]

# Tocsin's own namespace for the ids of SDOs and SROs. Fixed forever: changing it would rename
# every object ever exported, and partners would hold each one twice.
TOCSIN_NAMESPACE = uuid.UUID("daaa3cb0-55f9-4315-a2e0-622b431f207f")
PRODUCER_CREATED = "2020-01-01T00:00:00.000Z"  # the producer never changes: one version only

# Types whose source is something to block, and the indicator_types they get. Not the victims'
# types (infected-system, vulnerable-*, compromises): their source is the party to help.
INDICATOR_TYPES: dict[str, str] = {
    "c2-server": "malicious-activity",
    "malware-distribution": "malicious-activity",
    "malware-configuration": "malicious-activity",
    "phishing": "malicious-activity",
    "dga-domain": "malicious-activity",
    "blacklist": "malicious-activity",
    "brute-force": "malicious-activity",
    "ddos": "malicious-activity",
    "spam": "malicious-activity",
    "exploit": "malicious-activity",
    "scanner": "anomalous-activity",  # scanning is often research, not an attack
    "ids-alert": "anomalous-activity",  # a sensor's guess, with its false positives
}
# Where something is served from, the URL names it best; an attacker is best named by address.
_BY_URL = ("source.url", "source.fqdn", "source.ip", "source.network")
_BY_ADDRESS = ("source.ip", "source.network", "source.fqdn", "source.url")
_URL_FIRST = frozenset({"c2-server", "malware-distribution", "malware-configuration", "phishing"})

# what only a network-traffic carries (with the destination's address)
_TRAFFIC_FIELDS = (
    "source.port",
    "destination.port",
    "destination.ip",
    "destination.fqdn",
    *PROTOCOL_FIELDS,
)
# label prefix -> field, for the fields carried as labels (beside the rsit:... machine tag)
LABELS = {"identifier": "classification.identifier", "malware": "malware.name", "feed": "feed.name"}


def stix_time(value: str | int | float) -> str:
    """A STIX timestamp: UTC, ``Z``, milliseconds at least (microseconds when there are any)."""
    if isinstance(value, str):
        moment = datetime.fromisoformat(value)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    else:
        moment = datetime.fromtimestamp(value, tz=UTC)
    micro = moment.microsecond
    fraction = f"{micro // 1000:03d}" if micro % 1000 == 0 else f"{micro:06d}"
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


def _id(type_: str, key: str) -> str:
    return f"{type_}--{uuid.uuid5(TOCSIN_NAMESPACE, f'{type_}:{key}')}"


def producer_identity(name: str) -> dict[str, Any]:
    """The team as the ``identity`` every exported object is ``created_by``; its id is a UUIDv5
    of the name, so every export names the same producer."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": _id("identity", name),
        "created": PRODUCER_CREATED,
        "modified": PRODUCER_CREATED,
        "name": name,
        "identity_class": "organization",
    }


def _level(event: Mapping[str, Any]) -> TLP:
    """The event's TLP; an event without one is RED (never loosen what nobody labelled)."""
    value = event.get("tlp")
    return TLP.RED if value is None else TLP.parse(value)


def labels(fields: Mapping[str, Any]) -> list[str]:
    """The classification as MISP-style labels, which the ``stix`` parser reads back:
    ``rsit:<class>="<type>"``, ``identifier:<id>``, ``malware:<name>`` and ``feed:<name>``."""
    found = []
    type_ = fields.get("classification.type")
    if type_:
        found.append(f'rsit:{TYPE_TO_TAXONOMY.get(type_, "other")}="{type_}"')
    for prefix, name in LABELS.items():
        if fields.get(name):
            found.append(f"{prefix}:{fields[name]}")
    return found


def event_objects(event: Event, producer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One event as STIX: its SCOs, an ``observed-data`` and, for a type to block, an
    ``indicator`` and the ``sighting`` of it; all marked with the event's TLP.

    Only ``shareable(event)`` is read; the fingerprint (``tocsin.fingerprint``, else computed)
    only names the objects. An event with nothing shareable to observe gives no objects.
    """
    fields = shareable(event)
    key = event.get("tocsin.fingerprint") or fingerprint(event)
    marks = [marking_id(_level(event))]
    observables = Observables(marks)
    source = observables.side(fields, "source")
    destination = observables.side(fields, "destination")
    if traffic_possible(fields) and any(name in fields for name in _TRAFFIC_FIELDS):
        ip = fields.get("source.ip") or fields.get("destination.ip")
        observables.add(
            "network-traffic",
            src_ref=source,
            dst_ref=destination,
            src_port=fields.get("source.port"),
            dst_port=fields.get("destination.port"),
            protocols=protocols(
                fields.get("protocol.transport"),
                fields.get("protocol.application"),
                None if ip is None else "ipv6" if ":" in ip else "ipv4",
            ),
        )
    hashes = {algorithm: fields[name] for name, algorithm in HASHES.items() if name in fields}
    if hashes:
        observables.add("file", hashes=hashes)
    if not observables.objects:
        return []
    seen = stix_time(fields["time.source"])
    created = stix_time(fields.get("time.observation") or fields["time.source"])
    common = {"created_by_ref": producer["id"], "created": created, "modified": created}
    tags = labels(fields)
    observed: dict[str, Any] = {
        "type": "observed-data",
        "spec_version": "2.1",
        "id": _id("observed-data", key),
        **common,
        "first_observed": seen,
        "last_observed": seen,
        "number_observed": 1,
        "object_refs": list(observables.objects),
        **({"labels": tags} if tags else {}),
        "object_marking_refs": list(marks),
    }
    found = [*observables.objects.values(), observed]
    type_ = fields.get("classification.type")
    pattern = _pattern(fields, type_) if type_ in INDICATOR_TYPES else None
    if pattern is not None:
        indicator = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": _id("indicator", key),
            **common,
            "name": f"{type_}: {pattern[1]}",
            "description": describe(str(type_)),
            "indicator_types": [INDICATOR_TYPES[str(type_)]],
            "pattern": pattern[0],
            "pattern_type": "stix",
            "pattern_version": "2.1",
            "valid_from": seen,
            **_valid_until(fields),
            "labels": tags,
            "object_marking_refs": list(marks),
        }
        sighting = {
            "type": "sighting",
            "spec_version": "2.1",
            "id": _id("sighting", key),
            **common,
            "first_seen": seen,
            "last_seen": seen,
            "count": 1,
            "sighting_of_ref": indicator["id"],
            "observed_data_refs": [observed["id"]],
            "where_sighted_refs": [producer["id"]],
            "object_marking_refs": list(marks),
        }
        found += [indicator, sighting]
    return found


def _valid_until(fields: Mapping[str, Any]) -> dict[str, str]:
    """The indicator's ``valid_until``, when the event has one after its ``valid_from`` (STIX
    requires it to be later)."""
    until = fields.get("tocsin.valid_until")
    if not until:
        return {}
    later = datetime.fromisoformat(str(until)) > datetime.fromisoformat(str(fields["time.source"]))
    return {"valid_until": stix_time(until)} if later else {}


def describe(type_: str) -> str:
    """A type in the taxonomy's own words, e.g. ``Malicious code: c2 server (RSIT)``."""
    taxonomy = TYPE_TO_TAXONOMY.get(type_, "other").replace("-", " ").capitalize()
    return f"{taxonomy}: {type_.replace('-', ' ')} (Reference Security Incident Taxonomy)"


def _pattern(fields: Mapping[str, Any], type_: str | None) -> tuple[str, str] | None:
    """The indicator's pattern and the value it names: the one observable that best names
    what to block (a single comparison, valid per stix2-patterns), else the strongest hash."""
    for name in _BY_URL if type_ in _URL_FIRST else _BY_ADDRESS:
        value = fields.get(name)
        if not value:
            continue
        if name == "source.url":
            return f"[url:value = {_quote(value)}]", value
        if name == "source.fqdn":
            return f"[domain-name:value = {_quote(value)}]", value
        operator = "ISSUBSET" if name == "source.network" else "="
        return f"[{address_type(value)}:value {operator} {_quote(value)}]", value
    for name in ("malware.hash.sha256", "malware.hash.sha1", "malware.hash.md5"):
        if name in fields:
            return f"[file:hashes.{_quote(HASHES[name])} = {_quote(fields[name])}]", fields[name]
    return None


def _quote(value: str) -> str:
    """A pattern's string literal: quoted, with backslashes and quotes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def incident_objects(
    incident: Incident,
    event_object_ids: Iterable[str],
    producer: Mapping[str, Any],
    *,
    modified: int | None = None,
) -> list[dict[str, Any]]:
    """An incident as an ``incident`` plus, while it is open, a ``grouping`` (suspicious
    activity) of it and its events' objects; once resolved or closed, a ``report`` of them
    instead, published when it was closed (else resolved), and the grouping revoked.

    No word of the incident's own leaves (title, details, notes, constituent): the name is
    ``<reference>: <type>`` and the description is the taxonomy's words. Ids derive from the
    reference, so a re-export is a new version of the same objects; ``modified`` is the latest
    time the incident records, unless the caller gives the time of a change it knows of.
    """
    ref = incident.reference
    times = [incident.created, incident.acknowledged_at, incident.waiting_since]
    times += [incident.resolved_at, incident.closed_at]
    latest = stix_time(modified if modified is not None else max(t for t in times if t is not None))
    type_ = incident.type
    taxonomy = TYPE_TO_TAXONOMY.get(type_, "other")
    common = {
        "created_by_ref": producer["id"],
        "created": stix_time(incident.created),
        "modified": latest,
        "name": f"{ref}: {type_}",
        "description": describe(type_),
        "labels": [f'rsit:{taxonomy}="{type_}"'],
        "object_marking_refs": [marking_id(TLP.parse(incident.tlp))],
    }
    case = {"type": "incident", "spec_version": "2.1", "id": _id("incident", ref), **common}
    refs = [case["id"], *dict.fromkeys(event_object_ids)]
    grouping = {
        "type": "grouping",
        "spec_version": "2.1",
        "id": _id("grouping", ref),
        **common,
        "context": "suspicious-activity",
        "object_refs": refs,
    }
    if incident.status in OPEN and incident.merged_into is None:
        return [case, grouping]
    done = incident.closed_at if incident.status is Status.CLOSED else incident.resolved_at
    report = {
        "type": "report",
        "spec_version": "2.1",
        "id": _id("report", ref),
        **common,
        "published": stix_time(done or incident.resolved_at or incident.closed_at or latest),
        "object_refs": refs,
    }
    return [case, report, {**grouping, "revoked": True}]


def bundle(objects: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A bundle of the objects, ready to send alone.

    The same object twice is kept once: of an SDO or SRO the latest ``modified``; of an SCO
    (which has no versions) the first, marked with the most restrictive TLP it was given.
    The TLP 2.0 marking definitions the objects use are added when missing.
    """
    kept: dict[str, dict[str, Any]] = {}
    for obj in objects:
        id_ = str(obj["id"])
        before = kept.get(id_)
        if before is None or _later(obj, before):
            kept[id_] = dict(obj)
        elif "modified" not in obj and "object_marking_refs" in obj:
            both = [*before.get("object_marking_refs", ()), *obj["object_marking_refs"]]
            label = tlp_of_refs(both)
            if label is not None:
                others = [m for m in dict.fromkeys(both) if tlp_of_refs([m]) is None]
                before["object_marking_refs"] = [marking_id(label), *others]
    used = {m for o in kept.values() for m in o.get("object_marking_refs", ())}
    for label, id_ in TLP2_IDS.items():
        if id_ in used and id_ not in kept:
            kept[id_] = marking(label)
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(kept.values())}


def _later(obj: Mapping[str, Any], than: Mapping[str, Any]) -> bool:
    if "modified" not in obj or "modified" not in than:
        return False
    return datetime.fromisoformat(obj["modified"]) > datetime.fromisoformat(than["modified"])


def dumps(obj: Any) -> bytes:
    """Compact JSON (orjson): what goes on the wire and what a test greps for leaks."""
    return orjson.dumps(obj)
