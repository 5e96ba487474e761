"""Mail to the report address: where people and organisations write in (``feed = "reports"`` of
an ``imap`` collector, ``tocsin.collect.imap``).

A mail opens an incident for the team, or joins one: the incident whose reference
(``TOC-2026-000042``) stands in the subject, else the incident of the notice it answers (by its
In-Reply-To or References naming a notice's Message-ID, else the "(notice 42)" of the notice's
subject). Its text goes on the incident's timeline (an HTML body as its text only); the mail as
received and each of its attachments become evidence: stored by their SHA-256, typed by their
bytes, never run or shown inline (``cases/evidence_files.py``). Tocsin itself acts
(``Principal.system()``), and every change has its audit entry.

Each mail is remembered by its Message-ID (``mail_messages``) in the transaction that opens or
joins its incident: read again, after a crash before it was moved aside, it opens nothing twice.
A mail that cannot be taken in (an attachment over the limit, a Message-ID reused by another
mail) raises ``InputUnreadable`` saying why; the collector moves it to its failed folder, whole.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tocsin.cases.evidence_files import EvidenceFiles, safe_download_name
from tocsin.cases.incidents import Incidents
from tocsin.errors import InputUnreadable
from tocsin.formats.mail import Letter, read
from tocsin.model.clock import Now
from tocsin.model.incident import Incident
from tocsin.model.limits import limit_of
from tocsin.model.people import Principal
from tocsin.model.sla import SlaPolicy
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction

MAX_FILE_BYTES = 10 * 1024 * 1024  # one attachment, as on the portal
MAX_FILES = 20
MAIL_TLP = "AMBER+STRICT"  # the team only, as a report from the portal
_REFERENCE = re.compile(r"\bTOC-\d{4}-\d{6}\b")
_NOTICE = re.compile(r"\((?:notice|notification) (\d{1,18})\)")


@dataclass(frozen=True, slots=True)
class Taken:
    """What became of one mail: ``opened`` or ``joined`` its incident; ``again`` when it had
    been taken in before (nothing new was stored)."""

    outcome: str
    incident: str  # the incident's reference
    again: bool = False


class MailReports:
    def __init__(
        self,
        store: Store,
        incidents: Incidents,
        files: EvidenceFiles,
        team_id: Callable[[], int],
        *,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.store = store
        self.cases = store.cases
        self.incidents = incidents
        self.files = files
        self.team_id = team_id
        self.max_file_bytes = max_file_bytes

    @classmethod
    def on(cls, settings: Settings, store: Store, clock: Now) -> MailReports:
        """The report address's desk on a store, as ``Desk.build`` makes it."""
        incidents = Incidents(store, now=clock, sla=SlaPolicy.parse(settings.sla))
        files = EvidenceFiles(Path(settings.data_dir) / "evidence")
        return cls(store, incidents, files, Accounts(store, now=clock).ensure_team)

    def take(self, mailbox: str, raw: bytes, *, max_file_bytes: int | None = None) -> Taken:
        """Open or join the mail's incident (see the module); ``InputUnreadable`` saying why a
        mail is not taken in. ``max_file_bytes``: the largest attachment, if not the desk's."""
        digest = hashlib.sha256(raw).hexdigest()
        letter = read(raw)
        key = letter.message_id or f"sha256:{digest}"
        seen = self.cases.mail_message(mailbox, key)
        if seen is not None:
            if seen["sha256"] != digest:
                raise InputUnreadable(
                    f"the Message-ID {key[:200]} was taken in before from another mail (a "
                    "forged or altered header); this one is left for a person"
                )
            found = self.cases.incident(seen["incident_id"])
            return Taken(seen["outcome"], found.reference if found else "", again=True)
        limit = max_file_bytes or self.max_file_bytes
        self._check(letter, limit)
        whole = self.files.put(io.BytesIO(raw), max_bytes=len(raw))  # the mail as received
        stored = [(safe_download_name("mail.eml"), whole)]
        for attachment in letter.attachments:
            kept = self.files.put(io.BytesIO(attachment.content), max_bytes=limit)
            stored.append((safe_download_name(attachment.filename), kept))
        target, how = self._target(letter)
        system = Principal.system()
        with self.store.transaction() as tx:
            if target is None:
                incident = self.incidents.insert(
                    tx, system, _values(letter), self.team_id(), source=f"mail:{mailbox}"
                )
                outcome = "opened"
            else:
                incident, outcome = target, "joined"
            self.incidents.record(
                tx,
                system,
                incident,
                "mail.receive",
                "mail",
                _timeline(letter, how),
                {"mailbox": mailbox, "message_id": key[:500], "sha256": digest, "how": how},
            )
            for name, kept in stored:
                self._evidence(tx, incident, name, kept.sha256, kept.size, kept.media_type)
            self.cases.add_mail_message(
                tx,
                mailbox=mailbox,
                message_id=key,
                sha256=digest,
                received=self.incidents.now(),
                outcome=outcome,
                incident_id=incident.id,
                reason=how,
            )
        return Taken(outcome, incident.reference)

    def _check(self, letter: Letter, limit: int) -> None:
        if len(letter.attachments) > MAX_FILES:
            raise InputUnreadable(
                f"{len(letter.attachments)} attachments, more than the {MAX_FILES} taken"
            )
        for attachment in letter.attachments:
            if len(attachment.content) > limit:
                raise InputUnreadable(
                    f"the attachment {safe_download_name(attachment.filename)!r} is "
                    f"{len(attachment.content):,} bytes, over the limit of {limit:,} "
                    "(max_file_bytes)"
                )

    def _target(self, letter: Letter) -> tuple[Incident | None, str]:
        """The incident the mail joins and how it was found; (None, why) to open one."""
        for reference in _REFERENCE.findall(letter.subject):
            incident = self._followed(self.cases.incident_by_reference(reference))
            if incident is not None:
                return incident, f"the reference {reference} in the subject"
        for message_id in letter.answers:
            notice = self.store.notices.by_message_id(message_id)
            if notice is not None:
                return self._of_notice(notice["id"], "a reply to notice")
        for number in _NOTICE.findall(letter.subject):
            notice = self.store.notices.get(int(number))
            if notice is not None:
                return self._of_notice(notice["id"], "the notice named in the subject:")
        return None, "a new write-in"

    def _of_notice(self, notice_id: int, how: str) -> tuple[Incident | None, str]:
        for incident_id in self.cases.incidents_of_notice(notice_id):
            incident = self._followed(self.cases.incident(incident_id))
            if incident is not None:
                return incident, f"{how} {notice_id}"
        return None, f"{how} {notice_id}, whose events are in no incident"

    def _followed(self, incident: Incident | None) -> Incident | None:
        """The incident, or the one it was merged into (where work goes on)."""
        seen: set[int] = set()
        while incident is not None and incident.merged_into is not None:
            if incident.id in seen:
                return None
            seen.add(incident.id)
            incident = self.cases.incident(incident.merged_into)
        return incident

    def _evidence(
        self, tx: Transaction, incident: Incident, name: str, sha256: str, size: int, media: str
    ) -> None:
        now = self.incidents.now()
        evidence_id = self.cases.add_evidence(
            tx,
            incident_id=incident.id,
            sha256=sha256,
            filename=name,
            size=size,
            media_type=media,
            uploaded_by="mail",
            uploaded_at=now,
        )
        self.cases.add_custody(
            tx, evidence_id=evidence_id, at=now, actor="mail", action="uploaded", sha256=sha256
        )


def _values(letter: Letter) -> dict[str, str]:
    subject = " ".join(letter.subject.split())[:200] or "(no subject)"
    return {
        "title": f"Mail to the report address: {subject}",
        "type": "undetermined",
        "priority": "P3",
        "tlp": MAIL_TLP,
    }


def _timeline(letter: Letter, how: str) -> str:
    """The timeline's line: who wrote, the subject, how the incident was found, the text (cut
    to the timeline's limit, saying so: the whole mail is evidence)."""
    head = [
        f"mail from {letter.sender or '(no readable sender)'}: {letter.subject or '(no subject)'}",
        f"({how}; {len(letter.attachments)} attachment(s); the mail itself is evidence mail.eml)",
    ]
    if letter.problems:
        head.append("read with problems: " + "; ".join(letter.problems)[:1000])
    text = "\n".join(head) + "\n\n" + letter.text
    limit = limit_of("incident.note")
    if len(text) > limit:
        cut = "\n[… cut here; the whole text is in the evidence mail.eml]"
        text = text[: limit - len(cut)] + cut
    return text


__all__ = ["MAX_FILE_BYTES", "MailReports", "Taken"]
