"""The mailbox collector's feed mode on a real dovecot over TLS (tests/imap.py): a feed's mail is
ingested and moved to Tocsin/Processed, a mail no rule matches moves to Tocsin/Failed with a note
saying why, nothing is deleted, and a refused log-in says so without the password."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.desk import FakeClock
from tests.imap import Account
from tests.integration.mailboxes import PASSWORD_VAR, configure, mail
from tests.integration.test_collect_directory import report
from tocsin.services.collectors import Collectors
from tocsin.settings import Settings
from tocsin.store import Store

REPORT_NAME = "2026-11-27-scan_telnet-nl-geo.csv"


def test_a_feed_mail_is_ingested_and_moved_and_a_stranger_s_mail_fails_with_a_note(
    settings: Settings,
    store: Store,
    tmp_path: Path,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_mail = mail("Shadowserver <noreply@shadowserver.org>", "Report", {REPORT_NAME: report()})
    stranger = mail("someone@example.net", "Report", {REPORT_NAME: report()})
    imap_account.append(feed_mail)
    imap_account.append(stranger)
    desk = Collectors(configure(settings, tmp_path, imap_account, monkeypatch), store, FakeClock())

    [run] = desk.collect()

    assert run.ok, run.error
    assert (run.objects, run.accepted) == (1, store.count_events())
    assert run.accepted > 0
    assert imap_account.messages() == []
    assert imap_account.messages("Tocsin/Processed") == [feed_mail]
    failed = imap_account.messages("Tocsin/Failed")
    assert stranger in failed and len(failed) == 2  # the mail, and the note saying why
    [note] = [m for m in failed if m != stranger]
    assert b"'someone@example.net' matches no sender" in note
    [kept] = store.collectors.objects("mail")
    assert (kept.name, kept.outcome) == (REPORT_NAME, "ingested")


def test_the_same_feed_mail_again_stores_nothing_twice(
    settings: Settings,
    store: Store,
    tmp_path: Path,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_mail = mail("noreply@shadowserver.org", "Report", {REPORT_NAME: report()})
    imap_account.append(feed_mail)
    clock = FakeClock()
    desk = Collectors(configure(settings, tmp_path, imap_account, monkeypatch), store, clock)
    [first] = desk.collect()
    events = store.count_events()
    imap_account.append(feed_mail)  # delivered again (or found again after a crash before the move)
    clock.advance(60)

    [second] = desk.collect()

    assert second.ok and (second.objects, second.rows) == (0, 0)
    assert store.count_events() == events == first.accepted
    assert imap_account.messages("Tocsin/Processed") == [feed_mail, feed_mail]
    assert imap_account.messages() == []


def test_a_wrong_password_fails_the_run_clearly_and_never_shows_the_password(
    settings: Settings,
    store: Store,
    tmp_path: Path,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    imap_account.append(mail("noreply@shadowserver.org", "Report", {REPORT_NAME: report()}))
    configured = configure(settings, tmp_path, imap_account, monkeypatch)
    wrong = "Tr0ub4dor&3-not-it"
    monkeypatch.setenv(PASSWORD_VAR, wrong)

    [run] = Collectors(configured, store, FakeClock()).collect()

    assert not run.ok and run.error is not None
    assert f"IMAP {imap_account.user}@127.0.0.1:{imap_account.port}: log-in refused" in run.error
    assert "AUTHENTICATIONFAILED" in run.error
    assert wrong not in run.error and imap_account.password not in run.error
    assert len(imap_account.messages()) == 1  # nothing moved
