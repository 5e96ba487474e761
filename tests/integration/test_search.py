"""The console's search box, on SQLite and PostgreSQL: each reading of a text finds what it
names (references, indicators, constituents, words in titles), and only what the person may
read; and over HTTP, the box in every console page's header and its answers page."""

from __future__ import annotations

import pytest

from tests.desk import Team, make_team
from tests.factories import make_event, rows
from tests.integration.test_console_http import Desk, ana, desk
from tests.integration.test_reports import ANONYMOUS, Portal, portal
from tocsin.assist.requests import Assistance
from tocsin.cvd.cases import Cvd
from tocsin.model.constituent import Constituent
from tocsin.model.incident import Incident
from tocsin.model.people import Principal
from tocsin.services.search import Found, Search
from tocsin.store import Store

__all__ = ["ana", "desk", "portal"]

ART29 = {
    "authority": "Prosecutor",
    "offence": "Art. 2",
    "facts": "Facts.",
    "data": "Logs",
    "relation": "Related.",
    "custodian": "Hoster",
    "necessity": "Deleted soon.",
    "mla_intent": "Will follow.",
}


@pytest.fixture
def team(store: Store) -> Team:
    return make_team(store)


def search(team: Team) -> Search:
    return Search(
        team.store,
        team.desk,
        Cvd(team.store, now=team.clock),
        Assistance(team.store, now=team.clock),
    )


def opened(team: Team, title: str = "Phishing", **values: object) -> Incident:
    indicators = values.pop("indicators", ())
    return team.desk.create(
        team.people["analyst"],
        title=title,
        type="phishing",
        priority="P3",
        indicators=indicators,  # type: ignore[arg-type]
        **values,  # type: ignore[arg-type]
    )


def labels(found: Found, kind: str = "incident") -> list[str]:
    return [hit.label.split(":")[0] for hit in found.hits if hit.kind == kind]


def test_an_incident_reference_in_any_case(team: Team) -> None:
    incident = opened(team)
    found = search(team).find(team.people["analyst"], incident.reference.lower())
    assert labels(found) == [incident.reference]
    assert "an incident's reference" in found.read_as


def test_what_the_person_may_not_read_is_not_found(team: Team, store: Store) -> None:
    """A TLP:RED incident not assigned to the analyst: not by its reference, nor by its
    indicator, nor by its title; the lead finds it. A partner finds nothing."""
    red = opened(team, "Secret matter", tlp="RED", indicators=[("ip", "192.0.2.44")])
    finder = search(team)
    for text in (red.reference, "192.0.2.44", "secret matter"):
        assert labels(finder.find(team.people["analyst"], text)) == []
        assert labels(finder.find(team.people["lead"], text)) == [red.reference]
    assert finder.find(team.people["partner"], red.reference).hits == []


def test_an_address_finds_its_incidents_networks_constituents_and_events(
    team: Team, store: Store
) -> None:
    by_ip = opened(team, "Bot", indicators=[("ip", "198.51.100.7")])
    by_net = opened(team, "Range", indicators=[("network", "198.51.100.0/24")])
    elsewhere = opened(team, "Other", indicators=[("network", "198.51.101.0/24")])
    store.replace_constituents([Constituent("Northwind Power", networks=("198.51.100.0/25",))])
    store.write(rows(make_event(source__ip="198.51.100.7")), [])
    found = search(team).find(team.people["analyst"], "198.51.100.7")
    assert set(labels(found)) == {by_ip.reference, by_net.reference}
    assert elsewhere.reference not in labels(found)
    assert labels(found, "constituent") == ["Northwind Power"]
    (events,) = [hit for hit in found.hits if hit.kind == "events"]
    assert events.href == "/events?ip=198.51.100.7"
    assert labels(search(team).find(team.people["analyst"], "198.51.100.99"), "events") == []


