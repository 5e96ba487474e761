"""Dedupe: each event gets its fingerprint; repeats within a batch and a run are counted and dropped.

The store is the authority across runs and restarts: it keeps one row per fingerprint and ignores
the rest, so a rerun or a crash-and-rerun stores nothing twice.
"""

from __future__ import annotations

from tocsin.model.event import FINGERPRINT_FIELDS, fingerprint
from tocsin.pipeline.stages.batch import Batch


class Deduper:
    """Fingerprints events and remembers the most recent ones seen in this run (bounded)."""

    def __init__(self, window: int, memory: int = 200_000) -> None:
        self.window = window
        self.memory = memory
        self._seen: set[str] = set()

    def __call__(self, batch: Batch) -> Batch:
        seen = self._seen
        window = self.window
        kept = []
        for event in batch.events:
            key = fingerprint(event, window, FINGERPRINT_FIELDS)
            if key in seen:
                batch.duplicates += 1
                continue
            seen.add(key)
            event["tocsin.fingerprint"] = key
            kept.append(event)
        if len(seen) > self.memory:
            seen.clear()
        batch.events = kept
        return batch
