"""Retention: what each kind of record has outlived, shown (``tocsin retention plan``) and
purged (``tocsin retention run``, and the scheduler's daily ``retention`` job).

How long each kind is kept comes from the settings (``TOCSIN_RETENTION_*``, in days; 0 keeps it
for ever); what each kind counts from, and what is never purged (anything an incident not yet
closed holds), is in ``model/retention.py``. Each kind's purge is one transaction with its audit
entry (``retention.purge``: kind, count, cut-off, days), so the log says what went and when, and
its chain still verifies. Files (raw objects, evidence) are deleted after the commit, so a purge
that fails leaves every file its rows still name.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.collect.archive import Archive
from tocsin.model.clock import Now
from tocsin.model.retention import DAY, KINDS, Expiring
from tocsin.settings import Settings
from tocsin.store.base import Store

log = logging.getLogger("tocsin.retention")


class Retention:
    def __init__(self, settings: Settings, store: Store, now: Now) -> None:
        self.settings = settings
        self.store = store
        self.now = now

    def plan(self) -> list[Expiring]:
        """What a purge now would take, kind by kind (nothing for a kind kept for ever)."""
        moment = self.now()
        found = []
        for kind, days in self.settings.retention_days().items():
            cutoff = moment - days * DAY
            count, oldest = self.store.retention.expiring(kind, cutoff) if days else (0, None)
            found.append(Expiring(kind, days, cutoff, count, oldest))
        return found

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


__all__ = ["Retention"]
