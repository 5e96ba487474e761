"""TAXII 2.1 under ``/taxii2/``: discovery, one API root (``/taxii2/api/``), its collections,
objects, manifests, versions and status. The routes parse and render only: what a partner sees is
decided by ``Sharing`` from its agreement.

Authentication is HTTP Basic (a user name and password, or any name and an API token as the
password) or a bearer API token. A checked credential is remembered for a minute, keyed by a
digest of the header, so that a partner paging through a collection does not pay for an argon2
check per page: a disabled account or a revoked token is refused at most a minute later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import time
from dataclasses import replace
from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from tocsin.errors import InvalidValue, NotAuthenticated, NotFound, TocsinError
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.services.pull import receive
from tocsin.share import taxii
from tocsin.share.sharing import Sharing

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
REMEMBER = 60.0


class Credentials:
    """Checked credentials, remembered for ``REMEMBER`` seconds by a digest of the header."""

    def __init__(self) -> None:
        self._known: dict[bytes, tuple[float, Principal]] = {}

    def principal(self, request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        if not header:
            raise NotAuthenticated("TAXII needs HTTP Basic credentials or a bearer API token")
        key = hashlib.sha256(header.encode()).digest()
        now = time.monotonic()
        known = self._known.get(key)
        if known is not None and known[0] > now:
            return known[1]
        who = _check(request, header)
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[key] = (now + REMEMBER, who)
        return who


def _check(request: Request, header: str) -> Principal:
    accounts: Accounts = request.app.state.accounts
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return accounts.token_principal(value.strip())
    if scheme.lower() != "basic":
        raise NotAuthenticated("TAXII needs HTTP Basic credentials or a bearer API token")
    try:
        name, _, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated("unreadable Basic credentials") from None
    if secret.startswith("tocsin_"):
        return accounts.token_principal(secret)
    client = request.client.host if request.client else ""
    return Principal.of(accounts.authenticate(name, secret, client=client))


def _who(request: Request) -> Principal:
    credentials: Credentials = request.app.state.taxii_credentials
    return credentials.principal(request)


def _sharing(request: Request) -> Sharing:
    found: Sharing = request.app.state.sharing
    return found


def _accepts(request: Request) -> None:
    accept = request.headers.get("accept", "")
    wanted = [part.split(";")[0].strip() for part in accept.split(",")]
    if not any(w in ("application/taxii+json", "application/stix+json", "*/*") for w in wanted) or (
        "version=" in accept and "version=2.1" not in accept
    ):
        raise NotAcceptable(f"send Accept: {taxii.TAXII}")


class NotAcceptable(TocsinError):
    pass


class UnsupportedMedia(TocsinError):
    pass


def _taxii(
    body: bytes | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(data, status_code=status, media_type=taxii.TAXII, headers=headers)


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
    _accepts(request)
    _who(request)
    base = str(request.base_url).rstrip("/")
    return _taxii(
        {
            "title": "Tocsin TAXII 2.1",
            "description": "What this team shares with its partners, under their agreements.",
            "default": base + ROOT,
            "api_roots": [base + ROOT],
        }
    )


@router.get("/api/")
async def api_root(request: Request) -> Response:
    _accepts(request)
    _who(request)
    return _taxii(
        {
            "title": "Tocsin",
            "versions": [taxii.TAXII],
            "max_content_length": taxii.MAX_CONTENT_LENGTH,
        }
    )


@router.get("/api/status/{status_id}/")
def status(request: Request, status_id: str) -> Response:
    _accepts(request)
    return _taxii(_sharing(request).status(_who(request), status_id))


@router.get("/api/collections/")
def collections(request: Request) -> Response:
    _accepts(request)
    found = _sharing(request).collections(_who(request))
    return _taxii({"collections": [_collection(a) for a in found]} if found else {})


@router.get("/api/collections/{key}/")
def collection(request: Request, key: str) -> Response:
    _accepts(request)
    return _taxii(_collection(_sharing(request).access(_who(request), key)))


@router.post("/api/collections/{key}/objects/")
async def add_objects(request: Request, key: str) -> Response:
    _accepts(request)
    kind = request.headers.get("content-type", "")
    if kind.split(";")[0].strip() != "application/taxii+json" or (
        "version=" in kind and "version=2.1" not in kind
    ):
        raise UnsupportedMedia(f"send Content-Type: {taxii.TAXII}")
    body = await request.body()
    if len(body) > taxii.MAX_CONTENT_LENGTH:
        return _taxii(taxii.error(413, "Too large", "over the API root's max_content_length"), 413)
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InvalidValue("envelope", "", "not JSON") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("objects"), list):
        return _taxii(taxii.error(422, "Unprocessable", "an envelope has a list of objects"), 422)
    who = _who(request)
    settings = request.app.state.settings
    result = await run_in_threadpool(
        receive, _sharing(request), settings, who, key, parsed["objects"]
    )
    return _taxii(result, 202)


@router.delete("/api/collections/{key}/objects/{object_id}/")
def delete_object(request: Request, key: str, object_id: str) -> Response:
    _accepts(request)
    who = _who(request)
    wanted = taxii.query(
        request.query_params, allowed=frozenset({"match[version]", "match[spec_version]"})
    )
    if "match[version]" not in request.query_params:
        wanted = replace(wanted, versions=("all",))
    _sharing(request).delete(who, key, object_id, wanted)
    return _taxii({})


@router.get("/api/collections/{key}/objects/{object_id}/versions/")
def versions(request: Request, key: str, object_id: str) -> Response:
    _accepts(request)
    who = _who(request)
    wanted = taxii.query(request.query_params, allowed=VERSIONS_FILTERS)
    rows, more = _sharing(request).versions(who, key, object_id, wanted)
    if not rows and not wanted.added_after:
        raise NotFound(f"no object {object_id} here")
    return _taxii(taxii.versions(rows, more), headers=taxii.added_headers(rows))


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
    _accepts(request)
    who = _who(request)
    wanted = taxii.query(request.query_params, allowed=allowed)
    if object_id is not None:
        wanted = replace(wanted, ids=(object_id,))
    rows, more = _sharing(request).page(who, key, wanted)
    if object_id is not None and not rows and not wanted.added_after:
        raise NotFound(f"no object {object_id} here")
    return _taxii(render(rows, more), headers=taxii.added_headers(rows))


def _collection(found: Any) -> dict[str, Any]:
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
    return _taxii(taxii.error(status, title, description), status, headers)
