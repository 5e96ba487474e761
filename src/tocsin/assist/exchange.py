"""Tocsin to Tocsin: requests, acknowledgements, status changes and answers sent to a
counterpart's Tocsin as signed envelopes (``auth/envelopes.py``), never lost, never taken twice.

Sending puts the message in the outbox (the exchange log, status ``queued``) in one transaction
with its audit entry; the delivery run (the scheduler's ``assist-outbox`` job) seals it afresh at
each attempt (a new nonce and time, the same ``message_id``) and POSTs it to the counterpart's
inbox. The answer is a signed receipt, opened against the counterpart's key and stored on the
message: then it is ``delivered``. Until then each failure waits longer before the next attempt
(``exchange_wire.backoff``: 1, 2, 4… minutes, at most an hour) and the message stays queued.

Receiving opens the envelope against the key registered for its sender in the directory, records
its nonce (a replay is refused), stores the message once per ``message_id`` (a retry of a
message that arrived already is answered with a receipt again and changes nothing), and answers
a signed receipt. A request that arrives is registered as an incoming request; an
acknowledgement names our request (``your_ref``) and moves it to acknowledged.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from tocsin.assist.access import changeable
from tocsin.assist.exchange_base import ANSWERS, CHANNEL, Delivery, log, reachable
from tocsin.assist.exchange_inbox import Inbox
from tocsin.assist.exchange_wire import (
    Unreachable,
    backoff,
    inbox_url,
    request_payload,
)
from tocsin.auth.envelopes import (
    Envelope,
    EnvelopeRefused,
    Replayed,
    canonical,
    open_envelope,
    party_of,
    seal,
)
from tocsin.errors import InvalidValue
from tocsin.model.assist.request import Contact, Direction, Message
from tocsin.model.assist.states import State
from tocsin.model.people import Principal


class Exchange(Inbox):
    """The outbox, the delivery run and the inbox of one Tocsin."""

    def messages(self, who: Principal, request_id: int) -> list[Message]:
        """A request's exchange log, oldest first."""
        request = self.assistance.get(who, request_id)
        return self.log.messages(request.id)

    # -- sending ---------------------------------------------------------------------------------

    def send_request(self, who: Principal, request_id: int) -> Message:
        """Send an approved request to its counterpart's Tocsin: it moves to sent (the lifecycle
        checks its elements and safeguards) and waits in the outbox for the delivery run."""
        request = self.assistance.get(who, request_id)
        contact = reachable(self.store.assist.contact(request.counterpart_id or 0))
        self.assistance.move(who, request.id, State.SENT.value, note=f"to {contact.authority}")
        return self._queue(who, contact, "request", request_payload(request), request.id)

    def send(
        self, who: Principal, request_id: int, kind: str, payload: Mapping[str, Any]
    ) -> Message:
        """An acknowledgement, a status or an answer about a request, to its counterpart."""
        if kind not in ANSWERS:
            raise InvalidValue("kind", kind, "one of " + ", ".join(ANSWERS))
        request = changeable(who, self.store.assist.request(request_id))
        contact = reachable(self.store.assist.contact(request.counterpart_id or 0))
        body = {**payload, "ref": request.ref, "your_ref": request.their_ref}
        return self._queue(who, contact, kind, body, request.id)

    def _queue(
        self,
        who: Principal,
        contact: Contact,
        kind: str,
        payload: Mapping[str, Any],
        request_id: int,
    ) -> Message:
        now = self.now()
        values = {
            "request_id": request_id,
            "counterpart_id": contact.id,
            "direction": Direction.OUTGOING,
            "channel": CHANNEL,
            "kind": kind,
            "party": party_of(contact.public_key),
            "message_id": uuid.uuid4().hex,
            "nonce": "",
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": now,
            "error": "",
            "payload": dict(payload),
            "receipt": {},
            "created_at": now,
            "updated_at": now,
        }
        with self.store.transaction() as conn:
            message_id = self.log.add_message(conn, values)
            assert message_id is not None  # a fresh message id is never taken
            message = self._read(conn, message_id)
            self._audit(conn, who.username, message, "assist.exchange_queue", to=contact.authority)
        return message

    # -- delivering ------------------------------------------------------------------------------

    def deliver(self, limit: int = 100) -> Delivery:
        """One delivery run: every outgoing message that is due, one attempt each."""
        due = self.log.due(self.now(), limit)
        delivered = sum(1 for message in due if self._attempt(message))
        return Delivery(delivered, len(due) - delivered)

    def _attempt(self, message: Message) -> bool:
        now = self.now()
        key = self.key()
        try:
            contact = reachable(self.store.assist.contact(message.counterpart_id or 0))
            party = party_of(contact.public_key)
            body = {**message.payload, "message_id": message.message_id}
            envelope = seal(body, message.kind, key.party, party, key, now)
            answer = self.post(inbox_url(contact.address), canonical(envelope))
            if answer.status != 200:
                raise Unreachable(
                    f"{contact.authority} answered {answer.status}: {_why(answer.body)}"
                )
            receipt = self._receipt(answer.body, message, contact, now)
        except (Unreachable, EnvelopeRefused, InvalidValue) as exc:
            self._failed(message, str(exc), now)
            return False
        try:
            self._delivered(message, envelope["nonce"], receipt, now)
        except Replayed as exc:
            self._failed(message, str(exc), now)
            return False
        return True

    def _receipt(self, body: bytes, message: Message, contact: Contact, now: int) -> Envelope:
        try:
            data = json.loads(body)
        except ValueError:
            raise Unreachable("the answer is not JSON") from None
        party = party_of(contact.public_key)
        receipt = open_envelope(
            data,
            lambda sender: contact.public_key if sender == party else None,
            now,
            lambda nonce: self.log.nonce_seen(party, nonce),
            recipient=self.key().party,
            window=self.window,
        )
        if receipt.kind != "receipt" or receipt.payload.get("message_id") != message.message_id:
            raise Unreachable("the answer is not a receipt for this message")
        return receipt

    def _delivered(self, message: Message, nonce: str, receipt: Envelope, now: int) -> None:
        with self.store.transaction() as conn:
            if not self.log.see_nonce(conn, receipt.sender, receipt.nonce, self._expiry(receipt)):
                raise Replayed(f"the receipt's nonce {receipt.nonce} was seen already")
            self.log.update_message(
                conn,
                message.id,
                status="delivered",
                attempts=message.attempts + 1,
                nonce=nonce,
                receipt=receipt.as_json(),
                next_attempt_at=None,
                error="",
                delivered_at=now,
                updated_at=now,
            )
            self._audit(conn, "tocsin", message, "assist.exchange_delivered", nonce=nonce)
        if message.kind == "request" and message.request_id is not None:
            self._moved(message.request_id, State.SENT, State.DELIVERED, "receipt received")

    def _failed(self, message: Message, error: str, now: int) -> None:
        attempts = message.attempts + 1
        later = now + backoff(attempts)
        with self.store.transaction() as conn:
            self.log.update_message(
                conn,
                message.id,
                attempts=attempts,
                next_attempt_at=later,
                error=error[:500],
                updated_at=now,
            )
            self._audit(conn, "tocsin", message, "assist.exchange_retry", error=error[:500])
        log.warning(
            "exchange: message %s not delivered (%s); next attempt at %s", message.id, error, later
        )


def _why(body: bytes) -> str:
    """The reason a refusal gives (``{"error": …, "detail": …}``), short."""
    try:
        data = json.loads(body)
    except ValueError:
        return "no reason given"
    if isinstance(data, Mapping):
        return str(data.get("detail") or data.get("error") or "no reason given")[:200]
    return "no reason given"


__all__ = ["ANSWERS", "CHANNEL", "Delivery", "Exchange", "reachable"]
