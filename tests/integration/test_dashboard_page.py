"""``/dashboard`` over HTTP, in-process, on SQLite and PostgreSQL: its charts are SVG images
named and described, each beside a real table with a caption and header cells; the menu offers
it to the desk's staff only."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.desk import Team, make_team
from tests.integration.test_console_http import PASSWORD, log_in
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

CHARTS = ("c-incidents", "c-events", "c-open", "c-mtta", "c-mttr", "c-notices")
MENU_LINK = '<a href="/dashboard"'


@pytest.fixture
def team(store: Store) -> Team:
    team = make_team(store)
    analyst = team.people["analyst"]
    for n in range(3):
        team.desk.create(analyst, title=f"Phish {n}", type="phishing", priority="P1")
    team.desk.create(analyst, title="Flood", type="ddos", priority="P3", sector="energy")
    accounts = Accounts(store, now=team.clock)
    for name in ("analyst", "partner", "liaison"):
        accounts.reset_password(Principal.system(), name, PASSWORD)
    return team


@pytest.fixture
def client(settings: Settings, team: Team) -> Iterator[TestClient]:
    with TestClient(create_app(settings, clock=team.clock), follow_redirects=False) as client:
        yield client


def test_the_dashboard_draws_each_chart_beside_its_table(client: TestClient) -> None:
    assert log_in(client, "analyst").status_code == 303
    page = client.get("/dashboard")
    assert page.status_code == 200
    html = page.text
    for chart in CHARTS:
        svg = re.search(rf'<svg [^>]*role="img" aria-labelledby="{chart}-t {chart}-d"', html)
        assert svg, chart
        assert f'<title id="{chart}-t">' in html and f'<desc id="{chart}-d">' in html
    assert "<script" not in html and "style=" not in html  # nothing the CSP would block
    captions = re.findall(r"<caption id=\"(t-[a-z-]+)\">", html)
    assert {"t-incidents", "t-open", "t-times", "t-notices", "t-health"} <= set(captions)
    for caption in captions:
        assert f'role="region" aria-labelledby="{caption}"' in html


def test_the_tables_hold_the_figures(client: TestClient) -> None:
    log_in(client, "analyst")
    html = client.get("/dashboard").text
    today = re.search(r'<th scope="row">2026-11-28</th>((?:<td>\d+</td>)+)', html)
    assert today is not None
    assert re.findall(r"<td>(\d+)</td>", today.group(1)) == ["3", "1", "4"]  # phishing, ddos, all
    assert '<th scope="col">phishing</th><th scope="col">ddos</th>' in html
    open_p1 = re.search(r'<th scope="row">P1</th>((?:<td>\d+</td>)+)', html)
    assert open_p1 is not None
    assert re.findall(r"<td>(\d+)</td>", open_p1.group(1)) == ["3", "0", "0", "0", "0", "3"]
    assert '<tr><th scope="row">energy</th><td>1</td></tr>' in html


def test_a_window_is_asked_for_in_days(client: TestClient) -> None:
    log_in(client, "analyst")
    week = client.get("/dashboard?days=7").text
    assert len(re.findall(r'<th scope="row">2026-11-\d\d</th>', week)) == 7 * 3  # 3 day tables
    assert client.get("/dashboard?days=0").status_code == 400


@pytest.mark.parametrize(("user", "status"), [("analyst", 200), ("liaison", 200), ("partner", 403)])
def test_the_menu_offers_the_dashboard_to_staff_only(
    client: TestClient, user: str, status: int
) -> None:
    log_in(client, user)
    assert client.get("/dashboard").status_code == status
    home = "/partner" if user == "partner" else "/console"
    assert (MENU_LINK in client.get(home).text) is (status == 200)
