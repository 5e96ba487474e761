"""Tocsin's events and incidents as STIX 2.1 objects: plain dicts, stable ids, nothing private.

One event becomes its observables (SCOs), one ``observed-data`` that refers to them and, when the
event is about something to block, an ``indicator`` with the ``sighting`` that ties the two.
Every id is derived, never random, so exporting the same event or incident again gives the same
objects: SCO ids as STIX computes them (UUIDv5 over the id-contributing properties), and the
others as UUIDv5 in Tocsin's namespace over the event's fingerprint or the incident's reference.

What may leave is an allow-list (``SHAREABLE``), not a deny-list: classification, feed name,
times, protocols, malware name and hashes, and the ip, network, port, fqdn, url and asn of each
side. Comments, descriptions, ``extra.*``, accounts, contacts, constituents and the incident's
own words never do. A URL holding an ``@`` is withheld too: phishing links are often made for
one victim and carry their e-mail address or user name (the host still leaves, as an fqdn or ip).
``geolocation.cc`` is allowed but STIX has no property for it on an address (it would take a
``location`` and a relationship per event); partners geolocate addresses themselves.

STIX has no source/destination on an address, so the sides are told apart by the graph, the
same way the ``stix`` feed parser reads them back: a ``network-traffic`` names each side's address
(``src_ref``, ``dst_ref``: the ip, else the fqdn), a domain-name ``resolves_to`` its side's ip, an
ip (else network) ``belongs_to`` its AS, a network is the side of the ip it contains and a url the
side of its host. A destination observable that this graph cannot anchor is withheld rather than
risk being read back as the source (``shareable`` applies every such rule, so that the fields a
partner reads back are exactly ``shareable(event)``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from ipaddress import ip_address, ip_network
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson

from tocsin.model.event import Event, fingerprint
from tocsin.model.incident import OPEN, Incident, Status
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.model.tlp import TLP
from tocsin.share.markings import TLP2_IDS, marking, marking_id, tlp_of_refs

__all__ = [
    "SHAREABLE",
    "bundle",
    "dumps",
    "event_objects",
    "incident_objects",
    "marking",
    "marking_id",
    "producer_identity",
    "sco_id",
    "shareable",
    "stix_time",
    "tlp_of_refs",
]

SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
# Tocsin's own namespace for the ids of SDOs and SROs. Fixed forever: changing it would rename
# every object ever exported, and partners would hold each one twice.
TOCSIN_NAMESPACE = uuid.UUID("daaa3cb0-55f9-4315-a2e0-622b431f207f")
PRODUCER_CREATED = "2020-01-01T00:00:00.000Z"  # the producer never changes: one version only

# What decides an SCO's id (stix2/v21/observables.py, ``_id_contributing_properties``), for the
# types Tocsin writes. No e-mail address: Tocsin never exports one.
CONTRIBUTING: dict[str, tuple[str, ...]] = {
    "ipv4-addr": ("value",),
    "ipv6-addr": ("value",),
    "domain-name": ("value",),
    "url": ("value",),
    "autonomous-system": ("number",),
    "file": ("hashes", "name", "parent_directory_ref", "extensions"),
    "network-traffic": (
        *("start", "end", "src_ref", "dst_ref", "src_port", "dst_port"),
        *("protocols", "extensions"),
    ),
}
_HASH_PREFERENCE = ("MD5", "SHA-1", "SHA-256", "SHA-512")  # stix2's _choose_one_hash
HASHES = {"malware.hash.md5": "MD5", "malware.hash.sha1": "SHA-1", "malware.hash.sha256": "SHA-256"}

SIDES = ("source", "destination")
SHAREABLE = frozenset(
    {
        "classification.type",
        "classification.identifier",
        "feed.name",
        "time.source",
        "time.observation",
        "protocol.transport",
        "protocol.application",
        "malware.name",
        *HASHES,
        *(f"{side}.{name}" for side in SIDES for name in ("ip", "network", "port", "fqdn", "url")),
        "source.asn",
        "destination.asn",
    }
)

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

_PROTOCOL_FIELDS = ("protocol.transport", "protocol.application")
# what only a network-traffic carries (with the destination's address)
_TRAFFIC_FIELDS = (
    "source.port",
    "destination.port",
    "destination.ip",
    "destination.fqdn",
    *_PROTOCOL_FIELDS,
)
# label prefix -> field, for the fields carried as labels (beside the rsit:... machine tag)
LABELS = {"identifier": "classification.identifier", "malware": "malware.name", "feed": "feed.name"}
TRANSPORTS = frozenset({"tcp", "udp", "icmp", "sctp", "dccp"})
NETWORK_LAYER = frozenset({"ip", "ipv4", "ipv6"})


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


def sco_id(type_: str, properties: Mapping[str, Any]) -> str:
    """The deterministic id of an SCO, exactly as the stix2 library computes it.

    UUIDv5 in STIX's namespace over the RFC 8785 canonical JSON of the id-contributing properties
    present in ``properties`` (others are ignored); of several hashes only one counts.
    """
    contributing = CONTRIBUTING.get(type_)
    if contributing is None:
        raise ValueError(f"Tocsin does not write {type_!r} objects")
    picked: dict[str, Any] = {}
    for name in contributing:
        value = properties.get(name)
        if value is None:
            continue
        if name == "hashes":
            algorithm = next((a for a in _HASH_PREFERENCE if a in value), None) or next(iter(value))
            value = {algorithm: value[algorithm]}
        picked[name] = value
    if not picked:
        raise ValueError(f"an {type_} needs one of {', '.join(contributing)} for its id")
    # ASCII keys and no floats: sorted keys and no spaces are then RFC 8785's canonical form.
    text = json.dumps(picked, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{type_}--{uuid.uuid5(SCO_NAMESPACE, text)}"


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


def url_host(url: str) -> str:
    """The host of a (sanitised) URL as events hold it: an fqdn or an IP address, no brackets."""
    return urlsplit(url).hostname or ""


def _is_ip(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def in_network(address: str | None, network: str) -> bool:
    if not address:
        return False
    try:
        return ip_address(address) in ip_network(network, strict=False)
    except ValueError:
        return False


def protocols(transport: str | None, application: str | None, version: str | None) -> list[str]:
    """network-traffic ``protocols``, lowest layer first; the IP version only when nothing else
    is known (the property may not be empty)."""
    named = [p for p in (transport, application) if p]
    return named or ([version] if version else [])


def read_protocols(names: Sequence[str]) -> tuple[str | None, str | None]:
    """``(transport, application)`` from ``protocols``: network-layer names are skipped; of two or
    more the first is the transport and the last the application; one alone is the transport
    if it is one Tocsin knows, else the application."""
    rest = [n.lower() for n in names if isinstance(n, str) and n.lower() not in NETWORK_LAYER]
    if len(rest) >= 2:
        return rest[0], rest[-1]
    if rest:
        return (rest[0], None) if rest[0] in TRANSPORTS else (None, rest[0])
    return None, None


def shareable(event: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of an event that may leave, as a partner reads them back from the export.

    The allow-list, less what STIX could not carry faithfully: a URL with an ``@`` (its host is
    kept, as the side's fqdn or ip when it has none), a destination
    observable the sides' graph cannot anchor (see the module's docstring), protocols that would
    read back differently. ``time.source`` is the observation time when the feed gave none.
    """
    found = {k: v for k, v in event.items() if k in SHAREABLE and v is not None and v != ""}
    for side in SIDES:
        url = found.get(f"{side}.url")
        if url is not None and "@" in unquote(url):
            del found[f"{side}.url"]
            host = url_host(url)
            if host:
                found.setdefault(f"{side}.ip" if _is_ip(host) else f"{side}.fqdn", host)
    wrote = (found.get("protocol.transport"), found.get("protocol.application"))
    if wrote != (None, None) and read_protocols(protocols(*wrote, None)) != wrote:
        found.pop("protocol.transport", None)
        found.pop("protocol.application", None)
    traffic = _traffic_possible(found)
    if not traffic:
        for name in ("source.port", "destination.port", *_PROTOCOL_FIELDS):
            found.pop(name, None)
    if not traffic or not (found.get("destination.ip") or found.get("destination.fqdn")):
        for name in [k for k in found if k.startswith("destination.") and k != "destination.port"]:
            del found[name]
    if found.get("source.ip") and found.get("source.ip") == found.get("destination.ip"):
        # one address object for both sides: what hangs on it is read back on both
        for name in ("fqdn", "asn"):
            if found.get(f"source.{name}") != found.get(f"destination.{name}"):
                found.pop(f"source.{name}", None)
                found.pop(f"destination.{name}", None)
    # a url is read back as its host's side, a network as its ip's: drop what would switch sides
    src, dst = _hosts(found, "source"), _hosts(found, "destination")
    src_ip, dst_ip = found.get("source.ip"), found.get("destination.ip")
    for side in SIDES:
        url = found.get(f"{side}.url")
        if url is not None and url_side(url, src, dst) != side:
            del found[f"{side}.url"]
        network = found.get(f"{side}.network")
        if network is not None and network_side(network, src_ip, dst_ip) != side:
            del found[f"{side}.network"]
    if "destination.asn" in found and not (dst_ip or found.get("destination.network")):
        del found["destination.asn"]
    if (
        "source.asn" in found
        and not (src_ip or found.get("source.network"))
        and found.get("destination.asn") == found["source.asn"]
    ):
        del found["source.asn"]  # one AS object, anchored by the destination alone
    if "time.source" not in found and "time.observation" in found:
        found["time.source"] = found["time.observation"]
    return found


