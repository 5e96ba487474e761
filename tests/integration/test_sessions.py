"""Console sessions over HTTP with real cookies, on SQLite and PostgreSQL: a password change, an
admin's reset, a disable and a changed second factor end the user's other sessions; re-enabling
revives none; a session ends after its idle time and at its lifetime, both settings."""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest
from fastapi.testclient import TestClient

from tests.desk import FakeClock, make_team
from tests.integration.test_account_logins import basic
from tests.integration.test_console_http import PASSWORD, Desk, ana, csrf_of, desk, log_in, post
from tocsin.errors import ConfigError
from tocsin.model.people import OrgKind, Principal
from tocsin.services.accounts import Accounts
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

__all__ = ["ana", "desk"]  # fixtures

NEW_PASSWORD = "another long password"


def browser(desk: Desk, name: str | None = None) -> TestClient:
    """Another browser on the same app, logged in as ``name`` when given."""
    client = TestClient(desk.client.app, follow_redirects=False)
    if name is not None:
        assert log_in(client, name).status_code == 303
    return client


def logged_in(client: TestClient) -> bool:
    """Whether the console opens (200) rather than sending to log in (303)."""
    status = client.get("/console").status_code
    assert status in (200, 303)
    return status == 200


def test_changing_ones_password_ends_every_other_session(desk: Desk, ana: Principal) -> None:
    """Ana changes her password in one browser: that browser stays logged in, her session in
    another browser ends."""
    other = browser(desk, "ana")
    changed = post(desk.client, "/account/password", current=PASSWORD, password=NEW_PASSWORD)
    assert changed.status_code == 303
    assert logged_in(desk.client)
    assert not logged_in(other)


def test_a_copied_cookie_dies_with_a_password_change(desk: Desk, ana: Principal) -> None:
    """A copy of the cookie taken before the change (as a thief would hold it) opens nothing
    after it, though the browser it was copied from goes on."""
    copied = dict(desk.client.cookies)
    assert (
        post(desk.client, "/account/password", current=PASSWORD, password=NEW_PASSWORD).status_code
        == 303
    )
    thief = browser(desk)
    for name, value in copied.items():
        thief.cookies.set(name, value)
    assert not logged_in(thief)
    assert logged_in(desk.client)


def test_an_admins_reset_ends_the_users_sessions(desk: Desk, ana: Principal) -> None:
    """An admin sets a new password for ana at /users: ana's session ends, the admin's goes on,
    and the audit log says the sessions ended."""
    desk.user("boss", role="admin")
    boss = browser(desk, "boss")
    assert post(boss, "/users/ana/password", password=NEW_PASSWORD).status_code == 303
    assert not logged_in(desk.client)
    assert logged_in(boss)
    entry = [e for e in desk.team.store.cases.audit() if e.action == "user.password"][-1]
    assert (entry.actor, entry.object_id, entry.details) == (
        "boss",
        "ana",
        {"sessions_ended": True},
    )


def test_an_admin_resetting_their_own_password_stays_logged_in(desk: Desk) -> None:
    """An admin who sets their own password at /users keeps that page's session, and their
    other sessions end."""
    desk.user("boss", role="admin")
    here, there = browser(desk, "boss"), browser(desk, "boss")
    assert post(here, "/users/boss/password", password=NEW_PASSWORD).status_code == 303
    assert logged_in(here)
    assert not logged_in(there)


def test_re_enabling_a_user_revives_none_of_their_old_cookies(desk: Desk, ana: Principal) -> None:
    """Disabled then enabled again at /users, ana's cookie from before opens nothing; she logs
    in afresh."""
    desk.user("boss", role="admin")
    boss = browser(desk, "boss")
    assert post(boss, "/users/ana/disable").status_code == 303
    assert post(boss, "/users/ana/enable").status_code == 303
    assert not logged_in(desk.client)
    assert log_in(desk.client, "ana").status_code == 303
    assert logged_in(desk.client)
    actions = [(e.action, e.details) for e in desk.team.store.cases.audit()][-2:]
    assert actions == [
        ("user.disable", {"sessions_ended": True}),
        ("user.enable", {"sessions_ended": True}),
    ]


