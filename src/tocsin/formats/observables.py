"""Tocsin's events as STIX 2.1 cyber-observables (SCOs), and what of an event may leave at all.

SCO ids are as STIX computes them: UUIDv5 in STIX's namespace over the id-contributing
properties, so the same observable is the same object in every export and at every partner.

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
partner reads back are exactly ``shareable(event)``). The rules live here, beside the objects they
shape, so that the writer (``tocsin.formats.stix``) and the reader (the ``stix`` feed parser) share
them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from ipaddress import ip_address, ip_network
from typing import Any
from urllib.parse import unquote, urlsplit

SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

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
        "tocsin.valid_until",
    }
)

PROTOCOL_FIELDS = ("protocol.transport", "protocol.application")
TRANSPORTS = frozenset({"tcp", "udp", "icmp", "sctp", "dccp"})
NETWORK_LAYER = frozenset({"ip", "ipv4", "ipv6"})


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
    _drop_userinfo_urls(found)
    _drop_unfaithful_protocols(found)
    _drop_unanchored_traffic(found)
    _drop_split_address(found)
    _drop_side_switchers(found)
    _drop_unanchored_asns(found)
    if "time.source" not in found and "time.observation" in found:
        found["time.source"] = found["time.observation"]
    return found


def _drop_userinfo_urls(found: dict[str, Any]) -> None:
    """A URL with an ``@`` goes; its host stays, as the side's fqdn or ip when it has none."""
    for side in SIDES:
        url = found.get(f"{side}.url")
        if url is not None and "@" in unquote(url):
            del found[f"{side}.url"]
            host = url_host(url)
            if host:
                found.setdefault(f"{side}.ip" if _is_ip(host) else f"{side}.fqdn", host)


def _drop_unfaithful_protocols(found: dict[str, Any]) -> None:
    """Protocol names that would read back as other names go."""
    wrote = (found.get("protocol.transport"), found.get("protocol.application"))
    if wrote != (None, None) and read_protocols(protocols(*wrote, None)) != wrote:
        found.pop("protocol.transport", None)
        found.pop("protocol.application", None)


def _drop_unanchored_traffic(found: dict[str, Any]) -> None:
    """Ports and protocols go without a network-traffic to hold them; the destination goes
    without one, or without a destination address."""
    traffic = traffic_possible(found)
    if not traffic:
        for name in ("source.port", "destination.port", *PROTOCOL_FIELDS):
            found.pop(name, None)
    if not traffic or not (found.get("destination.ip") or found.get("destination.fqdn")):
        for name in [k for k in found if k.startswith("destination.") and k != "destination.port"]:
            del found[name]


def _drop_split_address(found: dict[str, Any]) -> None:
    """One address object for both sides: what hangs on it is read back on both, so a name or
    an ASN the sides disagree on goes from both."""
    if not found.get("source.ip") or found.get("source.ip") != found.get("destination.ip"):
        return
    for name in ("fqdn", "asn"):
        if found.get(f"source.{name}") != found.get(f"destination.{name}"):
            found.pop(f"source.{name}", None)
            found.pop(f"destination.{name}", None)


def _drop_side_switchers(found: dict[str, Any]) -> None:
    """A url is read back as its host's side, a network as its ip's: what would switch goes."""
    src, dst = _hosts(found, "source"), _hosts(found, "destination")
    src_ip, dst_ip = found.get("source.ip"), found.get("destination.ip")
    for side in SIDES:
        url = found.get(f"{side}.url")
        if url is not None and url_side(url, src, dst) != side:
            del found[f"{side}.url"]
        network = found.get(f"{side}.network")
        if network is not None and network_side(network, src_ip, dst_ip) != side:
            del found[f"{side}.network"]


def _drop_unanchored_asns(found: dict[str, Any]) -> None:
    """An ASN needs its side's ip or network to hang on; a source ASN that is also the
    destination's is one AS object, anchored by the destination alone."""
    src_ip, dst_ip = found.get("source.ip"), found.get("destination.ip")
    if "destination.asn" in found and not (dst_ip or found.get("destination.network")):
        del found["destination.asn"]
    if (
        "source.asn" in found
        and not (src_ip or found.get("source.network"))
        and found.get("destination.asn") == found["source.asn"]
    ):
        del found["source.asn"]


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


def traffic_possible(fields: Mapping[str, Any]) -> bool:
    """A network-traffic needs an address on one side and at least one protocol name."""
    if not any(fields.get(f"{s}.{n}") for s in SIDES for n in ("ip", "fqdn")):
        return False
    return bool(
        fields.get("protocol.transport")
        or fields.get("protocol.application")
        or fields.get("source.ip")
        or fields.get("destination.ip")
    )


class Observables:
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
            ip_id = self.add(address_type(ip), value=ip, belongs_to_refs=owner)
        if network:
            self.add(address_type(network), value=network, belongs_to_refs=None if ip else owner)
        fqdn_id = None
        if fqdn:
            resolves = None if ip_id is None else [ip_id]
            fqdn_id = self.add("domain-name", value=fqdn, resolves_to_refs=resolves)
        if url:
            self.add("url", value=url)
        return ip_id or fqdn_id


def address_type(value: str) -> str:
    return "ipv6-addr" if ":" in value else "ipv4-addr"
