"""/statistics and /figures in Chromium: a lead checks a table from the page's form and sees what
it would publish, then checks a template's tables from the second form by keyboard; axe-core finds
no violation on either page."""

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
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("cells suppressed")
    expect(page.get_by_role("table", name="What By sector would publish")).to_be_visible()
    check_axe(page, axe_source, "/statistics after a check")
    page.get_by_label("Template", exact=True).select_option("art14")
    expect(page.get_by_label("Year", exact=True)).to_have_value("2026")  # the desk's clock's year
    page.get_by_label("Year", exact=True).focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check the template")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("2 tables checked, nothing kept")
    table = page.get_by_role("table", name="What the template's tables would publish")
    expect(table).to_contain_text("offences-by-sector-2026")
    check_axe(page, axe_source, "/statistics after a template's check")
    page.goto("/figures")
    expect(page.get_by_role("heading", level=1)).to_have_text("Published figures")
    check_axe(page, axe_source, "/figures")
