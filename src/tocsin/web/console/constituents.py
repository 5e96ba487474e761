"""``/constituents``: the constituency registry on the web, as ``tocsin constituents`` keeps it.
The staff read it; leads and admins add a constituent, change one (its networks, ASNs, domains,
abuse contact, sector, country, region), remove one, or replace the whole registry from a CSV
or TOML file (all or nothing: a wrong line stops the import and is named). Every change goes
through ``services.registry.Registry``, which checks the role and writes the audit log."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import Conflict, InvalidValue, NotFound
from tocsin.model.constituent import Constituent
from tocsin.services.registry import CHANGERS
from tocsin.web.common.deps import Acting, Form, Services, Viewer
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

FIELDS = ("name", "sector", "country", "region", "abuse_contact", "networks", "asns", "domains")
MAX_IMPORT = 5 << 20  # bytes: a national registry in CSV is far below
SUFFIXES = (".csv", ".toml")


def may_change(viewer: Viewer) -> bool:
    who = viewer.principal
    return who.role in CHANGERS and "write" in who.scopes


def _values(constituent: Constituent) -> dict[str, str]:
    return {
        "name": constituent.name,
        "sector": constituent.sector,
        "country": constituent.country or "",
        "region": constituent.region or "",
        "abuse_contact": constituent.abuse_contact or "",
        "networks": " ".join(constituent.networks),
        "asns": " ".join(str(a) for a in constituent.asns),
        "domains": " ".join(constituent.domains),
    }


@router.get("/constituents", response_class=HTMLResponse)
def registry(request: Request, viewer: Acting, desk: Services) -> HTMLResponse:
    return _page(request, viewer, desk, {}, None)


@router.get("/constituents/edit", response_class=HTMLResponse)
def edit(request: Request, viewer: Acting, desk: Services, name: str = "") -> HTMLResponse:
    found = desk.registry.get(viewer.principal, name)
    return _edit(request, viewer, name, _values(found), None)


@router.post("/constituents")
def save(request: Request, posted: Form, desk: Services) -> Response:
    values = {k: posted.form.get(k, "").strip() for k in FIELDS}
    replacing = posted.form.get("replacing", "").strip() or None
    data = {k: v for k, v in values.items() if v}
    try:
        desk.registry.save(posted.viewer.principal, data, replacing=replacing)
    except (InvalidValue, Conflict) as exc:
        if replacing:
            return _edit(request, posted.viewer, replacing, values, exc)
        return _page(request, posted.viewer, desk, values, exc)
    return RedirectResponse("/constituents", status_code=303)


@router.post("/constituents/delete")
def delete(posted: Form, desk: Services) -> Response:
    desk.registry.delete(posted.viewer.principal, posted.form.get("name", ""))
    return RedirectResponse("/constituents", status_code=303)


@router.post("/constituents/import")
def import_file(
    request: Request,
    posted: Form,
    desk: Services,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The file is read as text by the registry's reader, from a private temporary copy with
    the suffix it was sent with; it is never kept, run or shown."""
    try:
        if file is None or not file.filename:
            raise InvalidValue("file", "", "choose a CSV or TOML file")
        suffix = Path(file.filename).suffix.lower()
        if suffix not in SUFFIXES:
            raise InvalidValue("file", file.filename, "a .csv or .toml file, please")
        data = file.file.read(MAX_IMPORT + 1)
        if len(data) > MAX_IMPORT:
            raise InvalidValue("file", file.filename, f"at most {MAX_IMPORT >> 20} MB")
        with tempfile.TemporaryDirectory() as scratch:
            copy = Path(scratch) / f"registry{suffix}"
            copy.write_bytes(data)
            desk.registry.import_file(posted.viewer.principal, copy, Path(file.filename).name)
    except InvalidValue as exc:
        return _page(request, posted.viewer, desk, {}, exc, importing=True)
    return RedirectResponse("/constituents", status_code=303)


def _page(
    request: Request,
    viewer: Viewer,
    desk: Services,
    values: dict[str, str],
    error: InvalidValue | Conflict | None,
    *,
    importing: bool = False,
) -> HTMLResponse:
    field = str(getattr(error, "field", "")).rsplit(".", 1)[-1]
    return render(
        request,
        "constituents.html",
        {
            "viewer": viewer,
            "active": "constituents",
            "constituents": desk.registry.list(viewer.principal),
            "values": values,
            "error": None if importing else error,
            "import_error": error if importing else None,
            "error_id": f"c-{field}" if error and field in FIELDS else "",
            "may_change": may_change(viewer),
        },
        status=(409 if isinstance(error, Conflict) else 400) if error else 200,
    )


def _edit(
    request: Request,
    viewer: Viewer,
    name: str,
    values: dict[str, str],
    error: InvalidValue | Conflict | None,
) -> HTMLResponse:
    if not may_change(viewer):
        raise NotFound(f"no constituent {name!r} to change")
    field = str(getattr(error, "field", "")).rsplit(".", 1)[-1]
    return render(
        request,
        "constituent.html",
        {
            "viewer": viewer,
            "active": "constituents",
            "name": name,
            "values": values,
            "error": error,
            "error_id": f"c-{field}" if error and field in FIELDS else "",
        },
        status=(409 if isinstance(error, Conflict) else 400) if error else 200,
    )
