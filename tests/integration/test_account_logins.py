"""Logging in and one's own second factor over HTTP, with real cookies, on SQLite and PostgreSQL:
a stranger's wrong passwords never lock the owner out, and TOTP turns on and off with the
password and a code."""

from __future__ import annotations

import base64

import pyotp
from fastapi.testclient import TestClient
from httpx2 import Response

from tests.integration.test_console_http import PASSWORD, Desk, ana, csrf_of, desk, log_in, post
from tocsin.auth.throttle import Limits, LoginThrottle
from tocsin.model.people import OrgKind, Principal
from tocsin.web.common.deps import web_of

__all__ = ["ana", "desk"]  # fixtures

TAXII_ROOT = "/taxii2/"
TAXII = "application/taxii+json;version=2.1"


def client_at(desk: Desk, address: str) -> TestClient:
    """Another browser, on the same app, from ``address``."""
    return TestClient(desk.client.app, client=(address, 50000), follow_redirects=False)


def code_of(secret: str, desk: Desk) -> str:
    return pyotp.TOTP(secret).at(desk.team.clock())


def totp_on(desk: Desk, client: TestClient) -> str:
    """Turn on a second factor from ``client``'s /account (which stays logged in); its secret."""
    secret = pyotp.random_base32()
    assert confirm(client, secret, code_of(secret, desk), PASSWORD).status_code == 303
    desk.team.clock.advance(30)  # the next code
    return secret


def turn_off(client: TestClient, current: str, code: str) -> Response:
    return client.post(
        "/account/totp/off",
        data={"csrf": csrf_of(client, "/account"), "current": current, "code": code},
    )


def confirm(client: TestClient, secret: str, code: str, current: str | None) -> Response:
    form = {"csrf": csrf_of(client, "/account"), "secret": secret, "code": code}
    return client.post(
        "/account/totp/confirm", data=form | ({"current": current} if current is not None else {})
    )


# -- the second factor ---------------------------------------------------------------------------


def test_totp_turns_off_with_the_password_and_a_current_code(desk: Desk, ana: Principal) -> None:
    """With TOTP on, /account/totp/off with the password and a fresh code turns it off (303),
    and the change is in the audit log."""
    secret = totp_on(desk, desk.client)
    response = turn_off(desk.client, PASSWORD, code_of(secret, desk))
    assert response.status_code == 303, response.text
    user = desk.team.store.people.user_named("ana")
    assert user is not None and user.totp_secret is None
    last = [e for e in desk.team.store.cases.audit() if e.action == "user.totp"][-1]
    assert (last.actor, last.details) == ("ana", {"enabled": False, "sessions_ended": True})


def test_totp_stays_on_without_the_password_or_without_a_code(desk: Desk, ana: Principal) -> None:
    """The password alone, or a code with a wrong password, leave the second factor on (400 at
    the field that was wrong)."""
    secret = totp_on(desk, desk.client)
    no_code = turn_off(desk.client, PASSWORD, "")
    assert no_code.status_code == 400 and 'id="t-code" name="code"' in no_code.text
    no_password = turn_off(desk.client, "not my password!", code_of(secret, desk))
    assert no_password.status_code == 400 and "that is not your password" in no_password.text
    user = desk.team.store.people.user_named("ana")
    assert user is not None and user.totp_secret == secret


def test_failed_totp_off_tries_do_not_lock_the_owners_log_in(desk: Desk, ana: Principal) -> None:
    """Five wrong passwords at /account/totp/off leave log-ins alone: the owner logs in with the
    password and a code from another browser."""
    secret = totp_on(desk, desk.client)
    for _ in range(5):
        assert turn_off(desk.client, "not my password!", code_of(secret, desk)).status_code == 400
    desk.team.clock.advance(30)  # a fresh code
    elsewhere = client_at(desk, "203.0.113.5")
    token = csrf_of(elsewhere, "/login")
    form = {"csrf": token, "username": "ana", "password": PASSWORD, "next": ""}
    response = elsewhere.post("/login", data=form | {"code": code_of(secret, desk)})
    assert response.status_code == 303


def test_one_persons_failed_tries_never_stop_anothers(desk: Desk, ana: Principal) -> None:
    """Ana's wrong passwords on her account page do not stop Bob, on his, from turning his
    second factor off: no count is shared between people."""
    totp_on(desk, desk.client)
    for _ in range(6):
        turn_off(desk.client, "not my password!", "000000")
    desk.user("bob")
    bobs = client_at(desk, "testclient")
    assert log_in(bobs, "bob").status_code == 303
    secret = totp_on(desk, bobs)
    assert turn_off(bobs, PASSWORD, code_of(secret, desk)).status_code == 303


