"""What flows between stages: a batch of events plus the rows that were quarantined on the way.

Each event remembers the row it came from (``origins``), so that any stage can quarantine it with
the file, line and raw text when it fails on it: a row's failure in one stage never stops the run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from tocsin.model.event import Event
from tocsin.model.quarantine import Quarantined


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What a run knows about its input: the feed, its defaults and when it was observed."""

    feed: str
    file: str
    observed: str
    provider: str = ""
    default_type: str | None = None
    default_tlp: str = "AMBER"
    window: int = 86_400
    parser: str = ""  # the parser's name, so that a quarantined row can be retried with it


class Origin(NamedTuple):
    """Where an event came from: enough to quarantine it later."""

    feed: str
    file: str
    line: int
    raw: str


@dataclass(slots=True)
class Batch:
    """Events that are still alive, and rows quarantined so far; ``read`` counts input rows."""

    events: list[Event] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    read: int = 0
    duplicates: int = 0
    ranks: dict[str, int] = field(default_factory=dict)  # fingerprint → rank (see dedupe)
    observations: dict[str, str] = field(default_factory=dict)  # fingerprint → observation key
    origins: dict[int, Origin] = field(default_factory=dict)  # id(event) → its row

    def add(self, event: Event, origin: Origin) -> None:
        self.events.append(event)
        self.origins[id(event)] = origin

    def quarantine(self, event: Event, stage: str, reason: str) -> None:
        """Quarantine ``event``'s row, failed in ``stage`` (the caller drops the event)."""
        origin = self.origins.pop(id(event), None) or Origin("", "", 0, "")
        self.quarantined.append(
            Quarantined(origin.feed, origin.file, origin.line, origin.raw, stage, reason)
        )

    def each(self, stage: str, step: Callable[[Event], object]) -> None:
        """Run ``step`` on every event; an event it fails on is quarantined with the reason."""
        kept: list[Event] = []
        for event in self.events:
            try:
                step(event)
            except Exception as exc:  # a bug or a value no check foresaw: that row's, not the run's
                self.quarantine(event, stage, failure(stage, exc))
                continue
            kept.append(event)
        self.events = kept


def failure(stage: str, exc: BaseException) -> str:
    """The reason a row failed in ``stage``, in words."""
    detail = str(exc) or type(exc).__name__
    return f"{stage} failed on this row: {type(exc).__name__}: {detail}"
