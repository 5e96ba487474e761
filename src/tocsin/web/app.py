"""The ASGI application: built once from the settings, with the store opened for its lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin import __version__
from tocsin.errors import InvalidValue, NotFound, TocsinError
from tocsin.services.stores import open_configured_store
from tocsin.settings import Settings
from tocsin.web.api import events as api_events
from tocsin.web.pages import events as page_events

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


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = open_configured_store(settings)
        try:
            yield
        finally:
            app.state.store.close()

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
    app.include_router(api_events.router, prefix="/api/v1")
    app.include_router(page_events.router)
    static = resources.files("tocsin.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(InvalidValue)
    async def invalid(request: Request, exc: InvalidValue) -> JSONResponse:
        return _problem(400, "Invalid value", str(exc), request)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> JSONResponse:
        return _problem(404, "Not found", str(exc), request)

    @app.exception_handler(TocsinError)
    async def other(request: Request, exc: TocsinError) -> JSONResponse:
        return _problem(400, "Request refused", str(exc), request)

    app.add_middleware(SecurityHeaders)
    return app


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
