"""/dashboard in Chromium at 360 and 1440 pixels: reached from the menu, its six charts drawn
under the app's real Content-Security-Policy, no horizontal scrolling of the page, and axe-core
finds no violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.conftest import logged_in
from tests.browser.serving import serving
from tests.browser.test_console import check_axe
from tests.desk import FakeClock
from tests.integration.test_dashboard import notice
from tests.integration.test_feed_health import HOUR, arrive
from tocsin.cases.incidents import Incidents
from tocsin.model.people import Principal
from tocsin.model.sla import DAY
from tocsin.services.demo import load_people
from tocsin.settings import Settings
from tocsin.store import Store, open_store
from tocsin.web.app import create_app

TYPES = ("phishing", "ddos", "scanner", "malware-distribution", "brute-force")
CHARTS = 6
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def seed(store: Store, clock: FakeClock) -> None:
    """Three weeks of incidents of five types and four priorities, some acknowledged and
    resolved; notices sent and acknowledged; one feed as usual, one gone silent."""
    load_people(store, clock)
    analyst = store.people.user_named("analyst")
    assert analyst is not None
    who = Principal.of(analyst)
    desk = Incidents(store, now=clock)
    now = clock.now
    for n in range(60):
        clock.now = now - (n % 21) * DAY - n * 600
        incident = desk.create(
            who,
            title=f"Incident {n}",
            type=TYPES[n % len(TYPES)],
            priority=f"P{1 + n % 4}",
            sector=("energy", "health", None)[n % 3],
        )
        if n % 3:
            clock.now += 20 * 60 * (1 + n % 5)
            desk.transition(who, incident.id, "acknowledged")
        if n % 4 == 0 and n % 3:
            clock.now += 3 * HOUR
            desk.transition(who, incident.id, "resolved", "fixed")
    for n in range(12):
        notice(store, n, sent_at=now - (n % 6) * DAY, acknowledged=n % 2 == 0)
    for n in range(4):
        arrive(store, "abuse", now - (6 - n) * HOUR)
        arrive(store, "ingest:dshield", now - (3 - n) * HOUR, rows=250)
    clock.now = now


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    clock = FakeClock()
    folder: Path = tmp_path_factory.mktemp("dashboard")
    write_keys(folder / "data")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'tocsin.db'}",
        workers=0,
        data_dir=str(folder / "data"),
    )
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        seed(store, clock)
    finally:
        store.close()
    with serving(create_app(settings, clock=clock, watch_clocks=False)) as url:
        yield url


def open_dashboard(page: Page) -> Page:
    logged_in(page, "analyst")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    return page


@pytest.mark.parametrize("width", [360, 1440])
def test_the_dashboard_fits_and_passes_axe(
    browser: Browser, axe_source: str, dashboard_url: str, width: int
) -> None:
    context = browser.new_context(
        base_url=dashboard_url, bypass_csp=True, viewport={"width": width, "height": 900}
    )
    try:
        page = open_dashboard(context.new_page())
        expect(page.get_by_role("img")).to_have_count(CHARTS)
        expect(
            page.locator("caption", has_text="Incidents created per day, by type")
        ).to_be_visible()
        assert page.evaluate(OVERFLOW) <= 0, f"the page scrolls sideways at {width} px"
        check_axe(page, axe_source, f"/dashboard at {width} px")
    finally:
        context.close()


def test_the_charts_are_drawn_under_the_csp_without_javascript(
    browser: Browser, dashboard_url: str
) -> None:
    context = browser.new_context(base_url=dashboard_url)
    try:
        page = open_dashboard(context.new_page())
        blocked: list[str] = []
        page.on("console", lambda message: blocked.append(message.text))
        page.reload()
        chart = page.get_by_role("img", name="Incidents created per day, by type")
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        assert chart.locator("rect").count() > 20  # bars of several types on 21 days
        colours = page.evaluate(
            "[...document.querySelectorAll('svg rect.s0, svg rect.s1')]"
            ".map((r) => getComputedStyle(r).fill)"
        )
        assert {"rgb(0, 114, 178)", "rgb(230, 159, 0)"} <= set(colours)  # console.css applies
        assert not [m for m in blocked if "Content Security Policy" in m]
    finally:
        context.close()
    nojs = browser.new_context(base_url=dashboard_url, java_script_enabled=False)
    try:
        page = open_dashboard(nojs.new_page())
        expect(page.get_by_role("img")).to_have_count(CHARTS)
    finally:
        nojs.close()
