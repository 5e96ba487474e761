"""``/api/v1/cvd``: vulnerability cases for API tokens, as the console's ``/cvd`` pages and
``tocsin cvd`` work them (``cvd/cases.py`` decides who may read and change, and audits every
change): list and read a case with its vendors, products and communication log; open a case;
move it; log a message; add a vendor or set its status; name a product. The reporter's contact
details are never in these answers (``tocsin cvd show`` and the console give them to the
handler, leads and admins, audited)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tocsin.model.cvd import Case, Message
from tocsin.web.api.incidents import WRITE_ERRORS
from tocsin.web.common.deps import ApiPrincipal, Disclosures

router = APIRouter(tags=["cvd"])


class VendorOut(BaseModel):
    name: str
    status: str = Field(description="not_contacted, contacted, acknowledged, fix_available, …")
    advice: str


class ProductOut(BaseModel):
    vendor: str
    identifier: str = Field(description="A CPE 2.3 name or a package URL")
    status: str


class CaseOut(BaseModel):
    public_id: str = Field(description="TOCSIN-VU-2026-0001")
    title: str
    state: str
    tlp: str
    received_at: datetime
    reporter: str = Field(description="As credited; the contact details are not given here")
    description: str
    cve: str | None
    cvss: float | None = Field(description="CVSS v3.1 base score")
    embargo: str | None = Field(description="The planned publication, as agreed")
    vendors: list[VendorOut]
    products: list[ProductOut]

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        return cls(
            public_id=case.public_id,
            title=case.title,
            state=case.state.value,
            tlp=case.tlp,
            received_at=datetime.fromtimestamp(case.received_at, UTC),
            reporter=case.reporter.name,
            description=case.description,
            cve=case.cve,
            cvss=case.cvss.score if case.cvss else None,
            embargo=str(case.embargo) if case.embargo else None,
            vendors=[
                VendorOut(name=v.name, status=v.status.value, advice=v.advice) for v in case.vendors
            ],
            products=[
                ProductOut(
                    vendor=case.vendor_of(p).name, identifier=p.identifier, status=p.status.value
                )
                for p in case.products
            ],
        )


class MessageOut(BaseModel):
    at: datetime
    direction: str = Field(description="in (received from the party) or out (sent to it)")
    party: str
    tlp: str
    text: str
    actor: str

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(
            at=datetime.fromtimestamp(message.at, UTC),
            direction=message.direction.value,
            party=message.party,
            tlp=message.tlp,
            text=message.text,
            actor=message.actor,
        )


class CaseDetail(BaseModel):
    case: CaseOut
    log: list[MessageOut] = Field(description="The communication log, oldest first")


class NewCase(BaseModel):
    title: str
    reporter: str = Field(description="As the reporter wants to be credited")
    contact: str = Field(default="", description="The reporter's contact (personal data)")
    vendors: list[str] = Field(default_factory=list)
    description: str = ""


class MoveIn(BaseModel):
    state: str = Field(description="triaged, vendors_notified, fix_in_progress, published, …")
    comment: str = ""
    duplicate_of: str | None = Field(default=None, description="For the state duplicate")


class LogIn(BaseModel):
    direction: str = Field(description="in or out")
    party: str = Field(description='"reporter" or a vendor\'s name')
    text: str
    tlp: str = "AMBER"


class VendorIn(BaseModel):
    name: str
    status: str | None = None
    advice: str | None = None


class ProductIn(BaseModel):
    vendor: str
    identifier: str = Field(description="A CPE 2.3 name or a package URL")


@router.get("/cvd", response_model=list[CaseOut], summary="Vulnerability cases, newest first")
def cases(
    cvd: Disclosures,
    who: ApiPrincipal,
    state: Annotated[str | None, Query(description="Only the cases in this state")] = None,
) -> list[CaseOut]:
    return [CaseOut.of(c) for c in cvd.list_cases(who, state=state, limit=300)]


@router.get("/cvd/{public_id}", response_model=CaseDetail, summary="One vulnerability case")
def case(public_id: str, cvd: Disclosures, who: ApiPrincipal) -> CaseDetail:
    found = cvd.by_public_id(who, public_id)
    return CaseDetail(
        case=CaseOut.of(found), log=[MessageOut.of(m) for m in cvd.messages(who, found.id)]
    )


@router.post(
    "/cvd",
    status_code=201,
    response_model=CaseOut,
    summary="Open a vulnerability case",
    responses=WRITE_ERRORS,
)
def open_case(body: NewCase, cvd: Disclosures, who: ApiPrincipal) -> CaseOut:
    made = cvd.create(
        who,
        title=body.title,
        reporter=body.reporter,
        contact=body.contact,
        vendors=body.vendors,
        description=body.description or None,
    )
    return CaseOut.of(made)


@router.post(
    "/cvd/{public_id}/move",
    response_model=CaseOut,
    summary="Move a case to another state",
    responses=WRITE_ERRORS,
)
def move(public_id: str, body: MoveIn, cvd: Disclosures, who: ApiPrincipal) -> CaseOut:
    found = cvd.by_public_id(who, public_id)
    moved = cvd.move(
        who, found.id, body.state, comment=body.comment, duplicate_of=body.duplicate_of
    )
    return CaseOut.of(moved)


@router.post(
    "/cvd/{public_id}/log",
    status_code=201,
    response_model=MessageOut,
    summary="Log a message to or from a party",
    responses=WRITE_ERRORS,
)
def log(public_id: str, body: LogIn, cvd: Disclosures, who: ApiPrincipal) -> MessageOut:
    found = cvd.by_public_id(who, public_id)
    said = cvd.log(
        who, found.id, direction=body.direction, party=body.party, text=body.text, tlp=body.tlp
    )
    return MessageOut.of(said)


@router.post(
    "/cvd/{public_id}/vendors",
    response_model=CaseOut,
    summary="Add a vendor, or set its status or advice",
    responses=WRITE_ERRORS,
)
def vendor(public_id: str, body: VendorIn, cvd: Disclosures, who: ApiPrincipal) -> CaseOut:
    found = cvd.by_public_id(who, public_id)
    return CaseOut.of(cvd.set_vendor(who, found.id, body.name, body.status, advice=body.advice))


@router.post(
    "/cvd/{public_id}/products",
    response_model=CaseOut,
    summary="Name an affected product of a vendor",
    responses=WRITE_ERRORS,
)
def product(public_id: str, body: ProductIn, cvd: Disclosures, who: ApiPrincipal) -> CaseOut:
    found = cvd.by_public_id(who, public_id)
    return CaseOut.of(
        cvd.add_product(who, found.id, vendor=body.vendor, identifier=body.identifier)
    )
