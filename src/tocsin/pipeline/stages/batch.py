"""What flows between stages: a batch of events plus the rows that were quarantined on the way."""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass(slots=True)
class Batch:
    """Events that are still alive, and rows quarantined so far; ``read`` counts input rows."""

    events: list[Event] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    read: int = 0
    duplicates: int = 0
    ranks: dict[str, int] = field(default_factory=dict)  # fingerprint → rank (see dedupe)
