"""Every event reaches a decision: the aggregation rules run after whatever stored the events,
on a store that was never a demo, once, and catch up what an interrupted run left behind. On
SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock
from tocsin.cli import app
from tocsin.services.aggregate import Decided, decide
from tocsin.services.ingest import ingest
from tocsin.services.registry import import_asn_table, import_constituents
from tocsin.settings import Settings
from tocsin.store import EventFilter, Store, open_store

DEMO = Path(__file__).resolve().parents[2] / "src" / "tocsin" / "demo"
SINKHOLE = DEMO / "feeds" / "shadowserver-2026-11-21-event4_sinkhole_http-nl-geo.csv"


def _links(store: Store) -> dict[int, int]:
    return {
        i.id: store.cases.count_incident_events(i.id) for i in store.cases.incidents(limit=10_000)
    }


def test_the_plain_ingest_command_opens_incidents_in_a_store_never_a_demo(
    backend_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tocsin ingest` of infected hosts of known constituents, nothing else run before: the
    incidents are there when the command returns, owned by the team the rules' setting names,
    holding the file's events."""
    monkeypatch.setenv("TOCSIN_DATABASE_URL", backend_url)
    monkeypatch.setenv("TOCSIN_WORKERS", "0")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for args in (
        ["constituents", "import", str(DEMO / "constituents.toml")],
        ["asn", "import", str(DEMO / "ip2asn.tsv")],
        ["ingest", str(SINKHOLE), "--feed", "shadowserver"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    store = open_store(backend_url, audit_key=AUDIT_KEY)
    try:
        incidents = store.cases.incidents(limit=10_000)
        assert incidents and store.people.user_named("admin") is None  # never a demo
        team = store.people.organisation_named("National CSIRT")
        assert team is not None and {i.org_id for i in incidents} == {team.id}
        assert {i.source for i in incidents} == {
            "rule:compromised or infected hosts of a constituent"
        }
        linked = sum(_links(store).values())
        events = store.search(EventFilter(limit=1000)).events
        ours = [e for e in events if "tocsin.constituent" in e]  # nobody's network: no incident
        assert linked == len(ours) > 0
    finally:
        store.close()


def test_deciding_twice_links_nothing_twice(settings: Settings, store: Store) -> None:
    """A second call after an ingest (which decided already) opens and links nothing, and the
    incidents hold what they held."""
    clock = FakeClock()
    import_constituents(store, DEMO / "constituents.toml")
    import_asn_table(store, DEMO / "ip2asn.tsv")
    ingest(settings, store, [str(SINKHOLE)], "shadowserver", now=clock)
    before = _links(store)
    assert before
    assert decide(settings, store, clock) == Decided(0, 0)
    assert _links(store) == before


def test_events_stored_without_a_decision_are_caught_up_by_the_next_call(
    settings: Settings, store: Store
) -> None:
    """Events stored and then no rules run (a crash between the two) reach their incidents at
    the next call, as an uninterrupted ingest would have put them."""
    clock = FakeClock()
    import_constituents(store, DEMO / "constituents.toml")
    import_asn_table(store, DEMO / "ip2asn.tsv")
    ingest(settings, store, [str(SINKHOLE)], "shadowserver", now=clock, aggregate=False)
    assert store.cases.incidents(limit=10) == []
    decided = decide(settings, store, clock)
    assert decided.opened > 0 and decided.linked > 0
    assert sum(_links(store).values()) == decided.linked


def test_two_deciders_at_once_link_each_event_once(settings: Settings, store: Store) -> None:
    """The server's catch-up and a separate ingest deciding at the same moment: each batch is
    taken by one of them, so every event is linked once and every group has one incident."""
    import threading

    clock = FakeClock()
    import_constituents(store, DEMO / "constituents.toml")
    import_asn_table(store, DEMO / "ip2asn.tsv")
    ingest(settings, store, [str(SINKHOLE)], "shadowserver", now=clock, aggregate=False)
    other = open_store(store.url, audit_key=AUDIT_KEY)  # the other process's connection
    results: list[Decided] = []
    try:
        deciders = [
            threading.Thread(target=lambda s=s: results.append(decide(settings, s, clock)))
            for s in (store, other)
        ]
        for thread in deciders:
            thread.start()
        for thread in deciders:
            thread.join()
    finally:
        other.close()
    assert len(results) == 2 and sum(r.linked for r in results) == sum(_links(store).values())
    keys = [i.group_key for i in store.cases.incidents(limit=10_000)]
    assert len(keys) == len(set(keys)) > 0
