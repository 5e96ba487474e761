"""The composition root: one ``Desk`` built from the settings, a store and a clock.

The web app and the command line receive a Desk and nothing else; every service they call is an
attribute of it, built here once, so no adapter wires services of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tocsin.cases.audit import AuditLog
from tocsin.cases.evidence import Evidence
from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.cases.incidents import Incidents
from tocsin.cases.reports import Reports
from tocsin.cvd.cases import Cvd
from tocsin.model.clock import Now, wall_clock
from tocsin.model.sla import SlaPolicy
from tocsin.notify.notifier import Notifier
from tocsin.services.accounts import Accounts
from tocsin.services.notices import notifier
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing
from tocsin.store import Store, open_store


@dataclass(frozen=True, slots=True)
class Desk:
    """Every service of one Tocsin, on one store and one clock."""

    settings: Settings
    store: Store
    clock: Now
    incidents: Incidents
    accounts: Accounts
    audit: AuditLog
    evidence: Evidence
    reports: Reports
    sharing: Sharing
    cvd: Cvd
    notices: Notifier | None  # acknowledgement links are signed: none without a secret key

    @classmethod
    def build(cls, settings: Settings, store: Store, *, clock: Now = wall_clock) -> Desk:
        incidents = Incidents(store, now=clock, sla=SlaPolicy.parse(settings.sla))
        accounts = Accounts(store, now=clock)
        files = EvidenceFiles(Path(settings.data_dir) / "evidence")
        return cls(
            settings=settings,
            store=store,
            clock=clock,
            incidents=incidents,
            accounts=accounts,
            audit=AuditLog(store),
            evidence=Evidence(incidents, files),
            reports=Reports(
                incidents, files, accounts.ensure_team, submit_limit=settings.report_limit
            ),
            sharing=Sharing(store, now=clock),
            cvd=Cvd(store, now=clock),
            notices=notifier(settings, store, clock) if settings.secret_key else None,
        )

    @classmethod
    def open(cls, settings: Settings, *, clock: Now = wall_clock) -> Desk:
        """The desk on the configured store (migrated); ``close`` it when done."""
        return cls.build(settings, open_store(settings.database_url), clock=clock)

    def close(self) -> None:
        self.store.close()


__all__ = ["Desk"]
