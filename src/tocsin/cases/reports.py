"""Reports from the public become incidents on the desk: one transaction makes the incident (with
the type and priority the answers call for), the report, the reporter's contact kept apart, the
evidence and its custody, and the audit entries. The reporter follows it with a reference and a
private code, and adds to it with both; who may read the contact details, and every reading of
them, is decided here.

Past 400 lines on purpose: receiving a report, its follow-up and an addition check the same
reference and code against the same limiter and store files through the same evidence path, so
they stay one service; the answers' rules live in ``model/report.py``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from tocsin.auth.ratelimit import RateLimiter
from tocsin.cases.evidence_files import (
    EvidenceFiles,
    EvidenceTooLarge,
    StoredFile,
    safe_download_name,
)
from tocsin.cases.incidents import Incidents
from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound, TooManyAttempts
from tocsin.model import access
from tocsin.model.incident import Incident, Status
from tocsin.model.limits import bounded
from tocsin.model.people import Principal, Role
from tocsin.model.report import (
    HARMED,
    STAGE_OF,
    Answers,
    Report,
    ReportPath,
    Stage,
    Who,
    canonical_code,
    canonical_reference,
    classify,
    new_reference,
    new_status_code,
)
from tocsin.model.report_indicators import indicators_of
from tocsin.store.base import Store
from tocsin.store.shapes import Transaction

MAX_FILES = 5
DRAWS = 5  # tries at a free reference
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
ACCEPTED = frozenset(
    {"image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain", "message/rfc822"}
)
REPORT_TLP = "AMBER+STRICT"  # the team only: a victim's account goes no further by itself
PORTAL = Principal(None, "report-portal", Role.ADMIN, None)  # Tocsin receiving, not a person
CONTACT_READERS = frozenset({Role.LEAD})  # and the incident's assignee, whatever their role
TITLES = {
    "phishing": "a link clicked or a password given",
    "money": "money taken",
    "ransom": "files locked, ransom asked",
    "intimate": "threat to publish intimate images",
    "harassment": "harassment or stalking online",
    "account": "account taken over",
    "device": "device acting strangely",
    "service": "organisation's website or service down or defaced",
    "vulnerability": "vulnerability found",
    "other": "something else",
}
_DUMMY_HASH = hashlib.sha256(b"no such report").hexdigest()


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str  # the reporter's name for it, made safe; the type comes from the bytes
    stream: BinaryIO


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the reporter takes away; the code is shown once and only its hash is kept."""

    reference: str
    code: str
    created: int
    incident_id: int
    files: tuple[tuple[str, str, int], ...]  # (name, sha256, size)


@dataclass(frozen=True, slots=True)
class Addition:
    """What a reporter added to their report: whether a text, which files, and the report's
    status as a look-up gives it."""

    progress: Progress
    text: bool
    files: tuple[tuple[str, str, int], ...]


ADDITION_KEPT = 90 * 86_400  # seconds a used addition form is remembered (a reload is refused)


@dataclass(frozen=True, slots=True)
class Progress:
    """A report's status as its reporter may see it: no name, note or comment of the desk."""

    report: Report
    stage: Stage
    updated: int
    history: tuple[tuple[int, Stage], ...]


class FileRefused(InvalidValue):
    """An upload the portal does not take: too many, too large, or of a refused type."""


class AlreadySent(Forbidden):
    """The start stamp this report carries has already sent one: a stamp sends one report."""


@dataclass(frozen=True, slots=True)
class StartStamp:
    """The portal's signed time of a report's first page. It proves a person spent the minimum
    time on one report, so it sends one report: used, it is kept until ``expires`` (after which
    the portal refuses it anyway) and refused again."""

    token: str
    expires: int

    @property
    def digest(self) -> str:
        return _hash(self.token)


