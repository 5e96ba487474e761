"""Notices end to end against a real SMTP server (aiosmtpd) on both backends: batched per
recipient and period, explained, never sent twice, retried after a refusal or a silence,
acknowledged through their link, and sent again when urgent and unacknowledged."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import gnupg
import pytest
import xarf
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient

from tests.desk import FakeClock
from tests.factories import make_event, rows
from tests.integration.test_smtp import LoopbackController
from tocsin.errors import NotFound
from tocsin.model.constituent import Constituent
from tocsin.notify import dispatch
from tocsin.notify.compose import Sender
from tocsin.notify.notifier import Notifier, NotifySettings
from tocsin.notify.pgp import Keyring, PgpError
from tocsin.notify.smtp import SmtpSettings
from tocsin.services.notices import Round, notifier
from tocsin.services.scheduler import Job, Scheduler
from tocsin.services.watches import send_notices
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

NOW = 1_795_830_000 + 10 * 3600  # 2026-11-28 11:40 UTC: after the digest hour (06:00)
RECENT = "2026-11-28T01:00:00+00:00"
KEY = "k" * 40


@dataclass
class Mailbox:
    """What the SMTP server received, and what it answers (250, or a refusal)."""

    messages: list[EmailMessage] = field(default_factory=list)
    answer: str = "250 OK"
    peers: set[Any] = field(default_factory=set)  # the clients' (address, port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.peers.add(session.peer)
        if self.answer.startswith("250"):
            content = envelope.original_content or b""
            parsed = email.message_from_bytes(content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
        return self.answer


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    controller = LoopbackController(box)
    controller.start()
    try:
        yield box, controller.port
    finally:
        controller.stop()


def constituents(store: Store) -> None:
    store.replace_constituents(
        [
            Constituent.from_mapping(
                {
                    "name": "Northwind Power",
                    "sector": "energy",
                    "networks": ["198.51.100.0/25"],
                    "abuse_contact": "abuse@northwind.example",
                    "notify": {
                        "addresses": ["soc@northwind.example"],
                        "lang": "fr",
                        "formats": ["csv", "xarf"],
                    },
                }
            ),
            Constituent.from_mapping(
                {
                    "name": "Riverside School",
                    "sector": "education",
                    "networks": ["203.0.113.0/24"],
                    "abuse_contact": "it@riverside.example",
                    "notify": {"refuse": ["scanner"]},
                }
            ),
            Constituent.from_mapping({"name": "Silent Ltd", "networks": ["192.0.2.0/24"]}),
        ]
    )


def event(ip: str, constituent: str, kind: str = "infected-system", **more: Any) -> dict[str, Any]:
    return make_event(
        source__ip=ip,
        tocsin__constituent=constituent,
        classification__type=kind,
        time__source=RECENT,
        **more,
    )


def desk(store: Store, port: int, clock: FakeClock, timeout: float = 5) -> Notifier:
    settings = NotifySettings(
        sender=Sender("National CSIRT", "cert@csirt.example", "csirt.example", "https://t.example"),
        smtp=SmtpSettings.parse(f"smtp://127.0.0.1:{port}?timeout={timeout}"),
        secret_key=KEY,
    )
    return Notifier(store, settings, now=clock)


@pytest.fixture
def seeded(store: Store) -> Store:
    constituents(store)
    store.write(
        rows(
            event("198.51.100.7", "Northwind Power", tocsin__priority="P1"),
            event("198.51.100.8", "Northwind Power", "vulnerable-system", tocsin__priority="P3"),
            event("203.0.113.5", "Riverside School", "scanner", tocsin__priority="P3"),
            event("203.0.113.6", "Riverside School", tocsin__priority="P3"),
            event("192.0.2.9", "Silent Ltd", tocsin__priority="P2"),
        ),
        [],
    )
    return store


def test_events_are_batched_per_recipient_and_period(seeded: Store, mailbox: Any) -> None:
    """Urgent events go at once, the rest in the day's digest; refused types and recipients
    without an address are left out, each counted with its reason."""
    _, port = mailbox
    found = desk(seeded, port, FakeClock(NOW)).plan()
    planned = {(p.recipient, p.period.split(":")[0]): len(p.event_ids) for p in found.notices}
    assert planned == {
        ("Northwind Power", "now"): 1,
        ("Northwind Power", "2026-11-28"): 1,
        ("Riverside School", "2026-11-28"): 1,
    }
    assert found.skipped == {"no address": 1, "type refused by the recipient": 1}


def test_an_expired_indicator_is_kept_but_never_notified(seeded: Store, mailbox: Any) -> None:
    """An event whose indicator's valid_until has passed by the notifier's clock waits in no
    notice, counted as expired; one still valid goes, until the clock passes its valid_until."""
    _, port = mailbox
    seeded.write(
        rows(
            event("198.51.100.20", "Northwind Power", tocsin__priority="P1")
            | {"tocsin.valid_until": "2026-11-28T00:00:00+00:00"},
            event("198.51.100.21", "Northwind Power", "vulnerable-system", tocsin__priority="P1")
            | {"tocsin.valid_until": "2026-11-29T00:00:00+00:00"},
        ),
        [],
    )
    now = desk(seeded, port, FakeClock(NOW)).plan(dry_run=True)
    assert now.skipped["expired indicator"] == 1
    (urgent,) = [p for p in now.notices if p.period.startswith("now:")]
    assert len(urgent.event_ids) == 2  # the P1 of the seed and the one still valid
    later = desk(seeded, port, FakeClock(NOW + 86_400)).plan(dry_run=True)
    assert later.skipped["expired indicator"] == 2


def test_a_dry_run_records_nothing(seeded: Store, mailbox: Any) -> None:
    """--dry-run shows the same plan and writes no notice, so a real run still finds it all."""
    _, port = mailbox
    notices = desk(seeded, port, FakeClock(NOW))
    dry = notices.plan(dry_run=True)
    assert seeded.notices.count() == 0
    assert [p.event_ids for p in notices.plan().notices] == [p.event_ids for p in dry.notices]


def test_notices_reach_the_server_explained_in_their_language(seeded: Store, mailbox: Any) -> None:
    """Each notice arrives at its recipient's address, in its language, says why it is theirs,
    and carries the attachments the recipient asked for."""
    box, port = mailbox
    notices = desk(seeded, port, FakeClock(NOW))
    notices.plan()
    sent = notices.send()
    assert sent.outcomes == {"sent": 3}
    northwind = [m for m in box.messages if m["To"] == "soc@northwind.example"]
    assert len(northwind) == 2
    text = northwind[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "le réseau 198.51.100.0/25 vous est attribué" in text and "Madame, Monsieur" in text
    names = sorted(p.get_filename() for p in northwind[0].iter_attachments())
    assert names == ["events.csv", "xarf-1.json"]
    school = [m for m in box.messages if m["To"] == "it@riverside.example"]
    assert len(school) == 1 and school[0]["Auto-Submitted"] == "auto-generated"


def test_each_xarf_attachment_is_one_report_the_xarf_reader_parses(
    seeded: Store, mailbox: Any
) -> None:
    """A notice of several events carries one XARF attachment per event, and the XARF reference
    parser (the ``xarf`` package) reads each as a valid v4 report of that event."""
    box, port = mailbox
    seeded.write(
        rows(
            event("198.51.100.20", "Northwind Power", "scanner", tocsin__priority="P1"),
            event(
                "198.51.100.21",
                "Northwind Power",
                "phishing",
                source__url="http://198.51.100.21/login",
                tocsin__priority="P1",
            ),
        ),
        [],
    )
    notices = desk(seeded, port, FakeClock(NOW))
    notices.plan()
    notices.send()
    (urgent,) = [m for m in box.messages if "P1" in str(m["Subject"])]
    attached = {p.get_filename(): p.get_content() for p in urgent.iter_attachments()}
    reports = {name: data for name, data in attached.items() if name.startswith("xarf")}
    assert sorted(reports) == ["xarf-1.json", "xarf-2.json", "xarf-3.json"]
    sources = set()
    for data in reports.values():
        parsed = xarf.parse(data.decode("utf-8") if isinstance(data, bytes) else data)
        assert parsed.errors == [] and parsed.report is not None
        sources.add(parsed.report.source_identifier)
    assert sources == {"198.51.100.7", "198.51.100.20", "198.51.100.21"}


def test_a_rerun_sends_nothing_new(seeded: Store, mailbox: Any) -> None:
    """Planning and sending again, even by a fresh desk after a restart, sends no event twice."""
    box, port = mailbox
    first = desk(seeded, port, FakeClock(NOW))
    first.plan()
    first.send()
    received = len(box.messages)
    again = desk(seeded, port, FakeClock(NOW + 3600))
    assert again.plan().notices == []
    assert again.send().outcomes == {}
    assert len(box.messages) == received


def test_a_refusal_defers_then_the_retry_sends(seeded: Store, mailbox: Any) -> None:
    """A temporary refusal (451) defers the notice with back-off; once due and accepted, it
    goes; a permanent one (550) fails it."""
    box, port = mailbox
    clock = FakeClock(NOW)
    notices = desk(seeded, port, clock)
    notices.plan()
    box.answer = "451 4.3.0 try again later"
    assert notices.send().outcomes == {"deferred": 3}
    assert notices.send().outcomes == {}  # not due yet
    box.answer = "250 OK"
    clock.advance(3600)
    assert notices.send().outcomes == {"sent": 3}
    assert len(box.messages) == 3


def test_a_permanent_refusal_fails_the_notice(seeded: Store, mailbox: Any) -> None:
    """550 is final: the notice fails with the server's words and is not retried."""
    box, port = mailbox
    notices = desk(seeded, port, FakeClock(NOW))
    notices.plan()
    box.answer = "550 5.1.1 no such user"
    assert notices.send().outcomes == {"failed": 3}
    assert all("no such user" in n["last_error"] for n in seeded.notices.listing())


