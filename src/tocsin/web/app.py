"""The ASGI application: built once from the settings, with the desk opened for its lifetime.

``create_app`` puts it together from small builders: the lifespan (the desk, the web's parts and
the scheduler of the background jobs), the routers, the static files, the error handlers and
the middleware.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from tocsin import __version__
from tocsin.errors import (
    Conflict,
    Forbidden,
    InvalidValue,
    NotAcceptable,
    NotAuthenticated,
    NotFound,
    TocsinError,
    TooLong,
    TooManyAttempts,
    UnsupportedMedia,
)
from tocsin.model.clients import networks
from tocsin.model.clock import Now
from tocsin.services.desk import Desk, with_secret_key
from tocsin.services.watches import last_checkpoint, scheduler
from tocsin.settings import Settings
from tocsin.web import console, metrics, portal, taxii
from tocsin.web.api import assist as api_assist
from tocsin.web.api import assist_figures as api_assist_figures
from tocsin.web.api import assist_inbox as api_assist_inbox
from tocsin.web.api import constituents as api_constituents
from tocsin.web.api import cvd as api_cvd
from tocsin.web.api import docs as api_docs
from tocsin.web.api import events as api_events
from tocsin.web.api import incident_actions as api_incident_actions
from tocsin.web.api import incident_parts as api_incident_parts
from tocsin.web.api import incidents as api_incidents
from tocsin.web.api import operations as api_operations
from tocsin.web.api import search as api_search
from tocsin.web.api import sharing as api_sharing
from tocsin.web.api import views as api_views
from tocsin.web.common import errors as page_errors
from tocsin.web.common.access_log import AccessLog
from tocsin.web.common.deps import Web, install
from tocsin.web.common.middleware import BodyLimit, SecurityHeaders, SessionRefresh
from tocsin.web.common.proxies import ForwardedHeaders
from tocsin.web.common.remembered import Remembered
from tocsin.web.common.sessions import Sessions

# How each error of the core reads over HTTP: mapped here once, for the API and the pages alike.
STATUSES: tuple[tuple[type[TocsinError], int, str], ...] = (
    (TooLong, 422, "Text too long"),
    (InvalidValue, 400, "Invalid value"),
    (TooManyAttempts, 429, "Too many attempts"),
    (NotAuthenticated, 401, "Not authenticated"),
    (Forbidden, 403, "Forbidden"),
    (NotFound, 404, "Not found"),
    (Conflict, 409, "Conflict"),
    (NotAcceptable, 406, "Not acceptable"),
    (UnsupportedMedia, 415, "Unsupported media type"),
)

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_app(settings: Settings, *, clock: Now, watch_clocks: bool = True) -> FastAPI:
    """The app on ``clock`` (whole seconds since the epoch). The clock has no default: the
    server hands in the wall clock, a test its own, so no test's app (nor the jobs its lifespan
    runs, such as the retention purge) reads the real time."""
    # TOCSIN_SECRET_KEY, else the key kept in the data folder (made on first start): sessions
    # and the CSRF tokens bound to them survive a restart, and notices' links can be signed.
    settings = with_secret_key(settings)
    sessions = Sessions(
        settings.secret_key,
        clock=clock,
        idle=settings.session_idle,
        lifetime=settings.session_lifetime,
    )
    app = FastAPI(
        title="Tocsin",
        version=__version__,
        description="The 24/7 desk of a national CSIRT: events from every feed, one model.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # FastAPI's pages load scripts from other hosts: /docs is web.api.docs
        redoc_url=None,
        lifespan=lifespan(settings, sessions, clock, watch_clocks=watch_clocks),
    )
    add_routers(app)
    add_static(app)
    add_error_handlers(app)
    add_middleware(app, sessions, settings)
    return app


def lifespan(settings: Settings, sessions: Sessions, clock: Now, *, watch_clocks: bool) -> Lifespan:
    """Opens the desk at start and hands it, with the web's parts, to every request; starts the
    scheduler of the background jobs in a thread (``watch_clocks``); at the end lets the jobs in
    progress finish, checkpoints the audit log, and closes the store."""

    @asynccontextmanager
    async def running(app: FastAPI) -> AsyncIterator[None]:
        desk = Desk.open(settings, clock=clock)
        install(app, Web(desk=desk, sessions=sessions, taxii_credentials=Remembered()))
        running_jobs = scheduler(desk).start() if watch_clocks else None
        try:
            yield
        finally:
            if running_jobs is not None:  # the jobs in progress end before the store closes
                await asyncio.to_thread(running_jobs.stop)
            await asyncio.to_thread(last_checkpoint, desk.audit)
            desk.close()

    return running


def add_routers(app: FastAPI) -> None:
    # First: partners' tools poll TAXII many times a second, and each route tried before the
    # right one costs a regular-expression match.
    app.include_router(taxii.router)
    app.include_router(api_events.router, prefix="/api/v1")
    app.include_router(api_operations.router, prefix="/api/v1")
    app.include_router(api_assist_inbox.router, prefix="/api/v1")
    app.include_router(api_incidents.router, prefix="/api/v1")
    app.include_router(api_incident_actions.router, prefix="/api/v1")
    app.include_router(api_incident_parts.router, prefix="/api/v1")
    app.include_router(api_incident_parts.downloads, prefix="/api/v1")
    app.include_router(api_assist_figures.router, prefix="/api/v1")
    app.include_router(api_assist.router, prefix="/api/v1")
    app.include_router(api_search.router, prefix="/api/v1")
    app.include_router(api_views.router, prefix="/api/v1")
    app.include_router(api_cvd.router, prefix="/api/v1")
    app.include_router(api_constituents.router, prefix="/api/v1")
    app.include_router(api_sharing.router, prefix="/api/v1")
    app.include_router(api_docs.router)
    app.include_router(metrics.router)
    app.include_router(console.router)
    app.include_router(portal.router)


def add_static(app: FastAPI) -> None:
    static = resources.files("tocsin.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(TocsinError, refused)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]


def add_middleware(app: FastAPI, sessions: Sessions, settings: Settings) -> None:
    app.add_middleware(SessionRefresh, sessions=sessions)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)  # even a refused body gets the headers
    app.add_middleware(AccessLog)  # inside ForwardedHeaders: logs the client it resolved
    # the outermost: the client and scheme a trusted proxy names are what every part sees
    app.add_middleware(ForwardedHeaders, proxies=networks(settings.trusted_proxies))


async def refused(request: Request, exc: TocsinError) -> Response:
    """An error of the core, as TAXII, a page or the API answers it."""
    status, title = status_of(exc)
    response: Response
    if request.url.path.startswith("/taxii2/"):
        return taxii.taxii_error(status, title, str(exc), basic=status == 401)
    if is_api(request):
        response = _problem(status, title, str(exc), request)
        if status == 401:
            response.headers["www-authenticate"] = 'Bearer realm="tocsin"'
    else:
        response = page_errors.error_page(request, exc, status, title)
    if isinstance(exc, TooManyAttempts):
        response.headers["retry-after"] = str(exc.retry_after)
    return response


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's own errors (no such route, wrong method), as TAXII, the API or a page."""
    if request.url.path.startswith("/taxii2/"):
        return taxii.taxii_error(exc.status_code, str(exc.detail), "")
    if is_api(request):
        return await http_exception_handler(request, exc)
    return page_errors.http_error_page(request, exc.status_code, exc.detail, exc.headers)


async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    """A path whose id is out of range (``web.common.params.PathId``) names nothing: 404, as
    TAXII, the API or a page says it. Any other value that fails its type: FastAPI's 422."""
    if all(error["loc"][:1] == ("path",) for error in exc.errors()):
        return await refused(request, NotFound(f"nothing at {request.url.path}"))
    return await request_validation_exception_handler(request, exc)


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
