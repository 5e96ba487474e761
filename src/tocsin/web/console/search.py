"""``/search?q=…``: the header's search box, answered (``services/search.py`` says what a text
is read as and where it is looked up); each answer is what the viewer may read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.web.common import deps
from tocsin.web.common.deps import Acting
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

KINDS = {
    "incident": "Incidents",
    "report": "Reports",
    "vulnerability": "Vulnerability cases",
    "request": "Requests for assistance",
    "constituent": "Constituents",
    "events": "Events",
}


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, viewer: Acting, q: str = "") -> HTMLResponse:
    found = deps.desk(request).search.find(viewer.principal, q)
    groups = [
        (heading, [hit for hit in found.hits if hit.kind == kind])
        for kind, heading in KINDS.items()
    ]
    return render(
        request,
        "search.html",
        {
            "viewer": viewer,
            "active": "search",
            "found": found,
            "groups": [(heading, hits) for heading, hits in groups if hits],
            "q": found.query,
        },
    )
