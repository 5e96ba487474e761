"""``/contacts``: the directory of 24/7 points of contact and central authorities, by country,
with the contacts not confirmed reachable for 12 months marked stale; a form to add one, to
change one (a new version, every version kept) and to confirm one reachable now. Liaisons, leads
and admins change it; auditors read it; nobody else finds it (404, as the service answers)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import InvalidValue
from tocsin.services.types import Contact
from tocsin.web.common.deps import Acting, Form, Services, Viewer
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

FIELDS = (
    "country",
    "authority",
    "kind",
    "channel",
    "address",
    "languages",
    "timezone",
    "office_hours",
    "notes",
)
KINDS = ("24/7", "central_authority", "provider", "registrar")
CHANNELS = ("tocsin", "email", "phone", "e-codex", "post")


@router.get("/contacts", response_class=HTMLResponse)
def directory(request: Request, viewer: Acting, desk: Services, country: str = "") -> HTMLResponse:
    return _page(request, viewer, desk, country, {}, None)


@router.post("/contacts")
def add(request: Request, posted: Form, desk: Services) -> Response:
    values = {name: posted.form.get(name, "").strip() for name in FIELDS}
    try:
        desk.contacts.add(posted.viewer.principal, **values)
    except InvalidValue as exc:
        return _page(request, posted.viewer, desk, "", values, exc)
    return RedirectResponse(f"/contacts?country={values['country'].upper()}", status_code=303)


@router.get("/contacts/{contact_id:int}", response_class=HTMLResponse)
def edit_page(request: Request, contact_id: PathId, viewer: Acting, desk: Services) -> HTMLResponse:
    return _edit(request, viewer, desk, contact_id, None, None)


@router.post("/contacts/{contact_id:int}")
def change(request: Request, contact_id: PathId, posted: Form, desk: Services) -> Response:
    values = {name: posted.form.get(name, "").strip() for name in FIELDS}
    current = desk.contacts.get(posted.viewer.principal, contact_id)
    before = _values(current)
    changed = {k: v for k, v in values.items() if v != before[k]}
    try:
        desk.contacts.update(posted.viewer.principal, contact_id, **changed)
    except InvalidValue as exc:
        return _edit(request, posted.viewer, desk, contact_id, values, exc)
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


@router.post("/contacts/{contact_id:int}/confirm")
def confirm(request: Request, contact_id: PathId, posted: Form, desk: Services) -> Response:
    desk.contacts.confirm(posted.viewer.principal, contact_id)
    return RedirectResponse(f"/contacts/{contact_id}", status_code=303)


def _values(contact: Contact) -> dict[str, str]:
    found = {name: getattr(contact, name) for name in FIELDS}
    found["languages"] = ",".join(found["languages"])
    return {k: str(v) for k, v in found.items()}


def _page(
    request: Request,
    viewer: Viewer,
    desk: Services,
    country: str,
    values: dict[str, str],
    error: InvalidValue | None,
) -> HTMLResponse:
    problem = ""
    try:
        found = desk.contacts.search(viewer.principal, country=country or None)
    except InvalidValue as exc:
        found, problem = [], str(exc)
    by_country: dict[str, list[Contact]] = {}
    for contact in sorted(found, key=lambda c: (c.country, c.authority.lower())):
        by_country.setdefault(contact.country, []).append(contact)
    return render(
        request,
        "contacts.html",
        {
            "viewer": viewer,
            "active": "contacts",
            "by_country": by_country,
            "stale": {c.id for c in found if desk.contacts.stale(c)},
            "country": country,
            "problem": problem,
            "values": values or {"kind": "24/7", "office_hours": "24/7", "channel": "email"},
            "error": error,
            "error_id": f"c-{error.field}" if error and error.field in FIELDS else "",
            "may_change": desk.may_change_requests(viewer.principal),
            "kinds": KINDS,
            "channels": CHANNELS,
        },
        status=400 if error or problem else 200,
    )


def _edit(
    request: Request,
    viewer: Viewer,
    desk: Services,
    contact_id: int,
    values: dict[str, str] | None,
    error: InvalidValue | None,
) -> HTMLResponse:
    contact = desk.contacts.get(viewer.principal, contact_id)
    return render(
        request,
        "contact.html",
        {
            "viewer": viewer,
            "active": "contacts",
            "contact": contact,
            "stale": desk.contacts.stale(contact),
            "versions": desk.contacts.versions(viewer.principal, contact_id),
            "values": values or _values(contact),
            "error": error,
            "error_id": f"c-{error.field}" if error and error.field in FIELDS else "",
            "may_change": desk.may_change_requests(viewer.principal),
            "kinds": KINDS,
            "channels": CHANNELS,
        },
        status=400 if error else 200,
    )
