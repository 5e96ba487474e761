"""``/report/status``: a reporter follows a report with its reference and private code, and adds
to it (``/report/status/add``: what they remember since, new files). Reference and code are
posted (never in a URL, so never in a log or a browser's history), compared in constant time,
and look-ups and additions are limited per address together."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData, UploadFile

from tocsin.errors import InvalidValue, NotFound, TooLong, TooManyAttempts
from tocsin.model.limits import LIMITS
from tocsin.services.types import MAX_FILES, Addition, AlreadySent, FileRefused, Progress, Upload
from tocsin.web.common.deps import Cookies, Reporting, session_for
from tocsin.web.common.proxies import client_of
from tocsin.web.common.sessions import Session
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
    except (TooManyAttempts, NotFound) as exc:
        return _not_shown(request, lang, session, reference, exc)
    return _status(request, lang, session, progress, code)


def _not_shown(
    request: Request,
    lang: str | None,
    session: Session | None,
    reference: str,
    exc: TooManyAttempts | NotFound,
) -> HTMLResponse:
    """Too many tries (429, and when to try again), or no report with this reference and code
    (the look-up form again, 404)."""
    if isinstance(exc, TooManyAttempts):
        response = refused(request, lang, "too_many_lookups", 429)
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    return page(
        request,
        "portal/status_form.html",
        lang,
        session,
        status=404,
        errors={"reference": "no_match"},
        reference=reference,
    )


def _status(
    request: Request,
    lang: str | None,
    session: Session | None,
    progress: Progress,
    code: str,
    *,
    errors: dict[str, str] | None = None,
    added: Addition | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The status page, with the form that adds to the report (a fresh one-time token)."""
    return page(
        request,
        "portal/status.html",
        lang,
        session,
        status,
        progress=progress,
        code=code,
        once=secrets.token_urlsafe(18),
        errors=errors or {},
        added=added,
        max_account=LIMITS["report.account"],
    )


@router.post("/report/status/add", response_class=HTMLResponse)
async def add(request: Request, sessions: Cookies, reports: Reporting) -> HTMLResponse:
    form = await request.form(max_files=MAX_FILES + 1, max_fields=12, max_part_size=64 * 1024)
    try:
        return _add(request, sessions, reports, form)
    finally:
        await form.close()


def _add(request: Request, sessions: Cookies, reports: Reporting, form: FormData) -> HTMLResponse:
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    lang = fields.get("lang")
    session = sessions.read(request)
    if not sessions.csrf_ok(session, fields.get("csrf")):
        return refused(request, lang, "csrf", 403)
    reference, code = fields.get("reference", "")[:100], fields.get("code", "")[:100]
    uploads = [
        Upload(item.filename or "", item.file)
        for item in form.getlist("files")
        if isinstance(item, UploadFile) and (item.filename or item.size)
    ]
    client = client_of(request)
    try:
        added = reports.add_to(
            reference, code, client, fields.get("text", ""), uploads, fields.get("once", "")
        )
    except (TooManyAttempts, NotFound) as exc:
        return _not_shown(request, lang, session, reference, exc)
    except (AlreadySent, FileRefused, InvalidValue) as exc:
        progress = reports.progress(reference, code, client)
        errors = _why(exc)
        return _status(request, lang, session, progress, code, errors=errors, status=400)
    return _status(request, lang, session, added.progress, code, added=added)


def _why(exc: Exception) -> dict[str, str]:
    if isinstance(exc, AlreadySent):
        return {"text": "already_added"}
    if isinstance(exc, FileRefused):
        return {"files": exc.reason}
    if isinstance(exc, TooLong):
        return {"text": "too_long"}
    return {"text": "nothing_added"}
