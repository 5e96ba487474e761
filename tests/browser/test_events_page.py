"""The events page in a real Chromium against a real server holding the demo data."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# Columns of the events table, 1-based as CSS counts them.
TIME, TYPE, CONSTITUENT, FEED = 1, 2, 4, 7
PAGE_SIZE = 50
FIELDS_IN_ORDER = ["f-ip", "f-asn", "f-fqdn", "f-url", "f-constituent"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return {
    passes: result.passes.map((rule) => rule.id),
    violations: result.violations.map((rule) => ({
      id: rule.id, impact: rule.impact, help: rule.help,
      nodes: rule.nodes.map((node) => node.target.join(" ")),
    })),
  };
}"""


def column(page: Page, number: int) -> list[str]:
    """The text of one column of the events table, top to bottom."""
    return [
        text.strip() for text in page.locator(f"tbody tr td:nth-child({number})").all_inner_texts()
    ]


def times(page: Page) -> list[str]:
    """The machine-readable times (``<time datetime>``) of the events table, top to bottom."""
    return [
        str(node.get_attribute("datetime"))
        for node in page.locator(f"tbody tr td:nth-child({TIME}) time").all()
    ]


def api_events(page: Page, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    """One page of /api/v1/events, fetched from the same server as the page."""
    response = page.request.get("/api/v1/events", params=params, headers=headers)
    assert response.ok, response.text()
    body: dict[str, Any] = response.json()
    return body


def tab_to(page: Page, element_id: str, limit: int = 40) -> list[str]:
    """Press Tab until the element with this id has focus; return the ids focused on the way."""
    visited: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        visited.append(page.evaluate("document.activeElement.id"))
        if visited[-1] == element_id:
            return visited
    pytest.fail(f"{limit} presses of Tab never reached #{element_id}; focus went {visited}")


def test_page_shows_the_newest_demo_events(api_headers: dict[str, str], page: Page) -> None:
    """/events answers 200 with a table of the newest 50 demo events, the same as the API's."""
    response = page.goto("/events")
    assert response is not None and response.status == 200
    expect(page).to_have_title("Events · Tocsin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Events")
    expect(page.locator("tbody tr")).to_have_count(PAGE_SIZE)
    expect(page.get_by_role("heading", level=2)).to_have_text("50 events (more on the next page)")
    newest = api_events(page, api_headers, limit=PAGE_SIZE)["events"]
    assert column(page, FEED) == [e["feed.name"] for e in newest]
    assert column(page, TYPE) == [e["classification.type"] for e in newest]


def test_keyboard_alone_filters_by_constituent(api_headers: dict[str, str], page: Page) -> None:
    """Tab to the constituent field, type a name and press Enter: only its events are listed."""
    page.goto("/events")
    visited = tab_to(page, "f-constituent")
    assert [i for i in visited if i in FIELDS_IN_ORDER] == FIELDS_IN_ORDER, "fields out of order"
    page.keyboard.type("National Parliament")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/events\?.*constituent=National\+Parliament"))

    expected = api_events(page, api_headers, constituent="National Parliament", limit=PAGE_SIZE)[
        "events"
    ]
    assert expected, "the demo has events for National Parliament"
    expect(page.locator("tbody tr")).to_have_count(len(expected))
    assert set(column(page, CONSTITUENT)) == {"National Parliament"}
    assert times(page) == [e.get("time.source") or e["time.observation"] for e in expected]
    expect(page.locator("#f-constituent")).to_have_value("National Parliament")


def test_invalid_address_is_reported_on_its_field(page: Page) -> None:
    """An invalid IP answers 400 with an alert that links to the field, marked aria-invalid."""
    page.goto("/events")
    tab_to(page, "f-ip")
    page.keyboard.type("not-an-ip")
    with page.expect_response(lambda r: "ip=not-an-ip" in r.url) as caught:
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"ip=not-an-ip"))
    assert caught.value.status == 400

    field = page.locator("#f-ip")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("That search could not run.")
    expect(alert).to_contain_text("ip: 'not-an-ip': not an IP address")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("not-an-ip")
    expect(field).to_have_accessible_description(re.compile(r"ip: 'not-an-ip': not an IP address"))
    expect(page.locator("[aria-invalid]")).to_have_count(1)

    link = alert.get_by_role("link")
    expect(link).to_have_attribute("href", "#f-ip")
    link.focus()
    page.keyboard.press("Enter")
    expect(field).to_be_focused()


