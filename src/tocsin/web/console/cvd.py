"""``/cvd``: the vulnerability cases for the duty desk to read: the list with states, vendors,
CVSS and embargo; a case with its vendors, products and communication log; the reporter's
contact for leads, admins and the handler (each reading audited by the service); and the CSAF
advisory as a download (a draft until the case is published past its embargo). Analysts, leads
and admins also change them here, as ``tocsin cvd`` does: open a case, move it through its
states, log a message to or from a party, add a vendor or set its status, name a product; the
service checks each change and audits it. Others see no form."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import Conflict, InvalidValue
from tocsin.formats.csaf import EmbargoInForce, Publisher
from tocsin.model import access
from tocsin.model.cvd import Direction, State, VendorStatus
from tocsin.web.common.deps import Acting, Config, Disclosures, Form, Viewer
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)


NEW_FIELDS = ("title", "reporter", "contact", "vendors", "description")


def may_change(viewer: Viewer) -> bool:
    """Whether the forms are shown: the service decides again on every change."""
    who = viewer.principal
    return who.role in access.WRITERS and "write" in who.scopes


@router.get("/cvd", response_class=HTMLResponse)
def cases(request: Request, viewer: Acting, cvd: Disclosures, state: str = "") -> HTMLResponse:
    return _cases(request, viewer, cvd, state, {}, None)


@router.post("/cvd")
def open_case(request: Request, posted: Form, cvd: Disclosures) -> Response:
    values = {name: posted.form.get(name, "").strip() for name in NEW_FIELDS}
    vendors = [v.strip() for v in values["vendors"].split(",") if v.strip()]
    try:
        made = cvd.create(
            posted.viewer.principal,
            title=values["title"],
            reporter=values["reporter"],
            contact=values["contact"],
            vendors=vendors,
            description=values["description"] or None,
        )
    except InvalidValue as exc:
        return _cases(request, posted.viewer, cvd, "", values, exc)
    return RedirectResponse(f"/cvd/{made.public_id}", status_code=303)


def _cases(
    request: Request,
    viewer: Viewer,
    cvd: Disclosures,
    state: str,
    values: dict[str, str],
    error: InvalidValue | None,
) -> HTMLResponse:
    try:
        found = cvd.list_cases(viewer.principal, state=state or None, limit=300)
        problem = ""
    except InvalidValue as exc:
        found, problem = [], str(exc)
    return render(
        request,
        "cvd_cases.html",
        {
            "viewer": viewer,
            "active": "cvd",
            "cases": found,
            "states": list(State),
            "state": state,
            "problem": problem,
            "values": values,
            "error": error,
            "error_id": f"v-{error.field}" if error and error.field in NEW_FIELDS else "",
            "may_change": may_change(viewer),
        },
        status=400 if error or problem else 200,
    )


@router.get("/cvd/{public_id}", response_class=HTMLResponse)
def case(request: Request, public_id: str, viewer: Acting, cvd: Disclosures) -> HTMLResponse:
    return _case(request, viewer, cvd, public_id, None)


@router.post("/cvd/{public_id}/move")
def move(request: Request, public_id: str, posted: Form, cvd: Disclosures) -> Response:
    form = posted.form
    return _change(
        request,
        posted.viewer,
        cvd,
        public_id,
        lambda case_id: cvd.move(
            posted.viewer.principal,
            case_id,
            form.get("state", ""),
            comment=form.get("comment", ""),
            duplicate_of=form.get("duplicate_of", "").strip() or None,
        ),
    )


@router.post("/cvd/{public_id}/log")
def log(request: Request, public_id: str, posted: Form, cvd: Disclosures) -> Response:
    form = posted.form
    return _change(
        request,
        posted.viewer,
        cvd,
        public_id,
        lambda case_id: cvd.log(
            posted.viewer.principal,
            case_id,
            direction=form.get("direction", ""),
            party=form.get("party", ""),
            text=form.get("text", ""),
            tlp=form.get("tlp", "AMBER"),
        ),
    )


@router.post("/cvd/{public_id}/vendors")
def vendor(request: Request, public_id: str, posted: Form, cvd: Disclosures) -> Response:
    form = posted.form
    return _change(
        request,
        posted.viewer,
        cvd,
        public_id,
        lambda case_id: cvd.set_vendor(
            posted.viewer.principal,
            case_id,
            form.get("name", ""),
            form.get("status", "") or None,
            advice=form.get("advice", "").strip() or None,
        ),
    )


@router.post("/cvd/{public_id}/products")
def product(request: Request, public_id: str, posted: Form, cvd: Disclosures) -> Response:
    form = posted.form
    return _change(
        request,
        posted.viewer,
        cvd,
        public_id,
        lambda case_id: cvd.add_product(
            posted.viewer.principal,
            case_id,
            vendor=form.get("vendor", ""),
            identifier=form.get("identifier", "").strip(),
        ),
    )


def _change(
    request: Request, viewer: Viewer, cvd: Disclosures, public_id: str, run: Callable[[int], object]
) -> Response:
    """Run one change of the case; back to its page, or the page again saying what was wrong."""
    found = cvd.by_public_id(viewer.principal, public_id)
    try:
        run(found.id)
    except (InvalidValue, Conflict) as exc:
        return _case(request, viewer, cvd, public_id, exc)
    return RedirectResponse(f"/cvd/{found.public_id}", status_code=303)


def _case(
    request: Request,
    viewer: Viewer,
    cvd: Disclosures,
    public_id: str,
    error: InvalidValue | Conflict | None,
) -> HTMLResponse:
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
            "may_change": may_change(viewer),
            "states": list(State),
            "directions": list(Direction),
            "vendor_states": list(VendorStatus),
            "error": error,
        },
        status=(409 if isinstance(error, Conflict) else 400) if error else 200,
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
