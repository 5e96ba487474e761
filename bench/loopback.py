"""What the HTTP benches share: `tocsin serve` on a free loopback port, and a client that keeps
one keep-alive connection and its cookies, as a browser does."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def tocsin_serve(settings: dict[str, str]) -> Iterator[int]:
    """The port of a `tocsin serve` with these TOCSIN_* settings (and a random secret key),
    once its health check answers; stopped at the end of the block."""
    port = free_port()
    env = dict(os.environ, TOCSIN_SECRET_KEY=os.urandom(32).hex(), **settings)
    server = subprocess.Popen(
        [sys.executable, "-m", "tocsin.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(port: int, server: subprocess.Popen[bytes]) -> None:
    """Until the health check answers, the server exits, or the deadline passes."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"tocsin serve exited with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            threading.Event().wait(0.1)  # the port is not open yet
    raise SystemExit(f"tocsin serve did not answer within {STARTUP_SECONDS} s")


class Client:
    """One browser-like client over one keep-alive connection, keeping its cookies."""

    def __init__(self, port: int, timeout: float = 60) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, payload

    def close(self) -> None:
        self.conn.close()
