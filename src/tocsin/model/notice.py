"""Notices to constituents: each one's preferences (where, in which language and format, how
often, which types), a notice's states, and why a recipient receives an event.

Pure data and checks; the notify package plans, renders and sends.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from tocsin.model import types
from tocsin.model.taxonomy import classification_type

LANGUAGES = ("en", "fr")
PRIORITIES = ("P1", "P2", "P3", "P4")


class Format(StrEnum):
    CSV = "csv"  # a human e-mail with the events as a CSV attachment
    XARF = "xarf"  # XARF v4 JSON reports attached, for abuse desks' tools


class State(StrEnum):
    PENDING = "pending"  # planned, not yet handed to the mail server
    SENT = "sent"
    DEFERRED = "deferred"  # the server said "later" (or did not answer): retried with back-off
    FAILED = "failed"  # refused for good, or too many attempts
    BOUNCED = "bounced"  # accepted, then returned by the recipient's side


@dataclass(frozen=True, slots=True)
class Preferences:
    """How one constituent wants to hear from us (the registry's ``notify`` table)."""

    addresses: tuple[str, ...] = ()  # empty: the constituent's abuse contact
    lang: str = "en"
    formats: frozenset[Format] = frozenset({Format.CSV})
    immediate: frozenset[str] = frozenset({"P1", "P2"})  # sent at once; the rest in a daily digest
    want: frozenset[str] = frozenset()  # only these RSIT types (empty: all)
    refuse: frozenset[str] = frozenset()  # never these
    pgp_key: str | None = field(default=None, repr=False)  # an ASCII-armoured public key

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Preferences:
        if not data:
            return cls()
        unknown = set(data) - {
            "addresses",
            "lang",
            "formats",
            "immediate",
            "want",
            "refuse",
            "pgp_key",
        }
        if unknown:
            raise ValueError(f"unknown notify settings: {', '.join(sorted(unknown))}")
        lang = str(data.get("lang") or "en").lower()
        if lang not in LANGUAGES:
            raise ValueError(f"notify.lang must be one of {', '.join(LANGUAGES)}")
        formats = frozenset(Format(f) for f in _list(data.get("formats")) or ["csv"])
        immediate = frozenset(str(p).upper() for p in _list(data.get("immediate", ["P1", "P2"])))
        if not immediate <= set(PRIORITIES):
            raise ValueError("notify.immediate lists priorities P1 to P4")
        key = data.get("pgp_key") or None
        if key is not None and "BEGIN PGP PUBLIC KEY BLOCK" not in str(key):
            raise ValueError("notify.pgp_key must be an ASCII-armoured OpenPGP public key")
        return cls(
            addresses=tuple(email_address(a) for a in _list(data.get("addresses"))),
            lang=lang,
            formats=formats,
            immediate=immediate,
            want=frozenset(classification_type(t) for t in _list(data.get("want"))),
            refuse=frozenset(classification_type(t) for t in _list(data.get("refuse"))),
            pgp_key=str(key) if key else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "addresses": list(self.addresses),
            "lang": self.lang,
            "formats": sorted(self.formats),
            "immediate": sorted(self.immediate),
            "want": sorted(self.want),
            "refuse": sorted(self.refuse),
            "pgp_key": self.pgp_key,
        }

    def accepts(self, kind: str) -> bool:
        return kind not in self.refuse and (not self.want or kind in self.want)


def email_address(value: Any) -> str:
    """One e-mail address, lower-cased; refused with a line break or any other control character
    anywhere in it, even at an end (it would open a header of its own in a notice)."""
    if isinstance(value, str) and any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError(f"{value!r} is not an e-mail address: it holds a control character")
    text = types.string(value).strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or len(text) > 254 or any(c.isspace() for c in text):
        raise ValueError(f"{text!r} is not an e-mail address")
    return f"{local}@{types.fqdn(domain)}"


def domain_of(address: str) -> str:
    return address.rpartition("@")[2]


class Reason(NamedTuple):
    """Why a recipient gets an event, as data: ``kind`` is "network", "asn", "domain" or "other",
    ``subject`` the network, AS number or domain. A notice words it in its own language (each
    language's catalogue, ``notify/templates/<lang>/catalogue.toml``); ``str()`` is the English
    the operators' command line shows."""

    kind: str
    subject: str = ""

    def __str__(self) -> str:
        if self.kind == "other":
            return "it concerns your organisation"
        prefix = "AS" if self.kind == "asn" else ""
        return f"{prefix}{self.subject} is registered to you"


REASON_KINDS = ("network", "asn", "domain", "other")


def reason(
    networks: tuple[str, ...],
    asns: tuple[int, ...],
    domains: tuple[str, ...],
    event: Mapping[str, Any],
) -> Reason:
    """Why this recipient gets this event: the most specific of its registered networks holding
    the address, else its AS number, else its domain."""
    address = event.get("source.ip")
    if address:
        ip = ipaddress.ip_address(address)
        for network in _most_specific_first(networks):
            if ip in network:
                return Reason("network", str(network))
    if event.get("source.asn") in asns:
        return Reason("asn", str(event["source.asn"]))
    host = str(event.get("source.fqdn") or "")
    for domain in sorted(domains, key=len, reverse=True):
        if host == domain or host.endswith("." + domain):
            return Reason("domain", domain)
    return Reason("other")


@functools.lru_cache(maxsize=65_536)
def _most_specific_first(
    networks: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """A constituent's networks parsed once (they are asked about for each of its events)."""
    parsed = [ipaddress.ip_network(n) for n in networks]
    return tuple(sorted(parsed, key=lambda n: n.prefixlen, reverse=True))


def _list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return value.replace(";", " ").replace(",", " ").split()
    return list(value)
