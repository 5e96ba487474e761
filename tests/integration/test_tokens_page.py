"""API tokens on the web (``/account``), on SQLite and PostgreSQL: a person makes one and sees
its secret once, lists theirs (never a secret), revokes one; the token works until then; nobody
revokes another's."""

from __future__ import annotations

import re

from tests.integration.test_console_http import CSRF, Desk, ana, desk, log_in
from tocsin.model.people import Principal

__all__ = ["ana", "desk"]

SECRET = re.compile(r"<code>(tocsin_[^<]+)</code>")


def test_a_token_is_made_shown_once_used_and_revoked(desk: Desk, ana: Principal) -> None:
    page = desk.client.get("/account").text
    assert "You have no API token." in page
    token = CSRF.search(page)
    assert token is not None
    made = desk.client.post(
        "/account/tokens",
        data={"csrf": token.group(1), "name": "ticket bridge", "scope-read": "on"},
    )
    assert made.status_code == 200
    found = SECRET.search(made.text)
    assert found is not None
    secret = found.group(1)
    again = desk.client.get("/account").text
    assert secret not in again and "ticket bridge" in again and "active" in again
    bearer = {"Authorization": f"Bearer {secret}"}
    assert desk.client.get("/api/v1/incidents", headers=bearer).status_code == 200
    (number,) = re.findall(r'action="/account/tokens/(\d+)/revoke"', again)
    desk.client.post("/logout", data={"csrf": token.group(1)})
    desk.user("bob")
    assert log_in(desk.client, "bob").status_code == 303
    other = CSRF.search(desk.client.get("/account").text)
    assert other is not None
    refused = desk.client.post(f"/account/tokens/{number}/revoke", data={"csrf": other.group(1)})
    assert refused.status_code == 404
    assert desk.client.get("/api/v1/incidents", headers=bearer).status_code == 200
    desk.client.post("/logout", data={"csrf": other.group(1)})
    assert log_in(desk.client, "ana").status_code == 303
    mine = CSRF.search(desk.client.get("/account").text)
    assert mine is not None
    revoked = desk.client.post(f"/account/tokens/{number}/revoke", data={"csrf": mine.group(1)})
    assert revoked.status_code == 303
    assert desk.client.get("/api/v1/incidents", headers=bearer).status_code == 401
    assert "revoked" in desk.client.get("/account").text


def test_an_analyst_cannot_make_an_admin_token(desk: Desk, ana: Principal) -> None:
    page = desk.client.get("/account").text
    assert 'name="scope-admin"' not in page
    token = CSRF.search(page)
    assert token is not None
    refused = desk.client.post(
        "/account/tokens", data={"csrf": token.group(1), "name": "x", "scope-admin": "on"}
    )
    assert refused.status_code == 403
    assert "You have no API token." in desk.client.get("/account").text
