"""The aggregation rules give, batch by batch, the incidents, links, indicators, timeline and
audit entries that the per-event implementation gave (recorded from it in
``aggregation_recorded.json``) on a mixed fixture: the demo's feeds (matching and not, of
several rules and of nobody's network), a group with more indicators than an incident keeps,
events of other TLPs and days, batches smaller than a group, and a group whose incident was
closed before more of its events came. On SQLite and PostgreSQL.

``TOCSIN_RECORD_AGGREGATION=1`` writes the recording again (only for a deliberate change of the
results, never to make the test pass).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson

from tests.desk import FakeClock, make_team
from tocsin.cases.aggregation import aggregate, load_rules
from tocsin.model.incident import Status
from tocsin.services.demo import load_demo
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.store import Store

RECORDED = Path(__file__).with_name("aggregation_recorded.json")


def _line(n: int, day: int, tlp: str) -> dict[str, Any]:
    return {
        "feed.name": "Sinkhole",
        "feed.provider": "Example",
        "time.source": f"2026-11-{day:02d}T{n % 24:02d}:{n % 60:02d}:00+00:00",
        "time.observation": f"2026-11-{day:02d}T23:59:00+00:00",
        "source.ip": f"192.0.2.{n % 126 + 1}",
        "source.url": f"http://host{n}.moh.example/gate.php",
        "classification.taxonomy": "malicious-code",
        "classification.type": "infected-system",
        "malware.name": "example",
        "tlp": tlp,
    }


def _feed(path: Path, lines: list[dict[str, Any]]) -> str:
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    return str(path)


def _snapshot(store: Store) -> dict[str, Any]:
    """Everything the rules wrote; events by their place in the store (PostgreSQL's ids may
    skip numbers)."""
    place = {e: n for n, (e, _) in enumerate(store.cases.events_since(0, 100_000))}
    incidents = []
    for i in sorted(store.cases.incidents(limit=10_000), key=lambda i: i.id):
        incidents.append(
            {
                "reference": i.reference,
                "title": i.title,
                "type": i.type,
                "priority": i.priority,
                "tlp": i.tlp,
                "status": i.status.value,
                "constituent": i.constituent,
                "sector": i.sector,
                "source": i.source,
                "group_key": i.group_key,
                "created": i.created,
                "events": sorted(
                    place[e] for e, _ in store.cases.incident_events(i.id, limit=10_000)
                ),
                "indicators": sorted(list(x) for x in store.cases.indicators(i.id)),
                "timeline": [
                    [t["at"], t["actor"], t["kind"], t["text"]] for t in store.cases.timeline(i.id)
                ],
            }
        )
    audit = [
        [e.action, e.object_type, e.object_id, e.details]
        for e in store.cases.audit(limit=100_000)
        if e.object_type == "incident"
    ]
    return json.loads(json.dumps({"incidents": incidents, "audit": audit}))


def test_batched_aggregation_gives_what_the_per_event_one_gave(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    team = make_team(store)
    rules = load_rules()
    load_demo(settings, store, FakeClock())
    first = [_line(n, 10, "RED" if n % 50 == 7 else "AMBER") for n in range(240)]
    first += [_line(n, 11, "GREEN") for n in range(240, 260)]
    ingest(
        settings,
        store,
        [_feed(tmp_path / "a.jsonl", first)],
        "intelmq",
        aggregate=False,
        now=team.clock,
    )
    assert aggregate(store, team.desk, rules, team.org_id, batch=37) != (0, 0)
    closed = max(  # the synthetic group of day 10, with more indicators than an incident keeps
        store.cases.incidents(limit=10_000), key=lambda i: store.cases.count_incident_events(i.id)
    )
    with store.transaction() as conn:
        store.cases.update_incident(conn, closed.id, status=Status.CLOSED)
    second = [_line(n, 10, "AMBER") for n in range(300, 330)]
    second += [_line(n, 11, "CLEAR") for n in range(330, 340)]
    ingest(
        settings,
        store,
        [_feed(tmp_path / "b.jsonl", second)],
        "intelmq",
        aggregate=False,
        now=team.clock,
    )
    aggregate(store, team.desk, rules, team.org_id, batch=16)
    got = _snapshot(store)
    if os.environ.get("TOCSIN_RECORD_AGGREGATION"):
        RECORDED.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    assert got == json.loads(RECORDED.read_text())
