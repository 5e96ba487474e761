"""Tocsin's logs: the application log (loggers under ``tocsin``) and the access log
(``tocsin.access``, one line per HTTP request), as text lines or as JSON lines
(``TOCSIN_LOG_FORMAT=json``: one object per line, for a log shipper).

Each line's time comes from the clock the server runs on (the desk's injected clock), so a log
written under a test's clock, or under ``faketime``, agrees with the audit log and the timeline.
What a line may carry is decided where it is written: the access log names the method, the path
without its query string (a secret in a path, a notice's acknowledgement token, is masked), the
status, the duration and the client's address as ``web/common/proxies.py`` resolved it; never a
header, a cookie, a form or a body. No log line names a password, a token, a key or a reporter.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from tocsin.model.clock import Now, wall_clock
from tocsin.settings import Settings

FORMATS = ("text", "json")
ACCESS = "tocsin.access"
# The fields an access line carries besides the message, in this order.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "client")


def _time(clock: Now) -> str:
    return datetime.fromtimestamp(clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class JsonLines(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and an access line's fields."""

    def __init__(self, clock: Now = wall_clock) -> None:
        super().__init__()
        self.clock = clock

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _time(self.clock),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


class TextLines(logging.Formatter):
    """``2026-11-28T01:40:00Z INFO tocsin.access GET /console 200 3 ms 127.0.0.1``."""

    def __init__(self, clock: Now = wall_clock) -> None:
        super().__init__()
        self.clock = clock

    def format(self, record: logging.LogRecord) -> str:
        text = f"{_time(self.clock)} {record.levelname} {record.name} {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def log_handler(
    kind: str, clock: Now = wall_clock, stream: IO[str] | None = None
) -> logging.Handler:
    """A handler writing ``kind`` lines ("text" or "json") to ``stream`` (standard error)."""
    if kind not in FORMATS:
        raise ValueError(f"log format {kind!r}: text or json, please")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines(clock) if kind == "json" else TextLines(clock))
    return handler


def configure_logs(settings: Settings, clock: Now = wall_clock) -> logging.Handler:
    """Sends every log through one handler of the configured format: Tocsin's own loggers from
    ``settings.log_level``, everyone else's (the server's, the libraries') from warnings up."""
    handler = log_handler(settings.log_format, clock)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("tocsin").setLevel(settings.log_level.upper())
    return handler


__all__ = [
    "ACCESS",
    "ACCESS_FIELDS",
    "FORMATS",
    "JsonLines",
    "TextLines",
    "configure_logs",
    "log_handler",
]
