"""The HTTP API, in-process, on the demo data: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.desk import FakeClock
from tocsin.model.people import Principal
from tocsin.services.accounts import Accounts
from tocsin.services.demo import load_demo
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.web.app import create_app

PROBLEM = "application/problem+json"
FILTERS = {"ip", "asn", "fqdn", "url", "type", "constituent", "priority", "feed", "since", "until"}


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    """The app on the demo data, as an analyst with a read token; entering the client runs the
    lifespan, which opens the store."""
    load_demo(settings, store, FakeClock())
    accounts = Accounts(store, now=lambda: 1_795_830_000)
    analyst = accounts.add_user(
        Principal.system(),
        name="reader",
        password="correct horse battery staple",
        role="analyst",
        org_id=accounts.ensure_team(),
    )
    secret = accounts.create_token(Principal.of(analyst), "tests", "read").secret
    with TestClient(create_app(settings, clock=FakeClock())) as test_client:
        test_client.headers["Authorization"] = f"Bearer {secret}"
        yield test_client


def all_events(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    """Every event matching ``params``, in one page of the largest size."""
    response = client.get("/api/v1/events", params={**params, "limit": 1000})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None, "the demo outgrew one page of 1000"
    return body["events"]


def test_health_answers_without_a_token_and_tells_nothing_of_the_data(client: TestClient) -> None:
    """/api/v1/health says ok without a token, and holds no count of anything."""
    response = client.get("/api/v1/health", headers={"Authorization": ""})
    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "status": "ok",
        "version": response.json()["version"],
        "database": "ok",
        "late_jobs": [],
        "silent_feeds": [],
        "problems": [],
    }


def test_events_need_a_token(client: TestClient) -> None:
    """Without a token, or with a revoked or made-up one, the events API answers 401."""
    for header in ("", "Bearer tocsin_made-up-token-made-up-token-made-up-tok"):
        response = client.get("/api/v1/events", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM


def test_all_events_are_counted_once(client: TestClient, store: Store) -> None:
    """The events API returns exactly the events the demo stored."""
    assert len(all_events(client)) == store.count_events() > 0


def test_filter_by_constituent(client: TestClient) -> None:
    """constituent= returns that constituent's events and only those."""
    everything = all_events(client)
    expected = [e for e in everything if e.get("tocsin.constituent") == "National Parliament"]
    found = all_events(client, constituent="National Parliament")
    assert expected and len(expected) < len(everything)
    assert [e["tocsin.fingerprint"] for e in found] == [e["tocsin.fingerprint"] for e in expected]


def test_filter_by_network(client: TestClient) -> None:
    """ip= with a CIDR network returns exactly the events whose source address lies inside it."""
    network = ipaddress.ip_network("192.0.2.128/26")

    def inside(event: dict[str, Any]) -> bool:
        return "source.ip" in event and ipaddress.ip_address(event["source.ip"]) in network

    expected = {e["tocsin.fingerprint"] for e in all_events(client) if inside(e)}
    found = all_events(client, ip=str(network))
    assert expected
    assert {e["tocsin.fingerprint"] for e in found} == expected
    assert all(inside(e) for e in found)


def test_filter_by_type(client: TestClient) -> None:
    """type= returns the events of that classification type and only those."""
    everything = all_events(client)
    expected = {
        e["tocsin.fingerprint"] for e in everything if e["classification.type"] == "c2-server"
    }
    found = all_events(client, type="c2-server")
    assert expected and len(expected) < len(everything)
    assert {e["tocsin.fingerprint"] for e in found} == expected


def test_filter_by_priority(client: TestClient) -> None:
    """priority= returns the events of that priority and only those."""
    everything = all_events(client)
    expected = {e["tocsin.fingerprint"] for e in everything if e.get("tocsin.priority") == "P1"}
    found = all_events(client, priority="P1")
    assert expected and len(expected) < len(everything)
    assert {e["tocsin.fingerprint"] for e in found} == expected


