"""``/handover``: for the next shift, what changed since a time and what falls due soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.cases.incidents import Incidents, QueueRow
from tocsin.errors import InvalidValue, NotFound
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.web.console.deps import Acting, Desk
from tocsin.web.console.formats import iso
from tocsin.web.console.rendering import render

router = APIRouter(include_in_schema=False)

DUE_WITHIN = 2 * 60 * 60
DEFAULT_LOOKBACK = 12 * 60 * 60


@dataclass(frozen=True, slots=True)
class Change:
    incident: Incident
    line: dict[str, Any]  # a timeline line: at, actor, kind, text


@router.get("/handover", response_class=HTMLResponse)
def handover_page(request: Request, viewer: Acting, desk: Desk, since: str = "") -> HTMLResponse:
    error: InvalidValue | None = None
    text = since.strip() or iso(desk.now() - DEFAULT_LOOKBACK)
    changes: list[Change] = []
    try:
        changes = changes_since(desk, viewer.principal, parse_time(text))
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
            "due": due_soon(desk, viewer.principal),
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


def changes_since(desk: Incidents, who: Principal, at: int) -> list[Change]:
    """Timeline lines since ``at``, newest first, of the incidents this person may see."""
    seen: dict[int, Incident | None] = {}
    changes = []
    for line in desk.cases.timeline_since(at):
        incident_id = line["incident_id"]
        if incident_id not in seen:
            try:
                seen[incident_id] = desk.get(who, incident_id)
            except NotFound:
                seen[incident_id] = None
        found = seen[incident_id]
        if found is not None:
            changes.append(Change(found, line))
    return changes


def due_soon(desk: Incidents, who: Principal) -> list[QueueRow]:
    """Open incidents whose nearest clock runs out within two hours (or already has)."""
    return [
        row
        for row in desk.queue(who)
        if row.clock.most_urgent is not None and row.clock.most_urgent <= DUE_WITHIN
    ]
