"""The fields of one STIX observed-data's SCOs, each on the side the graph anchors it to.

The sides are read from the graph exactly as ``tocsin.formats.stix`` writes them: a
network-traffic's ``src_ref`` and ``dst_ref`` (with its ports and protocols), a domain-name that
``resolves_to`` a side's ip, an AS that a side's ip or network ``belongs_to``, a network that holds
a side's ip, a url whose host is a side's ip or fqdn; whatever nothing anchors is the source's. Of
two values for one field the first is kept and the other SCO's id goes to
``extra.stix_unmapped_refs``, with every SCO of a type Tocsin has no field for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.formats.observables import HASHES, SIDES, network_side, read_protocols, url_side

_ALGORITHMS = {name.replace("-", ""): field for field, name in HASHES.items()}  # SHA256 → …

Scos = list[dict[str, Any]]


def hash_field(algorithm: str) -> str | None:
    """The field of a file hash named ``SHA-256``, ``sha256`` or the like; None if none."""
    return _ALGORITHMS.get(algorithm.upper().replace("-", ""))


def as_list(item: Mapping[str, Any], name: str) -> list[Any]:
    """A property that should be a list; anything else reads as an empty one."""
    value = item.get(name)
    return value if isinstance(value, list) else []


class Observables:
    """The fields of one observed-data's SCOs, each on the side the graph anchors it to."""

    def __init__(self, scos: Scos) -> None:
        self.scos = scos
        self.out: dict[str, Any] = {}
        self.unmapped: list[str] = []
        self.address: dict[str, str] = {}  # side → id of its ip (else network) object

    def fields(self) -> dict[str, Any]:
        traffic = next((s for s in self.scos if s["type"] == "network-traffic"), None)
        ends = self._traffic(traffic)
        by_type: dict[str, Scos] = {}
        for sco in self.scos:
            if sco is not traffic:
                by_type.setdefault(sco["type"], []).append(sco)
        addresses = [*by_type.pop("ipv4-addr", []), *by_type.pop("ipv6-addr", [])]
        hosts = [a for a in addresses if "/" not in str(a.get("value", ""))]
        self._hosts(hosts, ends)
        self._networks([sco for sco in addresses if sco not in hosts])
        self._domains(by_type.pop("domain-name", []), ends)
        self._urls(by_type.pop("url", []))
        self._systems(by_type.pop("autonomous-system", []))
        self._files(by_type.pop("file", []))
        self.unmapped += [sco["id"] for scos in by_type.values() for sco in scos]
        if self.unmapped and self.out:
            self.out["extra.stix_unmapped_refs"] = list(dict.fromkeys(self.unmapped))
        return self.out

    def _traffic(self, traffic: dict[str, Any] | None) -> dict[str, Any]:
        """The network-traffic's ports and protocols; its ends (side → ref), if there is one."""
        if traffic is None:
            return {}
        self._put("source.port", traffic.get("src_port"), traffic)
        self._put("destination.port", traffic.get("dst_port"), traffic)
        transport, application = read_protocols(as_list(traffic, "protocols"))
        self._put("protocol.transport", transport, traffic)
        self._put("protocol.application", application, traffic)
        return {"source": traffic.get("src_ref"), "destination": traffic.get("dst_ref")}

    def _hosts(self, hosts: Scos, ends: dict[str, Any]) -> None:
        """Single addresses: on the traffic's end they are, else the source (anchored first)."""
        for sco in sorted(hosts, key=lambda s: s["id"] not in ends.values()):
            sides = [s for s in SIDES if ends.get(s) == sco["id"]] or ["source"]
            for side in sides:
                if self._put(f"{side}.ip", sco.get("value"), sco):
                    self.address.setdefault(side, sco["id"])

    def _networks(self, networks: Scos) -> None:
        """CIDR ranges: on the side whose address they hold, else the source."""
        ips = (self.out.get("source.ip"), self.out.get("destination.ip"))
        for sco in networks:
            side = network_side(str(sco.get("value")), *ips)
            if self._put(f"{side}.network", sco.get("value"), sco):
                self.address.setdefault(side, sco["id"])

    def _domains(self, domains: Scos, ends: dict[str, Any]) -> None:
        """Names: on the end they are, or the side whose address they resolve to; else source."""
        for sco in domains:
            resolves = as_list(sco, "resolves_to_refs")
            sides = [
                s for s in SIDES if sco["id"] == ends.get(s) or self.address.get(s) in resolves
            ]
            for side in sides or ["source"]:
                self._put(f"{side}.fqdn", sco.get("value"), sco)

    def _urls(self, urls: Scos) -> None:
        """URLs: on the side whose address or name is their host, else the source."""
        source, destination = (self._side_hosts(s) for s in SIDES)
        for sco in urls:
            side = url_side(str(sco.get("value", "")), source, destination)
            self._put(f"{side}.url", sco.get("value"), sco)

    def _systems(self, systems: Scos) -> None:
        """Autonomous systems: on the side whose address belongs to them, else the source."""
        owners = {s: as_list(self._object(self.address.get(s)), "belongs_to_refs") for s in SIDES}
        for sco in systems:
            sides = [s for s in SIDES if sco["id"] in owners[s]] or ["source"]
            for side in sides:
                self._put(f"{side}.asn", sco.get("number"), sco)

    def _files(self, files: Scos) -> None:
        """Files: the hashes Tocsin has a field for."""
        for sco in files:
            hashes = sco.get("hashes")
            for algorithm, value in hashes.items() if isinstance(hashes, dict) else ():
                field = hash_field(str(algorithm))
                if field is not None:
                    self._put(field, value, sco)

    def _side_hosts(self, side: str) -> set[str]:
        return {str(h) for h in (self.out.get(f"{side}.ip"), self.out.get(f"{side}.fqdn")) if h}

    def _object(self, id_: str | None) -> Mapping[str, Any]:
        return next((s for s in self.scos if s["id"] == id_), {})

    def _put(self, field: str, value: Any, sco: Mapping[str, Any]) -> bool:
        """Set a field unless it holds another value already (that SCO is then unmapped)."""
        if value is None or value == "":
            return False
        held = self.out.setdefault(field, value)
        if held != value:
            self.unmapped.append(sco["id"])
            return False
        return True
