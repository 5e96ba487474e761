"""Two Tocsins on loopback, each with its own store and its own uvicorn server, exchanging over
real HTTPS (each server's certificate from a test authority the other side is told to trust, as
two teams with a private authority would): a request sent from A arrives at B once, with B's
signed receipt stored at A, even when B is down at first (A retries with back-off on the
injected clock, never sleeping); a tampered envelope, a replayed one and one from an unknown
sender are refused; B's acknowledgement comes back to A's inbox and moves A's request. A sender
that does not trust B's certificate delivers nothing and keeps the message.

A's store is SQLite; B's is each backend in turn."""

from __future__ import annotations

import json
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.serving import serving
from tests.desk import FakeClock, Team, make_team
from tocsin.assist.exchange import Exchange
from tocsin.assist.exchange_wire import https_post, request_payload
from tocsin.auth.envelopes import ExchangeKey, KeyFile, exchange_key, open_envelope, seal
from tocsin.errors import ConfigError
from tocsin.model.assist.request import Direction, Request
from tocsin.model.assist.states import State
from tocsin.services.desk import Desk
from tocsin.services.scheduler import Scheduler
from tocsin.services.watches import desk_jobs
from tocsin.settings import Settings
from tocsin.store import Store, open_store
from tocsin.web.app import create_app

