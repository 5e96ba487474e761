"""The guided report, ``/report``: four steps of plain forms that work without JavaScript.

1. what happened (in plain words); 2. the advice that stops the harm, then the questions of that
path; 3. who reports, and how to reach them (or anonymously); 4. evidence, a review, and send.

Each step posts everything answered so far (the earlier steps ride along as hidden fields, so
"back" and a change of language lose nothing) with the session's CSRF token; each answer is
checked again on every step. The last step also checks a honeypot field, the time since the
first page (a signed stamp, which sends one report and is good for a session's lifetime), and the
address's hourly limit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData, UploadFile

from tocsin.errors import TooManyAttempts
from tocsin.model.report import PATHS, Errors, ReportPath, clean_answers, clean_path, clean_who
from tocsin.services.types import MAX_FILES, AlreadySent, FileRefused, StartStamp, Upload
from tocsin.web.common import deps
from tocsin.web.common.deps import Cookies, session_for
from tocsin.web.common.i18n import pick
from tocsin.web.common.proxies import client_of
from tocsin.web.common.sessions import Session
from tocsin.web.portal.pages import page, refused

router = APIRouter(include_in_schema=False)

STEPS = ("what", "details", "who", "evidence")
WHO_FIELDS = (
    "reporter",
    "sector",
    "org_name",
    "victim_name",
    "flags",
    "contact",
    "name",
    "email",
    "phone",
    "interpreter",
)
STARTED = "report-started"  # the purpose of the signed time of the first page


@router.get("/report", response_class=HTMLResponse)
def first_page(request: Request, sessions: Cookies, lang: str | None = None) -> HTMLResponse:
    session, fresh = session_for(request)
    state = State.empty(request, session)
    response = page(request, "portal/what.html", lang, session, state=state, errors={})
    if fresh:
        sessions.save(response, request, session)
    return response


@router.post("/report", response_class=HTMLResponse)
async def step(request: Request) -> HTMLResponse:
    form = await request.form(max_files=MAX_FILES + 1, max_fields=100, max_part_size=64 * 1024)
    try:
        return _step(request, form)
    finally:
        await form.close()


def _step(request: Request, form: FormData) -> HTMLResponse:
    fields = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}
    lang = _one(fields, "lang")
    go = _one(fields, "go")
    if go.startswith("lang:"):
        lang = go[5:]
    known = deps.sessions(request)
    session = known.read(request)
    if session is None or not known.csrf_ok(session, _one(fields, "csrf")):
        return refused(request, lang, "csrf", 403)
    state = State(fields, _one(fields, "started"))
    current = _one(fields, "step")
    if current not in STEPS:
        current = "what"
    if go.startswith("lang:"):
        return state.render(request, lang, session, current, {})
    if go == "back":
        return state.render(request, lang, session, STEPS[max(STEPS.index(current) - 1, 0)], {})
    for earlier in STEPS[: STEPS.index(current) + 1]:  # every answer so far, checked again
        errors = state.check(earlier)
        if errors:
            return state.render(request, lang, session, earlier, errors, status=400)
    if current != "evidence":
        return state.render(request, lang, session, STEPS[STEPS.index(current) + 1], {})
    return _send(request, form, state, lang, session)


def _send(
    request: Request, form: FormData, state: State, lang: str, session: Session
) -> HTMLResponse:
    settings = deps.settings(request)
    if _one(state.fields, "website"):  # the honeypot: people never see it, bots fill it
        return state.render(request, lang, session, "evidence", {"website": "honeypot"}, 400)
    started = _started_at(request, state, session)
    if started is None:
        return refused(request, lang, "csrf", 403)
    if deps.desk(request).clock() - started < settings.report_min_seconds:
        return state.render(request, lang, session, "evidence", {"send": "too_fast"}, 400)
    uploads = [
        Upload(item.filename or "", item.file)
        for item in form.getlist("files")
        if isinstance(item, UploadFile) and (item.filename or item.size)
    ]
    reports = deps.reports(request)
    path, _ = clean_path(state.fields)
    assert path is not None  # checked with every step above
    answers, _ = clean_answers(path, state.fields)
    who, _ = clean_who(state.fields)
    assert who is not None
    try:
        receipt = reports.submit(
            path,
            answers,
            who,
            _lang_code(request, lang),
            uploads,
            client=client_of(request),
            stamp=StartStamp(state.started, started + deps.sessions(request).lifetime),
        )
    except AlreadySent:  # the form of a report already sent: a new one starts on a new page
        return refused(request, lang, "csrf", 403)
    except FileRefused as exc:
        return state.render(request, lang, session, "evidence", {"files": exc.reason}, 400)
    except TooManyAttempts as exc:
        response = refused(request, lang, "too_many_reports", 429)
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    return page(
        request,
        "portal/done.html",
        lang,
        session,
        state=state,
        receipt=receipt,
        path=path,
        answers=answers,
        who=who,
    )


def _started_at(request: Request, state: State, session: Session) -> int | None:
    """The time of the report's first page, from its stamp; None when the stamp was not made
    here for this session or is older than a session may live."""
    value = deps.sessions(request).unstamp(f"{STARTED}:{session.sid}", state.started)
    when = (value or "").partition("-")[0]
    lives = deps.sessions(request).lifetime
    if not when.isdigit() or deps.desk(request).clock() > int(when) + lives:
        return None
    return int(when)


def _lang_code(request: Request, asked: str) -> str:
    return pick(asked, request.headers.get("accept-language")).code


def _one(fields: dict[str, list[str]], key: str) -> str:
    values = fields.get(key) or [""]
    return values[0]


class State:
    """The answers so far, as posted; what each step shows and carries along."""

    def __init__(self, fields: dict[str, list[str]], started: str) -> None:
        self.fields = fields
        self.started = started

    @classmethod
    def empty(cls, request: Request, session: Session) -> State:
        """No answer yet, and the time of this first page signed for this browser's session,
        with a random part: each first page's stamp is its own, and sends one report."""
        started = f"{deps.desk(request).clock()}-{secrets.token_hex(8)}"
        return cls({}, deps.sessions(request).stamp(f"{STARTED}:{session.sid}", started))

    @property
    def path(self) -> ReportPath | None:
        return PATHS.get(_one(self.fields, "path"))

    def keys(self, step: str) -> Sequence[str]:
        if step == "what":
            return ("path",)
        if step == "details":
            path = self.path
            return tuple(q.key for q in path.all_questions) if path else ()
        if step == "who":
            return WHO_FIELDS
        return ()

    def check(self, step: str) -> Errors:
        if step == "what":
            return clean_path(self.fields)[1]
        if step == "details" and self.path is not None:
            return clean_answers(self.path, self.fields)[1]
        if step == "who":
            return clean_who(self.fields)[1]
        return {}

    def value(self, key: str) -> str:
        return _one(self.fields, key)

    def values(self, key: str) -> list[str]:
        return self.fields.get(key) or []

    def carried(self, step: str) -> list[tuple[str, str]]:
        """The hidden fields of a step: every answer of the other steps."""
        shown = set(self.keys(step))
        pairs: list[tuple[str, str]] = []
        for other in STEPS:
            for key in self.keys(other):
                if key not in shown:
                    pairs.extend((key, v) for v in self.values(key) if v)
        return pairs

    def render(
        self,
        request: Request,
        lang: str,
        session: Any,
        step: str,
        errors: Errors,
        status: int = 200,
    ) -> HTMLResponse:
        path = self.path
        answers = clean_answers(path, self.fields)[0] if path else {}
        who = clean_who(self.fields)[0] if step == "evidence" else None
        return page(
            request,
            f"portal/{step}.html",
            lang,
            session,
            state=self,
            step=step,
            errors=errors,
            path=path,
            answers=answers,
            who=who,
            status=status,
        )
