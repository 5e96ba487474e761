"""Every page of the portal, in every language, is served whole by Tocsin: no third-party script,
style, font or image, a strict Content-Security-Policy, and the language's direction."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.audit_keys import AUDIT_KEY
from tests.desk import FakeClock
from tocsin.model.report import PATHS
from tocsin.services.demo import load_reports
from tocsin.settings import Settings
from tocsin.store import open_store
from tocsin.web.app import create_app
from tocsin.web.common.i18n import LANGUAGES

ASSET = re.compile(r'<(?:script|link|img|source|iframe)\b[^>]*\b(?:src|href)="([^"]*)"', re.I)
HIDDEN = re.compile(r'<input type="hidden" name="(csrf|started)" value="([^"]*)"')
STATIC = Path(__file__).resolve().parents[2] / "src" / "tocsin" / "web" / "static"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'tocsin.db'}",
        workers=0,
        report_min_seconds=0,
        data_dir=str(tmp_path / "data"),
        secret_key="k" * 40,
    )
    open_store(settings.database_url).close()
    with TestClient(create_app(settings, clock=FakeClock(), watch_clocks=False)) as opened:
        yield opened


def walk(client: TestClient, lang: str, path: str) -> list[str]:
    """The pages of one report's steps (answers as the first page's hidden fields say)."""
    first = client.get(f"/report?lang={lang}")
    hidden = dict(HIDDEN.findall(first.text))
    form = {**hidden, "lang": lang, "path": path, "go": "next", "reporter": "self"}
    form |= {"contact": "anonymous", "narrative": "what happened", "what": "down"}
    pages = [first.text]
    for step in ("what", "details", "who"):
        answer = client.post("/report", data={**form, "step": step})
        assert answer.status_code == 200, answer.text
        pages.append(answer.text)
    return pages


def test_no_page_loads_anything_from_another_site(client: TestClient) -> None:
    """Every step of every path in every language names only Tocsin's own scripts and styles."""
    for lang in LANGUAGES:
        for path in PATHS:
            for page in walk(client, lang, path):
                assets = ASSET.findall(page)
                assert assets, "a page without its stylesheet"
                assert all(a.startswith("/static/") for a in assets), (lang, path, assets)
                assert "<script>" not in page and " style=" not in page and "<style" not in page


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_each_language_sets_its_tag_and_direction(client: TestClient, lang: str) -> None:
    """The page says its language (for screen readers' voices) and Arabic reads right to left."""
    page = client.get(f"/report?lang={lang}")
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in page.text
    assert page.headers["content-language"] == lang


def test_the_portal_answers_under_a_strict_policy(client: TestClient) -> None:
    """The portal's pages carry the CSP without inline script or style, and are never cached."""
    page = client.get("/report")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["cache-control"] == "no-store"


def test_the_stylesheet_and_script_reach_for_nothing_outside() -> None:
    """portal.css imports no font or sheet from elsewhere, and portal.js fetches nothing."""
    css = (STATIC / "portal.css").read_text(encoding="utf-8")
    script = (STATIC / "portal.js").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css
    assert not re.search(r"\b(fetch|XMLHttpRequest|import\()", script)


def test_the_demo_reports_load_once(tmp_path: Path) -> None:
    """`tocsin demo` adds its made-up reports the first time only, each as an incident."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", data_dir=str(tmp_path))
    store = open_store(settings.database_url, audit_key=AUDIT_KEY)
    try:
        first = load_reports(settings, store, lambda: 1_795_830_000)
        again = load_reports(settings, store, lambda: 1_795_830_000)
        assert len(first) == 3 and again == []
        assert store.reports.count() == 3
        priorities = sorted(store.cases.incident(r.incident_id).priority for r in first)  # type: ignore[union-attr]
        assert priorities == ["P1", "P1", "P2"]
    finally:
        store.close()


def test_the_danger_banner_comes_first_with_the_configured_number(tmp_path: Path) -> None:
    """Before any question, every language tells a person in danger which number to call: the
    one configured (TOCSIN_EMERGENCY_NUMBER), not a built-in one."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 't.db'}",
        workers=0,
        emergency_number="999 or 112",
        data_dir=str(tmp_path / "data"),
    )
    open_store(settings.database_url).close()
    with TestClient(create_app(settings, clock=FakeClock(), watch_clocks=False)) as client:
        for lang in LANGUAGES:
            page = client.get(f"/report?lang={lang}").text
            banner = page.index('class="danger"')
            assert "999 or 112" in page[banner : page.index("</aside>")], lang
            assert banner < page.index("<main"), lang  # before the first question
