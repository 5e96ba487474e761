"""A notice as an e-mail: the text from the templates of its language and its events' types, the
events attached as CSV and/or XARF v4, marked as automatic (RFC 3834). Written straight as bytes
(``tocsin.notify.mime``): a ``Mail``, ready for the mail server or for PGP/MIME."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from tocsin.formats.notices import Reporter, events_csv, xarf_files, xarf_reports
from tocsin.model.event import Event
from tocsin.model.notice import Format, Reason
from tocsin.notify.catalogue import Catalogue, catalogue
from tocsin.notify.mime import Mail, address_header, attachment, header, multipart, text_part

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


def message_id(notice: dict[str, Any], sender: Sender) -> str:
    """A new Message-ID for the notice (the desk records it before the first attempt, so every
    later attempt of the same notice carries the same one)."""
    return make_msgid(f"notice{notice['id']}", domain=sender.domain)


def compose(
    notice: dict[str, Any],
    events: Sequence[Event],
    reasons: Sequence[Reason],
    formats: frozenset[Format],
    sender: Sender,
    ack_url: str,
) -> Mail:
    """The notice's e-mail, under ``notice["message_id"]`` when it has one, else a new one."""
    words = catalogue(notice["lang"])
    lang = words.lang
    if notice.get("document"):
        return _advisory(notice, words, sender, ack_url)
    types = Counter(str(e.get("classification.type")) for e in events)
    text = _env.get_template(f"{lang}/notice.txt").render(
        recipient=notice["recipient"],
        team=sender.team,
        count=len(events),
        reasons=words.reasons(reasons),
        types=[
            (kind, words.type_title(kind), n)
            for kind, n in sorted(types.items(), key=lambda t: (-t[1], t[0]))
        ],
        csv=Format.CSV in formats,
        xarf=Format.XARF in formats,
        ack_url=ack_url,
        priority=notice["priority"],
        notice_id=notice["id"],
    )
    subject = words.subject(
        team=sender.team, priority=notice["priority"], count=len(events), id=notice["id"]
    )
    parts = [text_part(text)]
    if Format.CSV in formats:
        parts.append(
            attachment(events_csv(events, lang), 'text/csv; charset="utf-8"', "events.csv")
        )
    if Format.XARF in formats:
        reporter = Reporter(org=sender.team, contact=sender.address, domain=sender.domain)
        reports = xarf_reports(events, reporter=reporter, describe=words.report_summary)
        for name, report in xarf_files(reports):
            parts.append(attachment(report, "application/json", name))
    return _mail(notice, sender, subject, multipart("mixed", parts))


def _advisory(notice: dict[str, Any], words: Catalogue, sender: Sender, ack_url: str) -> Mail:
    """A notice that carries a published advisory (CSAF 2.0) instead of events."""
    document = json.loads(notice["document"])
    head = document.get("document", {})
    advisory_id = head.get("tracking", {}).get("id", "")
    title = head.get("title", "")
    summary = next(
        (n.get("text", "") for n in head.get("notes", []) if n.get("category") == "summary"), ""
    )
    text = _env.get_template(f"{words.lang}/advisory.txt").render(
        recipient=notice["recipient"],
        team=sender.team,
        title=title,
        advisory_id=advisory_id,
        summary=summary,
        ack_url=ack_url,
        notice_id=notice["id"],
    )
    subject = words.advisory_subject(team=sender.team, advisory_id=advisory_id, title=title)
    parts = [
        text_part(text),
        attachment(notice["document"].encode(), "application/json", "advisory.json"),
    ]
    return _mail(notice, sender, subject, multipart("mixed", parts))


def _mail(notice: dict[str, Any], sender: Sender, subject: str, content: bytes) -> Mail:
    addresses = tuple(a.strip() for a in notice["addresses"].split(",") if a.strip())
    mid = notice.get("message_id") or message_id(notice, sender)
    created = format_datetime(datetime.fromtimestamp(notice["created"], tz=UTC))
    head = b"".join(
        [
            address_header("From", [(sender.team, sender.address)]),
            address_header("To", [("", a) for a in addresses]),
            header("Subject", subject),
            header("Date", created),
            header("Message-ID", mid),
            b"Auto-Submitted: auto-generated\r\n",
            header("X-Tocsin-Notice", str(notice["id"])),
        ]
    )
    return Mail(sender.address, addresses, mid, head, content)
