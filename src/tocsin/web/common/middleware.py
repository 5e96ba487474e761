"""The middleware every answer passes through: the security headers, added to pages, API and
static files alike, and the body limit, which refuses an oversized request before it is read.

Every answer but a static file also says ``Cache-Control: no-store``: console pages, API and TAXII
answers carry victim data to a signed-in person or a token, and the portal's pages carry a
reporter's answers, so none may stay in a browser's or a proxy's cache. An answer that names its
own ``Cache-Control`` keeps it. ``Strict-Transport-Security`` is sent only on a request that came
over https (the scheme uvicorn sets, from the proxy's ``X-Forwarded-Proto`` when it trusts it):
over plain http a browser ignores it, and sending it there would say nothing true."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.web.common.sessions import Sessions

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
NO_STORE = (b"cache-control", b"no-store")
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
STATIC = "/static/"


def headers_for(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The headers an answer to this request carries, unless it names them itself."""
    headers = list(SECURITY_HEADERS)
    if not str(scope.get("path", "")).startswith(STATIC):
        headers.append(NO_STORE)
    if scope.get("scheme") == "https":
        headers.append(HSTS)
    return headers


class SecurityHeaders:
    """Adds the security headers to every response, pages, API and static files alike; no-store
    to all but static files; HSTS under https."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        wanted = headers_for(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {bytes(name).lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in wanted if k not in names]
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


class SessionRefresh:
    """Signs afresh the cookie of the logged-in session a request was let in with, so that the
    session's idle timeout counts from the latest request (``Sessions.renewed``)."""

    def __init__(self, app: ASGIApp, sessions: Sessions) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_renewed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                message["headers"] = self.sessions.renewed(scope, headers)
            await send(message)

        await self.app(scope, receive, send_renewed)
