"""The directory of 24/7 points of contact and central authorities: add, update (a new version
each time, every version kept), confirm reachable, list and search by country. A contact not
confirmed reachable for more than 12 months is stale: a request sent to it carries a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tocsin.assist import fields
from tocsin.assist.access import reader, writer
from tocsin.assist.exchange_wire import address_problem
from tocsin.assist.record import AssistRecord
from tocsin.errors import InvalidValue, NotFound
from tocsin.model.assist.request import Contact
from tocsin.model.people import Principal

STALE_AFTER = 365 * 86_400  # 12 months without a confirmation that the contact answers
KINDS = ("24/7", "central_authority", "provider", "registrar")
CHANNELS = ("tocsin", "email", "phone", "e-codex", "post")
WHAT = "contacts of the directory"


def stale(contact: Contact, now: int) -> bool:
    """Last confirmed reachable more than 12 months before ``now`` (or never)."""
    if contact.confirmed_at is None:
        return True
    return now - int(contact.confirmed_at.timestamp()) > STALE_AFTER


def _country(value: Any) -> str:
    code = str(value or "").strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise InvalidValue("country", value, "an ISO 3166-1 alpha-2 code: FR, DE, BR…")
    return code


def _zone(value: Any) -> str:
    name = str(value or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidValue("timezone", value, "an IANA time zone: Europe/Paris") from None
    return name


def _one_of(name: str, value: Any, allowed: Sequence[str]) -> str:
    text = str(value or "").strip().lower()
    if text not in allowed:
        raise InvalidValue(name, value, "one of " + ", ".join(allowed))
    return text


_CHECKS: dict[str, Any] = {
    "country": _country,
    "authority": lambda v: fields.text("authority", v, "contact.authority"),
    "kind": lambda v: _one_of("kind", v, KINDS),
    "channel": lambda v: _one_of("channel", v, CHANNELS),
    "address": lambda v: fields.text("address", v, "contact.address"),
    "languages": lambda v: tuple(
        InvalidValue.check("languages", x, fields.iso639) for x in _listed(v)
    ),
    "timezone": _zone,
    "office_hours": lambda v: fields.text("office_hours", v, "assist.their_ref"),
    "public_key": lambda v: fields.text("public_key", v, "contact.address", required=False),
    "notes": lambda v: fields.text("notes", v, "contact.notes", required=False),
}
DEFAULTS = {"kind": "24/7", "office_hours": "24/7", "public_key": "", "notes": ""}


def _reachable(channel: str, address: str) -> None:
    """A contact reached Tocsin to Tocsin has the base URL of its Tocsin as address: https, or
    http to this machine's loopback."""
    problem = address_problem(address) if channel == "tocsin" else ""
    if problem:
        raise InvalidValue("address", address, problem)


def _listed(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or ())
    found = [str(x).strip() for x in items if str(x).strip()]
    if not found:
        raise InvalidValue("languages", value, "at least one language, the preferred first")
    return found


class Contacts(AssistRecord):
    """The directory service."""

    def search(
        self, who: Principal, *, country: str | None = None, text: str | None = None
    ) -> list[Contact]:
        reader(who)
        wanted = _country(country) if country else None
        return self.assist.contacts(country=wanted, text=(text or "").strip() or None)

    def get(self, who: Principal, contact_id: int) -> Contact:
        reader(who)
        found = self.assist.contact(contact_id)
        if found is None:
            raise NotFound("no such contact in the directory")
        return found

    def versions(self, who: Principal, contact_id: int) -> list[Contact]:
        return self.assist.contact_versions(self.get(who, contact_id).id)

    def stale(self, contact: Contact) -> bool:
        return stale(contact, self.now())

    def add(self, who: Principal, **given: Any) -> Contact:
        """A new contact: country, authority, channel, address, languages and timezone are
        required; kind (24/7), office_hours (24/7), public_key and notes may be left out."""
        writer(who, WHAT)
        values = {k: _CHECKS[k](v) for k, v in {**DEFAULTS, **given}.items() if _known(k)}
        absent = [k for k in _CHECKS if k not in values]
        if absent:
            raise InvalidValue(absent[0], None, "required for a contact of the directory")
        _reachable(values["channel"], values["address"])
        now = self.now()
        with self.store.transaction() as conn:
            contact_id = self.assist.add_contact(
                conn, {**values, "updated_at": now, "confirmed_at": None}, who.username
            )
            self._log(conn, who, contact_id, "assist.contact_add", values)
            found = self.assist.contact(contact_id, conn)
        assert found is not None
        return found

    def update(self, who: Principal, contact_id: int, **given: Any) -> Contact:
        """A new version of the contact with the fields given changed."""
        writer(who, WHAT)
        changes = {k: _CHECKS[k](v) for k, v in given.items() if v is not None and _known(k)}
        if not changes:
            raise InvalidValue("changes", None, "nothing to change")
        with self.store.transaction() as conn:
            before = self.assist.contact(contact_id, conn)
            if before is None:
                raise NotFound("no such contact in the directory")
            _reachable(
                changes.get("channel", before.channel), changes.get("address", before.address)
            )
            version = self.assist.update_contact(
                conn, contact_id, {**changes, "updated_at": self.now()}, who.username
            )
            self._log(
                conn, who, contact_id, "assist.contact_update", {**changes, "version": version}
            )
            found = self.assist.contact(contact_id, conn)
        assert found is not None
        return found

    def confirm(self, who: Principal, contact_id: int) -> Contact:
        """The contact answered: confirmed reachable now."""
        writer(who, WHAT)
        with self.store.transaction() as conn:
            if self.assist.contact(contact_id, conn) is None:
                raise NotFound("no such contact in the directory")
            self.assist.confirm_contact(conn, contact_id, self.now())
            self._log(conn, who, contact_id, "assist.contact_confirm", {})
            found = self.assist.contact(contact_id, conn)
        assert found is not None
        return found

    def _log(
        self, conn: Any, who: Principal, contact_id: int, action: str, details: dict[str, Any]
    ) -> None:
        shown = {k: list(v) if isinstance(v, tuple) else v for k, v in details.items()}
        self.store.cases.append_audit(
            conn,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type="assist_contact",
            object_id=str(contact_id),
            details=shown,
        )


def _known(key: str) -> bool:
    if key not in _CHECKS:
        raise InvalidValue(key, key, "not a field of a contact")
    return True


__all__ = ["CHANNELS", "KINDS", "STALE_AFTER", "Contacts", "stale"]
