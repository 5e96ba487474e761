"""The client's address behind a proxy, on a real uvicorn server run as ``tocsin serve`` runs it:
X-Forwarded-For and X-Forwarded-Proto count only from TOCSIN_TRUSTED_PROXIES (none by default),
and the portal's per-address limit and the log-in limits key on the address so resolved. From
the host itself, a client can no longer name a new address for every report."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2

from tests.browser.serving import serving
from tests.desk import FakeClock
from tests.integration.test_portal_load import ANSWERS, HIDDEN
from tocsin.cli.serve import SERVER
from tocsin.settings import Settings
from tocsin.web.app import create_app

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextmanager
def served(settings: Settings, tmp_path: Path, **changes: Any) -> Iterator[str]:
    """The app on a loopback port, with ``tocsin serve``'s uvicorn options; reports may be sent
    at once, two per address and hour."""
    tuned = settings.but(
        report_min_seconds=0, report_limit=2, data_dir=str(tmp_path / "data"), **changes
    )
    with serving(create_app(tuned, clock=FakeClock(), watch_clocks=False), **SERVER) as url:
        yield url


def report(url: str, forwarded_for: str | None) -> int:
    """One whole report from a fresh browser, its status."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    with httpx2.Client(base_url=url, timeout=60, headers=headers) as client:
        first = client.get("/report")
        return client.post("/report", data=ANSWERS | dict(HIDDEN.findall(first.text))).status_code


def test_by_default_a_forwarded_for_from_the_host_names_no_one(
    settings: Settings, tmp_path: Path
) -> None:
    """With no trusted proxy, three reports from the host naming three addresses are all the
    host's: the third is over its limit of two (429)."""
    with served(settings, tmp_path) as url:
        sent = [report(url, f"198.51.100.{n}") for n in (1, 2, 3)]
    assert sent == [200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    settings: Settings, tmp_path: Path
) -> None:
    """With the host trusted as a proxy, the address it forwards is the client: three clients
    send a report each, and one client's third report is 429 whatever it writes to the left of
    the address the proxy appended."""
    with served(settings, tmp_path, trusted_proxies="127.0.0.1") as url:
        assert [report(url, f"198.51.100.{n}") for n in (1, 2, 3)] == [200, 200, 200]
        spoofed = [report(url, f"192.0.2.{n}, 203.0.113.9") for n in (1, 2, 3)]
    assert spoofed == [200, 200, 429]


def test_failed_logins_count_against_the_resolved_address(
    settings: Settings, tmp_path: Path
) -> None:
    """With no trusted proxy, wrong passwords for one name from the host naming a new address
    each time still count against the host: the sixth is refused as too many (429)."""
    statuses = []
    with served(settings, tmp_path) as url, httpx2.Client(base_url=url, timeout=60) as client:
        for n in range(6):
            page = client.get("/login")
            token = CSRF.search(page.text)
            assert token, page.text[:300]
            form = {"username": "lead", "password": "wrong", "csrf": token.group(1)}
            headers = {"X-Forwarded-For": f"198.51.100.{n}"}
            statuses.append(client.post("/login", data=form, headers=headers).status_code)
    assert statuses[-1] == 429, statuses
    assert 429 not in statuses[:5], statuses


def test_https_is_believed_from_a_trusted_proxy_only(settings: Settings, tmp_path: Path) -> None:
    """X-Forwarded-Proto: https brings HSTS from a trusted proxy, and nothing from anyone else."""
    proto = {"X-Forwarded-Proto": "https"}
    with served(settings, tmp_path) as url:
        untrusted = httpx2.get(f"{url}/report", headers=proto, timeout=60)
    with served(settings, tmp_path, trusted_proxies="127.0.0.1") as url:
        trusted = httpx2.get(f"{url}/report", headers=proto, timeout=60)
    assert "strict-transport-security" not in untrusted.headers
    assert trusted.headers["strict-transport-security"].startswith("max-age=")
