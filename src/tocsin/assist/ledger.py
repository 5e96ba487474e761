"""The personal-data ledger of each request (Second Protocol Art. 14; Budapest Art. 15): the
purpose, the recipients, the retention deadline, the access and rectification requests of the
people concerned, a breach — and the retention purge.

``purge_expired(now)`` removes the personal data of every request whose safeguards'
``retention_until`` has passed: its identifiers, and the free text of its elements (each becomes
"[purged]"); the request itself, its steps and its ledger stay, and a ``purge`` entry is added to
the ledger as its tombstone, with an audit entry per request, in one transaction each.
"""

from __future__ import annotations

from tocsin.assist import fields
from tocsin.assist.access import changeable, visible
from tocsin.assist.record import AssistRecord
from tocsin.errors import InvalidValue
from tocsin.model import access
from tocsin.model.assist.request import LedgerEntry, Request
from tocsin.model.people import Principal, Role
from tocsin.store.shapes import Transaction

KINDS = (
    "purpose",
    "recipient",
    "retention",
    "access_request",
    "rectification_request",
    "breach",
)
PURGE = "purge"  # written by the purge only
PURGED = "[purged]"


class Ledger(AssistRecord):
    """The ledger service."""

    def entries(self, who: Principal, request_id: int) -> list[LedgerEntry]:
        return self.assist.ledger(visible(who, self.assist.request(request_id)).id)

    def add(self, who: Principal, request_id: int, *, kind: str, text: str) -> LedgerEntry:
        chosen = str(kind).strip().lower()
        if chosen not in KINDS:
            raise InvalidValue("kind", kind, "one of " + ", ".join(KINDS))
        said = fields.text("text", text, "assist.ledger")
        with self.store.transaction() as conn:
            request = changeable(who, self.assist.request(request_id, conn))
            entry_id = self.assist.add_ledger(
                conn,
                request.id,
                {"at": self.now(), "kind": chosen, "text": said, "actor_id": who.user_id},
            )
            self._audit(conn, who, request, "assist.ledger", {"kind": chosen, "entry": entry_id})
            return next(e for e in self.assist.ledger(request.id, conn) if e.id == entry_id)

    def purge_expired(self, who: Principal, now: int | None = None) -> list[str]:
        """Purge the personal data of every request past its retention limit; the references
        of the requests purged. Tocsin itself (the scheduler) or an admin runs it."""
        access.require(who, Role.ADMIN, scope="write")
        at = self.now() if now is None else now
        done: list[str] = []
        for request_id in self.assist.expired(at):
            with self.store.transaction() as conn:
                request = self._read(conn, request_id)
                self._purge(conn, who, request, at)
            done.append(request.ref)
        return done

    def _purge(self, tx: Transaction, who: Principal, request: Request, at: int) -> None:
        elements = {k: PURGED for k in request.elements}
        self.assist.update_request(
            tx, request.id, elements=elements, identifiers=(), purged_at=at, updated_at=at
        )
        until = request.safeguards.retention_until
        text = (
            f"personal data purged: {len(request.identifiers)} identifier(s) and "
            f"{len(elements)} element(s); retention until {until.isoformat() if until else '-'}"
        )
        self.assist.add_ledger(
            tx, request.id, {"at": at, "kind": PURGE, "text": text, "actor_id": who.user_id}
        )
        self._audit(
            tx,
            who,
            request,
            "assist.purge",
            {"identifiers": len(request.identifiers), "elements": sorted(elements)},
        )


__all__ = ["KINDS", "PURGE", "PURGED", "Ledger"]
