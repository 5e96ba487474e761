"""ASN, AS name and country from an IP-to-ASN table (the public ip2asn TSV layout), imported.

Layout, one range per line, tab separated: ``range_start  range_end  AS_number  country_code
AS_description``. AS number 0 (``Not routed``) rows carry no ASN and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tocsin.errors import InvalidValue
from tocsin.model import types
from tocsin.model.asn import AsnRange
from tocsin.pipeline.enrich.ranges import AddressMap, ip_to_int


@dataclass(frozen=True, slots=True)
class AsnInfo:
    asn: int
    country: str | None
    name: str | None


def read_ip2asn(path: str | Path) -> Iterator[AsnRange | InvalidValue]:
    """Each usable line as an ``AsnRange``; a bad line as an ``InvalidValue`` naming its line."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.rstrip("\r\n")
            if not text.strip() or text.startswith("#"):
                continue
            parts = text.split("\t")
            if len(parts) < 3:
                yield InvalidValue(f"line {number}", text, "expected 5 tab-separated columns")
                continue
            try:
                if parts[2].strip() in {"0", ""}:
                    continue
                start = types.ip_address(parts[0])
                end = types.ip_address(parts[1])
                asn = types.asn(parts[2])
                cc = parts[3].strip().upper() if len(parts) > 3 else ""
                country = types.country_code(cc) if cc and cc not in {"NONE", "--", "ZZ"} else None
                name = parts[4].strip() if len(parts) > 4 and parts[4].strip() else None
            except ValueError as exc:
                yield InvalidValue(f"line {number}", text, str(exc))
                continue
            if (":" in start) != (":" in end) or ip_to_int(start)[1] > ip_to_int(end)[1]:
                yield InvalidValue(f"line {number}", text, "range start after its end")
                continue
            yield AsnRange(start, end, asn, country, name)


def build_asn_map(ranges: Iterable[AsnRange]) -> AddressMap[AsnInfo]:
    v4: list[tuple[int, int, AsnInfo]] = []
    v6: list[tuple[int, int, AsnInfo]] = []
    for item in ranges:
        version, start = ip_to_int(item.start)
        _, end = ip_to_int(item.end)
        (v4 if version == 4 else v6).append(
            (start, end, AsnInfo(item.asn, item.country, item.name))
        )
    return AddressMap(v4, v6)
