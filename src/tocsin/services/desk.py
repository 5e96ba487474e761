"""The composition root: one ``Desk`` built from the settings, a store and a clock.

The web app and the command line receive a Desk and nothing else; every service they call is an
attribute of it, built here once, so no adapter wires services of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.registry import CollectorRegistry

from tocsin.assist.directory import Contacts
from tocsin.assist.duty import ClockWatch
from tocsin.assist.exchange import Exchange
from tocsin.assist.exchange_wire import https_post
from tocsin.assist.figures import AssistFigures
from tocsin.assist.prints import Printed, Prints
from tocsin.assist.requests import Assistance
from tocsin.auth.audit_keys import AuditKeys
from tocsin.auth.envelopes import KeyFile
from tocsin.auth.keys import stored_secret_key
from tocsin.cases import handover
from tocsin.cases.audit import AuditLog
from tocsin.cases.checkpoints import CheckpointFile
from tocsin.cases.dossier import Dossier
from tocsin.cases.dossier import load as load_dossier
from tocsin.cases.evidence import Evidence
from tocsin.cases.evidence_files import EvidenceFiles
from tocsin.cases.handover import Change
from tocsin.cases.incidents import Incidents, QueueRow
from tocsin.cases.playbooks import Playbook
from tocsin.cases.playbooks import load as load_playbooks
from tocsin.cases.related import Related
from tocsin.cases.related import related as related_items
from tocsin.cases.reports import Reports
from tocsin.cvd.cases import Cvd
from tocsin.errors import TocsinError
from tocsin.model.clock import Now, wall_clock
from tocsin.model.collector import CollectorRun
from tocsin.model.people import Principal
from tocsin.model.sla import SlaPolicy
from tocsin.notify.notifier import Notifier
from tocsin.services import assist_views
from tocsin.services.accounts import Accounts
from tocsin.services.aggregate import Decided, decide
from tocsin.services.collectors import Collectors, CollectorStatus
from tocsin.services.credentials import Credentials
from tocsin.services.dashboard import Dashboard
from tocsin.services.demo import Loaded, load_all
from tocsin.services.duty import Duty
from tocsin.services.events import Events
from tocsin.services.feed_health import FeedHealth
from tocsin.services.intake import Intake
from tocsin.services.mail_reports import MailReports
from tocsin.services.notices import announce_advisory, notifier
from tocsin.services.prometheus import registry
from tocsin.services.publish import Publisher
from tocsin.services.pull import Pulled, pull_sources, receive
from tocsin.services.registry import Registry
from tocsin.services.report import ParliamentReport
from tocsin.services.retention import Retention
from tocsin.services.search import Search
from tocsin.services.views import Views
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing
from tocsin.stats.releases import Oversight
from tocsin.store import Store, open_store

log = logging.getLogger("tocsin.audit")


def audit_keys(settings: Settings) -> AuditKeys:
    """The audit log's keys, from the files the settings name (each made on first use)."""
    return AuditKeys(settings.audit_key_path, settings.audit_signing_key_path)


def with_secret_key(settings: Settings) -> Settings:
    """The settings with the key they sign with: ``TOCSIN_SECRET_KEY`` when set, else the one
    kept in ``secret_key_file`` (made on first start), so sessions survive a restart and notices
    work out of the box."""
    if settings.secret_key:
        return settings
    return settings.but(secret_key=stored_secret_key(settings.secret_key_path))


