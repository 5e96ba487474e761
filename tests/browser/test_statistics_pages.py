"""/statistics and /figures in Chromium: a lead checks a table from the page's form and sees what
it would publish; axe-core finds no violation on either page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import logged_in
from tests.browser.test_console import check_axe


def test_a_lead_checks_a_table_and_both_pages_are_axe_clean(
    axe_page: Page, axe_source: str
) -> None:
    page = logged_in(axe_page, "lead")
    page.get_by_role("link", name="Statistics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Figures for parliament")
    page.get_by_label("The table's declaration").fill(
        'name = "by-sector"\ntitle = "By sector"\nrows = "sector"\nfrom = "2026-11"\n'
    )
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("status")).to_contain_text("cells suppressed")
    expect(page.get_by_role("table", name="What By sector would publish")).to_be_visible()
    check_axe(page, axe_source, "/statistics after a check")
    page.goto("/figures")
    expect(page.get_by_role("heading", level=1)).to_have_text("Published figures")
    check_axe(page, axe_source, "/figures")
