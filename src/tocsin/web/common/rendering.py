"""The one template environment of every page (``templates/``), built once: the console's pages
and the portal's, the time filters, and gettext in the language of the page being rendered.

The portal's templates are laid out with ``trim_blocks`` and ``lstrip_blocks`` (their tags sit on
lines of their own); the console's are not. The portal renders through an overlay of the same
environment with those two switches on: it shares the loader, filters, globals and gettext, and
keeps its own cache of compiled templates, since the switches change how a template compiles.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader

from tocsin.model.report import HARMED
from tocsin.web.common import formats, i18n


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tocsin.web", "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.filters.update(utc=formats.utc, iso=formats.iso, time_left=formats.time_left)
    env.filters.update(
        when_utc=formats.when_utc, due_local=formats.due_local, countdown=formats.countdown
    )
    env.filters["when"] = i18n.when
    env.filters["harmed"] = lambda flag: HARMED.get(flag, flag)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.translate,
        i18n.translate_plural,
        newstyle=True,
        pgettext=i18n.translate_in_context,
        npgettext=i18n.translate_plural_in_context,
    )
    return env


ENVIRONMENT = _environment()
templates = Jinja2Templates(env=ENVIRONMENT)
PORTAL = ENVIRONMENT.overlay(trim_blocks=True, lstrip_blocks=True)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A console page (``templates/console/<name>``)."""
    return templates.TemplateResponse(request, f"console/{name}", context, status_code=status)
