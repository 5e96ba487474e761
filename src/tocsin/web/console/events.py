"""The events page: a filter form (plain GET, works without JavaScript) and a table of events."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tocsin.errors import InvalidValue
from tocsin.model.fields import PRIORITIES
from tocsin.model.taxonomy import TYPE_TO_TAXONOMY
from tocsin.services import events as event_service
from tocsin.web.common.deps import Acting, EventSearch
from tocsin.web.common.rendering import templates

router = APIRouter(include_in_schema=False)

FILTERS = ("ip", "asn", "fqdn", "url", "type", "constituent", "priority", "feed", "since", "until")


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console", status_code=302)


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, viewer: Acting, event_search: EventSearch) -> HTMLResponse:
    params = request.query_params
    values = {name: params.get(name, "").strip() for name in FILTERS}
    error: InvalidValue | None = None
    events: list[dict[str, Any]] = []
    next_url = None
    try:
        query = event_service.make_filter(
            **{k: (v or None) for k, v in values.items()},
            limit=50,
            cursor=params.get("cursor") or None,
        )
        page = event_search.search(viewer.principal, query)
        events = page.events
        if page.next_cursor is not None:
            kept = {k: v for k, v in values.items() if v}
            next_url = "/events?" + urlencode({**kept, "cursor": page.next_cursor})
    except InvalidValue as exc:
        error = exc
    return templates.TemplateResponse(
        request,
        "events.html",
        {
            "values": values,
            "events": events,
            "error": error,
            "next_url": next_url,
            "types": sorted(TYPE_TO_TAXONOMY),
            "priorities": PRIORITIES,
            "viewer": viewer,
            "active": "events",
        },
        status_code=400 if error else 200,
    )
