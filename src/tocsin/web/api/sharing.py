"""``/api/v1/sharing``: the sharing desk for API tokens, as the console's ``/sharing`` page and
``tocsin share``/``tocsin partners`` keep it: collections (list, add), partners and their
agreements (list, add a partner, set what it may do with a collection), releases (list, release
an incident or a choice of events to a collection for every partner or one named partner,
approve or refuse a pending one). ``Sharing`` and ``Publisher`` decide who may do what (staff
read; analysts, leads and admins release; leads and admins keep partners, collections and
agreements and decide releases, never their own) and audit every change; TLP:RED never leaves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tocsin.errors import InvalidValue
from tocsin.model.share import EVERYONE, Agreement, Release, ReleaseState
from tocsin.model.tlp import TLP
from tocsin.services.desk import Desk
from tocsin.services.events import make_filter
from tocsin.web.api.incidents import WRITE_ERRORS
from tocsin.web.common.deps import ApiPrincipal, Services
from tocsin.web.common.params import PathId

router = APIRouter(prefix="/sharing", tags=["sharing"])

Level = Literal["CLEAR", "GREEN", "AMBER", "AMBER+STRICT"]


class CollectionOut(BaseModel):
    alias: str
    title: str
    description: str
    taxii_id: str = Field(description="The collection's id under TAXII 2.1")
    objects: int = Field(description="Object versions it holds")


class CollectionIn(BaseModel):
    alias: str = Field(description="Letters, digits and dashes; unique")
    title: str = ""
    description: str = ""


class AgreementOut(BaseModel):
    collection: str
    read: bool
    write: bool
    max_tlp: str = Field(description="The most restrictive TLP the partner may read there")
    approval: bool = Field(description="A second lead approves TLP:AMBER and above first")


class AgreementIn(BaseModel):
    read: bool = True
    write: bool = False
    max_tlp: Level = "GREEN"
    approval: bool = True


class PartnerOut(BaseModel):
    name: str
    agreements: list[AgreementOut]


class PartnerIn(BaseModel):
    name: str = Field(description="The partner organisation, e.g. CERT-XY")


class ReleaseOut(BaseModel):
    id: int
    state: str = Field(description="pending, released or refused")
    collection: str
    to: str | None = Field(description="The partner, or null for every partner of the collection")
    tlp: str = Field(description="The most restrictive TLP among its objects")
    objects: int
    author: str
    approver: str | None
    created: datetime
    decided: datetime | None
    summary: str


class PublishedOut(ReleaseOut):
    events: int = Field(description="Events released")
    left_out: int = Field(description="Events above what the audience may have, left out")
    expired: int = Field(description="Indicators past their valid_until, left out")


class ReleaseIn(BaseModel):
    collection: str
    partner: str | None = Field(
        default=None, description="For this partner only (needed above TLP:GREEN)"
    )
    incident: str | None = Field(default=None, description="An incident and its events")
    type: str | None = Field(default=None, description="Or events of this type…")
    feed: str | None = Field(default=None, description="…of this feed…")
    since: str | None = Field(default=None, description="…since (2026-11-01 or ISO time)…")
    until: str | None = Field(default=None, description="…until")


class Refusal(BaseModel):
    reason: str = Field(description="Why, for the author and the audit log")


def _agreement(a: Agreement, names: dict[int, str]) -> AgreementOut:
    return AgreementOut(
        collection=names.get(a.collection_id, "?"),
        read=a.can_read,
        write=a.can_write,
        max_tlp=a.max_tlp.value_name,
        approval=a.approval,
    )


def _release(desk: Desk, r: Release) -> dict[str, Any]:
    collections, orgs = desk.sharing.names()
    return {
        "id": r.id,
        "state": r.state.value,
        "collection": collections.get(r.collection_id, "?"),
        "to": None if r.audience == EVERYONE else orgs.get(r.audience, "?"),
        "tlp": r.tlp.value_name,
        "objects": r.objects,
        "author": r.author,
        "approver": r.approver,
        "created": datetime.fromtimestamp(r.created, UTC),
        "decided": datetime.fromtimestamp(r.decided, UTC) if r.decided else None,
        "summary": r.summary,
    }


@router.get("/collections", response_model=list[CollectionOut], summary="Collections")
def collections(desk: Services, who: ApiPrincipal) -> list[CollectionOut]:
    return [
        CollectionOut(
            alias=c.alias, title=c.title, description=c.description, taxii_id=c.uuid, objects=n
        )
        for c, n in desk.sharing.sizes(who)
    ]


@router.post(
    "/collections",
    status_code=201,
    response_model=CollectionOut,
    summary="Add a collection",
    responses=WRITE_ERRORS,
)
def add_collection(body: CollectionIn, desk: Services, who: ApiPrincipal) -> CollectionOut:
    c = desk.sharing.add_collection(who, body.alias, body.title.strip(), body.description.strip())
    return CollectionOut(
        alias=c.alias, title=c.title, description=c.description, taxii_id=c.uuid, objects=0
    )


@router.get("/partners", response_model=list[PartnerOut], summary="Partners and agreements")
def partners(desk: Services, who: ApiPrincipal) -> list[PartnerOut]:
    names, _ = desk.sharing.names()
    return [
        PartnerOut(name=p.name, agreements=[_agreement(a, names) for a in p.agreements])
        for p in desk.sharing.partners(who)
    ]


@router.post(
    "/partners",
    status_code=201,
    response_model=PartnerOut,
    summary="Add a partner team (an existing one is answered as it is)",
    responses=WRITE_ERRORS,
)
def add_partner(body: PartnerIn, desk: Services, who: ApiPrincipal) -> PartnerOut:
    desk.sharing.add_partner(who, body.name.strip())
    return next(p for p in partners(desk, who) if p.name == body.name.strip())


@router.put(
    "/partners/{partner}/agreements/{collection}",
    response_model=AgreementOut,
    summary="Set what a partner may do with a collection (replaces its agreement there)",
    responses=WRITE_ERRORS,
)
def set_agreement(
    partner: str, collection: str, body: AgreementIn, desk: Services, who: ApiPrincipal
) -> AgreementOut:
    agreed = desk.sharing.set_agreement(
        who,
        partner,
        collection,
        read=body.read,
        write=body.write,
        max_tlp=TLP.parse(body.max_tlp),
        approval=body.approval,
    )
    names, _ = desk.sharing.names()
    return _agreement(agreed, names)


@router.get("/releases", response_model=list[ReleaseOut], summary="The latest releases")
def releases(
    desk: Services, who: ApiPrincipal, state: ReleaseState | None = None
) -> list[ReleaseOut]:
    return [ReleaseOut(**_release(desk, r)) for r in desk.sharing.releases(who, state)]


@router.post(
    "/releases",
    status_code=201,
    response_model=PublishedOut,
    summary="Release an incident, or the events a filter chooses, to a collection",
    description="At TLP:AMBER and above it waits for a second lead when an agreement asks. "
    "A release needs an incident or at least one of type, feed, since, until.",
    responses=WRITE_ERRORS,
)
def publish(body: ReleaseIn, desk: Services, who: ApiPrincipal) -> PublishedOut:
    if body.incident:
        done = desk.publisher.incident(who, body.collection, body.incident, partner=body.partner)
    else:
        if not (body.type or body.feed or body.since or body.until):
            raise InvalidValue(
                "incident", None, "name an incident, or choose events by type, feed or time"
            )
        query = make_filter(type=body.type, feed=body.feed, since=body.since, until=body.until)
        done = desk.publisher.events(who, body.collection, query, partner=body.partner)
    return PublishedOut(
        **_release(desk, done.release),
        events=done.events,
        left_out=done.left_out,
        expired=done.expired,
    )


@router.post(
    "/releases/{release_id}/approve",
    response_model=ReleaseOut,
    summary="Let a pending release go (a lead other than its author)",
    responses=WRITE_ERRORS,
)
def approve(release_id: PathId, desk: Services, who: ApiPrincipal) -> ReleaseOut:
    return ReleaseOut(**_release(desk, desk.sharing.approve(who, release_id)))


@router.post(
    "/releases/{release_id}/refuse",
    response_model=ReleaseOut,
    summary="Refuse a pending release (a lead other than its author)",
    responses=WRITE_ERRORS,
)
def refuse(release_id: PathId, body: Refusal, desk: Services, who: ApiPrincipal) -> ReleaseOut:
    if not body.reason.strip():
        raise InvalidValue("reason", body.reason, "say why the release is refused")
    return ReleaseOut(**_release(desk, desk.sharing.refuse(who, release_id, body.reason)))
