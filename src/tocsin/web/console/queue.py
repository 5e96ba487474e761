"""``/console``: the queue of open incidents, the most urgent first, with their SLA clocks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.web.console.deps import Acting, Desk, People
from tocsin.web.console.names import member_names, name_of
from tocsin.web.console.rendering import render

router = APIRouter(include_in_schema=False)

SHOW = ("all", "mine")


@router.get("/console", response_class=HTMLResponse)
def queue_page(
    request: Request, viewer: Acting, desk: Desk, people: People, show: str = "all"
) -> HTMLResponse:
    mine = show == "mine"
    rows = desk.queue(viewer.principal, mine=mine)
    names = member_names(people, viewer.principal)
    return render(
        request,
        "queue.html",
        {
            "viewer": viewer,
            "active": "queue",
            "rows": rows,
            "show": "mine" if mine else "all",
            "assignee": lambda user_id: name_of(names, user_id),
        },
    )
