"""``/api/v1/incidents``: the queue, one incident, and the desk's main moves, for API tokens.

Shapes here are the API's own (pydantic), not the store's rows; who may do what is decided by
the incident service, and its errors become problem+json in ``tocsin.web.app``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from tocsin.model.incident import Incident
from tocsin.model.queue import MAX_PAGE, SORTS, QueueQuery
from tocsin.model.sla import Clock
from tocsin.services.types import QueuePage
from tocsin.web.common.deps import ApiPrincipal, Cases, Services
from tocsin.web.common.params import Id, PathId

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}

router = APIRouter(
    prefix="/incidents",
    tags=["incidents"],
    responses={
        401: {"description": "No token, or an unknown or revoked one", **PROBLEM},
        404: {"description": "No such incident, or one the token's owner may not see", **PROBLEM},
    },
)
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A value failed its type (the detail names the field)", **PROBLEM},
    403: {"description": "A read-only token, or a role that may not change this", **PROBLEM},
}


class IncidentOut(BaseModel):
    id: int
    reference: str = Field(description="What people quote: TOC-2026-000042")
    title: str
    type: str = Field(description="RSIT classification type")
    priority: str = Field(description="P1 … P4")
    tlp: str = Field(description="TLP 2.0 colour: CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
    status: str = Field(description="new, acknowledged, in_progress, waiting, resolved, closed")
    constituent: str | None
    sector: str | None
    assignee_id: int | None
    created: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    source: str = Field(description="manual, rule:<name>, report:<reference>, split:<reference>")
    merged_into: int | None
    description: str = Field(default="", description="The desk's own words; never shared")
    tags: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, incident: Incident) -> IncidentOut:
        return cls(
            id=incident.id,
            reference=incident.reference,
            title=incident.title,
            type=incident.type,
            priority=incident.priority,
            tlp=incident.tlp,
            status=incident.status.value,
            constituent=incident.constituent,
            sector=incident.sector,
            assignee_id=incident.assignee_id,
            created=_at(incident.created),
            acknowledged_at=_time(incident.acknowledged_at),
            resolved_at=_time(incident.resolved_at),
            closed_at=_time(incident.closed_at),
            source=incident.source,
            merged_into=incident.merged_into,
            description=incident.description,
            tags=list(incident.tags),
        )


class ClockOut(BaseModel):
    """Seconds left against the SLA targets; negative once late, null once that step is done."""

    acknowledge_left: int | None
    resolve_left: int | None
    paused: bool = Field(description="Waiting on an outside party: the resolve clock stands still")
    breached: list[str] = Field(description="acknowledge and/or resolve")

    @classmethod
    def of(cls, clock: Clock) -> ClockOut:
        return cls(
            acknowledge_left=clock.acknowledge_left,
            resolve_left=clock.resolve_left,
            paused=clock.paused,
            breached=sorted(clock.breached),
        )


class QueueItem(BaseModel):
    incident: IncidentOut
    clock: ClockOut


class Indicator(BaseModel):
    kind: str = Field(description="ip, network, fqdn, url, hash, email, phone or wallet")
    value: str


class Task(BaseModel):
    id: int
    title: str
    done: bool
    created: datetime
    created_by: str


class TimelineLine(BaseModel):
    at: datetime
    actor: str
    kind: str = Field(description="note, status, assign, priority, task, indicator, sla, …")
    text: str


class NoticeOut(BaseModel):
    id: int
    priority: str
    recipient: str = Field(description="The constituent the notice went to")
    events: int = Field(description="How many events it carried")
    status: str = Field(description="pending, sent, deferred, failed or bounced")
    sent_at: datetime | None
    acknowledged_at: datetime | None

    @classmethod
    def of(cls, row: dict[str, Any]) -> NoticeOut:
        return cls(
            id=row["id"],
            priority=row["priority"],
            recipient=row["recipient"],
            events=row["events"],
            status=row["status"],
            sent_at=_at(row["sent_at"]) if row["sent_at"] is not None else None,
            acknowledged_at=_at(row["acknowledged_at"])
            if row["acknowledged_at"] is not None
            else None,
        )


class IncidentDetail(BaseModel):
    incident: IncidentOut
    clock: ClockOut
    indicators: list[Indicator]
    tasks: list[Task]
    timeline: list[TimelineLine] = Field(description="Oldest first")
    notices: list[NoticeOut] = Field(
        description="The notices its events went out in, newest first (staff only)"
    )


class NewIncident(BaseModel):
    title: str
    type: str = Field(description="RSIT classification type, e.g. phishing")
    priority: str = Field(description="P1 … P4")
    tlp: str = "AMBER"
    constituent: str | None = None
    indicators: list[Indicator] = Field(default_factory=list)


class TransitionIn(BaseModel):
    status: str = Field(description="The state to move to; the current state decides which")
    comment: str = ""


class NoteIn(BaseModel):
    text: str


class AssignIn(BaseModel):
    assignee_id: Id | None = Field(description="A team member who works incidents; null: nobody")


@router.get(
    "",
    response_model=list[QueueItem],
    summary="The queue: open incidents, most urgent first, a page at a time",
    description="The open incidents the token's owner may see, filtered and ordered as the "
    "console's queue (`/console` takes the same parameters). The total is in `X-Total-Count`; "
    "the first, previous, next and last pages are in `Link` (RFC 8288).",
    responses={400: {"description": "A filter's value is not one the queue knows", **PROBLEM}},
)
def queue(
    request: Request,
    response: Response,
    cases: Cases,
    who: ApiPrincipal,
    mine: Annotated[bool, Query(description="Only those assigned to me (assignee=me)")] = False,
    priority: Annotated[str, Query(description="P1 … P4")] = "",
    kind: Annotated[str, Query(alias="type", description="RSIT classification type")] = "",
    constituent: Annotated[
        str, Query(max_length=200, description="A prefix of its name, any case")
    ] = "",
    sector: Annotated[str, Query(description="A sector of the registry's list")] = "",
    assignee: Annotated[str, Query(description='"me", "none" or a person\'s id')] = "",
    status: Annotated[str, Query(description="new, acknowledged, in_progress or waiting")] = "",
    tlp: Annotated[str, Query(description="CLEAR, GREEN, AMBER, AMBER+STRICT or RED")] = "",
    source: Annotated[str, Query(description="manual, rule or report")] = "",
    breached: Annotated[bool, Query(description="Only those whose SLA was breached")] = False,
    sort: Annotated[str, Query(description=", ".join(SORTS))] = "urgency",
    direction: Annotated[str, Query(alias="dir", description="asc or desc")] = "asc",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(description="25, 50, 100 or 200")] = 100,
) -> list[QueueItem]:
    given = {
        "priority": priority,
        "type": kind,
        "constituent": constituent,
        "sector": sector,
        "assignee": assignee or ("me" if mine else ""),
        "status": status,
        "tlp": tlp,
        "source": source,
        "breached": "yes" if breached else "",
        "sort": sort,
        "dir": direction,
        "page": str(page),
        "per_page": str(per_page),
    }
    found = cases.page(who, QueueQuery.parse(given))
    response.headers["X-Total-Count"] = str(found.total)
    response.headers["Link"] = _links(str(request.url.remove_query_params("page")), found)
    return [
        QueueItem(incident=IncidentOut.of(row.incident), clock=ClockOut.of(row.clock))
        for row in found.rows
    ]


def _links(base: str, found: QueuePage) -> str:
    """The Link header of a page: first, previous, next and last (RFC 8288)."""
    here, last = found.query.page, found.pages
    wanted = {"first": 1, "prev": here - 1, "next": here + 1, "last": last}
    joiner = "&" if "?" in base else "?"
    return ", ".join(
        f'<{base}{joiner}page={n}>; rel="{rel}"' for rel, n in wanted.items() if 1 <= n <= last
    )


@router.get("/{incident_id}", response_model=IncidentDetail, summary="One incident")
def get_incident(incident_id: PathId, desk: Services, who: ApiPrincipal) -> IncidentDetail:
    found = desk.dossier(who, incident_id)
    return IncidentDetail(
        incident=IncidentOut.of(found.incident),
        clock=ClockOut.of(found.clock),
        indicators=[Indicator(kind=k, value=v) for k, v in found.indicators],
        tasks=[_task(t) for t in found.tasks],
        timeline=[
            TimelineLine(at=_at(x["at"]), actor=x["actor"], kind=x["kind"], text=x["text"])
            for x in found.timeline
        ],
        notices=[NoticeOut.of(n) for n in found.notices],
    )


@router.post(
    "",
    status_code=201,
    response_model=IncidentOut,
    summary="Open an incident",
    responses=WRITE_ERRORS,
)
def create_incident(
    body: NewIncident, request: Request, response: Response, cases: Cases, who: ApiPrincipal
) -> IncidentOut:
    created = cases.create(
        who,
        title=body.title,
        type=body.type,
        priority=body.priority,
        tlp=body.tlp,
        constituent=body.constituent,
        indicators=[(x.kind, x.value) for x in body.indicators],
    )
    response.headers["location"] = str(request.url_for("get_incident", incident_id=created.id))
    return IncidentOut.of(created)


@router.post(
    "/{incident_id}/transition",
    response_model=IncidentOut,
    summary="Move in the workflow",
    responses={**WRITE_ERRORS, 409: {"description": "Not a move this state allows", **PROBLEM}},
)
def transition(
    incident_id: PathId, body: TransitionIn, cases: Cases, who: ApiPrincipal
) -> IncidentOut:
    return IncidentOut.of(cases.transition(who, incident_id, body.status, body.comment))


@router.post(
    "/{incident_id}/notes",
    status_code=204,
    summary="Add a note to the timeline",
    responses=WRITE_ERRORS,
)
def add_note(incident_id: PathId, body: NoteIn, cases: Cases, who: ApiPrincipal) -> Response:
    cases.add_note(who, incident_id, body.text)
    return Response(status_code=204)


@router.post(
    "/{incident_id}/assign",
    response_model=IncidentOut,
    summary="Assign (or unassign)",
    responses=WRITE_ERRORS,
)
def assign(incident_id: PathId, body: AssignIn, cases: Cases, who: ApiPrincipal) -> IncidentOut:
    return IncidentOut.of(cases.assign(who, incident_id, body.assignee_id))


class MergeIn(BaseModel):
    into: Id = Field(description="The incident that takes everything; this one closes")


class SplitIn(BaseModel):
    event_ids: list[Id] = Field(min_length=1, description="Linked events to move")
    title: str = Field(min_length=1, max_length=300)


class RelatedOut(BaseModel):
    incidents: list[IncidentOut]
    shared: list[str] = Field(description="For each incident, the indicator it shares")
    events: list[dict[str, Any]] = Field(description="Stored events sharing an indicator")


@router.post(
    "/{incident_id}/merge",
    response_model=IncidentOut,
    summary="Merge into another incident",
    responses={**WRITE_ERRORS, 409: {"description": "Merged already, or into itself", **PROBLEM}},
)
def merge(incident_id: PathId, body: MergeIn, cases: Cases, who: ApiPrincipal) -> IncidentOut:
    return IncidentOut.of(cases.merge(who, incident_id, body.into))


@router.post(
    "/{incident_id}/split",
    response_model=IncidentOut,
    status_code=201,
    summary="Split linked events off into a new incident",
    responses=WRITE_ERRORS,
)
def split(incident_id: PathId, body: SplitIn, cases: Cases, who: ApiPrincipal) -> IncidentOut:
    return IncidentOut.of(cases.split(who, incident_id, body.event_ids, body.title))


@router.get(
    "/{incident_id}/related",
    response_model=RelatedOut,
    summary="Incidents and events sharing an indicator (capped)",
)
def related_items(incident_id: PathId, desk: Services, who: ApiPrincipal) -> RelatedOut:
    found = desk.related(who, incident_id)
    return RelatedOut(
        incidents=[IncidentOut.of(i) for i, _ in found.incidents],
        shared=[why for _, why in found.incidents],
        events=[e for e, _ in found.events],
    )


def _task(row: dict[str, Any]) -> Task:
    return Task(
        id=row["id"],
        title=row["title"],
        done=bool(row["done"]),
        created=_at(row["created"]),
        created_by=row["created_by"],
    )


def _at(moment: int) -> datetime:
    return datetime.fromtimestamp(moment, tz=UTC)


def _time(moment: int | None) -> datetime | None:
    return None if moment is None else _at(moment)
