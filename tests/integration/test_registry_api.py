"""``/api/v1/constituents``: the registry through the API, as on the web: a lead adds, changes,
renames, removes and replaces it all (all or nothing, the wrong one named); an analyst reads and
is refused the rest; every change audited. On SQLite and PostgreSQL."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.test_console_http import Desk, desk
from tocsin.services.accounts import Accounts

__all__ = ["desk"]


def bearer(desk: Desk, who: str) -> dict[str, str]:
    accounts = Accounts(desk.team.store, now=desk.team.clock)
    secret = accounts.create_token(desk.team.people[who], "t", "read,write").secret
    return {"Authorization": f"Bearer {secret}"}


def names(client: TestClient, headers: dict[str, str]) -> list[str]:
    return [c["name"] for c in client.get("/api/v1/constituents", headers=headers).json()]


def test_a_lead_keeps_the_registry_through_the_api(desk: Desk) -> None:
    client: TestClient = desk.client
    lead = bearer(desk, "lead")
    body = {"name": "Harbour Telecom", "networks": ["198.51.100.0/24"], "asns": [64500]}
    assert (
        client.put("/api/v1/constituents/Harbour Telecom", json=body, headers=lead).status_code
        == 200
    )
    renamed = client.put(
        "/api/v1/constituents/Harbour Telecom",
        json=body | {"name": "Harbour Telecom Ltd", "abuse_contact": "abuse@harbour.example"},
        headers=lead,
    )
    assert renamed.status_code == 200, renamed.text
    assert names(client, lead) == ["Harbour Telecom Ltd"]
    everything = [
        {"name": "City Water", "sector": "energy", "networks": ["192.0.2.0/26"]},
        {"name": "Riverside Clinic", "sector": "health", "networks": ["not-a-network"]},
    ]
    refused = client.put("/api/v1/constituents", json=everything, headers=lead)
    assert refused.status_code == 400 and "constituents[2]" in refused.text
    assert names(client, lead) == ["Harbour Telecom Ltd"]
    everything[1]["networks"] = ["192.0.2.64/26"]
    replaced = client.put("/api/v1/constituents", json=everything, headers=lead)
    assert replaced.json() == {"constituents": 2}
    assert client.delete("/api/v1/constituents/City Water", headers=lead).status_code == 204
    assert names(client, lead) == ["Riverside Clinic"]
    audited = [e.action for e in desk.team.store.cases.audit_for("constituent", "registry")]
    assert audited == ["constituent.import"]


def test_an_analyst_reads_and_changes_nothing(desk: Desk) -> None:
    client: TestClient = desk.client
    analyst = bearer(desk, "analyst")
    refused = client.put("/api/v1/constituents/X", json={"name": "X"}, headers=analyst)
    assert refused.status_code == 403
    assert names(client, analyst) == []
