"""The migrations build exactly the schema the code describes, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from tests.factories import make_event, rows
from tocsin.model.event import fingerprint, observation_key
from tocsin.store import EventFilter, Store, open_store
from tocsin.store.rows import EVENT_COLUMNS
from tocsin.store.sql import SqlStore
from tocsin.store.sql.fulltext import FTS_INDEXES, FTS_TABLES
from tocsin.store.sql.schema import metadata


def _undeclared(table: str) -> bool:
    return table == "alembic_version" or any(
        table == name or table.startswith(name + "_") for name in FTS_TABLES
    )


SINCE_0023 = ("window_start", "day")  # the columns of events that migration 0023 added


def test_migrated_database_matches_the_schema(store: Store) -> None:
    """After migrating, autogenerate finds no table, column or index missing or extra (but for
    the migrations' own table and the full-text search's, which SQLAlchemy does not describe:
    SQLite's FTS5 tables, PostgreSQL's expression indexes, checked by test_fulltext)."""
    engine = sa.create_engine(store.engine.url)  # type: ignore[attr-defined]
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = [
                change
                for change in compare_metadata(context, metadata)
                if not (
                    isinstance(change, tuple)
                    and (
                        (change[0] == "remove_table" and _undeclared(change[1].name))
                        or (change[0] == "remove_index" and change[1].name in FTS_INDEXES)
                    )
                )
            ]
    finally:
        engine.dispose()
    assert diff == []


@pytest.fixture
def empty_url(request: pytest.FixtureRequest, backend_url: str, tmp_path: Path) -> Iterator[str]:
    """A database with no table at all, on the backend of ``backend_url``."""
    if backend_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server: str = request.getfixturevalue("postgres_server")
    name = f"tocsin_migrate_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield backend_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(store: SqlStore, revision: str, *, down: bool = False) -> None:
    """Upgrade the store to ``revision`` (``down``: downgrade to it)."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("tocsin.store.sql").joinpath("migrations"))
    )
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_events_stored_twice_under_two_windows_before_0014_are_stored_no_third_time(
    empty_url: str,
) -> None:
    """A database holding one observation twice (stored under two dedupe windows before events
    had an observation key) keeps both rows through the upgrade, and a third write of that
    observation, under yet another window, stores nothing."""
    event = make_event(source__ip="192.0.2.4")
    copies = [dict(event, **{"tocsin.fingerprint": fingerprint(event, w)}) for w in (0, 86_400)]
    old = SqlStore(empty_url)
    try:
        migrate(old, "0013")
        columns = [c for c in EVENT_COLUMNS if c not in ("observation", *SINCE_0023)]
        insert = sa.insert(sa.table("events", *(sa.column(c) for c in columns)))
        with old.engine.begin() as conn:
            for row in rows(*copies):
                values = dict(zip(EVENT_COLUMNS, row, strict=True))
                conn.execute(insert, {c: values[c] for c in columns})
    finally:
        old.close()
    store = open_store(empty_url)
    try:
        assert store.count_events() == 2
        third = dict(event, **{"tocsin.fingerprint": fingerprint(event, 3600)})
        assert store.write(rows(third), []) == 0
        assert store.count_events() == 2
    finally:
        store.close()


def _observation_keys(url: str) -> dict[int, bytes | None]:
    engine = sa.create_engine(SqlStore(url).engine.url)
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text("SELECT id, observation FROM events ORDER BY id")).all()
    finally:
        engine.dispose()
    return {row_id: None if key is None else bytes(key) for row_id, key in found}