def test_a_domain_finds_itself_its_subdomains_and_urls_on_them(team: Team) -> None:
    same = opened(team, "A", indicators=[("fqdn", "bank.example")])
    sub = opened(team, "B", indicators=[("fqdn", "login.bank.example")])
    url = opened(team, "C", indicators=[("url", "https://pay.bank.example/x")])
    lookalike = opened(team, "D", indicators=[("fqdn", "notbank.example")])
    query_in_path = opened(team, "E", indicators=[("url", "https://evil.example/bank.example")])
    found = labels(search(team).find(team.people["analyst"], "BANK.example"))
    assert set(found) == {same.reference, sub.reference, url.reference}
    assert lookalike.reference not in found and query_in_path.reference not in found


def test_a_hash_an_email_and_a_url_each_find_their_incident(team: Team) -> None:
    digest = "d41d8cd98f00b204e9800998ecf8427e"
    hashed = opened(team, "H", indicators=[("hash", digest)])
    mailed = opened(team, "M", indicators=[("email", "ceo@victim.example")])
    linked = opened(team, "U", indicators=[("url", "http://kit.example/login")])
    finder = search(team)
    who = team.people["analyst"]
    assert labels(finder.find(who, digest.upper())) == [hashed.reference]
    assert labels(finder.find(who, "CEO@victim.example")) == [mailed.reference]
    assert labels(finder.find(who, "http://kit.example/login")) == [linked.reference]


def test_a_phone_number_and_a_wallet_each_find_their_incident(team: Team) -> None:
    """Typed as a victim wrote them (spaces in the number, a wallet in capitals), they find
    the incidents carrying their kept form."""
    called = opened(team, "Fake bank call", indicators=[("phone", "+31205550100")])
    paid = opened(
        team,
        "Investment scam",
        indicators=[("wallet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")],
    )
    finder = search(team)
    by_phone = finder.find(team.people["analyst"], "+31 20 555 0100")
    assert labels(by_phone) == [called.reference]
    assert "a phone number" in by_phone.read_as
    by_wallet = finder.find(team.people["analyst"], "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ")
    assert labels(by_wallet) == [paid.reference]
    assert "a wallet" in by_wallet.read_as


def test_constituents_by_the_start_of_their_name_in_any_case(team: Team, store: Store) -> None:
    store.replace_constituents(
        [Constituent("Northwind Power"), Constituent("North Sea Ports"), Constituent("Acme")]
    )
    found = search(team).find(team.people["analyst"], "north")
    assert labels(found, "constituent") == ["North Sea Ports", "Northwind Power"]
    assert found.hits[0].href.startswith("/console?constituent=")


def test_a_change_of_the_registry_shows_at_the_next_search(team: Team, store: Store) -> None:
    """The search box keeps the registry parsed between searches; every change of it, by
    whatever process, is seen at the next one."""
    box, analyst = search(team), team.people["analyst"]
    store.replace_constituents([Constituent("Northwind Power", networks=("192.0.2.0/25",))])
    assert labels(box.find(analyst, "192.0.2.9"), "constituent") == ["Northwind Power"]
    before = store.registry_version()
    with store.transaction() as tx:
        store.put_constituent(
            tx, Constituent("Northwind Energy", networks=("192.0.2.128/25",)), "Northwind Power"
        )
    assert store.registry_version() > before
    assert labels(box.find(analyst, "192.0.2.9"), "constituent") == []
    assert labels(box.find(analyst, "192.0.2.200"), "constituent") == ["Northwind Energy"]
    assert labels(box.find(analyst, "northwind"), "constituent") == ["Northwind Energy"]
    with store.transaction() as tx:
        assert store.remove_constituent(tx, "Northwind Energy")
    assert labels(box.find(analyst, "northwind"), "constituent") == []


@pytest.mark.parametrize(
    "text", ["fe80::1%eth0", "1.2.3.4/33", "::/0", "https://[::1]:80/", "\x00", "x" * 300, "R-"]
)
def test_odd_texts_find_nothing_and_break_nothing(team: Team, text: str) -> None:
    found = search(team).find(team.people["analyst"], text)
    assert [h for h in found.hits if h.kind == "incident"] == []


