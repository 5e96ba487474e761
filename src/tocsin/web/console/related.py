"""``/incidents/{id}/related`` (other incidents and events sharing an indicator) and
``/incidents/{id}/merge`` (fold this incident into another, named by its reference)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model.numbers import parse_id
from tocsin.services.types import Bulk
from tocsin.web.common.deps import CSRF_REFUSED, Acting, Cases, Cookies, Form, People, Services
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render
from tocsin.web.console.incident import render_incident

router = APIRouter(include_in_schema=False)


@router.get("/incidents/{incident_id:int}/related", response_class=HTMLResponse)
def related_page(
    request: Request, incident_id: PathId, viewer: Acting, desk: Services
) -> HTMLResponse:
    found = desk.related(viewer.principal, incident_id)
    return render(
        request,
        "related.html",
        {"viewer": viewer, "i": desk.incidents.get(viewer.principal, incident_id), "found": found},
    )


@router.post("/incidents/{incident_id:int}/split")
async def split(
    request: Request,
    incident_id: PathId,
    viewer: Acting,
    cases: Cases,
    people: People,
    sessions: Cookies,
) -> Response:
    """The ticked events become a new incident (same type, priority and TLP)."""
    form = await request.form()
    if not sessions.csrf_ok(viewer.session, form.get("csrf")):
        raise Forbidden(CSRF_REFUSED)
    ticked = [v for v in form.getlist("event") if isinstance(v, str)]
    chosen = [parse_id(v) for v in ticked]
    title = str(form.get("title") or "").strip()
    try:
        if None in chosen:
            raise InvalidValue("event", ticked[chosen.index(None)], "not an event of this incident")
        if not title:
            raise InvalidValue("title_split", title, "give the new incident a title")
        new = cases.split(viewer.principal, incident_id, [n for n in chosen if n], title)
    except InvalidValue as exc:
        fields = {"title_split": title}
        return render_incident(request, viewer, cases, people, incident_id, exc, fields)
    return RedirectResponse(f"/incidents/{new.id}", status_code=303)


@router.post("/incidents/{incident_id:int}/merge")
def merge(
    request: Request, incident_id: PathId, posted: Form, cases: Cases, people: People
) -> Response:
    who = posted.viewer.principal
    reference = posted.form.get("into", "")
    try:
        target = cases.by_reference(who, reference)
    except NotFound:
        refused = InvalidValue("into", reference, "no incident you can see has this reference")
        return render_incident(
            request, posted.viewer, cases, people, incident_id, refused, posted.form
        )
    if posted.form.get("confirm") != "yes":  # ask first, with what would differ
        plan = Bulk(cases).merge_plan(who, [incident_id, target.id], target.id)
        return render(
            request,
            "queue_merge.html",
            {
                "viewer": posted.viewer,
                "plan": plan,
                "single": plan.sources[0],
                "back": {},
            },
        )
    cases.merge(who, incident_id, target.id)
    return RedirectResponse(f"/incidents/{target.id}", status_code=303)