def test_0018_keys_the_stored_observations_by_their_time_first_and_back(empty_url: str) -> None:
    """Events stored with 0014's observation keys (the digest alone) get keys that begin with
    their time, computed from their data; an event kept without a key stays without; a
    re-ingest of a stored observation stores nothing after the upgrade; the downgrade gives
    0014's keys back."""
    first = make_event(source__ip="192.0.2.5")
    second = make_event(source__ip="192.0.2.6", time__source="2026-11-21T10:00:00+00:00")
    unkeyed = make_event(source__ip="192.0.2.7")
    old = SqlStore(empty_url)
    try:
        migrate(old, "0016")
        columns = [c for c in EVENT_COLUMNS if c not in SINCE_0023]
        insert = sa.insert(sa.table("events", *(sa.column(c) for c in columns)))
        with old.engine.begin() as conn:
            for event, row in zip(
                (first, second, unkeyed), rows(first, second, unkeyed), strict=True
            ):
                values = {c: v for c, v in zip(EVENT_COLUMNS, row, strict=True) if c in columns}
                values["observation"] = (
                    None if event is unkeyed else bytes.fromhex(fingerprint(event, 1))
                )
                conn.execute(insert, values)
    finally:
        old.close()
    store = open_store(empty_url)
    try:
        assert (
            store.write(rows(dict(first, **{"tocsin.fingerprint": fingerprint(first, 0)})), []) == 0
        )
        assert store.count_events() == 3
    finally:
        store.close()
    upgraded = _observation_keys(empty_url)
    assert list(upgraded.values()) == [
        bytes.fromhex(observation_key(first)),
        bytes.fromhex(observation_key(second)),
        None,
    ]
    assert upgraded[1] < upgraded[2]  # the earlier observation first
    back = SqlStore(empty_url)
    try:
        migrate(back, "0016", down=True)
    finally:
        back.close()
    assert list(_observation_keys(empty_url).values()) == [
        bytes.fromhex(fingerprint(first, 1)),
        bytes.fromhex(fingerprint(second, 1)),
        None,
    ]


def test_0023_keys_stored_events_by_their_window_and_day_and_back(empty_url: str) -> None:
    """Events stored before 0023 get the start of their window (the default day) and their day,
    the days are listed, an address finds them, and the same observation later in its window
    stores nothing; the downgrade gives 0022's columns back."""
    first = make_event(source__ip="192.0.2.5", time__source="2026-11-20T10:00:00+00:00")
    second = make_event(source__ip="192.0.2.5", time__source="2026-11-22T23:59:59+00:00")
    old = SqlStore(empty_url)
    try:
        migrate(old, "0022")
        columns = [c for c in EVENT_COLUMNS if c not in SINCE_0023]
        insert = sa.insert(sa.table("events", *(sa.column(c) for c in columns)))
        with old.engine.begin() as conn:
            for row in rows(first, second):
                values = dict(zip(EVENT_COLUMNS, row, strict=True))
                conn.execute(insert, {c: values[c] for c in columns})
    finally:
        old.close()
    store = open_store(empty_url)
    try:
        with store.engine.connect() as conn:  # type: ignore[attr-defined]
            kept = conn.execute(
                sa.text("SELECT event_time, window_start, day FROM events ORDER BY id")
            ).all()
            listed = conn.execute(sa.text("SELECT day FROM event_days ORDER BY day")).scalars()
            assert list(listed) == [t // 86_400 for t, _, _ in kept]
        assert [(w, d) for t, w, d in kept] == [
            (t // 86_400 * 86_400, t // 86_400) for t, _, _ in kept
        ]
        found = store.search(EventFilter(ip="192.0.2.5")).events
        assert [e["time.source"] for e in found] == [second["time.source"], first["time.source"]]
        later = make_event(source__ip="192.0.2.5", time__source="2026-11-20T18:00:00+00:00")
        assert later["tocsin.fingerprint"] == first["tocsin.fingerprint"]
        assert store.write(rows(later), []) == 0
        assert store.count_events() == 2
    finally:
        store.close()
    back = SqlStore(empty_url)
    try:
        migrate(back, "0022", down=True)
        names = {c["name"] for c in sa.inspect(back.engine).get_columns("events")}
        indexes = {i["name"] for i in sa.inspect(back.engine).get_indexes("events")}
    finally:
        back.close()
    assert not names & set(SINCE_0023)
    assert "events_fingerprint" in indexes