def test_a_server_that_never_answers_defers(seeded: Store) -> None:
    """A mail server that accepts the connection and stays silent defers the notices."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        held: list[socket.socket] = []
        accepting = threading.Thread(
            target=lambda: [held.append(silent.accept()[0]) for _ in range(3)], daemon=True
        )
        accepting.start()
        notices = desk(seeded, port, FakeClock(NOW), timeout=0.3)
        notices.plan()
        assert notices.send().outcomes == {"deferred": 3}
        for conn in held:
            conn.close()
    assert all(n["next_attempt"] > NOW for n in seeded.notices.listing())


def test_the_link_acknowledges_and_a_wrong_token_does_not(seeded: Store, mailbox: Any) -> None:
    """The token in the notice's link acknowledges it; another token is refused."""
    box, port = mailbox
    notices = desk(seeded, port, FakeClock(NOW))
    notices.plan()
    notices.send()
    first = seeded.notices.listing()[-1]
    with pytest.raises(NotFound):
        notices.acknowledge(first["id"], "0" * 32)
    assert notices.acknowledge(first["id"], notices.token(first["id"]))["acknowledged_at"] == NOW
    text = box.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"https://t.example/notices/{box.messages[0]['X-Tocsin-Notice']}/ack/" in text


def test_unacknowledged_urgent_notices_go_again(seeded: Store, mailbox: Any) -> None:
    """After the delay, a P1/P2 notice nobody acknowledged is sent once more; an acknowledged
    one and a digest are not."""
    _, port = mailbox
    clock = FakeClock(NOW)
    notices = desk(seeded, port, clock)
    notices.plan()
    notices.send()
    clock.advance(25 * 3600)
    assert notices.remind() == 1
    assert notices.send().outcomes == {"sent": 1}
    assert notices.remind() == 0  # reminded once


