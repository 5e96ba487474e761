"""An e-mail as the mailbox intake reads it: who sent it, what it answers, its text and its files.

Pure reading of RFC 5322 / MIME bytes, with no trust in what a sender wrote: every header may be
forged or malformed, so each is read on its own and a header that cannot be read is noted in
``problems`` and left empty instead of failing the whole mail. An HTML body is kept as its text
only (tags, scripts and styles dropped; nothing is ever rendered). Attachments are returned as
bytes with the name the sender gave them (to be made safe where they are stored) and the type
the sender declared (never believed: the evidence store types a file by its bytes).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html.parser import HTMLParser

from tocsin.model.types import clean_text

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,500}>")


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str  # as the sender named it: unsafe until made safe where it is stored
    content: bytes
    declared: str  # the type the sender declared; never believed


@dataclass(frozen=True, slots=True)
class Letter:
    """What the intake needs of one mail; every text is cleaned of control characters."""

    message_id: str  # "<…>" as written, or "" when the mail has none that can be read
    sender: str  # the From address, lower-case; "" when unreadable
    subject: str
    answers: tuple[str, ...]  # Message-IDs of In-Reply-To, then References, newest first
    text: str  # the body as plain text; an HTML-only body reduced to its text
    attachments: tuple[Attachment, ...]
    problems: tuple[str, ...]  # what could not be read, in plain words


def read(raw: bytes) -> Letter:
    """The mail in ``raw``; never raises on bad input, which ends in ``problems`` instead."""
    problems: list[str] = []
    message = email.message_from_bytes(raw, policy=email.policy.default)
    for defect in message.defects:
        problems.append(f"malformed mail: {type(defect).__name__}")
    sender = _sender(message, problems)
    subject = _clean(_header(message, "Subject", problems)).strip()
    message_id = _ids(_header(message, "Message-ID", problems))
    answers = _ids_all(_header(message, "In-Reply-To", problems))
    for found in reversed(_ids_all(_header(message, "References", problems))):
        if found not in answers:
            answers.append(found)
    text, attachments = _parts(message, problems)
    return Letter(
        message_id=message_id[0] if message_id else "",
        sender=sender,
        subject=subject,
        answers=tuple(answers),
        text=text,
        attachments=tuple(attachments),
        problems=tuple(problems),
    )


def _clean(text: str) -> str:
    """Text without NULs, terminal escapes or other control characters (``clean_text``)."""
    return clean_text(text.replace("\x00", ""))


def _header(message: Message, name: str, problems: list[str]) -> str:
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except (ValueError, TypeError, IndexError, AttributeError, LookupError) as exc:
        problems.append(f"unreadable {name} header: {exc}")
        return ""


def _sender(message: Message, problems: list[str]) -> str:
    raw = _header(message, "From", problems)
    found = [address for _, address in getaddresses([raw]) if "@" in address]
    if raw and len(found) != 1:
        problems.append("the From header does not hold exactly one address")
    return _clean(found[0]).strip().lower() if len(found) == 1 else ""


def _ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value)


def _ids_all(value: str) -> list[str]:
    return list(dict.fromkeys(_ids(value)))  # once each, in order


def _parts(message: Message, problems: list[str]) -> tuple[str, list[Attachment]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        try:
            disposition = part.get_content_disposition()
            filename = part.get_filename()
        except (ValueError, TypeError, IndexError, LookupError) as exc:
            problems.append(f"unreadable part header: {exc}")
            disposition, filename = "attachment", None
        kind = part.get_content_type()
        if filename or disposition == "attachment" or kind == "message/rfc822":
            content = _payload(part, problems)
            name = _clean(filename or "").strip() or "attachment.bin"
            attachments.append(Attachment(name, content, kind))
        elif kind == "text/plain":
            plain.append(_text(part, problems))
        elif kind == "text/html":
            html.append(text_of_html(_text(part, problems)))
        else:
            content = _payload(part, problems)
            attachments.append(Attachment("attachment.bin", content, kind))
    text = "\n\n".join(t for t in (plain or html) if t.strip())
    return _clean(text).strip(), attachments


def _payload(part: Message, problems: list[str]) -> bytes:
    try:
        content = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError) as exc:
        problems.append(f"undecodable part: {exc}")
        content = None
    if isinstance(content, bytes):
        return content
    if isinstance(part, EmailMessage) and part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return inner[0].as_bytes()
    return str(part.get_payload()).encode("utf-8", "replace")


def _text(part: Message, problems: list[str]) -> str:
    content = _payload(part, problems)
    charset = part.get_content_charset() or "utf-8"
    try:
        return content.decode(charset, "replace")
    except LookupError:
        problems.append(f"unknown charset {charset[:40]!r}; read as UTF-8")
        return content.decode("utf-8", "replace")


class _TextOnly(HTMLParser):
    """Keeps the text of an HTML document: no tags, no scripts, no styles, no comments."""

    _HIDDEN = frozenset({"script", "style", "head", "title", "template"})
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self.hidden += 1
        elif tag in self._BREAKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(data)


def text_of_html(markup: str) -> str:
    """The words of an HTML body, one paragraph a line; the markup itself is never kept."""
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).splitlines())
    return "\n".join(line for line in lines if line)


__all__ = ["Attachment", "Letter", "read", "text_of_html"]
