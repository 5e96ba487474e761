"""The client behind a proxy: the app, not the server, decides whom ``X-Forwarded-For`` and
``X-Forwarded-Proto`` are believed from.

``ForwardedHeaders`` rewrites a request's client address and scheme from those headers only when
the address that connected is one of ``TOCSIN_TRUSTED_PROXIES`` (none by default), by the rule of
``model.clients.client_address``. ``tocsin serve`` runs uvicorn with its own proxy headers off, so
this is the one place that reads them: uvicorn would otherwise believe them from 127.0.0.1, and
anyone on the host could then pick their address. ``client_of`` is the one function that
everything keyed on the client's address asks (the portal's limits, the log-in limits).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from tocsin.model.clients import Network, client_address, trusted

SCHEMES = {"http": ("http", "https"), "websocket": ("ws", "wss")}


class ForwardedHeaders:
    """Believes X-Forwarded-For and X-Forwarded-Proto from trusted proxies, and from no one else."""

    def __init__(self, app: ASGIApp, proxies: Sequence[Network] = ()) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] in SCHEMES and peer and trusted(str(peer[0]), self.proxies):
            scope = dict(scope)
            headers = [(bytes(k).lower(), bytes(v)) for k, v in scope.get("headers", [])]
            forwarded = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
            scope["client"] = (client_address(str(peer[0]), forwarded, self.proxies), 0)
            protos = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-proto"]
            said = protos[-1].split(",")[-1].strip().lower() if protos else ""
            if said in ("http", "https"):
                plain, secure = SCHEMES[scope["type"]]
                scope["scheme"] = secure if said == "https" else plain
        await self.app(scope, receive, send)


def client_of(request: Request) -> str:
    """The client's address, as ``ForwardedHeaders`` resolved it ("" when unknown)."""
    return request.client.host if request.client else ""


__all__ = ["ForwardedHeaders", "client_of"]
