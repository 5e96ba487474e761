"""What travels between two Tocsins and how: the HTTP call to the other side's inbox, the
back-off between attempts, and the payload of a request.

The call is one POST of the envelope's canonical JSON to ``<base URL>/api/v1/assist/inbox``, with
a time limit and a size limit on the answer; any failure (no connection, a time-out, an answer
other than 200) is ``Unreachable`` and the message waits for its next attempt. Messages name the
address, never a body.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tocsin.errors import TocsinError
from tocsin.model.assist.request import Request

INBOX = "/api/v1/assist/inbox"
TIMEOUT = 15  # seconds a delivery waits on the other side
MAX_ANSWER = 64 * 1024  # bytes: a receipt is small
FIRST_RETRY = 60  # seconds after the first failure
LAST_RETRY = 3600  # the longest wait between two attempts: never given up, an hour at most


class Unreachable(TocsinError):
    """The other side did not take the envelope: why, for the exchange log."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes


Post = Callable[[str, bytes], Answer]


def backoff(attempts: int) -> int:
    """Seconds before the next attempt after ``attempts`` failed ones: 1, 2, 4… minutes, at
    most an hour."""
    return int(min(LAST_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1)))


def inbox_url(base: str) -> str:
    """The inbox of the Tocsin at ``base`` (its address in the directory)."""
    if not base.startswith(("https://", "http://")):
        raise Unreachable(f"{base!r} is not an http(s) address of a Tocsin")
    return base.rstrip("/") + INBOX


def http_post(url: str, body: bytes) -> Answer:
    """POST ``body`` as JSON to ``url``: the answer, whatever its status; ``Unreachable`` when
    there is none (no connection, a time-out) or it is too large."""
    call = urllib.request.Request(  # noqa: S310 (inbox_url takes http(s) only)
        url, body, {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(call, timeout=TIMEOUT) as answer:  # noqa: S310
            return Answer(answer.status, _read(answer, url))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, _read(exc, url))
    except urllib.error.URLError as exc:
        raise Unreachable(f"POST {url}: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise Unreachable(f"POST {url}: {type(exc).__name__}: {exc}") from None


def _read(answer: Any, url: str) -> bytes:
    body = bytes(answer.read(MAX_ANSWER + 1))
    if len(body) > MAX_ANSWER:
        raise Unreachable(f"POST {url}: the answer is larger than {MAX_ANSWER} bytes")
    return body


def request_payload(request: Request) -> dict[str, Any]:
    """What an outgoing request says to the other Tocsin: everything it needs to register it as
    incoming (our reference becomes their ``their_ref``); no internal ids, no people."""
    return {
        "ref": request.ref,
        "their_ref": request.their_ref,
        "basis": request.basis.value,
        "title": request.title,
        "emergency": request.emergency,
        "urgent": request.urgent,
        "justification": request.justification,
        "elements": dict(request.elements),
        "identifiers": [identifier.as_json() for identifier in request.identifiers],
        "safeguards": request.safeguards.as_json(),
        "tlp": request.tlp,
        "language": request.language,
    }


__all__ = [
    "INBOX",
    "Answer",
    "Post",
    "Unreachable",
    "backoff",
    "http_post",
    "inbox_url",
    "request_payload",
]
