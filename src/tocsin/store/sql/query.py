"""An ``EventFilter`` as conditions on the ``events`` table.

The indexes by address, domain and URL begin with the event's day (schema.events), so a lookup by
one of them names the days to visit: ``days`` answers them (those of ``event_days`` within the
filter's time range), and ``conditions`` adds them beside the lookup.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from tocsin.model.fields import PRIORITIES
from tocsin.store.rows import DAY, ip_bytes
from tocsin.store.shapes import EventFilter
from tocsin.store.sql import schema

_E = schema.events
_D = schema.event_days


def by_day(query: EventFilter) -> bool:
    """Whether the filter looks up an index kept by day (address, domain, URL)."""
    return query.ip is not None or query.fqdn is not None or query.url is not None


def days(conn: sa.Connection, query: EventFilter) -> list[int]:
    """The days holding events within the filter's time range, oldest first."""
    stmt = sa.select(_D.c.day).order_by(_D.c.day)
    if query.since is not None:
        stmt = stmt.where(_D.c.day >= query.since // DAY)
    if query.until is not None:
        stmt = stmt.where(_D.c.day <= (query.until - 1) // DAY)
    return list(conn.execute(stmt).scalars())


def conditions(
    query: EventFilter, on_days: list[int] | None = None
) -> Iterator[sa.ColumnElement[bool]]:
    """What every event of the answer must satisfy, one condition per field asked for;
    ``on_days`` (from ``days``) when ``by_day(query)``."""
    if on_days is not None:
        yield _E.c.day.in_(on_days)
    if query.ip is not None:
        yield _address(query.ip)
    equal: tuple[tuple[Any, sa.Column[Any]], ...] = (
        (query.asn, _E.c.source_asn),
        (query.fqdn, _E.c.source_fqdn),
        (query.url, _E.c.source_url),
        (query.type, _E.c.type),
        (query.constituent, _E.c.constituent),
        (_priority(query.priority), _E.c.priority),
        (query.feed, _E.c.feed),
    )
    for value, column in equal:
        if value is not None:
            yield column == value
    if query.since is not None:
        yield _E.c.event_time >= query.since
    if query.until is not None:
        yield _E.c.event_time < query.until
    if query.before is not None:
        yield _E.c.id < query.before
    if query.max_tlp is not None:
        yield _E.c.tlp <= query.max_tlp


def _address(ip: str) -> sa.ColumnElement[bool]:
    """An address matches itself; a network (CIDR), the byte range of its addresses."""
    if "/" not in ip:
        return _E.c.source_ip == ip_bytes(ip)
    net = ipaddress.ip_network(ip, strict=False)
    low = ip_bytes(str(net.network_address))
    high = ip_bytes(str(net.broadcast_address))
    return _E.c.source_ip.between(low, high)


def _priority(name: str | None) -> int | None:
    return PRIORITIES.index(name) + 1 if name is not None else None