ART29 = {
    "authority": "Parquet de Paris, section cyber",
    "offence": "Unauthorised access to a computer system (Art. 2)",
    "facts": "A ransomware group used a VPS to stage stolen data.",
    "data": "Subscriber and traffic data of the VPS account",
    "relation": "The VPS received the stolen data on 2026-11-20.",
    "custodian": "Example Hosting SA, Brussels",
    "necessity": "The provider deletes logs after 30 days.",
    "mla_intent": "A request for mutual assistance will follow within 60 days.",
}
SAFEGUARDS: dict[str, Any] = {
    "necessity": "Only the logs of one account for ten days.",
    "approving_authority": "Procureur J. Martin",
    "data_categories": ["subscriber", "traffic"],
    "scope_from": "2026-11-18T00:00:00+00:00",
    "scope_to": "2026-11-28T00:00:00+00:00",
    "retention_until": "2027-11-28T00:00:00+00:00",
    "onward_transfer": "None without the requested Party's consent.",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Side:
    """One Tocsin: its settings, its store and the desk the test drives, its key, its team."""

    settings: Settings
    store: Store
    desk: Desk
    key: ExchangeKey
    team: Team
    url: str
    tls: tuple[Path, Path]  # its certificate (chain) and private key, PEM

    def serve(self) -> AbstractContextManager[str]:
        port = int(self.url.rsplit(":", 1)[1])
        app = create_app(self.settings, clock=self.desk.clock, watch_clocks=False)
        chain, key = self.tls
        return serving(
            app, name=f"tocsin-{port}", port=port, ssl_certfile=str(chain), ssl_keyfile=str(key)
        )

    def who(self, name: str) -> Any:
        return self.team.people[name]

    def register(self, other: Side, country: str, authority: str) -> int:
        contact = self.desk.contacts.add(
            self.who("lead"),
            country=country,
            authority=authority,
            channel="tocsin",
            address=other.url,
            languages="en,fr",
            timezone="Europe/Brussels",
            public_key=other.key.public_text,
        )
        return contact.id


def side(url: str, folder: Path, clock: FakeClock, authority: trustme.CA) -> Side:
    """One Tocsin whose server presents a certificate for 127.0.0.1 from ``authority``, and
    which trusts that authority's certificates (``exchange_ca``)."""
    write_keys(folder)
    trusted = folder / "exchange-ca.pem"
    authority.cert_pem.write_to_path(str(trusted))
    served = authority.issue_cert("127.0.0.1")
    chain, private = folder / "server.pem", folder / "server.key"
    for blob in served.cert_chain_pems:
        blob.write_to_path(str(chain), append=True)
    served.private_key_pem.write_to_path(str(private))
    settings = Settings(database_url=url, workers=0, data_dir=str(folder), exchange_ca=str(trusted))
    store = open_store(url, audit_key=AUDIT_KEY)
    team = make_team(store)
    desk = Desk.build(settings, store, clock=clock)
    key = exchange_key(folder / "exchange.key")  # the file the server's desk reads too
    address = f"https://127.0.0.1:{free_port()}"
    return Side(settings, store, desk, key, team, address, (chain, private))


@dataclass
class Pair:
    a: Side
    b: Side
    clock: FakeClock
    b_at_a: int  # B's contact id in A's directory
    a_at_b: int
    trust: ssl.SSLContext  # what the test's own client trusts: the test authority


@pytest.fixture
def pair(backend_url: str, tmp_path: Path) -> Iterator[Pair]:
    clock, authority = FakeClock(), trustme.CA()
    a = side(f"sqlite:///{tmp_path / 'a.db'}", tmp_path / "a", clock, authority)
    b = side(backend_url, tmp_path / "b", clock, authority)
    found = Pair(
        a,
        b,
        clock,
        a.register(b, "BE", "CCB 24/7"),
        b.register(a, "FR", "ANSSI 24/7"),
        ssl.create_default_context(cafile=a.settings.exchange_ca),
    )
    yield found
    a.store.close()
    b.store.close()


def approved(pair: Pair) -> Request:
    """A's outgoing Art. 29 request to B, approved by a second person."""
    a = pair.a
    liaison, lead = a.who("liaison"), a.who("lead")
    request = a.desk.assist.create(
        liaison,
        basis="BC-29",
        title="Preserve the VPS account's logs",
        elements=ART29,
        safeguards=SAFEGUARDS,
        counterpart_id=pair.b_at_a,
    ).request
    a.desk.assist.move(liaison, request.id, "awaiting_approval")
    a.desk.assist.approve(lead, request.id)
    return request


def post(pair: Pair, url: str, body: bytes) -> tuple[int, dict[str, Any]]:
    call = urllib.request.Request(  # noqa: S310 (loopback)
        url + "/api/v1/assist/inbox", body, {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (loopback)
            call, timeout=30, context=pair.trust
        ) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_request_reaches_b_once_after_b_comes_up(pair: Pair) -> None:
    """B is down: A's attempts fail and wait 1, then 2 minutes on the clock (an early run tries
    nothing); B comes up: the next due run delivers, B registers the request once, A stores B's
    signed receipt and its request is delivered. A receipt lost on the way makes A send again:
    B answers a receipt again and registers nothing more."""
    a, b, clock = pair.a, pair.b, pair.clock
    request = approved(pair)
    queued = a.desk.exchange.send_request(a.who("liaison"), request.id)
    assert queued.status == "queued" and a.desk.assist.get(a.who("lead"), request.id).state is (
        State.SENT
    )

    first = a.desk.exchange.deliver()
    assert (first.delivered, first.waiting) == (0, 1)
    failed = a.store.exchange.message(queued.id)
    assert failed is not None and failed.attempts == 1 and failed.error
    assert failed.next_attempt_at is not None
    assert failed.next_attempt_at.timestamp() == clock.now + 60
    assert a.desk.exchange.deliver().waiting == 0  # not due yet: nothing tried
    clock.advance(60)
    assert a.desk.exchange.deliver().waiting == 1
    again = a.store.exchange.message(queued.id)
    assert again is not None and again.attempts == 2
    assert again.next_attempt_at is not None
    assert again.next_attempt_at.timestamp() == clock.now + 120

    with b.serve():
        clock.advance(119)
        assert a.desk.exchange.deliver() == type(first)(0, 0)  # still waiting its turn
        clock.advance(1)
        assert a.desk.exchange.deliver().delivered == 1
        sent = a.store.exchange.message(queued.id)
        assert sent is not None and (sent.status, sent.attempts, sent.error) == ("delivered", 3, "")
        receipt = open_envelope(
            sent.receipt,
            lambda party: b.key.public_text if party == b.key.party else None,
            clock.now,
            lambda nonce: False,
        )
        assert receipt.kind == "receipt" and receipt.payload["message_id"] == sent.message_id
        assert receipt.payload["duplicate"] is False
        assert a.desk.assist.get(a.who("lead"), request.id).state is State.DELIVERED

        incoming = b.store.assist.requests(direction=Direction.INCOMING)
        assert [(r.their_ref, r.basis.value, r.state) for r in incoming] == [
            (request.ref, "BC-29", State.DELIVERED)
        ]
        assert dict(incoming[0].elements) == ART29
        assert incoming[0].counterpart_id == pair.a_at_b
        (arrived,) = b.store.exchange.messages()
        assert (arrived.direction, arrived.request_id) == (Direction.INCOMING, incoming[0].id)

        clock.advance(3600)  # the receipt is lost: A's message is due again
        with a.store.transaction() as conn:
            a.store.exchange.update_message(
                conn, queued.id, status="queued", next_attempt_at=clock.now
            )
        assert a.desk.exchange.deliver().delivered == 1
        resent = a.store.exchange.message(queued.id)
        assert resent is not None and resent.receipt["payload"]["duplicate"] is True
    assert len(b.store.assist.requests(direction=Direction.INCOMING)) == 1
    assert len(b.store.exchange.messages()) == 1
    assert a.desk.exchange.deliver().waiting == 0
    b_actions = [e.action for e in b.store.cases.audit_for("assist", incoming[0].ref)]
    assert "assist.exchange_handed_over" in b_actions and "assist.create" in b_actions


def test_tampered_replayed_and_unknown_envelopes_are_refused(pair: Pair) -> None:
    """Over real HTTPS: a payload changed after signing (403 signature), the same envelope twice
    (the second 409 replay), a key B does not know (403 sender), one for another Tocsin (400)."""
    a, b, clock = pair.a, pair.b, pair.clock
    payload = {"message_id": "m-1", "basis": "BC-35", "title": "Advice", "elements": {}}
    url = b.url
    with b.serve():
        good = seal(payload, "status", a.key.party, b.key.party, a.key, clock.now)
        tampered = {**good, "payload": {**payload, "title": "Other advice"}}
        assert post(pair, url, json.dumps(tampered).encode())[0] == 403
        status, receipt = post(pair, url, json.dumps(good).encode())
        assert status == 200 and receipt["kind"] == "receipt"
        status, refusal = post(pair, url, json.dumps(good).encode())
        assert (status, refusal["error"]) == (409, "replay")
        stranger = ExchangeKey.generate()
        unknown = seal(payload, "status", stranger.party, b.key.party, stranger, clock.now)
        status, refusal = post(pair, url, json.dumps(unknown).encode())
        assert (status, refusal["error"]) == (403, "sender")
        elsewhere = seal(payload, "status", a.key.party, stranger.party, a.key, clock.now)
        assert post(pair, url, json.dumps(elsewhere).encode())[0] == 400
        late = seal(
            {**payload, "message_id": "m-2"},
            "status",
            a.key.party,
            b.key.party,
            a.key,
            clock.now - 301,
        )
        assert post(pair, url, json.dumps(late).encode())[1]["error"] == "time"
    assert len(b.store.exchange.messages()) == 1  # the one good envelope


def test_b_acknowledges_through_as_inbox(pair: Pair) -> None:
    """Both servers up: A's request reaches B; B's liaison acknowledges it; B's delivery run
    reaches A's inbox, and A's request moves to acknowledged with the message in its log."""
    a, b = pair.a, pair.b
    request = approved(pair)
    a.desk.exchange.send_request(a.who("liaison"), request.id)
    with ExitStack() as servers:
        servers.enter_context(a.serve())
        servers.enter_context(b.serve())
        assert a.desk.exchange.deliver().delivered == 1
        (incoming,) = b.store.assist.requests(direction=Direction.INCOMING)
        b.desk.exchange.send(
            b.who("liaison"), incoming.id, "acknowledgement", {"note": "Received, preserving."}
        )
        assert b.desk.exchange.deliver().delivered == 1
    moved = a.desk.assist.get(a.who("lead"), request.id)
    assert moved.state is State.ACKNOWLEDGED
    log = a.desk.exchange.messages(a.who("lead"), request.id)
    assert [(m.direction, m.kind, m.status) for m in log] == [
        (Direction.OUTGOING, "request", "delivered"),
        (Direction.INCOMING, "acknowledgement", "received"),
    ]
    assert log[1].payload["note"] == "Received, preserving."


def test_the_scheduler_s_outbox_job_delivers(pair: Pair) -> None:
    """The ``assist-outbox`` job of a running Tocsin's scheduler is the delivery run: one run
    with B up delivers A's queued request, and forgets the nonces whose window is over."""
    a, b, clock = pair.a, pair.b, pair.clock
    request = approved(pair)
    a.desk.exchange.send_request(a.who("liaison"), request.id)
    with a.store.transaction() as conn:
        a.store.exchange.see_nonce(conn, b.key.party, "o" * 22, clock.now - 1)  # expired
    [job] = [job for job in desk_jobs(a.desk) if job.name == "assist-outbox"]
    with b.serve():
        Scheduler(a.store, [job], clock=clock).run_once()
    (sent,) = a.store.exchange.messages()
    assert sent.status == "delivered"
    assert not a.store.exchange.nonce_seen(b.key.party, "o" * 22)
    assert a.store.exchange.nonce_seen(b.key.party, sent.receipt["nonce"])


def test_a_request_whose_hand_over_failed_is_handed_over_when_sent_again(pair: Pair) -> None:
    """B stores the message but cannot register the request (its team cannot be found: a
    stand-in for a crash half-way); the reason stays in B's exchange log. When A sends the same
    message again (a new nonce, the same message id), B registers it, once."""
    a, b, clock = pair.a, pair.b, pair.clock
    calls: list[int] = []

    def team() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise ConfigError("the team is not there yet")
        return b.team.org_id

    inbox = Exchange(b.desk.assist, KeyFile(Path(b.settings.data_dir) / "exchange.key"), team=team)
    request = approved(pair)
    body = {**request_payload(request), "message_id": "m-7"}
    for _ in range(3):
        clock.advance(5)
        inbox.receive(seal(body, "request", a.key.party, b.key.party, a.key, clock.now))
        (kept,) = b.store.exchange.messages()
        if len(calls) == 1:
            assert kept.request_id is None and "team is not there yet" in kept.error
    assert kept.request_id is not None and kept.error == ""
    assert len(calls) == 2  # the third delivery found the request registered
    assert [r.their_ref for r in b.store.assist.requests(direction=Direction.INCOMING)] == [
        request.ref
    ]


def test_a_sender_that_does_not_trust_b_s_certificate_delivers_nothing(pair: Pair) -> None:
    """A's delivery with the system's authorities only (no ``exchange_ca``): B's certificate,
    from the test authority, does not verify; the attempt fails naming the certificate, the
    message waits for its next attempt, and B has received nothing."""
    a, b = pair.a, pair.b
    untrusting = Exchange(
        a.desk.assist, a.desk.exchange.key, team=a.desk.exchange.team, post=https_post()
    )
    request = approved(pair)
    queued = untrusting.send_request(a.who("liaison"), request.id)
    with b.serve():
        assert untrusting.deliver().waiting == 1
    kept = a.store.exchange.message(queued.id)
    assert kept is not None and kept.status == "queued" and kept.attempts == 1
    assert "CERTIFICATE_VERIFY_FAILED" in kept.error
    assert b.store.exchange.messages() == []
    assert b.store.assist.requests(direction=Direction.INCOMING) == []
