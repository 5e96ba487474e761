"""A merge keeps the most restrictive TLP, and an incident's linked events are capped by what
the reader may read, on the page and in the API (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tests.factories import make_event, rows, stored_ids
from tests.integration.test_console_http import log_in
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

PASSWORD = "correct horse battery staple"
RED_IP, AMBER_IP = "192.0.2.99", "198.51.100.7"
RED_MAIL = "informant@ministry.example"


@dataclass
class Scene:
    team: Team
    client: TestClient
    ana: Principal  # an analyst who can log in: may not read TLP:RED events
    red: Incident  # RED, with a RED event and a RED indicator
    amber: Incident  # AMBER, with an AMBER event, assigned to ana

    def api(self, who: Principal, path: str) -> tuple[int, str]:
        accounts = Accounts(self.team.store, now=self.team.clock)
        secret = accounts.create_token(who, "test", "read").secret
        answer = self.client.get(path, headers={"Authorization": f"Bearer {secret}"})
        return answer.status_code, answer.text


def stored(store: Store, *events: dict[str, object]) -> list[int]:
    """Write the events and answer their stored ids, in the order given."""
    store.write(rows(*events), [])
    return stored_ids(store, *events)


@pytest.fixture
def scene(settings: Settings, store: Store) -> Iterator[Scene]:
    team = make_team(store)
    lead = team.people["lead"]
    accounts = Accounts(store, now=team.clock)
    ana = Principal.of(
        accounts.add_user(
            Principal.system(), name="ana", password=PASSWORD, role="analyst", org_id=team.org_id
        )
    )
    red_event, amber_event = stored(
        store,
        make_event(source__ip=RED_IP, tlp="RED"),
        make_event(source__ip=AMBER_IP, tlp="AMBER"),
    )
    red = team.desk.create(
        lead,
        title="Source in the ministry",
        type="data-leak",
        priority="P1",
        tlp="RED",
        event_ids=[red_event],
        indicators=[("email", RED_MAIL)],
    )
    amber = team.desk.create(
        lead,
        title="AMBER target",
        type="data-leak",
        priority="P3",
        tlp="AMBER",
        event_ids=[amber_event],
    )
    amber = team.desk.assign(lead, amber.id, ana.user_id)
    with TestClient(create_app(settings, clock=team.clock), follow_redirects=False) as client:
        yield Scene(team, client, ana, red, amber)


def test_merging_red_into_amber_makes_the_target_red(scene: Scene) -> None:
    """The target takes the most restrictive TLP of the two, with a timeline line and an audit
    entry; an analyst who is not its assignee then finds it nowhere."""
    lead = scene.team.people["lead"]
    merged = scene.team.desk.merge(lead, scene.red.id, scene.amber.id)
    assert merged.tlp == "RED"
    actions = [e.action for e in scene.team.store.cases.audit_for("incident", merged.reference)]
    assert "incident.tlp" in actions
    status, _ = scene.api(scene.team.people["analyst"], f"/api/v1/incidents/{merged.id}")
    assert status == 404


def test_merging_amber_into_red_keeps_red(scene: Scene) -> None:
    lead = scene.team.people["lead"]
    assert scene.team.desk.merge(lead, scene.amber.id, scene.red.id).tlp == "RED"


def test_linking_a_red_event_raises_the_incident(scene: Scene) -> None:
    """Linking by hand keeps the same rule as a merge and aggregation."""
    (event,) = stored(scene.team.store, make_event(source__ip="203.0.113.5", tlp="RED"))
    scene.team.desk.link_events(scene.team.people["lead"], scene.amber.id, [event])
    assert scene.team.desk.get(scene.team.people["lead"], scene.amber.id).tlp == "RED"


def test_the_assignee_reads_the_merged_incident_without_its_red_events(scene: Scene) -> None:
    """Ana may read the incident she is assigned (now RED), never the RED events in it: the
    page lists and counts only the AMBER one; a lead sees both."""
    scene.team.desk.merge(scene.team.people["lead"], scene.red.id, scene.amber.id)
    assert log_in(scene.client, "ana", PASSWORD).status_code == 303
    page = scene.client.get(f"/incidents/{scene.amber.id}")
    assert page.status_code == 200, page.text
    assert AMBER_IP in page.text and RED_IP not in page.text
    assert "Linked events (1)" in page.text
    lead = scene.team.people["lead"]
    shown = scene.team.desk.numbered_events(lead, scene.amber, limit=10)
    assert {e["source.ip"] for _, e in shown} == {RED_IP, AMBER_IP}


def test_red_events_linked_to_an_amber_incident_stay_hidden(scene: Scene) -> None:
    """Events linked before this rule (straight in the store) are capped all the same, on the
    page and in the related items of the API."""
    (event,) = stored(scene.team.store, make_event(source__ip=RED_IP, tlp="RED"))
    with scene.team.store.transaction() as tx:
        scene.team.store.cases.link_events(tx, scene.amber.id, [event])
    assert log_in(scene.client, "ana", PASSWORD).status_code == 303
    page = scene.client.get(f"/incidents/{scene.amber.id}")
    assert page.status_code == 200 and RED_IP not in page.text
    status, text = scene.api(scene.ana, f"/api/v1/incidents/{scene.amber.id}")
    assert status == 200 and RED_IP not in text and RED_MAIL not in text
    status, text = scene.api(scene.ana, f"/api/v1/incidents/{scene.amber.id}/related")
    assert status == 200 and RED_IP not in text
