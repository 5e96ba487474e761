"""Figures for parliament on the web. ``/statistics`` (leads, admins, auditors): the releases,
pending ones with Publish and Refuse for a lead other than their author, a form that checks a
table's declaration (what it would publish, what it suppresses and why) and releases it, and one
that checks or releases a template's tables for a year (``/statistics/template/...``). Every
decision goes through ``Oversight`` (four eyes, the audit across earlier releases, the audit
log). ``/figures`` (anyone, no log-in): the published releases, each as CSV, SDMX-CSV and JSON,
and for each year with a release inside it the report for parliament, in English and French, as a
page and as PDF (``/figures/report/{year}.{lang}.html`` and ``.pdf``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from tocsin.errors import Conflict, Forbidden, InvalidValue, NotFound
from tocsin.model.people import Role
from tocsin.web.common import deps
from tocsin.web.common import report as parliament
from tocsin.web.common.deps import Acting, Form, Viewer
from tocsin.web.common.params import PathId
from tocsin.web.common.rendering import render

router = APIRouter(include_in_schema=False)

MAX_SPEC = 20_000  # characters of a table's declaration
FORMATS = {
    "csv": ("csv", "text/csv; charset=utf-8"),
    "sdmx.csv": ("sdmx", "text/csv; charset=utf-8"),
    "json": ("json", "application/json"),
}
EXAMPLE = (
    'name = "incidents-by-sector-2026"\n'
    'title = "Incidents by sector and priority, 2026"\n'
    'rows = "sector"\ncolumns = "priority"\nfrom = "2026-01"\nto = "2026-12"\nthreshold = 10\n'
)
# The templates of ``Oversight.template`` (stats/templates/*.toml), each described in plain words.
TEMPLATES = {
    "annual": "The annual report's tables",
    "art14": "Directive 2013/40 Art. 14 offences",
    "art28": "Regulation 2023/1543 Art. 28 requests",
}
YEARS = (1970, 9998)


@dataclass(frozen=True, slots=True)
class Chosen:
    """The template form as posted (kept in the form when the page answers)."""

    name: str
    year: str

    @classmethod
    def of(cls, posted: deps.Posted) -> Chosen:
        return cls(posted.form.get("template", "")[:40], posted.form.get("year", "").strip()[:8])

    def number(self) -> int:
        if not self.year.isdecimal():
            raise InvalidValue("year", self.year, f"a year from {YEARS[0]} to {YEARS[1]}")
        return int(self.year)


@dataclass(frozen=True, slots=True)
class TableChecked:
    """One table of a checked template, as the page shows it."""

    name: str
    title: str
    cells: int
    suppressed: int
    leaks: list[str]


@router.get("/statistics", response_class=HTMLResponse)
def statistics(request: Request, viewer: Acting) -> HTMLResponse:
    return _page(request, viewer)


@router.post("/statistics/check", response_class=HTMLResponse)
def check(request: Request, posted: Form) -> HTMLResponse:
    text = posted.form.get("spec", "")[:MAX_SPEC]
    oversight = deps.desk(request).oversight
    try:
        checked = oversight.check(posted.viewer.principal, oversight.spec(text))
    except (Conflict, InvalidValue) as exc:  # Conflict: past the year's budget, or too fine
        status = 409 if isinstance(exc, Conflict) else 400
        return _page(request, posted.viewer, text, error=str(exc), status=status)
    return _page(request, posted.viewer, text, checked=checked)


@router.post("/statistics/release")
def release(request: Request, posted: Form) -> Response:
    text = posted.form.get("spec", "")[:MAX_SPEC]
    oversight = deps.desk(request).oversight
    return _act(
        request,
        posted,
        lambda: oversight.release(posted.viewer.principal, oversight.spec(text)),
        text,
    )


@router.post("/statistics/template/check", response_class=HTMLResponse)
def template_check(request: Request, posted: Form) -> HTMLResponse:
    """A template's tables for a year, each audited with the kept releases and the tables before
    it, as ``release_all`` would keep them; nothing is kept."""
    chosen = Chosen.of(posted)
    oversight = deps.desk(request).oversight
    try:
        title, specs = oversight.template(chosen.name, chosen.number())
        found = oversight.check_all(posted.viewer.principal, specs)
    except (Conflict, InvalidValue) as exc:
        status = 409 if isinstance(exc, Conflict) else 400
        return _page(request, posted.viewer, chosen=chosen, error=str(exc), status=status)
    tables = [
        TableChecked(
            spec.name,
            spec.title,
            len(checked.table.cells),
            sum(1 for row in checked.rows() if row["suppressed"]),
            [leak.line() for leak in checked.leaks],
        )
        for spec, checked in zip(specs, found, strict=True)
    ]
    return _page(request, posted.viewer, chosen=chosen, template=(title, tables))


@router.post("/statistics/template/release")
def template_release(request: Request, posted: Form) -> Response:
    """Every table of a template kept as a pending release, or none when one leaks."""
    chosen = Chosen.of(posted)
    oversight, who = deps.desk(request).oversight, posted.viewer.principal
    return _act(
        request,
        posted,
        lambda: oversight.release_all(who, oversight.template(chosen.name, chosen.number())[1]),
        chosen=chosen,
    )


@router.post("/statistics/{release_id:int}/approve")
def approve(request: Request, release_id: PathId, posted: Form) -> Response:
    oversight = deps.desk(request).oversight
    return _act(request, posted, lambda: oversight.approve(posted.viewer.principal, release_id))


@router.post("/statistics/{release_id:int}/refuse")
def refuse(request: Request, release_id: PathId, posted: Form) -> Response:
    oversight, reason = deps.desk(request).oversight, posted.form.get("reason", "")
    return _act(
        request, posted, lambda: oversight.refuse(posted.viewer.principal, release_id, reason)
    )


@router.get("/figures", response_class=HTMLResponse)
def figures(request: Request) -> HTMLResponse:
    """The published releases, for anyone."""
    desk = deps.desk(request)
    found = desk.oversight.releases(None)
    context = {"viewer": None, "releases": found, "years": desk.report.years()}
    return render(request, "figures.html", context)


@router.get("/figures/report/{year:int}.{lang}.{suffix}")
def report(request: Request, year: int, lang: str, suffix: str) -> Response:
    """The year's report for parliament, for anyone: the page, or its PDF as an attachment."""
    if lang not in ("en", "fr") or suffix not in parliament.FORMATS:
        raise NotFound("the report is served as {year}.en.html, .fr.html, .en.pdf or .fr.pdf")
    made = deps.desk(request).report.build(year, lang)
    if suffix == "html":
        page = parliament.html(made, web=True, page_links=parliament.links(year, lang))
        return HTMLResponse(page)
    name = parliament.file_name(year, lang, "pdf")
    return Response(
        parliament.pdf(made),
        media_type=parliament.FORMATS["pdf"],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/figures/{release_id:int}.{suffix}")
def download(request: Request, release_id: PathId, suffix: str) -> Response:
    if suffix not in FORMATS:
        raise NotFound("a release is served as .csv, .sdmx.csv or .json")
    form, media = FORMATS[suffix]
    text = deps.desk(request).oversight.output(None, release_id, form)
    name = f"tocsin-release-{release_id}.{suffix}"
    return Response(
        text,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _act(
    request: Request,
    posted: deps.Posted,
    action: Callable[[], object],
    text: str = "",
    chosen: Chosen | None = None,
) -> Response:
    try:
        action()
    except (Conflict, Forbidden, InvalidValue, NotFound) as exc:
        status = {Conflict: 409, Forbidden: 403, NotFound: 404}.get(type(exc), 400)
        return _page(request, posted.viewer, text, chosen=chosen, error=str(exc), status=status)
    return RedirectResponse("/statistics", status_code=303)


def _page(
    request: Request,
    viewer: Viewer,
    text: str = "",
    *,
    checked: Any = None,
    chosen: Chosen | None = None,
    template: tuple[str, list[TableChecked]] | None = None,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    who = viewer.principal
    desk = deps.desk(request)
    found = desk.oversight.releases(who)
    makes = who.role in (Role.ADMIN, Role.LEAD) and "write" in who.scopes
    this_year = str(datetime.fromtimestamp(desk.clock(), UTC).year)  # the desk's clock
    chosen = chosen or Chosen("annual", this_year)
    return render(
        request,
        "statistics.html",
        {
            "viewer": viewer,
            "active": "statistics",
            "releases": found,
            "may_make": makes,
            "spec": text or EXAMPLE,
            "checked": checked,
            "templates": TEMPLATES,
            "years": YEARS,
            "chosen": chosen,
            "template": template,
            "error": error,
        },
        status=status,
    )
