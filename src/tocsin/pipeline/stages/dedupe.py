"""Dedupe: each event gets its fingerprint and its rank; repeats are counted and dropped.

Events with one fingerprint are one observation within the dedupe window. Of these, the one with
the lowest rank is kept: the earliest ``time.source``, ties broken by a digest of the content.
That makes what is stored independent of the order rows arrive in: two processes parsing halves
of one file, a rerun after a crash, or files ingested in another order all store the same event.
The store applies the same rule across runs and restarts (see ``Store.write``).
"""

from __future__ import annotations

from hashlib import blake2b

import orjson

from tocsin.model.event import FINGERPRINT_FIELDS, fingerprint, time_bucket
from tocsin.pipeline.stages.batch import Batch

RANK_BITS = 24


def rank(event: dict[str, object]) -> int:
    """Event time (seconds) in the high bits, a digest of the content (without the observation
    time, which differs between runs) in the low ``RANK_BITS``."""
    observed = event.pop("time.observation", None)
    try:
        digest = blake2b(orjson.dumps(event, option=orjson.OPT_SORT_KEYS), digest_size=3).digest()
    finally:
        if observed is not None:
            event["time.observation"] = observed
    return (time_bucket(event, 1) << RANK_BITS) | int.from_bytes(digest, "big")


class Deduper:
    """Fingerprints events and remembers the ranks seen in this run (bounded)."""

    def __init__(self, window: int, memory: int = 200_000) -> None:
        self.window = window
        self.memory = memory
        self._seen: dict[str, int] = {}

    def __call__(self, batch: Batch) -> Batch:
        seen = self._seen
        window = self.window
        kept: list[dict[str, object]] = []
        where: dict[str, int] = {}
        for event in batch.events:
            key = fingerprint(event, window, FINGERPRINT_FIELDS)
            order = rank(event)
            known = seen.get(key)
            if known is not None and known <= order:
                batch.duplicates += 1
                continue
            event["tocsin.fingerprint"] = key
            seen[key] = order
            batch.ranks[key] = order
            index = where.get(key)
            if index is None:
                where[key] = len(kept)
                kept.append(event)
            else:  # an earlier copy of an event already kept in this batch: it takes the place
                kept[index] = event
                batch.duplicates += 1
        if len(seen) > self.memory:
            seen.clear()
        batch.events = kept
        return batch