def test_a_changed_second_factor_ends_the_other_sessions(desk: Desk, ana: Principal) -> None:
    """Turning TOTP on from one browser ends ana's session in another, and keeps this one."""
    other = browser(desk, "ana")
    secret = pyotp.random_base32()
    form = {
        "csrf": csrf_of(desk.client, "/account"),
        "secret": secret,
        "code": pyotp.TOTP(secret).at(desk.team.clock()),
        "current": PASSWORD,
    }
    assert desk.client.post("/account/totp/confirm", data=form).status_code == 303
    assert logged_in(desk.client)
    assert not logged_in(other)


def test_a_session_ends_after_its_idle_time(desk: Desk, ana: Principal) -> None:
    """Requests less than 30 minutes apart keep a session going past 30 minutes; 30 minutes and
    a second without one end it."""
    for _ in range(3):
        desk.team.clock.advance(25 * 60)
        assert logged_in(desk.client)
    desk.team.clock.advance(30 * 60 + 1)
    assert not logged_in(desk.client)


def test_a_session_ends_at_its_lifetime_however_busy(desk: Desk, ana: Principal) -> None:
    """A session used every 25 minutes still ends 12 hours after logging in."""
    for _ in range(12 * 60 // 25):  # 28 steps: 11 h 40 min
        desk.team.clock.advance(25 * 60)
        assert logged_in(desk.client)
    desk.team.clock.advance(25 * 60)  # 12 h 05 min
    assert not logged_in(desk.client)


@pytest.fixture
def short(settings: Settings, store: Store) -> Iterator[tuple[TestClient, FakeClock]]:
    """The app with TOCSIN_SESSION_IDLE=120 and TOCSIN_SESSION_LIFETIME=300, ana logged in."""
    team = make_team(store)
    Accounts(store, now=team.clock).add_user(
        Principal.system(), name="ana", password=PASSWORD, role="analyst", org_id=team.org_id
    )
    tuned = settings.but(session_idle=120, session_lifetime=300)
    with TestClient(create_app(tuned, clock=team.clock), follow_redirects=False) as client:
        assert log_in(client, "ana").status_code == 303
        yield client, team.clock


def test_the_idle_time_and_the_lifetime_are_settings(short: tuple[TestClient, FakeClock]) -> None:
    """With an idle time of 2 minutes and a lifetime of 5: a request every 100 s goes on until
    the fifth minute, and then the session ends; idle 121 s, a new one ends too."""
    client, clock = short
    for _ in range(3):  # 300 s
        clock.advance(100)
        assert logged_in(client)
    clock.advance(100)
    assert not logged_in(client)
    assert log_in(client, "ana").status_code == 303
    clock.advance(121)
    assert not logged_in(client)


def test_session_settings_are_read_and_checked() -> None:
    """TOCSIN_SESSION_IDLE and TOCSIN_SESSION_LIFETIME are read from the environment (defaults
    30 minutes and 12 hours); an idle time longer than the lifetime is refused."""
    assert (Settings().session_idle, Settings().session_lifetime) == (1800, 43200)
    env = {"TOCSIN_SESSION_IDLE": "600", "TOCSIN_SESSION_LIFETIME": "3600"}
    loaded = Settings.load(env, config_file=None)
    assert (loaded.session_idle, loaded.session_lifetime) == (600, 3600)
    with pytest.raises(ConfigError, match="session_idle"):
        Settings.load({"TOCSIN_SESSION_IDLE": "7200", "TOCSIN_SESSION_LIFETIME": "3600"})


def test_a_reset_or_a_disable_ends_a_remembered_taxii_password_at_once(desk: Desk) -> None:
    """A partner's TAXII client answered over Basic a moment ago (its credential remembered for
    a minute) is refused at once after an admin sets a new password, and after a disable, not a
    minute later."""
    partner_org = desk.accounts.ensure_organisation("Partner CERT", OrgKind.PARTNER)
    desk.user("partner-a", role="partner", org_id=partner_org)
    taxii = browser(desk)
    old = basic("partner-a", PASSWORD)
    assert taxii.get("/taxii2/", headers=old).status_code == 200
    desk.accounts.reset_password(Principal.system(), "partner-a", NEW_PASSWORD)
    assert taxii.get("/taxii2/", headers=old).status_code == 401
    new = basic("partner-a", NEW_PASSWORD)
    assert taxii.get("/taxii2/", headers=new).status_code == 200
    desk.accounts.set_disabled(Principal.system(), "partner-a", True)
    assert taxii.get("/taxii2/", headers=new).status_code == 401
