"""The sharing desk: partners and their agreements, releases with four eyes, and what each partner
may read or write over TAXII. Every decision is taken here, in the service layer, from the acting
person's role and organisation, the agreement and the TLP of each object; the TAXII routes only
parse and render.

- Staff (admin, lead, analyst, auditor) read every collection; admins and leads write.
- A partner sees a collection only through an agreement, and in it only objects at or below its
  ceiling (never RED) meant for everyone or for its organisation alone.
- What a partner writes is kept for the team and that partner only (audience = the partner): it
  reaches other partners only if the team releases it again.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.formats.markings import tlp_of_refs
from tocsin.model import access
from tocsin.model.clock import Now, wall_clock
from tocsin.model.people import Organisation, OrgKind, Principal, Role
from tocsin.model.share import (
    EVERYONE,
    FEED_CEILING,
    Agreement,
    Collection,
    Release,
    ReleaseState,
    TlpRefused,
    check_release,
    needs_approval,
)
from tocsin.model.tlp import TLP
from tocsin.store.base import Store
from tocsin.store.shapes import (
    EventFilter,
    EventPage,
    NewObject,
    ObjectQuery,
    Reader,
    Row,
    Stored,
    Transaction,
)

STAFF_WRITERS = (Role.ADMIN, Role.LEAD)
CONTEXT_TYPES = frozenset({"marking-definition", "extension-definition"})


@dataclass(frozen=True, slots=True)
class Access:
    collection: Collection
    reader: Reader
    can_read: bool
    can_write: bool


@dataclass(frozen=True, slots=True)
class Partner:
    org_id: int
    name: str
    agreements: tuple[Agreement, ...]


class Sharing:
    def __init__(
        self, store: Store, *, now: Now = wall_clock, clock_us: Callable[[], int] | None = None
    ) -> None:
        self.store = store
        self.share = store.share
        self.people = store.people
        self.now = now
        self.clock_us = clock_us or (lambda: self.now() * 1_000_000)

    # -- partners, collections, agreements --------------------------------------------------------

    def add_collection(
        self, who: Principal, alias: str, title: str, description: str = ""
    ) -> Collection:
        access.require(who, *STAFF_WRITERS, scope="write")
        alias = alias.strip().lower()
        if not alias or not alias.replace("-", "").isalnum():
            raise InvalidValue("alias", alias, "letters, digits and dashes")
        if self.share.collection(alias) is not None:
            raise InvalidValue("alias", alias, "a collection of that alias exists")
        with self.store.transaction() as conn:
            new_id = self.share.add_collection(
                conn,
                {
                    "uuid": str(uuid.uuid4()),
                    "alias": alias,
                    "title": title.strip() or alias,
                    "description": description.strip(),
                    "created": self.now(),
                },
            )
            self._audit(conn, who, "share.collection", "collection", alias, {"title": title})
        found = self.share.collection(new_id)
        assert found is not None
        return found

    def collection(self, key: str) -> Collection:
        found = self.share.collection(key)
        if found is None:
            raise NotFound(f"no collection {key!r}")
        return found

    def partner(self, name: str) -> Organisation:
        """The partner organisation of that name; NotFound when there is none."""
        org = self.people.organisation_named(name.strip())
        if org is None or org.kind is not OrgKind.PARTNER:
            raise NotFound(f"no partner {name!r}")
        return org

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

    def add_partner(self, who: Principal, name: str) -> int:
        """A partner organisation (its users and tokens get role partner)."""
        access.require(who, *STAFF_WRITERS, scope="write")
        name = name.strip()
        if not name:
            raise InvalidValue("name", name, "a partner needs a name")
        found = self.people.organisation_named(name)
        if found is not None:
            if found.kind is not OrgKind.PARTNER:
                raise InvalidValue("name", name, f"{name!r} is not a partner organisation")
            return found.id
        with self.store.transaction() as conn:
            org = self.people.add_organisation(conn, name, OrgKind.PARTNER)
            self._audit(conn, who, "partner.create", "organisation", name, {})
        return org.id

    def set_agreement(
        self,
        who: Principal,
        partner: str,
        collection: str,
        *,
        read: bool,
        write: bool,
        max_tlp: TLP,
        approval: bool,
    ) -> Agreement:
        access.require(who, *STAFF_WRITERS, scope="write")
        org = self.partner(partner)
        found = self.collection(collection)
        if max_tlp is TLP.RED:
            raise InvalidValue("max_tlp", "RED", "TLP:RED never leaves through a feed")
        agreement = Agreement(org.id, found.id, read, write, max_tlp, approval)
        with self.store.transaction() as conn:
            self.share.set_agreement(conn, agreement, self.now())
            self._audit(
                conn,
                who,
                "partner.agreement",
                "organisation",
                org.name,
                {
                    "collection": found.alias,
                    "read": read,
                    "write": write,
                    "max_tlp": max_tlp.value_name,
                    "approval": approval,
                },
            )
        return agreement

    def partners(self, who: Principal) -> list[Partner]:
        access.require(who, Role.ADMIN, Role.LEAD, Role.ANALYST, Role.AUDITOR)
        agreements = self.share.agreements()
        return [
            Partner(o.id, o.name, tuple(a for a in agreements if a.org_id == o.id))
            for o in self.people.organisations()
            if o.kind is OrgKind.PARTNER
        ]

    def names(self) -> tuple[dict[int, str], dict[int, str]]:
        """Collections' aliases and organisations' names by id, to show releases and agreements."""
        collections = {c.id: c.alias for c in self.share.collections()}
        return collections, {o.id: o.name for o in self.people.organisations()}

    def sizes(self, who: Principal) -> list[tuple[Collection, int]]:
        """Every collection with how many object versions it holds (staff)."""
        access.require(who, *access.STAFF)
        return [(c, self.share.count_objects(c.id)) for c in self.share.collections()]

    # -- what a person may do with a collection ----------------------------------------------------

    def access(self, who: Principal, key: str) -> Access:
        partner = who.role is Role.PARTNER
        found = self.share.collection_for(key, (who.org_id or -1) if partner else -1)
        if found is None:
            raise NotFound("no such collection")
        collection, agreement = found
        if not partner:
            write = who.user_id is None or (who.role in STAFF_WRITERS and "write" in who.scopes)
            return Access(collection, Reader(who.org_id, None), True, write)
        if agreement is None:
            raise NotFound("no such collection")  # a partner never learns what it may not see
        return Access(
            collection,
            Reader(who.org_id, agreement.ceiling),
            agreement.can_read,
            agreement.can_write and "write" in who.scopes,
        )

    def collections(self, who: Principal) -> list[Access]:
        if who.role is not Role.PARTNER:
            return [self.access(who, c.uuid) for c in self.share.collections()]
        mine = {a.collection_id for a in self.share.agreements(org_id=who.org_id or -1)}
        return [self.access(who, c.uuid) for c in self.share.collections() if c.id in mine]

    def readable(self, who: Principal, key: str) -> Access:
        found = self.access(who, key)
        if not found.can_read:
            raise Forbidden("this collection may not be read under your agreement")
        return found

    def page(self, who: Principal, key: str, query: ObjectQuery) -> tuple[list[Row], bool]:
        """A page of objects and whether more follow."""
        found = self.readable(who, key)
        rows = self.share.page(found.collection.id, found.reader, query)
        return rows[: query.limit], len(rows) > query.limit

    def versions(
        self, who: Principal, key: str, object_id: str, query: ObjectQuery
    ) -> tuple[list[Row], bool]:
        found = self.readable(who, key)
        rows = self.share.versions(found.collection.id, found.reader, object_id, query)
        return rows[: query.limit], len(rows) > query.limit

    # -- writing over TAXII ----------------------------------------------------------------------

    def add_envelope(self, who: Principal, key: str, objects: Sequence[Any]) -> dict[str, Any]:
        """Store the objects of a POSTed envelope; returns the TAXII status resource (complete:
        every object is decided before the answer)."""
        found = self.access(who, key)
        if not found.can_write:
            raise Forbidden("this collection may not be written under your agreement")
        partner = who.role is Role.PARTNER
        audience = (who.org_id or EVERYONE) if partner else EVERYONE
        good: list[NewObject] = []
        failures: list[dict[str, Any]] = []
        for item in objects:
            try:
                new = stix_object(item)
                if not partner:
                    check_release(new.tlp, audience)
                good.append(new)
            except (ValueError, TlpRefused) as exc:
                failures.append(_failure(item, str(exc)))
        now_us = self.clock_us()
        status_id = str(uuid.uuid4())
        with self.store.transaction() as conn:
            stored = self.share.add_objects(
                conn,
                found.collection.id,
                good,
                audience=audience,
                now_us=now_us,
                source_org=who.org_id if partner else None,
            )
            status = _status(status_id, now_us, stored, failures)
            self.share.put_status(
                conn, status_id, who.org_id, self.now(), orjson.dumps(status).decode()
            )
            self._audit(
                conn,
                who,
                "share.receive",
                "collection",
                found.collection.alias,
                {
                    "status": status_id,
                    "added": len(stored.added),
                    "present": len(stored.present),
                    "failed": len(failures),
                },
            )
        return status

    def delete(self, who: Principal, key: str, object_id: str, query: ObjectQuery) -> int:
        """Take an object (some or all of its versions) out of a collection: admins and leads."""
        access.require(who, *STAFF_WRITERS, scope="write")
        found = self.access(who, key)
        with self.store.transaction() as conn:
            gone = self.share.delete_object(conn, found.collection.id, object_id, query)
            if gone == 0:
                raise NotFound(f"no object {object_id} here")
            self._audit(
                conn,
                who,
                "share.delete",
                "collection",
                found.collection.alias,
                {"object": object_id, "versions": gone},
            )
        return gone

    def status(self, who: Principal, status_id: str) -> dict[str, Any]:
        found = self.share.status(status_id)
        if found is None or (who.role is Role.PARTNER and found[0] != who.org_id):
            raise NotFound("no such status")
        result: dict[str, Any] = orjson.loads(found[1])
        return result

    # -- releases, with four eyes ---------------------------------------------------------------

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
        return self._decide(who, release_id, approve=False, reason=reason)

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
                    {**details, "reason": reason[:500]},
                )
        done = self.share.release(release_id)
        assert done is not None
        return done[0]

    # -- what a release draws on, and the record of what left -----------------------------------

    def events(self, query: EventFilter) -> EventPage:
        """A page of the team's events, at every TLP: what a release is drawn from (the
        publisher leaves out what its audience may not have)."""
        return self.store.search(query)

    def audit(
        self, who: Principal, action: str, kind: str, key: str, details: dict[str, Any]
    ) -> None:
        """An audit entry in a transaction of its own (what left by a channel not stored here)."""
        with self.store.transaction() as conn:
            self._audit(conn, who, action, kind, key, details)

    def org_name(self, org_id: int, default: str | None = None) -> str:
        """An organisation's name by id (``default``, else the id, when there is none of it)."""
        found = (o.name for o in self.people.organisations() if o.id == org_id)
        return next(found, str(org_id) if default is None else default)

    # -- helpers ---------------------------------------------------------------------------------

    def _org_name(self, org_id: int) -> str:
        if org_id == EVERYONE:
            return "every partner of the collection"
        return self.org_name(org_id)

    def _audit(
        self,
        conn: Transaction,
        who: Principal,
        action: str,
        kind: str,
        key: str,
        details: dict[str, Any],
    ) -> None:
        self.store.cases.append_audit(
            conn,
            at=self.now(),
            actor=who.username,
            action=action,
            object_type=kind,
            object_id=key,
            details=details,
        )


