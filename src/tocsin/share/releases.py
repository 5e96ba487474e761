"""Releases, with four eyes: the team's STIX objects put into a collection for every partner its
agreements allow, or for one named partner. RED never leaves; AMBER and above need a named partner
and wait for a lead other than the author when an agreement asks for approval. Each release and
decision is audited with what went to whom (counts per type, never the objects)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.limits import bounded
from tocsin.model.people import Principal, Role
from tocsin.model.share import (
    EVERYONE,
    FEED_CEILING,
    Collection,
    Release,
    ReleaseState,
    TlpRefused,
    check_release,
    needs_approval,
)
from tocsin.model.tlp import TLP
from tocsin.share.objects import stix_object
from tocsin.share.record import SharingRecord
from tocsin.store.shapes import EventFilter, EventPage, NewObject

STAFF_WRITERS = (Role.ADMIN, Role.LEAD)


class SharingReleases(SharingRecord):
    """What leaves for partners, and who decided it."""

    def ceiling(self, collection: str, partner: str | None) -> TLP:
        """The most restrictive level an audience may have in a collection: GREEN for everyone,
        the agreement's ceiling (at most what a feed carries) for one named partner."""
        if partner is None:
            return TLP.GREEN
        org = self.partner(partner)
        found = self.collection(collection)
        agreements = self.share.agreements(org_id=org.id, collection_id=found.id)
        if not agreements:
            raise NotFound(f"{partner} has no agreement on {found.alias}")
        return min(agreements[0].ceiling, FEED_CEILING)

    def events(self, query: EventFilter) -> EventPage:
        """A page of the team's events, at every TLP: what a release is drawn from (the
        publisher leaves out what its audience may not have)."""
        return self.store.search(query)

    def release(
        self,
        who: Principal,
        collection: str,
        objects: Sequence[dict[str, Any]],
        *,
        partner: str | None = None,
        summary: str = "",
    ) -> Release:
        """Put STIX objects into a collection for everyone its agreements allow, or for one named
        partner. RED is refused; AMBER and above need a named partner, and wait for a lead when an
        agreement of the collection asks for approval."""
        access.require(who, Role.ADMIN, Role.LEAD, Role.ANALYST, scope="write")
        found = self.collection(collection)
        audience = EVERYONE
        if partner is not None:
            audience = self.partner(partner).id
        new = [stix_object(o) for o in objects]
        level = max((n.tlp for n in new), default=TLP.CLEAR)
        try:
            check_release(level, audience)
        except TlpRefused as exc:
            raise Forbidden(str(exc)) from None
        agreements = self.share.agreements(collection_id=found.id)
        if audience != EVERYONE:
            agreements = [a for a in agreements if a.org_id == audience]
            if not agreements or level > agreements[0].ceiling:
                raise Forbidden(f"the agreement with {partner} does not reach {level.label}")
        pending = needs_approval(level, agreements)
        now = self.now()
        with self.store.transaction() as conn:
            release_id = self.share.add_release(
                conn,
                {
                    "collection_id": found.id,
                    "audience": audience,
                    "tlp": int(level),
                    "state": (ReleaseState.PENDING if pending else ReleaseState.RELEASED).value,
                    "author": who.username,
                    "created": now,
                    "approver": None,
                    "decided": None if pending else now,
                    "objects": len(new),
                    "summary": summary[:500],
                    "payload": orjson.dumps(list(objects)).decode(),
                },
            )
            details = _what(found, audience, level, new, self._org_name(audience))
            if pending:
                self._audit(conn, who, "share.request", "release", str(release_id), details)
            else:
                self.share.add_objects(
                    conn,
                    found.id,
                    new,
                    audience=audience,
                    now_us=self.clock_us(),
                    release_id=release_id,
                )
                self._audit(conn, who, "share.release", "release", str(release_id), details)
        done = self.share.release(release_id)
        assert done is not None
        return done[0]

    def approve(self, who: Principal, release_id: int) -> Release:
        """A lead other than the author lets a pending release go."""
        return self._decide(who, release_id, approve=True)

    def refuse(self, who: Principal, release_id: int, reason: str) -> Release:
        said = bounded("release.reason", reason)
        return self._decide(who, release_id, approve=False, reason=said)

    def releases(self, who: Principal, state: ReleaseState | None = None) -> list[Release]:
        access.require(who, Role.ADMIN, Role.LEAD, Role.ANALYST, Role.AUDITOR)
        return self.share.releases(state)

    def _decide(
        self, who: Principal, release_id: int, *, approve: bool, reason: str = ""
    ) -> Release:
        access.require(who, *STAFF_WRITERS, scope="write")
        with self.store.transaction() as conn:
            found = self.share.release(release_id, conn)
            if found is None:
                raise NotFound(f"no release {release_id}")
            release, payload = found
            if release.state is not ReleaseState.PENDING:
                raise InvalidValue("release", release_id, f"already {release.state.value}")
            if release.author == who.username:
                raise Forbidden("four eyes: a lead other than its author approves a release")
            collection = self.share.collection(release.collection_id)
            assert collection is not None
            new = [stix_object(o) for o in orjson.loads(payload)]
            state = ReleaseState.RELEASED if approve else ReleaseState.REFUSED
            self.share.decide_release(
                conn, release_id, state=state.value, approver=who.username, decided=self.now()
            )
            details = _what(
                collection, release.audience, release.tlp, new, self._org_name(release.audience)
            )
            if approve:
                self.share.add_objects(
                    conn,
                    release.collection_id,
                    new,
                    audience=release.audience,
                    now_us=self.clock_us(),
                    release_id=release_id,
                )
                self._audit(
                    conn,
                    who,
                    "share.release",
                    "release",
                    str(release_id),
                    {**details, "author": release.author},
                )
            else:
                self._audit(
                    conn,
                    who,
                    "share.refuse",
                    "release",
                    str(release_id),
                    {**details, "reason": reason},
                )
        done = self.share.release(release_id)
        assert done is not None
        return done[0]


def _what(
    collection: Collection, audience: int, level: TLP, objects: Iterable[NewObject], to: str
) -> dict[str, Any]:
    """What went to whom, for the audit log: counts per type, never the objects themselves."""
    items = list(objects)
    return {
        "collection": collection.alias,
        "to": to,
        "audience": audience,
        "tlp": level.value_name,
        "objects": len(items),
        "types": dict(Counter(o.type for o in items)),
    }


__all__ = ["STAFF_WRITERS", "SharingReleases"]
