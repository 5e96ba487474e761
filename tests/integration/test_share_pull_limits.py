"""A partner's TAXII server that never ends its answers, repeats a cursor, sends a page too large
or answers with something other than an envelope: served for real on loopback, each makes the
pull fail with an error that says what the server did, and stores nothing of that pull, while
what an earlier pull stored stays and the next pull starts from the same point. On SQLite and
PostgreSQL. And what is pulled names the partner and the source it came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.browser.serving import serving
from tocsin.errors import InputUnreadable
from tocsin.services.pull import Source, pull
from tocsin.settings import Settings
from tocsin.store import Store
from tocsin.store.shapes import EventFilter

TAXII = "application/taxii+json;version=2.1"
IDENTITY = "identity--4f2b3a1e-6c0d-4f5e-9a8b-7c6d5e4f3a2b"
MARK = "2026-11-28T10:00:00.000000Z"
LIMITS = {
    "pull_max_pages": 5,
    "pull_max_page_bytes": 64 * 1024,
    "pull_max_bytes": 128 * 1024,
    "pull_max_seconds": 60,
}


def indicator(n: int) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--8e2e2d2b-17d4-4cbf-938f-{n:012d}",
        "created": "2026-11-20T08:00:00.000Z",
        "modified": "2026-11-20T08:00:00.000Z",
        "created_by_ref": IDENTITY,
        "pattern": f"[ipv4-addr:value = '198.51.100.{n}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T07:30:00Z",
        "labels": ["feed:the-partner-s-own-feed-label"],
    }


PRODUCER = {
    "type": "identity",
    "spec_version": "2.1",
    "id": IDENTITY,
    "created": "2026-11-20T08:00:00.000Z",
    "modified": "2026-11-20T08:00:00.000Z",
    "name": "A third party the partner relays",
    "identity_class": "organization",
}


@dataclass
class Partner:
    """A partner's TAXII server whose answers a test chooses (``mode``), noting what it was
    asked."""

    url: str = ""
    mode: str = "good"
    asked: list[dict[str, str]] = field(default_factory=list)

    def answer(self, request: Request) -> Response:
        self.asked.append(dict(request.query_params))
        page = int(request.query_params.get("next", "0"))
        body: Any
        if self.mode == "good":
            body = {"more": False, "objects": [PRODUCER, indicator(1), indicator(2)]}
        elif self.mode == "another":
            body = {"more": False, "objects": [indicator(3)]}
        elif self.mode == "endless":
            body = {"more": True, "next": str(page + 1), "objects": [indicator(10 + page % 200)]}
        elif self.mode == "repeating":
            body = {"more": True, "next": "7", "objects": [indicator(20)]}
        elif self.mode == "huge":
            body = {"more": False, "objects": [indicator(30)], "padding": "x" * 200_000}
        elif self.mode == "heavy":  # each page under the page limit, together over the pull's
            body = {"more": True, "next": str(page + 1), "objects": [indicator(40)]}
            body["padding"] = "x" * 50_000
        elif self.mode == "array":
            body = [indicator(50)]
        else:
            body = "a TAXII server's idea of an envelope"
        return Response(
            orjson.dumps(body), media_type=TAXII, headers={"X-TAXII-Date-Added-Last": MARK}
        )


@pytest.fixture
def partner() -> Iterator[Partner]:
    served = Partner()
    app = Starlette(routes=[Route("/api/collections/c/objects/", served.answer)])
    with serving(app, name="partner-taxii") as url:
        served.url = url
        yield served


def _source(server: Partner, **changes: Any) -> Source:
    return Source(name="cert-xy", url=f"{server.url}/api/", collection="c", **changes)


def _stored(store: Store) -> set[str]:
    return {e["source.ip"] for e in store.search(EventFilter(limit=1000)).events}


@pytest.fixture
def limited(settings: Settings, tmp_path: Path) -> Settings:
    return settings.but(data_dir=str(tmp_path / "data"), **LIMITS)


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("endless", "more than 5 pages in one pull"),
        ("repeating", "the next cursor '7' a second time"),
        ("huge", "a page of over 65536 bytes"),
        ("heavy", "over 131072 bytes in one pull"),
        ("array", "a JSON array, not a TAXII envelope"),
        ("string", "a JSON string, not a TAXII envelope"),
    ],
)
def test_a_partner_that_does_not_play_by_the_rules_stores_nothing_of_that_pull(
    partner: Partner, limited: Settings, store: Store, mode: str, says: str
) -> None:
    """After a good pull, a pull from a server answering endlessly, with a cursor again, too
    large, or not with an envelope fails saying so; what the good pull stored stays, nothing
    of the failed pull is stored, and the next pull asks from the same mark."""
    first = pull(limited, store, _source(partner), now=lambda: 1_800_000_000)
    assert (first.accepted, _stored(store)) == (2, {"198.51.100.1", "198.51.100.2"})
    partner.mode = mode
    with pytest.raises(InputUnreadable, match=says) as refused:
        pull(limited, store, _source(partner), now=lambda: 1_800_000_100)
    assert "nothing of this pull was stored" in str(refused.value)
    assert _stored(store) == {"198.51.100.1", "198.51.100.2"}
    assert store.share.pull_mark(f"cert-xy {partner.url}/api/collections/c/objects/") == MARK
    assert len(partner.asked) <= 1 + LIMITS["pull_max_pages"]
    assert {a.get("added_after") for a in partner.asked[1:]} == {MARK}


def test_a_pull_that_takes_too_long_stops(
    partner: Partner, limited: Settings, store: Store
) -> None:
    """An endless server, with time moving 7 s per page on the injected clock, is left once the
    pull has had its pull_max_seconds (60): after about 9 pages, though 100 are allowed."""
    partner.mode = "endless"
    clock = [1_800_000_000]

    def now() -> int:
        clock[0] += 7 if partner.asked else 0
        return clock[0]

    settings = limited.but(pull_max_pages=100)
    with pytest.raises(InputUnreadable, match="pull_max_seconds") as refused:
        pull(settings, store, _source(partner), now=now)
    assert "nothing of this pull was stored" in str(refused.value)
    assert 2 <= len(partner.asked) <= 10
    assert _stored(store) == set()


def test_pulled_events_name_the_partner_and_the_source(
    partner: Partner, limited: Settings, store: Store
) -> None:
    """Each pulled event says where it came from: feed.provider is the partner (the source's
    name when the source names none) and feed.name is taxii:<source>, over what the objects
    say of their producer and their feed, which stays in extra.stix_created_by."""
    pull(limited, store, _source(partner, partner="CERT XY"), now=lambda: 1_800_000_000)
    events = store.search(EventFilter(limit=1000)).events
    assert {(e["feed.provider"], e["feed.name"]) for e in events} == {("CERT XY", "taxii:cert-xy")}
    assert {e["extra.stix_created_by"] for e in events} == {IDENTITY}
    partner.mode = "another"
    unnamed = Source(name="other-source", url=f"{partner.url}/api/", collection="c")
    pull(limited, store, unnamed, now=lambda: 1_800_000_100)
    third = store.search(EventFilter(ip="198.51.100.3")).events
    assert [(e["feed.provider"], e["feed.name"]) for e in third] == [
        ("other-source", "taxii:other-source")
    ]
