"""What strangers may send the report address, on a real dovecot: an attachment over the limit,
an HTML body, broken MIME and a Message-ID reused by another mail each end with a clear reason
and nothing lost: the mail is kept (as evidence, or whole in Tocsin/Failed with a note)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.imap import Account
from tests.integration.mailboxes import mail, report_desk
from tocsin.services.desk import Desk
from tocsin.settings import Settings
from tocsin.store import Store


@pytest.fixture
def desk(
    settings: Settings,
    store: Store,
    tmp_path: Path,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> Desk:
    """A desk whose collectors file names the test's mailbox as its report address."""
    return report_desk(
        settings, store, tmp_path, imap_account, monkeypatch, "max_file_bytes = 1000\nper_run = 2\n"
    )


def note_of(account: Account, kept: bytes) -> bytes:
    """Tocsin's note beside a failed mail, once the mail itself is checked to be there."""
    failed = account.messages("Tocsin/Failed")
    assert kept in failed and len(failed) == 2
    [note] = [m for m in failed if m != kept]
    return note


def test_an_attachment_over_the_limit_sends_the_mail_whole_to_failed_with_the_reason(
    desk: Desk, imap_account: Account
) -> None:
    huge = mail("x@example.net", "logs", {"server.log": b"A" * 5000})
    imap_account.append(huge)

    [run] = desk.collect()

    assert not run.ok and run.error is not None
    reason = "the attachment 'server.log' is 5,000 bytes, over the limit of 1,000 (max_file_bytes)"
    assert reason in run.error
    assert reason.encode() in note_of(imap_account, huge)
    assert imap_account.messages() == []
    assert desk.store.cases.incidents() == []


def test_an_html_body_is_kept_as_its_text_only(desk: Desk, imap_account: Account) -> None:
    html = mail(
        "x@example.net",
        "look",
        body=(
            "<html><head><style>p{color:red}</style><script>alert('owned')</script></head>"
            "<body><p>Our <b>mail server</b> relays spam.</p><img src=https://evil.example/t>"
            "</body></html>"
        ),
        subtype="html",
    )
    imap_account.append(html)

    [run] = desk.collect()

    assert run.ok, run.error
    [incident] = desk.store.cases.incidents()
    [line] = [t for t in desk.store.cases.timeline(incident.id) if t["kind"] == "mail"]
    assert "Our mail server relays spam." in line["text"]
    for markup in ("<", "alert", "color:red", "evil.example"):
        assert markup not in line["text"]
    [eml] = desk.store.cases.evidence(incident.id)
    assert eml["filename"] == "mail.eml"  # the HTML itself only ever as the mail, a download
    assert eml["media_type"] != "text/html"


def test_broken_mime_still_reaches_the_desk_with_its_problems_said(
    desk: Desk, imap_account: Account
) -> None:
    broken = (
        b"From: =?utf-8?q?=E2=80?= <x@example.net>, second@example.net\r\n"
        b"Subject: \x1b[31mbroken\x1b[0m report\r\n"
        b"Message-ID: <broken-1@example.net>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\n"
        b"our router is scanning the internet\r\n"
        b"--never-closed\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="../../etc/passwd"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
    )
    imap_account.append(broken)

    [run] = desk.collect()

    assert run.ok, run.error
    [incident] = desk.store.cases.incidents()
    assert "\x1b" not in incident.title and "broken" in incident.title
    [line] = [t for t in desk.store.cases.timeline(incident.id) if t["kind"] == "mail"]
    assert "read with problems" in line["text"]
    assert "our router is scanning the internet" in line["text"]
    names = sorted(e["filename"] for e in desk.store.cases.evidence(incident.id))
    assert names[0] == "mail.eml" and "/" not in names[1]
    assert imap_account.messages("Tocsin/Processed") == [broken]


def test_a_message_id_reused_by_another_mail_is_left_for_a_person(
    desk: Desk, imap_account: Account
) -> None:
    first = mail("a@example.net", "first", message_id="<same@example.net>")
    imap_account.append(first)
    [one] = desk.collect()
    assert one.ok
    forged = mail("b@example.net", "second", message_id="<same@example.net>")
    imap_account.append(forged)
    desk.clock.advance(120)  # type: ignore[attr-defined]

    [two] = desk.collect()

    assert not two.ok and two.error is not None
    assert "the Message-ID <same@example.net> was taken in before from another mail" in two.error
    assert b"taken in before from another mail" in note_of(imap_account, forged)
    [incident] = desk.store.cases.incidents()
    assert len([t for t in desk.store.cases.timeline(incident.id) if t["kind"] == "mail"]) == 1
    assert imap_account.messages("Tocsin/Processed") == [first]


def test_a_flood_is_taken_in_a_few_mails_a_run(desk: Desk, imap_account: Account) -> None:
    for n in range(3):
        imap_account.append(mail("x@example.net", f"spam {n}"))

    [run] = desk.collect()

    assert run.ok and run.objects == 2
    assert len(desk.store.cases.incidents()) == 2
    [left] = imap_account.messages()
    assert b"Subject: spam 2" in left
