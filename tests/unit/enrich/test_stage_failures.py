"""A row that fails in a stage after parsing (dedupe, enrich, classify) is quarantined with its
file, line, stage and reason; the batch's other events go on."""

from __future__ import annotations

from typing import Any

from tocsin.pipeline.enrich.constituency import ConstituencyIndex
from tocsin.pipeline.stages.batch import Batch, Origin
from tocsin.pipeline.stages.classify import PriorityRules
from tocsin.pipeline.stages.dedupe import Deduper
from tocsin.pipeline.stages.enrich import Enricher

OBSERVED = "2026-11-20T00:00:00+00:00"


def event(ip: str, **more: Any) -> dict[str, Any]:
    found = {
        "feed.name": "f",
        "classification.type": "scanner",
        "source.ip": ip,
        "time.observation": OBSERVED,
        "tlp": "AMBER",
    }
    found.update(more)
    return found


def batch_of(*events: dict[str, Any]) -> Batch:
    batch = Batch(read=len(events))
    for line, item in enumerate(events, start=2):
        batch.add(item, Origin("feed", "/in/file.csv", line, f"raw {line}"))
    return batch


def test_a_step_failing_on_one_event_quarantines_that_row_only() -> None:
    """``Batch.each`` keeps the events a step handles and quarantines the one it fails on with
    the row's file, line, raw text, the stage and the exception."""
    batch = batch_of(event("192.0.2.1"), event("192.0.2.2"), event("192.0.2.3"))

    def step(item: dict[str, Any]) -> None:
        if item["source.ip"] == "192.0.2.2":
            raise KeyError("boom")

    batch.each("enrich", step)
    assert [e["source.ip"] for e in batch.events] == ["192.0.2.1", "192.0.2.3"]
    (failed,) = batch.quarantined
    assert (failed.file, failed.line, failed.raw, failed.stage) == (
        "/in/file.csv",
        3,
        "raw 3",
        "enrich",
    )
    assert "KeyError" in failed.reason and "boom" in failed.reason


def test_dedupe_quarantines_an_event_it_cannot_fingerprint() -> None:
    """An event whose time is unreadable (it never passed normalise) is quarantined by dedupe,
    and the next event is kept."""
    batch = batch_of(event("192.0.2.1", **{"time.source": "not a time"}), event("192.0.2.2"))
    Deduper(86_400)(batch)
    assert [e["source.ip"] for e in batch.events] == ["192.0.2.2"]
    assert [(q.line, q.stage) for q in batch.quarantined] == [(2, "dedupe")]
    assert batch.read == len(batch.events) + batch.duplicates + len(batch.quarantined)


def test_enrich_quarantines_an_event_it_cannot_enrich() -> None:
    """A source name that is no text makes enrich fail on that row alone."""
    batch = batch_of(event("192.0.2.1", **{"source.fqdn": 7}), event("192.0.2.2"))
    Enricher(ConstituencyIndex([]))(batch)
    assert [e["source.ip"] for e in batch.events] == ["192.0.2.2"]
    assert [(q.line, q.stage) for q in batch.quarantined] == [(2, "enrich")]


def test_a_rule_on_a_field_holding_a_list_neither_fires_nor_fails() -> None:
    """A priority rule on an ``extra.*`` field that holds a list (from a JSON feed) does not
    fire on it, and the event is prioritised, not lost."""
    rules = PriorityRules.from_mapping(
        {"rule": [{"name": "tagged", "when": {"extra.tags": "urgent"}, "raise": 1}]}
    )
    batch = batch_of(event("192.0.2.1", **{"extra.tags": ["urgent"]}))
    rules(batch)
    assert not batch.quarantined
    assert batch.events[0]["tocsin.priority"] == rules.priority_of(event("192.0.2.9"))
