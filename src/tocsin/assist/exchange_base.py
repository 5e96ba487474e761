"""What the exchange's outbox and inbox share: the store and clock, our key, the team incoming
requests belong to, the audit of each change to the exchange log, and the moves of a request that
the channel reports (delivered, acknowledged)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tocsin.assist.exchange_wire import (
    Post,
    http_post,
)
from tocsin.assist.requests import Assistance
from tocsin.auth.envelopes import (
    WINDOW,
    Envelope,
    ExchangeKey,
    issued_seconds,
    party_of,
)
from tocsin.errors import Conflict, InvalidValue, TocsinError
from tocsin.model.assist.request import Contact, Message
from tocsin.model.assist.states import State
from tocsin.model.people import Principal
from tocsin.store.shapes import Transaction

log = logging.getLogger("tocsin.assist.exchange")
CHANNEL = "tocsin"
ANSWERS = ("acknowledgement", "status", "answer")  # what we say about a request we hold


@dataclass(frozen=True, slots=True)
class Delivery:
    """One delivery run: how many messages reached their counterpart, how many wait."""

    delivered: int
    waiting: int


def reachable(contact: Contact | None) -> Contact:
    """The contact, if Tocsin can reach it: the ``tocsin`` channel, an address and a key."""
    if contact is None:
        raise InvalidValue("counterpart", None, "a request is sent to a contact of the directory")
    if contact.channel != CHANNEL or not contact.address or not contact.public_key:
        raise InvalidValue(
            "counterpart",
            contact.authority,
            "not reached by Tocsin: its channel must be tocsin, with an address and a key",
        )
    try:
        party_of(contact.public_key)
    except ValueError as exc:
        raise InvalidValue("public_key", contact.authority, str(exc)) from None
    return contact


class ExchangeBase:
    """The parts of the exchange service every side of it uses."""

    def __init__(
        self,
        assistance: Assistance,
        key: Callable[[], ExchangeKey],
        *,
        team: Callable[[], int],
        post: Post = http_post,
        window: int = WINDOW,
    ) -> None:
        self.assistance = assistance
        self.store = assistance.store
        self.log = assistance.store.exchange
        self.now = assistance.now
        self.key = key  # read (or made) on first use
        self.team = team  # the team an incoming request belongs to
        self.post = post
        self.window = window

    def identity(self) -> tuple[str, str]:
        """Our identifier in the exchange and the public key counterparts register."""
        key = self.key()
        return key.party, key.public_text

    # -- shared ----------------------------------------------------------------------------------

    def _moved(self, request_id: int, when: State, to: State, note: str) -> None:
        """Move our request ``when`` it stands there (delivery and acknowledgement are facts the
        channel reports, not a person's decision); otherwise leave it."""
        request = self.store.assist.request(request_id)
        if request is None or request.state is not when:
            return
        try:
            self.assistance.move(Principal.system(), request_id, to.value, note=note)
        except (Conflict, TocsinError) as exc:
            log.warning("exchange: request %s not moved to %s: %s", request.ref, to.value, exc)

    def _expiry(self, envelope: Envelope) -> int:
        return issued_seconds(envelope.issued_at) + self.window + 1

    def _read(self, conn: Transaction, message_id: int) -> Message:
        found = self.log.message(message_id, conn)
        assert found is not None
        return found

    def _audit(
        self, conn: Transaction, actor: str, message: Message, action: str, **details: Any
    ) -> None:
        request = (
            self.store.assist.request(message.request_id, conn) if message.request_id else None
        )
        self.store.cases.append_audit(
            conn,
            at=self.now(),
            actor=actor,
            action=action,
            object_type="assist",
            object_id=request.ref if request else f"message:{message.message_id}",
            details={"kind": message.kind, "direction": message.direction.value, **details},
        )

    def purge_nonces(self) -> int:
        """Forget the nonces whose window is over (the delivery run does it)."""
        with self.store.transaction() as conn:
            return self.log.purge_nonces(conn, self.now())


def iso_time(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["ANSWERS", "CHANNEL", "Delivery", "ExchangeBase", "reachable"]