def test_cursor_pagination_visits_every_event_once(client: TestClient) -> None:
    """Following next_cursor with limit=7 visits every event exactly once, newest first."""
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 7}
    pages = 0
    while True:
        response = client.get("/api/v1/events", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert 1 <= len(body["events"]) <= 7
        seen.extend(e["tocsin.fingerprint"] for e in body["events"])
        pages += 1
        if body["next_cursor"] is None:
            break
        assert len(body["events"]) == 7, "only the last page may be short"
        params["cursor"] = body["next_cursor"]
    total = len(all_events(client))
    assert len(seen) == len(set(seen)) == total
    assert seen == [e["tocsin.fingerprint"] for e in all_events(client)]
    assert pages == -(-total // 7)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ip", "not-an-ip"),
        ("ip", "192.0.2.0/33"),
        ("asn", "ASx"),
        ("type", "no-such-type"),
        ("priority", "P9"),
        ("since", "yesterday-ish"),
        ("until", "2026-13-01"),
    ],
)
def test_bad_value_is_a_problem_naming_the_field(
    client: TestClient, field: str, value: str
) -> None:
    """A value that fails its type is a 400 problem+json whose detail names the field."""
    response = client.get("/api/v1/events", params={field: value})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 400
    assert problem["instance"] == "/api/v1/events"
    assert problem["detail"].startswith(f"{field}: ")


@pytest.mark.parametrize(("field", "value"), [("limit", "0"), ("limit", "1001"), ("cursor", "abc")])
def test_out_of_schema_is_refused_by_validation(client: TestClient, field: str, value: str) -> None:
    """limit outside 1–1000 or a cursor that is not a number is a 422 naming the parameter."""
    response = client.get("/api/v1/events", params={field: value})
    assert response.status_code == 422
    assert ["query", field] in [error["loc"] for error in response.json()["detail"]]


def test_openapi_lists_events_with_its_parameters(client: TestClient) -> None:
    """The OpenAPI document describes /api/v1/events with every filter, limit and cursor."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    operation = document["paths"]["/api/v1/events"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == FILTERS | {"limit", "cursor"}
    assert all(p["in"] == "query" and p.get("description") for p in parameters.values())
    assert parameters["limit"]["schema"]["minimum"] == 1
    assert parameters["limit"]["schema"]["maximum"] == 1000
    assert "/api/v1/health" in document["paths"]
    assert not any(path.startswith("/events") for path in document["paths"]), "pages are hidden"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/health", "/api/v1/events?ip=bad", "/events", "/events?ip=bad", "/static/tocsin.css"],
)
def test_security_headers_on_every_kind_of_response(client: TestClient, path: str) -> None:
    """API, page, error and static responses all carry the CSP and the other security headers."""
    response = client.get(path)
    assert response.status_code in (200, 400)
    csp = [part.strip() for part in response.headers["content-security-policy"].split(";")]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/redoc", "/docs/oauth2-redirect"])
def test_no_redoc_and_no_oauth_redirect(client: TestClient, path: str) -> None:
    """FastAPI's own ReDoc and OAuth pages, which load third-party scripts, are not served."""
    response = client.get(path)
    assert response.status_code == 404
    assert "content-security-policy" in response.headers


def test_the_docs_page_loads_only_tocsin_s_own_scripts(client: TestClient) -> None:
    """/docs is Swagger UI from Tocsin's static files: every script is one of them, none is
    inline, and the page carries the content security policy."""
    response = client.get("/docs")
    assert response.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, flags=re.S)
    assert scripts and all(body.strip() == "" for _, body in scripts)
    sources = [re.search(r'src="([^"]+)"', attrs) for attrs, _ in scripts]
    assert all(s is not None and s.group(1).startswith("/static/") for s in sources)
    assert "script-src 'self'" in response.headers["content-security-policy"]