def test_every_attempt_of_a_notice_carries_the_same_message_id(seeded: Store, mailbox: Any) -> None:
    """The Message-ID is recorded before the first attempt: the retry after a deferral carries
    it, and it is the one the sent notice keeps (so a bounce finds it)."""
    box, port = mailbox
    clock = FakeClock(NOW)
    notices = desk(seeded, port, clock)
    notices.plan()
    box.answer = "451 4.3.0 try again later"
    assert notices.send().outcomes == {"deferred": 3}
    named = {n["id"]: n["message_id"] for n in seeded.notices.listing()}
    assert all(named.values())
    box.answer = "250 OK"
    clock.advance(3600)
    assert notices.send().outcomes == {"sent": 3}
    assert {int(m["X-Tocsin-Notice"]): m["Message-ID"] for m in box.messages} == named
    assert {n["id"]: n["message_id"] for n in seeded.notices.listing()} == named


def test_a_crash_before_the_outcomes_are_recorded_sends_again_the_same(
    seeded: Store, mailbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the desk dies after the notices went but before their outcomes were recorded, the
    next run sends them again (at least once), each under the Message-ID it went with."""
    box, port = mailbox
    record = seeded.notices.update_many

    def die_on_outcomes(changes: Any) -> None:
        if any("status" in values for _, values in changes):
            raise RuntimeError("killed")
        record(changes)

    monkeypatch.setattr(seeded.notices, "update_many", die_on_outcomes)
    first = desk(seeded, port, FakeClock(NOW))
    first.plan()
    with pytest.raises(RuntimeError, match="killed"):
        first.send()
    monkeypatch.setattr(seeded.notices, "update_many", record)
    assert desk(seeded, port, FakeClock(NOW)).send().outcomes == {"sent": 3}
    went = [(m["X-Tocsin-Notice"], m["Message-ID"]) for m in box.messages]
    assert len(went) == 6 and sorted(went[:3]) == sorted(went[3:])


def test_a_reminder_goes_under_a_new_message_id(seeded: Store, mailbox: Any) -> None:
    """A reminder is a new message: readers that drop a Message-ID seen before show it."""
    box, port = mailbox
    clock = FakeClock(NOW)
    notices = desk(seeded, port, clock)
    notices.plan()
    notices.send()
    clock.advance(25 * 3600)
    assert notices.remind() == 1
    notices.send()
    first, again = [
        m for m in box.messages if m["X-Tocsin-Notice"] == box.messages[-1]["X-Tocsin-Notice"]
    ]
    assert first["Message-ID"] != again["Message-ID"]


def test_sender_processes_share_the_notices_each_sent_and_recorded_once(
    seeded: Store, mailbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two sender processes (started here for three notices), every notice arrives once,
    over two connections, and ends sent with the Message-ID it arrived with."""
    monkeypatch.setattr(dispatch, "AT_LEAST", 1)
    box, port = mailbox
    notices = desk(seeded, port, FakeClock(NOW))
    notices.plan()
    assert notices.send(workers=2).outcomes == {"sent": 3}
    assert sorted(int(m["X-Tocsin-Notice"]) for m in box.messages) == sorted(
        n["id"] for n in seeded.notices.listing()
    )
    assert len(box.peers) == 2
    sent = {n["id"]: (n["status"], n["message_id"]) for n in seeded.notices.listing()}
    assert sent == {int(m["X-Tocsin-Notice"]): ("sent", m["Message-ID"]) for m in box.messages}


def refuse_to_sign(mail: Any, *, recipient_key: str | None) -> Any:
    """A team key gpg refuses (module-level, so a sender process can be given it)."""
    raise PgpError("the signing key has expired")


def test_an_error_in_a_sender_process_stops_the_run_and_is_raised(
    seeded: Store, mailbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When a sender process cannot go on (here the team's key is refused), the run raises
    that error, and the notices it did not send stay due for the next run."""
    monkeypatch.setattr(dispatch, "AT_LEAST", 1)
    box, port = mailbox
    base = desk(seeded, port, FakeClock(NOW))
    notices = Notifier(seeded, base.settings, now=FakeClock(NOW), protect=refuse_to_sign)
    notices.plan()
    with pytest.raises(PgpError, match="expired"):
        notices.send(workers=2)
    assert box.messages == []
    assert {n["status"] for n in seeded.notices.listing()} == {"pending"}


def test_the_per_domain_limit_holds_back_the_rest_for_later(seeded: Store, mailbox: Any) -> None:
    """With one message per domain per minute, the second notice to a domain waits for the next
    run a minute later, and then goes."""
    box, port = mailbox
    clock = FakeClock(NOW)
    base = desk(seeded, port, clock)
    notices = Notifier(seeded, replace(base.settings, per_domain=1), now=clock)
    notices.plan()
    first = notices.send()
    assert first.outcomes == {"sent": 2} and first.waiting == 1  # two to northwind.example
    clock.advance(61)
    assert notices.send().outcomes == {"sent": 1}
    assert len(box.messages) == 3


def test_a_bounce_marks_the_notice(seeded: Store, mailbox: Any) -> None:
    """A delivery report naming a sent notice's Message-ID marks it bounced; an unknown one is
    refused."""
    box, port = mailbox
    notices = desk(seeded, port, FakeClock(NOW))
    notices.plan()
    notices.send()
    message_id = box.messages[0]["Message-ID"]
    assert notices.bounced(message_id)["id"] == int(box.messages[0]["X-Tocsin-Notice"])
    assert seeded.notices.get(int(box.messages[0]["X-Tocsin-Notice"]))["status"] == "bounced"  # type: ignore[index]
    with pytest.raises(NotFound):
        notices.bounced("<nothing@csirt.example>")


@pytest.fixture
def keys() -> Iterator[tuple[Keyring, str, Keyring, str]]:
    """The team's keyring (its key, and the recipient's public key) and the recipient's own."""
    homes = [Path(tempfile.mkdtemp(dir="/tmp", prefix="gpg")) for _ in range(2)]
    team, recipient = Keyring(homes[0]), Keyring(homes[1])
    try:
        team_fp = team.generate_key("National CSIRT", "cert@csirt.example")
        recipient_fp = recipient.generate_key("Northwind SOC", "soc@northwind.example")
        recipient.import_key(team.export_public(team_fp))
        yield team, team_fp, recipient, recipient.export_public(recipient_fp)
    finally:
        for ring in (team, recipient):
            ring.close()
            shutil.rmtree(ring.home, ignore_errors=True)


def test_notices_are_signed_and_encrypted_to_recipients_with_a_key(
    store: Store, mailbox: Any, keys: tuple[Keyring, str, Keyring, str]
) -> None:
    """Configured with the team's key, a notice to a recipient with a public key leaves
    encrypted (and signed inside), and one to a recipient without a key leaves signed."""
    box, port = mailbox
    team, team_fp, recipient, recipient_public = keys
    store.replace_constituents(
        [
            Constituent.from_mapping(
                {
                    "name": "Northwind Power",
                    "networks": ["198.51.100.0/25"],
                    "notify": {"addresses": ["soc@northwind.example"], "pgp_key": recipient_public},
                }
            ),
            Constituent.from_mapping(
                {
                    "name": "Riverside School",
                    "networks": ["203.0.113.0/24"],
                    "abuse_contact": "it@riverside.example",
                }
            ),
        ]
    )
    store.write(
        rows(
            event("198.51.100.7", "Northwind Power", tocsin__priority="P1"),
            event("203.0.113.6", "Riverside School", tocsin__priority="P1"),
        ),
        [],
    )
    settings = Settings(
        database_url=store.url,
        secret_key=KEY,
        smtp_url=f"smtp://127.0.0.1:{port}",
        notify_gnupg_home=str(team.home),
        notify_key=team_fp,
        public_url="https://t.example",
    )
    notices = notifier(settings, store, FakeClock(NOW))
    notices.plan()
    assert notices.send().outcomes == {"sent": 2}
    by_to = {m["To"]: m for m in box.messages}
    sealed = by_to["soc@northwind.example"]
    assert sealed.get_content_type() == "multipart/encrypted"
    assert b"registered to you" not in sealed.as_bytes()
    armored = str(sealed.get_payload()[1].get_payload())  # type: ignore[index, union-attr]
    opened = gnupg.GPG(gnupghome=str(recipient.home)).decrypt(armored)
    assert opened.ok
    inner = email.message_from_bytes(opened.data, policy=email.policy.default)
    text = inner.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "198.51.100.0/25 is registered to you" in text
    assert opened.fingerprint == team_fp  # signed inside, by the team
    assert by_to["it@riverside.example"].get_content_type() == "multipart/signed"


def test_an_advisory_reaches_its_constituents_once(seeded: Store, mailbox: Any) -> None:
    """A published advisory goes to each affected constituent through the same machinery, in
    its language, with the CSAF document attached; announcing it again sends nothing."""
    box, port = mailbox
    notices = desk(seeded, port, FakeClock(NOW))
    document = json.dumps(
        {
            "document": {
                "title": "Flaw in a router",
                "tracking": {"id": "TOCSIN-VU-2026-0001"},
                "notes": [{"category": "summary", "text": "Update the firmware."}],
            }
        }
    )
    made = notices.announce(
        ["Northwind Power", "Riverside School"], "TOCSIN-VU-2026-0001", document
    )
    assert len(made) == 2
    assert notices.announce(["Northwind Power"], "TOCSIN-VU-2026-0001", document) == []
    assert notices.send().outcomes == {"sent": 2}
    french = next(m for m in box.messages if m["To"] == "soc@northwind.example")
    assert "Avis de sécurité TOCSIN-VU-2026-0001" in french["Subject"]
    attached = {p.get_filename(): p.get_content() for p in french.iter_attachments()}
    assert json.loads(attached["advisory.json"])["document"]["title"] == "Flaw in a router"
    with pytest.raises(NotFound):
        notices.announce(["Nobody Inc"], "TOCSIN-VU-2026-0001", document)


def test_a_published_case_announces_its_csaf_advisory(seeded: Store, mailbox: Any) -> None:
    """`tocsin cvd announce`: refused before publication; once published, the case's CSAF
    advisory goes as a notice to each constituent it concerns."""
    from tests.desk import make_team
    from tests.integration.test_cvd import ROUTER
    from tocsin.cvd.cases import Cvd
    from tocsin.errors import Conflict
    from tocsin.services.notices import announce_advisory

    box, port = mailbox
    team = make_team(seeded)
    team.clock.now = NOW
    analyst = team.people["analyst"]
    cvd = Cvd(seeded, now=team.clock)
    case = cvd.create(
        analyst,
        title="Stored XSS in the Acme router",
        reporter="Ana Lima",
        contact="ana@example.org",
        vendors=["Acme"],
        products=[("Acme", ROUTER)],
        cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    )
    cvd.concern(team.people["lead"], case.id, constituents=["Northwind Power"], sectors=[])
    settings = Settings(
        database_url=seeded.url, secret_key=KEY, smtp_url=f"smtp://127.0.0.1:{port}"
    )
    with pytest.raises(Conflict):
        announce_advisory(settings, seeded, team.clock, analyst, case.public_id)
    cvd.move(analyst, case.id, "triaged")
    cvd.log(analyst, case.id, direction="out", party="Acme", text="Details.")
    for state in ("vendors_notified", "fix_in_progress", "published"):
        cvd.move(analyst, case.id, state)
    assert len(announce_advisory(settings, seeded, team.clock, analyst, case.public_id)) == 1
    assert notifier(settings, seeded, team.clock).send().outcomes == {"sent": 1}
    (message,) = box.messages
    assert message["To"] == "soc@northwind.example" and case.public_id in message["Subject"]
    attached = {p.get_filename(): p.get_content() for p in message.iter_attachments()}
    assert json.loads(attached["advisory.json"])["document"]["tracking"]["id"] == case.public_id


def test_the_server_runs_the_notice_desk_on_its_schedule(seeded: Store, mailbox: Any) -> None:
    """The notice job of `tocsin serve` (TOCSIN_NOTIFY_EVERY): its first run plans and sends,
    the next ones (each an interval later) send nothing new."""
    box, port = mailbox
    clock = FakeClock(NOW)
    notices = desk(seeded, port, clock)
    rounds: list[Round] = []
    job = Job("notices", 60, lambda: rounds.append(send_notices(notices)))
    scheduler = Scheduler(seeded, [job], clock=clock)
    for _ in range(3):
        scheduler.run_once()
        scheduler.run_once()  # not due again within its interval: no run
        clock.advance(60)
    assert len(rounds) == 3
    assert rounds[0].planned == 3 and rounds[0].sent.outcomes == {"sent": 3}
    assert all(r.planned == 0 and not r.sent.outcomes for r in rounds[1:3])
    assert len(box.messages) == 3


class Counting(Mailbox):
    """A mailbox that tells a waiting test when ``expected`` messages have arrived."""

    def __init__(self, expected: int) -> None:
        super().__init__()
        self.expected = expected
        self.arrived = threading.Event()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) >= self.expected:
            self.arrived.set()
        return answer


def test_tocsin_serve_sends_notices_when_notify_every_is_set(
    seeded: Store, settings: Settings, tmp_path: Path
) -> None:
    box = Counting(expected=3)
    controller = LoopbackController(box)
    controller.start()
    try:
        served = settings.but(
            smtp_url=f"smtp://127.0.0.1:{controller.port}",
            secret_key=KEY,
            notify_every=3600,
            data_dir=str(tmp_path),
        )
        with TestClient(create_app(served, clock=FakeClock(NOW))):
            assert box.arrived.wait(timeout=60), "the server's watch sent no notice"
    finally:
        controller.stop()
    assert {m["To"] for m in box.messages} == {"soc@northwind.example", "it@riverside.example"}
