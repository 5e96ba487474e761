"""Releasing the team's events and incidents to a collection, as STIX 2.1.

The events chosen are those the audience may have: at GREEN or below for every partner of the
collection, up to the agreement's ceiling for one named partner. What is above is left out and
counted, never lowered. An expired indicator (``tocsin.valid_until`` passed, by the sharing
desk's clock) is left out and counted too: it is never shared again as current. Each release
carries the producer's identity and the marking definitions its objects use, so a partner's
tools can read it alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tocsin.cases.incidents import Incidents
from tocsin.formats import misp, stix
from tocsin.model import access
from tocsin.model.event import Event, expired
from tocsin.model.people import Principal, Role
from tocsin.model.share import Release
from tocsin.model.tlp import TLP
from tocsin.pipeline.parsers.base import Source
from tocsin.pipeline.parsers.stix import StixParser
from tocsin.share.sharing import Sharing
from tocsin.store.shapes import EventFilter, ObjectQuery

MAX_EVENTS = 100_000  # one release at most; a larger one is cut into several by time


@dataclass(frozen=True, slots=True)
class Published:
    release: Release
    events: int
    left_out: int  # above what the audience may have
    expired: int = 0  # indicators past their valid_until, left out too


class Publisher:
    def __init__(self, sharing: Sharing, incidents: Incidents, team: str) -> None:
        self.sharing = sharing
        self.incidents = incidents
        self.team = team
        self.producer = stix.producer_identity(team)

    def ceiling(self, collection: str, partner: str | None) -> TLP:
        """The most restrictive level the audience may have."""
        return self.sharing.ceiling(collection, partner)

    def events(
        self, who: Principal, collection: str, query: EventFilter, *, partner: str | None = None
    ) -> Published:
        access.require(who, Role.ADMIN, Role.LEAD, Role.ANALYST, scope="write")
        ceiling = self.ceiling(collection, partner)
        now = self.sharing.now()
        chosen: list[Event] = []
        left_out = gone = 0
        for event in _all(self.sharing, query):
            if expired(event, now):
                gone += 1
            elif TLP.parse(event.get("tlp", "AMBER")) <= ceiling:
                chosen.append(event)
            else:
                left_out += 1
        objects = self._objects(chosen)
        words = (
            f"{len(chosen)} events ({_describe(query)}); {left_out} above {ceiling.label} left out"
            + (f"; {gone} expired left out" if gone else "")
        )
        release = self.sharing.release(who, collection, objects, partner=partner, summary=words)
        return Published(release, len(chosen), left_out, gone)

    def incident(
        self, who: Principal, collection: str, reference: str, *, partner: str | None = None
    ) -> Published:
        """An incident, with its events that the audience may have. The incident itself travels
        at its own TLP: if that is above the audience's ceiling, the release is refused."""
        access.require(who, Role.ADMIN, Role.LEAD, Role.ANALYST, scope="write")
        incident = self.incidents.by_reference(who, reference)
        ceiling = self.ceiling(collection, partner)
        linked = self.incidents.linked_events(who, incident, limit=10_000)
        now = self.sharing.now()
        current = [e for e in linked if not expired(e, now)]
        chosen = [e for e in current if TLP.parse(e.get("tlp", "AMBER")) <= ceiling]
        objects = self._objects(chosen)
        kinds = ("observed-data", "indicator", "sighting")
        refs = [str(o["id"]) for o in objects if o["type"] in kinds]
        objects += stix.incident_objects(incident, refs, self.producer)
        words = f"incident {incident.reference} with {len(chosen)} of its {len(linked)} events"
        release = self.sharing.release(who, collection, objects, partner=partner, summary=words)
        gone = len(linked) - len(current)
        return Published(release, len(chosen), len(current) - len(chosen), gone)

    def misp_feed(
        self, who: Principal, collection: str, directory: str | Path, *, partner: str
    ) -> MispFeed:
        """What ``partner`` may read in ``collection``, written as the team's MISP feed."""
        return misp_feed(self.sharing, who, collection, directory, partner=partner, team=self.team)

    def _objects(self, events: list[Event]) -> list[dict[str, Any]]:
        """The STIX objects of the events, the producer and the marking definitions they use; an
        observable shared by several events travels once, at the most restrictive of their TLPs."""
        objects: list[dict[str, Any]] = [self.producer]
        for event in events:
            objects.extend(stix.event_objects(event, self.producer))
        merged: list[dict[str, Any]] = stix.bundle(objects)["objects"]
        return merged


