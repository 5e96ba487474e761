"""The notice desk: plan notices from events, send them (with retries and back-off, a limit per
recipient domain, signed and, for recipients with a key, encrypted), take acknowledgements, and
send again the urgent ones nobody acknowledged."""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tocsin.auth.keys import check_secret_key
from tocsin.errors import NotFound
from tocsin.model.constituent import Constituent
from tocsin.model.notice import State
from tocsin.notify.compose import Sender, message_id
from tocsin.notify.delivery import Delivery, DomainLimiter, Outcome, backoff
from tocsin.notify.dispatch import ROUND, Courier, Dispatch, Protect
from tocsin.notify.mime import Mail
from tocsin.notify.planner import Plan, plan
from tocsin.notify.smtp_settings import SmtpSettings
from tocsin.store.base import Store

_RECORDED_TOGETHER = 500  # notices recorded per transaction: each is whole or absent


@dataclass(frozen=True)
class NotifySettings:
    sender: Sender
    smtp: SmtpSettings
    secret_key: str
    max_attempts: int = 8
    resend_after: int = 24 * 3600  # an urgent notice nobody acknowledged goes again after this
    digest_hour: int = 6  # UTC hour from which the daily digest goes
    lookback: int = 7 * 24 * 3600  # events older than this are not notified any more
    per_domain: int = 60  # messages per recipient domain per minute
    gnupg_home: Path | None = None  # the team's keyring: sign (and encrypt) when set
    team_key: str | None = None  # the fingerprint that signs


@dataclass(frozen=True, slots=True)
class Sent:
    outcomes: Counter[str]
    waiting: int  # held back by the per-domain limit, for the next run


