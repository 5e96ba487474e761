"""An incident's description and tags, on SQLite and PostgreSQL: set on the incident page and
through the API, each change one timeline line and one audit entry (nothing changed: nothing
written), a wrong tag named on the form and nothing kept, and only those who may change the
incident change them."""

from __future__ import annotations

import pytest

from tests.integration.test_console_http import Desk, ana, desk, post
from tocsin.errors import Forbidden, InvalidValue, NotFound
from tocsin.model.incident import tags
from tocsin.model.people import Principal

__all__ = ["ana", "desk"]


def test_tags_are_lower_case_sorted_once_each_and_checked() -> None:
    assert tags("LockBit ransomware, lockbit election:2026") == (
        "election:2026",
        "lockbit",
        "ransomware",
    )
    assert tags(["a", "b"]) == ("a", "b")
    assert tags("") == ()
    for bad in ("<script>", "-leading", "x" * 49, " ".join(f"t{n}" for n in range(21))):
        with pytest.raises(ValueError):
            tags(bad)


def test_the_page_sets_the_description_and_tags_and_the_timeline_says_so(
    desk: Desk, ana: Principal
) -> None:
    incident = desk.phish
    path = f"/incidents/{incident.id}/describe"
    done = post(
        desk.client,
        path,
        description="Kit hosted on a shared server.\n\nThe hoster was told.",
        tags="phishing-kit Ministry",
    )
    assert done.status_code == 303
    page = desk.client.get(f"/incidents/{incident.id}").text
    assert "<li>ministry</li>" in page and "<p>The hoster was told.</p>" in page
    assert desk.timeline(incident)[-1] == "described; tags +ministry +phishing-kit"
    again = post(
        desk.client,
        path,
        description="Kit hosted on a shared server.\n\nThe hoster was told.",
        tags="ministry phishing-kit",
    )
    assert again.status_code == 303
    assert desk.timeline(incident)[-1] == "described; tags +ministry +phishing-kit"  # no change
    post(
        desk.client,
        path,
        description="Kit hosted on a shared server.\n\nThe hoster was told.",
        tags="ministry",
    )
    assert desk.timeline(incident)[-1] == "tags −phishing-kit"
    entries = desk.team.store.cases.audit_for("incident", incident.reference)
    described = [e for e in entries if e.action == "incident.describe"]
    assert [e.details["tags"] for e in described] == [["ministry", "phishing-kit"], ["ministry"]]


def test_a_wrong_tag_is_named_on_the_form_and_nothing_is_kept(desk: Desk, ana: Principal) -> None:
    incident = desk.phish
    refused = post(
        desk.client, f"/incidents/{incident.id}/describe", description="kept?", tags="ok <b>"
    )
    assert refused.status_code == 400
    assert 'id="d-tags"' in refused.text and 'aria-invalid="true"' in refused.text
    assert "&lt;b&gt;" in refused.text  # what was typed is shown again, escaped
    stored = desk.team.desk.get(desk.team.people["analyst"], incident.id)
    assert (stored.description, stored.tags) == ("", ())


def test_only_who_may_change_the_incident_describes_it(desk: Desk) -> None:
    team = desk.team
    with pytest.raises(Forbidden):
        team.desk.describe(team.people["auditor"], desk.phish.id, tags="x")
    with pytest.raises((NotFound, Forbidden)):
        team.desk.describe(team.people["outsider"], desk.phish.id, tags="x")
    with pytest.raises(InvalidValue):
        team.desk.describe(team.people["analyst"], desk.phish.id, description="x" * 20_001)


def test_the_api_sets_and_shows_them(desk: Desk) -> None:
    headers = desk.token(desk.team.people["analyst"], "read,write")
    path = f"/api/v1/incidents/{desk.ddos.id}"
    done = desk.client.post(f"{path}/describe", json={"tags": ["ddos", "portal"]}, headers=headers)
    assert done.status_code == 200, done.text
    assert (done.json()["tags"], done.json()["description"]) == (["ddos", "portal"], "")
    described = desk.client.post(
        f"{path}/describe", json={"description": "Layer 7 flood."}, headers=headers
    )
    assert described.json()["tags"] == ["ddos", "portal"]  # left as they were
    assert (
        desk.client.get(path, headers=headers).json()["incident"]["description"] == "Layer 7 flood."
    )
    bad = desk.client.post(f"{path}/describe", json={"tags": ["no way"]}, headers=headers)
    assert bad.status_code == 400
    reader = desk.token(desk.team.people["analyst"], "read")
    assert (
        desk.client.post(f"{path}/describe", json={"tags": []}, headers=reader).status_code == 403
    )
