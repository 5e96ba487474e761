"""Notices handed to real SMTP servers on loopback: aiosmtpd servers that accept, refuse for
good or for now, or ask for a log-in; a socket that never answers; a port where nothing listens.
Then the pace: back-off between attempts and the limit per recipient domain, with time passed in."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tocsin.errors import InvalidValue
from tocsin.notify.mime import Mail, address_header, attachment, header, multipart, text_part
from tocsin.notify.smtp import (
    DEFAULT_URL,
    Delivery,
    DomainLimiter,
    Mailer,
    Outcome,
    SmtpSettings,
    backoff,
    deliver,
)

CSV = b"time,ip,type\r\n2026-11-28T03:00:00Z,203.0.113.7,infected-system\r\n"
BLOB = bytes(range(256)) * 4
PASSWORD = "s3cret:p@ss/word"


class LoopbackController(Controller):
    """aiosmtpd's threaded server on a loopback port the kernel picks when it binds."""

    def __init__(self, handler: Any, **smtp: Any) -> None:
        super().__init__(handler, hostname="127.0.0.1", server_hostname="mx.test", **smtp)

    def _create_server(self) -> Any:
        listener = socket.create_server(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]
        return self.loop.create_server(self._factory_invoker, sock=listener, ssl=self.ssl_context)


