"""Loopback servers for the collectors' tests: a feed over HTTP, and a fake Shadowserver
Reports API that checks each request's HMAC2 as Shadowserver documents it."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Feed:
    """What the feed server answers at every path: ``body`` with an ``ETag``; a request with
    the matching ``If-None-Match`` gets a 304; ``status`` other than 200 is answered as is."""

    body: bytes = b""
    etag: str = '"v1"'
    status: int = 200
    gzip: bool = False
    requests: list[dict[str, str]] = field(default_factory=list)
    midway: Callable[[], None] | None = None  # called after half the body is sent


@dataclass
class Shadowserver:
    """The Reports API: ``reports/list`` answers ``reports`` (each with id, type, file,
    timestamp); ``reports/download`` and the download host answer ``files[id]``. A request whose
    HMAC2 is not the HMAC-SHA256 (hex) of its raw body with the secret, or whose apikey is not
    the key, gets a 401 with an error object."""

    key: str
    secret: str
    reports: list[dict[str, str]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class _Answering(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def answer(
        self,
        status: int,
        body: bytes,
        kind: str,
        headers: dict[str, str] | None = None,
        midway: Callable[[], None] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if midway is None:
            self.wfile.write(body)
            return
        half = len(body) // 2
        self.wfile.write(body[:half])
        self.wfile.flush()
        midway()
        self.wfile.write(body[half:])


def _feed_handler(state: Feed) -> type[BaseHTTPRequestHandler]:
    class Handler(_Answering):
        def do_GET(self) -> None:
            state.requests.append(dict(self.headers.items()))
            if state.status != 200:
                self.answer(state.status, b"no", "text/plain")
            elif self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.send_header("ETag", state.etag)
                self.end_headers()
            else:
                body = gzip.compress(state.body) if state.gzip else state.body
                self.answer(200, body, "text/plain", {"ETag": state.etag}, state.midway)

    return Handler


def _shadowserver_handler(state: Shadowserver) -> type[BaseHTTPRequestHandler]:
    class Handler(_Answering):
        def do_GET(self) -> None:  # the download host: the report by its id
            self.answer(200, state.files.get(self.path.strip("/"), b""), "text/csv")

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            expected = hmac.new(state.secret.encode(), raw, hashlib.sha256).hexdigest()
            body = json.loads(raw)
            state.calls.append((self.path, body))
            signed = hmac.compare_digest(self.headers.get("HMAC2", ""), expected)
            if not signed or body.get("apikey") != state.key:
                self.answer(401, b'{"error": "Unauthorized"}', "application/json")
            elif self.path.endswith("/reports/list"):
                self.answer(200, json.dumps(state.reports).encode(), "application/json")
            elif self.path.endswith("/reports/download"):
                self.answer(200, state.files.get(body.get("id", ""), b""), "text/csv")
            else:
                self.answer(404, b'{"error": "no such method"}', "application/json")

    return Handler


@contextmanager
def serving(state: Feed | Shadowserver) -> Iterator[str]:
    """The base URL of a loopback server answering as ``state`` says, until the block ends."""
    handler = _feed_handler(state) if isinstance(state, Feed) else _shadowserver_handler(state)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="collect-test-server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
