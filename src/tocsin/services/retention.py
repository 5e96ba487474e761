"""Retention: what each kind of record has outlived, shown (``tocsin retention plan``) and
purged (``tocsin retention run``, and the scheduler's daily ``retention`` job).

How long each kind is kept comes from the settings (``TOCSIN_RETENTION_*``, in days; 0 keeps it
for ever); what each kind counts from, and what is never purged (anything an incident not yet
closed holds), is in ``model/retention.py``. Each kind's purge is one transaction with its audit
entry (``retention.purge``: kind, count, cut-off, days), so the log says what went and when, and
its chain still verifies. Files (raw objects, evidence) are deleted after the commit, so a purge
that fails leaves every file its rows still name.

Requests for assistance (kind ``requests``) each carry their own retention limit (their
safeguards' ``retention_until``, Second Protocol Art. 14): when one passed, the ledger's purge
removes the request's personal data with a tombstone (its ledger's ``purge`` entry and an
``assist.purge`` audit entry, per request), and the run adds the kind's ``retention.purge`` entry.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.collect.archive import Archive
from tocsin.model.clock import Now
from tocsin.model.people import Principal, Role
from tocsin.model.retention import DAY, KINDS, Expiring
from tocsin.settings import Settings
from tocsin.store.base import Store

log = logging.getLogger("tocsin.retention")
REQUESTS = "requests"  # requests for assistance past their own retention limit
EVERY_REQUEST = 100_000


class RequestPurge(Protocol):
    """The personal-data ledger's purge (``assist.ledger.Ledger``)."""

    def purge_expired(self, who: Principal, now: int | None = None) -> list[str]: ...


class Retention:
    def __init__(
        self, settings: Settings, store: Store, now: Now, requests: RequestPurge | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.now = now
        self.requests = requests

    def plan(self) -> list[Expiring]:
        """What a purge now would take, kind by kind (nothing for a kind kept for ever)."""
        moment = self.now()
        found = []
        for kind, days in self.settings.retention_days().items():
            cutoff = moment - days * DAY
            count, oldest = self.store.retention.expiring(kind, cutoff) if days else (0, None)
            found.append(Expiring(kind, days, cutoff, count, oldest))
        if self.requests is not None:
            found.append(self._expired_requests(moment))
        return found

    def _expired_requests(self, moment: int) -> Expiring:
        """The requests whose retention limit has passed (``days`` 0: each has its own)."""
        ids = self.store.assist.expired(moment, EVERY_REQUEST)
        limits = [
            int(found.safeguards.retention_until.timestamp())
            for found in (self.store.assist.request(i) for i in ids)
            if found is not None and found.safeguards.retention_until is not None
        ]
        return Expiring(REQUESTS, 0, moment, len(ids), min(limits, default=None))

    def _purge_requests(self, moment: int, actor: str) -> Expiring:
        """The ledger's purge, then the kind's audit entry (each request has its tombstone)."""
        assert self.requests is not None
        planned = self._expired_requests(moment)
        purged = self.requests.purge_expired(Principal(None, actor, Role.ADMIN, None), moment)
        if purged:
            with self.store.transaction() as tx:
                self.store.cases.append_audit(
                    tx,
                    at=moment,
                    actor=actor,
                    action="retention.purge",
                    object_type="retention",
                    object_id=REQUESTS,
                    details={"count": len(purged), "cutoff": moment, "requests": purged},
                )
            log.info("retention: personal data of %s requests purged", len(purged))
        return Expiring(REQUESTS, 0, moment, len(purged), planned.oldest if purged else None)

    def run(self, actor: str = "tocsin") -> list[Expiring]:
        """Purge what has expired, each kind in a transaction with its audit entry."""
        moment = self.now()
        done = []
        for kind in KINDS:
            days = self.settings.retention_days()[kind]
            cutoff = moment - days * DAY
            if not days:
                done.append(Expiring(kind, days, cutoff, 0, None))
                continue
            _, oldest = self.store.retention.expiring(kind, cutoff)
            with self.store.transaction() as tx:
                count, files = self.store.retention.purge(tx, kind, cutoff)
                if count:
                    self.store.cases.append_audit(
                        tx,
                        at=moment,
                        actor=actor,
                        action="retention.purge",
                        object_type="retention",
                        object_id=kind,
                        details={"count": count, "cutoff": cutoff, "days": days},
                    )
            self._remove(kind, files)
            if count:
                log.info("retention: %s %s older than %s days purged", count, kind, days)
            done.append(Expiring(kind, days, cutoff, count, oldest if count else None))
        if self.requests is not None:
            done.append(self._purge_requests(moment, actor))
        return done

    def _remove(self, kind: str, files: list[str]) -> None:
        data = Path(self.settings.data_dir)
        remove = (
            Archive(data / "raw") if kind == "raw" else EvidenceFiles(data / "evidence")
        ).remove
        for sha256 in files:
            try:
                remove(sha256)
            except OSError as exc:  # its row is gone; the file is logged, never blocks the purge
                log.error("retention: %s file %s not deleted: %s", kind, sha256, exc)


__all__ = ["REQUESTS", "RequestPurge", "Retention"]
