"""Notices over HTTP: the acknowledgement link opens a page and only its button acknowledges
(a mail scanner following links changes nothing); the desk's list marks unacknowledged urgent
notices; ``tocsin notify plan --dry-run`` records nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.desk import make_team
from tests.factories import rows
from tests.integration.test_console_http import log_in
from tests.integration.test_notices import KEY, NOW, constituents, event, mailbox
from tocsin.cli import app as cli
from tocsin.model.people import Principal
from tocsin.notify.notifier import Notifier
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app
from tocsin.web.common.deps import web_of

__all__ = ["mailbox"]  # the SMTP server fixture, shared with test_notices
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    client: TestClient
    notices: Notifier
    store: Store


@pytest.fixture
def site(settings: Settings, store: Store, mailbox: Any) -> Iterator[Site]:
    """The app with notices on (a secret key, the test mail server), one notice sent to each
    constituent, and an analyst who can log in."""
    _, port = mailbox
    team = make_team(store)
    team.clock.now = NOW
    constituents(store)
    store.write(rows(event("198.51.100.7", "Northwind Power", tocsin__priority="P1")), [])
    configured = settings.but(secret_key=KEY, smtp_url=f"smtp://127.0.0.1:{port}")
    Accounts(store, now=team.clock).add_user(
        Principal.system(), name="ana", password=PASSWORD, role="analyst", org_id=team.org_id
    )
    app = create_app(configured, clock=team.clock, watch_clocks=False)
    with TestClient(app, follow_redirects=False) as client:
        notices = web_of(client.app).desk.notices
        assert notices is not None
        notices.plan()
        assert notices.send().outcomes == {"sent": 1}
        yield Site(client, notices, store)


def test_the_link_shows_a_page_and_only_the_button_acknowledges(site: Site) -> None:
    """GET (what a scanner does) leaves the notice unacknowledged; the form's POST marks it."""
    notice = site.store.notices.listing()[0]
    link = f"/notices/{notice['id']}/ack/{site.notices.token(notice['id'])}"
    page = site.client.get(link)
    assert page.status_code == 200 and "Acknowledge" in page.text
    assert site.store.notices.get(notice["id"])["acknowledged_at"] is None  # type: ignore[index]
    token = CSRF.search(page.text)
    assert token is not None
    done = site.client.post(link, data={"csrf": token.group(1)})
    assert done.status_code == 200 and "acknowledged" in done.text
    assert site.store.notices.get(notice["id"])["acknowledged_at"] == NOW  # type: ignore[index]


def test_a_wrong_token_or_a_missing_csrf_acknowledges_nothing(site: Site) -> None:
    """A forged link is 404 and a POST without the page's CSRF token is 403."""
    notice = site.store.notices.listing()[0]
    page = site.client.get(f"/notices/{notice['id']}/ack/{'0' * 32}")
    token = CSRF.search(page.text)
    assert token is not None
    forged = site.client.post(
        f"/notices/{notice['id']}/ack/{'0' * 32}", data={"csrf": token.group(1)}
    )
    assert forged.status_code == 404
    real = f"/notices/{notice['id']}/ack/{site.notices.token(notice['id'])}"
    assert site.client.post(real, data={}).status_code == 403
    assert site.store.notices.get(notice["id"])["acknowledged_at"] is None  # type: ignore[index]


def test_the_desk_lists_notices_and_marks_unacknowledged_urgent_ones(site: Site) -> None:
    """/notices needs a log-in, then shows the notice, its state and that nobody acknowledged it."""
    assert site.client.get("/notices").status_code in (302, 303, 401)
    assert log_in(site.client, "ana").status_code == 303
    page = site.client.get("/notices")
    assert page.status_code == 200
    assert "Northwind Power" in page.text and "not acknowledged" in page.text


def test_the_dry_run_command_prints_the_plan_and_records_nothing(
    settings: Settings, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tocsin notify plan --dry-run` names recipient, addresses and reason, and writes nothing;
    it runs on the test's clock (the events' day), never on the wall clock."""
    constituents(store)
    store.write(rows(event("198.51.100.7", "Northwind Power", tocsin__priority="P1")), [])
    monkeypatch.setenv("TOCSIN_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TOCSIN_SECRET_KEY", KEY)
    result = CliRunner().invoke(cli, ["notify", "plan", "--dry-run"], obj=lambda: NOW)
    assert result.exit_code == 0, result.output
    assert "Northwind Power <soc@northwind.example>" in result.output
    assert "198.51.100.0/25 is registered to you" in result.output
    assert "1 notices would be planned" in result.output
    assert store.notices.count() == 0
