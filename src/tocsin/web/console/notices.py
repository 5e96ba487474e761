"""``/notices/{id}/ack/{token}``: a recipient acknowledges a notice (a page, then a button: mail
scanners that follow links acknowledge nothing); ``/notices``: the desk's list of notices."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.errors import NotFound
from tocsin.model import access
from tocsin.services.types import Notifier
from tocsin.web.common import deps
from tocsin.web.common.deps import Acting, Cookies, session_for, session_form
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)


def notices(request: Request) -> Notifier:
    found = deps.notices(request)
    if found is None:
        raise NotFound("notices are not set up here (no secret key)")
    return found


@router.get("/notices/{notice_id:int}/ack/{token}", response_class=HTMLResponse)
def ack_page(request: Request, notice_id: PathId, token: str, sessions: Cookies) -> HTMLResponse:
    session, fresh = session_for(request)
    notice = notices(request).notice(notice_id)
    response = render(
        request,
        "notice_ack.html",
        {
            "viewer": None,
            "notice": notice,
            "token": token,
            "done": False,
            "csrf": sessions.csrf(session),
        },
    )
    if fresh:
        sessions.save(response, request, session)
    return response


@router.post("/notices/{notice_id:int}/ack/{token}", response_class=HTMLResponse)
async def acknowledge(request: Request, notice_id: PathId, token: str) -> HTMLResponse:
    await session_form(request)
    notice = notices(request).acknowledge(notice_id, token)
    return render(
        request,
        "notice_ack.html",
        {"viewer": None, "notice": notice, "token": token, "done": True, "csrf": ""},
    )


@router.get("/notices", response_class=HTMLResponse)
def listing(request: Request, viewer: Acting, status: str | None = None) -> HTMLResponse:
    """Notices, newest first; unacknowledged urgent ones are marked."""
    access.require(viewer.principal, *access.STAFF)
    rows = notices(request).listing(300, status or None)
    return render(request, "notices.html", {"viewer": viewer, "rows": rows, "active": "notices"})
