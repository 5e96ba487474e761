"""Reading and checking the audit log (``tocsin audit verify``), and anchoring it with signed
checkpoints outside the database (docs/audit.md).

A checkpoint is written only when the entries since the previous one follow on from its head and
verify under the audit key, so that a log cut short or rewritten while Tocsin was stopped is never
covered by a fresh checkpoint: ``verify`` keeps naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from tocsin.auth.audit_keys import AuditKeys
from tocsin.cases.checkpoints import CheckpointFile
from tocsin.errors import ConfigError, Conflict
from tocsin.model import access
from tocsin.model.audit import AuditEntry, AuditKey, Failure, Verdict, verify
from tocsin.model.checkpoint import Checkpoint, CheckpointError
from tocsin.model.clock import Now
from tocsin.model.people import Principal, Role
from tocsin.store.base import Store

AUDIT_READERS = (Role.ADMIN, Role.LEAD, Role.AUDITOR)


def entries(store: Store, page: int = 1000, *, after: int = 0) -> Iterator[AuditEntry]:
    """Every entry after ``after`` in sequence order, read page by page."""
    while True:
        batch = store.cases.audit(after=after, limit=page)
        if not batch:
            return
        yield from batch
        after = batch[-1].seq


@dataclass(frozen=True, slots=True)
class Report:
    """What ``verify`` found: the verdict, and the latest checkpoint it was checked against."""

    verdict: Verdict
    checkpoint: Checkpoint | None = None
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.verdict.ok

    def line(self) -> str:
        """The finding in one line: what holds, or what broke where."""
        v = self.verdict
        if not v.ok:
            where = f" at entry {v.first_bad}" if v.first_bad is not None else ""
            return f"audit log {v.failure}{where}: {v.reason}"
        if not v.checked:
            return "audit log intact: no entries yet"
        parts = [f"audit log intact up to entry {v.checked}"]
        if v.keyed_from is None:
            parts.append("none of it keyed yet")
        elif v.keyed_from > 1:
            parts.append(f"keyed from entry {v.keyed_from} (before it: plain SHA-256)")
        if self.checkpoint is not None:
            at = datetime.fromtimestamp(self.checkpoint.at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            covered = (
                f"covered by checkpoint {self.checkpoints} (entry {self.checkpoint.seq}, {at})"
            )
            after = v.checked - self.checkpoint.seq
            parts.append(covered + (f"; {after} entries after it not yet covered" if after else ""))
        parts.append(f"head {v.head}")
        return ", ".join(parts)


def verify_chain(store: Store, key: AuditKey) -> Verdict:
    """The chain alone, under ``key``: altered, removed, reordered or rewritten entries (a log cut
    short at its end needs the checkpoints: ``verify_log``)."""
    return verify(entries(store), key)


def verify_log(store: Store, keys: AuditKeys, checkpoints: CheckpointFile) -> Report:
    """The whole log checked under the audit key and against every signed checkpoint. Checking
    never makes a key: a missing one is reported (NO KEY), unless there is nothing to check."""
    try:
        found = checkpoints.read(keys.signer(create=False).public) if checkpoints.exists() else []
        key = keys.mac(create=False)
    except CheckpointError as exc:
        return Report(Verdict(False, 0, None, str(exc), Failure.CHECKPOINT))
    except ConfigError as exc:
        if not checkpoints.exists() and store.cases.last_audit_seq() == 0:
            return Report(Verdict(True, 0))
        return Report(Verdict(False, 0, None, str(exc), Failure.NO_KEY))
    latest = found[-1] if found else None
    if latest is not None and latest.mac_key != key.id:
        reason = f"the log was sealed with audit key {latest.mac_key}, this is key {key.id}"
        return Report(Verdict(False, 0, None, reason, Failure.NO_KEY), latest, len(found))
    verdict = verify(entries(store), key, checkpoints=found)
    if verdict.ok and verdict.checked and latest is None:
        reason = f"no checkpoint covers its {verdict.checked} entries"
        verdict = Verdict(False, verdict.checked, None, reason, Failure.UNANCHORED, verdict.head)
    return Report(verdict, latest, len(found))


def read(store: Store, who: Principal, *, after: int = 0, limit: int = 200) -> list[AuditEntry]:
    """Entries after ``after``, for those who may read the log."""
    access.require(who, *AUDIT_READERS)
    return store.cases.audit(after=after, limit=limit)


class AuditLog:
    """The audit log for the pages and the command line: every read checked against the reader's
    role; checkpoints written on the schedule of the settings."""

    def __init__(
        self,
        store: Store,
        keys: AuditKeys,
        checkpoints: CheckpointFile,
        *,
        now: Now,
        every: int = 300,
        every_entries: int = 100,
    ) -> None:
        self.store = store
        self.keys = keys
        self.checkpoints = checkpoints
        self.now = now
        self.every = every
        self.every_entries = every_entries
        self._head_at_open: int | None = None

    def last_seq(self, who: Principal) -> int:
        access.require(who, *AUDIT_READERS)
        return self.store.cases.last_audit_seq()

    def read(self, who: Principal, *, after: int = 0, limit: int = 200) -> list[AuditEntry]:
        return read(self.store, who, after=after, limit=limit)

    def verify(self, who: Principal) -> Report:
        access.require(who, *AUDIT_READERS)
        return verify_log(self.store, self.keys, self.checkpoints)

    # -- checkpoints -----------------------------------------------------------------------------

    def latest(self) -> Checkpoint | None:
        """The latest checkpoint, its signature checked (``Conflict`` when it does not hold)."""
        try:
            return self.checkpoints.last(self.keys.signer().public)
        except CheckpointError as exc:
            raise Conflict(f"audit checkpoints: {exc}") from None

    def checkpoint(self) -> Checkpoint | None:
        """A signed checkpoint of the log's head, appended to the file, when the log has grown
        since the latest; None when it has not. ``Conflict`` (and no checkpoint) when the log no
        longer reaches the latest checkpoint or its new entries do not verify."""
        with self.checkpoints.appending() as append:
            latest = self.latest()
            made = self._next(latest)
            if made is not None:
                append(made)
            return made

    def _next(self, latest: Checkpoint | None) -> Checkpoint | None:
        head = self.store.cases.last_audit_seq()
        if latest is not None and head < latest.seq:
            raise Conflict(
                f"audit log TRUNCATED: it ends at entry {head}, a checkpoint covers {latest.seq}"
            )
        since = latest.seq if latest else 0
        if head == since:
            return None
        key = self.keys.mac()
        if latest is not None and latest.mac_key != key.id:
            raise Conflict(f"audit key {key.id} is not the key the log was sealed with")
        verdict = verify(entries(self.store, after=since), key, after=latest)
        if not verdict.ok or verdict.head is None or not verdict.checked:
            raise Conflict(
                f"audit log {verdict.failure} at entry {verdict.first_bad} ({verdict.reason}): "
                "no checkpoint written"
            )
        signer = self.keys.signer()
        return Checkpoint(
            seq=since + verdict.checked,
            head=verdict.head,
            at=self.now(),
            keyed_from=verdict.keyed_from,
            key=signer.public.id,
            mac_key=key.id,
        ).signed(signer.sign)

    def note_head(self) -> None:
        """Remember where the log ends now, for ``checkpoint_if_written``."""
        self._head_at_open = self.store.cases.last_audit_seq()

    def checkpoint_if_written(self) -> Checkpoint | None:
        """A checkpoint when entries were added since ``note_head`` (a command that wrote to the
        log ends with one); None otherwise."""
        if self._head_at_open is None:
            return None
        if self.store.cases.last_audit_seq() <= self._head_at_open:
            return None
        return self.checkpoint()

    def checkpoint_due(self) -> Checkpoint | None:
        """A checkpoint when ``every_entries`` entries were added since the latest, or some were
        and ``every`` seconds have passed; None otherwise."""
        latest = self.latest()
        head = self.store.cases.last_audit_seq()
        since = latest.seq if latest else 0
        waited = self.now() - latest.at if latest else self.every
        if head - since >= self.every_entries or (head != since and waited >= self.every):
            return self.checkpoint()
        return None
