"""On PostgreSQL, the full-text lookup chooses its plan from the index's statistics (see
``store/sql/fulltext.py``): a common word reads the newest rows backwards, a rare word takes its
matches from the GIN index; both give the same answer."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa

from tests.audit_keys import AUDIT_KEY
from tests.conftest import _truncate
from tests.desk import Team, make_team
from tocsin.model.access import incident_scope
from tocsin.store import Store, open_store
from tocsin.store.sql import fulltext


@pytest.fixture
def analysed(_pg_store: Store) -> Iterator[Team]:
    """300 incidents about phishing, one about lockbit, the table analysed."""
    _truncate(_pg_store.url)
    store = open_store(_pg_store.url, audit_key=AUDIT_KEY)
    team = make_team(store)
    who = team.people["analyst"]
    for n in range(300):
        team.desk.create(who, title=f"Phishing kit {n}", type="phishing", priority="P3")
    team.desk.create(who, title="Lockbit at a hospital", type="system-compromise", priority="P1")
    with psycopg.connect(store.url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("ANALYZE incidents")
    fulltext._stats.clear()
    yield team
    store.close()


def _plan(store: Store, word: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setattr(fulltext, "_SMALL", 0)
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        fulltext._choose_plan(conn, "title", [word], 1)
        return (
            conn.execute(sa.text("SHOW enable_bitmapscan")).scalar_one(),
            conn.execute(sa.text("SHOW enable_indexscan")).scalar_one(),
        )


def test_a_common_word_reads_backwards_a_rare_one_uses_the_index(
    analysed: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = analysed.store
    assert _plan(store, "phish", monkeypatch) == ("off", "on")
    assert _plan(store, "lockbit", monkeypatch) == ("on", "off")
    scope = incident_scope(analysed.people["analyst"])
    (found,) = store.cases.incidents_saying(scope, "lockbit", 20)
    assert found[0].title == "Lockbit at a hospital"
    assert len(store.cases.incidents_saying(scope, "phishing kit", 20)) == 20
