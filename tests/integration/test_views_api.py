"""``/api/v1/views``: a person's saved views of the queue through the API, as the queue keeps
them: listed for their owner alone, saved (checked as the queue checks them, a name reused
replaces), deleted, audited; a read token saves nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.test_console_http import Desk, desk
from tocsin.services.accounts import Accounts

__all__ = ["desk"]


def bearer(desk: Desk, who: str, scopes: str = "read,write") -> dict[str, str]:
    accounts = Accounts(desk.team.store, now=desk.team.clock)
    secret = accounts.create_token(desk.team.people[who], "t", scopes).secret
    return {"Authorization": f"Bearer {secret}"}


def test_a_view_is_saved_listed_replaced_and_deleted(desk: Desk) -> None:
    client: TestClient = desk.client
    mine = bearer(desk, "analyst")
    made = client.post(
        "/api/v1/views",
        json={"name": "P1 phishing", "query": {"priority": "P1", "type": "phishing"}},
        headers=mine,
    )
    assert made.status_code == 201, made.text
    view = made.json()
    assert view["name"] == "P1 phishing" and "priority=P1" in view["query"]
    again = client.post(
        "/api/v1/views", json={"name": "P1 phishing", "query": {"priority": "P2"}}, headers=mine
    )
    assert again.status_code == 201
    listed = client.get("/api/v1/views", headers=mine).json()
    assert [(v["name"], "priority=P2" in v["query"]) for v in listed] == [("P1 phishing", True)]
    assert client.get("/api/v1/views", headers=bearer(desk, "lead")).json() == []
    gone = client.delete(f"/api/v1/views/{listed[0]['id']}", headers=mine)
    assert gone.status_code == 204
    assert client.get("/api/v1/views", headers=mine).json() == []
    actions = [e.action for e in desk.team.store.cases.audit_for("view", str(listed[0]["id"]))]
    assert "view.save" in actions and "view.delete" in actions


def test_a_bad_filter_or_another_s_view_or_a_read_token_is_refused(desk: Desk) -> None:
    client: TestClient = desk.client
    mine = bearer(desk, "analyst")
    bad = client.post(
        "/api/v1/views", json={"name": "x", "query": {"priority": "P9"}}, headers=mine
    )
    assert bad.status_code == 400
    made = client.post("/api/v1/views", json={"name": "mine", "query": {}}, headers=mine).json()
    other = client.delete(f"/api/v1/views/{made['id']}", headers=bearer(desk, "lead"))
    assert other.status_code == 404
    read_only = bearer(desk, "analyst", "read")
    refused = client.post("/api/v1/views", json={"name": "y", "query": {}}, headers=read_only)
    assert refused.status_code == 403
    assert [v["name"] for v in client.get("/api/v1/views", headers=mine).json()] == ["mine"]
