"""The store's indexes begin with time (migration 0023, docs/benchmarks.md §1.5): the dedupe key is
the window's start and the fingerprint, the lookups by address, domain and URL are kept by day.
What a user sees must not change: an address is found on every day it was seen, newest first,
and an observation seen again in its window is stored once. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from tests.factories import make_event, rows
from tocsin.model.event import fingerprint
from tocsin.store import EventFilter, Store, open_store
from tocsin.store.rows import event_row
from tocsin.store.sql import schema
from tocsin.store.sql.query import conditions

DEC_1 = 1_796_083_200  # 2026-12-01T00:00:00Z


def at(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


def test_an_address_is_found_on_every_day_it_was_seen_newest_first(store: Store) -> None:
    """Events of one address on three days (one a second before midnight, one at midnight) are
    all found, in the order they were stored, newest first; another address is not."""
    times = [DEC_1 - 10 * 86_400, DEC_1 - 1, DEC_1]
    seen = [make_event(source__ip="192.0.2.9", time__source=at(t)) for t in times]
    other = make_event(source__ip="192.0.2.10", time__source=at(DEC_1))
    for event in [*seen, other]:  # one write each: ids in this order
        store.write(rows(event), [])
    found = store.search(EventFilter(ip="192.0.2.9")).events
    assert [e["time.source"] for e in found] == [at(t) for t in reversed(times)]
    network = store.search(EventFilter(ip="192.0.2.8/30")).events
    assert {e["source.ip"] for e in network} == {"192.0.2.9", "192.0.2.10"}


def test_a_lookup_by_address_keeps_to_its_time_range(store: Store) -> None:
    """since and until choose the days visited: the day before midnight alone, then the day
    after alone."""
    before = make_event(source__ip="192.0.2.9", time__source=at(DEC_1 - 1))
    after = make_event(source__ip="192.0.2.9", time__source=at(DEC_1))
    store.write(rows(before, after), [])
    first = store.search(EventFilter(ip="192.0.2.9", until=DEC_1)).events
    assert [e["time.source"] for e in first] == [at(DEC_1 - 1)]
    second = store.search(EventFilter(ip="192.0.2.9", since=DEC_1)).events
    assert [e["time.source"] for e in second] == [at(DEC_1)]
    assert store.search(EventFilter(ip="192.0.2.9", since=DEC_1 + 86_400)).events == []


def test_pages_by_address_run_across_days(store: Store) -> None:
    """A page of one event at a time walks the address's three days with the cursor."""
    times = [DEC_1 - 2 * 86_400, DEC_1 - 86_400, DEC_1]
    for t in times:
        store.write(rows(make_event(source__ip="2001:db8::9", time__source=at(t))), [])
    walked = []
    cursor = None
    while True:
        page = store.search(EventFilter(ip="2001:db8::9", limit=1, before=cursor))
        walked += [e["time.source"] for e in page.events]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert walked == [at(t) for t in reversed(times)]


def test_domain_and_url_are_found_on_their_days(store: Store) -> None:
    """The domain and URL lookups visit the days too."""
    old = make_event(
        source__fqdn="phish.example",
        source__url="http://phish.example/a",
        classification__type="phishing",
        time__source=at(DEC_1 - 30 * 86_400),
    )
    new = make_event(
        source__fqdn="phish.example",
        source__url="http://phish.example/b",
        classification__type="phishing",
        time__source=at(DEC_1),
    )
    store.write(rows(old, new), [])
    assert len(store.search(EventFilter(fqdn="phish.example")).events) == 2
    urls = store.search(EventFilter(url="http://phish.example/a")).events
    assert [e["source.url"] for e in urls] == ["http://phish.example/a"]


def test_an_observation_again_in_its_window_is_one_event(store: Store) -> None:
    """The same fields an hour later in the same day's window have the same fingerprint and the
    same window start: one event, whichever write came second."""
    morning = make_event(source__ip="192.0.2.20", time__source=at(DEC_1 + 3600))
    noon = make_event(source__ip="192.0.2.20", time__source=at(DEC_1 + 12 * 3600))
    assert morning["tocsin.fingerprint"] == noon["tocsin.fingerprint"]
    assert store.write(rows(morning), []) == 1
    assert store.write(rows(noon), []) == 0
    assert store.count_events() == 1


def test_the_row_keeps_its_window_start_and_day() -> None:
    """The row carries the start of the window its fingerprint was computed in (0 for a window
    of 0: dedupe forever) and its day."""
    event = make_event(time__source=at(DEC_1 + 7_200 + 5))
    row = event_row(dict(event, **{"tocsin.fingerprint": fingerprint(event, 3600)}), 0, None, 3600)
    assert (row[3], row[4], row[5]) == (DEC_1 + 7_205, DEC_1 + 7_200, DEC_1 // 86_400)
    forever = event_row(dict(event, **{"tocsin.fingerprint": fingerprint(event, 0)}), 0, None, 0)
    assert forever[4] == 0


def test_sqlite_looks_an_address_up_through_its_day_index(tmp_path: Path) -> None:
    """On SQLite the lookup by address uses the index kept by day, not a scan of the table."""
    store = open_store(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        store.write(rows(make_event(source__ip="192.0.2.9")), [])
        events = schema.events
        stmt = sa.select(events.c.id).order_by(events.c.id.desc()).limit(10)
        for condition in conditions(EventFilter(ip="192.0.2.9"), [20_000, 20_001]):
            stmt = stmt.where(condition)
        engine = store.engine  # type: ignore[attr-defined]
        compiled = stmt.compile(engine, compile_kwargs={"render_postcompile": True})
        values = tuple(compiled.params[name] for name in compiled.positiontup or ())
        with engine.connect() as conn:
            found = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)
            plan = " ".join(str(row[-1]) for row in found)
    finally:
        store.close()
    assert "events_day_source_ip" in plan, plan
