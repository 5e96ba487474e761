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


def test_a_constituent_keeps_its_region_through_the_api(desk: Desk) -> None:
    """A region given in the body (NUTS or ISO 3166-2, any case) is kept upper-cased and read
    back, by the whole-registry replace too; a bad one is refused as a bad country is (400,
    naming ``constituent.region``) and changes nothing."""
    client: TestClient = desk.client
    lead = bearer(desk, "lead")
    body = {"name": "Port of Tallinn", "country": "ee", "region": "ee001"}
    saved = client.put("/api/v1/constituents/Port of Tallinn", json=body, headers=lead)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["country"], saved.json()["region"]) == ("EE", "EE001")
    [read] = client.get("/api/v1/constituents", headers=lead).json()
    assert read["region"] == "EE001"
    bad_country = client.put(
        "/api/v1/constituents/Port of Tallinn", json=body | {"country": "XX"}, headers=lead
    )
    bad_region = client.put(
        "/api/v1/constituents/Port of Tallinn", json=body | {"region": "Harjumaa"}, headers=lead
    )
    assert bad_region.status_code == bad_country.status_code == 400
    assert "constituent.region" in bad_region.text and "Harjumaa" in bad_region.text
    [kept] = desk.team.store.constituents()
    assert kept.region == "EE001"
    everything = [
        {"name": "Port of Tallinn", "region": "ee-37"},
        {"name": "Riga Water", "country": "LV"},
    ]
    assert client.put("/api/v1/constituents", json=everything, headers=lead).status_code == 200
    regions = {
        c["name"]: c["region"] for c in client.get("/api/v1/constituents", headers=lead).json()
    }
    assert regions == {"Port of Tallinn": "EE-37", "Riga Water": None}
    everything[1]["region"] = "LV0069"
    refused = client.put("/api/v1/constituents", json=everything, headers=lead)
    assert refused.status_code == 400 and "constituents[2].constituent.region" in refused.text
    assert [c.region for c in desk.team.store.constituents()] == ["EE-37", None]