@dataclass
class Recorder:
    """A handler that keeps every message it accepts and refuses recipients as told."""

    refuse: dict[str, str] = field(default_factory=dict)  # address -> reply to RCPT TO
    data_reply: str = "250 2.0.0 Ok: queued as 4XJ2Q"
    received: list[Envelope] = field(default_factory=list)
    logins: list[bytes] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)  # the client's (address, port) per message
    hang_up: bool = False  # close the connection once each message is accepted
    hang_up_at_data: bool = False  # close it on receiving a message's data, answering nothing

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply.startswith("250"):
            self.received.append(envelope)
            self.peers.append(session.peer)
        if self.hang_up_at_data and server.transport is not None:
            server.transport.abort()
        elif self.hang_up and server.transport is not None:
            # after the reply below is written: a server at its limit of messages per connection
            asyncio.get_running_loop().call_soon(server.transport.close)
        return self.data_reply

    def check_login(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append(data.login)
        right = data.login == b"tocsin" and data.password == PASSWORD.encode()
        return AuthResult(success=right, handled=False)  # not handled: the server answers 535

    def message(self, index: int = 0) -> EmailMessage:
        content = self.received[index].content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Server:
    handler: Recorder
    settings: SmtpSettings


def _serve(**smtp: Any) -> Iterator[Server]:
    handler = Recorder()
    if smtp.pop("auth", False):
        smtp.update(authenticator=handler.check_login, auth_require_tls=False)
    controller = LoopbackController(handler, **smtp)
    controller.start()
    try:
        yield Server(handler, SmtpSettings("127.0.0.1", controller.port, 5.0, helo="tocsin.test"))
    finally:
        controller.stop()


@pytest.fixture
def server() -> Iterator[Server]:
    """An aiosmtpd server that accepts everything unless its handler is told otherwise."""
    yield from _serve()


@pytest.fixture
def auth_server() -> Iterator[Server]:
    """An aiosmtpd server offering AUTH on the plain connection. AUTH stays optional: aiosmtpd
    warns (rightly, and pytest would fail) only when AUTH is required without TLS."""
    yield from _serve(auth=True)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port held bound but not listening, so a connection to it is refused."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def notice(to: str = "abuse@example.net", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Tocsin CSIRT <cert@tocsin.test>"
    message["To"] = to
    message["Subject"] = "[TOCSIN] 1 infected system in 203.0.113.0/24"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("One of your hosts is infected; details attached.\n")
    message.add_attachment(CSV, maintype="text", subtype="csv", filename="events.csv")
    message.add_attachment(BLOB, maintype="application", subtype="octet-stream", filename="x.bin")
    message.set_boundary("tocsin-boundary")  # fixed, so the bytes sent can be predicted
    return message


# -- delivery --------------------------------------------------------------------------------------


def test_a_notice_arrives_whole_with_the_message_id_returned(server: Server) -> None:
    """An accepted notice is SENT and arrives byte for byte as it flattens (headers, body and
    both attachments), with the Message-ID it was given, the one returned."""
    message = notice()
    assert message["Message-ID"] is None

    delivery = deliver(message, server.settings)

    assert delivery == Delivery(
        Outcome.SENT, "250 2.0.0 Ok: queued as 4XJ2Q", {}, delivery.message_id
    )
    (envelope,) = server.handler.received
    assert envelope.mail_from == "cert@tocsin.test"
    assert envelope.rcpt_tos == ["abuse@example.net"]
    assert envelope.content == message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    got = server.handler.message()
    assert got["Subject"] == message["Subject"]
    assert got["To"] == "abuse@example.net"
    assert got["Message-ID"] == message["Message-ID"] == delivery.message_id
    assert delivery.message_id.startswith("<") and delivery.message_id.endswith("@tocsin.test>")
    body = got.get_body(("plain",))
    assert body is not None
    assert body.get_content().splitlines() == ["One of your hosts is infected; details attached."]
    parts = {part.get_filename(): part.get_content() for part in got.iter_attachments()}
    assert parts == {"events.csv": CSV.decode(), "x.bin": BLOB}


def test_a_message_id_already_set_is_kept(server: Server) -> None:
    """A notice that already has a Message-ID (a retry, say) keeps it."""
    delivery = deliver(notice(Message_ID="<retry-1@tocsin.test>"), server.settings)

    assert delivery.outcome is Outcome.SENT
    assert delivery.message_id == "<retry-1@tocsin.test>"
    assert server.handler.message()["Message-ID"] == "<retry-1@tocsin.test>"


def test_cc_and_bcc_receive_it_and_bcc_is_not_shown(server: Server) -> None:
    """To, Cc and Bcc addresses are all recipients, each once, and the Bcc header does not go."""
    message = notice(Cc="noc@example.net, abuse@example.net", Bcc="archive@tocsin.test")

    assert deliver(message, server.settings).outcome is Outcome.SENT

    assert server.handler.received[0].rcpt_tos == [
        "abuse@example.net",
        "noc@example.net",
        "archive@tocsin.test",
    ]
    assert server.handler.message()["Bcc"] is None


def test_a_recipient_refused_for_good_fails_with_the_reply(server: Server) -> None:
    """A 550 for the only recipient is FAILED, with the server's reply in the detail."""
    server.handler.refuse["abuse@example.net"] = "550 5.1.1 <abuse@example.net>: no such user"

    delivery = deliver(notice(), server.settings)

    assert delivery.outcome is Outcome.FAILED
    assert "550 5.1.1 <abuse@example.net>: no such user" in delivery.detail
    assert delivery.refused == {"abuse@example.net": "550 5.1.1 <abuse@example.net>: no such user"}
    assert server.handler.received == []


def test_a_recipient_refused_for_now_is_deferred(server: Server) -> None:
    """A 451 for the only recipient is DEFERRED: the server asks to try again later."""
    server.handler.refuse["abuse@example.net"] = "451 4.3.0 greylisted, come back later"

    delivery = deliver(notice(), server.settings)

    assert delivery.outcome is Outcome.DEFERRED
    assert "451 4.3.0 greylisted" in delivery.detail


def test_every_recipient_refused_but_one_only_for_now_is_deferred(server: Server) -> None:
    """When all recipients are refused but one of them only for now, the notice is DEFERRED."""
    server.handler.refuse["abuse@example.net"] = "550 5.1.1 no such user"
    server.handler.refuse["noc@example.net"] = "452 4.2.2 mailbox full"

    delivery = deliver(notice("abuse@example.net, noc@example.net"), server.settings)

    assert delivery.outcome is Outcome.DEFERRED
    assert set(delivery.refused) == {"abuse@example.net", "noc@example.net"}


def test_one_of_two_recipients_refused_is_sent_with_the_refusal(server: Server) -> None:
    """With one of two recipients refused, the other gets it: SENT, the refused one listed."""
    server.handler.refuse["gone@example.net"] = "550 5.1.1 no such user"

    delivery = deliver(notice("abuse@example.net, gone@example.net"), server.settings)

    assert delivery.outcome is Outcome.SENT
    assert delivery.refused == {"gone@example.net": "550 5.1.1 no such user"}
    assert server.handler.received[0].rcpt_tos == ["abuse@example.net"]


def test_a_message_refused_at_data_fails(server: Server) -> None:
    """A 554 to the message itself (after DATA) is FAILED: sending it again will not help."""
    server.handler.data_reply = "554 5.7.1 message content rejected"

    delivery = deliver(notice(), server.settings)

    assert delivery == Delivery(
        Outcome.FAILED, "554 5.7.1 message content rejected", {}, delivery.message_id
    )


def test_a_server_that_never_answers_defers_after_the_timeout() -> None:
    """A server that takes the connection (the kernel's backlog does) and never greets is
    DEFERRED once the timeout has passed, and the detail says it timed out."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        settings = SmtpSettings("127.0.0.1", silent.getsockname()[1], timeout=0.3)

        delivery = deliver(notice(), settings)

    assert delivery.outcome is Outcome.DEFERRED
    assert delivery.detail.endswith("timed out after 0.3 s"), delivery.detail


def test_a_refused_connection_defers(closed_port: int) -> None:
    """A port where nothing listens is DEFERRED: the server may be back later."""
    delivery = deliver(notice(), SmtpSettings("127.0.0.1", closed_port, timeout=2))

    assert delivery.outcome is Outcome.DEFERRED
    assert delivery.detail.startswith(f"127.0.0.1:{closed_port}: ")
    assert "refused" in delivery.detail.lower()
    assert delivery.message_id


@pytest.mark.parametrize(
    "to", ["not an address", "<abuse@>", "abuse@exa mple.net", "a..b@example.net", "Undisclosed:;"]
)
def test_a_malformed_or_missing_address_fails_without_connecting(closed_port: int, to: str) -> None:
    """A malformed or missing recipient is FAILED before any connection (the closed port would
    otherwise have deferred it)."""
    message = notice()
    message.replace_header("To", to)

    delivery = deliver(message, SmtpSettings("127.0.0.1", closed_port))

    assert delivery.outcome is Outcome.FAILED
    assert "address" in delivery.detail


def test_a_log_in_with_the_right_password_sends(auth_server: Server) -> None:
    """With a user name and password the client logs in, then sends."""
    settings = SmtpSettings.parse(
        f"smtp://tocsin:s3cret%3Ap%40ss%2Fword@127.0.0.1:{auth_server.settings.port}?timeout=5"
    )

    assert deliver(notice(), settings).outcome is Outcome.SENT

    assert auth_server.handler.logins == [b"tocsin"]
    assert len(auth_server.handler.received) == 1


def test_a_refused_log_in_defers_and_never_shows_the_password(auth_server: Server) -> None:
    """A refused log-in is a settings problem, not the notice's: DEFERRED, and neither the detail
    nor the repr of the delivery or the settings shows the password."""
    settings = SmtpSettings("127.0.0.1", auth_server.settings.port, 5, False, "tocsin", "wrong")
    leaky = SmtpSettings("127.0.0.1", auth_server.settings.port, 5, False, "nobody", PASSWORD)

    refused = deliver(notice(), settings)
    also_refused = deliver(notice(), leaky)

    assert refused.outcome is also_refused.outcome is Outcome.DEFERRED
    assert refused.detail.startswith("535 ")
    assert "wrong" not in refused.detail + repr(refused) + repr(settings)
    assert PASSWORD not in also_refused.detail + repr(also_refused) + repr(leaky)
    assert auth_server.handler.received == []


def test_starttls_asked_of_a_server_without_it_defers(server: Server) -> None:
    """STARTTLS required but not offered is DEFERRED (the settings or the server must change)
    and nothing is sent in clear."""
    settings = SmtpSettings("127.0.0.1", server.settings.port, 5, starttls=True)

    delivery = deliver(notice(), settings)

    assert delivery.outcome is Outcome.DEFERRED
    assert "STARTTLS" in delivery.detail
    assert server.handler.received == []


# -- many messages over one connection -------------------------------------------------------------


def test_many_messages_arrive_over_one_connection(server: Server) -> None:
    """A Mailer sends every message over the one connection it keeps, each SENT with its own
    Message-ID, and arriving as it flattens."""
    messages = [notice(X_Notice=str(n)) for n in range(5)]

    with Mailer(server.settings) as mailer:
        deliveries = [mailer.send(message) for message in messages]

    assert [d.outcome for d in deliveries] == [Outcome.SENT] * 5
    assert len({d.message_id for d in deliveries}) == 5
    assert len(server.handler.received) == 5
    assert len(set(server.handler.peers)) == 1
    last = messages[4]
    assert server.handler.received[4].content == last.as_bytes(
        policy=last.policy.clone(linesep="\r\n")
    )


def test_a_refused_message_does_not_stop_the_next(server: Server) -> None:
    """A message refused in the middle fails alone; the transaction is reset and the next goes
    over the same connection."""
    server.handler.refuse["gone@example.net"] = "550 5.1.1 no such user"

    with Mailer(server.settings) as mailer:
        first = mailer.send(notice())
        refused = mailer.send(notice("gone@example.net"))
        after = mailer.send(notice("noc@example.net"))

    assert (first.outcome, refused.outcome, after.outcome) == (
        Outcome.SENT,
        Outcome.FAILED,
        Outcome.SENT,
    )
    assert [e.rcpt_tos for e in server.handler.received] == [
        ["abuse@example.net"],
        ["noc@example.net"],
    ]
    assert len(set(server.handler.peers)) == 1


def test_a_connection_the_server_closed_is_opened_again(server: Server) -> None:
    """When the server has closed the kept connection between two messages, the Mailer connects
    again and the next message is SENT all the same."""
    server.handler.hang_up = True

    with Mailer(server.settings) as mailer:
        deliveries = [mailer.send(notice(X_Notice=str(n))) for n in range(3)]

    assert [d.outcome for d in deliveries] == [Outcome.SENT] * 3
    assert [server.handler.message(n)["X-Notice"] for n in range(3)] == ["0", "1", "2"]
    assert len(set(server.handler.peers)) == 3


def test_a_connection_lost_once_the_data_went_is_not_sent_again(server: Server) -> None:
    """A connection lost after the message's data went, before the server answered, defers that
    message rather than sending it again (it may have arrived); the next one connects again."""
    with Mailer(server.settings) as mailer:
        server.handler.hang_up_at_data = True
        lost = mailer.send(notice())
        server.handler.hang_up_at_data = False
        after = mailer.send(notice())

    assert lost.outcome is Outcome.DEFERRED
    assert after.outcome is Outcome.SENT
    assert len(server.handler.received) == 2  # the first arrived once, and only once


def test_a_mailer_whose_server_is_down_defers_each_message(closed_port: int) -> None:
    """When nothing listens, each message is DEFERRED (a connection is tried for each) and
    leaving the block raises nothing."""
    with Mailer(SmtpSettings("127.0.0.1", closed_port, timeout=2)) as mailer:
        deliveries = [mailer.send(notice()), mailer.send(notice())]

    assert [d.outcome for d in deliveries] == [Outcome.DEFERRED] * 2
    assert all("refused" in d.detail.lower() for d in deliveries)


def written(to: tuple[str, ...] = ("abuse@example.net",)) -> Mail:
    """A notice written as bytes (as the desk writes them), to its own envelope."""
    head = (
        address_header("From", [("Tocsin CSIRT", "cert@tocsin.test")])
        + address_header("To", [("", a) for a in to])
        + header("Subject", "[TOCSIN] 1 infected system in 203.0.113.0/24")
        + header("Message-ID", "<notice1@tocsin.test>")
    )
    content = multipart(
        "mixed",
        [text_part("One of your hosts is infected.\n"), attachment(CSV, "text/csv", "e.csv")],
    )
    return Mail("cert@tocsin.test", to, "<notice1@tocsin.test>", head, content)


def test_a_written_notice_arrives_byte_for_byte_to_its_envelope(server: Server) -> None:
    """A notice written as bytes goes as it is, to its envelope's recipients (each once), under
    its own Message-ID."""
    mail = written(("abuse@example.net", "noc@example.net", "abuse@example.net"))

    with Mailer(server.settings) as mailer:
        delivery = mailer.send(mail)

    assert delivery == Delivery(
        Outcome.SENT, "250 2.0.0 Ok: queued as 4XJ2Q", {}, "<notice1@tocsin.test>"
    )
    (envelope,) = server.handler.received
    assert envelope.mail_from == "cert@tocsin.test"
    assert envelope.rcpt_tos == ["abuse@example.net", "noc@example.net"]
    assert envelope.content == mail.as_bytes()
    assert server.handler.message()["Message-ID"] == "<notice1@tocsin.test>"


@pytest.mark.parametrize("to", [(), ("not an address",), ("abuse@exa mple.net",)])
def test_a_written_notice_without_a_good_address_fails_without_connecting(
    closed_port: int, to: tuple[str, ...]
) -> None:
    """A written notice with no recipient or a malformed one is FAILED before any connection."""
    delivery = deliver(written(to), SmtpSettings("127.0.0.1", closed_port))

    assert delivery.outcome is Outcome.FAILED
    assert "address" in delivery.detail


def test_a_written_notice_to_a_non_ascii_address_goes_with_smtputf8(server: Server) -> None:
    """An address that is not ASCII goes with SMTPUTF8 to a server that offers it (aiosmtpd's
    controller does), and FAILS at one that does not."""
    mail = written(("sécurité@example.net",))

    assert deliver(mail, server.settings).outcome is Outcome.SENT
    assert server.handler.received[0].rcpt_tos == ["sécurité@example.net"]

    for plain in _serve(enable_SMTPUTF8=False):
        refused = deliver(mail, plain.settings)
        assert refused.outcome is Outcome.FAILED
        assert "SMTPUTF8" in refused.detail
        assert plain.handler.received == []


# -- settings --------------------------------------------------------------------------------------


def test_a_full_url_is_read() -> None:
    """Every part of an smtp:// URL lands in its setting, the user and password percent-decoded."""
    settings = SmtpSettings.parse(
        "smtp://tocsin:s3cret%3Ap%40ss%2Fword@mail.example.org:587?timeout=10&starttls=1&helo=cert.example.org"
    )

    assert settings == SmtpSettings(
        "mail.example.org", 587, 10.0, True, "tocsin", PASSWORD, "cert.example.org"
    )
    assert PASSWORD not in repr(settings)


def test_the_default_url_is_plain_port_25_on_localhost() -> None:
    """``smtp://localhost`` and ``smtp://localhost:25`` are both the defaults."""
    assert SmtpSettings.parse("smtp://localhost") == SmtpSettings.parse("smtp://localhost:25")
    assert SmtpSettings.parse(DEFAULT_URL) == SmtpSettings()


@pytest.mark.parametrize(
    ("url", "field", "reason"),
    [
        ("smtps://u:hunter2@mail.example.org", "smtp_url", "must start with smtp://"),
        ("mail.example.org:25", "smtp_url", "must start with smtp://"),
        ("smtp://u:hunter2@mail.example.org:99999", "port", "a port number"),
        ("smtp://u:hunter2@mail.example.org:smtp", "port", "a port number"),
        ("smtp://mail.example.org:0", "port", "a port number"),
        ("smtp://u:hunter2@", "host", "a host name"),
        ("smtp://u:hunt/er2@mail.example.org", "smtp_url", "no path"),
        ("smtp://mail.example.org?timeout=soon", "timeout", "positive number of seconds"),
        ("smtp://mail.example.org?timeout=-1", "timeout", "positive number of seconds"),
        ("smtp://mail.example.org?timeout=nan", "timeout", "positive number of seconds"),
        ("smtp://mail.example.org?starttls=maybe", "starttls", "1/true/yes/on"),
        ("smtp://mail.example.org?tls=1", "smtp_url", "unknown or repeated"),
        ("smtp://mail.example.org?timeout=1&timeout=2", "smtp_url", "unknown or repeated"),
        ("smtp://u@mail.example.org", "username", "go together"),
        ("smtp://mail.example.org?helo=two%20words", "helo", "a host name"),
    ],
)
def test_a_bad_url_names_what_is_wrong_without_the_password(
    url: str, field: str, reason: str
) -> None:
    """Each mistake in the URL is an InvalidValue naming the part and why, never the password."""
    with pytest.raises(InvalidValue) as caught:
        SmtpSettings.parse(url)

    assert caught.value.field == field
    assert reason in caught.value.reason
    assert "hunter2" not in str(caught.value) and "er2" not in str(caught.value)


# -- pace ------------------------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    """Waits double from five minutes after each failed attempt and stop at six hours."""
    assert [backoff(n) for n in range(1, 9)] == [300, 600, 1200, 2400, 4800, 9600, 19200, 21600]
    assert backoff(10_000) == 6 * 3600
    assert backoff(3, base=10, cap=25) == 25


@pytest.mark.parametrize(("attempt", "base", "cap"), [(0, 300, 3600), (1, 0, 3600), (1, 60, 30)])
def test_backoff_refuses_nonsense(attempt: int, base: int, cap: int) -> None:
    """An attempt before the first, a base of nothing or a cap under the base is refused."""
    with pytest.raises(InvalidValue):
        backoff(attempt, base=base, cap=cap)


def test_the_domain_limit_counts_each_domain_apart_and_frees_after_the_window() -> None:
    """Two messages per domain per minute: the third waits, another domain (whatever its case)
    does not, and one minute after the first the domain may send again."""
    limiter = DomainLimiter(2, 60)

    assert limiter.allow("abuse@example.net", 1000)
    assert limiter.allow("noc@Example.NET", 1010)
    assert not limiter.allow("soc@example.net.", 1020)
    assert limiter.wait("soc@example.net", 1020) == 40
    assert limiter.allow("abuse@example.org", 1020)
    assert limiter.wait("abuse@example.org", 1020) == 0

    assert limiter.allow("soc@example.net", 1060)
    assert not limiter.allow("soc@example.net", 1061)
    assert limiter.wait("soc@example.net", 1061) == 9
