"""/metrics: the desk's figures in Prometheus's text format, read from the store at each scrape
(so two processes agree), on SQLite and PostgreSQL; open to loopback and to the token only."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.browser.serving import serving
from tests.desk import FakeClock, make_team
from tests.factories import make_event, quarantined, rows
from tocsin.cli.serve import SERVER
from tocsin.errors import ConfigError
from tocsin.model.collector import CollectorState
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

TOKEN = "a metrics token for the tests, 32+ characters long"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parsed(text: str) -> Samples:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def notice(store: Store, status: str, created: int) -> None:
    values = {
        "recipient": "Northwind Power",
        "addresses": "soc@northwind.example",
        "period": f"now:{created}",
        "lang": "en",
        "priority": "P1",
        "created": created,
        "status": status,
        "attempts": 0,
        "last_error": "",
        "ack_hash": "0" * 64,
        "events": 1,
    }
    with store.transaction() as tx:
        store.notices.add(tx, values, [])


@pytest.fixture
def seeded(store: Store) -> FakeClock:
    """Three events from two feeds, a quarantined row, two P1 incidents past their
    acknowledgement SLA and a P3 within it, three notices; the clock after the SLA check."""
    store.write(
        rows(
            make_event(source__ip="198.51.100.1", feed__name="shadowserver"),
            make_event(source__ip="198.51.100.2", feed__name="shadowserver"),
            make_event(source__ip="198.51.100.3", feed__name="openphish"),
        ),
        [quarantined(7)],
    )
    team = make_team(store)
    analyst = team.people["analyst"]
    for priority in ("P1", "P1", "P3"):
        team.desk.create(analyst, title="a case", type="scanner", priority=priority)
    team.clock.advance(16 * 60)
    assert len(team.desk.check_sla()) == 2
    for status in ("pending", "pending", "sent"):
        notice(store, status, team.clock.now)
    with store.transaction() as tx:
        ok = CollectorState("abusech", last_success=team.clock.now - 600, failures=0)
        store.collectors.save_state(tx, ok)
        store.collectors.save_state(tx, CollectorState("dshield", failures=3))
    return team.clock


@pytest.fixture
def scrape(settings: Settings, seeded: FakeClock) -> Iterator[TestClient]:
    app = create_app(settings.but(metrics_token=TOKEN), clock=seeded, watch_clocks=False)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


def test_the_figures_come_from_the_store(scrape: TestClient) -> None:
    """Events by feed, quarantined rows, the queue by priority, SLA breaches, notices by state."""
    answer = scrape.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    samples = parsed(answer.text)
    assert samples[("tocsin_events_stored_total", (("feed", "shadowserver"),))] == 2
    assert samples[("tocsin_events_stored_total", (("feed", "openphish"),))] == 1
    assert samples[("tocsin_quarantined_rows", (("feed", "test"),))] == 1
    assert samples[("tocsin_open_incidents", (("priority", "P1"),))] == 2
    assert samples[("tocsin_open_incidents", (("priority", "P3"),))] == 1
    breached = (("clock", "acknowledge"), ("priority", "P1"))
    assert samples[("tocsin_sla_breached_open_incidents", breached)] == 2
    assert (
        "tocsin_sla_breached_open_incidents",
        (("clock", "acknowledge"), ("priority", "P3")),
    ) not in samples
    assert samples[("tocsin_notices", (("state", "pending"),))] == 2
    assert samples[("tocsin_notices", (("state", "sent"),))] == 1


def test_each_collector_says_how_long_since_its_last_success(
    scrape: TestClient, seeded: FakeClock
) -> None:
    """The lag is the app's clock minus the last success, and grows with it; a collector that
    never succeeded has no lag but counts its failures."""
    samples = parsed(scrape.get("/metrics").text)
    assert samples[("tocsin_collector_lag_seconds", (("collector", "abusech"),))] == 600
    assert ("tocsin_collector_lag_seconds", (("collector", "dshield"),)) not in samples
    assert samples[("tocsin_collector_failures", (("collector", "dshield"),))] == 3
    seeded.advance(60)
    later = parsed(scrape.get("/metrics").text)
    assert later[("tocsin_collector_lag_seconds", (("collector", "abusech"),))] == 660


def test_a_later_scrape_adds_what_came_in_and_a_new_process_agrees(
    scrape: TestClient, settings: Settings, store: Store, seeded: FakeClock
) -> None:
    """Events stored after a scrape are counted by the next; a second app on the same store
    (another process, or a restart) says the same from its first scrape."""
    scrape.get("/metrics")
    store.write(rows(make_event(source__ip="198.51.100.4", feed__name="openphish")), [])
    again = parsed(scrape.get("/metrics").text)
    assert again[("tocsin_events_stored_total", (("feed", "openphish"),))] == 2
    other = create_app(settings.but(metrics_token=TOKEN), clock=seeded, watch_clocks=False)
    with TestClient(other, headers={"Authorization": f"Bearer {TOKEN}"}) as second:
        assert parsed(second.get("/metrics").text) == again


def test_loopback_may_scrape_and_anyone_else_needs_the_token(settings: Settings) -> None:
    """Straight from 127.0.0.1: 200. Relayed by a proxy (X-Forwarded-For), or with a wrong
    token: 403. With the token: 200 whatever the route."""
    tuned = settings.but(metrics_token=TOKEN)
    with (
        serving(create_app(tuned, clock=FakeClock(), watch_clocks=False), **SERVER) as url,
        httpx2.Client(base_url=url, timeout=60) as client,
    ):
        assert client.get("/metrics").status_code == 200
        relayed = {"X-Forwarded-For": "203.0.113.9"}
        assert client.get("/metrics", headers=relayed).status_code == 403
        wrong = relayed | {"Authorization": "Bearer " + "x" * 40}
        assert client.get("/metrics", headers=wrong).status_code == 403
        right = relayed | {"Authorization": f"Bearer {TOKEN}"}
        assert client.get("/metrics", headers=right).status_code == 200


def test_only_the_allowed_addresses_scrape_without_a_token(settings: Settings) -> None:
    """With loopback left out of TOCSIN_METRICS_ALLOW, 127.0.0.1 is refused too."""
    tuned = settings.but(metrics_allow="192.0.2.0/24")
    with (
        serving(create_app(tuned, clock=FakeClock(), watch_clocks=False), **SERVER) as url,
        httpx2.Client(base_url=url, timeout=60) as client,
    ):
        assert client.get("/metrics").status_code == 403


def test_metrics_settings_are_checked() -> None:
    """A short token, or an allow list that is not addresses, is refused at start."""
    with pytest.raises(ConfigError, match="at least 32"):
        Settings.load({"TOCSIN_METRICS_TOKEN": "short"})
    with pytest.raises(ConfigError, match="metrics_allow"):
        Settings.load({"TOCSIN_METRICS_ALLOW": "localhost"})
