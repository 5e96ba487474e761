"""Dedupe: each event gets its fingerprint and its rank; repeats are counted and dropped.

Events with one fingerprint are one observation within the dedupe window. Of these, the one with
the lowest rank is kept: the most restrictive TLP (the same observation marked RED and GREEN is
stored RED, whichever comes first), then the earliest ``time.source``, ties broken by a digest
of the content. A RED event's rank is what every rank was before TLP counted, so events stored
earlier are never displaced by a re-ingest of themselves. That makes what is stored independent
of the order rows arrive in: two processes parsing halves of one file, a rerun after a crash, or
files ingested in another order all store the same event. The store applies the same rule
across runs and restarts (see ``Store.write``), and stores an observation once whatever the window
(``model.event.observation_key``): one stored under another window's fingerprint stays as it is.
"""

from __future__ import annotations

from hashlib import blake2b

import orjson

from tocsin.model.event import FINGERPRINT_FIELDS, event_seconds, keys
from tocsin.model.tlp import TLP
from tocsin.pipeline.stages.batch import Batch, failure

RANK_BITS = 24
TIME_BITS = 36  # seconds up to the year 4147; later times all rank as that one
TLP_SHIFT = RANK_BITS + TIME_BITS  # the TLP's place, above the time: 4 × 2**60 < 2**63


def rank(event: dict[str, object]) -> int:
    """How much less restrictive than RED the event's TLP is in the high bits, then the event time
    (seconds), then a digest of the content (without the observation time, which differs
    between runs) in the low ``RANK_BITS``. A malformed TLP ranks as RED."""
    observed = event.pop("time.observation", None)
    try:
        digest = blake2b(orjson.dumps(event, option=orjson.OPT_SORT_KEYS), digest_size=3).digest()
    finally:
        if observed is not None:
            event["time.observation"] = observed
    seconds = min(max(event_seconds(event), 0), (1 << TIME_BITS) - 1)
    return (
        (_laxity(event.get("tlp")) << TLP_SHIFT)
        | (seconds << RANK_BITS)
        | int.from_bytes(digest, "big")
    )


_LAXITY = {t.value_name: TLP.RED - t for t in TLP}  # the canonical labels, looked up at once


def _laxity(label: object) -> int:
    """How much less restrictive than RED a TLP label is; 0 (RED) for one that cannot be read."""
    found = _LAXITY.get(label) if type(label) is str else None
    if found is not None:
        return found
    try:
        return TLP.RED - TLP.parse(label)
    except ValueError:
        return 0


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
            try:
                key, observation = keys(event, window, FINGERPRINT_FIELDS)
                order = rank(event)
            except Exception as exc:  # a value no check foresaw: that row's failure only
                batch.quarantine(event, "dedupe", failure("dedupe", exc))
                continue
            known = seen.get(key)
            if known is not None and known <= order:
                batch.duplicates += 1
                batch.origins.pop(id(event), None)
                continue
            event["tocsin.fingerprint"] = key
            seen[key] = order
            batch.ranks[key] = order
            batch.observations[key] = observation
            index = where.get(key)
            if index is None:
                where[key] = len(kept)
                kept.append(event)
            else:  # an earlier copy of an event already kept in this batch: it takes the place
                batch.origins.pop(id(kept[index]), None)
                kept[index] = event
                batch.duplicates += 1
        if len(seen) > self.memory:
            seen.clear()
        batch.events = kept
        return batch
