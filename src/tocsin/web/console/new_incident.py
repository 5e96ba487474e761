"""``/incidents/new``: opening an incident by hand (a phone call, a mail from a constituent)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import InvalidValue
from tocsin.model.fields import PRIORITIES
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.model.tlp import TLP
from tocsin.web.common.deps import Acting, Cases, Form, Viewer
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

FIELDS = ("title", "type", "priority", "tlp", "constituent")
DEFAULTS = {"title": "", "type": "", "priority": "P3", "tlp": "AMBER", "constituent": ""}


@router.get("/incidents/new", response_class=HTMLResponse)
def new_incident_page(request: Request, viewer: Acting) -> HTMLResponse:
    return _form(request, viewer, DEFAULTS, None)


@router.post("/incidents/new")
def create_incident(request: Request, posted: Form, cases: Cases) -> Response:
    values = {name: posted.form.get(name, "").strip() for name in FIELDS}
    try:
        created = cases.create(
            posted.viewer.principal,
            title=values["title"],
            type=values["type"],
            priority=values["priority"],
            tlp=values["tlp"],
            constituent=values["constituent"] or None,
        )
    except InvalidValue as exc:
        return _form(request, posted.viewer, values, exc)
    return RedirectResponse(f"/incidents/{created.id}", status_code=303)


def _form(
    request: Request, viewer: Viewer, values: dict[str, str], error: InvalidValue | None
) -> HTMLResponse:
    return render(
        request,
        "new_incident.html",
        {
            "viewer": viewer,
            "active": "new",
            "values": values,
            "error": error,
            "error_id": f"c-{error.field}" if error and error.field in FIELDS else "",
            "types": sorted(TYPE_TO_TAXONOMY),
            "priorities": PRIORITIES,
            "tlps": [t.value_name for t in TLP],
        },
        status=400 if error else 200,
    )
