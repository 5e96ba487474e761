"""The storage protocols: the SQL store satisfies each, on SQLite, in memory and on PostgreSQL;
they speak in records and plain values; the unit of work commits its parts' changes together.
And the in-memory store (``sqlite://``) that fast service tests use."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import url_of
from tests.desk import make_team
from tests.factories import make_event, rows
from tocsin.model.people import OrgKind
from tocsin.store import EventFilter, Store, Transaction, open_store
from tocsin.store.protocols import (
    AssistFiguresStore,
    AssistStore,
    CaseStore,
    CvdStore,
    DashboardStore,
    EventStore,
    NoticeStore,
    PeopleStore,
    ReportStore,
    ShareStore,
)
from tocsin.store.sql.engine import MEMORY_DIR

PARTS = {
    "people": PeopleStore,
    "cases": CaseStore,
    "reports": ReportStore,
    "cvd": CvdStore,
    "notices": NoticeStore,
    "share": ShareStore,
    "assist": AssistStore,
    "assist_figures": AssistFiguresStore,
    "dashboard": DashboardStore,
}
PROTOCOLS = [Store, EventStore, *PARTS.values()]


@pytest.fixture(params=["sqlite", "memory", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return url_of(request, request.param, tmp_path)


def test_the_store_and_each_part_satisfy_their_protocol(store: Store) -> None:
    """Every member a protocol names is there, on the store and on each of its parts."""
    assert isinstance(store, Store)
    assert isinstance(store, EventStore)
    for name, protocol in PARTS.items():
        part = getattr(store, name)
        assert isinstance(part, protocol), f"store.{name} is not a {protocol.__name__}"
        missing = [m for m in _members(protocol) if not callable(getattr(part, m, None))]
        assert missing == [], f"store.{name} lacks {missing}"


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_the_protocols_name_no_type_of_a_backend(protocol: type) -> None:
    """What a service sees of a store is records, plain values and the opaque Transaction: no
    SQLAlchemy (or driver) type in any signature."""
    for name in _members(protocol):
        hints = typing.get_type_hints(getattr(protocol, name))
        for where, hint in hints.items():
            modules = {getattr(t, "__module__", "") for t in _types(hint)}
            foreign = {
                m for m in modules if m.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3")
            }
            assert not foreign, f"{protocol.__name__}.{name} ({where}) names {foreign}"


def test_the_unit_of_work_commits_every_part_together_or_nothing(store: Store) -> None:
    """An organisation and its audit entry, written by two parts with one transaction: both
    are kept, or neither when the block raises."""
    with pytest.raises(RuntimeError), store.transaction() as tx:
        store.people.add_organisation(tx, "Harbour CERT", OrgKind.TEAM)
        store.cases.append_audit(tx, **_audit("Harbour CERT"))
        raise RuntimeError("after both writes")
    assert store.people.organisation_named("Harbour CERT") is None
    assert store.cases.audit() == []
    with store.transaction() as tx:
        store.people.add_organisation(tx, "Harbour CERT", OrgKind.TEAM)
        store.cases.append_audit(tx, **_audit("Harbour CERT"))
    assert store.people.organisation_named("Harbour CERT") is not None
    assert [e.object_id for e in store.cases.audit()] == ["Harbour CERT"]


def test_a_transaction_the_store_did_not_open_is_refused(store: Store) -> None:
    with pytest.raises(TypeError, match="not a transaction"):
        store.people.add_organisation(Transaction(object()), "Nobody", OrgKind.TEAM)


# -- the store in memory -------------------------------------------------------------------------


@pytest.fixture
def shared_memory_store() -> Iterator[Store]:
    opened = open_store("sqlite://")
    yield opened
    opened.close()


def test_the_memory_store_lives_in_memory_and_goes_when_closed() -> None:
    """Its database is a file of a memory file system (where there is one), removed on close."""
    opened = open_store("sqlite://")
    path = Path(opened.url.removeprefix("sqlite:///"))
    assert path.is_file()
    if MEMORY_DIR.is_dir():
        assert MEMORY_DIR in path.parents
    opened.write(rows(make_event(source__ip="192.0.2.1")), [])
    opened.close()
    assert not path.parent.exists()


def test_every_connection_of_the_memory_store_sees_one_database(
    shared_memory_store: Store,
) -> None:
    """Events written on the writer's own connection are read on the engine's; a second store
    opened on its URL (as the processes that send notices do) sees them too, and a second
    in-memory store is a database of its own."""
    store = shared_memory_store
    assert store.write(rows(make_event(source__ip="192.0.2.1")), []) == 1
    assert store.count_events() == 1
    again = open_store(store.url)
    other = open_store("sqlite://")
    try:
        assert again.count_events() == 1
        assert other.count_events() == 0
        assert other.url != store.url
    finally:
        again.close()
        other.close()
    assert store.search(EventFilter()).events[0]["source.ip"] == "192.0.2.1"


def test_a_service_runs_on_the_memory_store_fixture(memory_store: Store) -> None:
    """The fixture fast service tests use: a migrated, empty store the desk works on."""
    team = make_team(memory_store)
    analyst = team.people["analyst"]
    made = team.desk.create(analyst, title="Phishing kit", type="phishing", priority="P2")
    found = memory_store.cases.incident(made.id)
    assert found is not None
    assert (found.reference, found.title, found.priority) == (made.reference, "Phishing kit", "P2")
    assert [e.action for e in memory_store.cases.audit()][-1] == "incident.create"


def _members(protocol: type) -> list[str]:
    return sorted(
        name
        for name, value in vars(protocol).items()
        if not name.startswith("_") and callable(value)
    )


def _types(hint: object) -> Iterator[object]:
    yield hint
    for arg in typing.get_args(hint):
        yield from _types(arg)


def _audit(object_id: str) -> dict[str, object]:
    return {
        "at": 1_795_830_000,
        "actor": "tocsin",
        "action": "test.organisation",
        "object_type": "organisation",
        "object_id": object_id,
        "details": {},
    }
