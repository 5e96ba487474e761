"""STIX markings through the whole ingest into a real store (SQLite and PostgreSQL): a marking
that cannot be read is RED, the rest of the bundle is read, and of one observation marked RED and
GREEN the RED one is stored."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from tests.conftest import fixed_now
from tocsin.formats.markings import TLP_EXTENSION, marking_id
from tocsin.model.tlp import TLP
from tocsin.pipeline.runner import Summary
from tocsin.pipeline.stages.dedupe import TLP_SHIFT
from tocsin.services.ingest import ingest
from tocsin.settings import Settings
from tocsin.store import EventFilter, Store

RED, GREEN = marking_id(TLP.RED), marking_id(TLP.GREEN)
OWN = "marking-definition--3c2a7a4e-2f6a-4a4e-8a31-5a1f3f0a9e21"


def indicator(n: int, ip: str, marks: Any, valid_from: str = "2026-11-20T07:30:00Z") -> dict:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd{n:02d}",
        "created": "2026-11-20T08:00:00.000Z",
        "modified": "2026-11-20T08:00:00.000Z",
        "pattern": f"[ipv4-addr:value = '{ip}']",
        "pattern_type": "stix",
        "indicator_types": ["malicious-activity"],
        "valid_from": valid_from,
        "object_marking_refs": marks,
    }


def run(settings: Settings, store: Store, path: Path, objects: list[Any]) -> Summary:
    path.write_bytes(orjson.dumps({"type": "bundle", "id": "bundle--1", "objects": objects}))
    summary = ingest(settings, store, [str(path)], "stix", tlp="GREEN", now=fixed_now)
    assert summary.read == summary.accepted + summary.duplicates + summary.quarantined
    return summary


def stored(store: Store) -> dict[str, str]:
    return {e["source.ip"]: e["tlp"] for e in store.search(EventFilter()).events}


def test_malformed_markings_are_red_and_red_wins_over_green(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """Before: the RED id as a string was stored AMBER/GREEN, ``[{}]`` and a definition whose
    ``extensions`` is a string lost the whole bundle, and the GREEN copy of a RED observation
    could be the one stored."""
    broken = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": OWN,
        "created": "2025-01-01T00:00:00.000Z",
        "extensions": "tlp:green",
    }
    objects = [
        broken,
        indicator(1, "198.51.100.1", RED),  # a string where the list belongs
        indicator(2, "198.51.100.2", [{}]),
        indicator(3, "198.51.100.3", [OWN]),  # a definition that cannot be read
        indicator(4, "198.51.100.4", [GREEN]),
        # one observation, GREEN (earlier) and RED: RED is stored
        indicator(5, "198.51.100.5", [GREEN], valid_from="2026-11-20T07:00:00Z"),
        indicator(6, "198.51.100.5", [RED]),
        17,  # not an object: quarantined, the rest is read
    ]
    summary = run(settings, store, tmp_path / "in.json", objects)
    assert (summary.accepted, summary.duplicates, summary.quarantined) == (5, 1, 1)
    assert stored(store) == {
        "198.51.100.1": "RED",
        "198.51.100.2": "RED",
        "198.51.100.3": "RED",
        "198.51.100.4": "GREEN",
        "198.51.100.5": "RED",
    }
    (bad,) = store.quarantine()
    assert bad.stage == "parse" and "not a STIX object" in bad.reason


def test_a_later_red_marking_of_a_stored_green_observation_makes_it_red(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """A partner marks RED what it sent GREEN before: the stored event becomes RED; sent GREEN
    again, it stays RED."""
    earlier = "2026-11-20T07:00:00Z"  # the GREEN copies are earlier: time alone would keep them
    run(settings, store, tmp_path / "a.json", [indicator(1, "198.51.100.9", [GREEN], earlier)])
    run(settings, store, tmp_path / "b.json", [indicator(2, "198.51.100.9", [RED])])
    run(settings, store, tmp_path / "c.json", [indicator(3, "198.51.100.9", [GREEN], earlier)])
    assert stored(store) == {"198.51.100.9": "RED"}
    assert store.count_events() == 1


def test_extensions_of_any_shape_never_abort_the_bundle(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    for n, extensions in enumerate(["x", 5, [], True, {TLP_EXTENSION: "red"}]):
        definition = {"type": "marking-definition", "id": OWN, "extensions": extensions}
        ip = f"198.51.100.{20 + n}"
        objects = [
            definition,
            indicator(20 + n, ip, [OWN]),
            indicator(40 + n, "192.0.2.1", [GREEN]),
        ]
        summary = run(settings, store, tmp_path / f"{n}.json", objects)
        assert summary.quarantined == 0
        assert stored(store)[ip] == "RED"
    assert stored(store)["192.0.2.1"] == "GREEN"


def test_an_event_stored_before_tlp_counted_in_the_rank_is_displaced_by_a_red_copy(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    """Migration 0010 puts the TLP into ranks written before: a GREEN event stored then (whose
    rank is only its time and digest, so an earlier GREEN beat a later RED) is displaced by a
    later RED copy once migrated."""
    earlier = "2026-11-20T07:00:00Z"
    run(settings, store, tmp_path / "a.json", [indicator(1, "198.51.100.9", [GREEN], earlier)])
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("tocsin.store.sql").joinpath("migrations"))
    )
    engine = store.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0009")  # the ranks as that version wrote them
        old = conn.execute(sa.text("SELECT rank FROM events")).scalar_one()
        assert old >> TLP_SHIFT == 0
        command.upgrade(config, "head")
        new = conn.execute(sa.text("SELECT rank FROM events")).scalar_one()
        assert new == old + ((TLP.RED - TLP.GREEN) << TLP_SHIFT)
    run(settings, store, tmp_path / "b.json", [indicator(2, "198.51.100.9", [RED])])
    assert stored(store) == {"198.51.100.9": "RED"}
