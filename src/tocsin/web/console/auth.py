"""Logging in and out: ``/login`` (user name, password, optional one-time code) and ``/logout``."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import NotAuthenticated, TooManyAttempts
from tocsin.model.people import Role
from tocsin.web.common.deps import PARTNER_HOME, CheckedForm, People, sessions
from tocsin.web.common.proxies import client_of
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

HOME = "/console"


def local_path(target: str | None) -> str:
    """``target`` when it is a path on this site (``/incidents/7?x=1``), else the queue: the
    log-in page never sends anyone to another site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or any(ord(c) < 0x21 for c in target):
        return HOME
    return HOME if parts.path in ("/login", "/logout") else target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = HOME) -> HTMLResponse:
    known = sessions(request)
    session = known.read(request)
    fresh = session is None
    if session is None:
        session = known.new(None)
    response = _form(request, known.csrf(session), local_path(next), "", None, 200)
    if fresh:
        known.save(response, request, session)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: CheckedForm, people: People) -> Response:
    name = form.get("username", "")
    target = local_path(form.get("next"))
    client = client_of(request)
    known = sessions(request)
    try:
        user = people.authenticate(
            name,
            form.get("password", ""),
            code=form.get("code") or None,
            client=client,
            vouched=known.vouches(request, name),
        )
    except (NotAuthenticated, TooManyAttempts) as exc:
        session = known.read(request)
        assert session is not None  # session_form checked its CSRF token
        status = 429 if isinstance(exc, TooManyAttempts) else 401
        page = _form(request, known.csrf(session), target, name, str(exc), status)
        if isinstance(exc, TooManyAttempts):
            page.headers["retry-after"] = str(exc.retry_after)
        return page
    if user.role is Role.PARTNER:  # partners have no console, only their TAXII details
        target = PARTNER_HOME
    response = RedirectResponse(target, status_code=303)
    known.save(response, request, known.new(user.id, user.session_epoch))
    known.remember_device(response, request, user.username)
    return response


@router.post("/logout")
def logout(request: Request, form: CheckedForm, people: People) -> RedirectResponse:
    response = RedirectResponse("/login", status_code=303)
    known = sessions(request)
    session = known.read(request)
    if session is not None and session.user_id is not None:
        people.end_session(session.sid, known.lifetime)
    known.end(response, request)
    return response


def _form(
    request: Request, csrf: str, target: str, name: str, error: str | None, status: int
) -> HTMLResponse:
    return render(
        request,
        "login.html",
        {"csrf": csrf, "next": target, "username": name, "error": error, "viewer": None},
        status=status,
    )
