"""The ASGI application: built once from the settings, with the store opened for its lifetime."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin import __version__
from tocsin.auth.keys import new_secret_key
from tocsin.cases.watch import watch_sla
from tocsin.errors import (
    Conflict,
    Forbidden,
    InvalidValue,
    NotAuthenticated,
    NotFound,
    TocsinError,
    TooManyAttempts,
)
from tocsin.model.clock import Now, wall_clock
from tocsin.services.desk import Desk
from tocsin.services.notices import watch_notices
from tocsin.services.pull import load_sources, watch_pulls
from tocsin.settings import Settings
from tocsin.web import console, portal, taxii
from tocsin.web.api import events as api_events
from tocsin.web.api import incident_parts as api_incident_parts
from tocsin.web.api import incidents as api_incidents
from tocsin.web.common import errors as page_errors
from tocsin.web.common.sessions import Sessions
from tocsin.web.pages import events as page_events
from tocsin.web.pages import notices as page_notices

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

# How each error of the core reads over HTTP: mapped here once, for the API and the pages alike.
STATUSES: tuple[tuple[type[TocsinError], int, str], ...] = (
    (InvalidValue, 400, "Invalid value"),
    (TooManyAttempts, 429, "Too many attempts"),
    (NotAuthenticated, 401, "Not authenticated"),
    (Forbidden, 403, "Forbidden"),
    (NotFound, 404, "Not found"),
    (Conflict, 409, "Conflict"),
    (taxii.NotAcceptable, 406, "Not acceptable"),
    (taxii.UnsupportedMedia, 415, "Unsupported media type"),
)


class SecurityHeaders:
    """Adds the security headers to every response, pages, API and static files alike."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


MAX_BODY = 26 * 1024 * 1024  # the largest evidence file (25 MB) and its form around it


class BodyLimit:
    """Refuses a request body over ``MAX_BODY`` with 413 before it is spooled anywhere: by its
    Content-Length at once, or while it streams in when it has none."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _too_large(send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _BodyTooLarge:
            await _too_large(send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b"Request body too large: at most 26 MB.\n"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app(  # noqa: C901
    settings: Settings, *, clock: Now = wall_clock, watch_clocks: bool = True
) -> FastAPI:
    """The app; ``clock`` (whole seconds since the epoch) is injected so tests can move time."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        desk = Desk.open(settings, clock=clock)
        store = desk.store
        app.state.desk = desk
        app.state.store = store
        app.state.incidents = desk.incidents
        app.state.accounts = desk.accounts
        app.state.audit = desk.audit
        app.state.evidence = desk.evidence
        app.state.reports = desk.reports
        app.state.sharing = desk.sharing
        app.state.cvd = desk.cvd
        app.state.notifier = desk.notices
        stop = asyncio.Event()
        watches = []
        if watch_clocks:
            watches.append(asyncio.create_task(watch_sla(app.state.incidents, stop)))
            if settings.notify_every and app.state.notifier is not None:
                watches.append(
                    asyncio.create_task(
                        watch_notices(app.state.notifier, stop, every=settings.notify_every)
                    )
                )
            if settings.share_sources:  # partners' collections pulled on their schedule
                # read once; a broken file stops the start, saying why
                sources = load_sources(settings.share_sources)
                watches.append(
                    asyncio.create_task(watch_pulls(settings, store, sources, stop, now=clock))
                )
        try:
            yield
        finally:
            stop.set()
            for watch in watches:
                await watch  # lets a check or pull in progress finish before the store closes
            store.close()

    app = FastAPI(
        title="Tocsin",
        version=__version__,
        description="The 24/7 desk of a national CSIRT: events from every feed, one model.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI and ReDoc load scripts from third-party hosts: not served
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Without a configured secret_key a fresh one is made at every start: sessions (and the CSRF
    # tokens bound to them) then last only until the server restarts. Set TOCSIN_SECRET_KEY.
    app.state.sessions = Sessions(settings.secret_key or new_secret_key(), clock=clock)
    app.state.taxii_credentials = taxii.Credentials()
    # First: partners' tools poll TAXII many times a second, and each route tried before the
    # right one costs a regular-expression match.
    app.include_router(taxii.router)
    app.include_router(api_events.router, prefix="/api/v1")
    app.include_router(api_incidents.router, prefix="/api/v1")
    app.include_router(api_incident_parts.router, prefix="/api/v1")
    app.include_router(api_incident_parts.downloads, prefix="/api/v1")
    app.include_router(page_events.router)
    app.include_router(page_notices.router)
    app.include_router(console.router)
    app.include_router(portal.router)
    static = resources.files("tocsin.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(TocsinError)
    async def refused(request: Request, exc: TocsinError) -> Response:
        status, title = status_of(exc)
        if request.url.path.startswith("/taxii2/"):
            return taxii.taxii_error(status, title, str(exc), basic=status == 401)
        if not is_api(request):
            page = page_errors.error_page(request, exc, status, title)
            if isinstance(exc, TooManyAttempts):
                page.headers["retry-after"] = str(exc.retry_after)
            return page
        response = _problem(status, title, str(exc), request)
        if isinstance(exc, TooManyAttempts):
            response.headers["retry-after"] = str(exc.retry_after)
        if status == 401:
            response.headers["www-authenticate"] = 'Bearer realm="tocsin"'
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/taxii2/"):
            return taxii.taxii_error(exc.status_code, str(exc.detail), "")
        if is_api(request):
            return await http_exception_handler(request, exc)
        return page_errors.http_error_page(request, exc.status_code, exc.detail, exc.headers)

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app


def status_of(exc: TocsinError) -> tuple[int, str]:
    for kind, status, title in STATUSES:
        if isinstance(exc, kind):
            return status, title
    return 400, "Request refused"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _problem(status: int, title: str, detail: str, request: Request) -> JSONResponse:
    """RFC 9457 problem details."""
    return JSONResponse(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.url.path,
        },
        status_code=status,
        media_type="application/problem+json",
    )
