"""One range of an IP-to-ASN table: the addresses it spans, its AS number, country and name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AsnRange:
    start: str
    end: str
    asn: int
    country: str | None
    name: str | None