def stix_object(item: Any) -> NewObject:
    """A STIX 2.1 object as stored: its id, version and TLP checked (ValueError with the reason)."""
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    object_id, kind = item.get("id"), item.get("type")
    if (
        not isinstance(object_id, str)
        or not isinstance(kind, str)
        or not object_id.startswith(kind + "--")
    ):
        raise ValueError("an object needs a type and an id of the form <type>--<uuid>")
    try:
        uuid.UUID(object_id.split("--", 1)[1])
    except ValueError:
        raise ValueError(f"{object_id!r}: the id does not end with a UUID") from None
    spec = item.get("spec_version", "2.1")
    if spec != "2.1":
        raise ValueError(f"{object_id}: spec_version {spec!r}: TAXII 2.1 carries STIX 2.1")
    moment = item.get("modified") or item.get("created")
    version = timestamp_us(moment) if moment is not None else 0
    refs = item.get("object_marking_refs") or ()
    level = tlp_of_refs(refs) if refs else None
    if level is None:
        # Unmarked: a marking definition and an organisation's identity (a producer) are public;
        # anything else is kept as AMBER, the most careful level that can still go to one named
        # partner.
        public = kind in CONTEXT_TYPES or (
            kind == "identity" and item.get("identity_class") == "organization"
        )
        level = TLP.CLEAR if public else TLP.AMBER
    return NewObject(object_id, kind, "2.1", version, level, orjson.dumps(item).decode())


