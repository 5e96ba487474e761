"""``/feeds``: each source's health, its last fetch and arrival, what is usual for it and the
silent-feed alarm (the desk's staff; docs/feed-health.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.web.common.deps import Acting, Services
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request, viewer: Acting, desk: Services) -> HTMLResponse:
    feeds = desk.feed_health.sources(viewer.principal)  # refuses (403) whoever is not staff
    return render(
        request,
        "feeds.html",
        {
            "viewer": viewer,
            "active": "feeds",
            "feeds": feeds,
            "alarms": sum(1 for f in feeds if f.alarm is not None),
        },
    )
