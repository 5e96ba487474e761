"""The TAXII routes. Each checks the media type asked for, then who asks (in that order: a
client that cannot read TAXII learns nothing more), then hands the question to ``Sharing``.

The services are looked up with plain calls, not FastAPI dependencies: partners' tools poll many
times a second, and a dependency written as a function costs a hop to a worker thread.
"""

from __future__ import annotations

from dataclasses import replace

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from tocsin.errors import InvalidValue, NotFound
from tocsin.share import taxii
from tocsin.web.common.deps import desk, sharing
from tocsin.web.taxii.answers import accepts, answer, collection, sends_taxii
from tocsin.web.taxii.auth import who

router = APIRouter(prefix="/taxii2", include_in_schema=False)
ROOT = "/taxii2/api/"
OBJECT_FILTERS = frozenset(
    {
        "limit",
        "next",
        "added_after",
        "match[id]",
        "match[type]",
        "match[version]",
        "match[spec_version]",
    }
)
ONE_OBJECT_FILTERS = frozenset(
    {"limit", "next", "added_after", "match[version]", "match[spec_version]"}
)
VERSIONS_FILTERS = frozenset({"limit", "next", "added_after", "match[spec_version]"})


# The routes most asked for come first: each route tried before the right one costs a match.


@router.get("/api/collections/{key}/objects/{object_id}/")
async def one_object(request: Request, key: str, object_id: str) -> Response:
    # Run in the event loop: one indexed lookup costs less than the hop to a worker thread, and
    # partners' tools ask for objects one by one in long runs.
    return _page(request, key, ONE_OBJECT_FILTERS, taxii.envelope, object_id=object_id)


@router.get("/api/collections/{key}/objects/")
def objects(request: Request, key: str) -> Response:
    return _page(request, key, OBJECT_FILTERS, taxii.envelope)


@router.get("/")
def discovery(request: Request) -> Response:
    accepts(request)
    who(request)
    base = str(request.base_url).rstrip("/")
    return answer(
        {
            "title": "Tocsin TAXII 2.1",
            "description": "What this team shares with its partners, under their agreements.",
            "default": base + ROOT,
            "api_roots": [base + ROOT],
        }
    )


@router.get("/api/")
async def api_root(request: Request) -> Response:
    accepts(request)
    who(request)
    return answer(
        {
            "title": "Tocsin",
            "versions": [taxii.TAXII],
            "max_content_length": taxii.MAX_CONTENT_LENGTH,
        }
    )


@router.get("/api/status/{status_id}/")
def status(request: Request, status_id: str) -> Response:
    accepts(request)
    return answer(sharing(request).status(who(request), status_id))


@router.get("/api/collections/")
def collections(request: Request) -> Response:
    accepts(request)
    found = sharing(request).collections(who(request))
    return answer({"collections": [collection(a) for a in found]} if found else {})


@router.get("/api/collections/{key}/")
def one_collection(request: Request, key: str) -> Response:
    accepts(request)
    return answer(collection(sharing(request).access(who(request), key)))


@router.post("/api/collections/{key}/objects/")
async def add_objects(request: Request, key: str) -> Response:
    accepts(request)
    sends_taxii(request)
    body = await request.body()
    if len(body) > taxii.MAX_CONTENT_LENGTH:
        return answer(taxii.error(413, "Too large", "over the API root's max_content_length"), 413)
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidValue("envelope", "", "not JSON") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("objects"), list):
        return answer(taxii.error(422, "Unprocessable", "an envelope has a list of objects"), 422)
    sender = who(request)
    result = await run_in_threadpool(desk(request).receive, sender, key, parsed["objects"])
    return answer(result, 202)


@router.delete("/api/collections/{key}/objects/{object_id}/")
def delete_object(request: Request, key: str, object_id: str) -> Response:
    accepts(request)
    sender = who(request)
    wanted = taxii.query(
        request.query_params, allowed=frozenset({"match[version]", "match[spec_version]"})
    )
    if "match[version]" not in request.query_params:
        wanted = replace(wanted, versions=("all",))
    sharing(request).delete(sender, key, object_id, wanted)
    return answer({})


@router.get("/api/collections/{key}/objects/{object_id}/versions/")
def versions(request: Request, key: str, object_id: str) -> Response:
    accepts(request)
    asker = who(request)
    wanted = taxii.query(request.query_params, allowed=VERSIONS_FILTERS, by_version=True)
    rows, more = sharing(request).versions(asker, key, object_id, wanted)
    if not rows and not wanted.added_after and wanted.after_version is None:
        raise NotFound(f"no object {object_id} here")
    return answer(taxii.versions(rows, more), headers=taxii.added_headers(rows))


@router.get("/api/collections/{key}/manifest/")
def manifest(request: Request, key: str) -> Response:
    return _page(request, key, OBJECT_FILTERS, taxii.manifest)


def _page(
    request: Request,
    key: str,
    allowed: frozenset[str],
    render: taxii.Render,
    *,
    object_id: str | None = None,
) -> Response:
    """A page of objects (of one object's versions, with ``object_id``), rendered as asked, with
    the date-added headers."""
    accepts(request)
    asker = who(request)
    wanted = taxii.query(request.query_params, allowed=allowed)
    if object_id is not None:
        wanted = replace(wanted, ids=(object_id,))
    rows, more = sharing(request).page(asker, key, wanted)
    if object_id is not None and not rows and not wanted.added_after:
        raise NotFound(f"no object {object_id} here")
    return answer(render(rows, more), headers=taxii.added_headers(rows))
