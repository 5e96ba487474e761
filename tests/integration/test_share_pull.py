"""Two Tocsin instances on loopback: one publishes over TAXII 2.1, the other pulls since its last
pull into its pipeline. What is GREEN for the community arrives; what is AMBER+STRICT for another
partner never does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from tests.audit_keys import AUDIT_KEY, write_keys
from tests.browser.serving import serving
from tests.desk import FakeClock, Team, make_team
from tests.factories import make_event, rows
from tocsin.cli import app as cli
from tocsin.model.tlp import TLP
from tocsin.services.accounts import Accounts
from tocsin.services.publish import Publisher
from tocsin.services.pull import Pulled, Pulls, Source, load_sources, pull
from tocsin.services.scheduler import Job, Scheduler
from tocsin.settings import Settings
from tocsin.share.sharing import Sharing
from tocsin.store import Store, open_store
from tocsin.store.shapes import EventFilter
from tocsin.web.app import create_app

PASSWORD = "the receiving team's long passphrase"


@dataclass
class Publishing:
    url: str
    store: Store
    team: Team
    publisher: Publisher


@pytest.fixture
def publishing(settings: Settings, tmp_path: Path) -> Iterator[Publishing]:
    """The publishing instance: green and amber+strict events, a community collection, the
    receiving team as a GREEN partner and another partner with an AMBER+STRICT agreement."""
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    team = make_team(store)
    lead = team.people["lead"]
    sharing = Sharing(store, now=team.clock)
    sharing.add_collection(lead, "community", "Community")
    for name, level in (("Receiving Team", TLP.GREEN), ("Other Partner", TLP.AMBER_STRICT)):
        org = sharing.add_partner(lead, name)
        sharing.set_agreement(
            lead, name, "community", read=True, write=False, max_tlp=level, approval=True
        )
        if name == "Receiving Team":
            Accounts(store, now=team.clock).add_user(
                team.people["admin"],
                name="receiving",
                password=PASSWORD,
                role="partner",
                org_id=org,
            )
    store.write(
        rows(
            *[
                make_event(
                    source__ip=f"198.51.100.{n}", classification__type="c2-server", tlp="GREEN"
                )
                for n in range(1, 6)
            ],
            *[
                make_event(
                    source__ip=f"203.0.113.{n}",
                    classification__type="c2-server",
                    tlp="AMBER+STRICT",
                )
                for n in range(1, 4)
            ],
        ),
        [],
    )
    publisher = Publisher(sharing, team.desk, "Publishing CSIRT")
    publisher.events(lead, "community", EventFilter())
    strict = publisher.events(lead, "community", EventFilter(), partner="Other Partner")
    sharing.approve(team.people["admin"], strict.release.id)
    with serving(
        create_app(settings.but(data_dir=str(tmp_path / "a")), clock=team.clock, watch_clocks=False)
    ) as url:
        yield Publishing(url, store, team, publisher)
    store.close()


def _receiver(tmp_path: Path) -> tuple[Settings, Store]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'b.db'}", workers=0, data_dir=str(tmp_path / "b")
    )
    write_keys(tmp_path / "b")
    return settings, open_store(settings.database_url, audit_key=AUDIT_KEY)


def _source(url: str) -> Source:
    return Source(
        name="publisher",
        url=f"{url}/taxii2/api/",
        collection="community",
        user="receiving",
        password_env="PULL_SECRET",
        tlp="AMBER",
        partner="Publishing CSIRT",
    )


def _addresses(store: Store) -> set[str]:
    return {e["source.ip"] for e in store.search(EventFilter(limit=1000)).events}


def test_green_arrives_and_amber_strict_for_another_never_does(
    publishing: Publishing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULL_SECRET", PASSWORD)
    settings, store = _receiver(tmp_path)
    try:
        got = pull(settings, store, _source(publishing.url), now=lambda: 1_800_000_000)
        assert got.quarantined == 0
        assert _addresses(store) == {f"198.51.100.{n}" for n in range(1, 6)}
        events = store.search(EventFilter(limit=1000)).events
        assert {e["tlp"] for e in events} == {"GREEN"}  # the markings travel
        assert {e["classification.type"] for e in events} == {"c2-server"}
        assert {e["feed.provider"] for e in events} == {"Publishing CSIRT"}  # provenance
        assert {e["feed.name"] for e in events} == {"taxii:publisher"}
    finally:
        store.close()


def test_the_next_pull_fetches_only_what_was_added_since(
    publishing: Publishing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULL_SECRET", PASSWORD)
    settings, store = _receiver(tmp_path)
    try:
        pull(settings, store, _source(publishing.url), now=lambda: 1_800_000_000)
        again = pull(settings, store, _source(publishing.url), now=lambda: 1_800_000_100)
        assert again.objects == 0
        publishing.store.write(
            rows(
                make_event(
                    source__ip="198.51.100.77", tlp="GREEN", classification__type="c2-server"
                )
            ),
            [],
        )
        publishing.publisher.events(
            publishing.team.people["lead"], "community", EventFilter(ip="198.51.100.77")
        )
        newer = pull(settings, store, _source(publishing.url), now=lambda: 1_800_000_200)
        assert 0 < newer.objects < 10
        assert newer.accepted == 1
        assert "198.51.100.77" in _addresses(store)
    finally:
        store.close()


def test_the_command_pulls_the_sources_of_the_configuration(
    publishing: Publishing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "publisher"\nurl = "{publishing.url}/taxii2/api/"\n'
        f'collection = "community"\nuser = "receiving"\npassword_env = "PULL_SECRET"\n'
        f"every = 3600\n"
    )
    settings, store = _receiver(tmp_path)
    store.close()
    env = {
        "PULL_SECRET": PASSWORD,
        "TOCSIN_DATABASE_URL": settings.database_url,
        "TOCSIN_DATA_DIR": settings.data_dir,
        "TOCSIN_SHARE_SOURCES": str(sources),
        "TOCSIN_WORKERS": "0",
    }
    first = CliRunner().invoke(cli, ["share", "pull"], env=env)
    assert first.exit_code == 0, first.output
    assert "publisher:" in first.output and "5 accepted" in first.output
    second = CliRunner().invoke(cli, ["share", "pull"], env=env)  # not due for an hour
    assert second.exit_code == 0 and "no source is due" in second.output
    assert [s.name for s in load_sources(str(sources))] == ["publisher"]


def test_a_wrong_password_is_a_clear_error(
    publishing: Publishing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tocsin.errors import InputUnreadable

    monkeypatch.setenv("PULL_SECRET", "not the password")
    settings, store = _receiver(tmp_path)
    try:
        with pytest.raises(InputUnreadable, match="HTTP 401"):
            pull(settings, store, _source(publishing.url), now=lambda: 1_800_000_000)
        assert store.count_events() == 0
    finally:
        store.close()


def test_the_server_pulls_each_source_on_its_schedule(
    publishing: Publishing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watch of `tocsin serve` pulls a due source, then leaves it until its `every` has
    passed; a source that is down is logged and does not stop the others."""
    monkeypatch.setenv("PULL_SECRET", PASSWORD)
    settings, store = _receiver(tmp_path)
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "down"\nurl = "http://127.0.0.1:9/taxii2/api/"\n'
        f'collection = "community"\nevery = 3600\n\n'
        f'[[source]]\nname = "publisher"\nurl = "{publishing.url}/taxii2/api/"\n'
        f'collection = "community"\nuser = "receiving"\npassword_env = "PULL_SECRET"\n'
        f"every = 3600\n"
    )
    settings = settings.but(share_sources=str(sources))
    clock = FakeClock(1_800_000_000)
    pulled: list[Pulled] = []
    job = Pulls(settings, store, load_sources(str(sources)), clock, after=pulled.append)
    scheduler = Scheduler(store, [Job("pulls", 60, job)], clock=clock)
    try:
        scheduler.run_once()
        assert [p.source for p in pulled] == ["publisher"]
        assert "TAXII pull failed from down" in (store.jobs.runs()["pulls"].error or "")
        for _ in range(3):  # time moves, not enough for either source's next pull
            clock.advance(60)
            scheduler.run_once()
        assert [p.source for p in pulled] == ["publisher"]
        assert store.jobs.runs()["pulls"].error is None  # the source that is down waits too
        assert _addresses(store) == {f"198.51.100.{n}" for n in range(1, 6)}
    finally:
        store.close()


