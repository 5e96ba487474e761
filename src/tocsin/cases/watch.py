"""The desk's watch: SLA breaches recorded as soon as they happen, while the server runs.

The queue shows a breach the moment a clock runs out (it computes clocks live); this loop writes
it to the incident's timeline and the audit log. ``tocsin sla check`` does the same once, for a
server that does not run continuously (cron).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tocsin.cases.incidents import Incidents

log = logging.getLogger("tocsin.watch")
EVERY_SECONDS = 60


async def watch_sla(
    incidents: Incidents, stop: asyncio.Event, every: float = EVERY_SECONDS
) -> None:
    """Check the clocks every ``every`` seconds until ``stop`` is set. A check in progress
    finishes first (so the store is never closed under it); a failed check is logged and the
    next one runs as usual."""
    while not stop.is_set():
        try:
            breached = await asyncio.to_thread(incidents.check_sla)
            if breached:
                log.info("SLA breached: %s", ", ".join(i.reference for i in breached))
        except Exception:  # the watch must outlive one bad check; the error is logged
            log.exception("SLA check failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
