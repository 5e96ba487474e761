"""The storage contract: every test here runs on SQLite (a file, and in memory) and on
PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import url_of
from tests.factories import make_event, quarantined, rows
from tocsin.model.asn import AsnRange
from tocsin.model.constituent import Constituent
from tocsin.model.event import fingerprint
from tocsin.store import EventFilter, Store, open_store


@pytest.fixture(params=["sqlite", "memory", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The contract holds for the in-memory store too, which fast service tests stand on."""
    return url_of(request, request.param, tmp_path)


def test_write_returns_only_new_events(store: Store) -> None:
    """Writing an event whose fingerprint is stored already stores nothing and counts nothing."""
    first = make_event(source__ip="192.0.2.1")
    second = make_event(source__ip="192.0.2.2")
    assert store.write(rows(first, second), []) == 2
    assert store.write(rows(first), []) == 0
    assert store.count_events() == 2


def test_the_earliest_of_one_observation_stays_whatever_the_write_order(store: Store) -> None:
    """Two events with one fingerprint: the lower rank (earlier time) is stored, written first
    or last, in one batch or two, and neither counts as a new event the second time."""
    early = make_event(source__ip="192.0.2.3", time__source="2026-11-20T01:00:00+00:00")
    late = make_event(source__ip="192.0.2.3", time__source="2026-11-20T09:00:00+00:00")
    assert early["tocsin.fingerprint"] == late["tocsin.fingerprint"]  # one day's window
    assert store.write(rows(late), []) == 1
    assert store.write(rows(early), []) == 0
    assert store.write(rows(late), []) == 0
    (kept,) = store.search(EventFilter()).events
    assert kept["time.source"] == early["time.source"]


def test_duplicates_within_one_write_are_stored_once(store: Store) -> None:
    """Two rows with one fingerprint in the same batch become one stored event."""
    event = make_event(source__ip="192.0.2.9")
    assert store.write(rows(event, event), []) == 1
    assert store.count_events() == 1


def test_event_round_trips_with_every_field(store: Store) -> None:
    """What is written comes back field for field."""
    event = make_event(
        source__ip="2001:db8::1",
        source__port=443,
        source__asn=64496,
        source__fqdn="a.example",
        extra__banner="SSH-2.0",
        tocsin__constituent="Harbour Telecom",
    )
    store.write(rows(event), [])
    assert store.search(EventFilter()).events == [event]


def test_search_by_address_and_network(store: Store) -> None:
    """An address matches itself; a network matches the addresses inside it, IPv4 and IPv6."""
    inside = make_event(source__ip="192.0.2.130")
    outside = make_event(source__ip="192.0.3.1")
    six = make_event(source__ip="2001:db8:100::5")
    store.write(rows(inside, outside, six), [])
    ips = lambda q: {e["source.ip"] for e in store.search(q).events}  # noqa: E731
    assert ips(EventFilter(ip="192.0.2.130")) == {"192.0.2.130"}
    assert ips(EventFilter(ip="192.0.2.128/26")) == {"192.0.2.130"}
    assert ips(EventFilter(ip="2001:db8:100::/48")) == {"2001:db8:100::5"}
    assert ips(EventFilter(ip="0.0.0.0/0")) == {"192.0.2.130", "192.0.3.1"}


def test_search_by_each_column(store: Store) -> None:
    """asn, fqdn, url, type, constituent, priority and feed each select only their events."""
    a = make_event(
        source__ip="192.0.2.1",
        source__asn=64496,
        tocsin__constituent="A",
        tocsin__priority="P1",
        classification__type="c2-server",
    )
    b = make_event(
        source__fqdn="phish.example",
        source__url="http://phish.example/x",
        classification__type="phishing",
        feed__name="other",
    )
    store.write(rows(a, b), [])

    def fps(**kw: object) -> set[str]:
        return {e["tocsin.fingerprint"] for e in store.search(EventFilter(**kw)).events}  # type: ignore[arg-type]

    assert fps(asn=64496) == {a["tocsin.fingerprint"]}
    assert fps(fqdn="phish.example") == {b["tocsin.fingerprint"]}
    assert fps(url="http://phish.example/x") == {b["tocsin.fingerprint"]}
    assert fps(type="c2-server") == {a["tocsin.fingerprint"]}
    assert fps(constituent="A") == {a["tocsin.fingerprint"]}
    assert fps(priority="P1") == {a["tocsin.fingerprint"]}
    assert fps(feed="other") == {b["tocsin.fingerprint"]}


def test_search_by_time_range(store: Store) -> None:
    """since is inclusive, until exclusive, on the event's source time."""
    early = make_event(source__ip="192.0.2.1", time__source="2026-11-01T00:00:00+00:00")
    late = make_event(source__ip="192.0.2.2", time__source="2026-11-20T00:00:00+00:00")
    store.write(rows(early, late), [])
    start = 1_793_491_200  # 2026-11-01T00:00:00Z
    got = store.search(EventFilter(since=start, until=start + 1)).events
    assert [e["source.ip"] for e in got] == ["192.0.2.1"]


def test_cursor_pages_cover_everything_once(store: Store) -> None:
    """Following next_cursor visits every event exactly once, newest first."""
    events = [make_event(source__ip=f"198.51.100.{i}") for i in range(1, 26)]
    store.write(rows(*events), [])
    seen: list[str] = []
    query = EventFilter(limit=10)
    while True:
        page = store.search(query)
        seen.extend(e["source.ip"] for e in page.events)
        if page.next_cursor is None:
            break
        query = replace(query, before=page.next_cursor)
    assert seen == [e["source.ip"] for e in reversed(events)]


