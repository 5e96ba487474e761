"""``/cvd``: the vulnerability cases for the duty desk to read: the list with states, vendors,
CVSS and embargo; a case with its vendors, products and communication log; the reporter's
contact for leads, admins and the handler (each reading audited by the service); and the CSAF
advisory as a download (a draft until the case is published past its embargo). Cases are changed
with ``tocsin cvd``, whose every change is audited."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from tocsin.errors import InvalidValue
from tocsin.formats.csaf import EmbargoInForce, Publisher
from tocsin.model.cvd import State
from tocsin.web.common.deps import Acting, Config, Disclosures
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/cvd", response_class=HTMLResponse)
def cases(request: Request, viewer: Acting, cvd: Disclosures, state: str = "") -> HTMLResponse:
    try:
        found = cvd.list_cases(viewer.principal, state=state or None, limit=300)
        error = ""
    except InvalidValue as exc:
        found, error = [], str(exc)
    return render(
        request,
        "cvd_cases.html",
        {
            "viewer": viewer,
            "active": "cvd",
            "cases": found,
            "states": list(State),
            "state": state,
            "error": error,
        },
        status=400 if error else 200,
    )


@router.get("/cvd/{public_id}", response_class=HTMLResponse)
def case(request: Request, public_id: str, viewer: Acting, cvd: Disclosures) -> HTMLResponse:
    found = cvd.by_public_id(viewer.principal, public_id)
    return render(
        request,
        "cvd_case.html",
        {
            "viewer": viewer,
            "active": "cvd",
            "case": found,
            "log": cvd.messages(viewer.principal, found.id),
            "may_read_contact": cvd.may_read_contact(viewer.principal, found),
        },
    )


@router.get("/cvd/{public_id}/contact", response_class=HTMLResponse)
def contact(request: Request, public_id: str, viewer: Acting, cvd: Disclosures) -> HTMLResponse:
    found = cvd.by_public_id(viewer.principal, public_id)
    text = cvd.contact(viewer.principal, found.id)  # refuses others; audits the reading
    response = render(
        request,
        "cvd_contact.html",
        {"viewer": viewer, "active": "cvd", "case": found, "contact": text},
    )
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/cvd/{public_id}/advisory.json")
def advisory(public_id: str, viewer: Acting, cvd: Disclosures, settings: Config) -> Response:
    found = cvd.by_public_id(viewer.principal, public_id)
    publisher = Publisher(settings.notify_team, settings.public_url)
    final = found.state is State.PUBLISHED
    try:
        document = cvd.advisory(viewer.principal, found.id, publisher=publisher, draft=not final)
    except EmbargoInForce:
        document = cvd.advisory(viewer.principal, found.id, publisher=publisher, draft=True)
    name = f"{found.public_id.lower()}.json"
    return Response(
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
