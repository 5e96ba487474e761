"""A real Tocsin server on port 0 with the demo loaded, and a real Chromium to drive it.

Chromium is the system's (``chromium`` on PATH) and axe-core comes from ``npm install``; when
either is missing the tests fail saying so. They are never skipped, and Playwright never
downloads a browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.serving import serving
from tests.desk import FakeClock
from tocsin.cases.incidents import Incidents
from tocsin.model.people import Principal
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.services.demo import (
    DEMO_PARTNER,
    demo_password,
    load_cvd,
    load_demo,
    load_people,
    load_sharing,
)
from tocsin.services.demo_assist import load_assist
from tocsin.services.publish import Publisher
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing
from tocsin.store import Store, open_store
from tocsin.store.shapes import EventFilter
from tocsin.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
API_TOKENS: dict[str, str] = {}  # server URL → an analyst's read token
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real uvicorn server, on a free port, serving a SQLite demo store, on the
    tests' fixed clock (never the wall clock)."""
    clock = FakeClock()
    database = tmp_path_factory.mktemp("browser") / "tocsin.db"
    write_keys(database.parent / "data")
    settings = Settings(
        database_url=f"sqlite:///{database}", workers=0, data_dir=str(database.parent / "data")
    )
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        load_demo(settings, store, FakeClock())
        load_people(store, clock)
        waiting_release(settings, store, clock)
        load_cvd(store, clock)
        load_assist(store, clock)
        analyst = store.people.user_named("analyst")
        assert analyst is not None
        token = Accounts(store, now=clock).create_token(
            Principal.of(analyst), "browser tests", "read"
        )
        API_TOKENS[database.as_posix()] = token.secret
    finally:
        store.close()
    with serving(create_app(settings, clock=clock)) as url:
        API_TOKENS[url] = API_TOKENS.pop(database.as_posix())
        yield url


def waiting_release(settings: Settings, store: Store, now: FakeClock) -> None:
    """The demo's sharing, and one AMBER+STRICT release for the demo partner that the lead
    asked for and a second lead must decide on (the /sharing page)."""
    load_sharing(settings, store, now)
    sharing = Sharing(store, now=now)
    lead = store.people.user_named("lead")
    assert lead is not None
    sharing.set_agreement(
        Principal.system(),
        DEMO_PARTNER,
        "community",
        read=True,
        write=True,
        max_tlp=TLP.AMBER_STRICT,
        approval=True,
    )
    publisher = Publisher(sharing, Incidents(store, now=now), settings.notify_team)
    done = publisher.events(
        Principal.of(lead), "community", EventFilter(limit=5), partner=DEMO_PARTNER
    )
    assert done.release.state.value == "pending", "the demo should have events above GREEN"


@pytest.fixture(scope="session")
def api_headers(server_url: str) -> dict[str, str]:
    """The header that lets a test ask the API what a page should show (an analyst's token)."""
    return {"Authorization": f"Bearer {API_TOKENS[server_url]}"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system's Chromium, headless, with its background chatter turned off."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "the browser tests need Chromium on PATH as `chromium` "
            "(Debian: apt-get install chromium); they never download one"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def logged_in(page: Page, user: str = "analyst") -> Page:
    """The page after logging in through the real form as one of the demo's people."""
    page.goto("/login")
    page.fill("#l-username", user)
    page.fill("#l-password", demo_password(user))
    page.click("button[type=submit]")
    page.wait_for_url("**/console")
    return page


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh page of a logged-in analyst, under the app's real Content-Security-Policy."""
    context = browser.new_context(base_url=server_url)
    try:
        yield logged_in(context.new_page())
    finally:
        context.close()


@pytest.fixture
def no_js_page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh page of a logged-in analyst, in a context where JavaScript is turned off."""
    context = browser.new_context(base_url=server_url, java_script_enabled=False)
    try:
        yield logged_in(context.new_page())
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The text of axe-core, installed by ``npm install`` from package.json."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm install` in {ROOT}")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def axe_page(browser: Browser, server_url: str) -> Iterator[Page]:
    """A fresh page that axe-core can be injected into.

    add_script_tag inserts an inline <script>, which the app's CSP (script-src 'self') rightly
    blocks; so this context alone bypasses the CSP. Every other test runs under the real policy.
    """
    context = browser.new_context(base_url=server_url, bypass_csp=True)
    try:
        yield logged_in(context.new_page())
    finally:
        context.close()
