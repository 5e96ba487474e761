"""``/api/v1/requests`` and ``/api/v1/contacts``: the register of requests for assistance, one
request with its clocks and history, its moves and approval, its printed form; the directory of
24/7 contacts. Who may do what is the request service's decision (a token whose owner may not
read requests finds none: 404); its errors become problem+json in ``tocsin.web.app``.

Why one module: the routes are thin (each one service call) and share the request's answer
models; the register, a request and the directory read best together, as the console has them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from tocsin.services.types import ClockView, Contact, RegisterRow, RequestView
from tocsin.services.types import Request as Rfa
from tocsin.web.common.deps import ApiPrincipal, Services
from tocsin.web.common.params import PathId

PROBLEM: dict[str, Any] = {"content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No token, or an unknown or revoked one", **PROBLEM},
    404: {"description": "No such request, or one the token's owner may not see", **PROBLEM},
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "A value failed its check (the detail names the field)", **PROBLEM},
    403: {"description": "A read-only token, or a role that may not change this", **PROBLEM},
    409: {"description": "Not a move this state allows, or a guard not met", **PROBLEM},
    422: {"description": "A text over its limit, or a body of the wrong shape", **PROBLEM},
}

router = APIRouter(tags=["requests for assistance"], responses=ERRORS)
Ref = str  # RFA-2026-0001, or the request's number


class IdentifierOut(BaseModel):
    kind: str = Field(description="ipv4, ipv6, email, phone, account_url, domain, tx_hash")
    value: str
    port: int | None
    at: datetime | None = Field(description="When the address was seen (UTC)")
    tolerance: int = Field(description="± seconds around at")
    flags: list[str] = Field(description="Warnings: a shared address without port and time…")


class RequestOut(BaseModel):
    id: int
    ref: str = Field(description="RFA-2026-0001")
    direction: str = Field(description="outgoing or incoming")
    basis: str = Field(description="BC-29, BC-31, P2-9, EPOC, EPOC-PR, …")
    state: str
    title: str
    counterpart_id: int | None
    their_ref: str
    emergency: bool
    urgent: bool
    tlp: str
    language: str
    parent_id: int | None
    link: str = Field(description="follow_up, next_hop or empty")
    outcome: str = Field(description="The ground of a refusal or the reason of a non-execution")
    incident_ids: list[int]
    created_at: datetime
    sent_at: datetime | None
    received_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def of(cls, r: Rfa) -> RequestOut:
        return cls(
            id=r.id,
            ref=r.ref,
            direction=r.direction.value,
            basis=r.basis.value,
            state=r.state.value,
            title=r.title,
            counterpart_id=r.counterpart_id,
            their_ref=r.their_ref,
            emergency=r.emergency,
            urgent=r.urgent,
            tlp=r.tlp,
            language=r.language,
            parent_id=r.parent_id,
            link=r.link.value,
            outcome=r.outcome,
            incident_ids=list(r.incident_ids),
            created_at=r.created_at,
            sent_at=r.sent_at,
            received_at=r.received_at,
            closed_at=r.closed_at,
        )


class ClockOut(BaseModel):
    name: str
    label: str
    source: str = Field(description="The article that sets the deadline")
    state: str = Field(description="running, warning, paused, met or breached")
    due_at: datetime
    left: int = Field(description="Seconds left at the time of the answer (negative once late)")
    due_local: datetime | None = Field(description="The due time in the counterpart's zone")

    @classmethod
    def of(cls, clock: ClockView) -> ClockOut:
        return cls(
            name=clock.name,
            label=clock.label,
            source=clock.source,
            state=clock.state,
            due_at=clock.due_at,
            left=clock.remaining,
            due_local=clock.local_due,
        )


class RegisterItem(BaseModel):
    request: RequestOut
    next_clock: ClockOut | None = Field(description="The open clock due first")

    @classmethod
    def of(cls, row: RegisterRow) -> RegisterItem:
        nearest = row.nearest
        return cls(
            request=RequestOut.of(row.request),
            next_clock=ClockOut.of(nearest) if nearest else None,
        )


class StepOut(BaseModel):
    at: datetime
    state: str
    note: str
    code: str = ""


class RequestDetail(BaseModel):
    request: RequestOut
    elements: dict[str, str]
    identifiers: list[IdentifierOut]
    safeguards: dict[str, Any]
    clocks: list[ClockOut]
    steps: list[StepOut] = Field(description="Oldest first")
    children: list[RequestOut] = Field(description="Follow-ups and next hops")
    warnings: list[str]
    moves: list[str] = Field(description="The states the token's owner may move it to")

    @classmethod
    def of(cls, view: RequestView) -> RequestDetail:
        r = view.request
        return cls(
            request=RequestOut.of(r),
            elements=dict(r.elements),
            identifiers=[IdentifierOut(**i.as_json()) for i in r.identifiers],
            safeguards=r.safeguards.as_json(),
            clocks=[ClockOut.of(c) for c in view.clocks],
            steps=[
                StepOut(at=s.at, state=s.state.value, note=s.note, code=s.detail.get("code", ""))
                for s in view.steps
            ],
            children=[RequestOut.of(c) for c in view.children],
            warnings=list(view.warnings),
            moves=[m.value for m in view.moves],
        )


class Written(BaseModel):
    request: RequestOut
    warnings: list[str]


class IdentifierIn(BaseModel):
    kind: str
    value: str
    port: int | None = Field(default=None, ge=0, le=65535)
    at: str | None = Field(default=None, description="ISO 8601 with its zone")
    tolerance: int = Field(default=0, ge=0, le=86_400)


class SafeguardsIn(BaseModel):
    necessity: str = ""
    approving_authority: str = ""
    data_categories: list[str] = Field(default_factory=list, max_length=50)
    scope_from: str | None = Field(default=None, description="ISO 8601 with its zone")
    scope_to: str | None = None
    retention_until: str | None = None
    onward_transfer: str = ""
    confidential: bool = True


class NewRequest(BaseModel):
    basis: str
    title: str
    direction: Literal["outgoing", "incoming"] = "outgoing"
    elements: dict[str, str] = Field(default_factory=dict)
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=200)
    safeguards: SafeguardsIn | None = None
    counterpart_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    their_ref: str = ""
    emergency: bool = False
    urgent: bool = False
    justification: str = ""
    tlp: str = "AMBER"
    language: str = "en"


class MoveIn(BaseModel):
    state: str = Field(description="The state to move to; the current state decides which")
    code: str = Field(default="", description="A refusal's ground, a non-execution's reason")
    note: str = ""


class ApproveIn(BaseModel):
    note: str = ""


def _written(result: Any) -> Written:
    return Written(request=RequestOut.of(result.request), warnings=list(result.warnings))


@router.get(
    "/requests",
    response_model=list[RegisterItem],
    summary="The register: emergencies first, then the nearest deadline",
)
def list_requests(
    desk: Services,
    who: ApiPrincipal,
    direction: Literal["incoming", "outgoing"] | None = None,
    state: str | None = None,
    basis: str | None = None,
    emergency: bool | None = None,
) -> list[RegisterItem]:
    rows = desk.duty.register_rows(
        who, direction=direction, state=state or None, basis=basis or None, emergency=emergency
    )
    return [RegisterItem.of(row) for row in rows]


@router.post(
    "/requests",
    status_code=201,
    response_model=Written,
    summary="Register a request (outgoing: a draft; incoming: delivered)",
    responses=WRITE_ERRORS,
)
def create_request(
    body: NewRequest, request: Request, response: Response, desk: Services, who: ApiPrincipal
) -> Written:
    team = who.org_id if who.org_id is not None else desk.accounts.ensure_team()
    result = desk.assist.create(
        who,
        **body.model_dump(exclude={"identifiers"}),
        identifiers=[i.model_dump() for i in body.identifiers],
        org_id=team,
    )
    response.headers["location"] = str(request.url_for("get_request", ref=result.request.ref))
    return _written(result)


@router.get("/requests/{ref}", response_model=RequestDetail, summary="One request")
def get_request(ref: Ref, desk: Services, who: ApiPrincipal) -> RequestDetail:
    return RequestDetail.of(desk.request_view(who, ref))


@router.post(
    "/requests/{ref}/moves",
    response_model=Written,
    summary="Move along the lifecycle",
    responses=WRITE_ERRORS,
)
def move_request(ref: Ref, body: MoveIn, desk: Services, who: ApiPrincipal) -> Written:
    found = desk.assist.find(who, ref)
    return _written(desk.assist.move(who, found.id, body.state, code=body.code, note=body.note))


@router.post(
    "/requests/{ref}/approve",
    response_model=Written,
    summary="Approve, as a second person (four eyes)",
    responses=WRITE_ERRORS,
)
def approve_request(ref: Ref, body: ApproveIn, desk: Services, who: ApiPrincipal) -> Written:
    found = desk.assist.find(who, ref)
    return _written(desk.assist.approve(who, found.id, note=body.note))


@router.get(
    "/requests/{ref}/print",
    summary="The printed form in the T-CY layout (a download)",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}, "text/html": {}}},
        400: {"description": "A format or language Tocsin does not print", **PROBLEM},
    },
)
def print_request(
    ref: Ref,
    desk: Services,
    who: ApiPrincipal,
    kind: Literal["pdf", "html"] = Query("pdf", alias="format"),
    lang: str = Query("", max_length=8, description="en, fr, de, es; empty: the counterpart's"),
) -> Response:
    printed = desk.print_request(who, ref, kind=kind, language=lang)
    media = "application/pdf" if kind == "pdf" else "text/html; charset=utf-8"
    return Response(
        printed.content,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{printed.filename}"'},
    )


# -- the directory -----------------------------------------------------------------------------


class ContactOut(BaseModel):
    id: int
    country: str
    authority: str
    kind: str
    channel: str
    address: str
    languages: list[str]
    timezone: str
    office_hours: str
    notes: str
    version: int
    confirmed_at: datetime | None
    stale: bool = Field(description="Not confirmed reachable for more than 12 months")

    @classmethod
    def of(cls, c: Contact, stale: bool) -> ContactOut:
        return cls(
            id=c.id,
            country=c.country,
            authority=c.authority,
            kind=c.kind,
            channel=c.channel,
            address=c.address,
            languages=list(c.languages),
            timezone=c.timezone,
            office_hours=c.office_hours,
            notes=c.notes,
            version=c.version,
            confirmed_at=c.confirmed_at,
            stale=stale,
        )


class ContactIn(BaseModel):
    country: str
    authority: str
    channel: str = Field(description="tocsin, email, phone, e-codex or post")
    address: str
    languages: list[str] = Field(min_length=1, max_length=20, description="The preferred first")
    timezone: str = Field(description="IANA: Europe/Paris")
    kind: str = "24/7"
    office_hours: str = "24/7"
    notes: str = ""


class ContactChange(BaseModel):
    country: str | None = None
    authority: str | None = None
    channel: str | None = None
    address: str | None = None
    languages: list[str] | None = Field(default=None, min_length=1, max_length=20)
    timezone: str | None = None
    kind: str | None = None
    office_hours: str | None = None
    notes: str | None = None


CONTACT_ERRORS = {**WRITE_ERRORS, 404: {"description": "No such contact", **PROBLEM}}


def _contact(desk: Services, contact: Contact) -> ContactOut:
    return ContactOut.of(contact, desk.contacts.stale(contact))


@router.get("/contacts", response_model=list[ContactOut], summary="The directory, by country")
def list_contacts(
    desk: Services,
    who: ApiPrincipal,
    country: str | None = Query(None, max_length=2),
    q: str | None = Query(None, max_length=200, description="Words in name, address or notes"),
) -> list[ContactOut]:
    return [_contact(desk, c) for c in desk.contacts.search(who, country=country, text=q)]


@router.post(
    "/contacts",
    status_code=201,
    response_model=ContactOut,
    summary="Add a contact",
    responses=WRITE_ERRORS,
)
def add_contact(body: ContactIn, desk: Services, who: ApiPrincipal) -> ContactOut:
    return _contact(desk, desk.contacts.add(who, **body.model_dump()))


@router.patch(
    "/contacts/{contact_id}",
    response_model=ContactOut,
    summary="Change a contact (a new version)",
    responses=CONTACT_ERRORS,
)
def change_contact(
    contact_id: PathId, body: ContactChange, desk: Services, who: ApiPrincipal
) -> ContactOut:
    given = body.model_dump(exclude_none=True)
    return _contact(desk, desk.contacts.update(who, contact_id, **given))


@router.post(
    "/contacts/{contact_id}/confirm",
    response_model=ContactOut,
    summary="Confirm the contact reachable now",
    responses=CONTACT_ERRORS,
)
def confirm_contact(contact_id: PathId, desk: Services, who: ApiPrincipal) -> ContactOut:
    return _contact(desk, desk.contacts.confirm(who, contact_id))
