"""The /feeds page in Chromium: reached from the menu, it shows a silent feed's alarm beside a
feed as usual, and axe-core finds no violation on it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.conftest import logged_in
from tests.browser.serving import serving
from tests.browser.test_console import check_axe
from tests.desk import FakeClock
from tests.integration.test_feed_health import HOUR, arrive
from tocsin.services.demo import load_people
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.web.app import create_app


def test_the_feeds_page_shows_the_alarm_and_passes_axe(
    browser: Browser, axe_source: str, tmp_path: Path
) -> None:
    clock = FakeClock()
    write_keys(tmp_path / "data")
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'tocsin.db'}",
        workers=0,
        data_dir=str(tmp_path / "data"),
    )
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        load_people(store, clock)
        for n in range(4):
            arrive(store, "abuse", clock.now - (6 - n) * HOUR)  # silent for three hours
            arrive(store, "ingest:dshield", clock.now - (3 - n) * HOUR, rows=250)
    finally:
        store.close()
    with serving(create_app(settings, clock=clock, watch_clocks=False)) as url:
        context = browser.new_context(base_url=url, bypass_csp=True)
        try:
            page = logged_in(context.new_page(), "lead")
            page.get_by_role("link", name="Feeds").click()
            expect(page.get_by_role("heading", name="Feeds", exact=True)).to_be_visible()
            silent = page.get_by_role("row", name="abuse")
            expect(silent).to_contain_text("Alarm: silent")
            expect(page.get_by_role("row", name="ingest:dshield")).to_contain_text("as usual")
            check_axe(page, axe_source, "/feeds with an alarm")
        finally:
            context.close()
