"""``/report/status``: a reporter follows a report with its reference and private code. Both are
posted (never in a URL, so never in a log or a browser's history), compared in constant time,
and look-ups are limited per address."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from tocsin.errors import NotFound, TooManyAttempts
from tocsin.web.common.deps import Cookies, Reporting, session_for
from tocsin.web.common.proxies import client_of
from tocsin.web.portal.pages import page, refused

router = APIRouter(include_in_schema=False)


@router.get("/report/status", response_class=HTMLResponse)
def lookup_page(request: Request, sessions: Cookies, lang: str | None = None) -> HTMLResponse:
    session, fresh = session_for(request)
    response = page(request, "portal/status_form.html", lang, session, errors={}, reference="")
    if fresh:
        sessions.save(response, request, session)
    return response


@router.post("/report/status", response_class=HTMLResponse)
async def lookup(request: Request, sessions: Cookies, reports: Reporting) -> HTMLResponse:
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    lang = fields.get("lang")
    if fields.get("go", "").startswith("lang:"):
        lang = fields["go"][5:]
    session = sessions.read(request)
    if not sessions.csrf_ok(session, fields.get("csrf")):
        return refused(request, lang, "csrf", 403)
    reference = fields.get("reference", "")[:100]
    code = fields.get("code", "")[:100]
    if fields.get("go", "").startswith("lang:"):
        return page(
            request, "portal/status_form.html", lang, session, errors={}, reference=reference
        )
    try:
        progress = reports.progress(reference, code, client_of(request))
    except TooManyAttempts as exc:
        response = refused(request, lang, "too_many_lookups", 429)
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    except NotFound:
        return page(
            request,
            "portal/status_form.html",
            lang,
            session,
            status=404,
            errors={"reference": "no_match"},
            reference=reference,
        )
    return page(request, "portal/status.html", lang, session, progress=progress, code=code)
