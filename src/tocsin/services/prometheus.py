"""The desk's Prometheus metrics, read from the store at each scrape (``/metrics``).

A custom collector rather than counters kept in memory: the server, the worker and a second
server each answer from the same tables, so they agree, and a restart loses nothing. Each figure
is one indexed count (``Store.figures``). The events by feed are the one exception to reading
everything afresh: a scrape counts only the events stored since the previous scrape of this
process (a range of the primary key) and adds them to what it counted before; the first scrape
of a process counts them all once. That is a Prometheus counter: it never goes down, even when
retention purges old events, and ``rate()`` reads a restart as a counter reset.
"""

from __future__ import annotations

import hmac
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from tocsin.errors import Forbidden
from tocsin.model.clients import networks, trusted
from tocsin.model.clock import Now
from tocsin.settings import Settings
from tocsin.store import Store


class DeskMetrics(Collector):
    """Events in by feed, quarantined rows, the queue's depth, SLA breaches, notices by state,
    and each collector's lag behind its last success."""

    def __init__(self, store: Store, now: Now) -> None:
        self.store = store
        self.now = now
        self._lock = threading.Lock()  # two scrapes at once would count the same events twice
        self._counted = 0
        self._events: Counter[str] = Counter()

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            figures = self.store.figures(self._counted)
            self._events.update(figures.events_by_feed)
            self._counted = max(self._counted, figures.last_event)
            events = dict(self._events)
        counter = CounterMetricFamily("tocsin_events_stored", EVENTS, labels=["feed"])
        for feed, count in sorted(events.items()):
            counter.add_metric([feed], count)
        yield counter
        gauges: list[tuple[str, str, list[str], Mapping[Any, int]]] = [
            ("tocsin_quarantined_rows", QUARANTINED, ["feed"], figures.quarantined_by_feed),
            ("tocsin_open_incidents", OPEN, ["priority"], figures.open_by_priority),
            (
                "tocsin_sla_breached_open_incidents",
                BREACHED,
                ["priority", "clock"],
                figures.breached_open,
            ),
            ("tocsin_notices", NOTICES, ["state"], figures.notices_by_status),
        ]
        states = self.store.collectors.states()  # one row per collector: a small table
        now = self.now()
        lag = {n: now - s.last_success for n, s in states.items() if s.last_success is not None}
        gauges.append(("tocsin_collector_lag_seconds", LAG, ["collector"], lag))
        failures = {name: state.failures for name, state in states.items()}
        gauges.append(("tocsin_collector_failures", FAILURES, ["collector"], failures))
        for name, documentation, labels, values in gauges:
            gauge = GaugeMetricFamily(name, documentation, labels=labels)
            for key, count in sorted(values.items()):
                gauge.add_metric(list(key) if isinstance(key, tuple) else [key], count)
            yield gauge


EVENTS = "Events stored, by feed (each observation once; duplicates and quarantined rows are not)."
QUARANTINED = "Input rows held in quarantine, by feed."
OPEN = "The queue's depth: open incidents (not merged), by priority."
BREACHED = "Open incidents whose SLA clock (acknowledge or resolve) ran out, by priority."
LAG = "Seconds since each collector's last successful run (absent before its first)."
FAILURES = "Each collector's failed runs since its last success."
NOTICES = "Notices to constituents, by state (pending, sent, deferred, failed, bounced)."


def registry(store: Store, now: Now) -> CollectorRegistry:
    """A registry of its own holding the desk's metrics (none of the process's: a scrape says
    the same whichever process answers)."""
    found = CollectorRegistry(auto_describe=False)
    found.register(DeskMetrics(store, now))
    return found


def check_scraper(settings: Settings, client: str, *, relayed: bool, token: str | None) -> None:
    """Lets a scrape through when it brings the metrics token, or comes straight (not relayed
    by a proxy) from an address of ``metrics_allow``; ``Forbidden`` otherwise. A relayed
    request needs the token because a proxy on the host would otherwise make every visitor
    look local when ``TOCSIN_TRUSTED_PROXIES`` is not set."""
    wanted = settings.metrics_token
    if wanted and token is not None and hmac.compare_digest(token.encode(), wanted.encode()):
        return
    if not relayed and trusted(client, networks(settings.metrics_allow)):
        return
    raise Forbidden("the metrics are for the addresses of TOCSIN_METRICS_ALLOW or its token")


__all__ = ["DeskMetrics", "check_scraper", "registry"]
