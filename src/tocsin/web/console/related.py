"""``/incidents/{id}/related`` (other incidents and events sharing an indicator) and
``/incidents/{id}/merge`` (fold this incident into another, named by its reference)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.cases.related import related
from tocsin.errors import InvalidValue, NotFound
from tocsin.web.console.deps import Acting, Desk, Form, People
from tocsin.web.console.incident import render_incident
from tocsin.web.console.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/incidents/{incident_id:int}/related", response_class=HTMLResponse)
def related_page(request: Request, incident_id: int, viewer: Acting, desk: Desk) -> HTMLResponse:
    found = related(desk, viewer.principal, incident_id)
    return render(
        request,
        "related.html",
        {"viewer": viewer, "i": desk.get(viewer.principal, incident_id), "found": found},
    )


@router.post("/incidents/{incident_id:int}/merge")
def merge(request: Request, incident_id: int, posted: Form, desk: Desk, people: People) -> Response:
    who = posted.viewer.principal
    reference = posted.form.get("into", "")
    try:
        target = desk.by_reference(who, reference)
    except NotFound:
        refused = InvalidValue("into", reference, "no incident you can see has this reference")
        return render_incident(
            request, posted.viewer, desk, people, incident_id, refused, posted.form
        )
    desk.merge(who, incident_id, target.id)
    return RedirectResponse(f"/incidents/{target.id}", status_code=303)
