"""A notice's e-mail written straight as bytes (RFC 5322 and MIME), without building and then
flattening ``email.message`` objects, which cost more than everything else a notice needs.

What is written is always 7-bit and CRLF: header values are ASCII or RFC 2047 encoded-words,
folded under 78 characters; text parts are quoted-printable (with "From " at a line start
encoded, so no mailbox alters them), the others base64. So the content as written is already
the canonical form PGP/MIME signs (RFC 3156 §3), and any ``email`` parser reads it back.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CRLF = b"\r\n"
_FOLD_AT = 78  # RFC 5322 §2.1.1: lines should be at most 78 characters
_ENCODED_MAX = 75  # RFC 2047 §2: an encoded-word is at most 75 characters
_Q_PREFIX, _B_PREFIX, _SUFFIX = "=?utf-8?q?", "=?utf-8?b?", "?="
# Left as they are in a Q encoded-word, even in a phrase (RFC 2047 §5 (3)); the rest is =XX.
_Q_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_ATEXT_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+")  # atoms and spaces
_FROM_LINE = re.compile(rb"^From ", re.MULTILINE)  # mbox stores would make it ">From "


@dataclass(frozen=True, slots=True)
class Mail:
    """A message ready to go: its envelope, its Message-ID, its outer headers (From, To,
    Subject… each line CRLF-ended) and its content (the Content-* headers, a blank line and
    the body: the MIME entity that PGP/MIME signs or encrypts)."""

    sender: str  # MAIL FROM
    recipients: tuple[str, ...]  # RCPT TO
    message_id: str
    head: bytes
    content: bytes

    def as_bytes(self) -> bytes:
        """The whole message as it goes over SMTP."""
        return self.head + b"MIME-Version: 1.0\r\n" + self.content


def header(name: str, value: str) -> bytes:
    """An unstructured header (Subject, say): ASCII words as they are, runs of other words as
    UTF-8 Q encoded-words; white space (line breaks too) becomes single spaces; folded."""
    words = value.split()
    line = f"{name}: {' '.join(words)}"
    if len(line) <= _FOLD_AT and line.isascii() and line.isprintable() and "=?" not in line:
        return line.encode("ascii") + CRLF
    return fold(name, _encoded(words))


def address_header(name: str, mailboxes: Sequence[tuple[str, str]]) -> bytes:
    """An address header (From, To) of (display name, address) pairs, the names quoted or
    encoded as a phrase needs, folded between the addresses."""
    tokens: list[str] = []
    for index, (display, address) in enumerate(mailboxes):
        words = [*_phrase(display), f"<{address}>" if display else address]
        if index < len(mailboxes) - 1:
            words[-1] += ","
        tokens += words
    return fold(name, tokens)


def fold(name: str, tokens: Iterable[str]) -> bytes:
    """``name: token token…``, broken before a token where a line would pass 78 characters."""
    lines: list[str] = []
    line = f"{name}:"
    for token in tokens:
        if len(line) + 1 + len(token) > _FOLD_AT and line[-1] != ":":
            lines.append(line)
            line = ""
        line += " " + token
    lines.append(line)
    return "\r\n".join(lines).encode("utf-8") + CRLF  # UTF-8 only in an address (SMTPUTF8)


def text_part(text: str, content_type: str = 'text/plain; charset="utf-8"') -> bytes:
    """A text part, quoted-printable: 7-bit, no line over 76, no trailing white space."""
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    encoded = _FROM_LINE.sub(b"=46rom ", binascii.b2a_qp(data, istext=True))
    return (
        fold("Content-Type", content_type.split())
        + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        + encoded.replace(b"\n", CRLF)
    )


def attachment(data: bytes, content_type: str, filename: str) -> bytes:
    """An attached file, base64 (``filename`` must be a plain ASCII name: ours are fixed)."""
    return (
        fold("Content-Type", content_type.split())
        + b"Content-Transfer-Encoding: base64\r\n"
        + fold("Content-Disposition", ["attachment;", f'filename="{filename}"'])
        + CRLF
        + base64.encodebytes(data).replace(b"\n", CRLF)
    )


def multipart(
    subtype: str, parts: Sequence[bytes], *, params: str = "", preamble: str = ""
) -> bytes:
    """A multipart entity holding ``parts`` (each its headers, a blank line and its body), under
    a random boundary none of them contains."""
    boundary = new_boundary(parts)
    kind = f'multipart/{subtype};{" " + params + ";" if params else ""} boundary="{boundary}"'
    delimiter = b"--" + boundary.encode("ascii")
    out = [fold("Content-Type", kind.split()), CRLF]
    if preamble:
        out.append(preamble.encode("ascii") + CRLF)
    for part in parts:
        out += [delimiter, CRLF, part, CRLF]
    out += [delimiter, b"--", CRLF]
    return b"".join(out)


def new_boundary(contents: Sequence[bytes]) -> str:
    """A boundary found in none of ``contents`` (quoted-printable and base64 can never hold "=_",
    so the first one drawn nearly always fits)."""
    while True:
        boundary = f"=_tocsin_{secrets.token_hex(12)}"
        if not any(boundary.encode("ascii") in content for content in contents):
            return boundary


def _phrase(display: str) -> list[str]:
    """A display name as phrase tokens: atoms as they are, a quoted string when it holds other
    ASCII, encoded-words when it holds more."""
    words = display.split()
    if not words:
        return []
    text = " ".join(words)
    if _ATEXT_PHRASE.fullmatch(text) and "=?" not in text:
        return words
    if text.isascii() and text.isprintable():
        return ['"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"']
    return _encoded_words(text)


def _encoded(words: list[str]) -> list[str]:
    """Unstructured text as tokens: plain ASCII words kept, each run of the others one or more
    encoded-words (white space between two encoded-words is dropped by readers, so a run's
    spaces go inside, as "_")."""
    tokens: list[str] = []
    run: list[str] = []
    for word in words:
        if word.isascii() and word.isprintable() and "=?" not in word:
            if run:
                tokens += _encoded_words(" ".join(run))
                run = []
            tokens.append(word)
        else:
            run.append(word)
    if run:
        tokens += _encoded_words(" ".join(run))
    return tokens


def _encoded_words(text: str) -> list[str]:
    """``text`` as UTF-8 encoded-words of at most 75 characters each, never splitting a
    character: Q (readable) or B (base64), whichever is shorter, as Python's own folder does.
    Readers join adjacent encoded-words without the space between them (RFC 2047 §6.2), but
    Python's address parser keeps it, so a display name is best kept short enough for one."""
    q, b = _q_words(text), _b_words(text)
    return q if sum(map(len, q)) <= sum(map(len, b)) else b


def _q_words(text: str) -> list[str]:
    room = _ENCODED_MAX - len(_Q_PREFIX) - len(_SUFFIX)
    words: list[str] = []
    current = ""
    for char in text:
        if char in _Q_SAFE:
            piece = char
        elif char == " ":
            piece = "_"
        else:
            piece = "".join(f"={byte:02X}" for byte in char.encode("utf-8"))
        if len(current) + len(piece) > room:
            words.append(_Q_PREFIX + current + _SUFFIX)
            current = ""
        current += piece
    if current:
        words.append(_Q_PREFIX + current + _SUFFIX)
    return words


def _b_words(text: str) -> list[str]:
    room = (_ENCODED_MAX - len(_B_PREFIX) - len(_SUFFIX)) // 4 * 3  # bytes per word
    chunks: list[bytes] = []
    current = b""
    for char in text:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > room:
            chunks.append(current)
            current = b""
        current += piece
    if current:
        chunks.append(current)
    return [_B_PREFIX + base64.b64encode(c).decode("ascii") + _SUFFIX for c in chunks]