def test_turning_totp_on_needs_the_password(desk: Desk, ana: Principal) -> None:
    """/account/totp/confirm with the right code but no password, or a wrong one, is refused at
    the password field and no secret is stored; with the password it is turned on."""
    secret = pyotp.random_base32()
    for current in (None, "not my password!"):
        refused = confirm(desk.client, secret, code_of(secret, desk), current)
        assert refused.status_code == 400 and "that is not your password" in refused.text
        user = desk.team.store.people.user_named("ana")
        assert user is not None and user.totp_secret is None
    assert confirm(desk.client, secret, code_of(secret, desk), PASSWORD).status_code == 303
    user = desk.team.store.people.user_named("ana")
    assert user is not None and user.totp_secret == secret


def test_the_code_that_turned_totp_on_cannot_log_in(desk: Desk, ana: Principal) -> None:
    """The code typed to turn TOTP on is spent: logging in with it again is refused."""
    secret = pyotp.random_base32()
    code = code_of(secret, desk)
    assert confirm(desk.client, secret, code, PASSWORD).status_code == 303
    other = client_at(desk, "203.0.113.5")
    form = {"csrf": csrf_of(other, "/login"), "username": "ana", "password": PASSWORD}
    assert other.post("/login", data=form | {"code": code}).status_code == 401


def test_guessing_ones_own_password_from_an_open_session_is_limited(
    desk: Desk, ana: Principal
) -> None:
    """Five wrong current passwords on /account/password, then even the right one waits (429):
    a session left open is no unlimited password oracle."""
    for _ in range(5):
        wrong = post(desk.client, "/account/password", current="not it at all", password="x" * 20)
        assert wrong.status_code == 400
    right = post(desk.client, "/account/password", current=PASSWORD, password="y" * 20)
    assert right.status_code == 429


# -- lock-out by a stranger ----------------------------------------------------------------------


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_elsewhere(desk: Desk) -> None:
    """Five wrong passwords for ana from one address: that address waits (429), while ana logs
    in from another (303)."""
    desk.user("ana")
    stranger = client_at(desk, "198.51.100.9")
    for _ in range(5):
        assert log_in(stranger, "ana", "wrong password!!").status_code == 401
    assert log_in(stranger, "ana").status_code == 429
    assert log_in(client_at(desk, "203.0.113.5"), "ana").status_code == 303


def basic(name: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}", "Accept": TAXII}


def test_wrong_passwords_do_not_lock_a_taxii_client_elsewhere(desk: Desk) -> None:
    """Five wrong Basic passwords for a partner from one address leave the partner's own TAXII
    client, at another address, answered (200)."""
    partner_org = desk.accounts.ensure_organisation("Partner CERT", OrgKind.PARTNER)
    desk.user("partner-a", role="partner", org_id=partner_org)
    stranger = client_at(desk, "198.51.100.9")
    for _ in range(5):
        wrong = stranger.get(TAXII_ROOT, headers=basic("partner-a", "wrong password!!"))
        assert wrong.status_code == 401
    assert stranger.get(TAXII_ROOT, headers=basic("partner-a", PASSWORD)).status_code == 429
    own = client_at(desk, "203.0.113.5").get(TAXII_ROOT, headers=basic("partner-a", PASSWORD))
    assert own.status_code == 200


def test_a_browser_that_logged_in_before_passes_a_name_under_attack(desk: Desk) -> None:
    """Past the per-name count (here 3 tries from rotating addresses), a new address waits
    (429); the owner's browser, which logged in as ana before and now comes from yet another
    address, gets in (303) on its device cookie."""
    desk.user("ana")
    owners = client_at(desk, "192.0.2.7")
    assert log_in(owners, "ana").status_code == 303
    web_of(desk.client.app).desk.accounts.throttle = LoginThrottle(Limits(user=3))
    for i in range(3):
        assert (
            log_in(client_at(desk, f"198.51.100.{i}"), "ana", "wrong password!!").status_code == 401
        )
    assert log_in(client_at(desk, "203.0.113.1"), "ana").status_code == 429
    travelling = client_at(desk, "203.0.113.2")
    for name, value in owners.cookies.items():
        travelling.cookies.set(name, value)
    assert log_in(travelling, "ana").status_code == 303
