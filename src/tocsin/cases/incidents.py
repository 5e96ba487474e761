"""The incident workflow: create, move, assign, annotate, link, merge and split — each change in
one transaction with its timeline line and its audit entry. Reading and the record of a change
are in ``incident_record``; the queue and its SLA clocks in ``queue``.

Past 400 lines on purpose: every change of an incident takes the same steps (the row locked and
checked for the person, the change, its line and entry); kept together, a reader sees that none
of them skips one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tocsin.cases.incident_rows import Opening, checked, row
from tocsin.cases.queue import IncidentQueue, QueueRow
from tocsin.errors import Conflict, InvalidValue, NotFound
from tocsin.model import access, types
from tocsin.model.fields import priority as sanitize_priority
from tocsin.model.incident import (
    OPEN,
    WORKFLOW,
    Incident,
    Status,
    indicator,
    reference,
)
from tocsin.model.incident import tags as tag_list
from tocsin.model.limits import bounded
from tocsin.model.people import Principal
from tocsin.model.tlp import TLP
from tocsin.model.workflow import IllegalTransition, Workflow
from tocsin.store.shapes import Transaction


class Incidents(IncidentQueue):
    """The desk's incident service; ``now`` is injected so that tests move time."""

    workflow: Workflow[Status] = WORKFLOW

    # -- creating --------------------------------------------------------------------------------

    def create(
        self,
        who: Principal,
        *,
        title: str,
        type: str,  # the RSIT word, as everywhere in Tocsin
        priority: str,
        tlp: str = "AMBER",
        org_id: int | None = None,
        constituent: str | None = None,
        sector: str | None = None,
        source: str = "manual",
        group_key: str | None = None,
        event_ids: Sequence[int] = (),
        indicators: Sequence[tuple[str, str]] = (),
        details: dict[str, Any] | None = None,
    ) -> Incident:
        access.require(who, *access.WRITERS, scope="write")
        owner = org_id if org_id is not None else who.org_id
        if owner is None:
            raise InvalidValue("org_id", None, "an incident belongs to an organisation")
        values = checked(title, type, priority, tlp, source)
        clean = [
            InvalidValue.check(f"indicator {k}", (k, v), lambda kv: indicator(*kv))
            for k, v in indicators
        ]
        with self.store.transaction() as conn:
            return self.insert(
                conn,
                who,
                values,
                owner,
                constituent=constituent,
                sector=sector,
                source=source,
                group_key=group_key,
                event_ids=event_ids,
                indicators=clean,
                details=details,
            )

    def insert(
        self,
        conn: Transaction,
        who: Principal,
        values: dict[str, Any],
        owner: int,
        *,
        constituent: str | None = None,
        sector: str | None = None,
        source: str = "manual",
        group_key: str | None = None,
        event_ids: Sequence[int] = (),
        indicators: Sequence[tuple[Any, str]] = (),
        details: dict[str, Any] | None = None,
    ) -> Incident:
        """A new incident inside the caller's transaction, from checked ``values`` (title, type,
        priority, tlp): the number, the row, its events and indicators, the timeline and audit."""
        now = self.now()
        year = datetime.fromtimestamp(now, tz=UTC).year
        number = self.cases.next_number(conn, f"incident:{year}")
        opening = Opening(values, constituent, sector, source, group_key, details)
        incident = self.cases.add_incident(conn, row(opening, reference(year, number), owner, now))
        self.cases.link_events(conn, incident.id, list(event_ids))
        for kind, value in indicators:
            self.cases.add_indicator(conn, incident.id, kind.value, value)
        self.record(conn, who, incident, "incident.create", "created", f"opened: {values['title']}")
        self.keep_strictest(conn, who, incident)
        return incident

    # -- the workflow ----------------------------------------------------------------------------

    def transition(
        self, who: Principal, incident_id: int, status: str, comment: str = ""
    ) -> Incident:
        said = bounded("incident.comment", comment)
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            try:
                wanted = Status(status)
            except ValueError:
                raise InvalidValue("status", status, "not a workflow state") from None
            try:
                self.workflow.check(incident.status, wanted)
            except IllegalTransition as exc:
                raise Conflict(str(exc)) from None
            if wanted in (Status.RESOLVED, Status.CLOSED) and not said:
                raise InvalidValue("comment", "", f"say why it is {wanted.label}")
            self.cases.update_incident(conn, incident.id, **_moved(incident, wanted, self.now()))
            text = f"{incident.status.label} → {wanted.label}"
            if said:
                text = f"{text}: {said}"
            self.record(
                conn,
                who,
                incident,
                "incident.transition",
                "status",
                text,
                {"from": incident.status.value, "to": wanted.value},
            )
            updated = self.cases.incident(incident.id, conn)
        assert updated is not None
        return updated

    def assign(self, who: Principal, incident_id: int, assignee_id: int | None) -> Incident:
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            name = "nobody"
            if assignee_id is not None:
                user = self.store.people.user(assignee_id)
                name = access.assignee(
                    "assignee", assignee_id, user, incident.org_id, work="work incidents"
                )
            self.cases.update_incident(conn, incident.id, assignee_id=assignee_id)
            self.record(
                conn,
                who,
                incident,
                "incident.assign",
                "assign",
                f"assigned to {name}",
                {"assignee": name},
            )
            updated = self.cases.incident(incident.id, conn)
        assert updated is not None
        return updated

    def set_priority(self, who: Principal, incident_id: int, priority: str) -> Incident:
        value = InvalidValue.check("priority", priority, sanitize_priority)
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            self.cases.update_incident(conn, incident.id, priority=value)
            self.record(
                conn,
                who,
                incident,
                "incident.priority",
                "priority",
                f"priority {incident.priority} → {value}",
                {"from": incident.priority, "to": value},
            )
        return self.get(who, incident_id)

    def describe(
        self,
        who: Principal,
        incident_id: int,
        *,
        description: str | None = None,
        tags: str | Sequence[str] | None = None,
    ) -> Incident:
        """Set the description, the tags, or both (None leaves one as it is); a change is one
        timeline line and one audit entry, and nothing changed writes nothing."""
        changes: dict[str, Any] = {}
        if description is not None:
            text = InvalidValue.check("description", description, types.string).strip()
            changes["description"] = bounded("incident.description", text)
        if tags is not None:
            changes["tags"] = list(InvalidValue.check("tags", tags, tag_list))
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            before = {"description": incident.description, "tags": list(incident.tags)}
            changed = {k: v for k, v in changes.items() if before[k] != v}
            if not changed:
                return incident
            self.cases.update_incident(conn, incident.id, details=incident.details | changed)
            said = []
            if "description" in changed:
                said.append("description changed" if before["description"] else "described")
            if "tags" in changed:
                added = sorted(set(changed["tags"]) - set(before["tags"]))
                gone = sorted(set(before["tags"]) - set(changed["tags"]))
                said.append("tags " + " ".join([f"+{t}" for t in added] + [f"−{t}" for t in gone]))
            self.record(
                conn,
                who,
                incident,
                "incident.describe",
                "described",
                "; ".join(said),
                {"fields": sorted(changed), "tags": changed.get("tags", before["tags"])},
            )
        return self.get(who, incident_id)

    # -- notes, tasks, indicators, events --------------------------------------------------------

    def add_note(self, who: Principal, incident_id: int, text: str) -> None:
        body = bounded("incident.note", InvalidValue.check("note", text, types.string))
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            self.record(conn, who, incident, "incident.note", "note", body, {"length": len(body)})

    def add_task(self, who: Principal, incident_id: int, title: str) -> int:
        text = bounded("incident.task", InvalidValue.check("task", title, types.string))
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            task_id = self.cases.add_task(conn, incident.id, text, self.now(), who.username)
            self.record(
                conn, who, incident, "task.create", "task", f"task: {text}", {"task": task_id}
            )
        return task_id

    def add_tasks(
        self, who: Principal, incident_id: int, titles: Sequence[str], source: str
    ) -> list[int]:
        """Several tasks in one step (a playbook's, named in ``source``), in one transaction
        with one timeline line; a task the incident already has (the same title) is not added
        again, so a playbook applied twice adds nothing the second time."""
        texts = [
            bounded("incident.task", InvalidValue.check("task", t, types.string)) for t in titles
        ]
        said = bounded("incident.task", source)
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            known = {task["title"] for task in self.cases.tasks(incident.id)}
            added = []
            for text in texts:
                if text and text not in known:
                    known.add(text)
                    added.append(
                        self.cases.add_task(conn, incident.id, text, self.now(), who.username)
                    )
            self.record(
                conn,
                who,
                incident,
                "task.create",
                "task",
                f"{said}: {len(added)} task(s) added",
                {"tasks": added, "source": said},
            )
        return added

    def set_task(self, who: Principal, incident_id: int, task_id: int, done: bool) -> None:
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            if not self.cases.set_task(conn, incident.id, task_id, done):
                raise NotFound("no such task on this incident")
            state = "done" if done else "open again"
            self.record(
                conn,
                who,
                incident,
                "task.update",
                "task",
                f"task {task_id} {state}",
                {"task": task_id, "done": done},
            )

    def add_indicator(self, who: Principal, incident_id: int, kind: str, value: str) -> None:
        found_kind, clean = InvalidValue.check(
            "indicator", (kind, value), lambda kv: indicator(*kv)
        )
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            if self.cases.add_indicator(conn, incident.id, found_kind.value, clean):
                self.record(
                    conn,
                    who,
                    incident,
                    "indicator.add",
                    "indicator",
                    f"{found_kind}: {clean}",
                    {"kind": found_kind.value, "value": clean},
                )

    def link_events(self, who: Principal, incident_id: int, event_ids: Sequence[int]) -> int:
        with self.store.transaction() as conn:
            incident = access.changeable(who, self.cases.incident(incident_id, conn))
            added = self.cases.link_events(conn, incident.id, list(event_ids))
            if added:
                self.record(
                    conn,
                    who,
                    incident,
                    "incident.link",
                    "link",
                    f"{added} event(s) linked",
                    {"events": added},
                )
                self.keep_strictest(conn, who, incident)
        return added

    def keep_strictest(
        self, conn: Transaction, who: Principal, incident: Incident, *others: TLP
    ) -> None:
        """An incident is at least as restrictive as each of its linked events and ``others``
        (the incidents merged into it): raise its TLP if it is not, with its record."""
        labels = [TLP.parse(incident.tlp), *others]
        strictest_event = self.cases.strictest_event_tlp(conn, incident.id)
        if strictest_event is not None:
            labels.append(TLP(strictest_event))
        wanted = TLP.most_restrictive(*labels).value_name
        if wanted == incident.tlp:
            return
        self.cases.update_incident(conn, incident.id, tlp=wanted)
        self.record(
            conn,
            who,
            incident,
            "incident.tlp",
            "tlp",
            f"TLP raised from {incident.tlp} to {wanted} to cover what it now holds",
            {"from": incident.tlp, "to": wanted},
        )

    # -- merge and split -------------------------------------------------------------------------

    def merge(self, who: Principal, source_id: int, target_id: int) -> Incident:
        """Move everything of ``source`` into ``target``; ``source`` closes, pointing at it."""
        if source_id == target_id:
            raise Conflict("an incident cannot be merged into itself")
        with self.store.transaction() as conn:
            source = access.changeable(who, self.cases.incident(source_id, conn))
            target = access.changeable(who, self.cases.incident(target_id, conn))
            if source.merged_into is not None or target.merged_into is not None:
                raise Conflict("one of these incidents was merged already")
            moved = self.cases.move_events(conn, source.id, target.id, [])
            for kind, value in self.cases.indicators(source.id):
                self.cases.add_indicator(conn, target.id, kind, value)
            now = self.now()
            self.cases.update_incident(
                conn, source.id, merged_into=target.id, status=Status.CLOSED, closed_at=now
            )
            self.record(
                conn,
                who,
                source,
                "incident.merge",
                "merge",
                f"merged into {target.reference}",
                {"into": target.reference},
            )
            self.record(
                conn,
                who,
                target,
                "incident.merge",
                "merge",
                f"{source.reference} merged in ({moved} event(s))",
                {"from": source.reference},
            )
            self.keep_strictest(conn, who, target, TLP.parse(source.tlp))
            updated = self.cases.incident(target.id, conn)
        assert updated is not None
        return updated

    def split(
        self, who: Principal, incident_id: int, event_ids: Sequence[int], title: str
    ) -> Incident:
        """A new incident with some of this one's events, same type, priority and TLP."""
        if not event_ids:
            raise InvalidValue("events", [], "choose the events to split off")
        source = access.changeable(who, self.cases.incident(incident_id))
        new = self.create(
            who,
            title=title,
            type=source.type,
            priority=source.priority,
            tlp=source.tlp,
            org_id=source.org_id,
            constituent=source.constituent,
            sector=source.sector,
            source=f"split:{source.reference}",
        )
        with self.store.transaction() as conn:
            moved = self.cases.move_events(conn, source.id, new.id, list(event_ids))
            self.record(
                conn,
                who,
                source,
                "incident.split",
                "split",
                f"{moved} event(s) split off into {new.reference}",
                {"into": new.reference},
            )
        return new

    # -- SLA clocks ------------------------------------------------------------------------------


def _moved(incident: Incident, wanted: Status, now: int) -> dict[str, Any]:
    """What a move to ``wanted`` changes: the state, and the clocks' times it starts or stops."""
    changes: dict[str, Any] = {"status": wanted}
    if incident.status is Status.WAITING:  # the resolve clock runs again
        changes["waited"] = incident.waited + max(now - (incident.waiting_since or now), 0)
        changes["waiting_since"] = None
    if wanted is Status.WAITING:
        changes["waiting_since"] = now
    if incident.acknowledged_at is None and wanted is not Status.NEW:
        changes["acknowledged_at"] = now
    if wanted is Status.RESOLVED:
        changes["resolved_at"] = now
    if wanted is Status.CLOSED:
        changes["closed_at"] = now
    if wanted is Status.IN_PROGRESS and incident.status in (Status.RESOLVED, Status.CLOSED):
        changes.update(resolved_at=None, closed_at=None)  # a reopen
    return changes


__all__ = ["OPEN", "Incidents", "QueueRow"]
