"""Constituents: the organisations Tocsin serves, what they own on the network, their sectors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tocsin.errors import InvalidValue
from tocsin.model import types
from tocsin.model.countries import COUNTRY_CODES
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


# A statistical region (syntax and country only: the desk keeps the list of real ones, see
# ``stats_regions``): a NUTS code of level 1 to 3 (``FR1``, ``EE00A``, ``DE21H``: the country's
# two letters, then one to three letters or digits) or an ISO 3166-2 subdivision (``EE-37``,
# ``FR-IDF``). Statistics break incidents down by it.
_REGION = re.compile(r"^[A-Z]{2}(?:[0-9A-Z]{1,3}|-[0-9A-Z]{1,3})$")


# NUTS writes Greece EL and the United Kingdom UK where ISO 3166-1 has GR and GB
_REGION_COUNTRIES = COUNTRY_CODES | {"EL", "UK"}


def region(value: Any) -> str:
    """A region code, upper case; its first two letters a country's (so "Paris" is refused)."""
    text = types.uppercase(value)
    if not _REGION.fullmatch(text) or text[:2] not in _REGION_COUNTRIES:
        raise ValueError("not a NUTS code (e.g. FR1, EE00A) or ISO 3166-2 code (e.g. FR-IDF)")
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
    region: str | None = None  # NUTS or ISO 3166-2; last, so positional construction still works

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
            region=_optional("region", data.get("region"), region),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sector": self.sector,
            "country": self.country,
            "region": self.region,
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