def test_next_page_link_shows_the_following_events(api_headers: dict[str, str], page: Page) -> None:
    """The next-page link leads to the API's second page of 50 events."""
    page.goto("/events")
    first = api_events(page, api_headers, limit=PAGE_SIZE)
    assert first["next_cursor"] is not None, "the demo holds more than one page"
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r"/events\?cursor=\d+$"))
    assert parse_qs(urlsplit(page.url).query) == {"cursor": [str(first["next_cursor"])]}

    second = api_events(page, api_headers, limit=PAGE_SIZE, cursor=first["next_cursor"])["events"]
    expect(page.locator("tbody tr")).to_have_count(len(second))
    assert column(page, FEED) == [e["feed.name"] for e in second]
    assert times(page) == [e.get("time.source") or e["time.observation"] for e in second]


def test_next_page_link_keeps_the_filter(api_headers: dict[str, str], page: Page) -> None:
    """Following the next-page link of a filtered list stays within that filter."""
    page.goto("/events?constituent=Harbour+Telecom")
    first = api_events(page, api_headers, constituent="Harbour Telecom", limit=PAGE_SIZE)
    assert first["next_cursor"] is not None, "the demo holds more than a page for Harbour Telecom"
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r"cursor=\d+"))
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"constituent": ["Harbour Telecom"], "cursor": [str(first["next_cursor"])]}
    expect(page.locator("tbody tr").first).to_be_visible()
    assert set(column(page, CONSTITUENT)) == {"Harbour Telecom"}
    expect(page.locator("#f-constituent")).to_have_value("Harbour Telecom")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/events", 200),
        ("/events?constituent=National+Parliament&priority=P2", 200),
        ("/events?constituent=No+Such+Constituent", 200),
        ("/events?ip=not-an-ip", 400),
    ],
    ids=["events", "filtered", "empty", "error"],
)
def test_axe_finds_no_wcag_violation(
    axe_page: Page, axe_source: str, path: str, status: int
) -> None:
    """axe-core's WCAG 2.0–2.2 A and AA rules find no violation on the page in each state."""
    response = axe_page.goto(path)
    assert response is not None and response.status == status
    axe_page.add_script_tag(content=axe_source)
    result = axe_page.evaluate(RUN_AXE, WCAG_TAGS)
    assert {"label", "aria-valid-attr-value", "html-has-lang"} <= set(result["passes"])
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
        for v in result["violations"]
    )
    assert not result["violations"], f"axe-core found on {path}:\n{report}"


def test_filters_work_without_javascript(api_headers: dict[str, str], no_js_page: Page) -> None:
    """With JavaScript off, the plain GET form still filters by constituent and type."""
    page = no_js_page
    page.goto("/events")
    page.locator("#f-constituent").fill("Harbour Telecom")
    page.locator("#f-type").select_option("infected-system")
    page.locator("#f-constituent").press("Enter")
    page.wait_for_url(re.compile(r"constituent=Harbour\+Telecom.*type=infected-system"))

    expected = api_events(
        page, api_headers, constituent="Harbour Telecom", type="infected-system", limit=PAGE_SIZE
    )
    assert expected["events"], "the demo has infected systems at Harbour Telecom"
    expect(page.locator("tbody tr")).to_have_count(len(expected["events"]))
    assert set(column(page, CONSTITUENT)) == {"Harbour Telecom"}
    assert set(column(page, TYPE)) == {"infected-system"}
    expect(page.locator("#f-type")).to_have_value("infected-system")
