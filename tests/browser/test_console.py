"""The analyst console in a real Chromium against a real server, its clock injected.

Each test gets its own server on port 0 over its own copy of the demo database, with the team of
``tests.desk``, an analyst who can log in, and three open incidents.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.serving import fresh_page, serving
from tests.desk import FakeClock, make_team
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.services.demo import load_demo
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.web.app import create_app
from tocsin.web.common.deps import web_of

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations.map((rule) => ({
    id: rule.id, impact: rule.impact, help: rule.help,
    nodes: rule.nodes.map((node) => node.target.join(" ")),
  }));
}"""


@dataclass
class Desk:
    url: str
    app: FastAPI
    clock: FakeClock
    urgent: Incident  # P1, the oldest: first in the queue
    other: Incident  # P1 too, opened 5 minutes later
    minor: Incident  # P4


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding the demo events, made once and copied by each test."""
    database = tmp_path_factory.mktemp("console-demo") / "tocsin.db"
    settings = Settings(
        database_url=f"sqlite:///{database}", workers=0, data_dir=str(database.parent / "data")
    )
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        load_demo(settings, store, FakeClock())
    finally:
        store.close()
    return database


@pytest.fixture
def desk(demo_db: Path, tmp_path: Path) -> Iterator[Desk]:
    """A real server on a free port, over a fresh copy of the demo with the desk's incidents."""
    database = tmp_path / "tocsin.db"
    shutil.copy(demo_db, database)
    write_keys(tmp_path / "data")
    settings = Settings(
        database_url=f"sqlite:///{database}", workers=0, data_dir=str(tmp_path / "data")
    )
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        team = make_team(store)
        Accounts(store, now=team.clock).add_user(
            Principal.system(),
            name="ana",
            password=PASSWORD,
            role="analyst",
            org_id=team.org_id,
            display_name="Ana Analyst",
        )
        events = [event_id for event_id, _ in store.cases.events_since(0, 3)]
        analyst = team.people["analyst"]
        urgent = team.desk.create(
            analyst,
            title="Phishing kit on a ministry site",
            type="phishing",
            priority="P1",
            constituent="Ministry of Finance",
            event_ids=events,
        )
        team.clock.advance(5 * 60)
        other = team.desk.create(
            analyst, title="C2 server at a hosting provider", type="c2-server", priority="P1"
        )
        minor = team.desk.create(
            analyst, title="Open resolver", type="ddos-amplifier", priority="P4"
        )
    finally:
        store.close()
    app = create_app(settings, clock=team.clock, watch_clocks=False)  # the tests run the checks
    with serving(app, "tocsin-console-server") as url:
        yield Desk(url, app, team.clock, urgent, other, minor)


@pytest.fixture
def page(browser: Browser, desk: Desk) -> Iterator[Page]:
    """A fresh page under the app's real Content-Security-Policy, with JavaScript on."""
    with fresh_page(browser, desk.url) as page:
        yield page


@pytest.fixture
def axe_page(browser: Browser, desk: Desk) -> Iterator[Page]:
    """A page that axe-core can be injected into (this context alone bypasses the CSP)."""
    with fresh_page(browser, desk.url, bypass_csp=True) as page:
        yield page


