"""The access log: one line per HTTP request on the ``tocsin.access`` logger, written when the
answer has gone (uvicorn's own access log is off: ``cli/serve.py``'s ``SERVER``).

A line names the method, the path, the status, the duration and the client's address as
``ForwardedHeaders`` resolved it (so it sits inside that middleware). It never names a query
string (a search may carry an address or a name), a header, a cookie or a body; and a path that
carries a secret of its own, a notice's acknowledgement token, has it masked.
"""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tocsin.services.logs import ACCESS

log = logging.getLogger(ACCESS)
# Paths whose last part is a secret: kept up to the secret, which is replaced by "…".
SECRET_PATHS = (re.compile(r"^(/notices/\d+/ack/)[^/]+"),)


def shown_path(path: str) -> str:
    """The path as the log shows it: a secret in it masked."""
    for pattern in SECRET_PATHS:
        path = pattern.sub(r"\1…", path)
    return path


class AccessLog:
    """Logs each HTTP request once its answer has gone (or failed: then as status 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()  # a duration, never a date: the monotonic counter
        status = 500

        async def noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noted)
        finally:
            client = scope.get("client")
            fields = {
                "method": str(scope.get("method", "")),
                "path": shown_path(str(scope.get("path", ""))),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "client": str(client[0]) if client else "",
            }
            log.info(
                "%s %s %s %s ms %s",
                fields["method"],
                fields["path"],
                fields["status"],
                fields["duration_ms"],
                fields["client"] or "-",
                extra=fields,
            )


__all__ = ["AccessLog", "shown_path"]
