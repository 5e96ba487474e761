"""The report portal in a real Chromium against a real server: every path in every language from
the first question to the status page, with axe-core on each page; the desk receiving it; the
keyboard alone, JavaScript off, the size of targets and the errors.

One server per module (per xdist worker) over a fresh SQLite store with the demo's people. Each
browser context comes from an address of its own, as it would through the TLS proxy in front of
Tocsin (the server runs as ``tocsin serve`` runs it, trusting the host as its proxy), so one
test's reports and status look-ups never count against the per-address limits of the next.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.conftest import logged_in
from tests.browser.portal_walk import PAGES, PLANS, REFERENCE, at_step, go, look_up, report, start
from tests.browser.serving import fresh_page, serving
from tests.browser.test_console import check_axe
from tests.desk import FakeClock
from tocsin.cli.serve import SERVER
from tocsin.model.incident import Incident
from tocsin.model.report import Report
from tocsin.services.demo import load_people
from tocsin.settings import Settings
from tocsin.store import Store, open_store
from tocsin.web.app import create_app
from tocsin.web.common.i18n import LANGUAGES, translations

pytestmark = pytest.mark.browser

_ADDRESSES = (str(ipaddress.IPv4Address("10.20.0.0") + n) for n in itertools.count(1))  # 1 each
PHONE = {"width": 390, "height": 844}


@dataclass
class Portal:
    url: str
    store: Store  # the server's database, read directly to see what the desk received

    def received(self, reference: str) -> tuple[Report, Incident]:
        found = self.store.reports.by_reference(reference)
        assert found is not None, f"no report {reference} in the store"
        incident = self.store.cases.incident(found[0].incident_id)
        assert incident is not None
        return found[0], incident


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """A real server on a free port over a fresh SQLite store, with the demo's people."""
    folder = tmp_path_factory.mktemp("portal")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'tocsin.db'}",
        workers=0,
        data_dir=str(folder / "data"),
        report_min_seconds=0,
        report_limit=10_000,
        secret_key="x" * 40,
        trusted_proxies="127.0.0.1",
    )
    clock = FakeClock()
    write_keys(folder / "data")
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        load_people(store, clock)
        app = create_app(settings, clock=clock, watch_clocks=False)
        with serving(app, "tocsin-portal-server", **SERVER) as url:
            yield Portal(url, store)
    finally:
        store.close()


@contextmanager
def visitor(browser: Browser, portal: Portal, **options: Any) -> Iterator[Page]:
    """A page in a context of its own, coming from an address of its own."""
    headers = {"X-Forwarded-For": next(_ADDRESSES)}
    with fresh_page(browser, portal.url, extra_http_headers=headers, **options) as page:
        yield page


@contextmanager
def axe_visitor(browser: Browser, portal: Portal, axe_source: str) -> Iterator[Page]:
    """A visitor's page that axe-core can check. Its context alone bypasses the CSP (axe is an
    inline script, which the app's policy rightly refuses: see the axe_page fixture), and axe
    comes with every page it loads, by an init script, rather than being sent over again for
    each check: a third of a walk's time."""
    with visitor(browser, portal, bypass_csp=True) as page:
        page.add_init_script(script=axe_source)
        yield page


def axe_check(page: Page, where: str) -> None:
    """check_axe on a page of axe_visitor: axe-core is there already, nothing more to inject."""
    check_axe(page, "/* axe-core came with the page */", where)


def expected_stage(lang: str, name: str) -> str:
    """A stage's plain words as the status page should show them in ``lang``."""
    return translations(lang).gettext(name)


WALKS = [pytest.param(path, lang, id=f"{path}-{lang}") for path in PLANS for lang in LANGUAGES]


@pytest.mark.parametrize(("path", "lang"), WALKS)
def test_each_path_from_first_question_to_status_page(
    browser: Browser, axe_source: str, portal: Portal, path: str, lang: str
) -> None:
    """A report of each path in each language reaches the desk with the type and priority its
    answers call for, its status page opens, and axe-core finds no violation on any page."""
    plan = PLANS[path]
    seen: list[str] = []

    def visit(page: Page, name: str) -> None:
        html = page.locator("html")
        expect(html).to_have_attribute("lang", lang)
        expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
        axe_check(page, f"the {name} page of {path} in {lang}")
        seen.append(name)

    with axe_visitor(browser, portal, axe_source) as page:
        reference, code = report(page, plan, lang, visit)
        look_up(page, reference, code, lang, visit)
        expect(page.locator("#stage")).to_have_text(expected_stage(lang, "Received"))
    assert tuple(seen) == PAGES

    received, incident = portal.received(reference)
    assert (incident.type, incident.priority) == plan.expected
    assert (received.path, received.lang) == (path, lang)
    assert received.anonymous is not bool(plan.email)
    assert received.files == (1 if plan.screenshot else 0)