def test_words_in_titles_in_any_case_with_wildcards_taken_literally(team: Team) -> None:
    kit = opened(team, "Phishing kit on a ministry site")
    opened(team, "Scanning from a VPS")
    finder = search(team)
    who = team.people["analyst"]
    assert labels(finder.find(who, "MINISTRY site")) == [kit.reference]
    assert labels(finder.find(who, "%%%")) == []
    assert finder.find(who, "  ").hits == []


def test_a_reference_or_an_indicator_is_not_looked_for_as_words(team: Team) -> None:
    """``198.51.100.7`` is an address (found through indicators), not the words 198, 51, 100
    and 7 in every title that holds such numbers."""
    numbers = opened(team, "Scan 198 51 100 7 from a VPS")
    finder, who = search(team), team.people["analyst"]
    assert labels(finder.find(who, "198.51.100.7")) == []
    assert labels(finder.find(who, "scan 198")) == [numbers.reference]


def test_a_vulnerability_case_and_a_request_by_reference(team: Team) -> None:
    cvd = Cvd(team.store, now=team.clock)
    case = cvd.create(team.people["analyst"], title="Overflow", reporter="R")
    assist = Assistance(team.store, now=team.clock)
    request = assist.create(
        team.people["liaison"], basis="BC-29", title="Preserve the logs", elements=ART29
    ).request
    finder = search(team)
    found = finder.find(team.people["analyst"], case.public_id)
    assert [h.href for h in found.hits if h.kind == "vulnerability"] == [f"/cvd/{case.public_id}"]
    assert [h.kind for h in finder.find(team.people["liaison"], request.ref).hits] == ["request"]
    assert finder.find(team.people["analyst"], request.ref).hits == []  # liaison's only


def test_a_report_reference_leads_to_its_incident(portal: Portal) -> None:
    receipt = portal.send("device", {"device": ["phone"]}, ANONYMOUS)
    team = portal.team
    found = search(team).find(team.people["analyst"], receipt.reference.lower().replace("-", " "))
    assert [(h.kind, h.href) for h in found.hits] == [
        ("report", f"/incidents/{receipt.incident_id}")
    ]


# -- over HTTP -----------------------------------------------------------------------------------


def test_every_console_page_has_the_search_box(desk: Desk, ana: Principal) -> None:
    for path in ("/console", f"/incidents/{desk.phish.id}", "/handover", "/dashboard"):
        page = desk.client.get(path).text
        assert '<input type="search" id="top-q" name="q"' in page, path


def test_the_answers_page_and_the_api(desk: Desk, ana: Principal) -> None:
    page = desk.client.get("/search", params={"q": desk.phish.reference})
    assert page.status_code == 200
    assert f'<a href="/incidents/{desk.phish.id}">{desk.phish.reference}: ' in page.text
    assert "Incidents (1)" in page.text
    nothing = desk.client.get("/search", params={"q": "no such thing at all"}).text
    assert "Nothing found for “no such thing at all” that you may read." in nothing
    token = desk.token(desk.user("bob"), "read")
    answer = desk.client.get("/api/v1/search", params={"q": "ministry"}, headers=token)
    assert answer.status_code == 200
    assert [h["label"].split(":")[0] for h in answer.json()["hits"]] == [desk.phish.reference]


def test_a_victims_phishing_site_is_an_indicator_the_search_box_finds(portal: Portal) -> None:
    """The site a victim typed on the portal is carried by the report's incident: typing its
    domain in the search box finds it."""
    receipt = portal.send(
        "phishing",
        {"given": ["password"], "site": ["https://bank-login.example/verify"]},
        ANONYMOUS,
    )
    team = portal.team
    assert ("url", "https://bank-login.example/verify") in team.store.cases.indicators(
        receipt.incident_id
    )
    found = search(team).find(team.people["analyst"], "bank-login.example")
    assert [h.href for h in found.hits if h.kind == "incident"] == [
        f"/incidents/{receipt.incident_id}"
    ]
