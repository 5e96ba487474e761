"""The personal-data ledger of a request and the retention purge, on SQLite and PostgreSQL:
entries are kept in order; once a request's retention limit has passed the purge replaces its
elements with "[purged]" and drops its identifiers, keeps the ledger with a purge tombstone and
writes an audit entry; requests still within their limit are left alone."""

from __future__ import annotations

import pytest

from tests.assist_desk import SAFEGUARDS, Desk, audit_actions, make_desk
from tocsin.errors import Forbidden, InvalidValue
from tocsin.model.people import Principal
from tocsin.store import Store

YEAR = 366 * 86_400
ADDRESS = {"kind": "ipv4", "value": "198.51.100.7", "port": 51234, "at": "2026-11-20T10:00:00Z"}


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store)


def test_ledger_entries_are_kept_in_order_and_checked(desk: Desk) -> None:
    request = desk.draft()
    liaison = desk.who("liaison")
    desk.assist.ledger.add(liaison, request.id, kind="purpose", text="Investigation 2026/17")
    desk.team.clock.advance(60)
    desk.assist.ledger.add(liaison, request.id, kind="recipient", text="BKA 24/7")
    entries = desk.assist.ledger.entries(desk.who("auditor"), request.id)
    assert [(e.kind, e.text) for e in entries] == [
        ("purpose", "Investigation 2026/17"),
        ("recipient", "BKA 24/7"),
    ]
    with pytest.raises(InvalidValue, match="kind"):
        desk.assist.ledger.add(liaison, request.id, kind="purge", text="x")
    assert audit_actions(desk.team.store, request).count("assist.ledger") == 2


def test_the_purge_removes_personal_data_past_retention_and_leaves_a_tombstone(
    desk: Desk,
) -> None:
    expiring = desk.draft(identifiers=[ADDRESS])
    later = {**SAFEGUARDS, "retention_until": "2030-01-01T00:00:00+00:00"}
    kept = desk.draft(identifiers=[ADDRESS], safeguards=later)
    liaison, system = desk.who("liaison"), Principal.system()
    desk.assist.ledger.add(liaison, expiring.id, kind="purpose", text="Investigation 2026/17")
    assert desk.assist.ledger.purge_expired(system) == []
    desk.team.clock.advance(YEAR)
    with pytest.raises(Forbidden):
        desk.assist.ledger.purge_expired(liaison)
    assert desk.assist.ledger.purge_expired(system) == [expiring.ref]
    assert desk.assist.ledger.purge_expired(system) == []  # once
    purged = desk.assist.get(system, expiring.id)
    assert purged.identifiers == () and set(purged.elements.values()) == {"[purged]"}
    assert purged.title == expiring.title  # the request itself stays
    kinds = [e.kind for e in desk.assist.ledger.entries(system, expiring.id)]
    assert kinds == ["purpose", "purge"]
    assert "assist.purge" in audit_actions(desk.team.store, expiring)
    untouched = desk.assist.get(system, kept.id)
    assert untouched.identifiers == kept.identifiers and untouched.elements == kept.elements
