"""The sharing desk: partners and their agreements, releases with four eyes, and what each partner
may read or write over TAXII. Every decision is taken here, in the service layer, from the acting
person's role and organisation, the agreement and the TLP of each object; the TAXII routes only
parse and render.

- Staff (admin, lead, analyst, auditor) read every collection up to the same TLP cap as in the
  console (`model.access.tlp_cap`: RED only to admins, leads and auditors); admins and leads write.
- A partner sees a collection only through an agreement, and in it only objects at or below its
  ceiling (never RED) meant for everyone or for its organisation alone.
- What a partner writes is kept for the team and that partner only (audience = the partner): it
  reaches other partners only if the team releases it again.

Releases are decided in ``releases``; objects are checked and TAXII statuses built in ``objects``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model import access
from tocsin.model.limits import bounded
from tocsin.model.people import OrgKind, Principal, Role
from tocsin.model.share import (
    EVERYONE,
    Agreement,
    Collection,
    TlpRefused,
    check_release,
)
from tocsin.model.tlp import TLP
from tocsin.share.objects import failure, stix_object, taxii_status
from tocsin.share.releases import STAFF_WRITERS, SharingReleases
from tocsin.store.shapes import NewObject, ObjectQuery, Reader, Row


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


class Sharing(SharingReleases):
    """The sharing desk: partners, collections and agreements, what each may read or write over
    TAXII (here), releases with four eyes (``releases``)."""

    # -- partners, collections, agreements --------------------------------------------------------

    def add_collection(
        self, who: Principal, alias: str, title: str, description: str = ""
    ) -> Collection:
        access.require(who, *STAFF_WRITERS, scope="write")
        title = bounded("collection.title", title)
        description = bounded("collection.description", description)
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
                    "title": title or alias,
                    "description": description,
                    "created": self.now(),
                },
            )
            self._audit(conn, who, "share.collection", "collection", alias, {"title": title})
        found = self.share.collection(new_id)
        assert found is not None
        return found

    def add_partner(self, who: Principal, name: str) -> int:
        """A partner organisation (its users and tokens get role partner)."""
        access.require(who, *STAFF_WRITERS, scope="write")
        name = bounded("organisation.name", name)
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
            reader = Reader(who.org_id, access.tlp_cap(who), staff=True)
            return Access(collection, reader, True, write)
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
                failures.append(failure(item, str(exc)))
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
            status = taxii_status(status_id, now_us, stored, failures)
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


__all__ = ["Access", "Partner", "Sharing", "stix_object"]
