"""The logs: an access line per request and the application's lines, as JSON lines (or text),
timed by the app's clock, with the client the app resolved; never a password, a token, a
cookie, a query string or a reporter's personal data. uvicorn's own access log stays off."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx2
import orjson
import pytest

from tests.browser.serving import serving
from tests.desk import FakeClock
from tests.integration.test_portal_http import (
    ALL,
    PASSWORD,
    Site,
    look_up,
    make_site,
    receipt_of,
    send_all,
    site,
)
from tocsin.cli.serve import SERVER
from tocsin.errors import ConfigError
from tocsin.model.clock import Now
from tocsin.services.logs import log_handler
from tocsin.settings import Settings
from tocsin.web.app import create_app

__all__ = ["make_site", "site"]  # fixtures


class Captured:
    """What one handler of the given format wrote, for the app's loggers and the server's."""

    def __init__(self, kind: str, clock: Now) -> None:
        self.stream = io.StringIO()
        self.handler = log_handler(kind, clock, self.stream)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, object]]:
        return [orjson.loads(line) for line in self.text.splitlines()]

    def access(self) -> list[dict[str, object]]:
        return [line for line in self.lines() if line["logger"] == "tocsin.access"]


def capture(kind: str, clock: Now) -> Iterator[Captured]:
    captured = Captured(kind, clock)
    loggers = [logging.getLogger(name) for name in ("tocsin", "uvicorn")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(captured.handler)
        logger.setLevel(logging.INFO)
    try:
        yield captured
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(captured.handler)
            logger.setLevel(level)


@pytest.fixture
def json_log(site: Site) -> Iterator[Captured]:
    yield from capture("json", site.team.clock)


def test_an_access_line_is_one_json_object_on_the_apps_clock(
    site: Site, json_log: Captured
) -> None:
    """A request is one line: time (the app's clock), level, logger, message, method, path,
    status, duration and client."""
    site.team.clock.now = 1_800_000_000
    assert site.client.get("/login").status_code == 200
    (line,) = json_log.access()
    assert line["time"] == "2027-01-15T08:00:00Z"
    assert (line["level"], line["method"], line["path"], line["status"]) == (
        "info",
        "GET",
        "/login",
        200,
    )
    assert line["client"] == "testclient" and isinstance(line["duration_ms"], float)
    assert line["message"].startswith("GET /login 200 ")  # type: ignore[union-attr]


def test_no_secret_or_reporters_data_reaches_the_log(site: Site, json_log: Captured) -> None:
    """A report from the portal, its status lookup, a log-in, a query string and a notice's
    acknowledgement link: the log names none of the password, the reporter's name, address or
    phone, the status code, a cookie, a CSRF token, the query or the link's token."""
    reference, code = receipt_of(send_all(site.client))
    assert look_up(site.client, reference, code).status_code == 200
    analyst = site.log_in("analyst")
    assert analyst.get("/events?q=source.ip%3D198.51.100.77").status_code == 200
    site.client.get("/notices/7/ack/the-links-secret-token")
    secrets = [PASSWORD, code, "198.51.100.77", "the-links-secret-token"]
    secrets += [ALL[name][0] for name in ("name", "email", "phone", "site", "narrative")]
    secrets += list(analyst.cookies.values()) + list(site.client.cookies.values())
    leaked = [secret for secret in secrets if secret in json_log.text]
    assert leaked == []
    paths = [line["path"] for line in json_log.access()]
    assert "/report/status" in paths and "/login" in paths and "/events" in paths
    assert "/notices/7/ack/…" in paths


def test_text_lines_read_as_a_sentence(site: Site) -> None:
    """The default format: time, level, logger and message on one line."""
    site.team.clock.now = 1_800_000_000
    for captured in capture("text", site.team.clock):
        site.client.get("/login")
        assert captured.text.startswith("2027-01-15T08:00:00Z INFO tocsin.access GET /login 200 ")
        assert captured.text.rstrip().endswith(" ms testclient")


def test_a_real_server_logs_each_request_once_with_the_resolved_client(
    settings: Settings,
) -> None:
    """Served as `tocsin serve` serves: one access line per request, from Tocsin's logger (not
    uvicorn's), naming the client a trusted proxy forwarded."""
    clock = FakeClock()
    tuned = settings.but(trusted_proxies="127.0.0.1")
    for captured in capture("json", clock):
        with (
            serving(create_app(tuned, clock=clock, watch_clocks=False), **SERVER) as url,
            httpx2.Client(base_url=url, timeout=60) as client,
        ):
            client.get("/login", headers={"X-Forwarded-For": "203.0.113.9"})
        lines = captured.lines()
    assert [line["logger"] for line in lines] == ["tocsin.access"]
    assert lines[0]["client"] == "203.0.113.9" and lines[0]["path"] == "/login"
    assert lines[0]["time"] == datetime.fromtimestamp(clock.now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_log_settings_are_checked() -> None:
    """A log format other than text or json, or an unknown level, is refused at start."""
    assert Settings.load({"TOCSIN_LOG_FORMAT": "json"}).log_format == "json"
    with pytest.raises(ConfigError, match="text or json"):
        Settings.load({"TOCSIN_LOG_FORMAT": "xml"})
    with pytest.raises(ConfigError, match="debug, info, warning or error"):
        Settings.load({"TOCSIN_LOG_LEVEL": "loud"})
