"""The store of requests for assistance on SQLite and PostgreSQL: references taken by two
writers at once are never the same, an incident is linked once, the register puts emergencies
first, what is past its retention is found until it is purged; and
migration 0020 goes up and down."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.assist_desk import Desk, make_desk
from tests.audit_keys import AUDIT_KEY
from tests.integration.test_migrations import empty_url, migrate  # noqa: F401 (a fixture)
from tocsin.assist.requests import Assistance
from tocsin.model.assist.request import Direction
from tocsin.store import Store, open_store
from tocsin.store.sql import SqlStore

TABLES = {
    "assist_contacts",
    "assist_contact_versions",
    "assist_requests",
    "assist_steps",
    "assist_request_incidents",
    "assist_ledger",
}


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store)


def test_two_writers_at_once_never_take_the_same_reference(desk: Desk) -> None:
    other = open_store(desk.team.store.url, audit_key=AUDIT_KEY)  # another process's connection
    refs: list[str] = []
    failures: list[BaseException] = []

    def write(service: Assistance) -> None:
        try:
            for _ in range(5):
                refs.append(desk.draft_with(service).ref)
        except BaseException as exc:
            failures.append(exc)

    try:
        writers = [
            threading.Thread(target=write, args=(s,))
            for s in (desk.assist, Assistance(other, now=desk.team.clock))
        ]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
    finally:
        other.close()
    assert failures == []
    assert sorted(refs) == [f"RFA-2026-{n:04d}" for n in range(1, 11)]


def test_an_incident_is_linked_once(desk: Desk) -> None:
    request = desk.draft()
    incident = desk.team.desk.create(
        desk.who("lead"), title="x", type="infected-system", priority="P3"
    )
    store = desk.team.store
    with store.transaction() as tx:
        assert store.assist.link_incident(tx, request.id, incident.id) is True
        assert store.assist.link_incident(tx, request.id, incident.id) is False
    assert store.assist.request(request.id).incident_ids == (incident.id,)  # type: ignore[union-attr]


def test_the_register_puts_emergencies_first_then_the_newest(desk: Desk) -> None:
    first = desk.draft()
    urgent = desk.draft(emergency=True, justification="A child is in danger.")
    last = desk.draft(direction="incoming")
    store = desk.team.store
    assert [r.id for r in store.assist.requests()] == [urgent.id, last.id, first.id]
    assert [r.id for r in store.assist.requests(direction=Direction.INCOMING)] == [last.id]
    assert [r.id for r in store.assist.requests(emergency=False)] == [last.id, first.id]


def test_what_is_past_retention_is_found_until_purged(desk: Desk) -> None:
    request = desk.draft()
    store = desk.team.store
    limit = int(request.safeguards.retention_until.timestamp())  # type: ignore[union-attr]
    assert store.assist.expired(limit - 1) == []
    assert store.assist.expired(limit) == [request.id]
    with store.transaction() as tx:
        store.assist.update_request(tx, request.id, purged_at=limit)
    assert store.assist.expired(limit) == []


def test_migration_0020_goes_up_and_down(empty_url: str) -> None:  # noqa: F811
    old = SqlStore(empty_url)
    try:
        migrate(old, "0018")
        assert TABLES.isdisjoint(sa.inspect(old.engine).get_table_names())
        migrate(old, "0020")
        assert set(sa.inspect(old.engine).get_table_names()) >= TABLES
        downgrade(old, "0018")
        assert TABLES.isdisjoint(sa.inspect(old.engine).get_table_names())
    finally:
        old.close()


def downgrade(store: SqlStore, revision: str) -> None:
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    config = Config()
    location = resources.files("tocsin.store.sql").joinpath("migrations")
    config.set_main_option("script_location", str(location))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
