"""The report for parliament in Chromium: a lead releases a table from /statistics, the admin
publishes it, and the public /figures page links the year's report; its chart is an image named
for the release, its table is beside it, and the English and the French pages are axe-core
clean."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import logged_in
from tests.browser.test_console import check_axe

SPEC = (
    'name = "report-by-priority"\ntitle = "Report by priority"\nrows = "priority"\n'
    'from = "2026-11"\n'
)


def test_the_years_report_is_linked_from_figures_and_axe_clean_in_both_languages(
    axe_page: Page, axe_source: str
) -> None:
    page = logged_in(axe_page, "lead")
    page.goto("/statistics")
    page.get_by_label("The table's declaration").fill(SPEC)
    page.get_by_role("button", name="Release it for a second lead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Figures for parliament")
    page = logged_in(page, "admin")
    page.goto("/statistics")
    row = page.get_by_role("row").filter(has_text="Report by priority")
    row.get_by_role("button", name="Publish").click()
    page.goto("/figures")
    page.get_by_role("link", name="2026 in English").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026")
    expect(
        page.locator("#releases").get_by_role("heading", name="Report by priority")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Report by priority: bar chart")).to_be_visible()
    expect(
        page.get_by_role("table", name="Report by priority: incidents by priority")
    ).to_be_visible()
    check_axe(page, axe_source, "/figures/report/2026.en.html")
    page.get_by_role("link", name="Version française").click()
    expect(page.get_by_role("heading", name="Statistiques publiées")).to_be_visible()
    check_axe(page, axe_source, "/figures/report/2026.fr.html")
