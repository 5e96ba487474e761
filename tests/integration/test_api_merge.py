"""Merge, split and related items through the incidents API (both backends)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tests.factories import make_event, rows, stored_ids
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import EventFilter, Store
from tocsin.web.app import create_app


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


@pytest.fixture
def client(settings: Settings, team: Team) -> Iterator[TestClient]:
    """An analyst's write token on the team's store."""
    analyst = team.store.people.user_named("analyst")
    assert analyst is not None
    secret = (
        Accounts(team.store, now=team.clock)
        .create_token(Principal.of(analyst), "tests", "read,write")
        .secret
    )
    with TestClient(create_app(settings, clock=team.clock)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {secret}"
        yield test_client


def new(client: TestClient, title: str, ip: str) -> int:
    response = client.post(
        "/api/v1/incidents",
        json={
            "title": title,
            "type": "phishing",
            "priority": "P3",
            "indicators": [{"kind": "ip", "value": ip}],
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_merge_closes_the_source_into_the_target(client: TestClient) -> None:
    """Merging answers with the target; the source is closed and points at it; twice is 409."""
    first, second = new(client, "a", "192.0.2.1"), new(client, "b", "192.0.2.2")
    response = client.post(f"/api/v1/incidents/{first}/merge", json={"into": second})
    assert response.status_code == 200 and response.json()["id"] == second
    source = client.get(f"/api/v1/incidents/{first}").json()["incident"]
    assert (source["status"], source["merged_into"]) == ("closed", second)
    again = client.post(f"/api/v1/incidents/{first}/merge", json={"into": second})
    assert again.status_code == 409


def test_split_moves_chosen_events_to_a_new_incident(client: TestClient, team: Team) -> None:
    """Split creates a new incident holding exactly the chosen events."""
    team.store.write(
        rows(make_event(source__ip="192.0.2.1"), make_event(source__ip="192.0.2.2")), []
    )
    stored = team.store.search(EventFilter()).events
    event_ids = sorted(stored_ids(team.store, *stored))
    source = new(client, "both", "192.0.2.1")
    team.desk.link_events(team.people["analyst"], source, event_ids)
    response = client.post(
        f"/api/v1/incidents/{source}/split", json={"event_ids": event_ids[:1], "title": "one"}
    )
    assert response.status_code == 201, response.text
    created = response.json()["id"]
    assert team.store.cases.count_incident_events(created) == 1
    assert team.store.cases.count_incident_events(source) == 1


def test_related_lists_incidents_sharing_an_indicator(client: TestClient) -> None:
    """Two incidents with one address are related to each other, a third one is not."""
    first, second = new(client, "a", "192.0.2.7"), new(client, "b", "192.0.2.7")
    new(client, "c", "198.51.100.7")
    body = client.get(f"/api/v1/incidents/{first}/related").json()
    assert [i["id"] for i in body["incidents"]] == [second]
    assert body["shared"] == ["ip 192.0.2.7"]
