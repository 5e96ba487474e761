"""The yearly report for parliament (``stats/report.py`` with ``wording.py`` and ``charts.py``,
``services/report.py``, rendered by ``web/common/report.py``) on SQLite and PostgreSQL: 2026 has
two published releases, one with suppressed cells, a pending one and a refused one, and 2025 a
published one.

The suppressed cells' true values (37 incidents of P1 from two victims, and the 29 of P2
suppressed beside them) are chosen to appear nowhere else in the report, so that finding either
number anywhere in the HTML or the PDF would be a disclosure. Time comes from the team's clock.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.desk import Team, make_team
from tests.integration.test_console_http import Desk, desk
from tocsin.assist.figures import AssistFigures
from tocsin.model.sla import SlaPolicy
from tocsin.services import report as report_service
from tocsin.services.report import ParliamentReport
from tocsin.stats import report, wording
from tocsin.stats.releases import Oversight
from tocsin.stats.tables import code_lists, spec_of
from tocsin.store import Store
from tocsin.web.common import report as rendering

__all__ = ["desk"]

HOUR = 3600
NOVEMBER = {"P1": (2, 37), "P2": (29, 29), "P3": (41, 41)}  # priority: (victims, incidents)
HIDDEN_VALUES = (37, 29)  # P1 (fewer than 10 victims) and P2 (suppressed so P1 can't be derived)


def at(year: int, month: int, day: int, hour: int = 9) -> int:
    return int(datetime(year, month, day, hour, tzinfo=UTC).timestamp())


@pytest.fixture
def made(store: Store) -> tuple[Team, ParliamentReport, dict[str, dict[str, object]]]:
    """The incidents, then five releases: two published in 2026 (November by priority, with
    suppressed cells; January by sector, none suppressed), one pending and one refused in 2026,
    one published for June 2025. Twelve P3 incidents were acknowledged 1.5 hours after they
    were opened; no other incident was acknowledged, nothing was notified or published."""
    team = make_team(store)
    analyst, lead, admin = team.people["analyst"], team.people["lead"], team.people["admin"]
    team.clock.now = at(2026, 1, 10)
    for n in range(12):
        team.desk.create(
            analyst,
            title=f"e{n}",
            type="phishing",
            priority="P3",
            constituent=f"energy-{n}",
            sector="energy",
        )
    team.clock.now = at(2026, 11, 5)
    acknowledged = []
    for priority, (victims, incidents) in NOVEMBER.items():
        for n in range(incidents):
            made = team.desk.create(
                analyst,
                title=f"{priority} {n}",
                type="phishing",
                priority=priority,
                constituent=f"{priority}-victim-{n % victims}",
            )
            if priority == "P3" and len(acknowledged) < 12:
                acknowledged.append(made.id)
    team.clock.now = at(2026, 11, 5, 9) + 90 * 60
    for incident_id in acknowledged:
        team.desk.transition(analyst, incident_id, "acknowledged")
    team.clock.now = at(2026, 12, 6)
    oversight = Oversight(store, now=team.clock)

    def spec(name: str, title: str, rows: str, first: str, last: str) -> object:
        return spec_of({"name": name, "title": title, "rows": rows, "from": first, "to": last})

    releases: dict[str, dict[str, object]] = {}
    for key, args in {
        "priority": ("by-priority-2026-11", "Incidents by priority", "priority", "2026-11"),
        "sector": ("by-sector-2026-01", "Incidents by sector", "sector", "2026-01"),
        "pending": ("pending-by-class", "Pending by class", "taxonomy", "2026-11"),
        "refused": ("refused-by-month", "Refused by month", "month", "2026-01"),
        "before": ("by-priority-2025-06", "The year before", "priority", "2025-06"),
    }.items():
        name, title, rows, month = args
        releases[key] = oversight.release(lead, spec(name, title, rows, month, month))  # type: ignore[arg-type]
    for key in ("priority", "sector", "before"):
        oversight.approve(admin, int(releases[key]["id"]))  # type: ignore[call-overload]
    oversight.refuse(admin, int(releases["refused"]["id"]), "not for parliament")  # type: ignore[call-overload]
    service = ParliamentReport(
        store, oversight, SlaPolicy.default(), AssistFigures(store), team.clock
    )
    return team, service, releases


def numbers(text: str) -> set[str]:
    """Every number written in ``text``, SVG coordinates included: each run of digits with its
    separators, as a whole and each part of it (``29.0`` is 290, 29 and 0)."""
    found: set[str] = set()
    for written in re.findall(r"\d[\d\u202f,.]*", text):
        found.add(re.sub(r"[\s\u202f,.]", "", written))
        found.update(part for part in re.split(r"[\s\u202f,.]", written) if part)
    return found


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_only_the_years_published_releases_are_in_it_suppressed_cells_hatched_never_valued(
    made: tuple[Team, ParliamentReport, dict[str, dict[str, object]]],
) -> None:
    _, service, releases = made
    assert service.years() == [2026, 2025]
    built = service.build(2026, "en")
    assert [s.title for s in built.sections] == ["Incidents by priority", "Incidents by sector"]
    page = rendering.html(built)
    for absent in ("Pending by class", "Refused by month", "The year before"):
        assert absent not in page
    by_priority = built.sections[0]
    rows = {name: cells for name, cells in by_priority.grid.rows}
    assert rows["P1 (critical)"][0].suppressed and rows["P1 (critical)"][0].text == "[c]"
    assert rows["P3 (medium)"][0].text == "41"
    chart = by_priority.chart
    assert 'role="img"' in chart and "<title>Incidents by priority" in chart
    assert 'fill="url(#hatch-release-' in chart and "[c] suppressed to protect victims" in chart
    # each suppressed bar has the same width whatever its value, and says [c], not a number
    hatched = re.findall(
        r'<rect class="suppressed"[^>]* width="(\d+)"[^>]*/><text[^>]*>([^<]*)<', chart
    )
    assert (
        len(hatched) == 2
        and {w for w, _ in hatched} == {"40"}
        and {t for _, t in hatched} == {"[c]"}
    )
    written = numbers(page)
    assert not {str(v) for v in HIDDEN_VALUES} & written, "a suppressed cell's value is in the HTML"
    assert "107" in written  # the total, published
    assert all(v not in numbers(built.text) for v in ("37", "29"))
    kept = releases["priority"]["id"]
    assert f'id="release-{kept}"' in page


def test_the_french_report_has_french_words_labels_and_numbers(
    made: tuple[Team, ParliamentReport, dict[str, dict[str, object]]],
) -> None:
    _, service, _ = made
    page = rendering.html(service.build(2026, "fr"))
    assert '<html lang="fr">' in page
    for heading in ("Statistiques publiées", "Le service du CSIRT", "Méthodes", "Sommaire"):
        assert f">{heading}</h2>" in page
    assert "Énergie" in page and "P1 (critique)" in page and "novembre 2026" in page
    assert "1,5 h" in page  # the twelve acknowledged incidents' mean time: a decimal comma
    assert "100\u202f%" in page  # and a narrow no-break space before the percent sign
    assert wording.number(1234567.5, "fr", 1) == "1\u202f234\u202f567,5"
    english = rendering.html(service.build(2026, "en"))
    assert "1.5 h" in english and "100%" in english and "Published statistics" in english


def test_service_figures_below_ten_are_fewer_than_ten_and_times_over_fewer_are_not_shown(
    made: tuple[Team, ParliamentReport, dict[str, dict[str, object]]],
) -> None:
    _, service, _ = made
    built = service.build(2026, "en")
    grids = {g.anchor: {name: cells for name, cells in g.rows} for g in built.service}
    assert grids["service-notices"]["Notices sent"][0].text == "fewer than 10"
    assert grids["service-notices"]["Acknowledgement rate"][0].text == "[c]"
    assert grids["service-cvd"]["Vulnerability cases opened"][0].text == "fewer than 10"
    outgoing = grids["service-assist"]["Issued to counterparts abroad"]
    assert [c.text for c in outgoing] == ["fewer than 10", "fewer than 10", "[c]", "[c]"]
    p3 = [c.text for c in grids["service-acknowledge"]["P3 (medium)"]]
    assert p3 == ["4 h", "1.5 h", "1.5 h", "100%"]  # twelve acknowledged: shown
    p1 = [c.text for c in grids["service-acknowledge"]["P1 (critical)"]]
    assert p1 == ["15 min", "[c]", "[c]", "[c]"]  # none acknowledged
    assert [c.text for c in grids["service-resolve"]["P3 (medium)"]][1:] == ["[c]"] * 3
    assert "fewer than 10" in built.methods[1] and "([c])" in built.methods[1]
    methods = " ".join(built.sections[0].methods)
    assert "fewer than 10 distinct victims" in methods and "every release made before it" in methods


def test_the_pdf_is_a_pdf_with_the_headings_and_figures_and_no_suppressed_value(
    made: tuple[Team, ParliamentReport, dict[str, dict[str, object]]],
) -> None:
    _, service, _ = made
    data = rendering.pdf(service.build(2026, "en"))
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for heading in (
        "Published statistics",
        "The desk's service",
        "Methods",
        "Incidents by priority",
    ):
        assert heading in text
    assert "[c]" in text and "41" in text and "107" in text and "fewer than 10" in text
    assert not {str(v) for v in HIDDEN_VALUES} & numbers(text)
    french = pdf_text(rendering.pdf(service.build(2026, "fr")))
    assert "Statistiques publiées" in french and "Méthodes" in french


def test_a_dp_release_is_described_as_differential_privacy_with_its_epsilon() -> None:
    """The method block of a release made with ``method = "dp"`` (stats.dp), as its JSON says."""
    release = {
        "id": 9,
        "name": "dp",
        "title": "Noisy",
        "state": "published",
        "snapshot": "0" * 64,
        "digest": "0" * 64,
        "cells": [],
        "spec": {
            "name": "dp",
            "rows": "priority",
            "columns": None,
            "from": "2026-01",
            "to": "2026-12",
            "method": "dp",
            "epsilon": 0.5,
            "contributions": 3,
            "noise": {"scale": 6.0, "accuracy95": 19.2},
            "threshold": 10,
            "zeros_disclosive": False,
            "rounding": 0,
            "protection": 0.5,
        },
    }
    said = " ".join(report.method(release, "fr"))
    assert "confidentialité différentielle avec ε = 0,5" in said and "±19,2" in said
    assert "victimes distinctes" not in said


def test_figures_links_the_report_served_as_a_page_and_a_pdf_attachment(desk: Desk) -> None:
    team = desk.team
    oversight = Oversight(team.store, now=team.clock)
    lead, admin = team.people["lead"], team.people["admin"]
    kept = oversight.release(
        lead,
        spec_of(
            {"name": "nov", "title": "November by priority", "rows": "priority", "from": "2026-11"}
        ),
    )
    public = TestClient(desk.client.app)
    assert "/figures/report/2026.en.html" not in public.get("/figures").text  # still pending
    assert public.get("/figures/report/2026.en.html").status_code == 404
    oversight.approve(admin, kept["id"])
    listed = public.get("/figures").text
    assert "/figures/report/2026.en.html" in listed and "/figures/report/2026.fr.pdf" in listed
    page = public.get("/figures/report/2026.fr.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "November by priority" in page.text and 'href="/static/report.css"' in page.text
    pdf = public.get("/figures/report/2026.en.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert pdf.content.startswith(b"%PDF-")
    assert public.get("/figures/report/2026.de.html").status_code == 404
    assert public.get("/figures/report/2025.en.html").status_code == 404


def test_every_word_and_label_is_in_both_languages() -> None:
    """The catalogue (``stats/report_texts.toml``): French has every key English has, and the
    code lists' labels cover every sector, RSIT class and priority a table can show."""
    english, french = wording.catalogue("en"), wording.catalogue("fr")
    assert {t: set(english[t]) for t in english} == {t: set(french[t]) for t in french}
    lists = code_lists()
    for lang in ("en", "fr"):
        for dimension in ("sector", "taxonomy", "priority"):
            assert set(lists[dimension]) <= set(wording.catalogue(lang)[dimension]), dimension