def _hosts(fields: Mapping[str, Any], side: str) -> set[str]:
    return {h for h in (fields.get(f"{side}.ip"), fields.get(f"{side}.fqdn")) if h}


def url_side(url: str, source_hosts: set[str], destination_hosts: set[str]) -> str:
    host = url_host(url)
    if host in destination_hosts and host not in source_hosts:
        return "destination"
    return "source"


def network_side(network: str, source_ip: str | None, destination_ip: str | None) -> str:
    if not in_network(source_ip, network) and in_network(destination_ip, network):
        return "destination"
    return "source"


def _traffic_possible(fields: Mapping[str, Any]) -> bool:
    """A network-traffic needs an address on one side and at least one protocol name."""
    if not any(fields.get(f"{s}.{n}") for s in SIDES for n in ("ip", "fqdn")):
        return False
    return bool(
        fields.get("protocol.transport")
        or fields.get("protocol.application")
        or fields.get("source.ip")
        or fields.get("destination.ip")
    )


class _Observables:
    """The SCOs of one event by id: an observable seen on both sides is one object, whose
    ``*_refs`` gather what each side says of it."""

    def __init__(self, marks: list[str]) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.marks = marks

    def add(self, type_: str, **properties: Any) -> str:
        given = {k: v for k, v in properties.items() if v is not None}
        id_ = sco_id(type_, given)
        existing = self.objects.get(id_)
        if existing is None:
            self.objects[id_] = {
                "type": type_,
                "spec_version": "2.1",
                "id": id_,
                **given,
                "object_marking_refs": list(self.marks),
            }
        else:
            for name, value in given.items():
                if name.endswith("_refs"):
                    existing[name] = list(dict.fromkeys([*existing.get(name, ()), *value]))
        return id_

    def side(self, fields: Mapping[str, Any], side: str) -> str | None:
        """Add one side's observables; its address (ip, else fqdn) for the network-traffic."""
        asn, ip, network = (fields.get(f"{side}.{n}") for n in ("asn", "ip", "network"))
        fqdn, url = fields.get(f"{side}.fqdn"), fields.get(f"{side}.url")
        owner = None if asn is None else [self.add("autonomous-system", number=asn)]
        ip_id = None
        if ip:
            ip_id = self.add(_address_type(ip), value=ip, belongs_to_refs=owner)
        if network:
            self.add(_address_type(network), value=network, belongs_to_refs=None if ip else owner)
        fqdn_id = None
        if fqdn:
            resolves = None if ip_id is None else [ip_id]
            fqdn_id = self.add("domain-name", value=fqdn, resolves_to_refs=resolves)
        if url:
            self.add("url", value=url)
        return ip_id or fqdn_id


def _address_type(value: str) -> str:
    return "ipv6-addr" if ":" in value else "ipv4-addr"


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
    observables = _Observables(marks)
    source = observables.side(fields, "source")
    destination = observables.side(fields, "destination")
    if _traffic_possible(fields) and any(name in fields for name in _TRAFFIC_FIELDS):
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
        return f"[{_address_type(value)}:value {operator} {_quote(value)}]", value
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
