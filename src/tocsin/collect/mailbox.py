"""One IMAP mailbox over TLS: log in, list the mail of a folder, read one, move it aside.

The standard library's ``imaplib`` over TLS, with a verifying context (the system's authorities,
or ``ca_file``'s). What it changes at the server is only ever a move: ``UID MOVE`` (RFC 6851),
or where the server lacks it a copy, then the original flagged deleted and expunged by its UID
alone (``UID EXPUNGE``, RFC 4315) once the copy is confirmed; without UIDPLUS the original stays
flagged and is passed over. Nothing is deleted without its copy, and a folder to move to is made
when missing. Folder names are written with "/" in the configuration and turned into the
server's own separator (Maildir servers use ".").

Every error is ``InputUnreadable`` with one line naming the server, the user and what went
wrong, never the password (it is read from its variable only when logging in, and no message
of the server echoes it).
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tocsin.errors import InputUnreadable

_LIST = re.compile(rb'\((?P<flags>[^)]*)\) (?:"(?P<sep>[^"]*)"|NIL) ')
_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


@dataclass(frozen=True, slots=True)
class Server:
    """Where the mailbox is and who logs in (the password is handed in when logging in)."""

    host: str
    port: int
    user: str
    ca_file: str | None = None
    timeout: float = 60.0

    def where(self) -> str:
        return f"IMAP {self.user}@{self.host}:{self.port}"


class Mailbox:
    """A logged-in session on one folder; ``close`` it (or use it in ``with``)."""

    def __init__(self, server: Server, password: str, folder: str) -> None:
        self.server = server
        self.folder = folder
        self.client = _connect(server)
        try:
            _call(server, "log-in refused", self.client.login, server.user, password)
            self.separator = self._separator()
            typ, data = self.client.select(self.name(folder))
            if typ != "OK":
                raise InputUnreadable(f"{server.where()}: no folder {folder!r}: {_said(data)}")
            self.uidvalidity = self._uidvalidity()
            capabilities = _capabilities(self.client)  # asked again: they grow at log-in
            self.moves = b"MOVE" in capabilities
            self.uidplus = b"UIDPLUS" in capabilities
        except BaseException:
            self.client.shutdown()
            raise

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.client.logout()
        except (imaplib.IMAP4.error, OSError):
            self.client.shutdown()

    def name(self, folder: str) -> str:
        """The folder's name as the server writes it, quoted for a command."""
        if not folder.isascii():
            raise InputUnreadable(f"{self.server.where()}: folder names are ASCII: {folder!r}")
        native = folder.replace("/", self.separator) if self.separator else folder
        return '"' + native.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def sizes(self) -> list[tuple[int, int]]:
        """(UID, size in bytes) of every message of the folder not flagged deleted, in order."""
        uids = [int(u) for u in b" ".join(_bytes(self._uid("SEARCH", "UNDELETED"))).split()]
        if not uids:
            return []
        found: dict[int, int] = {}
        for line in self._uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE)"):
            text = line[0] if isinstance(line, tuple) else line
            if isinstance(text, bytes) and (match := _SIZE.search(text)):
                uid, size = (match[1], match[2]) if match[1] else (match[4], match[3])
                found[int(uid)] = int(size)
        return [(uid, found[uid]) for uid in uids if uid in found]

    def read(self, uid: int) -> bytes:
        """The message as stored, without marking it seen."""
        for part in self._uid("FETCH", str(uid), "(BODY.PEEK[])"):
            if isinstance(part, tuple) and isinstance(part[1], bytes):
                return part[1]
        raise InputUnreadable(f"{self.server.where()}: message {uid} could not be read")

    def move(self, uid: int, folder: str) -> None:
        """Move the message to ``folder`` (made when missing); a copy first where the server
        cannot move, and the original expunged only by its own UID once the copy is made."""
        target = self.name(folder)
        self.make(folder)
        if self.moves:
            self._uid("MOVE", str(uid), target)
            return
        self._uid("COPY", str(uid), target)
        self._uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
        if self.uidplus:
            self._uid("EXPUNGE", str(uid))

    def make(self, folder: str) -> None:
        """Create ``folder`` and its parents unless they exist."""
        parts = folder.split("/")
        for depth in range(1, len(parts) + 1):
            name = self.name("/".join(parts[:depth]))
            typ, data = self.client.list('""', name)
            if typ == "OK" and any(isinstance(d, bytes) for d in data):
                continue
            typ, data = self.client.create(name)
            if typ != "OK" and b"ALREADYEXISTS" not in b" ".join(_bytes(data)):
                raise InputUnreadable(
                    f"{self.server.where()}: cannot create folder {folder!r}: {_said(data)}"
                )
            self.client.subscribe(name)

    def add(self, folder: str, message: bytes) -> None:
        """Put a message of Tocsin's own (why a mail failed) into ``folder``."""
        self.make(folder)
        typ, data = self.client.append(self.name(folder), r"(\Seen)", None, message)
        if typ != "OK":
            raise InputUnreadable(f"{self.server.where()}: cannot add to {folder!r}: {_said(data)}")

    def _separator(self) -> str:
        typ, data = self.client.list('""', '""')
        for line in data if typ == "OK" else []:
            if isinstance(line, bytes) and (match := _LIST.match(line)):
                return (match["sep"] or b"").decode("ascii", "replace")
        return "/"

    def _uidvalidity(self) -> int:
        _, data = self.client.response("UIDVALIDITY")
        for line in data:
            if isinstance(line, bytes) and line.isdigit():
                return int(line)
            if isinstance(line, bytes) and (match := _UIDVALIDITY.search(line)):
                return int(match[1])
        return 0

    def _uid(self, command: str, *args: str) -> list[bytes | tuple[bytes, bytes]]:
        typ, data = _call(self.server, f"UID {command} failed", self.client.uid, command, *args)
        if typ != "OK":
            raise InputUnreadable(f"{self.server.where()}: UID {command} refused: {_said(data)}")
        return list(data)


def _connect(server: Server) -> imaplib.IMAP4_SSL:
    try:
        context = ssl.create_default_context(cafile=server.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise InputUnreadable(f"{server.where()}: cannot read ca_file: {exc}") from None
    try:
        return imaplib.IMAP4_SSL(
            server.host, server.port, ssl_context=context, timeout=server.timeout
        )
    except ssl.SSLCertVerificationError as exc:
        raise InputUnreadable(
            f"{server.where()}: the server's certificate is not trusted ({exc.verify_message})"
        ) from None
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        raise InputUnreadable(f"{server.where()}: cannot connect: {exc}") from None


def _call(server: Server, what: str, method: Callable[..., Any], *args: str) -> Any:
    try:
        return method(*args)
    except imaplib.IMAP4.error as exc:
        raise InputUnreadable(f"{server.where()}: {what}: {_said([str(exc)])}") from None
    except OSError as exc:  # TimeoutError included
        raise InputUnreadable(f"{server.where()}: {what}: {exc}") from None


def _capabilities(client: imaplib.IMAP4_SSL) -> set[bytes]:
    typ, data = client.capability()
    words = b" ".join(_bytes(data)).upper().split() if typ == "OK" else []
    return set(words)


def _bytes(data: Sequence[object]) -> list[bytes]:
    return [d if isinstance(d, bytes) else str(d).encode() for d in data if d is not None]


def _said(data: Sequence[object]) -> str:
    """The server's words, one line, printable only."""
    text = b" ".join(_bytes(data)).decode("utf-8", "replace")
    if text.startswith(("b'", 'b"')):
        text = text[2:-1]
    return "".join(c for c in text if c.isprintable())[:300]


__all__ = ["Mailbox", "Server"]
