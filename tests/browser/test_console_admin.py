"""Evidence, the users page and the audit log in a real Chromium against a real server.

Each test gets its own server on port 0 over a fresh SQLite database with the team of
``tests.desk``, an analyst and an admin who can log in, and one open incident; evidence files are
kept under the test's temporary directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.serving import fresh_page, serving
from tests.browser.test_console import PASSWORD, check_axe, log_in
from tests.desk import make_team
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.web.app import create_app

pytestmark = pytest.mark.browser

CONTENT = b"Received: from mx.example\nFrom: ceo@ministry.example\nSubject: urgent\n\npay now\n"
NAME = "phishing mail.eml"


@dataclass
class Desk:
    url: str
    incident: Incident


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    """A real server on a free port over a fresh database with the desk's people."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'tocsin.db'}",
        workers=0,
        data_dir=str(tmp_path / "data"),
    )
    write_keys(tmp_path / "data")
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        team = make_team(store)
        accounts = Accounts(store, now=team.clock)
        for name, role, display in (("ana", "analyst", "Ana Analyst"), ("adam", "admin", "Adam")):
            accounts.add_user(
                Principal.system(),
                name=name,
                password=PASSWORD,
                role=role,
                org_id=team.org_id,
                display_name=display,
            )
        incident = team.desk.create(
            team.people["analyst"],
            title="Phishing mail to a ministry",
            type="phishing",
            priority="P2",
        )
    finally:
        store.close()
    with serving(create_app(settings, clock=team.clock), "tocsin-admin-server") as url:
        yield Desk(url, incident)


@pytest.fixture
def page(browser: Browser, desk: Desk) -> Iterator[Page]:
    """A fresh page under the app's real Content-Security-Policy, with JavaScript on."""
    with fresh_page(browser, desk.url, accept_downloads=True) as page:
        yield page


@pytest.fixture
def axe_page(browser: Browser, desk: Desk) -> Iterator[Page]:
    """A page that axe-core can be injected into (this context alone bypasses the CSP)."""
    with fresh_page(browser, desk.url, bypass_csp=True) as page:
        yield page


def upload(page: Page, desk: Desk) -> None:
    page.goto(f"/incidents/{desk.incident.id}")
    mail = FilePayload(name=NAME, mimeType="text/html", buffer=CONTENT)  # the type is a lie
    page.get_by_label("Evidence file").set_input_files(files=[mail])
    page.get_by_role("button", name="Upload evidence").click()
    expect(page.locator("#evidence ~ .table-wrap")).to_contain_text(NAME)


def test_evidence_is_uploaded_listed_and_saved_as_a_download(page: Page, desk: Desk) -> None:
    """The analyst uploads a mail through the form; it is listed with its type sniffed from the
    bytes, and its link saves the file rather than opening it."""
    log_in(page)
    upload(page, desk)
    row = page.locator("#evidence ~ .table-wrap tbody tr").first
    expect(row).to_contain_text("message/rfc822")
    expect(row).to_contain_text(f"{len(CONTENT)}")
    expect(row).to_contain_text("by ana")
    with page.expect_download() as saved:
        row.get_by_role("link", name=NAME, exact=True).click()
    download = saved.value
    assert download.suggested_filename == NAME
    assert Path(download.path()).read_bytes() == CONTENT
    row.get_by_role("link", name=f"custody of {NAME}").click()
    expect(page.locator("tbody")).to_contain_text("uploaded")
    expect(page.locator("tbody")).to_contain_text("downloaded")


def test_axe_finds_no_violation_on_the_incident_with_evidence(
    axe_page: Page, axe_source: str, desk: Desk
) -> None:
    """The incident page listing evidence, with its upload form, and the custody page pass
    axe-core's WCAG 2.0–2.2 A and AA rules."""
    log_in(axe_page)
    upload(axe_page, desk)
    check_axe(axe_page, axe_source, "incident with evidence")
    axe_page.get_by_role("link", name=f"custody of {NAME}").click()
    expect(axe_page.get_by_role("heading", level=1)).to_contain_text("Chain of custody")
    check_axe(axe_page, axe_source, "custody")


@pytest.mark.parametrize(
    "path",
    ["/users", "/audit", "related", "/account"],
    ids=["users", "audit", "related", "account"],
)
def test_axe_finds_no_violation_on_the_admin_pages(
    axe_page: Page, axe_source: str, desk: Desk, path: str
) -> None:
    """The users page, the audit log page, an incident's related items and one's own account
    page, as an admin sees them, pass axe-core."""
    log_in(axe_page, "adam")
    if path == "related":
        path = f"/incidents/{desk.incident.id}/related"
    response = axe_page.goto(path)
    assert response is not None and response.status == 200
    check_axe(axe_page, axe_source, path)


def test_an_admin_adds_a_user_through_the_form(page: Page, desk: Desk) -> None:
    """Filling the add form lists the new person, and the audit log page shows the change."""
    log_in(page, "adam")
    page.get_by_role("link", name="Users").click()
    page.get_by_label("User name").fill("bea")
    page.get_by_label("Display name").fill("Bea Lead")
    page.get_by_label("Role").select_option("lead")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_role("button", name="Add user").click()
    expect(page.locator("tbody tr", has_text="Bea Lead")).to_contain_text("active")
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("#verdict")).to_contain_text("audit log intact up to entry")
    expect(page.locator("tbody tr").first).to_contain_text("user.create")
