"""Constituents: the organisations Tocsin serves, what they own on the network, their sectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tocsin.errors import InvalidValue
from tocsin.model import types
from tocsin.model.notice import Preferences, email_address

# NIS2 Annex I (sectors of high criticality) and Annex II (other critical sectors), plus the
# democratic institutions the IPU asked CSIRTs to protect. Any of these raises an event's priority.
CRITICAL_SECTORS: frozenset[str] = frozenset(
    {
        "energy",
        "transport",
        "banking",
        "financial-market-infrastructure",
        "health",
        "drinking-water",
        "waste-water",
        "digital-infrastructure",
        "ict-service-management",
        "public-administration",
        "space",
        "postal-and-courier",
        "waste-management",
        "chemicals",
        "food",
        "manufacturing",
        "digital-providers",
        "research",
        "parliament",
        "elections",
    }
)
OTHER_SECTORS: frozenset[str] = frozenset(
    {"education", "telecommunications", "retail", "media", "civil-society", "private", "other"}
)
SECTORS = CRITICAL_SECTORS | OTHER_SECTORS


def sector(value: Any) -> str:
    text = types.lowercase(value).replace(" ", "-").replace("_", "-")
    if text not in SECTORS:
        raise ValueError("not a known sector (" + ", ".join(sorted(SECTORS)) + ")")
    return text


@dataclass(frozen=True, slots=True)
class Constituent:
    """An organisation with its networks, ASNs and domains (all sanitised on creation)."""

    name: str
    sector: str = "other"
    country: str | None = None
    abuse_contact: str | None = None
    networks: tuple[str, ...] = field(default_factory=tuple)
    asns: tuple[int, ...] = field(default_factory=tuple)
    domains: tuple[str, ...] = field(default_factory=tuple)
    notify: Preferences = field(default_factory=Preferences)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], *, stored: bool = False) -> Constituent:
        """Build from a TOML table or CSV row; lists may be given as ``;``/space separated text.
        ``stored``: a row the store kept from before abuse contacts were checked, whose contact
        no notice could be sent to, reads without it instead of stopping every reader."""
        name = _check("name", data.get("name"), types.string)
        if stored and not _is_address(data.get("abuse_contact")):
            data = {**data, "abuse_contact": None}
        return cls(
            name=name,
            sector=_check("sector", data.get("sector") or "other", sector),
            country=_optional("country", data.get("country"), types.country_code),
            abuse_contact=_optional("abuse_contact", data.get("abuse_contact"), email_address),
            networks=tuple(
                _check("networks", v, types.ip_network) for v in _list(data, "networks")
            ),
            asns=tuple(_check("asns", v, types.asn) for v in _list(data, "asns")),
            domains=tuple(_check("domains", v, types.fqdn) for v in _list(data, "domains")),
            notify=_check("notify", data.get("notify"), Preferences.from_mapping),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sector": self.sector,
            "country": self.country,
            "abuse_contact": self.abuse_contact,
            "networks": list(self.networks),
            "asns": list(self.asns),
            "domains": list(self.domains),
            "notify": self.notify.as_dict(),
        }

    @property
    def addresses(self) -> tuple[str, ...]:
        """Where its notices go: its notify addresses, else its abuse contact."""
        if self.notify.addresses:
            return self.notify.addresses
        return (self.abuse_contact,) if self.abuse_contact else ()

    @property
    def critical(self) -> bool:
        return self.sector in CRITICAL_SECTORS


def _is_address(value: Any) -> bool:
    try:
        email_address(value)
    except ValueError:
        return False
    return True


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return value.replace(";", " ").replace(",", " ").split()
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _check(name: str, value: Any, sanitizer: Any) -> Any:
    try:
        return sanitizer(value)
    except ValueError as exc:
        raise InvalidValue(f"constituent.{name}", value, str(exc)) from None


def _optional(name: str, value: Any, sanitizer: Any) -> Any:
    if value is None or value == "":
        return None
    return _check(name, value, sanitizer)