def log_in(page: Page, name: str = "ana", password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/console$"))


def queue_row(page: Page, incident: Incident) -> str:
    return page.locator("tbody tr", has_text=incident.reference).inner_text()


def test_the_analyst_works_the_most_urgent_incident(page: Page, desk: Desk) -> None:
    """Open the first incident of the queue, take it, note, add a task, acknowledge, then work."""
    log_in(page)
    page.locator("tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(desk.urgent.reference)

    page.get_by_label("Assignee").select_option("me")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".facts")).to_contain_text("Ana Analyst")

    page.get_by_label("Note").fill("Called the hosting provider; takedown requested.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".timeline")).to_contain_text("takedown requested")

    page.get_by_label("New task").fill("Check the site is down tomorrow")
    page.get_by_role("button", name="Add task").click()
    expect(page.locator(".tasks")).to_contain_text("Check the site is down tomorrow (open)")
    done = re.compile(r"^Mark done\s*: Check the site is down tomorrow$")
    page.get_by_role("button", name=done).click()
    expect(page.locator(".tasks")).to_contain_text("(done)")

    page.get_by_role("button", name="acknowledged", exact=True).click()
    expect(page.locator(".facts")).to_contain_text("acknowledged")
    page.get_by_role("button", name="in progress", exact=True).click()
    expect(page.locator(".facts dd").first).to_have_text("in progress")
    expect(page.get_by_role("button", name="acknowledged", exact=True)).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("acknowledged → in progress")
    expect(page.get_by_role("heading", name=re.compile(r"Linked events \(3\)"))).to_be_visible()


def test_a_breach_shows_in_the_queue(page: Page, desk: Desk) -> None:
    """Past the P1's 15 minutes to acknowledge, after check_sla, the queue says "breached"."""
    log_in(page)
    assert "breached" not in queue_row(page, desk.other).lower()
    desk.clock.advance(16 * 60)  # the other P1 is now 16 minutes old: 1 minute late
    breached = web_of(desk.app).desk.incidents.check_sla()
    assert desk.other.id in {incident.id for incident in breached}
    page.reload()
    row = queue_row(page, desk.other)
    assert "SLA BREACHED" in row.upper() and "breached 1 min ago" in row
    assert "breached" not in queue_row(page, desk.minor).lower()
    page.get_by_role("link", name=desk.other.reference).click()
    expect(page.locator(".timeline")).to_contain_text("SLA breached: time to acknowledge ran out")


def test_keyboard_alone_logs_in(page: Page, desk: Desk) -> None:
    """Tab to the fields, type, press Enter: the queue opens, no mouse used."""
    page.goto("/login?next=/handover")
    expect(page.locator("#l-username")).to_be_focused()  # autofocus; from the top by Tab too:
    page.evaluate("document.activeElement.blur()")
    visited: list[str] = []
    while page.evaluate("document.activeElement.id") != "l-username":
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id"))
        assert len(visited) < 20, f"Tab never reached the user name; focus went {visited}"
    page.keyboard.type("ana")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "l-password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/handover$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand-over")


def test_forms_work_without_javascript(browser: Browser, desk: Desk) -> None:
    """With JavaScript off, logging in and adding a note are plain form posts."""
    context = browser.new_context(base_url=desk.url, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page)
        page.goto(f"/incidents/{desk.minor.id}")
        page.get_by_label("Note").fill("Written without JavaScript")
        page.get_by_role("button", name="Add note").click()
        expect(page.locator(".timeline")).to_contain_text("Written without JavaScript")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/login", 200),
        ("/console", 200),
        ("/console?show=mine", 200),
        ("/incidents/{urgent}", 200),
        ("/incidents/new", 200),
        ("/handover", 200),
        ("/handover?since=yesterday", 400),
    ],
    ids=["login", "queue", "queue-mine", "incident", "new-incident", "handover", "handover-error"],
)
def test_axe_finds_no_violation(
    axe_page: Page, axe_source: str, desk: Desk, path: str, status: int
) -> None:
    """axe-core's WCAG 2.0–2.2 A and AA rules find no violation at all (serious or not)."""
    if path != "/login":
        log_in(axe_page)
    response = axe_page.goto(path.format(urgent=desk.urgent.id))
    assert response is not None and response.status == status
    check_axe(axe_page, axe_source, path)


def test_axe_on_pages_showing_errors(axe_page: Page, axe_source: str, desk: Desk) -> None:
    """The failed log-in and a refused indicator, with their alerts, pass axe-core too."""
    axe_page.goto("/login")
    axe_page.get_by_label("User name").fill("ana")
    axe_page.get_by_label("Password").fill("not the password")
    axe_page.get_by_role("button", name="Log in").click()
    expect(axe_page.get_by_role("alert")).to_contain_text("Wrong user name, password or code")
    check_axe(axe_page, axe_source, "failed log-in")

    log_in(axe_page)
    axe_page.goto(f"/incidents/{desk.urgent.id}")
    axe_page.get_by_label("Kind").select_option("ip")
    axe_page.get_by_label("Indicator", exact=True).fill("999.1.1.1")
    axe_page.get_by_role("button", name="Add indicator").click()
    expect(axe_page.get_by_role("alert")).to_be_visible()
    expect(axe_page.locator("#i-value")).to_have_attribute("aria-invalid", "true")
    check_axe(axe_page, axe_source, "refused indicator")


def check_axe(page: Page, axe_source: str, where: str) -> None:
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(RUN_AXE, WCAG_TAGS)
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}" for v in violations
    )
    assert not violations, f"axe-core found on {where}:\n{report}"
