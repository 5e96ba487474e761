"""``/console`` and ``/api/v1/incidents`` as the queue, over HTTP on SQLite and PostgreSQL: a
page with its total and links to the others, filters and sort from the query string, a wrong
value answered with its field, the table alone for the live refresh, and the bulk form (CSRF,
assign, close with a reason, a merge that asks first)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.integration.test_console_http import CSRF, Desk, ana, desk, log_in
from tocsin.model.incident import Incident, Status
from tocsin.model.people import Principal

__all__ = ["ana", "desk"]

ROW = re.compile(r'<tr data-id="(\d+)" data-ref="([^"]+)"')


def more(desk: Desk, n: int, **values: object) -> list[Incident]:
    analyst = desk.team.people["analyst"]
    made = []
    for k in range(n):
        given = {"title": f"Scan {k}", "type": "scanner", "priority": "P3", **values}
        made.append(desk.team.desk.create(analyst, **given))  # type: ignore[arg-type]
    return made


def shown(page: str) -> list[str]:
    return [ref for _, ref in ROW.findall(page)]


def test_the_queue_says_its_total_and_links_every_page(desk: Desk, ana: Principal) -> None:
    """58 open incidents at 25 a page: "1–25 of 58", links to pages 2 and 3 and Next; the last
    page lists the 8 left, the most urgent P1 made first on page 1 and the P4 on the last."""
    more(desk, 56)
    first = desk.client.get("/console", params={"per_page": "25"})
    assert first.status_code == 200
    assert "1–25 of 58 open incidents" in first.text
    assert len(shown(first.text)) == 25 and shown(first.text)[0] == desk.phish.reference
    assert 'href="/console?page=3&amp;per_page=25"' in first.text
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    last = desk.client.get("/console", params={"per_page": "25", "page": "3"}).text
    assert "51–58 of 58" in last and len(shown(last)) == 8
    assert desk.ddos.reference in shown(last)
    every = shown(first.text)
    every += shown(desk.client.get("/console", params={"per_page": "25", "page": "2"}).text)
    every += shown(last)
    assert len(set(every)) == 58


def test_filters_and_sort_come_from_the_query_string(desk: Desk, ana: Principal) -> None:
    more(desk, 3)
    page = desk.client.get("/console", params={"type": "ddos"}).text
    assert shown(page) == [desk.ddos.reference]
    assert "1–1 of 1 open incident matching the filters" in page
    assert '<option value="ddos" selected>' in page
    by_constituent = desk.client.get("/console", params={"constituent": "ministry"}).text
    assert shown(by_constituent) == [desk.phish.reference]
    sorted_page = desk.client.get("/console", params={"sort": "reference", "dir": "desc"}).text
    numbers = [int(i) for i, _ in ROW.findall(sorted_page)]
    assert numbers == sorted(numbers, reverse=True)
    assert 'aria-sort="descending"' in sorted_page
    mine = desk.client.get("/console", params={"show": "mine"}).text  # the older link
    assert shown(mine) == []


def test_a_wrong_filter_is_answered_with_its_field(desk: Desk, ana: Principal) -> None:
    answer = desk.client.get("/console", params={"priority": "P9"})
    assert answer.status_code == 400
    assert "priority" in answer.text and "P1, P2, P3, P4" in answer.text


def test_the_rows_part_is_the_table_alone(desk: Desk, ana: Principal) -> None:
    """What the live refresh fetches: the section with the table, its heading and the alert
    list (the P1 and the breached), not the page around it."""
    part = desk.client.get("/console", params={"part": "rows"})
    assert part.status_code == 200
    assert part.text.lstrip().startswith('<section id="queue-rows"')
    assert "<html" not in part.text and "<form" not in part.text
    assert f'data-alert="{desk.phish.reference} "' in part.text
    desk.team.clock.advance(20 * 60)
    again = desk.client.get("/console", params={"part": "rows"}).text
    assert f"{desk.phish.reference}:b" in again


def bulk(desk: Desk, ids: list[int], **fields: str) -> tuple[int, str]:
    page = desk.client.get("/console").text
    token = CSRF.search(page)
    assert token is not None
    data: dict[str, str | list[str]] = {"csrf": token.group(1), **fields}
    data["incident"] = [str(i) for i in ids]
    answer = desk.client.post("/console/bulk", data=data)
    return answer.status_code, answer.text


def test_bulk_assign_and_close_from_the_queue(desk: Desk, ana: Principal) -> None:
    ids = [desk.phish.id, desk.ddos.id]
    status, page = bulk(desk, ids, action="assign", assignee="me")
    assert status == 200 and "Assigned: 2 incidents" in page
    lead = desk.team.people["lead"]
    assert {desk.team.desk.get(lead, i).assignee_id for i in ids} == {ana.user_id}
    status, page = bulk(desk, ids, action="close", reason="")
    assert status == 400 and "say why these incidents are closed" in page
    status, page = bulk(desk, ids, action="close", reason="False positive: a test page")
    assert status == 200 and "Closed: 2 incidents" in page
    assert desk.team.desk.get(lead, desk.phish.id).status is Status.CLOSED
    assert "Nothing open." in page


def test_bulk_merge_asks_first_and_warns_of_different_constituents(
    desk: Desk, ana: Principal
) -> None:
    ids = [desk.phish.id, desk.ddos.id]
    status, page = bulk(desk, ids, action="merge")
    assert status == 200 and "Merge 2 incidents?" in page
    assert "different constituents" in page
    lead = desk.team.people["lead"]
    assert desk.team.desk.get(lead, desk.ddos.id).merged_into is None  # nothing done yet
    status, page = bulk(desk, ids, action="merge", confirm="yes", into=str(desk.phish.id))
    assert status == 200 and "Merged: 1 incident" in page
    assert desk.team.desk.get(lead, desk.ddos.id).merged_into == desk.phish.id


def test_bulk_needs_the_csrf_token_and_a_role_that_may_change(desk: Desk) -> None:
    desk.user("ana")
    assert log_in(desk.client, "ana").status_code == 303
    refused = desk.client.post(
        "/console/bulk", data={"action": "acknowledge", "incident": str(desk.phish.id)}
    )
    assert refused.status_code == 403
    assert desk.team.desk.get(desk.team.people["lead"], desk.phish.id).status is Status.NEW
    desk.client.post("/logout", data={"csrf": CSRF.findall(desk.client.get("/console").text)[0]})
    desk.user("audrey", role="auditor")
    assert log_in(desk.client, "audrey").status_code == 303
    page = desk.client.get("/console").text
    assert 'action="/console/bulk"' not in page and 'name="incident"' not in page
    status, _ = bulk(desk, [desk.phish.id], action="acknowledge")
    assert status == 200
    assert desk.team.desk.get(desk.team.people["lead"], desk.phish.id).status is Status.NEW


def test_the_api_pages_the_queue_with_its_total_and_links(desk: Desk) -> None:
    more(desk, 30)
    token = desk.token(desk.user("ana"), "read")
    answer = desk.client.get(
        "/api/v1/incidents", params={"per_page": "25", "page": "2"}, headers=token
    )
    assert answer.status_code == 200
    assert answer.headers["x-total-count"] == "32"
    assert len(answer.json()) == 7
    links = dict(
        (rel, parse_qs(urlsplit(url).query)["page"][0])
        for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', answer.headers["link"])
    )
    assert links == {"first": "1", "prev": "1", "last": "2"}
    filtered = desk.client.get("/api/v1/incidents", params={"type": "ddos"}, headers=token)
    assert [x["incident"]["reference"] for x in filtered.json()] == [desk.ddos.reference]
    wrong = desk.client.get("/api/v1/incidents", params={"sort": "title"}, headers=token)
    assert wrong.status_code in (400, 422) and "sort" in wrong.text


def test_a_view_is_saved_from_the_page_and_listed_for_its_owner(desk: Desk, ana: Principal) -> None:
    page = desk.client.get("/console", params={"type": "ddos", "per_page": "25"}).text
    assert "None yet" in page
    token = CSRF.search(page)
    assert token is not None
    saved = desk.client.post(
        "/console/views",
        data={"csrf": token.group(1), "name": "DDoS", "query": "type=ddos&per_page=25"},
    )
    assert (
        saved.status_code == 303 and saved.headers["location"] == "/console?type=ddos&per_page=25"
    )
    listed = desk.client.get("/console").text
    assert '<a href="/console?type=ddos&amp;per_page=25">DDoS</a>' in listed
    refused = desk.client.post(
        "/console/views", data={"csrf": token.group(1), "name": "Bad", "query": "sort=title"}
    )
    assert refused.status_code == 400 and "sort" in refused.text
    (view_id,) = re.findall(r'action="/console/views/(\d+)/delete"', listed)
    gone = desk.client.post(f"/console/views/{view_id}/delete", data={"csrf": token.group(1)})
    assert gone.status_code == 303
    assert "None yet" in desk.client.get("/console").text


def test_the_api_s_bulk_action_reports_each_incident(desk: Desk) -> None:
    ana = desk.user("ana")
    token = desk.token(ana, "read,write")
    ids = [desk.phish.id, desk.ddos.id]
    answer = desk.client.post(
        "/api/v1/incidents/bulk", json={"action": "acknowledge", "incidents": ids}, headers=token
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "action": "acknowledge",
        "done": [desk.phish.reference, desk.ddos.reference],
        "refused": [],
    }
    again = desk.client.post(
        "/api/v1/incidents/bulk", json={"action": "acknowledge", "incidents": ids}, headers=token
    ).json()
    assert again["done"] == [] and [r["reference"] for r in again["refused"]] == [
        desk.phish.reference,
        desk.ddos.reference,
    ]
    no_reason = desk.client.post(
        "/api/v1/incidents/bulk", json={"action": "close", "incidents": ids}, headers=token
    )
    assert no_reason.status_code in (400, 422) and "reason" in no_reason.text
    read_only = desk.token(ana, "read")
    refused = desk.client.post(
        "/api/v1/incidents/bulk",
        json={"action": "assign", "incidents": ids, "assignee_id": ana.user_id},
        headers=read_only,
    ).json()
    assert refused["done"] == [] and len(refused["refused"]) == 2
