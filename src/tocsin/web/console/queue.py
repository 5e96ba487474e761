"""``/console``: the queue of open incidents, the most urgent first, with their SLA clocks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.model.fields import PRIORITIES
from tocsin.web.common.deps import Acting, Cases, People
from tocsin.web.common.rendering import render
from tocsin.web.console.names import member_names, name_of

router = APIRouter(include_in_schema=False)

SHOW = ("all", "mine")


@router.get("/console", response_class=HTMLResponse)
def queue_page(
    request: Request,
    viewer: Acting,
    cases: Cases,
    people: People,
    show: str = "all",
    priority: str = "",
) -> HTMLResponse:
    mine = show == "mine"
    wanted = priority if priority in PRIORITIES else None
    rows = cases.queue(viewer.principal, mine=mine, priority=wanted)
    names = member_names(people, viewer.principal)
    return render(
        request,
        "queue.html",
        {
            "viewer": viewer,
            "active": "queue",
            "rows": rows,
            "show": "mine" if mine else "all",
            "priority": wanted or "",
            "priorities": PRIORITIES,
            "assignee": lambda user_id: name_of(names, user_id),
        },
    )
