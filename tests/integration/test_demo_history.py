"""The demo looks like a desk at work (``services/demo_history.py``), on SQLite and PostgreSQL:
incidents opened over two weeks, in every state, with breaches spread over those days and not
on every P1, notices sent for them and most of the older ones acknowledged; the audit chain
holds; the year's annual-report tables are published; loading it again stores nothing new."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock
from tocsin.cases.audit import verify_chain
from tocsin.model.incident import Status
from tocsin.services.demo import load_all
from tocsin.services.demo_history import DAYS
from tocsin.settings import Settings
from tocsin.store import Store

DAY = 86_400


def _day(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).date().isoformat()


def test_the_demo_desk_has_two_weeks_of_work_behind_it(settings: Settings, store: Store) -> None:
    clock = FakeClock()
    end = clock()
    loaded = load_all(settings.but(secret_key="k" * 64), store, clock)
    incidents = store.cases.incidents(limit=1000)
    assert loaded.opened > 100
    created = [i.created for i in incidents]
    assert end - min(created) >= (DAYS - 2) * DAY and max(created) <= end
    assert len({_day(t) for t in created}) >= 8  # not all opened in one second
    assert set(Counter(i.status for i in incidents)) == set(Status)
    p1 = [i for i in incidents if i.priority == "P1"]
    assert 0 < sum(1 for i in p1 if i.breached) < len(p1)
    breaches = [
        line["at"]
        for i in incidents
        for line in store.cases.timeline(i.id)
        if line["kind"] == "sla"
    ]
    assert len({_day(t) for t in breaches}) >= 5  # spread over the days, as they happened
    notices = store.notices.listing(1000)
    assert notices and all(n["status"] == "sent" for n in notices)
    acknowledged = [n for n in notices if n["acknowledged_at"] is not None]
    assert 0 < len(acknowledged) < len(notices)
    assert all(n["sent_at"] < n["acknowledged_at"] <= end for n in acknowledged)
    assert verify_chain(store, AUDIT_KEY).ok
    published = store.oversight.releases("published")  # the annual report's tables, four eyes
    assert {r["author"] for r in published} == {"lead"}
    assert {r["approver"] for r in published} == {"admin"}
    assert any(c["suppressed"] for r in published for c in r["cells"])  # few organisations


def test_loading_the_demo_again_stores_nothing_new(settings: Settings, store: Store) -> None:
    clock = FakeClock()
    load_all(settings, store, clock)
    before = len(store.cases.incidents(limit=1000))
    releases = len(store.oversight.releases())
    assert load_all(settings, store, clock).opened == 0
    assert len(store.cases.incidents(limit=1000)) == before
    assert len(store.oversight.releases()) == releases
