"""Notices handed to a mail server over SMTP: many messages over one kept connection (``Mailer``)
or one alone (``deliver``), every failure sorted into sent, deferred (try again later) or failed
(never send this again). The settings are in ``smtp_settings``, the outcome and the pace per
recipient domain and between attempts in ``delivery``, the envelope's checks in ``addresses``;
this module names them all, as the rest of Tocsin imports them.

The sorting follows the reply codes of RFC 5321 where they concern the message: a 5xx reply to
MAIL FROM or DATA, or to RCPT TO for every recipient, fails it; a 4xx reply defers it. Anything
about the session rather than the message (no connection, a timeout, a refused greeting or EHLO,
no STARTTLS, a refused log-in) defers it, whatever the code: it will pass once the server or the
settings are mended, and no notice should be lost to a wrong password. A connection lost after
the message was sent but before the server answered defers it too, so it may arrive twice: SMTP
delivers at least once.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING

from tocsin.notify.addresses import (
    ADDRESS_HEADERS,
    DOMAIN,
    addresses_in,
    envelope_problem,
    message_problem,
)
from tocsin.notify.delivery import Delivery, DomainLimiter, Outcome, backoff
from tocsin.notify.mime import Mail
from tocsin.notify.smtp_settings import DEFAULT_URL, SmtpSettings

if TYPE_CHECKING:
    from typing_extensions import Buffer  # collections.abc.Buffer from Python 3.12

_MAX_DETAIL = 1000


def deliver(message: EmailMessage | Mail, settings: SmtpSettings) -> Delivery:
    """Send ``message`` to its To, Cc and Bcc addresses (Bcc is not shown to them) from its
    Sender or From address, giving it a Message-ID first when it has none (the message is
    changed in place, so a retry keeps the same one). Never raises for a delivery problem.
    One connection for this message alone: to send many, keep a ``Mailer`` open."""
    with Mailer(settings) as mailer:
        return mailer.send(message)


class Mailer:
    """One SMTP session kept open for many messages: opened at the first ``send``, closed (QUIT)
    when the ``with`` block ends. Each message is sorted as ``deliver`` sorts it; after a
    refused one the transaction is reset (RSET) and the next goes on the same connection. When
    the server has closed the kept connection before a message went (an idle timeout, a 421),
    it is opened again once for that message; once the message's data has gone, never: that
    message is deferred instead, so it is not sent twice."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._client: _Client | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, message: EmailMessage | Mail) -> Delivery:
        """Send ``message`` as ``deliver`` does, over the kept connection. A ``Mail`` (a notice
        written as bytes) goes as it is, to its own envelope, under its own Message-ID."""
        if isinstance(message, Mail):
            recipients = list(dict.fromkeys(message.recipients))
            problem = envelope_problem([message.sender], recipients)
            return self._send(message, message.sender, recipients, message.message_id, problem)
        headers = {name: message.get_all(name, []) for name in ADDRESS_HEADERS}  # read once
        sender = addresses_in(headers, "Sender") or addresses_in(headers, "From")
        recipients = list(dict.fromkeys(addresses_in(headers, "To", "Cc", "Bcc")))
        if "Message-ID" not in message:
            domain = sender[0].rpartition("@")[2] if len(sender) == 1 else ""
            message["Message-ID"] = make_msgid(domain=domain if DOMAIN.fullmatch(domain) else None)
        message_id = str(message["Message-ID"]).strip()
        problem = message_problem(headers, sender, recipients)
        return self._send(message, sender[0] if sender else "", recipients, message_id, problem)

    def _send(
        self,
        message: EmailMessage | Mail,
        sender: str,
        recipients: list[str],
        message_id: str,
        problem: str | None,
    ) -> Delivery:
        if problem:
            return Delivery(Outcome.FAILED, problem, message_id=message_id)
        kept = self._client is not None
        delivery, hung_up = self._transaction(message, sender, recipients, message_id)
        if hung_up and kept:
            delivery, _ = self._transaction(message, sender, recipients, message_id)
        return delivery

    def close(self) -> None:
        """Say goodbye to the server (QUIT) if connected; the next ``send`` connects again."""
        if self._client is not None:
            _goodbye(self._client)
            self._client = None

    def _session(self) -> _Client:
        """The connection, opened (EHLO, STARTTLS, log-in) when there is none."""
        if self._client is not None and self._client.sock is not None:
            return self._client
        self.close()  # one smtplib closed on an error it met
        settings = self.settings
        client = _Client(timeout=settings.timeout, local_hostname=settings.helo)
        try:
            client.connect(settings.host, settings.port)
            if client.sock is not None:  # commands and replies are small: send each at once
                client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client.ehlo_or_helo_if_needed()
            if settings.starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo_or_helo_if_needed()
            if settings.username is not None and settings.password is not None:
                client.login(settings.username, settings.password)
        except BaseException:
            _goodbye(client)
            raise
        self._client = client
        return client

    def _transaction(
        self, message: EmailMessage | Mail, sender: str, recipients: list[str], message_id: str
    ) -> tuple[Delivery, bool]:
        """One try: the delivery, and whether the server had hung up before the data went."""
        done = self._done
        try:
            client = self._session()
        except smtplib.SMTPResponseException as error:  # greeting, EHLO, STARTTLS or log-in
            return done(Outcome.DEFERRED, _reply(error.smtp_code, error.smtp_error), message_id)
        except smtplib.SMTPNotSupportedError as error:  # STARTTLS or AUTH not offered
            return done(Outcome.DEFERRED, str(error), message_id)
        except OSError as error:  # refused, reset, timed out, no such host, TLS
            return done(Outcome.DEFERRED, self._where(error), message_id)
        client.in_data = False
        try:
            if isinstance(message, Mail):
                international = not all(a.isascii() for a in (sender, *recipients))
                options = ["SMTPUTF8"] if international else []
                refused = client.sendmail(sender, recipients, message.as_bytes(), options)
            else:
                refused = client.send_message(message, sender, recipients)
        except smtplib.SMTPRecipientsRefused as error:
            replies = {a: _reply(code, text) for a, (code, text) in error.recipients.items()}
            permanent = all(500 <= code < 600 for code, _ in error.recipients.values())
            detail = "every recipient refused: " + "; ".join(
                f"{a}: {r}" for a, r in replies.items()
            )
            outcome = Outcome.FAILED if permanent else Outcome.DEFERRED
            return done(outcome, detail, message_id, replies, self._reset(client))
        except smtplib.SMTPResponseException as error:  # sender or data refused
            outcome = Outcome.FAILED if 500 <= error.smtp_code < 600 else Outcome.DEFERRED
            detail = _reply(error.smtp_code, error.smtp_error)
            return done(outcome, detail, message_id, hung_up=self._reset(client))
        except smtplib.SMTPNotSupportedError as error:  # the message needs SMTPUTF8
            return done(Outcome.FAILED, str(error), message_id)
        except OSError as error:  # reset, closed or timed out in the middle; SMTPException too
            self.close()
            hung_up = not client.in_data and not _timed_out(error)
            return done(Outcome.DEFERRED, self._where(error), message_id, hung_up=hung_up)
        replies = {a: _reply(code, text) for a, (code, text) in refused.items()}
        return done(Outcome.SENT, client.last_reply, message_id, replies)

    def _done(
        self,
        outcome: Outcome,
        detail: str,
        message_id: str,
        refused: Mapping[str, str] | None = None,
        hung_up: bool = False,
    ) -> tuple[Delivery, bool]:
        delivery = Delivery(outcome, _clean(detail, self.settings), refused or {}, message_id)
        return delivery, hung_up

    def _reset(self, client: _Client) -> bool:
        """After a refusal: RSET, so the next message starts a clean transaction. True when the
        server had closed the connection (a 421) before the data went."""
        if client.sock is not None:
            try:
                client.rset()
                return False
            except OSError:  # gone meanwhile: the next message connects again
                pass
        self.close()
        return not client.in_data

    def _where(self, error: OSError) -> str:
        settings = self.settings
        return f"{settings.host}:{settings.port}: {_describe(error, settings.timeout)}"


