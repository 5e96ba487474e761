"""The constituency registry, compiled for lookups: longest prefix, then ASN, then domain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tocsin.model.constituent import Constituent
from tocsin.pipeline.enrich.domains import parents
from tocsin.pipeline.enrich.ranges import AddressMap


class ConstituencyIndex:
    """Finds the constituent an event's source belongs to, and why."""

    def __init__(self, constituents: Iterable[Constituent]) -> None:
        members = list(constituents)
        self.by_name = {c.name: c for c in members}
        self._networks: AddressMap[Constituent] = AddressMap.from_networks(
            (network, c) for c in members for network in c.networks
        )
        self._asns = {asn: c for c in members for asn in c.asns}
        self._domains = {domain: c for c in members for domain in c.domains}

    def __len__(self) -> int:
        return len(self.by_name)

    def match(self, event: dict[str, Any]) -> Constituent | None:
        """The most specific network holding ``source.ip`` (or ``source.network``), else the owner
        of ``source.asn``, else the owner of ``source.fqdn`` or one of its parent domains."""
        ip = event.get("source.ip")
        if ip is not None:
            found = self._networks.lookup(ip)
            if found is not None:
                return found
        network = event.get("source.network")
        if network is not None:
            found = self._networks.lookup_network(network)
            if found is not None:
                return found
        asn = event.get("source.asn")
        if asn is not None:
            found = self._asns.get(asn)
            if found is not None:
                return found
        fqdn = event.get("source.fqdn")
        if fqdn is not None and self._domains:
            for name in parents(fqdn):
                found = self._domains.get(name)
                if found is not None:
                    return found
        return None
