"""``/incidents/{id}/reporter``: the contact details of a report's reporter, for the incident's
assignee and leads; the service writes each reading to the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.web.common.deps import Acting, Cases, Reporting
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

LABELS = {
    "name": "Name",
    "email": "E-mail address",
    "phone": "Phone number",
    "victim_name": "Reporting for",
    "org_name": "Organisation",
    "interpreter": "Interpreter needed",
}


@router.get("/incidents/{incident_id:int}/reporter", response_class=HTMLResponse)
def reporter(
    request: Request, incident_id: PathId, viewer: Acting, cases: Cases, reports: Reporting
) -> HTMLResponse:
    contact = reports.contact(viewer.principal, incident_id)
    incident = cases.get(viewer.principal, incident_id)
    rows = [(LABELS[k], v) for k, v in contact.items() if k in LABELS]
    removed = contact.get("removed") == "retention"  # a tombstone (services/retention.py)
    context = {"viewer": viewer, "i": incident, "rows": rows, "removed": removed}
    response = render(request, "reporter.html", context)
    response.headers["cache-control"] = "no-store"
    return response
