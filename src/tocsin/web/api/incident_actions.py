"""``/api/v1/incidents``: the actions that take several tasks or incidents at once (the queue's
bulk actions, a playbook's tasks), beside ``incidents.py``'s one-incident moves."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from tocsin.errors import InvalidValue
from tocsin.services.types import Bulk
from tocsin.web.api.incidents import PROBLEM, WRITE_ERRORS
from tocsin.web.common.deps import ApiPrincipal, Cases, Services
from tocsin.web.common.params import Id, PathId

router = APIRouter(
    prefix="/incidents",
    tags=["incidents"],
    responses={401: {"description": "No token, or an unknown or revoked one", **PROBLEM}},
)


class BulkIn(BaseModel):
    action: Literal["assign", "acknowledge", "close", "merge"]
    incidents: list[Id] = Field(min_length=1, max_length=200, description="The incidents")
    assignee_id: Id | None = Field(None, description="assign: the person; null: nobody")
    reason: str = Field("", description="close: why (required)")
    into: Id | None = Field(None, description="merge: the incident kept, one of `incidents`")


class BulkRefusal(BaseModel):
    reference: str
    reason: str


class BulkOut(BaseModel):
    action: str
    done: list[str] = Field(description="References changed")
    refused: list[BulkRefusal] = Field(description="References not changed, with why")


@router.post(
    "/bulk",
    response_model=BulkOut,
    summary="Assign, acknowledge, close or merge several incidents",
    description="What the queue's bulk form does: each incident through the same call as on "
    "its own, in its own transaction and audit entry; one that cannot take the change is listed "
    "in `refused` and the others go on. A merge runs at once (the console asks first).",
    responses=WRITE_ERRORS,
)
def bulk(body: BulkIn, cases: Cases, who: ApiPrincipal) -> BulkOut:
    service = Bulk(cases)
    ids = list(body.incidents)
    if body.action == "assign":
        outcome = service.assign(who, ids, body.assignee_id)
    elif body.action == "acknowledge":
        outcome = service.acknowledge(who, ids)
    elif body.action == "close":
        outcome = service.close(who, ids, body.reason)
    else:
        outcome = service.merge(who, ids, body.into if body.into is not None else ids[0])
    return BulkOut(
        action=outcome.action,
        done=outcome.done,
        refused=[BulkRefusal(reference=r, reason=why) for r, why in outcome.refused],
    )


class PlaybookIn(BaseModel):
    playbook: str = Field(max_length=100, description="A playbook's name: phishing, ransomware…")


class TasksAdded(BaseModel):
    added: list[int] = Field(description="The tasks added (those the incident had are not)")


@router.post(
    "/{incident_id}/playbook",
    response_model=TasksAdded,
    summary="Add a playbook's tasks",
    responses=WRITE_ERRORS,
)
def add_playbook(
    incident_id: PathId, body: PlaybookIn, desk: Services, who: ApiPrincipal
) -> TasksAdded:
    book = desk.playbooks.get(body.playbook)
    if book is None:
        names = ", ".join(sorted(desk.playbooks))
        raise InvalidValue("playbook", body.playbook, f"one of {names}")
    added = desk.incidents.add_tasks(who, incident_id, book.tasks, f"playbook {book.title}")
    return TasksAdded(added=added)