@dataclass(frozen=True, slots=True)
class Desk:
    """Every service of one Tocsin, on one store and one clock."""

    settings: Settings
    store: Store
    clock: Now
    incidents: Incidents
    accounts: Accounts
    credentials: Credentials  # a named person's proof, for the command line
    audit: AuditLog
    evidence: Evidence
    reports: Reports
    sharing: Sharing
    cvd: Cvd
    assist: Assistance
    contacts: Contacts
    exchange: Exchange  # Tocsin to Tocsin: the outbox, its delivery run, the inbox
    assist_figures: AssistFigures  # the yearly figures of requests (Regulation 2023/1543 Art. 28)
    prints: Prints  # requests for assistance printed in the T-CY layout
    notices: Notifier | None  # links are signed: none when built on settings without a key
    intake: Intake
    events: Events
    publisher: Publisher
    feed_health: FeedHealth  # each source's health, and the silent-feed alarm
    dashboard: Dashboard  # the console's figures, counted for one viewer
    metrics: CollectorRegistry  # what /metrics shows, read from the store at each scrape
    duty: Duty  # the requests' clocks (the register's countdown) and the emergency alarms
    views: Views  # each person's saved views of the queue
    registry: Registry  # the constituency registry, as people change it
    search: Search  # the console's one search box
    playbooks: dict[str, Playbook]  # the tasks a kind of incident usually needs
    oversight: Oversight  # statistics releases for parliament, with disclosure control
    report: ParliamentReport  # the yearly report for parliament (HTML, PDF; English, French)

    @classmethod
    def build(
        cls,
        settings: Settings,
        store: Store,
        *,
        clock: Now = wall_clock,
        keys: AuditKeys | None = None,
    ) -> Desk:
        """The desk on ``store``; ``keys`` are the audit log's (by default, the files the
        settings name), the same the store was opened with."""
        keys = keys or audit_keys(settings)
        sla = SlaPolicy.parse(settings.sla)
        incidents = Incidents(store, now=clock, sla=sla)
        accounts = Accounts(store, now=clock)
        files = EvidenceFiles(Path(settings.data_dir) / "evidence")
        sharing = Sharing(store, now=clock)
        assist = Assistance(store, now=clock)
        cvd = Cvd(store, now=clock)
        exchange_key = KeyFile(Path(settings.data_dir) / "exchange.key")  # made on first use
        duty = Duty(store, incidents, ClockWatch(store, now=clock), clock)
        assist.listeners.append(duty.changed)  # an emergency alerts the duty officer at once
        feed_health = FeedHealth(settings, store, incidents, clock)
        oversight = Oversight(
            store, now=clock, budget=settings.stats_budget, regions=settings.regions
        )
        assist_figures = AssistFigures(store)
        return cls(
            settings=settings,
            store=store,
            clock=clock,
            incidents=incidents,
            accounts=accounts,
            credentials=Credentials(store, accounts, now=clock),
            audit=AuditLog(
                store,
                keys,
                CheckpointFile(settings.audit_checkpoints_path),
                now=clock,
                every=settings.audit_checkpoint_every,
                every_entries=settings.audit_checkpoint_entries,
            ),
            evidence=Evidence(store, incidents, files),
            reports=Reports(
                store, incidents, files, accounts.ensure_team, submit_limit=settings.report_limit
            ),
            sharing=sharing,
            cvd=cvd,
            assist=assist,
            contacts=Contacts(store, now=clock),
            exchange=Exchange(
                assist,
                exchange_key,
                team=accounts.ensure_team,
                post=https_post(settings.exchange_ca),
            ),
            assist_figures=assist_figures,
            prints=Prints(store, now=clock),
            notices=notifier(settings, store, clock) if settings.secret_key else None,
            intake=Intake(settings, store, clock),
            events=Events(store),
            publisher=Publisher(sharing, incidents, settings.notify_team),
            feed_health=feed_health,
            dashboard=Dashboard(store, sla, feed_health, clock),
            metrics=registry(store, clock),
            duty=duty,
            views=Views(store, now=clock),
            registry=Registry(store, now=clock),
            search=Search(store, incidents, cvd, assist),
            playbooks=load_playbooks(settings.playbooks or None),
            oversight=oversight,
            report=ParliamentReport(store, oversight, sla, assist_figures, clock),
        )

    @classmethod
    def open(cls, settings: Settings, *, clock: Now = wall_clock) -> Desk:
        """The desk on the configured store (migrated), sealing the audit log with the key the
        settings name, and signing with the configured or the kept secret key; ``close`` it when
        done (which checkpoints the log if it grew)."""
        settings = with_secret_key(settings)
        keys = audit_keys(settings)
        store = open_store(settings.database_url, audit_key=keys.mac)  # read when first needed
        desk = cls.build(settings, store, clock=clock, keys=keys)
        desk.audit.note_head()
        return desk

    def notifier(self) -> Notifier:
        """The notice desk; a ``ConfigError`` saying why when the settings have no secret key."""
        return self.notices or notifier(self.settings, self.store, self.clock)

    def pull(self, name: str | None = None, *, every: bool = False) -> list[Pulled]:
        """Partners' TAXII collections into the pipeline: the source named, every source
        (``every``), or those due."""
        return pull_sources(self.settings, self.store, now=self.clock, name=name, every=every)

    def collect(self, name: str | None = None) -> list[CollectorRun]:
        """The collectors of ``TOCSIN_COLLECTORS`` at work: the one named (due or not), else
        every one that is due; each run fetched, archived, ingested and recorded."""
        mail = MailReports(self.store, self.incidents, self.reports.files, self.reports.team_id)
        return Collectors(self.settings, self.store, self.clock, mail=mail).collect(name)

    def collectors(self) -> list[CollectorStatus]:
        """Each configured collector with its state and its last run."""
        return Collectors(self.settings, self.store, self.clock).status()

    def source_runs(self, source: str | None = None, limit: int = 100) -> list[CollectorRun]:
        """Runs of every source, newest first (collectors by name, ``tocsin ingest`` as
        ``ingest:<feed>``): what feed health reads."""
        return self.store.collectors.runs(source, limit)

    # -- what the pages and the API show of the incidents -----------------------------------------

    def dossier(self, who: Principal, incident_id: int, *, full: bool = False) -> Dossier:
        """An incident and its parts, if this person may see it (``full``: with its linked
        events and evidence)."""
        return load_dossier(self.incidents, who, incident_id, full=full)

    def related(self, who: Principal, incident_id: int) -> Related:
        """Other incidents and events sharing an indicator with this incident."""
        return related_items(self.incidents, who, incident_id)

    def changes_since(self, who: Principal, at: int) -> list[Change]:
        """The hand-over: timeline lines since ``at`` of the incidents this person may see."""
        return handover.changes_since(self.incidents, who, at)

    def due_soon(self, who: Principal) -> list[QueueRow]:
        """The hand-over: open incidents whose nearest clock runs out within two hours."""
        return handover.due_soon(self.incidents, who)

    # -- what the pages and the API show of requests for assistance -----------------------------

    def request_view(self, who: Principal, ref: str) -> assist_views.RequestView:
        """A request with its history, clocks, counterpart, links and the moves ``who`` may make."""
        return assist_views.request_view(
            self.assist, self.contacts, self.duty, self.exchange, who, ref
        )

    def may_change_requests(self, who: Principal) -> bool:
        """Whether ``who`` may change requests for assistance and the directory (for the forms)."""
        return assist_views.may_write(who)

    def print_request(
        self, who: Principal, ref: str, *, kind: str = "pdf", language: str = ""
    ) -> Printed:
        """A request printed in the T-CY layout, with the team's details as ours."""
        found = self.assist.find(who, ref)
        ours = assist_views.ours(self.settings)
        return self.prints.printed(who, found.id, ours=ours, kind=kind, language=language)

    def check_database(self) -> None:
        """Raises when the database does not answer (the health check)."""
        self.store.count_quarantine()

    # -- orchestration across packages ---------------------------------------------------------

    def retention(self) -> Retention:
        """What each kind's retention would purge now, and the purge (with the personal data of
        the requests for assistance past their own limit, through their ledger)."""
        return Retention(self.settings, self.store, self.clock, requests=self.assist.ledger)

    def decide(self) -> Decided:
        """The aggregation rules over the events stored since their last run (ingest runs them
        itself; the server catches up at start and on a schedule)."""
        return decide(self.settings, self.store, self.clock)

    def receive(self, who: Principal, key: str, objects: list[Any]) -> dict[str, Any]:
        """A TAXII envelope POSTed to a collection: stored there, and what a partner sent goes
        into the pipeline too. Returns the TAXII status resource."""
        return receive(self.sharing, self.settings, self.store, who, key, objects)

    def announce(self, who: Principal, ref: str) -> list[int]:
        """A published case's advisory to the constituents it concerns, as notices."""
        return announce_advisory(self.settings, self.store, self.clock, who, ref)

    def load_demo(self) -> Loaded:
        """The made-up demo data, loaded once (loading it again adds nothing)."""
        return load_all(self.settings, self.store, self.clock)

    def close(self) -> None:
        """Checkpoint the audit log if this desk wrote to it (a failure is logged, never hides
        the command's result), then close the store."""
        try:
            self.audit.checkpoint_if_written()
        except (TocsinError, OSError) as exc:
            log.error("no audit checkpoint written: %s", exc)
        finally:
            self.store.close()


__all__ = ["Desk", "with_secret_key"]
