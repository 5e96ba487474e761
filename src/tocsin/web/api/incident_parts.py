"""``/api/v1/incidents/{id}/…``: the parts of an incident — priority, tasks, indicators and
evidence — for API tokens, as the console's forms do them."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Response, UploadFile
from fastapi.params import File
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from tocsin.services.types import safe_download_name
from tocsin.web.api.incidents import PROBLEM, WRITE_ERRORS, IncidentOut
from tocsin.web.common.deps import ApiPrincipal, Cases, Exhibits
from tocsin.web.common.params import PathId

router = APIRouter(
    prefix="/incidents",
    tags=["incidents"],
    responses={
        401: {"description": "No token, or an unknown or revoked one", **PROBLEM},
        404: {"description": "No such incident, or one the token's owner may not see", **PROBLEM},
    },
)


class PriorityIn(BaseModel):
    priority: str = Field(description="P1 … P4")


class DescribeIn(BaseModel):
    description: str | None = Field(default=None, description="Replaces it; null leaves it")
    tags: list[str] | None = Field(
        default=None,
        description="Replace them all (lower case, letters, digits and : . _ -; 20 at most); "
        "null leaves them",
    )


class TaskIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)


class TaskDone(BaseModel):
    done: bool


class TaskCreated(BaseModel):
    id: int


class IndicatorIn(BaseModel):
    kind: str = Field(description="ip, network, fqdn, url, hash, email, phone or wallet")
    value: str


class EvidenceOut(BaseModel):
    id: int
    filename: str
    size: int
    media_type: str = Field(description="Sniffed from the bytes; downloads are always attachments")
    sha256: str
    uploaded_by: str
    uploaded_at: int


@router.post("/{incident_id}/priority", response_model=IncidentOut, responses=WRITE_ERRORS)
def set_priority(
    incident_id: PathId, body: PriorityIn, cases: Cases, who: ApiPrincipal
) -> IncidentOut:
    """Set the priority (its SLA clocks follow)."""
    return IncidentOut.of(cases.set_priority(who, incident_id, body.priority))


@router.post("/{incident_id}/describe", response_model=IncidentOut, responses=WRITE_ERRORS)
def describe(incident_id: PathId, body: DescribeIn, cases: Cases, who: ApiPrincipal) -> IncidentOut:
    """Set the description, the tags, or both."""
    return IncidentOut.of(
        cases.describe(who, incident_id, description=body.description, tags=body.tags)
    )


@router.post(
    "/{incident_id}/tasks", response_model=TaskCreated, status_code=201, responses=WRITE_ERRORS
)
def add_task(incident_id: PathId, body: TaskIn, cases: Cases, who: ApiPrincipal) -> TaskCreated:
    """Add a task."""
    return TaskCreated(id=cases.add_task(who, incident_id, body.title))


@router.post("/{incident_id}/tasks/{task_id}", status_code=204, responses=WRITE_ERRORS)
def set_task(
    incident_id: PathId, task_id: PathId, body: TaskDone, cases: Cases, who: ApiPrincipal
) -> Response:
    """Tick a task done, or open it again."""
    cases.set_task(who, incident_id, task_id, body.done)
    return Response(status_code=204)


@router.post("/{incident_id}/indicators", status_code=204, responses=WRITE_ERRORS)
def add_indicator(
    incident_id: PathId, body: IndicatorIn, cases: Cases, who: ApiPrincipal
) -> Response:
    """Add an indicator (stored in the canonical form events use)."""
    cases.add_indicator(who, incident_id, body.kind, body.value)
    return Response(status_code=204)


@router.get("/{incident_id}/evidence", response_model=list[EvidenceOut])
def list_evidence(incident_id: PathId, who: ApiPrincipal, service: Exhibits) -> list[EvidenceOut]:
    """The incident's evidence items."""
    return [EvidenceOut(**_fields(item)) for item in service.items(who, incident_id)]


@router.post(
    "/{incident_id}/evidence",
    response_model=EvidenceOut,
    status_code=201,
    responses={**WRITE_ERRORS, 413: {"description": "Over the size limit", **PROBLEM}},
)
def upload_evidence(
    incident_id: PathId, file: Annotated[UploadFile, File()], who: ApiPrincipal, service: Exhibits
) -> EvidenceOut:
    """Upload a file (multipart, field ``file``), stored by its SHA-256 with a custody line."""
    evidence_id = service.upload(who, incident_id, file.file, file.filename or "evidence.bin")
    return EvidenceOut(**_fields(service.item(who, evidence_id)))


downloads = APIRouter(prefix="/evidence", tags=["incidents"], responses=router.responses)


@downloads.get("/{evidence_id}", response_class=StreamingResponse)
def download_evidence(
    evidence_id: PathId, who: ApiPrincipal, service: Exhibits
) -> StreamingResponse:
    """The file, only ever as an attachment (octet-stream, nosniff); the download is a custody
    line and an audit entry."""
    got = service.download(who, evidence_id)
    name = safe_download_name(got.name)

    def chunks() -> Any:
        with got.stream:
            while block := got.stream.read(64 * 1024):
                yield block

    return StreamingResponse(
        chunks(),
        media_type="application/octet-stream",
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "x-content-type-options": "nosniff",
            "cache-control": "no-store",
        },
    )


def _fields(item: dict[str, Any]) -> dict[str, Any]:
    return {k: item[k] for k in EvidenceOut.model_fields}
