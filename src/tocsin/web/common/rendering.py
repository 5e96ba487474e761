"""The pages' templates (``templates/``) with their filters: the one place pages are rendered."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from tocsin.web.common import formats

templates = Jinja2Templates(directory=str(resources.files("tocsin.web").joinpath("templates")))
templates.env.filters.update(utc=formats.utc, iso=formats.iso, time_left=formats.time_left)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A console page (``templates/console/<name>``)."""
    return templates.TemplateResponse(request, f"console/{name}", context, status_code=status)
