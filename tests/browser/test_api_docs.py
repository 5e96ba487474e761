"""``/docs``: Swagger UI from Tocsin's own files, under the same content security policy as every
page (no script from another host, no inline script), reading Tocsin's OpenAPI 3.1 description:
every operation of the API is listed, and nothing is refused by the policy or fetched elsewhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request

pytestmark = pytest.mark.browser


def test_swagger_ui_lists_the_api_under_the_policy(page: Page, server_url: str) -> None:
    refused: list[str] = []
    elsewhere: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def other_host(request: Request) -> None:
        if not request.url.startswith((server_url, "data:")):
            elsewhere.append(request.url)

    page.on("request", other_host)
    answer = page.goto("/docs")
    assert answer is not None and answer.status == 200
    assert "script-src 'self'" in (answer.headers.get("content-security-policy") or "")
    operations = page.locator(".opblock")
    operations.first.wait_for()
    description = page.request.get("/api/v1/openapi.json").json()
    expected = sum(
        1
        for methods in description["paths"].values()
        for method in methods
        if method in ("get", "post", "put", "patch", "delete")
    )
    assert operations.count() == expected
    assert page.get_by_text("/api/v1/incidents", exact=True).first.is_visible()
    assert refused == [] and elsewhere == []
