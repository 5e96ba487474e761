"""A real uvicorn server for the browser tests: on a free loopback port, in a thread, started and
stopped with deadlines (never slept on)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page
from starlette.types import ASGIApp

STARTUP_SECONDS = 30


class _Server(uvicorn.Server):
    """uvicorn's server, telling a waiting thread when its startup is over, done or failed."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.startup_over = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.startup_over.set()


@contextmanager
def serving(app: ASGIApp, name: str = "tocsin-test-server", **options: Any) -> Iterator[str]:
    """The base URL of ``app`` served on a free port until the block ends; ``options`` are
    uvicorn's (``tocsin serve``'s own, say)."""
    config = uvicorn.Config(
        app,
        **{
            "host": "127.0.0.1",
            "port": 0,
            "http": "h11",
            "ws": "none",
            "lifespan": "on",
            "log_config": None,  # leave the test process's logging alone
            "log_level": "warning",
            "access_log": False,
        }
        | options,
    )
    server = _Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    if not server.startup_over.wait(timeout=STARTUP_SECONDS) or not server.started:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        pytest.fail(f"the test server did not start within {STARTUP_SECONDS} s; its log says why")
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        assert not thread.is_alive(), "the test server did not stop"


@contextmanager
def fresh_page(browser: Browser, url: str, **options: Any) -> Iterator[Page]:
    """A page in a browser context of its own (closed at the end), on the server at ``url``."""
    context = browser.new_context(base_url=url, **options)
    try:
        yield context.new_page()
    finally:
        context.close()
