"""The inbox of the exchange: an envelope from another Tocsin opened against the key registered
for its sender, its nonce recorded (a replay is refused), the message stored once per message id
(a retry of a message that arrived already earns a receipt again and changes nothing), handed
over (a request registered as incoming, an acknowledgement moving our request), answered with our
signed receipt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tocsin.assist.exchange_base import CHANNEL, ExchangeBase, iso_time, log
from tocsin.auth.envelopes import (
    Envelope,
    Malformed,
    Replayed,
    open_envelope,
    party_of,
    seal,
)
from tocsin.errors import TocsinError
from tocsin.model.assist.request import Contact, Direction, Identifier, Message
from tocsin.model.assist.states import State
from tocsin.model.people import Principal


class Inbox(ExchangeBase):
    """Receiving."""

    def receive(self, data: Any) -> dict[str, Any]:
        """An envelope that reached our inbox: opened, stored once, handed over; the answer is
        our signed receipt. Refusals are ``EnvelopeRefused``, each of its own kind."""
        now = self.now()
        key = self.key()
        senders = self._senders()
        claimed = str(data.get("sender", "")) if isinstance(data, Mapping) else ""
        envelope = open_envelope(
            data,
            lambda sender: senders[sender].public_key if sender in senders else None,
            now,
            lambda nonce: self.log.nonce_seen(claimed, nonce),
            recipient=key.party,
            window=self.window,
        )
        if envelope.kind == "receipt":
            raise Malformed("a receipt is an answer; it is not sent to the inbox")
        message_id = envelope.payload.get("message_id")
        if not isinstance(message_id, str) or not 0 < len(message_id) <= 100:
            raise Malformed("payload: no message_id")
        contact = senders[envelope.sender]
        message, new = self._store(envelope, message_id, contact, now)
        if new or (message.kind == "request" and message.request_id is None):
            # a request sent again whose hand-over failed or was cut short gets another one
            self._hand_over(message, contact)
        return dict(message.receipt)

    def _senders(self) -> dict[str, Contact]:
        """The counterparts that may send to us, by their identifier (their key's)."""
        found: dict[str, Contact] = {}
        for contact in self.store.assist.contacts():
            if contact.channel == CHANNEL and contact.public_key:
                try:
                    found[party_of(contact.public_key)] = contact
                except ValueError:
                    continue
        return found

    def _store(
        self, envelope: Envelope, message_id: str, contact: Contact, now: int
    ) -> tuple[Message, bool]:
        key = self.key()
        with self.store.transaction() as conn:
            if not self.log.see_nonce(
                conn, envelope.sender, envelope.nonce, self._expiry(envelope)
            ):
                raise Replayed(
                    f"the nonce {envelope.nonce} from {envelope.sender} was seen already"
                )
            found = self.log.message_by_key(Direction.INCOMING, envelope.sender, message_id, conn)
            received = int(found.created_at.timestamp()) if found else now
            receipt = seal(
                {
                    "message_id": message_id,
                    "nonce": envelope.nonce,
                    "received_at": iso_time(received),
                    "duplicate": found is not None,
                },
                "receipt",
                key.party,
                envelope.sender,
                key,
                now,
            )
            if found is not None:
                self.log.update_message(conn, found.id, receipt=receipt, updated_at=now)
                return self._read(conn, found.id), False
            new_id = self.log.add_message(
                conn,
                {
                    "request_id": None,
                    "counterpart_id": contact.id,
                    "direction": Direction.INCOMING,
                    "channel": CHANNEL,
                    "kind": envelope.kind,
                    "party": envelope.sender,
                    "message_id": message_id,
                    "nonce": envelope.nonce,
                    "status": "received",
                    "attempts": 1,
                    "next_attempt_at": None,
                    "error": "",
                    "payload": dict(envelope.payload),
                    "receipt": receipt,
                    "created_at": now,
                    "updated_at": now,
                    "delivered_at": now,
                },
            )
            if new_id is None:  # the same message arrived at once by another door
                raise Replayed(f"the message {message_id} is being received already")
            message = self._read(conn, new_id)
            self._audit(
                conn, "tocsin", message, "assist.exchange_received", sender=contact.authority
            )
        return message, True

    def _hand_over(self, message: Message, contact: Contact) -> None:
        """A request registered as incoming; an answer linked to our request."""
        request_id: int | None
        try:
            if message.kind == "request":
                request_id = self._register(message, contact)
            else:
                request_id = self._link(message, contact)
        except (TocsinError, ValueError, KeyError, TypeError) as exc:
            self._note(message, request_id=None, error=f"not handed over: {exc}")
            log.warning("exchange: message %s not handed over: %s", message.id, exc)
            return
        if request_id is not None:
            self._note(message, request_id=request_id, error="")

    def _register(self, message: Message, contact: Contact) -> int:
        given = message.payload
        result = self.assistance.create(
            Principal.system(),
            basis=str(given["basis"]),
            title=str(given["title"]),
            direction=Direction.INCOMING.value,
            elements=dict(given.get("elements") or {}),
            identifiers=tuple(Identifier.from_json(i) for i in given.get("identifiers") or ()),
            safeguards=dict(given.get("safeguards") or {}),
            counterpart_id=contact.id,
            their_ref=str(given.get("ref", "")),
            emergency=bool(given.get("emergency")),
            urgent=bool(given.get("urgent")),
            justification=str(given.get("justification", "")),
            tlp=str(given.get("tlp", "AMBER")),
            language=str(given.get("language", "en")),
            org_id=self.team(),
        )
        return result.request.id

    def _link(self, message: Message, contact: Contact) -> int | None:
        ref = str(message.payload.get("your_ref", ""))
        request = self.store.assist.request_by_ref(ref) if ref else None
        if request is None or request.counterpart_id != contact.id:
            return None
        if message.kind == "acknowledgement":
            self._moved(request.id, State.DELIVERED, State.ACKNOWLEDGED, "acknowledged")
            self._moved(request.id, State.SENT, State.ACKNOWLEDGED, "acknowledged")
        return request.id

    def _note(self, message: Message, *, request_id: int | None, error: str) -> None:
        now = self.now()
        with self.store.transaction() as conn:
            self.log.update_message(
                conn, message.id, request_id=request_id, error=error, updated_at=now
            )
            changed = self._read(conn, message.id)
            detail = {"error": error} if error else {"request": request_id}
            self._audit(conn, "tocsin", changed, "assist.exchange_handed_over", **detail)


__all__ = ["Inbox"]
