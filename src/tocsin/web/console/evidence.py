"""Evidence from the console: uploaded on the incident page, downloaded only as an attachment,
and its chain of custody shown on a page of its own.

The upload is handed to the service as the stream the form parser spooled it to; the service
reads it in chunks and refuses it as soon as it passes the size limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from tocsin.errors import InvalidValue
from tocsin.services.types import EvidenceTooLarge
from tocsin.web.common.deps import Acting, Cases, Exhibits, Form, People
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render
from tocsin.web.console.incident import render_incident

router = APIRouter(include_in_schema=False)

CHUNK = 64 * 1024
# Whatever the bytes are, the browser is told they are opaque and must be saved, not shown.
DOWNLOAD_HEADERS = {
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
}


@router.post("/incidents/{incident_id:int}/evidence")
def upload(
    request: Request,
    incident_id: PathId,
    posted: Form,
    cases: Cases,
    people: People,
    evidence: Exhibits,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Store the file on the incident and go back to it (303); too large: the page again, 413."""
    who = posted.viewer.principal
    try:
        if file is None or not file.filename:
            raise InvalidValue("file", "", "choose a file to upload")
        evidence.upload(who, incident_id, file.file, file.filename)
    except EvidenceTooLarge as exc:
        refused = InvalidValue("file", file.filename if file else "", str(exc))
        page = render_incident(request, posted.viewer, cases, people, incident_id, refused)
        page.status_code = 413
        return page
    except InvalidValue as exc:
        return render_incident(request, posted.viewer, cases, people, incident_id, exc)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.get("/evidence/{evidence_id:int}")
def download(evidence_id: PathId, viewer: Acting, evidence: Exhibits) -> StreamingResponse:
    """The stored bytes, as an opaque attachment under their safe name (never shown inline)."""
    got = evidence.download(viewer.principal, evidence_id)
    headers = {
        **DOWNLOAD_HEADERS,
        "content-disposition": f"attachment; filename*=UTF-8''{quote(got.name, safe='')}",
        "content-length": str(got.size),
    }
    return StreamingResponse(
        _chunks(got.stream),
        media_type="application/octet-stream",
        headers=headers,
        background=BackgroundTask(got.stream.close),  # also when the client went away
    )


@router.get("/evidence/{evidence_id:int}/custody", response_class=HTMLResponse)
def custody(
    request: Request, evidence_id: PathId, viewer: Acting, evidence: Exhibits
) -> HTMLResponse:
    lines = evidence.custody(viewer.principal, evidence_id)
    return render(
        request,
        "custody.html",
        {"viewer": viewer, "evidence_id": evidence_id, "lines": lines},
    )


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk
