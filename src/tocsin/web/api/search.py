"""``/api/v1/search``: the console's search box for API tokens (``services/search.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tocsin.web.common.deps import ApiPrincipal, Services

router = APIRouter(tags=["search"])


class HitOut(BaseModel):
    kind: str = Field(description="incident, report, vulnerability, request, constituent, events")
    label: str
    href: str = Field(description="The console's page of the answer")
    why: str = Field(description="What matched")


class SearchOut(BaseModel):
    query: str
    read_as: list[str] = Field(description="How the text was understood, besides as words")
    hits: list[HitOut] = Field(description="What the token's owner may read, at most 20 a kind")


@router.get("/search", response_model=SearchOut, summary="Look a text up everywhere")
def search(
    desk: Services,
    who: ApiPrincipal,
    q: Annotated[str, Query(max_length=200, description="A reference, an indicator, a name…")],
) -> SearchOut:
    found = desk.search.find(who, q)
    return SearchOut(
        query=found.query,
        read_as=found.read_as,
        hits=[HitOut(kind=h.kind, label=h.label, href=h.href, why=h.why) for h in found.hits],
    )
