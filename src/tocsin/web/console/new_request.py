"""``/requests/new``: a request for assistance registered by hand: the legal basis first, then its
elements as fields with their labels and sources, the identifiers one a line, and the
safeguards. The request service checks every value; a refused one shows the form again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import InvalidValue
from tocsin.services.types import Basis, element_labels
from tocsin.web.common.deps import Acting, Form, Services, Viewer
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

SAFEGUARDS = (
    ("necessity", "Necessity and proportionality"),
    ("approving_authority", "Approving authority"),
    ("data_categories", "Data categories (comma-separated: subscriber, traffic, content)"),
    ("scope_from", "Period from (ISO 8601 with its zone)"),
    ("scope_to", "Period to (ISO 8601 with its zone)"),
    ("retention_until", "Personal data kept until (ISO 8601 with its zone)"),
    ("onward_transfer", "Onward-transfer conditions"),
)


def identifiers(text: str) -> list[dict[str, str]]:
    """One identifier a line: ``KIND VALUE [port=N] [at=TIME] [tolerance=S]``."""
    found: list[dict[str, str]] = []
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if len(words) < 2:
            raise InvalidValue("identifiers", line, "KIND VALUE [port=N] [at=TIME]")
        item = {"kind": words[0], "value": words[1]}
        for word in words[2:]:
            key, _, value = word.partition("=")
            item[key] = value
        found.append(item)
    return found


@router.get("/requests/new", response_class=HTMLResponse)
def new_request_page(
    request: Request, viewer: Acting, desk: Services, basis: str = ""
) -> HTMLResponse:
    desk.assist.register(viewer.principal, limit=1)  # who may not read requests finds none
    return _form(request, viewer, desk, basis, {}, None)


@router.post("/requests/new")
def create_request(request: Request, posted: Form, desk: Services) -> Response:
    form, who = posted.form, posted.viewer.principal
    basis = form.get("basis", "")
    try:
        chosen = element_labels(basis)
        team = who.org_id if who.org_id is not None else desk.accounts.ensure_team()
        made = desk.assist.create(
            who,
            basis=basis,
            title=form.get("title", ""),
            direction=form.get("direction", "outgoing"),
            elements={e.id: form.get(f"e-{e.id}", "") for e in chosen},
            identifiers=identifiers(form.get("identifiers", "")),
            safeguards={k: form.get(f"s-{k}", "") or None for k, _ in SAFEGUARDS},
            counterpart_id=int(form["counterpart"]) if form.get("counterpart") else None,
            their_ref=form.get("their_ref", ""),
            emergency=form.get("emergency") == "yes",
            urgent=form.get("urgent") == "yes",
            justification=form.get("justification", ""),
            tlp=form.get("tlp", "AMBER"),
            org_id=team,
        )
    except (InvalidValue, ValueError) as exc:
        error = exc if isinstance(exc, InvalidValue) else InvalidValue("form", "", str(exc))
        return _form(request, posted.viewer, desk, basis, form, error)
    return RedirectResponse(f"/requests/{made.request.ref}", status_code=303)


def _form(
    request: Request,
    viewer: Viewer,
    desk: Services,
    basis: str,
    values: dict[str, str],
    error: InvalidValue | None,
) -> HTMLResponse:
    try:
        elements = element_labels(basis) if basis else ()
    except InvalidValue as exc:
        elements, error = (), error or exc
    return render(
        request,
        "new_request.html",
        {
            "viewer": viewer,
            "active": "requests",
            "bases": list(Basis),
            "basis": basis,
            "elements": elements,
            "safeguards": SAFEGUARDS,
            "contacts": desk.contacts.search(viewer.principal),
            "values": values,
            "error": str(error) if error else "",
        },
        status=400 if error else 200,
    )
