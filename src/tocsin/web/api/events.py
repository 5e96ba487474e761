"""``/api/v1/events``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tocsin.services import events as event_service
from tocsin.web.common.deps import ApiPrincipal, EventSearch
from tocsin.web.common.params import Id

router = APIRouter(tags=["events"])


class EventList(BaseModel):
    """A page of events, newest first; pass ``next_cursor`` as ``cursor`` for the next page."""

    events: list[dict[str, Any]] = Field(
        description="Events with harmonized dotted field names (source.ip, classification.type, …)"
    )
    next_cursor: int | None = Field(description="Cursor of the next page, null on the last page")


@router.get("/events", response_model=EventList, summary="Search events")
def list_events(
    who: ApiPrincipal,
    event_search: EventSearch,
    ip: Annotated[str | None, Query(description="Source address or CIDR network")] = None,
    asn: Annotated[str | None, Query(description="Source AS number")] = None,
    fqdn: Annotated[str | None, Query(description="Source domain name")] = None,
    url: Annotated[str | None, Query(description="Source URL")] = None,
    type: Annotated[str | None, Query(description="RSIT classification type")] = None,
    constituent: Annotated[str | None, Query(description="Constituent name")] = None,
    priority: Annotated[str | None, Query(description="P1 … P4")] = None,
    feed: Annotated[str | None, Query(description="Feed name")] = None,
    since: Annotated[str | None, Query(description="From this time (ISO 8601)")] = None,
    until: Annotated[str | None, Query(description="Before this time (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Page size")] = 100,
    cursor: Annotated[Id | None, Query(description="next_cursor of the previous page")] = None,
) -> EventList:
    query = event_service.make_filter(
        ip=ip,
        asn=asn,
        fqdn=fqdn,
        url=url,
        type=type,
        constituent=constituent,
        priority=priority,
        feed=feed,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    page = event_search.search(who, query)
    return EventList(events=page.events, next_cursor=page.next_cursor)