class _Client(smtplib.SMTP):
    """smtplib's client, keeping the server's reply to DATA (often its queue identifier) and
    whether the current message reached DATA (past which it must not be sent again)."""

    last_reply = ""
    in_data = False

    def data(self, msg: Buffer | str) -> tuple[int, bytes]:
        self.in_data = True
        code, text = super().data(msg)
        self.last_reply = _reply(code, text)
        return code, text


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _describe(error: OSError, timeout: float) -> str:
    if _timed_out(error):
        return f"timed out after {timeout:g} s"
    return str(error) or type(error).__name__


def _timed_out(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, TimeoutError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _clean(detail: str, settings: SmtpSettings) -> str:
    """One line, bounded, and never the password (a server may echo anything back)."""
    if settings.password:
        detail = detail.replace(settings.password, "***")
    return " ".join(detail.split())[:_MAX_DETAIL]


def _goodbye(client: smtplib.SMTP) -> None:
    # The outcome is known by now: a QUIT that fails changes nothing, so its error is dropped.
    with contextlib.suppress(OSError):
        if client.sock is not None:
            client.quit()
    client.close()


__all__ = [
    "DEFAULT_URL",
    "Delivery",
    "DomainLimiter",
    "Mailer",
    "Outcome",
    "SmtpSettings",
    "backoff",
    "deliver",
]
