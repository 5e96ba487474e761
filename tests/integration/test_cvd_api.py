"""``/api/v1/cvd``: a vulnerability case worked through the API as on the web and the command
line: opened, moved (an illegal move refused, 409), a message logged, a vendor and a product
added, read back with its log, the reporter's contact never in an answer; a read token changes
nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.test_console_http import Desk, desk
from tocsin.services.accounts import Accounts

__all__ = ["desk"]


def bearer(desk: Desk, who: str = "analyst", scopes: str = "read,write") -> dict[str, str]:
    accounts = Accounts(desk.team.store, now=desk.team.clock)
    secret = accounts.create_token(desk.team.people[who], "t", scopes).secret
    return {"Authorization": f"Bearer {secret}"}


def test_a_case_is_worked_through_the_api(desk: Desk) -> None:
    client: TestClient = desk.client
    mine = bearer(desk)
    made = client.post(
        "/api/v1/cvd",
        json={
            "title": "Overflow in the router's web interface",
            "reporter": "Rosa Researcher",
            "contact": "rosa@example.org",
            "vendors": ["Acme Networks"],
        },
        headers=mine,
    )
    assert made.status_code == 201, made.text
    public_id = made.json()["public_id"]
    base = f"/api/v1/cvd/{public_id}"
    assert (
        client.post(f"{base}/move", json={"state": "triaged"}, headers=mine).json()["state"]
        == "triaged"
    )
    illegal = client.post(f"{base}/move", json={"state": "published"}, headers=mine)
    assert illegal.status_code == 409
    said = client.post(
        f"{base}/log",
        json={"direction": "out", "party": "Acme Networks", "text": "Details sent"},
        headers=mine,
    )
    assert said.status_code == 201
    client.post(
        f"{base}/vendors", json={"name": "Example Corp", "status": "contacted"}, headers=mine
    )
    product = client.post(
        f"{base}/products",
        json={"vendor": "Acme Networks", "identifier": "pkg:generic/acme-os@4.2"},
        headers=mine,
    )
    assert product.status_code == 200, product.text
    read = client.get(base, headers=bearer(desk, "auditor", "read"))
    assert read.status_code == 200
    detail = read.json()
    assert {v["name"]: v["status"] for v in detail["case"]["vendors"]} == {
        "Acme Networks": "contacted",
        "Example Corp": "contacted",
    }
    assert detail["case"]["products"] == [
        {
            "vendor": "Acme Networks",
            "identifier": "pkg:generic/acme-os@4.2",
            "status": "known_affected",
        }
    ]
    assert [m["text"] for m in detail["log"]] == ["Details sent"]
    assert "rosa@example.org" not in read.text
    listed = client.get("/api/v1/cvd", params={"state": "triaged"}, headers=mine).json()
    assert [c["public_id"] for c in listed] == [public_id]


def test_a_read_token_or_an_auditor_changes_nothing(desk: Desk) -> None:
    client: TestClient = desk.client
    made = client.post(
        "/api/v1/cvd", json={"title": "XSS", "reporter": "R"}, headers=bearer(desk)
    ).json()
    base = f"/api/v1/cvd/{made['public_id']}"
    for headers in (bearer(desk, "analyst", "read"), bearer(desk, "auditor", "read,write")):
        refused = client.post(f"{base}/move", json={"state": "triaged"}, headers=headers)
        assert refused.status_code == 403
    assert client.get(base, headers=bearer(desk)).json()["case"]["state"] == "received"
