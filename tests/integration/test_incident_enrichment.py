"""The incident page's "Who and where", on SQLite and PostgreSQL: its constituent as the registry
has it (sector, country, abuse contact) and the networks its events come from (ASN, AS name,
country, how many), for the staff."""

from __future__ import annotations

from tests.factories import make_event, rows, stored_ids
from tests.integration.test_console_http import Desk, ana, desk
from tocsin.model.constituent import Constituent
from tocsin.model.people import Principal

__all__ = ["ana", "desk"]


def test_the_page_says_who_the_constituent_is_and_where_its_events_come_from(
    desk: Desk, ana: Principal
) -> None:
    store = desk.team.store
    store.replace_constituents(
        [
            Constituent(
                "Ministry of Finance",
                sector="public-administration",
                country="NL",
                abuse_contact="abuse@finance.example",
            )
        ]
    )
    events = [
        make_event(
            source__ip=f"192.0.2.{n}",
            source__asn=64500 + n % 2,
            source__as_name=f"Hoster {n % 2}",
            source__geolocation__cc="NL",
        )
        for n in range(3)
    ]
    store.write(rows(*events), [])
    desk.team.desk.link_events(
        desk.team.people["analyst"], desk.phish.id, stored_ids(store, *events)
    )
    page = desk.client.get(f"/incidents/{desk.phish.id}").text
    assert 'href="#enrichment"' in page
    assert 'href="mailto:abuse@finance.example"' in page and "public-administration" in page
    assert '<th scope="row">AS64500</th><td>Hoster 0</td><td>NL</td><td>2</td>' in page
    assert '<th scope="row">AS64501</th><td>Hoster 1</td><td>NL</td><td>1</td>' in page


def test_without_a_registered_constituent_or_networks_the_section_is_not_there(
    desk: Desk, ana: Principal
) -> None:
    page = desk.client.get(f"/incidents/{desk.ddos.id}").text
    assert 'id="enrichment"' not in page
