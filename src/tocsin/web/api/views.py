"""``/api/v1/views``: a person's saved views of the queue (``services/views.py``), as the queue's
"Save this view" keeps them: listed, saved (a name already used is replaced), deleted; each a
name and the queue's query string, checked as the queue checks it. The token's owner's own views
only; saving and deleting need a write token and are audited."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from tocsin.model.queue import SavedView
from tocsin.web.api.incidents import WRITE_ERRORS
from tocsin.web.common.deps import ApiPrincipal, Services
from tocsin.web.common.params import PathId

router = APIRouter(tags=["views"])


class ViewOut(BaseModel):
    id: int
    name: str
    query: str = Field(
        description="The queue's query string: /console?<query>, /api/v1/incidents?<query>"
    )
    created: datetime

    @classmethod
    def of(cls, view: SavedView) -> ViewOut:
        return cls(
            id=view.id,
            name=view.name,
            query=view.query,
            created=datetime.fromtimestamp(view.created, UTC),
        )


class ViewIn(BaseModel):
    name: str = Field(description="A name already used is replaced")
    query: dict[str, str] = Field(
        default_factory=dict,
        description="The queue's filters and order, as its query string names them (priority, "
        "type, constituent, sector, assignee, state, tlp, source, breached, sort, dir, per_page)",
    )


@router.get("/views", response_model=list[ViewOut], summary="My saved views of the queue")
def views(desk: Services, who: ApiPrincipal) -> list[ViewOut]:
    return [ViewOut.of(v) for v in desk.views.list(who)]


@router.post(
    "/views",
    status_code=201,
    response_model=ViewOut,
    summary="Save a view of the queue",
    responses=WRITE_ERRORS,
)
def save(body: ViewIn, desk: Services, who: ApiPrincipal) -> ViewOut:
    return ViewOut.of(desk.views.save(who, body.name, body.query))


@router.delete(
    "/views/{view_id}", status_code=204, summary="Delete a saved view", responses=WRITE_ERRORS
)
def delete(view_id: PathId, desk: Services, who: ApiPrincipal) -> Response:
    desk.views.delete(who, view_id)
    return Response(status_code=204)
