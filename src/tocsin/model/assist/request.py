"""The records of the assistance desk: a request, a 24/7 contact of the directory, a step of a
request's history, an entry of its personal-data ledger, a message of its exchange log.

Pure data. The rules that fill and check them are in ``bases``, ``states``, ``identifiers`` and
``clocks``; the service that changes them is ``tocsin.assist``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tocsin.model.assist.bases import Basis
from tocsin.model.assist.states import State


class Direction(StrEnum):
    OUTGOING = "outgoing"  # we ask a counterpart abroad
    INCOMING = "incoming"  # a counterpart abroad asks us


class Link(StrEnum):
    """How a request follows another (``Request.parent_id``)."""

    NONE = ""
    FOLLOW_UP = "follow_up"  # Art. 29 preservation → Art. 31 production; EPOC-PR → EPOC
    NEXT_HOP = "next_hop"  # an Art. 30 answer names a provider abroad → Art. 29 to that country


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier a request names (``identifiers.parse`` makes and checks it).

    ``kind``: ipv4, ipv6, email, phone, account_url, domain, tx_hash. An address carries its
    source ``port`` and the UTC time ``at`` it was seen, ± ``tolerance`` seconds; ``flags`` are
    warnings that do not refuse it (``shared address: no port and time``)."""

    kind: str
    value: str
    port: int | None = None
    at: datetime | None = None
    tolerance: int = 0
    flags: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "port": self.port,
            "at": self.at.isoformat() if self.at else None,
            "tolerance": self.tolerance,
            "flags": list(self.flags),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Identifier:
        at = data.get("at")
        return cls(
            kind=str(data["kind"]),
            value=str(data["value"]),
            port=data.get("port"),
            at=datetime.fromisoformat(at) if at else None,
            tolerance=int(data.get("tolerance") or 0),
            flags=tuple(data.get("flags") or ()),
        )


@dataclass(frozen=True, slots=True)
class Safeguards:
    """What Budapest Art. 15 and Second Protocol Art. 13–14 ask before a request may be sent.

    ``data_categories`` (subscriber, traffic, content, identification…) × the time range
    ``scope_from``–``scope_to`` × the request's identifiers make its scope."""

    necessity: str = ""  # necessity and proportionality statement
    approving_authority: str = ""  # the authority that approves (named; four eyes in the service)
    data_categories: tuple[str, ...] = ()
    scope_from: datetime | None = None
    scope_to: datetime | None = None
    retention_until: datetime | None = None  # the personal data it brings are kept until then
    onward_transfer: str = ""  # the conditions on passing the data on
    confidential: bool = True  # the person concerned is not to be told (Art. 29 T-CY section)

    def as_json(self) -> dict[str, Any]:
        return {
            "necessity": self.necessity,
            "approving_authority": self.approving_authority,
            "data_categories": list(self.data_categories),
            "scope_from": self.scope_from.isoformat() if self.scope_from else None,
            "scope_to": self.scope_to.isoformat() if self.scope_to else None,
            "retention_until": self.retention_until.isoformat() if self.retention_until else None,
            "onward_transfer": self.onward_transfer,
            "confidential": self.confidential,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Safeguards:
        def when(key: str) -> datetime | None:
            value = data.get(key)
            return datetime.fromisoformat(value) if value else None

        return cls(
            necessity=str(data.get("necessity") or ""),
            approving_authority=str(data.get("approving_authority") or ""),
            data_categories=tuple(data.get("data_categories") or ()),
            scope_from=when("scope_from"),
            scope_to=when("scope_to"),
            retention_until=when("retention_until"),
            onward_transfer=str(data.get("onward_transfer") or ""),
            confidential=bool(data.get("confidential", True)),
        )


@dataclass(frozen=True, slots=True)
class Contact:
    """A 24/7 point of contact or central authority of the directory (versioned: a change makes a
    new ``version``; ``confirmed_at`` is when it was last found reachable)."""

    id: int
    country: str  # ISO 3166-1 alpha-2
    authority: str
    kind: str  # "24/7" | "central_authority" | "provider" | "registrar"
    channel: str  # "tocsin" | "email" | "phone" | "e-codex" | "post"
    address: str  # where the channel reaches it: a URL, an e-mail address, a phone number
    languages: tuple[str, ...]  # ISO 639-1, the first is the preferred one
    timezone: str  # IANA name, "Europe/Paris"
    office_hours: str  # "Mo-Fr 08:00-18:00" or "24/7"
    public_key: str  # Ed25519, base64, for Tocsin-to-Tocsin exchange ("" when none)
    notes: str
    version: int
    confirmed_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Request:
    """A request for assistance, outgoing or incoming."""

    id: int
    ref: str  # ours, "RFA-2026-0001"
    direction: Direction
    basis: Basis
    state: State
    org_id: int  # the team that holds it
    counterpart_id: int | None  # a Contact
    their_ref: str  # the requesting (or requested) authority's own case reference
    title: str
    emergency: bool  # imminent risk to life or safety (Second Protocol Art. 3(2)(c))
    urgent: bool  # acknowledged within 8 h (Directive 2013/40/EU Art. 13(1))
    justification: str  # the written emergency justification (required to close an emergency)
    elements: Mapping[str, str]  # element id → text, as bases.ELEMENTS names them
    identifiers: tuple[Identifier, ...]
    safeguards: Safeguards
    tlp: str  # "RED", "AMBER+STRICT", "AMBER", "GREEN", "CLEAR"
    language: str  # of the form sent, ISO 639-1
    parent_id: int | None
    link: Link
    outcome: str  # the Ground or Reason code when refused / not executed, else ""
    outcome_note: str
    created_by: int | None
    approved_by: int | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    received_at: datetime | None = None  # incoming: when it reached us
    acknowledged_at: datetime | None = None
    closed_at: datetime | None = None
    incident_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """A step of a request's history: each change of state (and a pause or resume of its clock),
    by whom, when, with a note; the clocks are computed from these."""

    id: int
    request_id: int
    at: datetime
    state: State
    actor_id: int | None
    note: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The personal-data ledger of a request (Second Protocol Art. 14): ``kind`` is purpose,
    recipient, retention, access_request, rectification_request, breach or purge."""

    id: int
    request_id: int
    at: datetime
    kind: str
    text: str
    actor_id: int | None


@dataclass(frozen=True, slots=True)
class Message:
    """A message of the exchange log: what travelled to or from a counterpart, on which channel,
    and the receipts it earned (``status``: queued, submitted, delivered, failed, received)."""

    id: int
    request_id: int | None
    direction: Direction
    channel: str
    kind: str  # request, acknowledgement, status, answer, receipt
    nonce: str
    status: str
    attempts: int
    created_at: datetime
    updated_at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    receipt: Mapping[str, Any] = field(default_factory=dict)
    counterpart_id: int | None = None  # the Contact it went to or came from
    party: str = ""  # the other Tocsin's identifier in the exchange (its key's fingerprint)
    message_id: str = ""  # the same over every attempt: what the receiver de-duplicates by
    next_attempt_at: datetime | None = None  # outgoing and not delivered yet: when to try again
    error: str = ""  # why the last attempt failed
    delivered_at: datetime | None = None
