"""The analyst console: server-rendered pages with plain forms that work without JavaScript.

Every page but ``/login`` and a notice's acknowledgement (for its recipient, by a link) needs a
session; every POST carries the session's CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter

from tocsin.web.console import (
    account,
    audit,
    auth,
    constituents,
    contacts,
    cvd,
    dashboard,
    events,
    evidence,
    feeds,
    handover,
    incident,
    new_incident,
    new_request,
    notices,
    partner,
    queue,
    related,
    reporter,
    requests,
    search,
    sharing,
    statistics,
    users,
)

router = APIRouter(include_in_schema=False)
for module in (
    events,
    notices,
    auth,
    partner,
    account,
    queue,
    dashboard,
    new_incident,
    incident,
    related,
    reporter,
    handover,
    feeds,
    evidence,
    users,
    audit,
    sharing,
    cvd,
    new_request,
    requests,
    contacts,
    constituents,
    search,
    statistics,
):
    router.include_router(module.router)

__all__ = ["router"]
