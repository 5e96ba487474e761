"""``/sharing``: the sharing desk on the web, as ``tocsin share`` and ``tocsin partners`` keep it.

The staff see the releases waiting for a second lead (Approve and Refuse buttons), the latest
releases (what went to whom), the collections and the partners' agreements. Analysts, leads and
admins release an incident or a choice of events to a collection (for every partner, or for one
named partner at AMBER); leads and admins add a collection or a partner and set an agreement.
Every decision goes through ``Sharing`` and ``Publisher``, which check the role, apply the TLP
rules and four eyes, and write the audit log; this page only shows and posts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.people import Role
from tocsin.model.share import EVERYONE, Release, ReleaseState
from tocsin.model.tlp import TLP
from tocsin.services.events import make_filter
from tocsin.web.common import deps
from tocsin.web.common.deps import Acting, Form, Viewer
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

PUBLISHERS = (Role.ADMIN, Role.LEAD, Role.ANALYST)  # who release (as ``Publisher`` decides)
KEEPERS = (Role.ADMIN, Role.LEAD)  # who keep collections, partners, agreements (``Sharing``)
LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT")  # what an agreement may reach (never RED)
# each form's fields, as their ids on the page are "<form>-<field>"
FORMS = {
    "publish": ("collection", "partner", "incident", "type", "feed", "since", "until"),
    "collection": ("alias", "title", "description"),
    "partner": ("name",),
    "agreement": ("partner", "collection", "max_tlp"),
}


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    release: Release
    collection: str
    to: str
    may_decide: bool  # a lead or admin who is not its author


def may(viewer: Viewer, roles: tuple[Role, ...]) -> bool:
    who = viewer.principal
    return who.role in roles and "write" in who.scopes


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(request: Request, viewer: Acting, incident: str = "") -> HTMLResponse:
    return _page(request, viewer, values={"publish-incident": incident.strip()[:40]})


@router.post("/sharing/releases/{release_id:int}/approve")
def approve(request: Request, release_id: PathId, posted: Form) -> Response:
    sharing = deps.sharing(request)
    return _act(request, posted, "", lambda: sharing.approve(posted.viewer.principal, release_id))


@router.post("/sharing/releases/{release_id:int}/refuse")
def refuse(request: Request, release_id: PathId, posted: Form) -> Response:
    sharing, reason = deps.sharing(request), posted.form.get("reason", "").strip()
    if not reason:
        return _page(
            request, posted.viewer, "Say why the release is refused.", f"reason-{release_id}"
        )
    return _act(
        request, posted, "", lambda: sharing.refuse(posted.viewer.principal, release_id, reason)
    )


@router.post("/sharing/publish")
def publish(request: Request, posted: Form) -> Response:
    """An incident with its events, or the events a filter chooses; never everything by a
    click on an empty form."""
    publisher, who, form = deps.desk(request).publisher, posted.viewer.principal, posted.form

    def release() -> object:
        collection = form.get("collection", "")
        partner = form.get("partner", "").strip() or None
        reference = form.get("incident", "").strip()
        if reference:
            return publisher.incident(who, collection, reference, partner=partner)
        chosen = {k: form.get(k, "").strip() or None for k in ("type", "feed", "since", "until")}
        if not any(chosen.values()):
            raise InvalidValue(
                "incident", "", "name an incident, or choose events by type, feed or time"
            )
        query = make_filter(
            type=chosen["type"], feed=chosen["feed"], since=chosen["since"], until=chosen["until"]
        )
        return publisher.events(who, collection, query, partner=partner)

    return _act(request, posted, "publish", release, to="/sharing#latest")


@router.post("/sharing/collections")
def add_collection(request: Request, posted: Form) -> Response:
    sharing, form = deps.sharing(request), posted.form
    return _act(
        request,
        posted,
        "collection",
        lambda: sharing.add_collection(
            posted.viewer.principal,
            form.get("alias", ""),
            form.get("title", "").strip(),
            form.get("description", "").strip(),
        ),
        to="/sharing#collections",
    )


@router.post("/sharing/partners")
def add_partner(request: Request, posted: Form) -> Response:
    sharing = deps.sharing(request)
    return _act(
        request,
        posted,
        "partner",
        lambda: sharing.add_partner(posted.viewer.principal, posted.form.get("name", "").strip()),
        to="/sharing#partners",
    )


@router.post("/sharing/agreements")
def set_agreement(request: Request, posted: Form) -> Response:
    """What a partner may do with a collection; replaces its agreement there."""
    sharing, form = deps.sharing(request), posted.form

    def agree() -> object:
        level = InvalidValue.check("max_tlp", form.get("max_tlp", "GREEN"), TLP.parse)
        return sharing.set_agreement(
            posted.viewer.principal,
            form.get("partner", ""),
            form.get("collection", ""),
            read=form.get("read") == "on",
            write=form.get("write") == "on",
            max_tlp=level,
            approval=form.get("approval") == "on",
        )

    return _act(request, posted, "agreement", agree, to="/sharing#partners")


def _act(
    request: Request,
    posted: deps.Posted,
    form: str,
    action: Callable[[], object],
    *,
    to: str = "/sharing",
) -> Response:
    """Do it and go back to the page, or show the page again with what was typed and why not."""
    try:
        action()
    except (Forbidden, InvalidValue, NotFound) as exc:
        field = str(getattr(exc, "field", "")).rsplit(".", 1)[-1]
        error_id = f"{form}-{field}" if field in FORMS.get(form, ()) else ""
        values = {f"{form}-{k}": v for k, v in posted.form.items() if k != "csrf"}
        return _page(
            request,
            posted.viewer,
            str(exc),
            error_id,
            status=403 if isinstance(exc, Forbidden) else 400,
            values=values,
        )
    return RedirectResponse(to, status_code=303)


def _page(
    request: Request,
    viewer: Viewer,
    error: str = "",
    error_id: str = "",
    status: int = 200,
    values: dict[str, str] | None = None,
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
            "sizes": sharing.sizes(who),
            "levels": LEVELS,
            "values": values or {},
            "may_publish": may(viewer, PUBLISHERS),
            "may_keep": may(viewer, KEEPERS),
            "error": error,
            "error_id": error_id or ("form-error" if error else ""),
        },
        status=400 if error and status == 200 else status,
    )
