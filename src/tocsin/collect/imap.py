"""``kind = "imap"``: a mailbox read over IMAP with TLS, in one of two modes.

- **Feeds by mail** (``feed`` names a parser): a mail whose sender matches ``senders`` carries
  feed files; each attachment whose name matches ``files`` is an object for that parser.
- **The report address** (``feed = "reports"``): each mail is one object, the whole message,
  which the desk turns into an incident or adds to one (``services/mail_reports.py``).

Once the desk has taken a mail in (every object of it, in feed mode) it moves to ``processed``
(``Tocsin/Processed``); a mail that failed moves to ``failed`` (``Tocsin/Failed``), with a note
of Tocsin's own beside it saying why. A mail no feed rule matches, or larger than ``max_bytes``,
fails at once. Nothing is deleted: a mail is only ever moved (``tocsin.collect.mailbox``).
The password is read from the variable ``password_env`` names, when logging in.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid

from tocsin.collect.archive import safe_name
from tocsin.collect.base import Batch, Fetched, Spec, register
from tocsin.collect.config import only, option, secret
from tocsin.collect.mailbox import Mailbox, Server
from tocsin.formats.mail import read
from tocsin.model.clock import Now
from tocsin.model.collector import CollectorState

REPORTS = "reports"  # the ``feed`` of a report address
KEYS = {
    "host",
    "port",
    "user",
    "user_env",
    "password_env",
    "ca_file",
    "folder",
    "processed",
    "failed",
    "senders",
    "files",
    "max_file_bytes",
    "per_run",
}
PER_RUN = 100  # mails read in one run: a flood is taken in over several runs, never all in memory


@dataclass(slots=True)
class _Mail:
    """A mail whose objects the desk is taking in: how many are left, and what failed."""

    left: int
    errors: list[str] = field(default_factory=list)


class ImapCollector:
    def __init__(self, spec: Spec) -> None:
        only(spec, KEYS)
        self.spec = spec
        if "user" in spec.options and "user_env" in spec.options:
            raise spec.fail("user_env", "give user or user_env, not both")
        self.user_env: str | None = spec.options.get("user_env")
        user = option(spec, "user", "") if self.user_env is None else ""
        self.server = Server(
            option(spec, "host"),
            option(spec, "port", 993, int),
            user,
            spec.options.get("ca_file"),
            float(spec.max_seconds),
        )
        self.password_env: str = option(spec, "password_env")
        self.folder: str = option(spec, "folder", "INBOX")
        self.processed: str = option(spec, "processed", "Tocsin/Processed")
        self.failed: str = option(spec, "failed", "Tocsin/Failed")
        self.reports = spec.feed == REPORTS
        self.senders = [p.lower() for p in _patterns(spec, "senders", [])]
        self.files = _patterns(spec, "files", ["*"])
        for key, default in (("max_file_bytes", 1), ("per_run", PER_RUN)):
            if option(spec, key, default, int) < 1:
                raise spec.fail(key, "a whole number of at least 1, please")
        self.per_run: int = option(spec, "per_run", PER_RUN, int)
        if self.reports and self.senders:
            raise spec.fail("senders", "a report address takes every sender's mail")
        if not self.reports and not self.senders:
            raise spec.fail("senders", "which senders' mail carries the feed (e.g. *@example.org)")
        self.mails: dict[str, _Mail] = {}
        self.clock: Now | None = None

    # -- the contract ----------------------------------------------------------------------------

    def fetch(self, state: CollectorState, clock: Now) -> Batch:
        self.clock = clock
        self.mails = {}
        objects: list[Fetched] = []
        with self._open() as box:
            for uid, size in box.sizes()[: self.per_run]:
                where = {"uid": str(uid), "uidvalidity": str(box.uidvalidity)}
                if size > self.spec.max_bytes:
                    self._done(box, uid, f"{size} bytes, over the limit of {self.spec.max_bytes}")
                    continue
                raw = box.read(uid)
                if self.reports:
                    objects.append(Fetched(f"mail-{box.uidvalidity}-{uid}.eml", raw, where))
                    self.mails[where["uid"]] = _Mail(1)
                    continue
                found, refused = self._feed_files(raw, where)
                if refused:
                    self._done(box, uid, refused)
                    continue
                objects.extend(found)
                self.mails[where["uid"]] = _Mail(len(found))
        return Batch(objects)

    def settle(self, fetched: Fetched, error: str | None) -> None:
        """When the last object of a mail is settled, move the mail: to ``processed``, or to
        ``failed`` with the reasons when any of its objects failed. A session of its own: a
        run that stops between two objects leaves no connection open."""
        mail = self.mails.get(fetched.metadata["uid"])
        if mail is None:
            return
        mail.left -= 1
        if error is not None:
            mail.errors.append(f"{fetched.name}: {error}" if not self.reports else error)
        if mail.left > 0:
            return
        del self.mails[fetched.metadata["uid"]]
        with self._open() as box:
            if str(box.uidvalidity) == fetched.metadata["uidvalidity"]:  # else: found next run
                self._done(box, int(fetched.metadata["uid"]), "; ".join(mail.errors) or None)

    # -- the parts -------------------------------------------------------------------------------

    def _feed_files(self, raw: bytes, where: dict[str, str]) -> tuple[list[Fetched], str]:
        letter = read(raw)
        if not any(fnmatch.fnmatchcase(letter.sender, p) for p in self.senders):
            return [], f"the sender {letter.sender or '(none readable)'!r} matches no sender"
        found = [
            Fetched(safe_name(a.filename), a.content, {**where, "message_id": letter.message_id})
            for a in letter.attachments
            if any(fnmatch.fnmatchcase(a.filename, p) for p in self.files)
        ]
        if not found:
            names = ", ".join(repr(a.filename) for a in letter.attachments) or "none"
            return [], f"no attachment is named like {self.files} (attachments: {names})"
        return found, ""

    def _done(self, box: Mailbox, uid: int, error: str | None) -> None:
        if error is None:
            box.move(uid, self.processed)
            return
        box.add(self.failed, self._note(box, uid, error))
        box.move(uid, self.failed)

    def _note(self, box: Mailbox, uid: int, error: str) -> bytes:
        """A short mail of Tocsin's own, put beside the failed one, saying why."""
        at = datetime.fromtimestamp(self.clock() if self.clock else 0, UTC)
        text = (
            f"Tocsin's collector {self.spec.name} could not take in message {uid} of "
            f"{self.folder} and moved it to {self.failed}:\r\n\r\n{error}\r\n"
        )
        head = (
            "From: Tocsin <tocsin@localhost>\r\n"
            f"Subject: Tocsin: why message {uid} failed\r\n"
            f"Date: {format_datetime(at)}\r\n"
            f"Message-ID: {make_msgid('tocsin-failed', domain='localhost')}\r\n"
            f"X-Tocsin-Failed: {box.uidvalidity}-{uid}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        )
        return (head + text).encode("utf-8")

    def _open(self) -> Mailbox:
        server = self.server
        if self.user_env is not None:
            user = secret(self.spec, "user_env", self.user_env)
            server = Server(server.host, server.port, user, server.ca_file, server.timeout)
        if not server.user:
            raise self.spec.fail("user", "missing (or user_env)")
        password = secret(self.spec, "password_env", self.password_env)
        return Mailbox(server, password, self.folder)


def _patterns(spec: Spec, key: str, default: list[str]) -> list[str]:
    value = spec.options.get(key, default)
    if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
        raise spec.fail(key, 'a list of patterns, please (e.g. ["*.csv"])')
    return value


register("imap", ImapCollector)

__all__ = ["REPORTS", "ImapCollector"]
