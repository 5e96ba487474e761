"""The /sharing page in Chromium: a lead other than its author approves the waiting release with
the keyboard-reachable button, and axe-core finds no violation before or after."""

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
