"""What travels between two Tocsins and how: the HTTP call to the other side's inbox, the
back-off between attempts, and the payload of a request.

The call is one POST of the envelope's canonical JSON to ``<base URL>/api/v1/assist/inbox``, with
a time limit and a size limit on the answer; any failure (no connection, a time-out, a certificate
that does not verify, an answer other than 200) is ``Unreachable`` and the message waits for its
next attempt. Messages name the address, never a body.

The exchange goes over HTTPS: the envelope is signed, not encrypted, and a request carries
personal data. The other side's certificate is checked against the system's authorities and, when
``exchange_ca`` names one, a team's own (a private authority two teams agreed on). Plain HTTP is
taken only to this machine's loopback (two Tocsins side by side, a test).
"""

from __future__ import annotations

import ipaddress
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tocsin.errors import ConfigError, TocsinError
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


def address_problem(base: str) -> str:
    """Why ``base`` cannot be a Tocsin's address for the exchange ("" when it can): an https URL
    with a host, or http to the loopback only."""
    parts = urllib.parse.urlsplit(base.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "the base URL of a Tocsin: https://tocsin.cert.example"
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return "the exchange goes over https: plain http is taken to this machine only"
    return ""


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def inbox_url(base: str) -> str:
    """The inbox of the Tocsin at ``base`` (its address in the directory)."""
    problem = address_problem(base)
    if problem:
        raise Unreachable(f"{base!r}: {problem}")
    return base.strip().rstrip("/") + INBOX


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """The system's authorities, and ``ca_file``'s (PEM) as well when one is named; the host name
    and the certificate are always checked."""
    context = ssl.create_default_context()
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"exchange_ca {ca_file}: not a PEM file of authorities ({exc})"
            ) from None
    return context


def https_post(ca_file: str = "") -> Post:
    """A ``Post`` whose TLS trusts the system's authorities and ``ca_file``'s."""
    context = tls_context(ca_file)
    return lambda url, body: http_post(url, body, context)


def http_post(url: str, body: bytes, context: ssl.SSLContext | None = None) -> Answer:
    """POST ``body`` as JSON to ``url``: the answer, whatever its status; ``Unreachable`` when
    there is none (no connection, a time-out, a certificate that does not verify) or it is too
    large."""
    call = urllib.request.Request(  # noqa: S310 (inbox_url takes http(s) only)
        url, body, {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(call, timeout=TIMEOUT, context=context) as answer:  # noqa: S310
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
    "address_problem",
    "backoff",
    "http_post",
    "https_post",
    "inbox_url",
    "request_payload",
    "tls_context",
]
