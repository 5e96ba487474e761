"""``/requests``: the register of requests for assistance (incoming and outgoing, emergencies on
top with their countdown, then the nearest clock due), a request's page with the forms that move
and approve it, and its printed form (PDF or HTML, in the language chosen). Who may read and
change them is the request service's decision: a person who may not read requests finds none
(404), an auditor reads them without forms."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import Conflict, Forbidden, InvalidValue, TocsinError
from tocsin.services.types import Basis, Direction, State
from tocsin.web.common.deps import Acting, Form, Services, Viewer
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

FLAGS = {"": None, "yes": True, "no": False}
PRINT_LANGUAGES = (("", "the counterpart's"), ("en", "English"), ("fr", "French"))
PRINT_HTML_CSP = (
    "default-src 'none'; style-src {style}; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


@router.get("/requests", response_class=HTMLResponse)
def register(
    request: Request,
    viewer: Acting,
    desk: Services,
    direction: str = "",
    state: str = "",
    basis: str = "",
    emergency: str = "",
) -> HTMLResponse:
    chosen = {"direction": direction, "state": state, "basis": basis, "emergency": emergency}
    try:
        if emergency not in FLAGS:
            raise InvalidValue("emergency", emergency, "yes, no or empty")
        rows = desk.duty.register_rows(
            viewer.principal,
            direction=direction or None,
            state=state or None,
            basis=basis or None,
            emergency=FLAGS[emergency],
        )
        error = ""
    except InvalidValue as exc:
        rows, error = [], str(exc)
    return render(
        request,
        "requests.html",
        {
            "viewer": viewer,
            "active": "requests",
            "rows": rows,
            "chosen": chosen,
            "directions": list(Direction),
            "states": list(State),
            "bases": list(Basis),
            "error": error,
        },
        status=400 if error else 200,
    )


@router.get("/requests/{ref}", response_class=HTMLResponse)
def request_page(request: Request, ref: str, viewer: Acting, desk: Services) -> HTMLResponse:
    return render_request(request, viewer, desk, ref)


def render_request(
    request: Request,
    viewer: Viewer,
    desk: Services,
    ref: str,
    error: TocsinError | None = None,
    status: int = 200,
) -> HTMLResponse:
    view = desk.request_view(viewer.principal, ref)
    return render(
        request,
        "request.html",
        {
            "viewer": viewer,
            "active": "requests",
            "v": view,
            "r": view.request,
            "error": str(error) if error else "",
            "languages": PRINT_LANGUAGES,
            "State": State,
        },
        status=status,
    )


@router.post("/requests/{ref}/move")
def move(request: Request, ref: str, posted: Form, desk: Services) -> Response:
    form, who = posted.form, posted.viewer.principal
    found = desk.assist.find(who, ref)
    return _act(
        request,
        posted.viewer,
        desk,
        found.ref,
        lambda: desk.assist.move(
            who,
            found.id,
            form.get("state", ""),
            code=form.get("code", ""),
            note=form.get("note", ""),
        ),
    )


@router.post("/requests/{ref}/approve")
def approve(request: Request, ref: str, posted: Form, desk: Services) -> Response:
    who = posted.viewer.principal
    found = desk.assist.find(who, ref)
    return _act(
        request,
        posted.viewer,
        desk,
        found.ref,
        lambda: desk.assist.approve(who, found.id, note=posted.form.get("note", "")),
    )


def _act(
    request: Request, viewer: Viewer, desk: Services, ref: str, action: Callable[[], object]
) -> Response:
    """Run the change and go back to the request (303); a refused one shows the page again with
    the reason (400 for a value, 403 for a person who may not, 409 for a move not allowed now)."""
    try:
        action()
    except InvalidValue as exc:
        return render_request(request, viewer, desk, ref, exc, 400)
    except Forbidden as exc:
        return render_request(request, viewer, desk, ref, exc, 403)
    except Conflict as exc:
        return render_request(request, viewer, desk, ref, exc, 409)
    return RedirectResponse(f"/requests/{ref}", status_code=303)


@router.get("/requests/{ref}/print.pdf")
def print_pdf(ref: str, viewer: Acting, desk: Services, lang: str = "") -> Response:
    printed = desk.print_request(viewer.principal, ref, kind="pdf", language=lang)
    return Response(
        printed.content,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{printed.filename}"'},
    )


@router.get("/requests/{ref}/print.html")
def print_html(ref: str, viewer: Acting, desk: Services, lang: str = "") -> Response:
    """The printed form as a page under a CSP of its own: nothing but its own style may run."""
    printed = desk.print_request(viewer.principal, ref, kind="html", language=lang)
    return Response(
        printed.content,
        media_type="text/html; charset=utf-8",
        headers={"content-security-policy": print_policy(printed.content)},
    )


def print_policy(page: bytes) -> str:
    """The printed page's CSP: its one inline style allowed by its SHA-256, nothing else."""
    styles = re.findall(rb"<style>(.*?)</style>", page, flags=re.DOTALL)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() + "'" for s in styles
    )
    return PRINT_HTML_CSP.format(style=hashes or "'none'")
