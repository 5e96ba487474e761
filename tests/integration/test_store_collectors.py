"""The collectors' part of the store (CollectorStore), on SQLite and PostgreSQL: what feed
health and the collectors read and write."""

from __future__ import annotations

from tocsin.model.collector import ArchivedObject, CollectorRun, CollectorState
from tocsin.store import Store


def test_runs_are_opened_finished_and_read_newest_first_per_source(store: Store) -> None:
    runs = store.collectors
    with store.transaction() as tx:
        first = runs.start_run(tx, "openphish", "openphish", 100)
        other = runs.start_run(tx, "ingest:dshield", "dshield", 110)
    with store.transaction() as tx:
        runs.finish_run(tx, first, finished=105, ok=True, objects=1, rows=8, accepted=6,
                        duplicates=1, quarantined=1)  # fmt: skip
    with store.transaction() as tx:
        second = runs.start_run(tx, "openphish", "openphish", 200)
    assert runs.runs("openphish") == [
        CollectorRun(second, "openphish", "openphish", 200),
        CollectorRun(first, "openphish", "openphish", 100, 105, True, None, 1, 8, 6, 1, 1),
    ]
    assert runs.runs("openphish")[1].quarantine_rate == 1 / 8
    assert [r.id for r in runs.runs()] == [second, other, first]
    assert {name: run.id for name, run in runs.last_runs().items()} == {
        "openphish": second,
        "ingest:dshield": other,
    }


def test_a_state_is_written_whole_and_read_back(store: Store) -> None:
    parts = store.collectors
    assert parts.state("openphish") is None
    state = CollectorState("openphish", '"v1"', "Sat, 28 Nov 2026 01:00:00 GMT", 100, 100, 0, 3700)
    with store.transaction() as tx:
        parts.save_state(tx, state)
    failed = CollectorState("openphish", '"v1"', state.last_modified, 100, 200, 1, 260)
    with store.transaction() as tx:
        parts.save_state(tx, failed)
    assert parts.state("openphish") == failed
    assert parts.states() == {"openphish": failed}


def test_an_object_is_recorded_once_per_collector(store: Store) -> None:
    parts = store.collectors
    sha = "ab" * 32
    archived = ArchivedObject(sha, "drop", "a.csv", 10, 100)
    with store.transaction() as tx:
        assert parts.add_object(tx, archived)
        assert not parts.add_object(tx, ArchivedObject(sha, "drop", "b.csv", 10, 200))
        assert parts.add_object(tx, ArchivedObject(sha, "other", "a.csv", 10, 150, "skipped", "x"))
    assert parts.has_object("drop", sha) and not parts.has_object("drop", "cd" * 32)
    assert parts.objects("drop") == [archived]
    assert [o.collector for o in parts.objects()] == ["other", "drop"]