def test_a_report_arrives_in_the_analysts_queue(browser: Browser, portal: Portal) -> None:
    """A threat to publish intimate images shows in the analyst's queue as P1 harmful-speech,
    and its page shows the report from the public."""
    with visitor(browser, portal) as page:
        reference, _ = report(page, PLANS["intimate"])
    _, incident = portal.received(reference)

    with visitor(browser, portal) as page:
        logged_in(page, "analyst")
        row = page.locator("tbody tr", has_text=incident.reference)
        cells = row.locator("td")  # the first holds the box that ticks it for a bulk action
        title = "Report from the public: threat to publish intimate images"
        expect(cells.nth(1)).to_contain_text(title)
        expect(cells.nth(2)).to_have_text("harmful-speech")
        expect(cells.nth(3)).to_have_text("P1")
        row.get_by_role("link", name=incident.reference).click()
        expect(page.locator("section#public-report")).to_contain_text(reference)


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches ``selector`` (as a keyboard user would)."""
    visited: list[str] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        visited.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))
    pytest.fail(f"Tab never reached {selector}; focus went {visited}")


NARRATIVE = "Pop-ups open by themselves since I installed a torch app."


def test_a_report_can_be_made_by_keyboard_alone(browser: Browser, portal: Portal) -> None:
    """Tab, arrows, Space, Enter and typing carry a report from the first page to its reference."""
    with visitor(browser, portal) as page:
        page.goto("/report")
        tab_to(page, "input[name=path]")
        for _ in range(6):  # phishing, money, ransom, intimate, harassment, account: device
            page.keyboard.press("ArrowDown")
        expect(page.locator("input[name=path][value=device]")).to_be_checked()
        tab_to(page, "button[name=go][value=next]")
        page.keyboard.press("Enter")

        at_step(page, "details")
        tab_to(page, "input[name=device]")
        page.keyboard.press("Space")
        expect(page.locator("input[name=device][value=phone]")).to_be_checked()
        tab_to(page, "#f-narrative")
        page.keyboard.type(NARRATIVE)
        tab_to(page, "button[name=go][value=next]")
        page.keyboard.press("Enter")

        at_step(page, "who")
        tab_to(page, "input[name=reporter]")
        page.keyboard.press("Space")
        tab_to(page, "input[name=contact]")
        page.keyboard.press("ArrowDown")  # from "yes" to "anonymous"
        expect(page.locator("input[name=contact][value=anonymous]")).to_be_checked()
        tab_to(page, "button[name=go][value=next]")
        page.keyboard.press("Enter")

        at_step(page, "evidence")
        tab_to(page, "button[name=go][value=send]")
        page.keyboard.press("Enter")
        expect(page.locator("#reference")).to_have_text(REFERENCE)
        reference = page.locator("#reference").inner_text()
    received, _ = portal.received(reference)
    assert (received.path, received.anonymous) == ("device", True)
    assert received.answers == {"device": "phone", "narrative": NARRATIVE}


def test_the_portal_works_with_javascript_off(browser: Browser, portal: Portal) -> None:
    """With JavaScript off, a report goes through every step and its status page opens."""
    with visitor(browser, portal, java_script_enabled=False) as page:
        reference, code = report(page, PLANS["ransom"])
        look_up(page, reference, code)
        expect(page.locator("#stage")).to_have_text("Received")
    _, incident = portal.received(reference)
    assert (incident.type, incident.priority) == PLANS["ransom"].expected


TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll("a, button, input, select, textarea, label")) {
    if (el.closest(".hp") || el.type === "hidden" || !el.checkVisibility()) continue;
    if (el.tagName === "LABEL" && !el.control) continue;  // a label is a target via its control
    // WCAG 2.5.8's inline exception, the only one taken here: a link laid out inline in
    // running text (its parent holds words of the sentence around it) may be as small as the
    // text. A link alone in its paragraph or list item is not in a sentence: it is measured.
    if (el.tagName === "A" && getComputedStyle(el).display === "inline") {
      const around = el.parentElement.textContent.replace(el.textContent, "");
      if (/\\p{L}/u.test(around)) continue;
    }
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.width < 24 || box.height < 24) {
      const name = el.id ? `#${el.id}` : el.outerHTML.slice(0, 90);
      small.push(`${name}: ${box.width.toFixed(1)}×${box.height.toFixed(1)}`);
    }
  }
  return small;
}"""


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_every_target_is_at_least_24_px(
    browser: Browser, portal: Portal, viewport: dict[str, int] | None
) -> None:
    """On every page of a walk, every visible control, label and link outside running text is
    at least 24×24 CSS pixels (WCAG 2.2's target size), on a desktop and on a phone."""
    small: dict[str, list[str]] = {}

    def measure(page: Page, name: str) -> None:
        found = page.evaluate(TARGETS)
        if found:
            small[name] = found

    options = {"viewport": viewport} if viewport else {}
    with visitor(browser, portal, **options) as page:
        reference, code = report(page, PLANS["phishing"], visit=measure)
        look_up(page, reference, code, visit=measure)
    assert not small, f"targets under 24×24 px: {small}"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_errors_are_linked_to_their_fields_and_announced(
    browser: Browser, axe_source: str, portal: Portal, lang: str
) -> None:
    """The who step sent empty shows an alert whose links lead to the fields in error, each
    marked invalid and described by its visible message; axe-core finds no violation there."""
    with axe_visitor(browser, portal, axe_source) as page:
        start(page, PLANS["device"], lang)
        go(page)
        at_step(page, "who")
        go(page)
        summary = page.locator("div.error-summary")
        expect(summary).to_have_attribute("role", "alert")
        links = summary.locator("a")
        expect(links).to_have_count(2)  # who reports, and may we contact you
        axe_check(page, f"the who step with errors in {lang}")
        for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
            assert href is not None and href.startswith("#f-"), href
            field = page.locator(href)
            expect(field).to_have_count(1)
            summary.locator(f"a[href='{href}']").click()
            expect(field).to_be_focused()
            # the control the link focuses is what a screen reader announces: it must say
            # itself that it is in error, and which message explains why
            message = f"e-{href.removeprefix('#f-')}"
            expect(field, f"{href}, focused, is not marked aria-invalid").to_have_attribute(
                "aria-invalid", "true"
            )
            expect(field, f"{href}, focused, is not described by #{message}").to_have_attribute(
                "aria-describedby", re.compile(rf"\b{message}\b")
            )
            expect(page.locator(f"#{message}")).to_be_visible()


