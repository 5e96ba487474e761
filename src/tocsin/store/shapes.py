"""The shapes the storage protocols take and return, free of any backend's types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NewType

from tocsin.model.event import Event
from tocsin.model.tlp import TLP

Transaction = NewType("Transaction", object)
"""A unit of work opened by ``Store.transaction()``: the store's writes given it commit together
or not at all. Only the store that opened it looks inside."""

# -- events and quarantined rows -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What ``tocsin events`` and ``/api/v1/events`` can ask for; all conditions must hold."""

    ip: str | None = None  # an address, or a network in CIDR notation
    asn: int | None = None
    fqdn: str | None = None
    url: str | None = None
    type: str | None = None
    constituent: str | None = None
    priority: str | None = None
    feed: str | None = None
    since: int | None = None  # Unix seconds, on time.source (time.observation when absent)
    until: int | None = None
    limit: int = 100
    before: int | None = None  # cursor: the id of the last event of the previous page
    max_tlp: int | None = None  # only events at this TLP level or below (TLP's IntEnum values)


@dataclass(frozen=True, slots=True)
class EventPage:
    events: list[Event]
    next_cursor: int | None


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    id: int
    feed: str
    file: str
    line: int
    stage: str
    reason: str
    raw: str
    created: int


# -- shared STIX objects -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reader:
    """Whose view: staff see every audience, a partner audience 0 and its own; each up to its
    ceiling."""

    org_id: int | None
    ceiling: TLP | None  # None: no ceiling
    staff: bool = False  # every audience (the team's own view), not only 0 and ``org_id``


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    """The TAXII filters, already checked. Versions: "first", "last", "all" or µs timestamps."""

    added_after: int | None = None  # µs
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str | int, ...] = ("last",)
    spec_versions: tuple[str, ...] = ()
    limit: int = 1000
    # Of an object's versions (sorted by version, then date_added): only those after this
    # (version, date_added), the last one a previous page gave.
    after_version: tuple[int, int] | None = None

    def versions_shape(self) -> tuple[str, ...]:
        """The words among the versions asked for (timestamps are parameters)."""
        return tuple(sorted(v for v in self.versions if isinstance(v, str)))


@dataclass(frozen=True, slots=True)
class NewObject:
    """One STIX object to store: its identity, version (µs; 0 for none), TLP and JSON text."""

    object_id: str
    type: str
    spec_version: str
    version: int
    tlp: TLP
    data: str


@dataclass(slots=True)
class Stored:
    """What ``add_objects`` did: the new rows, and the objects that were already there."""

    added: list[tuple[str, int]] = field(default_factory=list)  # (object_id, version)
    present: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Row:
    date_added: int
    object_id: str
    version: int
    type: str
    data: str


__all__ = [
    "EventFilter",
    "EventPage",
    "NewObject",
    "ObjectQuery",
    "QuarantineEntry",
    "Reader",
    "Row",
    "Stored",
    "Transaction",
]


# -- what /metrics shows -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    """The store's counts a scrape of ``/metrics`` reads: each from an index, none scanning every
    event (the events by feed are those stored after ``Store.figures``'s ``after_event``)."""

    events_by_feed: dict[str, int]  # events with an id above ``after_event``, by feed
    last_event: int  # the highest event id (0: none), the next scrape's ``after_event``
    quarantined_by_feed: dict[str, int]
    open_by_priority: dict[str, int]  # open incidents (not merged), by priority
    breached_open: dict[tuple[str, str], int]  # open incidents by (priority, clock breached)
    notices_by_status: dict[str, int]


# -- what the console's dashboard counts ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IncidentTally:
    """Incidents created on one UTC day (days since 1970-01-01) of one type and sector."""

    day: int
    type: str
    sector: str | None
    count: int


@dataclass(frozen=True, slots=True)
class EventTally:
    """Events observed on one UTC day (days since 1970-01-01) from one feed, of one type."""

    day: int
    feed: str
    type: str
    count: int


@dataclass(frozen=True, slots=True)
class AgeTally:
    """Open incidents of one priority in one age bucket (the index of the bucket asked for)."""

    priority: str
    bucket: int
    count: int


@dataclass(frozen=True, slots=True)
class ResponseTally:
    """Incidents of one priority created in one period (the index of the period asked for),
    with the totals their mean times to acknowledge and to resolve are made of."""

    period: int
    priority: str
    incidents: int
    acknowledged: int
    acknowledge_seconds: int  # the sum, over those acknowledged, of creation → acknowledgement
    resolved: int
    resolve_seconds: int  # the sum, over those resolved, of creation → resolution less waiting


@dataclass(frozen=True, slots=True)
class NoticeTally:
    """Notices sent on one UTC day (days since 1970-01-01), and how many of them were
    acknowledged since."""

    day: int
    sent: int
    acknowledged: int
