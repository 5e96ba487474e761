"""The audit log is hash-chained: tampering with the database directly is caught and located."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.desk import Team, make_team
from tocsin.cases.audit import verify_log
from tocsin.store import Store


@pytest.fixture
def team(store: Store) -> Team:
    """A team whose log holds six entries: one incident created and five changes."""
    built = make_team(store)
    analyst = built.people["analyst"]
    incident = built.desk.create(analyst, title="x", type="phishing", priority="P3")
    for text in ("one", "two", "three", "four", "five"):
        built.desk.add_note(analyst, incident.id, text)
    return built


def sql(store: Store, statement: str) -> None:
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.text(statement))


def test_an_untouched_log_verifies(team: Team) -> None:
    """The log as Tocsin wrote it verifies whole, and its head hash is reported."""
    verdict, head = verify_log(team.store)
    assert verdict.ok and verdict.checked == 6
    assert head == team.store.cases.audit()[-1].hash


def test_an_altered_entry_is_caught(team: Team) -> None:
    """Changing who did something in entry 3 is reported at entry 3."""
    sql(team.store, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3")
    verdict, _ = verify_log(team.store)
    assert (verdict.ok, verdict.first_bad) == (False, 3)
    assert "altered" in verdict.reason


def test_a_removed_entry_is_caught(team: Team) -> None:
    """Deleting entry 4 is reported as entry 4 missing."""
    sql(team.store, "DELETE FROM audit_log WHERE seq = 4")
    verdict, _ = verify_log(team.store)
    assert (verdict.ok, verdict.first_bad) == (False, 4)
    assert "missing" in verdict.reason


def test_reordered_entries_are_caught(team: Team) -> None:
    """Swapping the content of entries 2 and 5 (renumbering them) is caught at entry 2."""
    sql(team.store, "UPDATE audit_log SET seq = 100 WHERE seq = 2")
    sql(team.store, "UPDATE audit_log SET seq = 2 WHERE seq = 5")
    sql(team.store, "UPDATE audit_log SET seq = 5 WHERE seq = 100")
    verdict, _ = verify_log(team.store)
    assert (verdict.ok, verdict.first_bad) == (False, 2)


def test_a_rewritten_tail_changes_the_head_hash(team: Team) -> None:
    """Cutting the last entry leaves a valid chain, but a different head hash than recorded."""
    _, head = verify_log(team.store)
    sql(team.store, "DELETE FROM audit_log WHERE seq = 6")
    verdict, cut = verify_log(team.store)
    assert verdict.ok and cut != head
