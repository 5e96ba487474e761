"""What a running Tocsin does on its own schedule: the SLA clocks, the notices to send and the
partners' collections to pull, each a task until ``stop`` is set."""

from __future__ import annotations

import asyncio

from tocsin.cases.watch import watch_sla
from tocsin.services.desk import Desk
from tocsin.services.notices import watch_notices
from tocsin.services.pull import load_sources, watch_pulls


def start_watches(desk: Desk, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """The SLA clocks, the notices to send and the partners' collections to pull, each on its
    schedule until ``stop`` is set."""
    settings = desk.settings
    watches = [asyncio.create_task(watch_sla(desk.incidents, stop))]
    if settings.notify_every and desk.notices is not None:
        watches.append(
            asyncio.create_task(watch_notices(desk.notices, stop, every=settings.notify_every))
        )
    if settings.share_sources:  # partners' collections pulled on their schedule
        sources = load_sources(settings.share_sources)  # read once; a broken file stops the start
        watches.append(
            asyncio.create_task(watch_pulls(settings, desk.store, sources, stop, now=desk.clock))
        )
    return watches


__all__ = ["start_watches"]
