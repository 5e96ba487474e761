"""A constituent answers a notice Tocsin really sent (over SMTP, to aiosmtpd) and the answer,
delivered to the report address on a real dovecot, lands on the timeline of the incident that
holds the notice's events: by its In-Reply-To, or by the notice's number in the subject."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest

from tests.desk import FakeClock
from tests.imap import Account
from tests.integration.mailboxes import report_desk, team_incident
from tests.integration.test_notices import NOW, desk, mailbox, seeded  # noqa: F401 (fixtures)
from tocsin.settings import Settings
from tocsin.store import Store


def reply(notice: EmailMessage, body: str, *, threaded: bool) -> bytes:
    """The constituent's answer, as their mail program writes it."""
    answer = EmailMessage()
    answer["From"] = "SOC <soc@northwind.example>"
    answer["To"] = str(notice["From"])
    answer["Subject"] = f"Re: {notice['Subject']}"
    answer["Message-ID"] = f"<answer-{threaded}@northwind.example>"
    if threaded:
        answer["In-Reply-To"] = str(notice["Message-ID"])
        answer["References"] = str(notice["Message-ID"])
    answer.set_content(body)
    return answer.as_bytes(policy=SMTP)


@pytest.mark.parametrize("threaded", [True, False], ids=["in-reply-to", "subject"])
def test_a_reply_to_a_sent_notice_lands_on_its_incident_s_timeline(
    threaded: bool,
    seeded: Store,  # noqa: F811
    mailbox: Any,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent_to, port = mailbox
    northwind = [i for i, e in seeded.cases.events_since(0, 10) if e["source.ip"] == "198.51.100.7"]
    office = report_desk(settings, seeded, tmp_path, imap_account, monkeypatch)
    incident = team_incident(office, "infected host at Northwind", "infected-system", northwind)
    notifier = desk(seeded, port, FakeClock(NOW))
    notifier.plan()
    notifier.send()
    [notice] = [m for m in sent_to.messages if "P1" in str(m["Subject"])]  # the urgent one
    imap_account.append(reply(notice, "The host is cleaned and back.", threaded=threaded))

    [run] = office.collect()

    assert run.ok, run.error
    assert [i.id for i in seeded.cases.incidents()] == [incident.id]
    [line] = [t for t in seeded.cases.timeline(incident.id) if t["kind"] == "mail"]
    how = "a reply to notice" if threaded else "the notice named in the subject:"
    assert f"{how} {notice['X-Tocsin-Notice']}" in line["text"]
    assert "The host is cleaned and back." in line["text"]
    assert imap_account.messages() == []