def test_an_analysts_status_change_shows_on_the_status_page(
    browser: Browser, portal: Portal
) -> None:
    """When an analyst moves the incident to "in progress", the reporter's status page says
    "Being worked on" and lists two stages."""
    with visitor(browser, portal) as page:
        reference, code = report(page, PLANS["account"])
    _, incident = portal.received(reference)

    with visitor(browser, portal) as page:
        logged_in(page, "analyst")
        page.goto(f"/incidents/{incident.id}")
        page.click("button[name=status][value=in_progress]")
        expect(page.locator(".facts dd").first).to_have_text("in progress")

    with visitor(browser, portal) as page:
        look_up(page, reference, code)
        expect(page.locator("#stage")).to_have_text("Being worked on")
        expect(page.locator("ol.history li")).to_have_count(2)


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_print_button_appears_only_with_javascript(
    browser: Browser, portal: Portal, javascript: bool
) -> None:
    """The acknowledgement's print button shows when /static/portal.js runs (under the real CSP)
    and stays hidden without JavaScript."""
    with visitor(browser, portal, java_script_enabled=javascript) as page:
        report(page, PLANS["device"])
        button = page.locator("button.print")
        expect(button).to_have_count(1)
        if javascript:
            expect(button).to_be_visible()
        else:
            expect(button).to_be_hidden()


def test_the_walk_covers_every_path() -> None:
    """The walk has a plan for each of the portal's paths (a new path needs one)."""
    from tocsin.model.report import PATHS

    assert set(PLANS) == set(PATHS)
