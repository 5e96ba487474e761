"""One HTTP request with a size and a time limit, for the collectors that fetch over HTTP(S).

The standard library's client: an answer larger than the limit, or slower than it (each read
waits at most the limit, and the whole answer must arrive before the deadline on the desk's
clock), is ``InputUnreadable``, and nothing of it is kept. Messages name the method and the
address, never a header or a body (they may carry credentials).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from http.client import HTTPResponse

from tocsin.errors import InputUnreadable
from tocsin.model.clock import Now

CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: Message
    body: bytes


@dataclass(frozen=True, slots=True)
class Limits:
    bytes: int
    seconds: int


class _NoRedirectToOtherScheme(urllib.request.HTTPRedirectHandler):
    """Follows redirects, never from HTTPS down to plain HTTP (credentials would leak)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if req.full_url.startswith("https:") and not newurl.startswith("https:"):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_NoRedirectToOtherScheme())


def request(
    method: str,
    url: str,
    limits: Limits,
    clock: Now,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    label: str | None = None,
) -> Answer:
    """The answer to one request: a 2xx or 304 answer read whole; anything else, a failure to
    connect, an answer past ``limits``: ``InputUnreadable``, naming ``label`` (else ``url``)."""
    where = f"{method} {label or url}"
    deadline = clock() + limits.seconds
    if not check_url(url):
        raise InputUnreadable(f"{where}: only http:// and https:// addresses are fetched")
    fields = dict(headers or {})
    call = urllib.request.Request(url, body, fields, method=method)  # noqa: S310 (checked above)
    try:
        with _OPENER.open(call, timeout=limits.seconds) as answer:
            return Answer(
                answer.status, answer.headers, _read(answer, where, limits, clock, deadline)
            )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Answer(304, exc.headers, b"")
        raise InputUnreadable(f"{where}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise InputUnreadable(f"{where}: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise InputUnreadable(f"{where}: {type(exc).__name__}: {exc}") from None


def _read(answer: HTTPResponse, where: str, limits: Limits, clock: Now, deadline: int) -> bytes:
    declared = answer.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limits.bytes:
        raise InputUnreadable(
            f"{where}: the answer has {declared} bytes, over the limit of "
            f"{limits.bytes} (max_bytes)"
        )
    parts: list[bytes] = []
    size = 0
    while True:
        part = answer.read(CHUNK)
        if not part:
            return b"".join(parts)
        size += len(part)
        if size > limits.bytes:
            raise InputUnreadable(
                f"{where}: the answer passed the limit of {limits.bytes} bytes (max_bytes)"
            )
        if clock() > deadline:
            raise InputUnreadable(
                f"{where}: the answer took longer than {limits.seconds} s (max_seconds)"
            )
        parts.append(part)


def check_url(url: str) -> bool:
    """Whether ``url`` is one the collectors fetch: http or https."""
    return url.startswith(("http://", "https://"))


__all__ = ["Answer", "Limits", "check_url", "request"]
