"""A notice written straight as bytes: the ``email`` package reads back every header, part and
attachment as written; everything is 7-bit CRLF with short lines, so PGP/MIME can sign it as it is;
headers with any text (non-ASCII, quotes, line breaks, things that look like encoded-words)
come back as they were meant."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

from hypothesis import given
from hypothesis import strategies as st

from tocsin.model.notice import Format, Reason
from tocsin.notify.compose import Sender, compose
from tocsin.notify.mime import Mail, address_header, attachment, header, multipart, text_part

TEXT = "Bonjour,\nFrom now on, 2 hosts are listed.  \n.\nÉvénement = résolveur ouvert\n" + "x" * 200
BLOB = bytes(range(256)) * 3


def parsed(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def read_header(line: bytes) -> str:
    return str(parsed(line + b"\r\n")[line.split(b":", 1)[0].decode()])


@given(st.text())
def test_any_subject_reads_back_as_written(text: str) -> None:
    """Any text (its white space made single spaces) is the header a reader decodes, on lines
    of 7-bit characters."""
    line = header("Subject", text)
    assert line.isascii() and line.endswith(b"\r\n") and b"\n" not in line.replace(b"\r\n", b"")
    assert read_header(line) == " ".join(text.split())


@given(
    st.text(st.characters(codec="utf-8"), min_size=1).filter(
        lambda s: s.strip() and len(" ".join(s.split()).encode()) <= 45
    )
)
def test_any_display_name_reads_back_with_its_address(name: str) -> None:
    """A display name (one encoded-word long at most: Python's address parser, unlike mail
    readers, keeps the space between two) with quotes, backslashes, commas or accents stays the
    name of its address."""
    line = address_header("From", [(name, "cert@csirt.example")])
    (address,) = parsed(line + b"\r\n")["From"].addresses
    assert address.display_name == " ".join(name.split())
    assert address.addr_spec == "cert@csirt.example"


def test_long_headers_are_folded_under_78_characters() -> None:
    """A long subject and a long list of addresses are folded between words."""
    subject = header("Subject", "[National CSIRT] P3 : 12 événements de sécurité " * 4)
    to = address_header("To", [("", f"soc{n}@constituent-{n}.example") for n in range(12)])
    for line in (subject + to).split(b"\r\n"):
        assert len(line) <= 78
    assert len(parsed(to + b"\r\n")["To"].addresses) == 12


def test_parts_read_back_as_written_and_are_safe_to_sign() -> None:
    """Text with trailing spaces, a "From " line, a lone dot and long lines, and a binary file,
    come back unchanged; the content is 7-bit, CRLF, no line over 76, none ending in a space."""
    content = multipart(
        "mixed", [text_part(TEXT), attachment(BLOB, "application/octet-stream", "x.bin")]
    )
    message = parsed(b"MIME-Version: 1.0\r\n" + content)
    body = message.get_body(("plain",))
    assert body is not None and body.get_content().replace("\r\n", "\n") == TEXT  # CRLF sent
    (file,) = message.iter_attachments()
    assert (file.get_filename(), file.get_content()) == ("x.bin", BLOB)
    lines = content.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    content.decode("ascii")
    assert max(len(line) for line in lines) <= 76
    assert not [line for line in lines if line.endswith((b" ", b"\t"))]
    assert not [line for line in lines if line.startswith(b"From ")]


def test_a_notice_reads_back_with_its_headers_text_and_attachments() -> None:
    """A French notice to two addresses: From, To, Subject and Message-ID as a reader sees them,
    the text, events.csv and xarf-1.json, and the envelope the mail server will be given."""
    sender = Sender('Équipe "CERT"', "cert@csirt.example", "csirt.example", "https://t.example")
    notice = {
        "id": 7,
        "lang": "fr",
        "recipient": "Northwind",
        "priority": "P1",
        "created": 1795830000,
        "addresses": "soc@northwind.example,noc@northwind.example",
        "message_id": "<n7@x.example>",
    }
    event = {
        "classification.type": "infected-system",
        "source.ip": "198.51.100.7",
        "time.source": "2026-11-28T01:00:00+00:00",
        "feed.name": "bench",
    }
    formats = frozenset({Format.CSV, Format.XARF})
    why = [Reason("network", "198.51.100.0/25")]
    mail = compose(notice, [event], why, formats, sender, "https://t.example/ack")
    assert isinstance(mail, Mail)
    assert (mail.sender, mail.recipients, mail.message_id) == (
        "cert@csirt.example",
        ("soc@northwind.example", "noc@northwind.example"),
        "<n7@x.example>",
    )
    message = parsed(mail.as_bytes())
    assert message["From"].addresses[0].display_name == 'Équipe "CERT"'
    assert message["To"] == "soc@northwind.example, noc@northwind.example"
    assert message["Subject"] == (
        '[Équipe "CERT"] P1 : 1 événements de sécurité sur vos réseaux (notification 7)'
    )
    assert message["Message-ID"] == "<n7@x.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body(("plain",))
    assert body is not None and "https://t.example/ack" in body.get_content()
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["events.csv", "xarf-1.json"]
    assert all(not part.defects for part in message.walk())
