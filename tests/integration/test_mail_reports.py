"""The report address on a real dovecot (tests/imap.py), on SQLite and PostgreSQL: a write-in
opens an incident with its attachments as evidence, a mail naming an incident's reference joins
it, a reply to a notice lands on its incident's timeline, each mail then sits in
Tocsin/Processed, and a mail read again after a crash before its move opens nothing twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.desk import FakeClock
from tests.factories import make_event, rows
from tests.imap import Account
from tests.integration.mailboxes import mail, report_desk, team_incident
from tocsin.services.desk import Desk
from tocsin.settings import Settings
from tocsin.store import Store

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def desk(
    settings: Settings,
    store: Store,
    tmp_path: Path,
    imap_account: Account,
    monkeypatch: pytest.MonkeyPatch,
) -> Desk:
    """A desk whose collectors file names the test's mailbox as its report address."""
    return report_desk(settings, store, tmp_path, imap_account, monkeypatch, "")


def timeline(desk: Desk, incident_id: int) -> list[dict[str, Any]]:
    return [t for t in desk.store.cases.timeline(incident_id) if t["kind"] == "mail"]


def test_a_write_in_opens_an_incident_with_its_attachments_as_evidence(
    desk: Desk, imap_account: Account
) -> None:
    written = mail(
        "Ann Example <ann@example.net>",
        "Our web server was defaced",
        {"screenshot.pdf": PDF},
        body="Since this morning our home page shows a ransom note.\n",
    )
    imap_account.append(written)

    [run] = desk.collect()

    assert run.ok, run.error
    [incident] = desk.store.cases.incidents()
    assert incident.title == "Mail to the report address: Our web server was defaced"
    assert (incident.tlp, incident.source) == ("AMBER+STRICT", "mail:mail")
    [line] = timeline(desk, incident.id)
    assert line["actor"] == "tocsin"
    assert "mail from ann@example.net: Our web server was defaced" in line["text"]
    assert "home page shows a ransom note" in line["text"]
    evidence = {e["filename"]: e for e in desk.store.cases.evidence(incident.id)}
    assert sorted(evidence) == ["mail.eml", "screenshot.pdf"]
    assert evidence["screenshot.pdf"]["media_type"] == "application/pdf"
    assert desk.evidence.files.verify(evidence["screenshot.pdf"]["sha256"])
    audit = desk.store.cases.audit_for("incident", incident.reference)
    assert {"incident.create", "mail.receive"} <= {a.action for a in audit}
    assert imap_account.messages() == []
    assert imap_account.messages("Tocsin/Processed") == [written]


def test_a_mail_naming_an_incident_s_reference_joins_it(desk: Desk, imap_account: Account) -> None:
    first = team_incident(desk, "phishing wave", "phishing")
    imap_account.append(
        mail("bob@example.org", f"Re: [{first.reference}] more samples", {"more.pdf": PDF})
    )

    [run] = desk.collect()

    assert run.ok, run.error
    assert [i.id for i in desk.store.cases.incidents()] == [first.id]
    [line] = timeline(desk, first.id)
    assert f"the reference {first.reference} in the subject" in line["text"]
    assert {e["filename"] for e in desk.store.cases.evidence(first.id)} == {"mail.eml", "more.pdf"}
    assert imap_account.messages() == []


def test_a_reply_to_a_notice_lands_on_its_incident_s_timeline(
    desk: Desk, imap_account: Account
) -> None:
    store = desk.store
    store.write(rows(make_event(source__ip="198.51.100.7", feed__name="shadowserver")), [])
    event_ids = [event_id for event_id, _ in store.cases.events_since(0, 10)]
    incident = team_incident(desk, "open telnet", "vulnerable-system", event_ids)
    with store.transaction() as tx:
        notice_id = store.notices.add(tx, notice("<notice1.abc@csirt.example>"), event_ids)
    reply = mail(
        "soc@northwind.example",
        "Re: [National CSIRT] P3: 1 security events on your networks",
        body="We closed the port. Regards, the SOC\n",
        headers={"In-Reply-To": "<notice1.abc@csirt.example>"},
    )
    imap_account.append(reply)

    [run] = desk.collect()

    assert run.ok, run.error
    assert [i.id for i in store.cases.incidents()] == [incident.id]
    [line] = timeline(desk, incident.id)
    assert f"a reply to notice {notice_id}" in line["text"]
    assert "We closed the port." in line["text"]
    assert imap_account.messages("Tocsin/Processed") == [reply]


def notice(message_id: str) -> dict[str, Any]:
    return {
        "recipient": "Northwind Power",
        "addresses": "soc@northwind.example",
        "period": "now:1",
        "lang": "en",
        "priority": "P3",
        "created": FakeClock().now,
        "status": "sent",
        "attempts": 1,
        "last_error": "",
        "ack_hash": "0" * 64,
        "events": 1,
        "message_id": message_id,
    }


class _CrashBeforeMove:
    """The collectors' store, dying once when the mail's object is recorded: after the incident
    was committed, before the mail was moved aside."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add_object(self, *_: Any) -> bool:
        raise RuntimeError("killed")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def test_a_mail_read_again_after_a_crash_before_its_move_opens_nothing_twice(
    desk: Desk, imap_account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = mail("ann@example.net", "Phishing mail received", {"sample.pdf": PDF})
    imap_account.append(written)
    collectors = desk.store.collectors
    monkeypatch.setattr(desk.store, "collectors", _CrashBeforeMove(collectors))
    [crashed] = desk.collect()
    assert not crashed.ok and crashed.error == "RuntimeError: killed"
    assert imap_account.messages() == [written]  # not moved: the crash came first
    monkeypatch.setattr(desk.store, "collectors", collectors)
    desk.clock.advance(120)  # type: ignore[attr-defined]

    [rerun] = desk.collect()

    assert rerun.ok, rerun.error
    [incident] = desk.store.cases.incidents()
    assert len(timeline(desk, incident.id)) == 1
    assert len(desk.store.cases.evidence(incident.id)) == 2
    assert imap_account.messages() == []
    assert imap_account.messages("Tocsin/Processed") == [written]