def test_quarantine_is_idempotent_and_listed(store: Store) -> None:
    """The same quarantined row written twice is kept once, with its file, line and reason."""
    store.write([], [quarantined(3, "bad port"), quarantined(3, "bad port")])
    entries = store.quarantine()
    assert [(e.file, e.line, e.reason) for e in entries] == [("/data/f.csv", 3, "bad port")]
    assert store.quarantine_entry(entries[0].id) == entries[0]
    assert store.count_quarantine() == 1


def test_prune_quarantine_keeps_only_named_rows(store: Store) -> None:
    """Pruning a file's quarantine keeps the rows still failing and forgets the others."""
    keep, drop = quarantined(1), quarantined(2)
    other_file = quarantined(2, file="/data/other.csv")
    store.write([], [keep, drop, other_file])
    assert store.prune_quarantine("test", "/data/f.csv", [keep[0]]) == 1
    assert sorted((e.file, e.line) for e in store.quarantine()) == [
        ("/data/f.csv", 1),
        ("/data/other.csv", 2),
    ]


def test_constituents_replace_and_list(store: Store) -> None:
    """Importing constituents replaces the registry; they come back as given."""
    first = Constituent.from_mapping(
        {"name": "A", "sector": "energy", "networks": ["192.0.2.0/24"]}
    )
    second = Constituent.from_mapping({"name": "B", "asns": [64496], "domains": ["b.example"]})
    store.replace_constituents([first])
    store.replace_constituents([first, second])
    assert store.constituents() == [first, second]


def test_asn_ranges_replace_and_iterate(store: Store) -> None:
    """The IP-to-ASN table is replaced whole and read back in order."""
    ranges = [
        AsnRange("192.0.2.0", "192.0.2.255", 64496, "NL", "EXAMPLE"),
        AsnRange("2001:db8::", "2001:db8::ffff", 64497, None, None),
    ]
    assert store.replace_asn_ranges(ranges) == 2
    assert list(store.asn_ranges()) == ranges


def test_migrations_are_idempotent(store: Store) -> None:
    """Opening an existing store again migrates nothing and keeps its events."""
    store.write(rows(make_event(source__ip="192.0.2.1")), [])
    again = open_store(store.url)
    try:
        assert again.count_events() == 1
    finally:
        again.close()


def test_search_caps_the_tlp_level(store: Store) -> None:
    """max_tlp leaves out events marked more restrictively than the cap."""
    store.write(
        rows(
            make_event(source__ip="192.0.2.1", tlp="AMBER"),
            make_event(source__ip="192.0.2.2", tlp="RED"),
        ),
        [],
    )
    capped = store.search(EventFilter(max_tlp=3)).events
    assert [e["source.ip"] for e in capped] == ["192.0.2.1"]
    assert len(store.search(EventFilter()).events) == 2


def test_threads_may_write_one_after_another_and_the_store_closes_from_a_third(
    backend_url: str,
) -> None:
    """The server ingests from worker threads (a partner's POST, a scheduled pull): each write
    may come from another thread, and the store closes from the thread that opened it."""
    opened = open_store(backend_url)
    errors: list[BaseException] = []

    def write(last_octet: int) -> None:
        try:
            opened.write(rows(make_event(source__ip=f"192.0.2.{last_octet}")), [])
        except BaseException as exc:  # handed to the test below
            errors.append(exc)

    for octet in (1, 2, 3):
        worker = threading.Thread(target=write, args=(octet,))
        worker.start()
        worker.join(timeout=60)
    assert errors == []
    assert opened.count_events() == 3
    opened.close()


def test_a_used_stamp_is_refused_until_its_time_is_over(store: Store) -> None:
    """A start stamp is used once; used again it is refused, until its expiry has passed and
    it is forgotten (by the next use of any stamp)."""
    with store.transaction() as tx:
        assert store.reports.use_stamp(tx, "a" * 64, expires=1_000, now=100)
    assert store.reports.stamp_used("a" * 64)
    with store.transaction() as tx:
        assert not store.reports.use_stamp(tx, "a" * 64, expires=1_000, now=200)
        assert store.reports.use_stamp(tx, "b" * 64, expires=1_000, now=200)
    with store.transaction() as tx:
        assert store.reports.use_stamp(tx, "c" * 64, expires=3_000, now=1_001)
    assert not store.reports.stamp_used("a" * 64)


def test_an_observation_stored_under_one_window_is_not_stored_under_another(store: Store) -> None:
    """The same observation written again with another dedupe window's fingerprint stores
    nothing; another observation (an hour later) under that window is stored."""
    event = make_event(source__ip="192.0.2.4")
    assert store.write(rows(event), []) == 1
    for window in (0, 3600, 7):
        again = dict(event, **{"tocsin.fingerprint": fingerprint(event, window)})
        assert again["tocsin.fingerprint"] != event["tocsin.fingerprint"]
        assert store.write(rows(again), []) == 0
    later = make_event(source__ip="192.0.2.4", time__source="2026-11-20T11:00:00+00:00")
    later["tocsin.fingerprint"] = fingerprint(later, 3600)
    assert store.write(rows(later), []) == 1
    assert store.count_events() == 2
