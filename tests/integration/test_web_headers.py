"""Caching and transport headers over HTTP: every answer but a static file says no-store (the
console's pages, the API and TAXII carry victim data to a signed-in person or a token), and HSTS
is sent under https, never over plain http. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.integration.test_console_http import Desk, desk, log_in
from tocsin.model.people import Principal

__all__ = ["desk"]

SIGNED_IN_PAGES = (
    "/console",
    "/incidents/{phish}",
    "/events",
    "/audit",
    "/sharing",
    "/handover",
    "/cvd",
    "/account",
)
HSTS = "strict-transport-security"


def signed_in(desk: Desk, role: str = "lead") -> Principal:
    who = desk.user("lena", role=role)
    assert log_in(desk.client, "lena").status_code == 303
    return who


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_a_signed_in_page_is_never_stored(desk: Desk, path: str) -> None:
    """Each console page a signed-in lead opens says Cache-Control: no-store."""
    signed_in(desk)
    response = desk.client.get(path.format(phish=desk.phish.id))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"


def test_api_and_taxii_answers_to_a_token_are_never_stored(desk: Desk) -> None:
    """The incidents API and TAXII answer a token with no-store, refusals included."""
    who = signed_in(desk)
    token = desk.token(who, "read")
    for path in (f"/api/v1/incidents/{desk.phish.id}", "/api/v1/events", "/taxii2/"):
        response = desk.client.get(path, headers=token)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["cache-control"] == "no-store", path
    refused = desk.client.get("/api/v1/incidents/999999", headers=token)
    assert refused.status_code == 404
    assert refused.headers["cache-control"] == "no-store"


def test_static_files_may_be_cached(desk: Desk) -> None:
    """A static file carries no victim data and keeps no no-store."""
    response = desk.client.get("/static/tocsin.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("cache-control", "")


def test_hsts_only_under_https(desk: Desk) -> None:
    """Strict-Transport-Security comes with every answer over https, pages, API and static files
    alike, and never over plain http."""
    for path in ("/login", "/api/v1/health", "/static/tocsin.css", "/no-such-page"):
        secure = desk.client.get(f"https://testserver{path}")
        assert secure.headers[HSTS].startswith("max-age="), path
        assert int(secure.headers[HSTS].split(";")[0].split("=")[1]) >= 31536000
        plain = desk.client.get(f"http://testserver{path}")
        assert HSTS not in plain.headers, path
