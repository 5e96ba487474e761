"""Enrich: ASN, AS name and country from the imported table; constituent, sector and abuse contact
from the registry; public suffix and registered domain from the bundled PSL. Values a feed gave are
kept; enrichment only fills what is missing (the constituent is always Tocsin's own)."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.model.event import Event
from tocsin.pipeline.enrich.asn import AsnInfo
from tocsin.pipeline.enrich.constituency import ConstituencyIndex
from tocsin.pipeline.enrich.domains import split_domain
from tocsin.pipeline.enrich.ranges import AddressMap
from tocsin.pipeline.stages.batch import Batch


@dataclass(frozen=True, slots=True)
class Enricher:
    constituency: ConstituencyIndex
    asns: AddressMap[AsnInfo] | None = None

    def __call__(self, batch: Batch) -> Batch:
        asns = self.asns if self.asns is not None and len(self.asns) else None
        constituency = self.constituency if len(self.constituency) else None

        def enrich(event: Event) -> None:
            if asns is not None:
                _routing(event, asns)
            _domain(event)
            if constituency is not None:
                _constituent(event, constituency)

        batch.each("enrich", enrich)
        return batch


def _routing(event: Event, asns: AddressMap[AsnInfo]) -> None:
    """ASN, AS name and country of the source address, from the imported table."""
    ip = event.get("source.ip")
    if ip is None:
        return
    info = asns.lookup(ip)
    if info is None:
        return
    asn = event.setdefault("source.asn", info.asn)
    if info.name and asn == info.asn:  # never another AS's name on the feed's ASN
        event.setdefault("source.as_name", info.name)
    if info.country:
        event.setdefault("source.geolocation.cc", info.country)


def _domain(event: Event) -> None:
    """Public suffix and registered domain of the source name, from the bundled list."""
    fqdn = event.get("source.fqdn")
    if fqdn is None:
        return
    suffix, registered = split_domain(fqdn)
    if suffix:
        event.setdefault("source.domain_suffix", suffix)
    if registered:
        event["tocsin.registered_domain"] = registered


def _constituent(event: Event, constituency: ConstituencyIndex) -> None:
    """The constituent, its sector and its abuse contact, from the registry."""
    member = constituency.match(event)
    if member is None:
        return
    event["tocsin.constituent"] = member.name
    event["tocsin.sector"] = member.sector
    if member.abuse_contact:
        event.setdefault("source.abuse_contact", member.abuse_contact)