class Reports:
    def __init__(
        self,
        store: Store,
        incidents: Incidents,
        files: EvidenceFiles,
        team_id: Callable[[], int],
        *,
        submit_limit: int = 10,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.incidents = incidents
        self.cases = store.cases
        self.reports = store.reports
        self.files = files
        self.team_id = team_id
        self.monotonic = monotonic
        self.submissions = RateLimiter(submit_limit, 3600)  # per address, per hour
        self.lookups = RateLimiter(20, 600)  # status look-ups per address, per 10 minutes

    # -- receiving -------------------------------------------------------------------------------

    def check_files(self, uploads: Sequence[Upload]) -> list[tuple[Upload, str, int, str]]:
        """Each upload with its sniffed type, size and digest; FileRefused for the first that
        cannot be taken. Nothing is stored yet."""
        if len(uploads) > MAX_FILES:
            raise FileRefused("files", len(uploads), "too_many")
        checked, total = [], 0
        for upload in uploads:
            try:
                seen = self.files.inspect(upload.stream, max_bytes=MAX_FILE_BYTES)
            except EvidenceTooLarge:
                raise FileRefused("files", upload.filename, "too_large") from None
            upload.stream.seek(0)
            if seen.size == 0:
                raise FileRefused("files", upload.filename, "empty")
            if seen.media_type not in ACCEPTED:
                raise FileRefused("files", upload.filename, "type")
            total += seen.size
            if total > MAX_TOTAL_BYTES:
                raise FileRefused("files", upload.filename, "too_large")
            checked.append((upload, seen.media_type, seen.size, seen.sha256))
        return checked

    def allow_submission(self, client: str) -> None:
        """TooManyAttempts when this address has sent too many reports within the hour."""
        now = self.monotonic()
        if not self.submissions.hit(f"addr:{client}", now):
            raise TooManyAttempts(self.submissions.retry_after(f"addr:{client}", now))

    def submit(
        self,
        path: ReportPath,
        answers: Answers,
        who: Who,
        lang: str,
        uploads: Sequence[Upload],
        *,
        client: str | None = None,
        stamp: StartStamp | None = None,
    ) -> Receipt:
        """The report, its incident and its evidence, in one transaction. A start stamp that has
        sent a report is refused (AlreadySent) first, then the files are checked, then the sending
        address's hourly limit (when ``client`` is given); the stamp is used in the transaction
        that keeps the report, so a report refused on the way leaves it unused."""
        if stamp is not None and self.reports.stamp_used(stamp.digest):
            raise AlreadySent("this report was already sent")
        checked = self.check_files(uploads)
        if client is not None:
            self.allow_submission(client)
        kind, priority = classify(path, answers, who)
        stored: list[tuple[Upload, StoredFile]] = []
        for upload, _media, _size, _digest in checked:
            stored.append((upload, self.files.put(upload.stream, max_bytes=MAX_FILE_BYTES)))
        for attempt in range(1, DRAWS + 1):  # 40 random bits: a repeat is rare, not impossible
            reference, code = new_reference(), new_status_code()
            try:
                return self._keep(
                    path, answers, who, lang, stored, reference, code, kind, priority, stamp
                )
            except Conflict:
                if attempt == DRAWS:
                    raise
        raise AssertionError("unreachable")

    def _keep(
        self,
        path: ReportPath,
        answers: Answers,
        who: Who,
        lang: str,
        stored: list[tuple[Upload, StoredFile]],
        reference: str,
        code: str,
        kind: str,
        priority: str,
        stamp: StartStamp | None,
    ) -> Receipt:
        now = self.incidents.now()
        values = {
            "title": f"Report from the public: {TITLES[path.key]}",
            "type": kind,
            "priority": priority,
            "tlp": REPORT_TLP,
        }
        team = self.team_id()  # made on first use in a transaction of its own: not inside this one
        # an organisation that names itself as the registry does is that constituent
        member = self.store.constituent_named(who.org_name) if who.org_name else None
        with self.store.transaction() as conn:
            if stamp is not None and not self.reports.use_stamp(
                conn, stamp.digest, stamp.expires, now
            ):
                raise AlreadySent("this report was already sent")
            incident = self.incidents.insert(
                conn,
                PORTAL,
                values,
                team,
                constituent=member.name if member else None,
                sector=who.sector or (member.sector if member else None),
                source=f"report:{reference}",
                details={"report": reference},
                indicators=indicators_of(answers),
            )
            self.reports.add(
                conn,
                {
                    "reference": reference,
                    "code_hash": _hash(code),
                    "path": path.key,
                    "lang": lang,
                    "created": now,
                    "incident_id": incident.id,
                    "answers": answers,
                    "reporter_kind": who.kind.value,
                    "anonymous": who.anonymous,
                    "sector": who.sector,
                    "flags": who.flags,
                    "files": len(stored),
                },
                who.contact,
            )
            for flag in who.flags:
                harmed = HARMED.get(flag, flag)
                title = f"Route to staff trained in victim support: the person harmed is {harmed}"
                self.cases.add_task(conn, incident.id, title, now, PORTAL.username)
            files = self._evidence(conn, incident.id, stored, now)
            self.incidents.record(
                conn,
                PORTAL,
                incident,
                "report.receive",
                "report",
                f"report {reference} received: {TITLES[path.key]}, {len(files)} file(s)",
                {"report": reference, "path": path.key, "files": len(files)},
            )
        return Receipt(reference, code, now, incident.id, tuple(files))

    def _evidence(
        self, conn: Transaction, incident_id: int, stored: list[tuple[Upload, StoredFile]], now: int
    ) -> list[tuple[str, str, int]]:
        """The reporter's files as the incident's evidence, each with its custody's first line."""
        files = []
        for upload, kept in stored:
            name = safe_download_name(upload.filename)
            evidence_id = self.cases.add_evidence(
                conn,
                incident_id=incident_id,
                sha256=kept.sha256,
                filename=name,
                size=kept.size,
                media_type=kept.media_type,
                uploaded_by="reporter",
                uploaded_at=now,
            )
            self.cases.add_custody(
                conn,
                evidence_id=evidence_id,
                at=now,
                actor="reporter",
                action="uploaded",
                sha256=kept.sha256,
            )
            files.append((name, kept.sha256, kept.size))
        return files

    # -- the reporter following it ---------------------------------------------------------------

    def add_to(
        self,
        reference: str,
        code: str,
        client: str,
        text: str,
        uploads: Sequence[Upload],
        once: str,
    ) -> Addition:
        """What the reporter adds to their report, with its reference and code (checked as a
        look-up is, and counted against the same limit): a text within the account's limit and
        files checked as the report's were. Both go to the incident the report opened (or the one
        it was merged into): the text on its timeline, the files as its evidence, in one
        transaction with the audit entry. ``once`` is the token of the form the addition came
        from: a form sends one addition (AlreadySent for the same form again, as a reload
        would)."""
        progress = self.progress(reference, code, client)
        said = bounded("report.account", text)
        if not said and not uploads:
            raise InvalidValue("addition", "", "empty")
        stamp = _hash("addition:" + once)
        if not once or self.reports.stamp_used(stamp):
            raise AlreadySent("this addition was already sent")
        checked = self.check_files(uploads)
        stored = [(u, self.files.put(u.stream, max_bytes=MAX_FILE_BYTES)) for u, *_ in checked]
        now = self.incidents.now()
        report = progress.report
        with self.store.transaction() as conn:
            if not self.reports.use_stamp(conn, stamp, now + ADDITION_KEPT, now):
                raise AlreadySent("this addition was already sent")
            incident = self._followed(report.incident_id)
            files = self._evidence(conn, incident.id, stored, now)
            text_line = f"the reporter added to report {report.reference}"
            if said:
                text_line += f": {said}"
            if files:
                text_line += f" ({len(files)} file(s))"
            self.incidents.record(
                conn,
                PORTAL,
                incident,
                "report.addition",
                "report",
                text_line,
                {"report": report.reference, "files": len(files), "text": bool(said)},
            )
        return Addition(progress, bool(said), tuple(files))

    def progress(self, reference: str, code: str, client: str) -> Progress:
        """The report's status for whoever holds its reference and code. The same NotFound for
        an unknown reference and a wrong code, in the same time; too many tries are refused."""
        now = self.monotonic()
        if not self.lookups.hit(f"addr:{client}", now):
            raise TooManyAttempts(self.lookups.retry_after(f"addr:{client}", now))
        found = self.reports.by_reference(canonical_reference(reference))
        stored = found[1] if found is not None else _DUMMY_HASH
        matches = hmac.compare_digest(stored, _hash(canonical_code(code)))
        if found is None or not matches or not canonical_code(code):
            raise NotFound("no report matches this reference and code")
        report = found[0]
        incident = self._followed(report.incident_id)
        history = [(report.created, Stage.RECEIVED)]
        for entry in self.cases.audit_for("incident", incident.reference, limit=100_000):
            if entry.action == "incident.transition":
                history.append((entry.at, STAGE_OF[Status(entry.details["to"])]))
        stage = STAGE_OF[incident.status]
        return Progress(report, stage, history[-1][0], tuple(history))

    def _followed(self, incident_id: int) -> Incident:
        """The incident, or the one it was merged into (the reporter sees where work goes on)."""
        incident = self.cases.incident(incident_id)
        seen = set()
        while incident is not None and incident.merged_into is not None:
            if incident.id in seen:
                break
            seen.add(incident.id)
            incident = self.cases.incident(incident.merged_into)
        if incident is None:
            raise NotFound("no report matches this reference and code")
        return incident

    # -- the desk reading it ---------------------------------------------------------------------

    def for_incident(self, who: Principal, incident_id: int) -> Report | None:
        """The report behind an incident, for whoever may see the incident."""
        access.visible(who, self.cases.incident(incident_id))
        return self.reports.for_incident(incident_id)

    def may_read_contact(self, who: Principal, incident: Incident) -> bool:
        if not access.can_see(who, incident):
            return False
        return who.role in CONTACT_READERS or (
            who.user_id is not None and incident.assignee_id == who.user_id
        )

    def contact(self, who: Principal, incident_id: int) -> dict[str, Any]:
        """The reporter's identity and contact details: for the incident's assignee and leads
        only, and each reading is written to the audit log."""
        incident = access.visible(who, self.cases.incident(incident_id))
        report = self.reports.for_incident(incident.id)
        if report is None:
            raise NotFound("this incident has no report from the public")
        if not self.may_read_contact(who, incident):
            raise Forbidden("only the assigned analyst and leads read a reporter's contact details")
        with self.store.transaction() as conn:
            self.cases.append_audit(
                conn,
                at=self.incidents.now(),
                actor=who.username,
                action="report.contact_read",
                object_type="report",
                object_id=report.reference,
                details={"incident": incident.reference},
            )
        return self.reports.reporter(report.id)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


__all__ = ["ACCEPTED", "MAX_FILES", "FileRefused", "Progress", "Receipt", "Reports", "Upload"]
