"""The yearly report for parliament rendered: one Jinja2 template (``templates/report/``) for the
page on ``/figures/report/{year}.{lang}.html``, the file ``tocsin stats report`` writes, and the
PDF, which WeasyPrint makes from the same HTML with the print stylesheet (A4, page numbers, the
hatch of suppressed cells in print).

The rendering sits in the web layer, beside the other templates, because both the web and the
command line reach it (the command line sits above the web); ``stats/report.py`` holds the
report as data (its words from ``stats/wording.py``, its SVG charts from ``stats/charts.py``),
and imports neither. The page links its stylesheet (``/static/report.css``: the CSP allows no
inline style); the PDF is given the same file as a stylesheet, so it needs no server and fetches
nothing.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from importlib import resources
from typing import Any

from tocsin.services.types import YearReport
from tocsin.web.common.rendering import ENVIRONMENT

TEMPLATE = "report/parliament.html"
STYLESHEET = "/static/report.css"
FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def stylesheet() -> str:
    return resources.files("tocsin.web").joinpath("static/report.css").read_text("utf-8")


def links(year: int, lang: str) -> dict[str, str]:
    """Where the page's other language, its PDF and the list of figures are on the web."""
    other = "fr" if lang == "en" else "en"
    return {
        "other": f"/figures/report/{year}.{other}.html",
        "other_lang": other,
        "pdf": f"/figures/report/{year}.{lang}.pdf",
        "figures": "/figures",
    }


def html(report: YearReport, *, web: bool = False, page_links: dict[str, Any] | None = None) -> str:
    """The report as one HTML document; ``web``: linking its stylesheet and, when given, its
    other language and its PDF; else with the stylesheet inside it (a file that stands alone)."""
    template = ENVIRONMENT.get_template(TEMPLATE)
    return template.render(
        report=report,
        stylesheet=STYLESHEET if web else None,
        inline_style=None if web else stylesheet(),
        links=page_links,
    )


def pdf(report: YearReport) -> bytes:
    """The report as PDF, from the HTML the page shows (without its links), by WeasyPrint. The
    same document gives the same PDF, kept (a few): the page is public and a PDF takes a CPU
    second or more to lay out."""
    document = ENVIRONMENT.get_template(TEMPLATE).render(
        report=report, stylesheet=None, inline_style=None, links=None
    )
    key = hashlib.sha256(document.encode()).hexdigest()
    with _LOCK:
        kept = _PDFS.get(key)
    if kept is not None:
        return kept
    from weasyprint import CSS, HTML  # loaded when a PDF is asked for: pango is read at import

    written = HTML(string=document, url_fetcher=_fetch_nothing).write_pdf(
        stylesheets=[CSS(string=stylesheet(), url_fetcher=_fetch_nothing)]
    )
    assert written is not None
    with _LOCK:
        _PDFS[key] = bytes(written)
        while len(_PDFS) > KEPT_PDFS:
            _PDFS.popitem(last=False)
    return bytes(written)


KEPT_PDFS = 8
_PDFS: OrderedDict[str, bytes] = OrderedDict()
_LOCK = threading.Lock()


def _fetch_nothing(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's fetcher for the report: nothing is fetched (no network, no file), whatever a
    release's text holds; the report's charts are inline SVG and its style is given."""
    raise ValueError(f"the report fetches nothing: {url[:80]}")


def file_name(year: int, lang: str, suffix: str) -> str:
    return f"tocsin-report-{year}-{lang}.{suffix}"


__all__ = ["FORMATS", "file_name", "html", "links", "pdf", "stylesheet"]
