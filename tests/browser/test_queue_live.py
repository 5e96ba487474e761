"""The night shift's queue in Chromium: a new P1 arrives without a reload (the page's own timer,
moved by Playwright's clock, never slept on), the title says so, the header's search box finds it
by its address, the keyboard takes it and acknowledges it, the bulk form closes it with a reason;
the queue fits from 360 to 1440 px with breach badges; the queue's pages pass axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.serving import fresh_page
from tests.browser.test_console import Desk, axe_page, check_axe, demo_db, desk, log_in, page
from tocsin.model.people import Principal
from tocsin.web.common.deps import web_of

__all__ = ["axe_page", "demo_db", "desk", "page"]

pytestmark = pytest.mark.browser

PARLIAMENT = "/console?constituent=National+Parliament"


def new_p1(desk: Desk) -> str:
    """A P1 opened by Tocsin itself (as an aggregation rule would) while the page is open."""
    made = web_of(desk.app).desk.incidents.create(
        Principal.system(),
        title="Defacement of the parliament's site",
        type="defacement",
        priority="P1",
        org_id=desk.urgent.org_id,
        constituent="National Parliament",
        source="rule:defacement",
        indicators=[("ip", "203.0.113.9")],
    )
    return made.reference


def test_a_new_p1_arrives_and_is_worked_from_the_keyboard(page: Page, desk: Desk) -> None:
    page.clock.install()
    log_in(page)
    page.goto(PARLIAMENT)
    expect(page.locator("#queue-heading")).to_have_text(re.compile("No open incident"))
    expect(page.locator("#queue-live")).to_be_visible()
    reference = new_p1(desk)
    page.clock.run_for(21_000)  # the page's 20-second refresh
    row = page.locator("tbody tr", has_text=reference)
    expect(row).to_be_visible()
    expect(page.locator("#queue-status")).to_have_text(f"New: {reference}")
    expect(page).to_have_title(re.compile(r"^\(1\) Queue"))

    search = page.get_by_role("searchbox", name="Search incidents, reports, indicators")
    search.fill("203.0.113.9")
    search.press("Enter")
    expect(page.get_by_role("heading", name="Incidents (1)")).to_be_visible()
    page.get_by_role("link", name=re.compile(reference)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Defacement")
    page.goto(PARLIAMENT)

    page.locator("body").press("j")
    expect(row).to_have_class(re.compile("current"))
    page.keyboard.press("m")
    expect(row).to_contain_text("Ana Analyst")
    page.keyboard.press("a")
    expect(row).to_contain_text("acknowledged")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard")).to_be_hidden()

    page.keyboard.press("x")
    expect(row.get_by_role("checkbox")).to_be_checked()
    page.get_by_label("Action").select_option("close")
    page.get_by_label("Reason for closing").fill("Site restored from backup; hoster informed")
    page.get_by_role("button", name="Apply to the ticked incidents").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Closed: 1 incident ({reference})")
    expect(page.locator("tbody tr", has_text=reference)).to_have_count(0)
    page.goto("/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Dashboard"))


def test_ticked_rows_stay_ticked_across_a_refresh(page: Page, desk: Desk) -> None:
    page.clock.install()
    log_in(page)
    box = page.get_by_label(f"Select {desk.minor.reference}")
    box.check()
    page.clock.run_for(21_000)
    expect(page.locator("#queue-rows")).to_be_attached()
    expect(page.get_by_label(f"Select {desk.minor.reference}")).to_be_checked()


@pytest.mark.parametrize("width", [360, 768, 1440])
def test_the_queue_fits_with_breach_badges(browser: Browser, desk: Desk, width: int) -> None:
    """Past every P1's target, with the filters and the bulk form: nothing wider than the
    screen (a wide table scrolls inside its own region)."""
    desk.clock.advance(30 * 60)
    web_of(desk.app).desk.incidents.check_sla()
    with fresh_page(browser, desk.url, viewport={"width": width, "height": 900}) as page:
        log_in(page)
        expect(page.locator("tr.breached").first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{overflow} px too wide at {width} px"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/console?priority=P1&sort=priority&dir=desc&per_page=25", 200),
        ("/console?priority=P9", 400),
    ],
    ids=["filtered", "wrong-filter"],
)
def test_axe_on_the_queue(
    axe_page: Page, axe_source: str, desk: Desk, path: str, status: int
) -> None:
    log_in(axe_page)
    response = axe_page.goto(path)
    assert response is not None and response.status == status
    check_axe(axe_page, axe_source, path)


def test_axe_on_the_merge_question_and_the_outcome(
    axe_page: Page, axe_source: str, desk: Desk
) -> None:
    log_in(axe_page)
    axe_page.get_by_label(f"Select {desk.urgent.reference}").check()
    axe_page.get_by_label(f"Select {desk.minor.reference}").check()
    axe_page.get_by_label("Action").select_option("merge")
    axe_page.get_by_role("button", name="Apply to the ticked incidents").click()
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Merge 2 incidents?")
    expect(axe_page.get_by_role("alert")).to_contain_text("different constituents")
    check_axe(axe_page, axe_source, "merge question")
    axe_page.get_by_role("button", name="Merge").click()
    expect(axe_page.get_by_role("status").first).to_contain_text("Merged: 1 incident")
    check_axe(axe_page, axe_source, "bulk outcome")


def test_axe_on_the_incident_page_s_merge_question(
    axe_page: Page, axe_source: str, desk: Desk
) -> None:
    log_in(axe_page)
    axe_page.goto(f"/incidents/{desk.minor.id}")
    axe_page.get_by_label("Merge into").fill(desk.urgent.reference)
    axe_page.get_by_role("button", name="Merge", exact=True).click()
    expect(axe_page.get_by_role("heading", level=1)).to_have_text("Merge 2 incidents?")
    check_axe(axe_page, axe_source, "the incident page's merge question")
    axe_page.get_by_role("button", name="Merge", exact=True).click()
    axe_page.wait_for_url(re.compile(rf"/incidents/{desk.urgent.id}$"))
