"""The tests' own IMAP server (tests/imap.py) is what the mailbox tests take it for: dovecot over
TLS on loopback, trusted only with the tests' authority, one empty mailbox per test."""

from __future__ import annotations

import imaplib
import socket
import ssl

import pytest

from tests.imap import Account


def test_mail_appended_is_in_the_inbox_and_folders_are_made(imap_account: Account) -> None:
    imap_account.append(b"From: a@example.org\r\nSubject: one\r\n\r\nfirst\r\n")
    imap_account.append(b"From: a@example.org\r\nSubject: two\r\n\r\nsecond\r\n", "Tocsin/Kept")

    assert [m.split(b"\r\n")[1] for m in imap_account.messages()] == [b"Subject: one"]
    assert len(imap_account.messages("Tocsin/Kept")) == 1
    assert {"INBOX", "Tocsin/Kept"} <= set(imap_account.folders())


def test_each_test_has_a_mailbox_of_its_own(imap_account: Account) -> None:
    assert imap_account.messages() == []


def test_the_server_is_not_trusted_without_the_tests_authority(imap_account: Account) -> None:
    context = ssl.create_default_context()
    with (
        socket.create_connection((imap_account.host, imap_account.port)) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        context.wrap_socket(raw, server_hostname=imap_account.host)


def test_a_wrong_password_is_refused(imap_account: Account) -> None:
    client = imaplib.IMAP4_SSL(
        imap_account.host, imap_account.port, ssl_context=imap_account.context()
    )
    try:
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login(imap_account.user, "not the password")
    finally:
        client.shutdown()
