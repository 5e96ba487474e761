"""``/sharing``: the releases waiting for a second lead, with their Approve and Refuse buttons, the
latest releases (what went to whom) and the partners' agreements. Every decision goes through
``Sharing``, which applies four eyes and writes the audit log; this page only shows and posts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.share import EVERYONE, Release, ReleaseState
from tocsin.web.common import deps
from tocsin.web.common.deps import Acting, Form, Viewer
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    release: Release
    collection: str
    to: str
    may_decide: bool  # a lead or admin who is not its author


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(request: Request, viewer: Acting) -> HTMLResponse:
    return _page(request, viewer)


@router.post("/sharing/releases/{release_id:int}/approve")
def approve(request: Request, release_id: PathId, posted: Form) -> Response:
    sharing = deps.sharing(request)
    return _act(
        request, posted.viewer, lambda: sharing.approve(posted.viewer.principal, release_id)
    )


@router.post("/sharing/releases/{release_id:int}/refuse")
def refuse(request: Request, release_id: PathId, posted: Form) -> Response:
    sharing, reason = deps.sharing(request), posted.form.get("reason", "").strip()
    if not reason:
        return _page(
            request, posted.viewer, "Say why the release is refused.", f"reason-{release_id}"
        )
    return _act(
        request, posted.viewer, lambda: sharing.refuse(posted.viewer.principal, release_id, reason)
    )


def _act(request: Request, viewer: Viewer, action: Callable[[], object]) -> Response:
    try:
        action()
    except (Forbidden, InvalidValue, NotFound) as exc:
        return _page(
            request, viewer, str(exc), "", status=403 if isinstance(exc, Forbidden) else 400
        )
    return RedirectResponse("/sharing", status_code=303)


def _page(
    request: Request, viewer: Viewer, error: str = "", error_id: str = "", status: int = 200
) -> HTMLResponse:
    who = viewer.principal
    access.require(who, *access.STAFF)
    sharing = deps.sharing(request)
    collections, orgs = sharing.names()
    decides = who.role.value in ("admin", "lead")

    def row(r: Release) -> ReleaseRow:
        to = (
            "every partner of the collection"
            if r.audience == EVERYONE
            else orgs.get(r.audience, "?")
        )
        mine = r.author == who.username
        return ReleaseRow(r, collections.get(r.collection_id, "?"), to, decides and not mine)

    return render(
        request,
        "sharing.html",
        {
            "viewer": viewer,
            "active": "sharing",
            "pending": [row(r) for r in sharing.releases(who, ReleaseState.PENDING)],
            "recent": [row(r) for r in sharing.releases(who)[:50]],
            "partners": sharing.partners(who),
            "collections": collections,
            "error": error,
            "error_id": error_id or ("form-error" if error else ""),
        },
        status=400 if error and status == 200 else status,
    )
