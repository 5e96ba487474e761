"""``insert_if_new`` tells an insert from a taken key on both backends (on PostgreSQL through
psycopg, the statement's row count is -1 whether or not a row went in)."""

from __future__ import annotations

import pytest

from tocsin.errors import Conflict
from tocsin.model.people import OrgKind
from tocsin.store import Store
from tocsin.store.sql import schema
from tocsin.store.sql.engine import connection, insert_if_new


def test_a_taken_key_is_not_inserted_again(store: Store) -> None:
    with store.transaction() as conn:
        first = insert_if_new(connection(conn), schema.counters, name="rfa:2026", value=1)
        again = insert_if_new(connection(conn), schema.counters, name="rfa:2026", value=5)
    assert (first, again) == (True, False)
    with store.transaction() as conn:
        assert store.cases.counter(conn, "rfa:2026") == 1


def test_an_organisation_name_taken_is_a_conflict(store: Store) -> None:
    with store.transaction() as conn:
        store.people.add_organisation(conn, "National CSIRT", OrgKind.TEAM)
    with pytest.raises(Conflict), store.transaction() as conn:
        store.people.add_organisation(conn, "National CSIRT", OrgKind.TEAM)
