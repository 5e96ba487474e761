"""Mail and collectors files for the mailbox tests (the server: tests/imap.py)."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from tests.desk import FakeClock
from tests.imap import Account
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.services.desk import Desk
from tocsin.settings import Settings
from tocsin.store import Store

PASSWORD_VAR = "TOCSIN_TEST_IMAP_PASSWORD"


def mail(
    sender: str,
    subject: str,
    files: dict[str, bytes] | None = None,
    *,
    body: str = "Hello,\n\nsee attached.\n",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    subtype: str = "plain",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "desk@example.org"
    message["Subject"] = subject
    made = hashlib.sha256(f"{sender}\n{subject}\n{body}".encode()).hexdigest()[:20]
    message["Message-ID"] = message_id or f"<{made}@example.org>"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, subtype=subtype)
    for name, data in (files or {}).items():
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        main, sub = kind.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes(policy=SMTP)  # CRLF, as stored


def configure(
    settings: Settings,
    tmp_path: Path,
    account: Account,
    monkeypatch: pytest.MonkeyPatch,
    *,
    feed: str = "shadowserver",
    extra: str = 'senders = ["*@shadowserver.org"]\nfiles = ["*.csv"]\n',
) -> Settings:
    monkeypatch.setenv(PASSWORD_VAR, account.password)
    path = tmp_path / "collectors.toml"
    path.write_text(
        f'[[collector]]\nname = "mail"\nkind = "imap"\nfeed = "{feed}"\nevery = 60\n'
        f'host = "{account.host}"\nport = {account.port}\nuser = "{account.user}"\n'
        f'password_env = "{PASSWORD_VAR}"\nca_file = "{account.ca_file}"\n{extra}',
        encoding="utf-8",
    )
    return settings.but(collectors=str(path), workers=0)


def report_desk(
    settings: Settings,
    store: Store,
    tmp_path: Path,
    account: Account,
    monkeypatch: pytest.MonkeyPatch,
    extra: str = "",
) -> Desk:
    """A desk on a fixed clock whose collectors file names ``account`` as its report address."""
    configured = configure(settings, tmp_path, account, monkeypatch, feed="reports", extra=extra)
    return Desk.build(configured, store, clock=FakeClock())


def team_incident(desk: Desk, title: str, kind: str, event_ids: Sequence[int] = ()) -> Incident:
    """An incident of the desk's team, opened by Tocsin itself (as the aggregation rules do)."""
    return desk.incidents.create(
        Principal.system(),
        title=title,
        type=kind,
        priority="P3",
        org_id=desk.accounts.ensure_team(),
        event_ids=event_ids,
    )
