"""``/handover``: for the next shift, what changed since a time and what falls due soon."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.errors import InvalidValue
from tocsin.services.types import Change
from tocsin.web.common.deps import Acting, Services
from tocsin.web.common.formats import iso
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

DEFAULT_LOOKBACK = 12 * 60 * 60


@router.get("/handover", response_class=HTMLResponse)
def handover_page(
    request: Request, viewer: Acting, desk: Services, since: str = ""
) -> HTMLResponse:
    error: InvalidValue | None = None
    text = since.strip() or iso(desk.clock() - DEFAULT_LOOKBACK)
    changes: list[Change] = []
    try:
        changes = desk.changes_since(viewer.principal, parse_time(text))
    except InvalidValue as exc:
        error = exc
    return render(
        request,
        "handover.html",
        {
            "viewer": viewer,
            "active": "handover",
            "since": text,
            "changes": changes,
            "due": desk.due_soon(viewer.principal),
            "error": error,
        },
        status=400 if error else 200,
    )


def parse_time(text: str) -> int:
    """An ISO 8601 time in seconds since the epoch; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue("since", text, "a time like 2026-11-28T08:00 (UTC)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
