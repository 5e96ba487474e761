"""``/partner``: what a partner who logs in gets instead of a console, and all they get: where
Tocsin's TAXII server is, the collections their agreement opens to them (read, write, up to which
TLP) and how their tools sign in. Every console page answers a partner 403."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.model.people import Role
from tocsin.web.common.deps import Partners, SignedIn
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

DISCOVERY, API_ROOT = "/taxii2/", "/taxii2/api/"  # as the TAXII door serves them


@router.get("/partner", response_class=HTMLResponse)
def partner_page(request: Request, viewer: SignedIn, sharing: Partners) -> Response:
    if viewer.principal.role is not Role.PARTNER:
        return RedirectResponse("/console", status_code=303)
    base = str(request.base_url).rstrip("/")
    return render(
        request,
        "partner.html",
        {
            "viewer": viewer,
            "active": "partner",
            "discovery": base + DISCOVERY,
            "api_root": base + API_ROOT,
            "collections": sharing.collections(viewer.principal),
        },
    )
