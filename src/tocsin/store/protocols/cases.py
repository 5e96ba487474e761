"""Incidents, their parts (linked events, indicators, tasks, timeline, evidence) and the audit
log.

Every change is made inside a transaction the service opens (``Store.transaction``), so that the
change and its audit entry commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from tocsin.model.access import IncidentScope
from tocsin.model.audit import AuditEntry
from tocsin.model.event import Event
from tocsin.model.incident import Incident
from tocsin.model.queue import QueueQuery
from tocsin.store.shapes import Transaction


@runtime_checkable
class CaseStore(Protocol):
    def next_number(self, tx: Transaction, name: str) -> int:
        """The next value of a named counter (one per year for incident references)."""
        ...

    def next_numbers(self, tx: Transaction, name: str, count: int) -> int:
        """The first of the ``count`` next values of a named counter, taken at once."""
        ...

    def counter(self, tx: Transaction, name: str) -> int: ...

    def set_counter(self, tx: Transaction, name: str, value: int) -> None: ...

    def add_incident(self, tx: Transaction, values: dict[str, Any]) -> Incident: ...

    def update_incident(self, tx: Transaction, incident_id: int, **values: Any) -> None: ...

    def add_incidents(self, tx: Transaction, rows: Sequence[dict[str, Any]]) -> list[Incident]:
        """New incidents, in one statement; returned in the order of ``rows``."""
        ...

    def update_incidents(
        self, tx: Transaction, changes: Sequence[tuple[int, dict[str, Any]]]
    ) -> None:
        """Columns of many incidents, (id, values) each, in a statement per set of columns."""
        ...

    def incident(self, incident_id: int, tx: Transaction | None = None) -> Incident | None: ...

    def incident_by_reference(self, reference: str) -> Incident | None: ...

    def open_incident_for_group(self, tx: Transaction, group_key: str) -> Incident | None: ...

    def open_incidents_for_groups(
        self, tx: Transaction, group_keys: Sequence[str]
    ) -> dict[str, Incident]:
        """For each group key that has one, its newest open incident (merged ones left out)."""
        ...

    def queue(
        self, limit: int, assignee_id: int | None = None, priority: str | None = None
    ) -> list[Incident]:
        """Open incidents whose clock runs out first, then those whose clock is paused. Two
        indexed reads ((due, id), then status), never a sort of every open incident."""
        ...

    def queue_page(
        self, scope: IncidentScope, query: QueueQuery, assignee: str
    ) -> tuple[list[Incident], int]:
        """One page of the open incidents in ``scope`` that ``query`` asks for (``assignee``:
        a person's id, "none" or "" for anyone), and how many there are in all."""
        ...

    def incidents_saying(
        self, scope: IncidentScope, text: str, limit: int
    ) -> list[tuple[Incident, str]]:
        """Incidents in ``scope`` whose title, notes, mail or victims' answers hold every word
        of ``text``, the newest first, each with where it matched (title, note, account)."""
        ...

    def incidents_with_indicators(self, kind: str, values: Sequence[str], limit: int) -> list[int]:
        """Incidents carrying any of ``values`` of ``kind``, the newest first."""
        ...

    def indicators_ending(self, kind: str, suffix: str, limit: int) -> list[tuple[int, str]]:
        """(incident, value) of the indicators of ``kind`` ending with ``suffix``."""
        ...

    def indicators_containing(self, kind: str, text: str, limit: int) -> list[tuple[int, str]]:
        """(incident, value) of the indicators of ``kind`` holding ``text``."""
        ...

    def overdue(self, now: int) -> Iterator[Incident]:
        """Open incidents whose next deadline has passed and whose resolve clock is not marked
        breached yet (nothing later can happen to them), earliest first."""
        ...

    def incidents(
        self,
        *,
        open_only: bool = False,
        statuses: Sequence[str] | None = None,
        assignee_id: int | None = None,
        limit: int = 500,
    ) -> list[Incident]: ...

    def link_events(self, tx: Transaction, incident_id: int, event_ids: Sequence[int]) -> int: ...

    def move_events(
        self, tx: Transaction, source: int, target: int, event_ids: Sequence[int]
    ) -> int: ...

    def incident_events(
        self, incident_id: int, limit: int = 200, *, max_tlp: int | None = None
    ) -> list[tuple[int, Event]]:
        """The linked events, newest first; ``max_tlp`` keeps only those at that TLP or below."""
        ...

    def count_incident_events(self, incident_id: int, *, max_tlp: int | None = None) -> int: ...

    def strictest_event_tlp(self, tx: Transaction, incident_id: int) -> int | None:
        """The most restrictive TLP (TLP's IntEnum value) of the linked events; None: none."""
        ...

    def events_since(
        self, after_id: int, limit: int, tx: Transaction | None = None
    ) -> list[tuple[int, Event]]:
        """Stored events with an id above ``after_id``, oldest first (for aggregation rules)."""
        ...

    def link_many(self, tx: Transaction, links: Sequence[tuple[int, int]]) -> dict[int, int]:
        """Link each (incident, event) not linked yet, in bulk; how many were new per incident."""
        ...

    def indicators_of(
        self, tx: Transaction, incident_ids: Sequence[int], fewer_than: int
    ) -> dict[int, list[tuple[str, str]] | None]:
        """The indicators (kind, value) of each incident named that has any; None for one that
        holds ``fewer_than`` or more (full: its indicators are not read)."""
        ...

    def add_indicators(self, tx: Transaction, rows: Sequence[tuple[int, str, str]]) -> None:
        """(incident, kind, value) rows, in bulk, as given: the caller left out what exists."""
        ...

    def add_indicator(self, tx: Transaction, incident_id: int, kind: str, value: str) -> bool: ...

    def count_indicators(self, tx: Transaction, incident_id: int) -> int: ...

    def indicators(self, incident_id: int) -> list[tuple[str, str]]: ...

    def incidents_with_indicator(self, kind: str, value: str, limit: int) -> list[int]: ...

    def add_task(self, tx: Transaction, incident_id: int, title: str, at: int, by: str) -> int: ...

    def set_task(self, tx: Transaction, incident_id: int, task_id: int, done: bool) -> bool: ...

    def tasks(self, incident_id: int) -> list[dict[str, Any]]: ...

    def add_timeline(
        self, tx: Transaction, incident_id: int, at: int, actor: str, kind: str, text: str
    ) -> None: ...

    def add_timelines(
        self, tx: Transaction, lines: Sequence[tuple[int, int, str, str, str]]
    ) -> None:
        """Timeline lines (incident, at, actor, kind, text), in one statement."""
        ...

    def timeline(self, incident_id: int) -> list[dict[str, Any]]: ...

    def timeline_since(
        self, at: int, limit: int = 500, offset: int = 0
    ) -> list[dict[str, Any]]: ...

    def add_evidence(self, tx: Transaction, **values: Any) -> int: ...

    def evidence(self, incident_id: int) -> list[dict[str, Any]]: ...

    def evidence_item(self, evidence_id: int) -> dict[str, Any] | None: ...

    def add_custody(self, tx: Transaction, **values: Any) -> None: ...

    def mail_message(self, mailbox: str, message_id: str) -> dict[str, Any] | None:
        """A mail a report address took in (``mail_messages``), by its Message-ID."""
        ...

    def add_mail_message(self, tx: Transaction, **values: Any) -> None: ...

    def incidents_of_notice(self, notice_id: int) -> list[int]:
        """The incidents holding any event a notice carried, oldest first."""
        ...

    def custody(self, evidence_id: int) -> list[dict[str, Any]]: ...

    def append_audit(self, tx: Transaction, **content: Any) -> AuditEntry:
        """Append an entry chained to the last one. The sequence number is the primary key, so
        two writers racing for one number cannot both succeed: the loser retries."""
        ...

    def append_audits(
        self, tx: Transaction, contents: Sequence[dict[str, Any]]
    ) -> list[AuditEntry]:
        """Entries chained to the last one and to each other, in one statement."""
        ...

    def last_audit_seq(self) -> int: ...

    def audit(self, *, after: int = 0, limit: int = 1000) -> list[AuditEntry]: ...

    def audit_for(self, object_type: str, object_id: str, limit: int = 200) -> list[AuditEntry]: ...

    def audit_count(self, object_type: str, object_id: str, action: str, since: int) -> int:
        """How many entries of ``action`` about one object were written at ``since`` or later."""
        ...
