"""Each door events come in by ends in incidents, with no other step: a TAXII pull from a partner,
a partner's POST to our TAXII server, a MISP feed, and the server's catch-up of what another
process stored. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from taxii2client.v21 import Server

from tests.audit_keys import AUDIT_KEY
from tests.browser.serving import serving
from tests.conftest import fixed_now
from tests.desk import FakeClock, make_team
from tests.integration.test_share_pull import (
    PASSWORD,
    Publishing,
    _receiver,
    _source,
    publishing,
)
from tocsin.model.constituent import Constituent
from tocsin.model.people import Principal
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.services.desk import Desk
from tocsin.services.ingest import ingest
from tocsin.services.intake import Intake
from tocsin.services.pull import pull
from tocsin.services.watches import scheduler
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing
from tocsin.store import Store, open_store
from tocsin.web.app import create_app

__all__ = ["publishing"]  # the fixture, used here as in test_share_pull

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
OURS = Constituent(
    "Harbour Authority", "transport", "NL", "cert@harbour.example", ("198.51.100.0/24",)
)
SINKHOLE = (
    Path(__file__).resolve().parents[2]
    / "src/tocsin/demo/feeds/shadowserver-2026-11-21-event4_sinkhole_http-nl-geo.csv"
)


def _linked(store: Store) -> dict[str, int]:
    """Each incident's title with how many events it holds."""
    return {
        i.title: store.cases.count_incident_events(i.id) for i in store.cases.incidents(limit=1000)
    }


def test_a_pull_s_events_become_incidents(
    publishing: Publishing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULL_SECRET", PASSWORD)
    settings, store = _receiver(tmp_path)
    try:
        store.replace_constituents([OURS])
        pull(settings, store, _source(publishing.url), now=lambda: 1_800_000_000)
        assert _linked(store) == {"c2-server at Harbour Authority": 5}
    finally:
        store.close()


def test_a_partner_s_post_becomes_an_incident(settings: Settings, tmp_path: Path) -> None:
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        store.replace_constituents([OURS])
        team = make_team(store)
        sharing = Sharing(store, now=team.clock)
        sharing.add_collection(team.people["lead"], "community", "Community")
        org = sharing.add_partner(team.people["lead"], "Partner A")
        sharing.set_agreement(
            team.people["lead"],
            "Partner A",
            "community",
            read=True,
            write=True,
            max_tlp=TLP.GREEN,
            approval=False,
        )
        accounts = Accounts(store, now=team.clock)
        user = accounts.add_user(
            team.people["admin"], name="partner-a", password=PASSWORD, role="partner", org_id=org
        )
        token = accounts.create_token(Principal.of(user), "taxii", "read,write").secret
        served = settings.but(data_dir=str(tmp_path / "data"), workers=0)
        with serving(create_app(served, clock=team.clock, watch_clocks=False)) as url:
            root = Server(url + "/taxii2/", user="partner-a", password=token).api_roots[0]
            status = root.collections[0].add_objects({"objects": [_compromised(n) for n in (7, 8)]})
            assert status.success_count == 2
        assert _linked(store) == {"system-compromise at Harbour Authority": 2}
    finally:
        store.close()


def _compromised(n: int) -> dict[str, object]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, f'door {n}')}",
        "created": "2026-11-28T10:00:00.000Z",
        "modified": "2026-11-28T10:00:00.000Z",
        "pattern": f"[ipv4-addr:value = '198.51.100.{n}']",
        "pattern_type": "stix",
        "indicator_types": ["compromised"],
        "valid_from": "2026-11-28T10:00:00Z",
        "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],
    }


def test_a_misp_feed_s_events_become_incidents(settings: Settings, store: Store) -> None:
    store.replace_constituents([OURS])
    Intake(settings, store, FakeClock()).ingest([str(SAMPLES / "misp" / "event.json")], "misp")
    assert _linked(store) == {"phishing at Harbour Authority": 1}


def test_the_server_catches_up_at_start_on_what_another_process_stored(
    settings: Settings, store: Store
) -> None:
    """Events another process stored without deciding (or before a crash) reach their
    incidents when the scheduler first runs its jobs, at the server's start."""
    from tocsin.services.registry import import_asn_table, import_constituents

    demo = SINKHOLE.parents[1]
    import_constituents(store, demo / "constituents.toml")
    import_asn_table(store, demo / "ip2asn.tsv")
    ingest(settings, store, [str(SINKHOLE)], "shadowserver", aggregate=False, now=fixed_now)
    assert store.cases.incidents(limit=10) == []
    desk = Desk.build(settings, store, clock=FakeClock())
    scheduler(desk).run_once()  # what tocsin serve and tocsin worker do at their start
    assert sum(_linked(store).values()) > 0
