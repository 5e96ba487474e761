"""The notice pages in Chromium: the desk's list and the acknowledgement page (before and after
the button) pass axe-core."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.conftest import logged_in
from tests.browser.serving import fresh_page, serving
from tests.browser.test_console import check_axe
from tests.desk import FakeClock
from tests.factories import make_event, rows
from tests.integration.test_notices import KEY, constituents
from tocsin.services.demo import load_people
from tocsin.services.notices import notifier
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.web.app import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A server with one planned P1 notice; yields its URL and the notice's acknowledgement path."""
    folder: Path = tmp_path_factory.mktemp("notices")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'tocsin.db'}",
        workers=0,
        secret_key=KEY,
        data_dir=str(folder / "data"),
    )
    write_keys(folder / "data")
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        clock = FakeClock()
        load_people(store, clock)
        constituents(store)
        this_hour = time.strftime("%Y-%m-%dT%H:00:00+00:00", time.gmtime(clock()))
        event = make_event(
            source__ip="198.51.100.7",
            tocsin__constituent="Northwind Power",
            classification__type="infected-system",
            time__source=this_hour,
            tocsin__priority="P1",
        )
        store.write(rows(event), [])
        notices = notifier(settings, store, clock)
        assert notices.plan().notices, "the sample event should make a notice"
        notice_id = store.notices.listing()[0]["id"]
        link = f"/notices/{notice_id}/ack/{notices.token(notice_id)}"
    finally:
        store.close()
    with serving(create_app(settings, clock=clock)) as url:
        yield url, link


@pytest.fixture
def axe_page(browser: Browser, site: tuple[str, str]) -> Iterator[Page]:
    with fresh_page(browser, site[0], bypass_csp=True) as page:
        yield page


def test_the_notices_list_passes_axe(axe_page: Page, axe_source: str) -> None:
    """The desk's list of notices has no axe-core violation."""
    logged_in(axe_page)
    axe_page.goto("/notices")
    expect(axe_page.get_by_role("heading", name="Notices to constituents")).to_be_visible()
    check_axe(axe_page, axe_source, "/notices")


def test_the_acknowledgement_page_passes_axe(
    axe_page: Page, axe_source: str, site: tuple[str, str]
) -> None:
    """The page a recipient opens from the link has no axe-core violation, before and after."""
    axe_page.goto(site[1])
    check_axe(axe_page, axe_source, "acknowledgement page")
    axe_page.get_by_role("button", name="Acknowledge / Accuser réception").click()
    expect(axe_page.get_by_role("status")).to_contain_text("acknowledged")
    check_axe(axe_page, axe_source, "acknowledged page")
