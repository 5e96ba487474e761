"""The pages of requests for assistance in Chromium, on the demo's made-up requests: the register
(the emergency on top), a request's page and the directory have no axe-core violation, and none
of them overflows sideways on a 360 px wide screen."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import logged_in
from tests.browser.test_console import check_axe

NARROW = {"width": 360, "height": 740}


def overflow(page: Page) -> list[str]:
    """The elements (outside a scrolling table) that reach past the window's right edge, when
    the page scrolls sideways; [] when it does not."""
    width: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    found: list[str] = page.evaluate(WIDEST) if width else []
    return found or ([f"{width} px"] if width else [])


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => !e.closest('.table-wrap'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)"""


def test_the_register_and_a_request_pass_axe_and_fit_a_narrow_screen(
    browser: Browser, server_url: str, axe_source: str
) -> None:
    context = browser.new_context(base_url=server_url, bypass_csp=True)
    try:
        page = logged_in(context.new_page(), "liaison")
        page.get_by_role("link", name="Requests", exact=True).click()
        expect(page.get_by_role("heading", name="Requests for assistance")).to_be_visible()
        first = page.locator("table.register tbody tr").first
        expect(first).to_contain_text("Emergency")
        expect(first).to_contain_text("P2-9")
        check_axe(page, axe_source, "/requests")
        first.get_by_role("link", name=re.compile(r"^RFA-\d{4}-\d{4}$")).click()
        expect(page.get_by_role("heading", name="Clocks")).to_be_visible()
        expect(page.get_by_role("heading", name="Exchange log")).to_be_visible()
        check_axe(page, axe_source, "an emergency request")
        request_url = page.url
        page.get_by_role("link", name="Contacts", exact=True).click()
        expect(page.get_by_role("heading", name="Directory of 24/7 contacts")).to_be_visible()
        expect(page.locator("tr.breached")).to_contain_text("stale")
        check_axe(page, axe_source, "/contacts")
        page.set_viewport_size(NARROW)
        for path in ("/requests", request_url, "/contacts"):
            page.goto(path)
            assert overflow(page) == [], path
    finally:
        context.close()


def test_a_preserved_request_shows_its_running_clock_and_print_choice(
    browser: Browser, server_url: str, axe_source: str
) -> None:
    """An auditor reads the preservation (its expiry clock running) without any form but the
    print's choice of language."""
    context = browser.new_context(base_url=server_url, bypass_csp=True)
    try:
        page = logged_in(context.new_page(), "auditor")
        page.goto("/requests?state=preserved")
        page.get_by_role("link", name=re.compile(r"^RFA-")).first.click()
        expect(page.get_by_role("heading", name="Move it")).to_have_count(0)
        expect(page.get_by_label("Language")).to_be_visible()
        expect(page.locator("section[aria-labelledby=clocks] tbody")).to_contain_text("left")
        check_axe(page, axe_source, "a preserved request read by an auditor")
    finally:
        context.close()