class Notifier:
    def __init__(
        self,
        store: Store,
        settings: NotifySettings,
        *,
        now: Callable[[], int],
        protect: Protect | None = None,
    ) -> None:
        self.store = store
        self.notices = store.notices
        self.settings = settings
        self.now = now
        key = check_secret_key(settings.secret_key).encode()
        self.limiter = DomainLimiter(settings.per_domain, 60)
        self.courier = Courier(settings.sender, settings.smtp, key, protect)

    # -- planning --------------------------------------------------------------------------------

    def plan(self, *, dry_run: bool = False) -> Plan:
        """Batch the events no notice has carried yet; record them unless ``dry_run``."""
        now = self.now()
        found = plan(
            self.store,
            now,
            since=now - self.settings.lookback,
            digest_hour=self.settings.digest_hour,
            digested=self.notices.recipients_of,
        )
        if dry_run:
            return found
        for start in range(0, len(found.notices), _RECORDED_TOGETHER):
            rows = [
                (
                    {
                        "recipient": planned.recipient,
                        "addresses": ",".join(planned.addresses),
                        "period": planned.period,
                        "lang": planned.lang,
                        "priority": planned.priority,
                        "created": now,
                        "status": State.PENDING.value,
                        "attempts": 0,
                        "last_error": "",
                        "ack_hash": "",
                        "events": len(planned.event_ids),
                    },
                    planned.event_ids,
                )
                for planned in found.notices[start : start + _RECORDED_TOGETHER]
            ]
            with self.store.transaction() as conn:
                ids = self.notices.add_many(conn, rows)
                hashes = [(i, {"ack_hash": _sha256(self.token(i))}) for i in ids]
                self.notices.update_many_in(conn, hashes)
        return found

    def announce(
        self, recipients: list[str], advisory_id: str, document: str, priority: str = "P3"
    ) -> list[int]:
        """Notices carrying a published advisory (its CSAF JSON) to these constituents, through
        the same sending, retries and acknowledgements as event notices; once per recipient."""
        registry = {c.name: c for c in self.store.constituents()}
        period = f"advisory:{advisory_id}"
        made = []
        for name in dict.fromkeys(recipients):
            constituent = registry.get(name)
            if constituent is None:
                raise NotFound(f"no constituent named {name!r}")
            if not constituent.addresses or self.notices.has_digest(name, period):
                continue  # no address to write to, or already told
            with self.store.transaction() as conn:
                notice_id = self.notices.add(
                    conn,
                    {
                        "recipient": name,
                        "addresses": ",".join(constituent.addresses),
                        "period": period,
                        "lang": constituent.notify.lang,
                        "priority": priority,
                        "created": self.now(),
                        "status": State.PENDING.value,
                        "attempts": 0,
                        "last_error": "",
                        "ack_hash": "",
                        "events": 0,
                        "document": document,
                    },
                    [],
                )
                self.notices.update_in(conn, notice_id, ack_hash=_sha256(self.token(notice_id)))
            made.append(notice_id)
        return made

    # -- sending ---------------------------------------------------------------------------------

    def send(self, limit: int = 10_000, *, workers: int = 1) -> Sent:
        """Hand the due notices to the mail server; each ends sent, deferred or failed. With
        ``workers`` above 1 and many notices due, that many sender processes share them, each
        over its own connection (see ``tocsin.notify.dispatch``).

        The per-domain limit is applied first, to the whole list. Every notice's Message-ID is
        recorded before it first goes, so each attempt of it (after a deferral, or after a crash)
        carries the same one. Outcomes are recorded ``ROUND`` notices per transaction: a crash
        may send again the notices of the round under way, at least once and under the same
        Message-ID, never more."""
        outcomes: Counter[str] = Counter()
        going: list[dict[str, Any]] = []
        waiting = 0
        for notice in self.notices.due(self.now(), limit):
            if self.limiter.allow(notice["addresses"].split(",")[0], self.now()):
                going.append(notice)
            else:
                waiting += 1
        done: list[tuple[int, dict[str, Any]]] = []
        with Dispatch(self.courier, self.store, len(going), workers) as dispatch:
            self._name(going)
            try:
                for notice, delivery in dispatch.deliveries(going):
                    state, change = self._outcome(notice, delivery)
                    done.append((notice["id"], change))
                    outcomes[state.value] += 1
                    if len(done) == ROUND:
                        self.notices.update_many(done)
                        done = []
            finally:  # what went is recorded, even when something stops the run
                self.notices.update_many(done)
        return Sent(outcomes, waiting)

    def _name(self, notices: list[dict[str, Any]]) -> None:
        """Give each notice without one its Message-ID, recorded before anything goes."""
        named = []
        for notice in notices:
            if not notice["message_id"]:
                notice["message_id"] = message_id(notice, self.settings.sender)
                named.append((notice["id"], {"message_id": notice["message_id"]}))
        for start in range(0, len(named), _RECORDED_TOGETHER):
            self.notices.update_many(named[start : start + _RECORDED_TOGETHER])

    def _outcome(self, notice: dict[str, Any], delivery: Delivery) -> tuple[State, dict[str, Any]]:
        """The notice's new state after this attempt, and the changes that record it."""
        now = self.now()
        attempts = notice["attempts"] + 1
        detail = delivery.detail[:500]
        if delivery.outcome is Outcome.SENT:
            return State.SENT, {
                "status": State.SENT.value,
                "attempts": attempts,
                "sent_at": now,
                "message_id": delivery.message_id,
                "last_error": "",
                "next_attempt": None,
            }
        if delivery.outcome is Outcome.DEFERRED and attempts < self.settings.max_attempts:
            return State.DEFERRED, {
                "status": State.DEFERRED.value,
                "attempts": attempts,
                "next_attempt": now + backoff(attempts),
                "last_error": detail,
            }
        return State.FAILED, {
            "status": State.FAILED.value,
            "attempts": attempts,
            "last_error": detail,
            "next_attempt": None,
        }

    def message(self, notice: dict[str, Any], constituent: Constituent | None) -> Mail:
        """The notice's e-mail as it will leave (signed and encrypted when keys are set)."""
        return self.courier.mail(notice, constituent, self.notices.events(notice["id"]))

    # -- follow-up -------------------------------------------------------------------------------

    def token(self, notice_id: int) -> str:
        """The acknowledgement token in the notice's link (an HMAC: nothing to store)."""
        return self.courier.token(notice_id)

    def acknowledge(self, notice_id: int, token: str) -> dict[str, Any]:
        """Mark the notice acknowledged; the same NotFound for an unknown notice and a wrong
        token, compared in constant time."""
        notice = self.notices.get(notice_id)
        stored = notice["ack_hash"] if notice is not None else _sha256("no such notice")
        if notice is None or not hmac.compare_digest(stored, _sha256(token[:64])):
            raise NotFound("no notice matches this link")
        if notice["acknowledged_at"] is None:
            self.notices.update(notice_id, acknowledged_at=self.now())
            notice = self.notices.get(notice_id)
        assert notice is not None
        return notice

    def remind(self) -> int:
        """Send again the urgent (P1/P2) notices nobody acknowledged within ``resend_after``."""
        now = self.now()
        due = self.notices.unacknowledged(now - self.settings.resend_after, ("P1", "P2"))
        for notice in due:
            self.notices.update(
                notice["id"],
                status=State.PENDING.value,
                reminded_at=now,
                next_attempt=None,
                attempts=0,
                message_id=None,  # a new message, not the first one again
            )
        return len(due)

    def notice(self, notice_id: int) -> dict[str, Any] | None:
        """One notice, as its acknowledgement page shows it; None when there is no such notice."""
        return self.notices.get(notice_id)

    def listing(self, limit: int = 200, status: str | None = None) -> list[dict[str, Any]]:
        """The latest notices, newest first (only those in ``status`` when given)."""
        return self.notices.listing(limit, status)

    def bounced(self, message_id: str) -> dict[str, Any]:
        """Record a bounce (a delivery report naming the notice's Message-ID)."""
        notice = self.notices.by_message_id(message_id.strip())
        if notice is None:
            raise NotFound(f"no notice has the Message-ID {message_id}")
        self.notices.update(notice["id"], status=State.BOUNCED.value)
        return notice


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
