"""Searching events: turns what a person typed into a validated filter, then asks the store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from tocsin.errors import InvalidValue
from tocsin.model import access, numbers, types
from tocsin.model.event import Event
from tocsin.model.fields import priority as sanitize_priority
from tocsin.model.people import Principal
from tocsin.model.taxonomy import classification_type
from tocsin.store.base import Store
from tocsin.store.shapes import EventFilter, EventPage


def make_filter(
    *,
    ip: str | None = None,
    asn: str | int | None = None,
    fqdn: str | None = None,
    url: str | None = None,
    type: str | None = None,
    constituent: str | None = None,
    priority: str | None = None,
    feed: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
    cursor: str | int | None = None,
) -> EventFilter:
    """A filter from text; a bad value raises ``InvalidValue`` naming the option and why."""

    def check(name: str, value: object, sanitizer: types.Sanitizer) -> object:
        if value is None or value == "":
            return None
        try:
            return sanitizer(value)
        except ValueError as exc:
            raise InvalidValue(name, value, str(exc)) from None

    ip_value = None
    if ip:
        ip_value = check("ip", ip, types.ip_network if "/" in ip else types.ip_address)
    since_value = check("since", since, types.datetime_utc)
    until_value = check("until", until, types.datetime_utc)
    before = check("cursor", cursor, numbers.row_id)
    if not 1 <= limit <= 1000:
        raise InvalidValue("limit", limit, "between 1 and 1000")
    return EventFilter(
        ip=ip_value,  # type: ignore[arg-type]
        asn=check("asn", asn, types.asn),  # type: ignore[arg-type]
        fqdn=check("fqdn", fqdn, types.fqdn),  # type: ignore[arg-type]
        url=check("url", url, types.url),  # type: ignore[arg-type]
        type=check("type", type, classification_type),  # type: ignore[arg-type]
        constituent=constituent or None,
        priority=check("priority", priority, sanitize_priority),  # type: ignore[arg-type]
        feed=feed or None,
        since=types.epoch_seconds(since_value) if since_value else None,  # type: ignore[arg-type]
        until=types.epoch_seconds(until_value) if until_value else None,  # type: ignore[arg-type]
        limit=limit,
        before=before,  # type: ignore[arg-type]
    )


def search(store: Store, who: Principal, query: EventFilter) -> EventPage:
    """Events are the team's working material: staff only (partners get what is shared)."""
    access.require(who, *access.STAFF)
    return store.search(replace(query, max_tlp=access.tlp_cap(who)))


class Events:
    """Searching the stored events, on the desk's store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def search(self, who: Principal, query: EventFilter) -> EventPage:
        return search(self.store, who, query)

    def matching(
        self, who: Principal, query: EventFilter, *, every: bool = False
    ) -> Iterator[Event]:
        """The events of one page, newest first, or (``every``) of every page after it."""
        while True:
            page = self.search(who, query)
            yield from page.events
            if not every or page.next_cursor is None:
                return
            query = replace(query, before=page.next_cursor)