def test_a_pulled_malformed_marking_is_red_and_the_rest_arrives(tmp_path: Path) -> None:
    """Markings fail closed over a pull: a definition whose ``extensions`` is a string (which
    lost the whole pull) and the RED id as a string are RED, and of one observation GREEN on one
    page and RED on the next, RED is stored; the source's CLEAR default lowers nothing."""
    own = "marking-definition--3c2a7a4e-2f6a-4a4e-8a31-5a1f3f0a9e21"
    green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
    red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

    def indicator(n: int, ip: str, marks: object) -> dict[str, object]:
        return {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd{n:02d}",
            "created": "2026-11-20T08:00:00.000Z",
            "modified": "2026-11-20T08:00:00.000Z",
            "pattern": f"[ipv4-addr:value = '{ip}']",
            "pattern_type": "stix",
            "valid_from": "2026-11-20T07:30:00Z",
            "object_marking_refs": marks,
        }

    broken = {"type": "marking-definition", "id": own, "extensions": "tlp:clear"}
    pages = [
        {
            "more": True,
            "next": "2",
            "objects": [
                broken,
                indicator(1, "198.51.100.1", [own]),
                indicator(2, "198.51.100.2", red),
                indicator(3, "198.51.100.3", [green]),
            ],
        },
        {"more": False, "objects": [indicator(4, "198.51.100.3", [red])]},
    ]

    def fetch(url: str, authorization: str | None) -> tuple[bytes, dict[str, str]]:
        page = pages[1] if "next=2" in url else pages[0]
        return orjson.dumps(page), {"x-taxii-date-added-last": "2026-11-28T10:00:00.000000Z"}

    settings, store = _receiver(tmp_path)
    source = Source(name="partner", url="https://taxii.partner.example/api/", collection="c")
    try:
        got = pull(settings, store, replace(source, tlp="CLEAR"), now=lambda: 1, fetch=fetch)
        assert (got.accepted, got.duplicates, got.quarantined) == (3, 1, 0)
        events = store.search(EventFilter(limit=1000)).events
        assert {e["source.ip"]: e["tlp"] for e in events} == {
            "198.51.100.1": "RED",
            "198.51.100.2": "RED",
            "198.51.100.3": "RED",
        }
    finally:
        store.close()
