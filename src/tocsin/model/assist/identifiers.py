"""Identifiers done right: what a request names, typed and checked before it leaves.

The most common reason a provider cannot answer is a wrong identifier: an address without the
source port behind a shared (NAT) address, a time without its zone. ``parse`` makes an
``Identifier`` of one of these kinds and refuses what cannot be right:

- ``ipv4``, ``ipv6``: the address, its source ``port`` and the UTC time ``at`` it was seen,
  ± ``tolerance`` seconds. A time without a zone is refused; a time with one is converted to UTC.
  An IPv4 address without port or time is flagged (many subscribers share one), more strongly in
  the carrier-grade NAT range 100.64.0.0/10; an IPv6 address without time is flagged.
- ``email``: ``local@domain``, the domain IDNA-normalised;
- ``phone``: E.164, ``+`` and the country code, at most 15 digits (spaces, dots, dashes and
  brackets are dropped);
- ``account_url``: an http or https URL of an account (flagged when it names only a site);
- ``domain``: a domain name, lower case, IDNA (punycode) for non-ASCII names;
- ``tx_hash``: a transaction hash: 64 hexadecimal digits, ``0x``-prefixed (Ethereum and its kin)
  or bare (a Bitcoin txid). Base58 is refused: Bitcoin writes addresses, not transactions, in it.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from tocsin.errors import InvalidValue
from tocsin.model.assist.request import Identifier
from tocsin.model.types import fqdn


class Kind(StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    EMAIL = "email"
    PHONE = "phone"
    ACCOUNT_URL = "account_url"
    DOMAIN = "domain"
    TX_HASH = "tx_hash"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Kind.IPV4: "IPv4 address",
    Kind.IPV6: "IPv6 address",
    Kind.EMAIL: "e-mail address",
    Kind.PHONE: "telephone number",
    Kind.ACCOUNT_URL: "account URL",
    Kind.DOMAIN: "domain name",
    Kind.TX_HASH: "transaction hash",
}

SHARED = "shared address: give the source port and the UTC time"
CGNAT = (
    "carrier-grade NAT address (100.64.0.0/10): without the source port it names "
    "hundreds of subscribers"
)
NOT_PUBLIC = "not a public address: private, reserved or documentation range"
NO_TIME = "address reassigned over time: give the UTC time"
SITE_ONLY = "names a site, not an account: give the account's own URL"

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_PHONE = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_SEPARATORS = re.compile(r"[\s.()\-/]")
_HASH = re.compile(r"^(0x)?[0-9a-f]{64}$")
_LOCAL = re.compile(r"^[^\s@]{1,64}$")
MAX_TOLERANCE = 86_400  # a day: beyond it, the time names no session


def kinds() -> tuple[str, ...]:
    return tuple(k.value for k in Kind)


def parse(
    kind: str,
    value: str,
    *,
    port: int | str | None = None,
    at: datetime | str | None = None,
    tolerance: int | str = 0,
) -> Identifier:
    """The checked identifier, or ``InvalidValue`` naming the field that is wrong
    (``kind``, ``value``, ``port``, ``at`` or ``tolerance``)."""
    which = _kind(kind)
    when = _at(at)
    slack = _tolerance(tolerance, when)
    number = _port(port, which)
    text = InvalidValue.check("value", value, _CHECKS[which])
    flags = _flags(which, text, number, when)
    return Identifier(which.value, text, number, when, slack, flags)


def describe(identifier: Identifier) -> str:
    """One line for a form: ``IPv4 address 198.51.100.7, source port 51234, at
    2026-03-01 10:00:00 UTC ± 30 s``, with the flags in brackets."""
    try:
        label = Kind(identifier.kind).label
    except ValueError:
        label = identifier.kind
    parts = [f"{label} {identifier.value}"]
    if identifier.port is not None:
        parts.append(f"source port {identifier.port}")
    if identifier.at is not None:
        moment = identifier.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        slack = f" ± {identifier.tolerance} s" if identifier.tolerance else ""
        parts.append(f"at {moment}{slack}")
    line = ", ".join(parts)
    if identifier.flags:
        line += f" [{'; '.join(identifier.flags)}]"
    return line


def _kind(kind: Any) -> Kind:
    text = str(kind).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Kind(text)
    except ValueError:
        raise InvalidValue(
            "kind", kind, f"not a kind of identifier ({', '.join(kinds())})"
        ) from None


def _at(at: datetime | str | None) -> datetime | None:
    if at is None or (isinstance(at, str) and not at.strip()):
        return None
    if isinstance(at, datetime):
        moment = at
    else:
        try:
            moment = datetime.fromisoformat(str(at).strip())
        except ValueError:
            raise InvalidValue("at", at, "not an ISO 8601 time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidValue(
            "at", at, "a time without a zone: give it in UTC (…Z) or with its offset (+02:00)"
        )
    return moment.astimezone(UTC)


def _tolerance(tolerance: int | str, when: datetime | None) -> int:
    try:
        slack = int(str(tolerance).strip() or 0)
    except ValueError:
        raise InvalidValue("tolerance", tolerance, "not a number of seconds") from None
    if not 0 <= slack <= MAX_TOLERANCE:
        raise InvalidValue("tolerance", tolerance, f"between 0 and {MAX_TOLERANCE} seconds")
    if slack and when is None:
        raise InvalidValue("tolerance", tolerance, "a tolerance needs the time it widens")
    return slack


def _port(port: int | str | None, kind: Kind) -> int | None:
    if port is None or (isinstance(port, str) and not port.strip()):
        return None
    if kind not in (Kind.IPV4, Kind.IPV6):
        raise InvalidValue("port", port, f"a port belongs to an address, not to an {kind.label}")
    try:
        number = int(str(port).strip())
    except ValueError:
        raise InvalidValue("port", port, "not a port number") from None
    if not 1 <= number <= 65535:
        raise InvalidValue("port", port, "a source port is between 1 and 65535")
    return number


def _ipv4(value: Any) -> str:
    try:
        return str(ipaddress.IPv4Address(str(value).strip()))
    except ValueError:
        raise ValueError("not an IPv4 address (four numbers 0-255 with dots)") from None


def _ipv6(value: Any) -> str:
    text = str(value).strip().removeprefix("[").removesuffix("]")
    try:
        return ipaddress.IPv6Address(text).compressed
    except ValueError:
        raise ValueError("not an IPv6 address") from None


def _email(value: Any) -> str:
    local, at, domain = str(value).strip().rpartition("@")
    if not at or not _LOCAL.match(local):
        raise ValueError("not an e-mail address (local part @ domain)")
    return f"{local}@{_domain(domain)}"


def _phone(value: Any) -> str:
    text = _PHONE_SEPARATORS.sub("", str(value).strip())
    if not _PHONE.match(text):
        raise ValueError(
            "not an E.164 number: +, the country code and the number, 15 digits at most"
        )
    return text


def _account_url(value: Any) -> str:
    text = str(value).strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError("not a URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http or https URL of an account")
    host = _host(parts.hostname)
    netloc = f"{host}:{port}" if port is not None else host
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}{query}"


def _host(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return _domain(host)
    return f"[{address.compressed}]" if address.version == 6 else str(address)


def _domain(value: Any) -> str:
    name: str = fqdn(value)
    if "." not in name:
        raise ValueError("a domain name has at least two labels (example.org)")
    return name


def _tx_hash(value: Any) -> str:
    text = str(value).strip().lower()
    if not _HASH.match(text):
        raise ValueError("not a transaction hash: 64 hexadecimal digits, 0x-prefixed or bare")
    return text


_CHECKS = {
    Kind.IPV4: _ipv4,
    Kind.IPV6: _ipv6,
    Kind.EMAIL: _email,
    Kind.PHONE: _phone,
    Kind.ACCOUNT_URL: _account_url,
    Kind.DOMAIN: _domain,
    Kind.TX_HASH: _tx_hash,
}


def _flags(kind: Kind, text: str, port: int | None, when: datetime | None) -> tuple[str, ...]:
    if kind is Kind.IPV4:
        return _ipv4_flags(ipaddress.IPv4Address(text), port, when)
    if kind is Kind.IPV6:
        address = ipaddress.IPv6Address(text)
        found = [] if when else [NO_TIME]
        return (*found, NOT_PUBLIC) if not address.is_global else tuple(found)
    if kind is Kind.ACCOUNT_URL and urlsplit(text).path in ("", "/") and not urlsplit(text).query:
        return (SITE_ONLY,)
    return ()


def _ipv4_flags(
    address: ipaddress.IPv4Address, port: int | None, when: datetime | None
) -> tuple[str, ...]:
    found: list[str] = []
    if address in _CGNAT:
        if port is None:
            found.append(CGNAT)
        if when is None:
            found.append(SHARED)
    else:
        if port is None or when is None:
            found.append(SHARED)
        if not address.is_global:
            found.append(NOT_PUBLIC)
    return tuple(found)
