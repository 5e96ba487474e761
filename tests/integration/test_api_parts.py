"""Priority, tasks, indicators and evidence through the incidents API (both backends)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


def token(team: Team, actor: str, scopes: str) -> dict[str, str]:
    user = team.store.people.user_named(actor)
    assert user is not None
    secret = Accounts(team.store, now=team.clock).create_token(Principal.of(user), "t", scopes)
    return {"Authorization": f"Bearer {secret.secret}"}


@pytest.fixture
def client(settings: Settings, team: Team, tmp_path: Path) -> Iterator[TestClient]:
    local = Settings(database_url=settings.database_url, workers=0, data_dir=str(tmp_path))
    with TestClient(create_app(local, clock=team.clock)) as test_client:
        test_client.headers.update(token(team, "analyst", "read,write"))
        yield test_client


def test_priority_tasks_and_indicators(client: TestClient, team: Team) -> None:
    """Each part can be changed through the API and shows in the incident afterwards."""
    incident = team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    base = f"/api/v1/incidents/{incident.id}"
    assert client.post(f"{base}/priority", json={"priority": "P1"}).json()["priority"] == "P1"
    task = client.post(f"{base}/tasks", json={"title": "call the hoster"})
    assert task.status_code == 201
    assert client.post(f"{base}/tasks/{task.json()['id']}", json={"done": True}).status_code == 204
    assert (
        client.post(
            f"{base}/indicators", json={"kind": "fqdn", "value": "Kit.Example."}
        ).status_code
        == 204
    )
    detail = client.get(base).json()
    assert detail["tasks"][0]["done"] is True
    assert {"kind": "fqdn", "value": "kit.example"} in detail["indicators"]
    refused = client.post(f"{base}/indicators", json={"kind": "ip", "value": "192.0.2.999"})
    assert refused.status_code == 400 and "indicator" in refused.json()["detail"]


def test_evidence_upload_list_and_download(client: TestClient, team: Team) -> None:
    """A multipart upload is listed with its hash and comes back only as an attachment."""
    incident = team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    base = f"/api/v1/incidents/{incident.id}/evidence"
    uploaded = client.post(base, files={"file": ("mail.html", b"<script>x</script>", "text/html")})
    assert uploaded.status_code == 201, uploaded.text
    item = uploaded.json()
    assert client.get(base).json() == [item]
    got = client.get(f"/api/v1/evidence/{item['id']}")
    assert got.content == b"<script>x</script>"
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"] == "attachment; filename*=UTF-8''mail.html"
    assert got.headers["x-content-type-options"] == "nosniff"


def test_a_read_token_and_an_auditor_cannot_change_parts(client: TestClient, team: Team) -> None:
    """A read-only token, or an auditor's token, gets 403 on every part."""
    incident = team.desk.create(team.people["analyst"], title="x", type="phishing", priority="P3")
    base = f"/api/v1/incidents/{incident.id}"
    for headers in (token(team, "analyst", "read"), token(team, "auditor", "read,write")):
        assert (
            client.post(f"{base}/priority", json={"priority": "P1"}, headers=headers).status_code
            == 403
        )
        assert client.post(f"{base}/tasks", json={"title": "t"}, headers=headers).status_code == 403
        files = {"file": ("a.txt", b"a", "text/plain")}
        assert client.post(f"{base}/evidence", files=files, headers=headers).status_code == 403
