"""The queue and its clocks: open incidents the most urgent first, and SLA breaches marked once."""

from __future__ import annotations

from dataclasses import dataclass

from tocsin.cases.incident_record import IncidentRecord
from tocsin.errors import InvalidValue
from tocsin.model import access
from tocsin.model.fields import priority as sanitize_priority
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.model.queue import QueueQuery
from tocsin.model.sla import Clock


@dataclass(frozen=True, slots=True)
class QueueRow:
    incident: Incident
    clock: Clock


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue as asked for, with how many open incidents the query finds."""

    query: QueueQuery
    rows: list[QueueRow]
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first row (1-based; 0 when the page is empty)."""
        return self.query.offset + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.query.offset + len(self.rows)


class IncidentQueue(IncidentRecord):
    """What the queue shows and when an incident's clock ran out."""

    def queue(
        self, who: Principal, *, mine: bool = False, priority: str | None = None, limit: int = 100
    ) -> list[QueueRow]:
        """Open incidents this person may see, the most urgent first: breached ones, then by the
        time left on their nearest clock."""
        now = self.now()
        rows: list[QueueRow] = []
        if who.user_id is not None and who.role not in access.STAFF:
            return rows
        # ordered by the stored next deadline (one indexed query); what this person may not see
        # (another team's, TLP:RED of others) is skipped, reading further when needed
        wanted = InvalidValue.check("priority", priority, sanitize_priority) if priority else None
        found = self.cases.queue(
            limit * 4, assignee_id=who.user_id if mine else None, priority=wanted
        )
        rows = [QueueRow(i, self.sla.clock(i, now)) for i in found if access.can_see(who, i)]
        rows.sort(key=_urgency)
        return rows[:limit]

    def page(self, who: Principal, query: QueueQuery | None = None) -> QueuePage:
        """The page of the queue ``query`` asks for: the open incidents this person may see that
        its filters keep, in its order, with their total; TLP and organisation are applied by
        the store's query, so the total counts only what this person may read."""
        asked = query or QueueQuery()
        if who.user_id is not None and who.role not in access.STAFF:
            return QueuePage(asked, [], 0)
        scope = access.incident_scope(who)
        found, total = self.cases.queue_page(scope, asked, asked.mine(who.user_id))
        now = self.now()
        return QueuePage(asked, [QueueRow(i, self.sla.clock(i, now)) for i in found], total)

    # -- SLA clocks ------------------------------------------------------------------------------

    def check_sla(self, at_most: int = 500) -> list[Incident]:
        """Mark incidents whose clock ran out since the last check; each breach once, written to
        the timeline and the audit log (the queue puts breached incidents first). Only overdue
        incidents are read (an indexed range on the stored deadline), and at most ``at_most``
        are marked per call, so a check stays short; the next one goes on."""
        now = self.now()
        newly: list[Incident] = []
        system = Principal.system()
        for incident in self.cases.overdue(now):
            if len(newly) >= at_most:
                break
            clock = self.sla.clock(incident, now)
            fresh = clock.breached - incident.breached
            if not fresh:
                continue
            with self.store.transaction() as conn:
                self.cases.update_incident(conn, incident.id, breached=clock.breached)
                for kind in sorted(fresh):
                    self.record(
                        conn,
                        system,
                        incident,
                        "incident.sla_breach",
                        "sla",
                        f"SLA breached: time to {kind} ran out",
                        {"clock": kind},
                    )
            newly.append(incident)
        return newly


def _urgency(row: QueueRow) -> tuple[int, int, int]:
    """Breached first, then the least time left; paused clocks (waiting) after every running one."""
    left = row.clock.most_urgent
    if left is None or row.clock.paused:
        left = 1 << 62
    return (0 if row.clock.breached else 1, left, row.incident.id)


__all__ = ["IncidentQueue", "QueuePage", "QueueRow"]
