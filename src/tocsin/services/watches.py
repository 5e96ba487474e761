"""What a running Tocsin does on its own schedule, as the scheduler's table of jobs: the SLA
clocks, the notices to send, the partners' collections to pull, the collectors that are due, the
audit log's checkpoints, the aggregation rules' catch-up, the feeds' health, the clocks of the
requests for assistance and the retention purge.

Each job is a plain function that does its work once; ``services.scheduler`` runs it on its
interval, in a thread, under the store's lock, and records how it went.
"""

from __future__ import annotations

import logging
from functools import partial

from tocsin.assist.exchange import Delivery, Exchange
from tocsin.cases.audit import AuditLog
from tocsin.cases.incidents import Incidents
from tocsin.errors import TocsinError
from tocsin.model.collector import CollectorRun
from tocsin.model.retention import Expiring
from tocsin.notify.notifier import Notifier
from tocsin.services.aggregate import Decided
from tocsin.services.desk import Desk
from tocsin.services.duty import Duty, Watched
from tocsin.services.feed_health import FeedHealth
from tocsin.services.notices import Round, run_round
from tocsin.services.pull import WATCH_SECONDS, Pulls, load_sources
from tocsin.services.scheduler import Job, Scheduler

SLA_EVERY = 60  # seconds between two looks at the SLA clocks
COLLECT_EVERY = 30  # seconds between looks for collectors that are due (each has its `every`)
AGGREGATE_EVERY = 30  # seconds between catch-ups of the aggregation rules (one indexed read)
FEED_HEALTH_EVERY = 300  # seconds between two looks at the feeds' health
OUTBOX_EVERY = 30  # seconds between looks at the assistance outbox (each message has its own due)
ASSIST_CLOCKS_EVERY = 60  # seconds between two looks at the requests' clocks and emergencies
RETENTION_EVERY = 86_400  # the purge of what outlived its retention: daily
CHECKPOINT_EVERY = 5  # seconds between looks at the audit log's head (one indexed max())
log = logging.getLogger("tocsin.watch")
audit_log = logging.getLogger("tocsin.audit")


def desk_jobs(desk: Desk) -> list[Job]:
    """The jobs of this desk's settings. The sources file of the partners' pulls is read here,
    once: a broken file stops the start."""
    settings = desk.settings
    jobs = [
        Job("sla", SLA_EVERY, partial(check_sla, desk.incidents)),
        Job("audit-checkpoint", CHECKPOINT_EVERY, partial(write_checkpoint, desk.audit)),
        Job("aggregate", AGGREGATE_EVERY, partial(catch_up, desk)),
        Job("feed-health", FEED_HEALTH_EVERY, partial(check_feeds, desk.feed_health)),
        Job("assist-clocks", ASSIST_CLOCKS_EVERY, partial(check_clocks, desk.duty)),
        Job("retention", RETENTION_EVERY, partial(purge, desk)),
        Job("assist-outbox", OUTBOX_EVERY, partial(deliver_outbox, desk.exchange)),
    ]
    if settings.notify_every and desk.notices is not None:
        jobs.append(Job("notices", settings.notify_every, partial(send_notices, desk.notices)))
    if settings.collectors:  # checked now: a broken collectors file stops the start
        desk.collectors()
        jobs.append(Job("collect", COLLECT_EVERY, partial(run_due, desk)))
    if settings.share_sources:  # partners' collections pulled on their schedule
        sources = load_sources(settings.share_sources)
        jobs.append(Job("pulls", WATCH_SECONDS, Pulls(settings, desk.store, sources, desk.clock)))
    return jobs


def scheduler(desk: Desk) -> Scheduler:
    """The scheduler of this desk's jobs, on its store and clock."""
    return Scheduler(desk.store, desk_jobs(desk), clock=desk.clock)


def check_sla(incidents: Incidents) -> None:
    """Record the SLA breaches on the timelines (the queue shows them live already)."""
    breached = incidents.check_sla()
    if breached:
        log.info("SLA breached: %s", ", ".join(i.reference for i in breached))


def deliver_outbox(exchange: Exchange) -> Delivery:
    """One delivery run of the assistance outbox: every message due to a counterpart's Tocsin,
    one attempt each (a failed one waits longer before the next); expired nonces forgotten."""
    done = exchange.deliver()
    exchange.purge_nonces()
    if done.delivered or done.waiting:
        log.info("assist outbox: %s delivered, %s waiting", done.delivered, done.waiting)
    return done


def check_feeds(feeds: FeedHealth) -> None:
    """Raise the silent-feed alarms that are due, and clear those whose feed is back."""
    done = feeds.check()
    for source in done.raised:
        log.warning("feed health: alarm raised for %s", source)
    for source in done.cleared:
        log.info("feed health: %s is back to usual", source)


def check_clocks(duty: Duty) -> Watched:
    """The requests for assistance: raise the emergency alarms not raised yet (a request that
    reached the store another way), resolve those acknowledged, and announce each clock's
    warnings and breaches once."""
    done = duty.check()  # each alarm raised is logged as it is raised
    for line in done.announced:
        log.info("request clock: %s", line)
    return done


def send_notices(notices: Notifier) -> Round:
    """One run of the notice desk (``TOCSIN_NOTIFY_EVERY``): plan, remind, send."""
    done = run_round(notices)
    if done.planned or done.sent.outcomes:
        log.info("notices: %s", done.line())
    return done


def run_due(desk: Desk) -> list[CollectorRun]:
    """Run every collector that is due, once (each run is recorded, a failure too)."""
    return desk.collect()


def catch_up(desk: Desk) -> Decided:
    """The aggregation rules over the events no run has decided yet: those another process
    stored (a separate ``tocsin ingest``) or a crash left between storing and deciding. Ingest
    decides itself; this is the net under it, first run when the server starts."""
    decided = desk.decide()
    if decided.linked:
        log.info(
            "aggregation caught up: %s incidents opened, %s events linked",
            decided.opened,
            decided.linked,
        )
    return decided


def purge(desk: Desk) -> list[Expiring]:
    """The daily purge of what outlived its retention (``TOCSIN_RETENTION_*``)."""
    return desk.retention().run()


def write_checkpoint(audit: AuditLog) -> None:
    """Checkpoint the audit log when it is due (``AuditLog.checkpoint_due``); a refusal (a log
    cut short or rewritten) is logged each time, never covered, and fails the job."""
    try:
        audit.checkpoint_due()
    except (TocsinError, OSError) as exc:
        audit_log.error("no audit checkpoint written: %s", exc)
        raise


def last_checkpoint(audit: AuditLog) -> None:
    """The checkpoint of a server's shutdown: the log's head as it stops, when it grew."""
    try:
        audit.checkpoint()
    except (TocsinError, OSError) as exc:
        audit_log.error("no audit checkpoint written at shutdown: %s", exc)


__all__ = [
    "AGGREGATE_EVERY",
    "ASSIST_CLOCKS_EVERY",
    "CHECKPOINT_EVERY",
    "COLLECT_EVERY",
    "FEED_HEALTH_EVERY",
    "OUTBOX_EVERY",
    "RETENTION_EVERY",
    "SLA_EVERY",
    "catch_up",
    "check_clocks",
    "check_feeds",
    "check_sla",
    "deliver_outbox",
    "desk_jobs",
    "last_checkpoint",
    "purge",
    "run_due",
    "scheduler",
    "send_notices",
    "write_checkpoint",
]
