"""The /sharing and /cvd pages in Chromium: a lead other than its author approves the waiting
release, and axe-core finds no violation on the sharing and vulnerability pages."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import logged_in
from tests.browser.test_console import check_axe


def test_another_lead_approves_the_waiting_release(
    browser: Browser, server_url: str, axe_source: str
) -> None:
    context = browser.new_context(base_url=server_url, bypass_csp=True)
    try:
        page = logged_in(context.new_page(), "admin")
        page.get_by_role("link", name="Sharing").click()
        expect(page.get_by_role("heading", name="Sharing with partner teams")).to_be_visible()
        check_axe(page, axe_source, "/sharing with a waiting release")
        button = page.get_by_role("button", name=re.compile(r"^Approve release \d+$"))
        expect(button).to_have_count(1)
        button.click()
        expect(page.get_by_text("No release is waiting.")).to_be_visible()
        expect(page.locator("section[aria-labelledby=latest] tbody tr").first).to_contain_text(
            "released"
        )
        check_axe(page, axe_source, "/sharing after the approval")
    finally:
        context.close()


def test_the_vulnerability_pages_pass_axe(
    browser: Browser, server_url: str, axe_source: str
) -> None:
    """The list of vulnerability cases, a case and its reporter's contact, as a lead sees them,
    have no axe-core violation."""
    context = browser.new_context(base_url=server_url, bypass_csp=True)
    try:
        page = logged_in(context.new_page(), "lead")
        page.get_by_role("link", name="Vulnerabilities").click()
        expect(page.get_by_role("heading", name="Vulnerability cases")).to_be_visible()
        check_axe(page, axe_source, "/cvd")
        page.get_by_role("link", name=re.compile(r"^TOCSIN-VU-")).first.click()
        expect(page.get_by_role("heading", name="Communication log")).to_be_visible()
        check_axe(page, axe_source, "a vulnerability case")
        page.get_by_role("link", name="contact details").click()
        expect(page.locator("#reporter-contact")).to_contain_text("researcher@example.org")
        check_axe(page, axe_source, "a reporter's contact")
    finally:
        context.close()
