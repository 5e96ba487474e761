"""Rendering the portal's pages in the reporter's language, with what every page shows: the
danger banner, the language picker, and the session's CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from tocsin.model.report import FLAGS, REPORT_SECTORS
from tocsin.web.common import deps, texts
from tocsin.web.common.i18n import LANGUAGES, pick
from tocsin.web.common.rendering import PORTAL
from tocsin.web.common.sessions import Session

PROBLEMS = {  # why a step was refused → the page's (status) heading and text, translated there
    "csrf",
    "too_many_reports",
    "too_many_lookups",
}


def page(
    request: Request,
    name: str,
    lang: str | None,
    session: Session | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    language = pick(lang, request.headers.get("accept-language"))
    settings = deps.settings(request)
    body = PORTAL.get_template(name).render(
        lang=language,
        languages=LANGUAGES.values(),
        emergency=settings.emergency_number,
        csrf=deps.sessions(request).csrf(session) if session is not None else "",
        texts=texts,
        flags=FLAGS,
        sectors=REPORT_SECTORS,
        **context,
    )
    response = HTMLResponse(body, status_code=status)
    response.headers["cache-control"] = "no-store"  # answers and codes stay out of caches
    response.headers["content-language"] = language.code
    return response


def refused(request: Request, lang: str | None, problem: str, status: int) -> HTMLResponse:
    assert problem in PROBLEMS
    return page(request, "portal/problem.html", lang, None, status, problem=problem)