def test_the_service_figures_are_read_again_after_ten_minutes_not_at_every_asking(
    made: tuple[Team, ParliamentReport, dict[str, dict[str, object]]],
) -> None:
    """The report is public and reads a year of incidents: a crowd asking for it within ten
    minutes is given the figures read for the first; after ten minutes they are read again."""
    team, service, _ = made

    def p2() -> list[str]:
        built = service.build(2026, "en")
        grids = {g.anchor: dict(g.rows) for g in built.service}
        return [c.text for c in grids["service-acknowledge"]["P2 (high)"]][1:]

    analyst = team.people["analyst"]
    made_ids = [
        team.desk.create(analyst, title=f"p2 {n}", type="phishing", priority="P2").id
        for n in range(12)
    ]
    team.clock.now += 30 * 60
    assert p2() == ["[c]"] * 3  # none acknowledged yet
    for incident_id in made_ids:
        team.desk.transition(analyst, incident_id, "acknowledged")
    assert p2() == ["[c]"] * 3  # within ten minutes of the first reading
    team.clock.now += report_service.SERVICE_TTL
    assert p2()[0] == "30 min"


def test_the_same_report_is_laid_out_as_pdf_once(
    made: tuple[Team, ParliamentReport, dict[str, dict[str, object]]],
) -> None:
    _, service, _ = made
    built = service.build(2026, "fr")
    first = rendering.pdf(built)
    kept = len(rendering._PDFS)
    assert rendering.pdf(built) == first and len(rendering._PDFS) == kept
    assert first in rendering._PDFS.values()