def timestamp_us(value: Any) -> int:
    """An RFC 3339 UTC timestamp (``2026-11-28T10:00:00.123Z``) in microseconds."""
    if not isinstance(value, str) or not value.endswith("Z") or "T" not in value:
        raise ValueError(f"not a STIX timestamp: {value!r}")
    text = value[:-1]
    whole, _, fraction = text.partition(".")
    try:
        moment = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"not a STIX timestamp: {value!r}") from None
    if fraction and not fraction.isdigit():
        raise ValueError(f"not a STIX timestamp: {value!r}")
    micro = int((fraction + "000000")[:6]) if fraction else 0
    return int(moment.timestamp()) * 1_000_000 + micro


def format_us(value: int) -> str:
    """Microseconds as a TAXII timestamp, with microsecond precision."""
    seconds, micro = divmod(value, 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{micro:06d}Z"


def _status(
    status_id: str, now_us: int, stored: Stored, failures: list[dict[str, Any]]
) -> dict[str, Any]:
    successes = [
        {"id": i, "version": format_us(v) if v else None} for i, v in stored.added + stored.present
    ]
    for s in successes:
        if s["version"] is None:
            del s["version"]
    return {
        "id": status_id,
        "status": "complete",
        "request_timestamp": format_us(now_us),
        "total_count": len(successes) + len(failures),
        "success_count": len(successes),
        "successes": successes,
        "failure_count": len(failures),
        "failures": failures,
        "pending_count": 0,
        "pendings": [],
    }


def _failure(item: Any, message: str) -> dict[str, Any]:
    object_id = item.get("id") if isinstance(item, dict) else None
    return {"id": object_id if isinstance(object_id, str) else "", "message": message[:300]}


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
