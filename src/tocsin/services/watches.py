"""What a running Tocsin does on its own schedule: the SLA clocks, the notices to send, the
partners' collections to pull, the collectors that are due and the audit log's checkpoints, each
a task until ``stop`` is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tocsin.cases.audit import AuditLog
from tocsin.cases.watch import watch_sla
from tocsin.errors import TocsinError
from tocsin.model.collector import CollectorRun
from tocsin.services.desk import Desk
from tocsin.services.notices import watch_notices
from tocsin.services.pull import load_sources, watch_pulls


def start_watches(desk: Desk, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """The SLA clocks, the notices to send and the partners' collections to pull, each on its
    schedule until ``stop`` is set."""
    settings = desk.settings
    watches = [
        asyncio.create_task(watch_sla(desk.incidents, stop)),
        asyncio.create_task(watch_checkpoints(desk.audit, stop)),
    ]
    if settings.notify_every and desk.notices is not None:
        watches.append(
            asyncio.create_task(watch_notices(desk.notices, stop, every=settings.notify_every))
        )
    if settings.collectors:  # checked now: a broken collectors file stops the start
        desk.collectors()
        watches.append(asyncio.create_task(watch_collectors(desk, stop)))
    if settings.share_sources:  # partners' collections pulled on their schedule
        sources = load_sources(settings.share_sources)  # read once; a broken file stops the start
        watches.append(
            asyncio.create_task(watch_pulls(settings, desk.store, sources, stop, now=desk.clock))
        )
    return watches


log = logging.getLogger("tocsin.audit")
COLLECT_POLL = 30.0  # seconds between looks for collectors that are due
CHECKPOINT_POLL = 5.0  # seconds between looks at the log's head (one indexed max())


async def watch_checkpoints(
    audit: AuditLog, stop: asyncio.Event, poll: float = CHECKPOINT_POLL
) -> None:
    """Checkpoint the audit log when it is due (``AuditLog.checkpoint_due``): at once, then
    every ``poll`` seconds until ``stop`` is set; a refusal (a log cut short or rewritten) is
    logged each time and never covered."""
    while True:
        try:
            await asyncio.to_thread(audit.checkpoint_due)
        except (TocsinError, OSError) as exc:
            log.error("no audit checkpoint written: %s", exc)
        if stop.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll)


def run_due(desk: Desk) -> list[CollectorRun]:
    """Run every collector that is due, once (each run is recorded, a failure too)."""
    return desk.collect()


async def watch_collectors(desk: Desk, stop: asyncio.Event, poll: float = COLLECT_POLL) -> None:
    """Run the collectors that are due: at once, then every ``poll`` seconds until ``stop`` is
    set; a run in progress finishes first. A failure of the desk itself is logged, never
    stops the server."""
    while True:
        try:
            await asyncio.to_thread(run_due, desk)
        except Exception as exc:  # the store or the collectors file failing: logged, tried again
            logging.getLogger("tocsin.collect").error("collectors not run: %s", exc)
        if stop.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll)


async def last_checkpoint(audit: AuditLog) -> None:
    """The checkpoint of a server's shutdown: the log's head as it stops, when it grew."""
    try:
        await asyncio.to_thread(audit.checkpoint)
    except (TocsinError, OSError) as exc:
        log.error("no audit checkpoint written at shutdown: %s", exc)


__all__ = [
    "last_checkpoint",
    "run_due",
    "start_watches",
    "watch_checkpoints",
    "watch_collectors",
]
