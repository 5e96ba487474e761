"""Small builders of valid events and quarantined rows for tests."""

from __future__ import annotations

from typing import Any

from tocsin.model.event import fingerprint
from tocsin.model.fields import sanitize
from tocsin.model.quarantine import Quarantined
from tocsin.model.taxonomy import taxonomy_of
from tocsin.pipeline.stages.dedupe import rank
from tocsin.store.rows import EventRow, QuarantineRow, event_row, quarantine_row


def make_event(**fields: Any) -> dict[str, Any]:
    """A valid, fingerprinted event; keyword names use ``__`` for dots (source__ip=...)."""
    raw: dict[str, Any] = {
        "feed.name": "test",
        "time.source": "2026-11-20T10:00:00+00:00",
        "time.observation": "2026-11-28T03:00:00+00:00",
        "classification.type": "scanner",
        "tlp": "AMBER",
        "tocsin.priority": "P3",
    }
    raw.update({k.replace("__", "."): v for k, v in fields.items()})
    event = {k: sanitize(k, v) for k, v in raw.items() if v is not None}
    event["classification.taxonomy"] = taxonomy_of(event["classification.type"])
    event["tocsin.fingerprint"] = fingerprint(event)
    return event


def rows(*events: dict[str, Any]) -> list[EventRow]:
    return [event_row(e, rank(e)) for e in events]


def stored_ids(store: Any, *events: dict[str, Any]) -> list[int]:
    """The ids the store gave these events (written before), in the order given: looked up by
    the store's dedupe key, the window's start and the fingerprint."""
    import sqlalchemy as sa

    found = []
    with store.engine.connect() as conn:
        for row in rows(*events):
            found.append(
                conn.execute(
                    sa.text("SELECT id FROM events WHERE window_start = :w AND fingerprint = :f"),
                    {"w": row[4], "f": row[0]},
                ).scalar_one()
            )
    return found


def quarantined(line: int, reason: str = "bad", file: str = "/data/f.csv") -> QuarantineRow:
    return quarantine_row(Quarantined("test", file, line, f"raw line {line}", "parse", reason), 0)
