"""The pages' side of the error mapping: an error page with the service's message, or — when
nobody is logged in — the way to the log-in page. (``tocsin.web.app`` picks the status once.)"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from urllib.parse import quote

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from tocsin.errors import NotAuthenticated, TocsinError
from tocsin.web.common.deps import Viewer, signed_in
from tocsin.web.common.rendering import render


def error_page(request: Request, exc: TocsinError, status: int, title: str) -> Response:
    if isinstance(exc, NotAuthenticated):
        return to_login(request)
    return _page(request, status, title, str(exc))


def http_error_page(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None
) -> Response:
    """Starlette's own errors (no such page, wrong method) as pages too."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    message = "There is no page at this address." if status == 404 else detail
    response = _page(request, status, phrase, message)
    response.headers.update(headers or {})
    return response


def to_login(request: Request) -> RedirectResponse:
    """To the log-in page, coming back here afterwards (after a refused POST: to the queue)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    back = here if request.method == "GET" else "/console"
    return RedirectResponse(f"/login?next={quote(back, safe='/')}", status_code=303)


def _page(request: Request, status: int, title: str, message: str) -> Response:
    parts = request.url.path.split("/")
    on_incident = len(parts) > 2 and parts[1] == "incidents" and parts[2].isdigit()
    back = f"/incidents/{parts[2]}" if on_incident and status != 404 else None
    return render(
        request,
        "error.html",
        {
            "status": status,
            "title": title,
            "message": message,
            "back": back,
            "viewer": _viewer(request),
        },
        status=status,
    )


def _viewer(request: Request) -> Viewer | None:
    """Who is logged in, for the navigation of the error page; None when nobody or unsure."""
    try:
        return signed_in(request)
    except TocsinError:
        return None
