"""``/console``: the queue of open incidents, a page at a time with the total, filtered and
sorted by the query string (``QueueQuery``), the most urgent first by default; and
``/console/bulk``, the actions on the incidents ticked (assign, acknowledge, close with a reason,
merge after a confirmation).

The page works without JavaScript (a form of filters, links to sort and to turn pages, a form
around the table for the bulk actions); ``console.js`` adds the live refresh (``?part=rows``
gives the table alone), the keyboard and the alerts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import InvalidValue
from tocsin.model import access
from tocsin.model.constituent import SECTORS
from tocsin.model.fields import PRIORITIES
from tocsin.model.incident import OPEN, Status
from tocsin.model.numbers import parse_id
from tocsin.model.queue import PER_PAGE, SORTS, SOURCES, QueueQuery
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.model.tlp import TLP
from tocsin.services.types import Bulk, QueuePage
from tocsin.web.common import deps
from tocsin.web.common.deps import Acting, Cases, Form, People, Posted, Viewer
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render
from tocsin.web.console.names import member_names, name_of

router = APIRouter(include_in_schema=False)

COLUMNS = (  # (sort key or "", heading)
    ("reference", "Reference"),
    ("", "Title"),
    ("type", "Type"),
    ("priority", "Priority"),
    ("constituent", "Constituent"),
    ("", "Assignee"),
    ("status", "Status"),
    ("urgency", "Acknowledge"),
    ("", "Resolve"),
)


def asked(params: Mapping[str, Any]) -> QueueQuery:
    """The query of a request's parameters; ``show=mine`` (the older link) is ``assignee=me``."""
    given = dict(params)
    if given.get("show") == "mine" and not given.get("assignee"):
        given["assignee"] = "me"
    return QueueQuery.parse(given)


@router.get("/console", response_class=HTMLResponse)
def queue_page(request: Request, viewer: Acting, cases: Cases, people: People) -> HTMLResponse:
    try:
        query = asked(request.query_params)
    except InvalidValue as exc:
        query = QueueQuery()
        return _render(request, viewer, cases, people, query, error=exc, status=400)
    part = request.query_params.get("part", "")
    return _render(request, viewer, cases, people, query, rows_only=part == "rows")


def _render(
    request: Request,
    viewer: Viewer,
    cases: Cases,
    people: People,
    query: QueueQuery,
    *,
    error: InvalidValue | None = None,
    status: int = 200,
    rows_only: bool = False,
    outcome: Any = None,
) -> HTMLResponse:
    page = cases.page(viewer.principal, query)
    who = viewer.principal
    views = deps.desk(request).views
    names = member_names(people, who)
    members = sorted(
        ((u.id, u.display_name or u.username) for u in people.team_members(who)),
        key=lambda pair: pair[1].lower(),
    )
    return render(
        request,
        "queue_rows.html" if rows_only else "queue.html",
        {
            "viewer": viewer,
            "active": "queue",
            "page": page,
            "query": query,
            "link": lambda **changes: _link(query, **changes),
            "columns": COLUMNS,
            "sort_dir": lambda key: _sort_dir(query, key),
            "pages": _pages(page),
            "assignee": lambda user_id: name_of(names, user_id),
            "members": members,
            "choices": {
                "priority": PRIORITIES,
                "type": sorted(TYPE_TO_TAXONOMY),
                "sector": sorted(SECTORS),
                "status": [s for s in Status if s in OPEN],
                "tlp": [t.value_name for t in TLP],
                "source": SOURCES,
                "per_page": PER_PAGE,
                "sort": SORTS,
            },
            "can_change": who.role in access.WRITERS,
            "error": error,
            "outcome": outcome,
            "views": views.list(who),
        },
        status,
    )


def _link(query: QueueQuery, **changes: Any) -> str:
    params = query.params(**changes)
    return "/console" + ("?" + urlencode(params) if params else "")


def _sort_dir(query: QueueQuery, key: str) -> str:
    """``aria-sort`` of a column: ascending, descending or none."""
    if not key or query.sort != key:
        return "none"
    return "descending" if query.descending else "ascending"


def _pages(page: QueuePage) -> list[int]:
    """The page numbers to link: the first, the last, and two either side of this one."""
    here, last = page.query.page, page.pages
    shown = {1, last, *range(max(1, here - 2), min(last, here + 2) + 1)}
    return sorted(shown)


# -- bulk actions --------------------------------------------------------------------------------


@router.post("/console/bulk", response_class=HTMLResponse)
async def bulk(request: Request, posted: Form, cases: Cases, people: People) -> Response:
    """The action chosen for the incidents ticked. Assign, acknowledge and close run at once and
    show what became of each; a merge shows what it would do first and runs when confirmed."""
    form = await request.form()
    ids = [str(v) for v in form.getlist("incident")]
    return _bulk(request, posted, cases, people, ids)


def _bulk(
    request: Request, posted: Posted, cases: Cases, people: People, ids: list[str]
) -> Response:
    who, form = posted.viewer.principal, posted.form
    action = form.get("action", "")
    back = _back(form.get("back", ""))
    service = Bulk(cases)
    try:
        if action == "merge":
            plan = service.merge_plan(who, ids, form.get("into", "") or (ids[0] if ids else ""))
            if form.get("confirm") != "yes":
                return render(
                    request,
                    "queue_merge.html",
                    {"viewer": posted.viewer, "active": "queue", "plan": plan, "back": back},
                )
            outcome = service.merge(who, ids, plan.target.id)
        elif action == "assign":
            outcome = service.assign(who, ids, _assignee(form.get("assignee", ""), who.user_id))
        elif action == "acknowledge":
            outcome = service.acknowledge(who, ids)
        elif action == "close":
            outcome = service.close(who, ids, form.get("reason", ""))
        else:
            raise InvalidValue("action", action, "assign, acknowledge, close or merge")
    except InvalidValue as exc:
        return _render(request, posted.viewer, cases, people, asked(back), error=exc, status=400)
    return _render(request, posted.viewer, cases, people, asked(back), outcome=outcome)


def _assignee(value: str, me: int | None) -> int | None:
    if value in ("", "nobody"):
        return None
    if value == "me":
        return me
    chosen = parse_id(value)
    if chosen is None:
        raise InvalidValue("assignee", value, "choose a member of the team")
    return chosen


def _back(text: str) -> dict[str, str]:
    """The queue's query the bulk form came from (its filters and page), checked again."""
    pairs = dict(parse_qsl(text.lstrip("?"), keep_blank_values=False))
    try:
        QueueQuery.parse(pairs)
    except InvalidValue:
        return {}
    return pairs


# -- saved views ---------------------------------------------------------------------------------


@router.post("/console/views", response_class=HTMLResponse)
def save_view(request: Request, posted: Form, cases: Cases, people: People) -> Response:
    """The queue's current query kept under a name; back to that view (303)."""
    params = dict(parse_qsl(posted.form.get("query", "")))
    try:
        view = deps.desk(request).views.save(
            posted.viewer.principal, posted.form.get("name", ""), params
        )
    except InvalidValue as exc:
        return _render(
            request,
            posted.viewer,
            cases,
            people,
            asked(_back(urlencode(params))),
            error=exc,
            status=400,
        )
    return RedirectResponse("/console" + (f"?{view.query}" if view.query else ""), 303)


@router.post("/console/views/{view_id:int}/delete")
def delete_view(request: Request, view_id: PathId, posted: Form) -> Response:
    deps.desk(request).views.delete(posted.viewer.principal, view_id)
    return RedirectResponse("/console", 303)
