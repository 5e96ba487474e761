"""Menus show only what the role may do: every link of the console's header menu, followed by a
person of each role, opens a page (no link that ends in 403 or 404), and "New incident" is there
only for those who may open one. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from tests.integration.test_console_http import Desk, desk, log_in
from tocsin.settings import Settings

__all__ = ["desk"]

NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)
LINK = re.compile(r'href="([^"]+)"')


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """With a secret key, as `tocsin serve` makes one on first start (notices need it)."""
    return replace(settings, secret_key="k" * 64)


@pytest.mark.parametrize("role", ["admin", "lead", "analyst", "auditor", "liaison"])
def test_every_menu_link_opens_for_the_role_that_sees_it(desk: Desk, role: str) -> None:
    desk.user("someone", role=role)
    assert log_in(desk.client, "someone").status_code == 303
    menu = NAV.search(desk.client.get("/console").text)
    assert menu is not None
    links = LINK.findall(menu.group(1))
    assert "/console" in links
    assert ("/incidents/new" in links) is (role in ("admin", "lead", "analyst"))
    for link in links:
        answer = desk.client.get(link)
        assert answer.status_code == 200, f"{role}: {link} answered {answer.status_code}"
