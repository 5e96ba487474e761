"""``/incidents/{id}``: one incident, and the small forms that change it (each POST redirects
back to the page; a refused value shows the page again with the message at its field)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.constituent import Constituent
from tocsin.model.event import Event
from tocsin.model.fields import PRIORITIES
from tocsin.model.incident import TRANSITIONS, IndicatorKind
from tocsin.model.numbers import parse_id
from tocsin.model.people import Principal
from tocsin.services.types import offered
from tocsin.web.common import deps, texts
from tocsin.web.common.deps import Acting, Cases, Form, People, Posted, Viewer
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render
from tocsin.web.console.names import member_names, name_of

router = APIRouter(include_in_schema=False)

# The field a service names in InvalidValue → the id of the input it came from.
FIELD_IDS = {
    "status": "t-comment",
    "comment": "t-comment",
    "assignee": "a-assignee",
    "priority": "p-priority",
    "note": "n-text",
    "task": "k-title",
    "indicator": "i-value",
    "file": "e-file",
    "into": "m-into",
    "title_split": "s-title",
    "events": "s-title",
    "playbook": "b-playbook",
    "description": "d-description",
    "tags": "d-tags",
}


@router.get("/incidents/{incident_id:int}", response_class=HTMLResponse)
def incident_view(
    request: Request, incident_id: PathId, viewer: Acting, cases: Cases, people: People
) -> HTMLResponse:
    return render_incident(request, viewer, cases, people, incident_id)


@router.post("/incidents/{incident_id:int}/transition")
def transition(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    form, who = posted.form, posted.viewer.principal
    return _act(
        request,
        posted,
        cases,
        people,
        incident_id,
        lambda: cases.transition(who, incident_id, form.get("status", ""), form.get("comment", "")),
    )


@router.post("/incidents/{incident_id:int}/assign")
def assign(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    who = posted.viewer.principal

    def run() -> object:
        return cases.assign(who, incident_id, _assignee(posted.form.get("assignee", ""), who))

    return _act(request, posted, cases, people, incident_id, run)


@router.post("/incidents/{incident_id:int}/priority")
def set_priority(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    who, value = posted.viewer.principal, posted.form.get("priority", "")
    return _act(
        request,
        posted,
        cases,
        people,
        incident_id,
        lambda: cases.set_priority(who, incident_id, value),
    )


@router.post("/incidents/{incident_id:int}/describe")
def describe(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    who, form = posted.viewer.principal, posted.form
    return _act(
        request,
        posted,
        cases,
        people,
        incident_id,
        lambda: cases.describe(
            who, incident_id, description=form.get("description", ""), tags=form.get("tags", "")
        ),
    )


@router.post("/incidents/{incident_id:int}/notes")
def add_note(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    who, text = posted.viewer.principal, posted.form.get("text", "")
    return _act(
        request, posted, cases, people, incident_id, lambda: cases.add_note(who, incident_id, text)
    )


@router.post("/incidents/{incident_id:int}/tasks")
def add_task(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    who, title = posted.viewer.principal, posted.form.get("title", "")
    return _act(
        request, posted, cases, people, incident_id, lambda: cases.add_task(who, incident_id, title)
    )


@router.post("/incidents/{incident_id:int}/playbook")
def add_playbook(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    """The chosen playbook's tasks, those the incident has not yet, in one step."""
    who, name = posted.viewer.principal, posted.form.get("playbook", "")

    def run() -> object:
        book = deps.desk(request).playbooks.get(name)
        if book is None:
            raise InvalidValue("playbook", name, "choose one of the playbooks")
        return cases.add_tasks(who, incident_id, book.tasks, f"playbook {book.title}")

    return _act(request, posted, cases, people, incident_id, run)


@router.post("/incidents/{incident_id:int}/tasks/{task_id:int}")
def set_task(
    request: Request,
    incident_id: PathId,
    task_id: PathId,
    posted: Form,
    cases: Cases,
    people: People,
) -> Response:
    who, done = posted.viewer.principal, posted.form.get("done") == "1"
    return _act(
        request,
        posted,
        cases,
        people,
        incident_id,
        lambda: cases.set_task(who, incident_id, task_id, done),
    )


@router.post("/incidents/{incident_id:int}/indicators")
def add_indicator(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    who, form = posted.viewer.principal, posted.form
    return _act(
        request,
        posted,
        cases,
        people,
        incident_id,
        lambda: cases.add_indicator(who, incident_id, form.get("kind", ""), form.get("value", "")),
    )


def _assignee(value: str, who: Principal) -> int | None:
    if value in ("", "nobody"):
        return None
    if value == "me":
        return who.user_id
    chosen = parse_id(value)
    if chosen is None:
        raise InvalidValue("assignee", value, "choose a member of the team")
    return chosen


def _act(
    request: Request,
    posted: Posted,
    cases: Cases,
    people: People,
    incident_id: PathId,
    action: Callable[[], object],
) -> Response:
    """Run the change and go back to the incident (303); a refused value shows it again (400)."""
    try:
        action()
    except InvalidValue as exc:
        return render_incident(request, posted.viewer, cases, people, incident_id, exc, posted.form)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def render_incident(
    request: Request,
    viewer: Viewer,
    cases: Cases,
    people: People,
    incident_id: int,
    error: InvalidValue | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    found = deps.desk(request).dossier(viewer.principal, incident_id, full=True)
    reports = deps.reports(request)
    report = reports.for_incident(viewer.principal, incident_id)
    names = member_names(people, viewer.principal)
    field = error.field.split(" ")[0] if error else ""
    return render(
        request,
        "incident.html",
        {
            "viewer": viewer,
            "d": found,
            "i": found.incident,
            "can_change": access.can_change(viewer.principal, found.incident),
            "next_states": TRANSITIONS[found.incident.status],
            "members": sorted(
                (
                    (u.id, u.display_name or u.username)
                    for u in people.team_members(viewer.principal)
                ),
                key=lambda item: item[1].lower(),
            ),
            "assignee": name_of(names, found.incident.assignee_id),
            "priorities": PRIORITIES,
            "kinds": [k.value for k in IndicatorKind],
            "error": error,
            "error_id": FIELD_IDS.get(field, ""),
            "values": values or {},
            "report": report,
            "may_contact": reports.may_read_contact(viewer.principal, found.incident),
            "report_texts": texts,
            "playbooks": offered(deps.desk(request).playbooks, found.incident.type),
            "member": _constituent(request, viewer.principal, found.incident.constituent),
            "networks": networks(found.events),
        },
        status=400 if error else 200,
    )


def _constituent(request: Request, who: Principal, name: str | None) -> Constituent | None:
    """The incident's constituent as the registry has it (its sector, country, abuse contact),
    for the staff; None when it has none or the registry no longer names it."""
    if not name or who.role not in access.STAFF:
        return None
    try:
        return deps.desk(request).registry.get(who, name)
    except NotFound:
        return None


def networks(events: list[tuple[int, Event]]) -> list[tuple[str, str, str, int]]:
    """Where the linked events come from: (ASN, AS name, country, events), the most first."""
    counted = Counter(
        (
            str(e.get("source.asn") or ""),
            str(e.get("source.as_name") or ""),
            str(e.get("source.geolocation.cc") or ""),
        )
        for _, e in events
    )
    return [(*key, n) for key, n in counted.most_common(10) if any(key)]
