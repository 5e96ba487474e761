"""TAXII's side of each answer: the media type asked for and sent, a collection as TAXII shows
it, and TAXII's error body (``tocsin.web.app`` picks the status of an error once)."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from tocsin.errors import NotAcceptable, UnsupportedMedia
from tocsin.share import taxii


def accepts(request: Request) -> None:
    """NotAcceptable unless the client takes TAXII 2.1 (or anything)."""
    accept = request.headers.get("accept", "")
    wanted = [part.split(";")[0].strip() for part in accept.split(",")]
    if not any(w in ("application/taxii+json", "application/stix+json", "*/*") for w in wanted) or (
        "version=" in accept and "version=2.1" not in accept
    ):
        raise NotAcceptable(f"send Accept: {taxii.TAXII}")


def sends_taxii(request: Request) -> None:
    """UnsupportedMedia unless the body is TAXII 2.1."""
    kind = request.headers.get("content-type", "")
    if kind.split(";")[0].strip() != "application/taxii+json" or (
        "version=" in kind and "version=2.1" not in kind
    ):
        raise UnsupportedMedia(f"send Content-Type: {taxii.TAXII}")


def answer(
    body: bytes | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(data, status_code=status, media_type=taxii.TAXII, headers=headers)


def collection(found: Any) -> dict[str, Any]:
    c = found.collection
    body: dict[str, Any] = {
        "id": c.uuid,
        "title": c.title,
        "alias": c.alias,
        "can_read": found.can_read,
        "can_write": found.can_write,
        "media_types": [taxii.STIX],
    }
    if c.description:
        body["description"] = c.description
    return body


def taxii_error(status: int, title: str, description: str, *, basic: bool = False) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="TAXII"'} if basic else None
    return answer(taxii.error(status, title, description), status, headers)
