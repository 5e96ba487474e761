"""The demo's requests for assistance on SQLite and PostgreSQL: made-up contacts in several
countries and zones with one stale, requests in the states the demo promises (a preservation
preserved with its clock running, an emergency acknowledged, an EPOC-PR awaiting approval, a
refusal with its ground, the Art. 31 follow-up closed), a liaison to log in as; loading twice
adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.desk import FakeClock
from tocsin.assist.directory import Contacts
from tocsin.assist.duty import ClockWatch
from tocsin.model.assist.clocks import clocks
from tocsin.model.people import Principal
from tocsin.services.demo import load_people
from tocsin.services.demo_assist import load_assist
from tocsin.store import Store


def test_the_demo_holds_requests_in_their_states_and_loads_once(store: Store) -> None:
    clock = FakeClock()
    logins = load_people(store, clock)
    assert ("liaison", "demo-liaison-password", "liaison") in logins
    refs = load_assist(store, clock)
    assert len(refs) == 5
    system = Principal.system()
    found = {r.ref: r for r in store.assist.requests(limit=50)}
    assert sorted(found) == sorted(refs)
    by_state = {(r.basis.value, r.state.value, r.direction.value) for r in found.values()}
    assert by_state == {
        ("BC-29", "preserved", "outgoing"),
        ("BC-31", "closed", "outgoing"),
        ("P2-9", "acknowledged", "incoming"),
        ("EPOC-PR", "awaiting_approval", "outgoing"),
        ("BC-29", "refused", "incoming"),
    }
    refused = next(r for r in found.values() if r.state.value == "refused")
    assert refused.outcome == "essential_interests"
    closed = next(r for r in found.values() if r.basis.value == "BC-31")
    preserved = next(r for r in found.values() if r.state.value == "preserved")
    assert (closed.parent_id, closed.link.value) == (preserved.id, "follow_up")
    now = datetime.fromtimestamp(clock(), tz=UTC)
    running = clocks(preserved, store.assist.steps(preserved.id), now)
    assert any(c.state in ("running", "warning") and c.stopped_at is None for c in running)
    directory = Contacts(store, now=clock).search(system)
    assert len({c.country for c in directory}) >= 4 and len({c.timezone for c in directory}) >= 4
    assert all(c.address.endswith(".example") or c.channel == "phone" for c in directory)
    assert [c.country for c in directory if Contacts(store, now=clock).stale(c)] == ["JP"]
    assert load_assist(store, clock) == []
    assert len(store.assist.requests(limit=50)) == 5 and len(store.assist.contacts()) == 4


def test_the_demo_emergency_tops_the_register(store: Store) -> None:
    clock = FakeClock()
    load_people(store, clock)
    load_assist(store, clock)
    liaison = store.people.user_named("liaison")
    assert liaison is not None
    rows = ClockWatch(store, now=clock).register_rows(Principal.of(liaison))
    assert rows[0].request.emergency and rows[0].request.basis.value == "P2-9"