def misp_feed(
    sharing: Sharing,
    who: Principal,
    collection: str,
    directory: str | Path,
    *,
    partner: str,
    team: str,
) -> MispFeed:
    """Write, as a MISP feed, what ``partner`` may read in ``collection``: exactly the objects
    its agreement lets it read over TAXII (so four-eyes release holds for this channel too), read
    back through the ``stix`` parser and grouped into one MISP event per type and day. An expired
    indicator (past its ``valid_until`` by the desk's clock) is left out and counted."""
    access.require(who, Role.ADMIN, Role.LEAD, scope="write")
    org = sharing.partner(partner)
    view = Principal(None, f"partner:{org.name}", Role.PARTNER, org.id, frozenset({"read"}))
    found = sharing.readable(view, collection)
    objects: list[str] = []
    query = ObjectQuery(limit=1000)
    while True:
        rows, more = sharing.page(view, collection, query)
        objects.extend(r.data for r in rows)
        if not more or not rows:
            break
        query = replace(query, added_after=rows[-1].date_added)
    document = ("[" + ",".join(objects) + "]").encode()
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    unmapped = gone = 0
    now = sharing.now()
    for record in StixParser().parse(Source(f"taxii:{found.collection.alias}", data=document)):
        if record.fields is None:
            unmapped += 1
            continue
        if _expired(record.fields, now):
            gone += 1
            continue
        moment = str(
            record.fields.get("time.source") or record.fields.get("time.observation") or ""
        )
        key = (str(record.fields.get("classification.type") or "undetermined"), moment[:10])
        groups.setdefault(key, []).append(record.fields)
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"tocsin:{found.collection.uuid}:{org.id}")
    org_uuid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"tocsin:producer:{team}"))
    events = [
        misp.misp_event(
            f"{team}: {kind} ({day or 'undated'})",
            members,
            org_name=team,
            org_uuid=org_uuid,
            date=day or "1970-01-01",
            uuid=str(uuid.uuid5(namespace, f"{kind}|{day}")),
        )
        for (kind, day), members in sorted(groups.items())
    ]
    files = misp.write_feed(directory, events)
    sharing.audit(
        who,
        "share.misp_feed",
        "collection",
        found.collection.alias,
        {
            "to": org.name,
            "misp_events": len(events),
            "events": sum(len(m) for m in groups.values()),
            "unmapped": unmapped,
            "expired": gone,
        },
    )
    return MispFeed(files, sum(len(m) for m in groups.values()), unmapped, gone)


@dataclass(frozen=True, slots=True)
class MispFeed:
    files: list[Path]
    events: int
    unmapped: int  # objects the parser could not read back as events (none from Tocsin itself)
    expired: int = 0  # indicators past their valid_until, left out


def _expired(fields: dict[str, Any], now: int) -> bool:
    """Expired, or with a ``valid_until`` that cannot be read (left out: fail closed)."""
    try:
        return expired(fields, now)
    except ValueError:
        return True


def _all(sharing: Sharing, query: EventFilter) -> Iterator[Event]:
    """Every event matching (newest first), page after page, up to MAX_EVENTS."""
    seen = 0
    page = replace(query, limit=1000, max_tlp=None)
    while True:
        found = sharing.events(page)
        for event in found.events:
            yield event
            seen += 1
            if seen >= MAX_EVENTS:
                return
        if found.next_cursor is None:
            return
        page = replace(page, before=found.next_cursor)


def _describe(query: EventFilter) -> str:
    parts = [
        f"{k}={v}"
        for k, v in (
            ("type", query.type),
            ("feed", query.feed),
            ("constituent", query.constituent),
            ("since", query.since),
            ("until", query.until),
            ("ip", query.ip),
        )
        if v is not None
    ]
    return ", ".join(parts) or "all"
