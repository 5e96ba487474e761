"""Full-text search (migration 0024, store.sql.fulltext): the words people wrote about incidents
(titles, notes, mail, reporters' additions, victims' answers) find their incidents, kept current
by every write, on SQLite and PostgreSQL, within what the viewer may read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.desk import Team, make_team
from tocsin.model.access import incident_scope
from tocsin.model.incident import Incident
from tocsin.store import Store


@pytest.fixture
def team(store: Store) -> Iterator[Team]:
    yield make_team(store)


def saying(team: Team, text: str, who: str = "lead") -> dict[str, str]:
    scope = incident_scope(team.people[who])
    return {i.reference: why for i, why in team.store.cases.incidents_saying(scope, text, 20)}


def new(team: Team, title: str, **kw: object) -> Incident:
    return team.desk.create(
        team.people["analyst"],
        title=title,
        type="phishing",
        priority="P3",
        **kw,  # type: ignore[arg-type]
    )


def test_a_word_of_a_title_finds_its_incident_in_any_case(team: Team) -> None:
    found = new(team, "Credential harvesting against Harbour Telecom")
    other = new(team, "Open telnet on a router")
    assert saying(team, "HARVESTING") == {found.reference: "title"}
    assert other.reference not in saying(team, "harvesting")


def test_every_word_must_be_there_and_the_last_is_a_prefix(team: Team) -> None:
    both = new(team, "Ransomware at the city hospital")
    one = new(team, "Ransomware note found on a laptop")
    assert saying(team, "ransomware hosp") == {both.reference: "title"}
    assert set(saying(team, "ransom")) == {both.reference, one.reference}


def test_a_note_finds_its_incident_and_a_changed_title_is_found_by_its_new_words(
    team: Team,
) -> None:
    incident = new(team, "Suspicious login")
    note = "The wallet bc1qxy2kgdygjrsqtzq2n0yrf was named"
    team.desk.add_note(team.people["analyst"], incident.id, note)
    assert saying(team, "bc1qxy2kgdygjrsqtzq2n0yrf") == {incident.reference: "note"}
    with team.store.transaction() as tx:
        team.store.cases.update_incident(tx, incident.id, title="Account takeover at the bank")
    assert saying(team, "takeover") == {incident.reference: "title"}
    assert saying(team, "suspicious") == {}


def test_odd_characters_are_words_or_nothing_never_an_error(team: Team) -> None:
    new(team, "Phishing kit")
    for text in ['"', "kit*", "kit AND (", "phish:* & !", "'; DROP TABLE incidents; --", "_"]:
        saying(team, text)  # no error from the backend's query syntax
    assert saying(team, "!!! ???") == {}
    assert len(saying(team, 'kit" OR "x')) == 0  # every word must be there, as words


def test_what_a_viewer_may_not_read_is_not_found(team: Team) -> None:
    secret = new(team, "Embargoed matter at the ministry", tlp="RED")
    assert secret.reference in saying(team, "embargoed", who="lead")
    assert saying(team, "embargoed", who="analyst") == {}
