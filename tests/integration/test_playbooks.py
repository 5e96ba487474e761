"""A playbook's tasks added to an incident in one step, on SQLite and PostgreSQL: once (applied
again, nothing new), with one timeline line and its audit entry; only by people who may change
the incident; from the incident's page and from the API."""

from __future__ import annotations

import re

import pytest

from tests.desk import Team, make_team
from tests.integration.test_console_http import CSRF, Desk, ana, desk
from tocsin.cases.playbooks import load
from tocsin.errors import Forbidden
from tocsin.model.people import Principal
from tocsin.store import Store

__all__ = ["ana", "desk"]


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


def test_a_playbook_adds_its_tasks_once(team: Team, store: Store) -> None:
    book = load()["phishing"]
    analyst = team.people["analyst"]
    incident = team.desk.create(analyst, title="Kit", type="phishing", priority="P2")
    team.desk.add_task(analyst, incident.id, book.tasks[0])
    added = team.desk.add_tasks(analyst, incident.id, book.tasks, "playbook Phishing")
    assert len(added) == len(book.tasks) - 1  # the one it had is not added twice
    assert team.desk.add_tasks(analyst, incident.id, book.tasks, "playbook Phishing") == []
    titles = [t["title"] for t in store.cases.tasks(incident.id)]
    assert titles == list(book.tasks)
    lines = [x["text"] for x in store.cases.timeline(incident.id)]
    assert f"playbook Phishing: {len(book.tasks) - 1} task(s) added" in lines
    with pytest.raises(Forbidden):
        team.desk.add_tasks(team.people["auditor"], incident.id, book.tasks, "playbook Phishing")


def test_the_incident_page_offers_the_playbook_for_its_type_first(
    desk: Desk, ana: Principal
) -> None:
    page = desk.client.get(f"/incidents/{desk.phish.id}").text
    options = re.findall(r'<option value="([a-z-]+)">[^<]*\(\d+ tasks\)', page)
    assert options[0] == "phishing" and "ransomware" in options
    token = CSRF.search(page)
    assert token is not None
    done = desk.client.post(
        f"/incidents/{desk.phish.id}/playbook",
        data={"csrf": token.group(1), "playbook": "phishing"},
    )
    assert done.status_code == 303
    tasks = desk.team.store.cases.tasks(desk.phish.id)
    assert len(tasks) == len(load()["phishing"].tasks)
    wrong = desk.client.post(
        f"/incidents/{desk.phish.id}/playbook", data={"csrf": token.group(1), "playbook": "nope"}
    )
    assert wrong.status_code == 400 and "choose one of the playbooks" in wrong.text


def test_the_api_adds_a_playbook(desk: Desk) -> None:
    token = desk.token(desk.user("ana"), "read,write")
    answer = desk.client.post(
        f"/api/v1/incidents/{desk.ddos.id}/playbook", json={"playbook": "ddos"}, headers=token
    )
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["added"]) == len(load()["ddos"].tasks)
    wrong = desk.client.post(
        f"/api/v1/incidents/{desk.ddos.id}/playbook", json={"playbook": "nope"}, headers=token
    )
    assert wrong.status_code in (400, 422) and "ransomware" in wrong.text
