"""A loopback load of submissions on a real server, on SQLite and PostgreSQL: eight clients at
once, 200 reports, no error and no lost report (bench/portal.py measures the same load)."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import httpx2

from tests.browser.serving import serving
from tests.desk import FakeClock
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.web.app import create_app

CLIENTS = 8
REPORTS_EACH = 25
HIDDEN = re.compile(r'<input type="hidden" name="(csrf|started)" value="([^"]*)">')
REFERENCE = re.compile(r'id="reference">([^<]+)<')
ANSWERS = {
    "step": "evidence",
    "lang": "en",
    "path": "ransom",
    "scope": "several",
    "ransom_contact": "pay@ransom.example",
    "when": "2026-11-20",
    "narrative": "The files on the shared drive end in .locked.",
    "reporter": "organisation",
    "sector": "health",
    "org_name": "Clinic",
    "contact": "yes",
    "email": "it@clinic.example",
    "go": "send",
}


def submit_many(url: str, count: int, results: list[tuple[int, str]]) -> None:
    """``count`` whole reports from one client, each from its first page to sent; a failed
    request is recorded as status 0 with its error."""
    with httpx2.Client(base_url=url, timeout=60) as client:
        for _ in range(count):
            try:
                first = client.get("/report")
                fields = dict(HIDDEN.findall(first.text))
                sent = client.post("/report", data=ANSWERS | fields)
            except httpx2.HTTPError as exc:
                results.append((0, repr(exc)))
                continue
            found = REFERENCE.search(sent.text)
            results.append((sent.status_code, found.group(1) if found else sent.text[:200]))


def test_concurrent_submissions_lose_no_report(settings: Settings, tmp_path: Path) -> None:
    """8 clients × 25 reports at once: every answer is 200 with its own reference, and the
    store holds exactly 200 reports and 200 incidents."""
    tuned = settings.but(report_min_seconds=0, report_limit=100_000, data_dir=str(tmp_path))
    results: list[tuple[int, str]] = []  # list.append is atomic: the threads share it
    with serving(create_app(tuned, clock=FakeClock(), watch_clocks=False)) as url:
        threads = [
            threading.Thread(target=submit_many, args=(url, REPORTS_EACH, results))
            for _ in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a client did not finish"
    failed = [(status, said) for status, said in results if status != 200]
    assert failed == []
    assert len(results) == CLIENTS * REPORTS_EACH
    assert len({reference for _, reference in results}) == CLIENTS * REPORTS_EACH
    store = open_store(tuned.database_url)
    try:
        assert store.reports.count() == CLIENTS * REPORTS_EACH
        assert len(store.cases.incidents(limit=1000)) == CLIENTS * REPORTS_EACH
    finally:
        store.close()
