"""Dedupe: every kept event carries its fingerprint; repeats in a batch or a run are dropped."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tocsin.model.event import FINGERPRINT_FIELDS, fingerprint
from tocsin.model.tlp import TLP
from tocsin.pipeline.stages.batch import Batch
from tocsin.pipeline.stages.dedupe import RANK_BITS, TLP_SHIFT, Deduper, rank

WINDOW = 86_400


def scan(ip: str = "192.0.2.1", when: str = "2026-11-20T10:00:00+00:00", **more: Any) -> dict:
    """A scanner observation from ``ip`` at ``when``; ``more`` adds fields (``__`` for dots)."""
    event: dict[str, Any] = {
        "feed.name": "test-scan",
        "classification.type": "scanner",
        "source.ip": ip,
        "time.source": when,
        "time.observation": "2026-11-28T03:00:00+00:00",
    }
    event.update({k.replace("__", "."): v for k, v in more.items()})
    return event


def test_repeats_within_a_batch_are_dropped_and_counted() -> None:
    """Of three identical events and one other, two are kept and two counted as duplicates."""
    batch = Batch(events=[scan(), scan(), scan("192.0.2.2"), scan()], read=4)
    Deduper(WINDOW)(batch)
    assert [e["source.ip"] for e in batch.events] == ["192.0.2.1", "192.0.2.2"]
    assert batch.duplicates == 2
    assert batch.read == 4


def test_the_first_of_the_repeats_is_the_one_kept() -> None:
    """A repeat differing only in a field outside the fingerprint is dropped; the first stays."""
    first = scan(extra__note="first")
    batch = Batch(events=[first, scan(extra__note="second")])
    Deduper(WINDOW)(batch)
    assert batch.events == [first]
    assert batch.events[0]["extra.note"] == "first"


def test_every_kept_event_carries_its_fingerprint() -> None:
    """Each kept event's tocsin.fingerprint is the model's fingerprint of it for the window."""
    events = [scan(), scan("2001:db8::1"), scan(source__port=23)]
    batch = Batch(events=[dict(e) for e in events])
    Deduper(WINDOW)(batch)
    assert [e["tocsin.fingerprint"] for e in batch.events] == [
        fingerprint(e, WINDOW, FINGERPRINT_FIELDS) for e in events
    ]
    assert len({e["tocsin.fingerprint"] for e in batch.events}) == 3


def test_repeats_across_batches_of_one_run_are_dropped() -> None:
    """An event seen in an earlier batch of the same Deduper is dropped from a later one."""
    dedupe = Deduper(WINDOW)
    dedupe(Batch(events=[scan()]))
    later = dedupe(Batch(events=[scan(), scan("192.0.2.9")]))
    assert [e["source.ip"] for e in later.events] == ["192.0.2.9"]
    assert later.duplicates == 1


def test_the_same_observation_in_another_window_is_kept() -> None:
    """The same scanner seen on two different days is two events with a one-day window."""
    batch = Batch(
        events=[scan(when="2026-11-20T10:00:00+00:00"), scan(when="2026-11-21T10:00:00+00:00")]
    )
    Deduper(WINDOW)(batch)
    assert len(batch.events) == 2
    assert batch.duplicates == 0


def test_a_zero_window_dedupes_forever() -> None:
    """With window 0, the same observation months apart is still a repeat."""
    batch = Batch(
        events=[scan(when="2026-01-01T00:00:00+00:00"), scan(when="2026-11-21T10:00:00+00:00")]
    )
    Deduper(0)(batch)
    assert len(batch.events) == 1
    assert batch.duplicates == 1


def test_duplicates_add_to_the_batch_count() -> None:
    """A batch that arrives with duplicates already counted keeps counting from there."""
    batch = Batch(events=[scan(), scan()], duplicates=3)
    Deduper(WINDOW)(batch)
    assert batch.duplicates == 4


@given(
    picks=st.lists(st.integers(0, 5), max_size=30),
    ports=st.lists(st.integers(1, 65535), min_size=6, max_size=6, unique=True),
)
def test_kept_plus_duplicates_is_what_came_in_and_kept_are_the_distinct_ones(
    picks: list[int], ports: list[int]
) -> None:
    """For any mix of repeats, the kept events are the distinct observations in first-seen order,
    and kept plus duplicates equals the events that came in."""
    events = [scan(source__port=ports[i]) for i in picks]
    batch = Batch(events=events)
    Deduper(WINDOW)(batch)
    assert [e["source.port"] for e in batch.events] == [ports[i] for i in dict.fromkeys(picks)]
    assert len(batch.events) + batch.duplicates == len(picks)


def test_of_one_observation_marked_red_and_green_the_red_one_is_kept() -> None:
    """The most restrictive TLP wins whichever comes first, in one batch or a later one."""
    for order in (("GREEN", "RED"), ("RED", "GREEN")):
        batch = Batch(events=[scan(tlp=order[0]), scan(tlp=order[1])])
        Deduper(WINDOW)(batch)
        assert [e["tlp"] for e in batch.events] == ["RED"]
        assert batch.duplicates == 1
    dedupe = Deduper(WINDOW)
    dedupe(Batch(events=[scan(tlp="GREEN", when="2026-11-20T09:00:00+00:00")]))
    later = dedupe(Batch(events=[scan(tlp="RED"), scan(tlp="AMBER")]))
    assert [e["tlp"] for e in later.events] == ["RED"]  # replaces the earlier GREEN in the store


def test_rank_puts_tlp_before_time_and_a_red_rank_is_what_it_was() -> None:
    """A RED event ranks as every event did before TLP counted (stored ranks stay valid)."""
    red, green = scan(tlp="RED"), scan(tlp="GREEN", when="2026-11-20T09:00:00+00:00")
    assert rank(red) < rank(green)
    assert rank(red) >> RANK_BITS == 1_795_168_800  # 2026-11-20T10:00:00Z in seconds
    assert rank(scan(tlp="nonsense")) >> TLP_SHIFT == 0  # a TLP that cannot be read ranks as RED
    assert rank(green) >> TLP_SHIFT == TLP.RED - TLP.GREEN
