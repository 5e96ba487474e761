"""``/api/v1/sharing``: the sharing desk through the API, as on the console's page: a lead adds a
collection, a partner and its agreement; an analyst releases an incident or events; at AMBER
for a partner the release waits for a second lead, who approves it (never its author); TLP:RED
never leaves; analysts and read tokens keep no partner or collection. On SQLite and
PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import make_event, rows
from tests.integration.test_console_http import Desk, desk

__all__ = ["desk"]


def _setup(desk: Desk) -> tuple[TestClient, dict[str, str], dict[str, str]]:
    client: TestClient = desk.client
    lead = desk.token(desk.team.people["lead"], "read,write")
    analyst = desk.token(desk.team.people["analyst"], "read,write")
    assert (
        client.post(
            "/api/v1/sharing/collections", json={"alias": "community"}, headers=lead
        ).status_code
        == 201
    )
    added = client.post("/api/v1/sharing/partners", json={"name": "CERT-XY"}, headers=lead)
    assert added.status_code == 201 and added.json() == {"name": "CERT-XY", "agreements": []}
    agreed = client.put(
        "/api/v1/sharing/partners/CERT-XY/agreements/community",
        json={"max_tlp": "AMBER"},
        headers=lead,
    )
    assert agreed.status_code == 200, agreed.text
    assert agreed.json() == {
        "collection": "community",
        "read": True,
        "write": False,
        "max_tlp": "AMBER",
        "approval": True,
    }
    return client, lead, analyst


def test_a_release_for_a_partner_waits_for_a_second_lead(desk: Desk) -> None:
    client, lead, analyst = _setup(desk)
    done = client.post(
        "/api/v1/sharing/releases",
        json={"collection": "community", "partner": "CERT-XY", "incident": desk.phish.reference},
        headers=analyst,
    )
    assert done.status_code == 201, done.text
    release = done.json()
    assert (release["state"], release["to"], release["author"]) == ("pending", "CERT-XY", "analyst")
    path = f"/api/v1/sharing/releases/{release['id']}"
    assert client.post(f"{path}/approve", headers=analyst).status_code == 403
    approved = client.post(f"{path}/approve", headers=lead)
    assert approved.status_code == 200 and approved.json()["approver"] == "lead"
    listed = client.get("/api/v1/sharing/releases?state=released", headers=analyst).json()
    assert [r["id"] for r in listed] == [release["id"]]
    (collection,) = client.get("/api/v1/sharing/collections", headers=analyst).json()
    assert collection["objects"] == release["objects"] > 0
    audited = {e.action for e in desk.team.store.cases.audit()}
    assert {"share.collection", "partner.create", "partner.agreement"} <= audited
    assert {"share.request", "share.release"} <= audited


def test_a_lead_refuses_with_a_reason(desk: Desk) -> None:
    client, lead, analyst = _setup(desk)
    release = client.post(
        "/api/v1/sharing/releases",
        json={"collection": "community", "partner": "CERT-XY", "incident": desk.phish.reference},
        headers=analyst,
    ).json()
    path = f"/api/v1/sharing/releases/{release['id']}/refuse"
    assert client.post(path, json={"reason": " "}, headers=lead).status_code == 400
    refused = client.post(path, json={"reason": "names a victim"}, headers=lead)
    assert refused.status_code == 200 and refused.json()["state"] == "refused"


def test_what_may_not_leave_is_refused_and_changes_nothing(desk: Desk) -> None:
    client, lead, analyst = _setup(desk)
    desk.team.store.write(rows(make_event(source__ip="203.0.113.9", tlp="GREEN")), [])
    everyone = client.post(  # an AMBER incident to every partner: no
        "/api/v1/sharing/releases",
        json={"collection": "community", "incident": desk.phish.reference},
        headers=analyst,
    )
    assert everyone.status_code == 403
    empty = client.post(
        "/api/v1/sharing/releases", json={"collection": "community"}, headers=analyst
    )
    assert empty.status_code == 400 and "name an incident" in empty.text
    red = client.put(
        "/api/v1/sharing/partners/CERT-XY/agreements/community",
        json={"max_tlp": "RED"},
        headers=lead,
    )
    assert red.status_code == 422
    assert client.get("/api/v1/sharing/releases", headers=analyst).json() == []
    green = client.post(
        "/api/v1/sharing/releases",
        json={"collection": "community", "since": "2020-01-01"},
        headers=analyst,
    )
    assert green.status_code == 201 and green.json()["state"] == "released"
    assert (green.json()["events"], green.json()["to"]) == (1, None)


def test_analysts_and_read_tokens_keep_no_partner_or_collection(desk: Desk) -> None:
    client, _, analyst = _setup(desk)
    reader = desk.token(desk.team.people["lead"], "read")
    for headers in (analyst, reader):
        refused = client.post("/api/v1/sharing/partners", json={"name": "CERT-QQ"}, headers=headers)
        assert refused.status_code == 403
        assert (
            client.post(
                "/api/v1/sharing/collections", json={"alias": "x"}, headers=headers
            ).status_code
            == 403
        )
    assert [p["name"] for p in client.get("/api/v1/sharing/partners", headers=reader).json()] == [
        "CERT-XY"
    ]
    org = desk.team.store.people.organisation_named("CERT-XY")
    assert org is not None
    partner = desk.token(desk.user("cert-xy-bot", "partner", org.id), "read")
    assert client.get("/api/v1/sharing/releases", headers=partner).status_code == 403
