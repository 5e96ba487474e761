"""``/api/v1/constituents``: the constituency registry for API tokens, as ``/constituents`` and
``tocsin constituents`` keep it (``services.registry.Registry`` checks the role, leads and admins
to change, and audits): list it, add or change one (``PUT`` by its name; a new name in the body
renames it), remove one, or replace the whole registry (all or nothing)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from tocsin.model.constituent import Constituent
from tocsin.web.api.incidents import WRITE_ERRORS
from tocsin.web.common.deps import ApiPrincipal, Services

router = APIRouter(tags=["constituents"])


class ConstituentBody(BaseModel):
    name: str
    sector: str = "other"
    country: str | None = Field(default=None, description="ISO 3166 alpha-2")
    region: str | None = Field(
        default=None,
        description="Statistical region: NUTS code (e.g. FR1, EE00A) or ISO 3166-2 (e.g. FR-IDF)",
    )
    abuse_contact: str | None = Field(default=None, description="Where its notices go")
    networks: list[str] = Field(default_factory=list, description="CIDR")
    asns: list[int] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, c: Constituent) -> ConstituentBody:
        return cls(
            name=c.name,
            sector=c.sector,
            country=c.country,
            region=c.region,
            abuse_contact=c.abuse_contact,
            networks=list(c.networks),
            asns=list(c.asns),
            domains=list(c.domains),
        )


@router.get("/constituents", response_model=list[ConstituentBody], summary="The registry")
def registry(desk: Services, who: ApiPrincipal) -> list[ConstituentBody]:
    return [ConstituentBody.of(c) for c in desk.registry.list(who)]


@router.put(
    "/constituents/{name}",
    response_model=ConstituentBody,
    summary="Add a constituent, or change (or rename) the one of this name",
    responses=WRITE_ERRORS,
)
def save(name: str, body: ConstituentBody, desk: Services, who: ApiPrincipal) -> ConstituentBody:
    known = {c.name for c in desk.registry.list(who)}
    replacing = name if name in known else None
    kept = desk.registry.save(who, body.model_dump(exclude_none=True), replacing=replacing)
    return ConstituentBody.of(kept)


@router.delete(
    "/constituents/{name}", status_code=204, summary="Remove a constituent", responses=WRITE_ERRORS
)
def delete(name: str, desk: Services, who: ApiPrincipal) -> Response:
    desk.registry.delete(who, name)
    return Response(status_code=204)


class Replaced(BaseModel):
    constituents: int = Field(description="How many the registry now holds")


@router.put(
    "/constituents",
    response_model=Replaced,
    summary="Replace the whole registry (all or nothing)",
    responses=WRITE_ERRORS,
)
def replace(body: list[ConstituentBody], desk: Services, who: ApiPrincipal) -> Replaced:
    count = desk.registry.replace(who, [c.model_dump(exclude_none=True) for c in body])
    return Replaced(constituents=count)
