"""A notice as an e-mail: the text from the templates of its language and its events' types, the
events attached as CSV and/or XARF v4, marked as automatic (RFC 3834)."""

from __future__ import annotations

import base64
import binascii
import email.policy
import functools
import json
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import BaseHeader
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from tocsin.model.event import Event
from tocsin.model.notice import Format
from tocsin.notify.formats import Reporter, events_csv, xarf_json, xarf_reports

SUBJECTS = {
    "en": "[{team}] {priority}: {count} security events on your networks (notice {id})",
    "fr": "[{team}] {priority} : {count} événements de sécurité sur vos réseaux "
    "(notification {id})",
}

_SHORT = 76  # a header line this long (name, ": ", value) needs no folding

_env = Environment(
    loader=PackageLoader("tocsin.notify", "templates"),
    autoescape=False,  # noqa: S701 — plain-text mail: nothing here is ever HTML
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, slots=True)
class Sender:
    """Who the notices come from."""

    team: str  # "National CSIRT"
    address: str  # From:
    domain: str  # for Message-IDs and XARF
    base_url: str  # where acknowledgement links point


def compose(
    notice: dict[str, Any],
    events: Sequence[Event],
    reasons: Sequence[str],
    formats: frozenset[Format],
    sender: Sender,
    ack_url: str,
) -> EmailMessage:
    lang = notice["lang"] if notice["lang"] in SUBJECTS else "en"
    if notice.get("document"):
        return _advisory(notice, lang, sender, ack_url)
    types = Counter(str(e.get("classification.type")) for e in events)
    text = _env.get_template(f"{lang}/notice.txt").render(
        recipient=notice["recipient"], team=sender.team, count=len(events),
        reasons=list(reasons) or ["it concerns your organisation"],
        types=sorted(types.items(), key=lambda t: (-t[1], t[0])),
        csv=Format.CSV in formats, xarf=Format.XARF in formats, ack_url=ack_url,
        priority=notice["priority"], notice_id=notice["id"],
    )  # fmt: skip
    message = _headers(notice, sender)
    subject = SUBJECTS[lang].format(
        team=sender.team, priority=notice["priority"], count=len(events), id=notice["id"]
    )
    _put(message, "Subject", subject)
    parts = [_part('text/plain; charset="utf-8"', text.encode())]
    if Format.CSV in formats:
        parts.append(_part('text/csv; charset="utf-8"', events_csv(events, lang), "events.csv"))
    if Format.XARF in formats:
        reporter = Reporter(org=sender.team, contact=sender.address, domain=sender.domain)
        xarf = xarf_json(xarf_reports(events, reporter=reporter))
        parts.append(_part("application/json", xarf, "xarf.json"))
    message.set_raw("MIME-Version", "1.0")
    message["Content-Type"] = f'multipart/mixed; boundary="=_tocsin_{secrets.token_hex(12)}"'
    for part in parts:
        message.attach(part)
    return message


def _part(content_type: str, data: bytes, filename: str | None = None) -> EmailMessage:
    """One part, built directly rather than through ``set_content`` (which parses its headers
    again at each step): the body text quoted-printable, the attachments base64. Neither can
    hold "=_", so the boundary above never occurs inside."""
    part = EmailMessage()
    part["Content-Type"] = _parsed("Content-Type", content_type)
    if filename is None:
        encoding, payload = "quoted-printable", binascii.b2a_qp(data, istext=True)
    else:
        encoding, payload = "base64", base64.encodebytes(data)
        part.set_raw("Content-Disposition", f'attachment; filename="{filename}"')
    part["Content-Transfer-Encoding"] = _parsed("Content-Transfer-Encoding", encoding)
    part.set_payload(payload.decode("ascii"))
    return part


def _put(message: EmailMessage, name: str, value: str) -> None:
    """Set a header. One that is short, ASCII and on one line is kept as it is and sent as it
    is (parsed only if something reads it, as in a message read from the wire): parsing each
    header when set and folding it again when sent was a large share of a notice's cost."""
    if value.isascii() and value.isprintable() and len(name) + len(value) < _SHORT:
        message.set_raw(name, value)
    else:
        message[name] = value


@functools.lru_cache(maxsize=64)
def _parsed(name: str, value: str) -> BaseHeader:
    """A header the sending reads (From, the parts' types and encodings), parsed once and
    shared by every notice: header objects are immutable, and a message keeps one as given."""
    header: BaseHeader = email.policy.default.header_factory(name, value)
    return header


ADVISORY_SUBJECTS = {
    "en": "[{team}] Security advisory {advisory_id}: {title}",
    "fr": "[{team}] Avis de sécurité {advisory_id} : {title}",
}


def _advisory(notice: dict[str, Any], lang: str, sender: Sender, ack_url: str) -> EmailMessage:
    """A notice that carries a published advisory (CSAF 2.0) instead of events."""
    document = json.loads(notice["document"])
    head = document.get("document", {})
    advisory_id = head.get("tracking", {}).get("id", "")
    title = head.get("title", "")
    summary = next(
        (n.get("text", "") for n in head.get("notes", []) if n.get("category") == "summary"), ""
    )
    text = _env.get_template(f"{lang}/advisory.txt").render(
        recipient=notice["recipient"], team=sender.team, title=title, advisory_id=advisory_id,
        summary=summary, ack_url=ack_url, notice_id=notice["id"],
    )  # fmt: skip
    message = _headers(notice, sender)
    message["Subject"] = ADVISORY_SUBJECTS[lang].format(
        team=sender.team, advisory_id=advisory_id, title=title
    )
    message.set_content(text)
    message.add_attachment(
        notice["document"].encode(), maintype="application", subtype="json",
        filename="advisory.json",
    )  # fmt: skip
    return message


def _headers(notice: dict[str, Any], sender: Sender) -> EmailMessage:
    message = EmailMessage()
    message["From"] = _parsed("From", f"{sender.team} <{sender.address}>")  # read to send
    _put(message, "To", ", ".join(notice["addresses"].split(",")))
    _put(message, "Date", format_datetime(datetime.fromtimestamp(notice["created"], tz=UTC)))
    _put(message, "Message-ID", make_msgid(f"notice{notice['id']}", domain=sender.domain))
    _put(message, "Auto-Submitted", "auto-generated")
    _put(message, "X-Tocsin-Notice", str(notice["id"]))
    return message
