"""``/audit``: the audit log, a page at a time, the newest first, under the verdict of checking
its whole chain and its checkpoints (admins, leads and auditors)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.errors import InvalidValue
from tocsin.model.audit import AuditEntry
from tocsin.web.common.deps import Acting, AuditTrail
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

PAGE = 50


@dataclass(frozen=True, slots=True)
class Line:
    """One entry as the page shows it."""

    seq: int
    at: int
    actor: str
    action: str
    object: str
    details: str

    @classmethod
    def of(cls, entry: AuditEntry) -> Line:
        details = orjson.dumps(entry.details, option=orjson.OPT_SORT_KEYS).decode()
        return cls(
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            f"{entry.object_type} {entry.object_id}",
            "" if details == "{}" else details,
        )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, viewer: Acting, log: AuditTrail, after: str = "") -> HTMLResponse:
    who = viewer.principal
    last = log.last_seq(who)  # also refuses (403) whoever may not read the log
    if not after:
        start = max(0, last - PAGE)
    elif after.isdigit() and after.isascii():
        start = min(int(after), last)
    else:
        raise InvalidValue("after", after, "the number of an entry: 0 or more")
    entries = log.read(who, after=start, limit=PAGE)
    report = log.verify(who)
    shown_to = entries[-1].seq if entries else start
    return render(
        request,
        "audit.html",
        {
            "viewer": viewer,
            "active": "audit",
            "ok": report.ok,
            "summary": report.line(),
            "lines": [Line.of(e) for e in reversed(entries)],
            "last": last,
            "start": start,
            "older": max(0, start - PAGE) if start > 0 else None,
            "newer": shown_to if shown_to < last else None,
        },
    )
