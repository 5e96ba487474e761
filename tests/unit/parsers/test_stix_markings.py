"""STIX markings fail closed: a marking that cannot be read makes its object RED, never lower,
and never stops the rest of the input from being read."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tocsin.formats.markings import KNOWN, TLP_EXTENSION, marking_id, tlp_of_definition
from tocsin.model.tlp import TLP
from tocsin.pipeline.parsers.base import Source
from tocsin.pipeline.parsers.stix import StixParser
from tocsin.pipeline.stages.batch import Batch, FeedContext
from tocsin.pipeline.stages.normalize import normalize
from tocsin.share.objects import stix_object

OBSERVED = "2026-11-28T00:00:00+00:00"
RED, GREEN = marking_id(TLP.RED), marking_id(TLP.GREEN)
OWN = "marking-definition--3c2a7a4e-2f6a-4a4e-8a31-5a1f3f0a9e21"
UNKNOWN = "marking-definition--0e5a2e8c-64a3-4d5d-8f6a-1d1f3c6e0c11"


def run(objects: list[Any], default_tlp: str = "GREEN") -> Batch:
    data = orjson.dumps({"type": "bundle", "id": "bundle--1", "objects": objects})
    ctx = FeedContext(feed="stix", file="in.json", observed=OBSERVED, default_tlp=default_tlp)
    return normalize(StixParser().parse(Source("in.json", data)), ctx)


def indicator(n: int, ip: str = "", **changes: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd{n:02d}",
        "created": "2026-11-20T08:00:00.000Z",
        "modified": "2026-11-20T08:00:00.000Z",
        "pattern": f"[ipv4-addr:value = '{ip or f'198.51.100.{n}'}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-20T07:30:00Z",
        **changes,
    }


def definition(**changes: Any) -> dict[str, Any]:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": OWN,
        "created": "2025-01-01T00:00:00.000Z",
        **changes,
    }


def tlp_by_ip(batch: Batch) -> dict[str, str]:
    return {e["source.ip"]: e["tlp"] for e in batch.events}


@pytest.mark.parametrize(
    "marks",
    [
        RED,  # the RED id as a string instead of a list
        GREEN,  # even a GREEN id as a string: its shape is wrong, so it is not believed
        [{}],
        [],
        None,
        7,
        {"id": GREEN},
        [GREEN, 7],
        ["tlp:green"],
        [UNKNOWN],  # an id neither TLP's nor defined in the input
    ],
)
def test_a_malformed_marking_ref_reads_as_red_and_the_rest_is_read(marks: Any) -> None:
    """The malformed object is RED whatever the default; the next object keeps its marking."""
    batch = run(
        [indicator(1, object_marking_refs=marks), indicator(2, object_marking_refs=[GREEN])]
    )
    assert tlp_by_ip(batch) == {"198.51.100.1": "RED", "198.51.100.2": "GREEN"}
    assert batch.quarantined == []


@pytest.mark.parametrize(
    "granular",
    ["x", [], [{}], [{"marking_ref": 7, "selectors": ["pattern"]}], [{"marking_ref": UNKNOWN}]],
)
def test_a_malformed_granular_marking_reads_as_red(granular: Any) -> None:
    batch = run([indicator(1, granular_markings=granular, object_marking_refs=[GREEN])])
    assert tlp_by_ip(batch) == {"198.51.100.1": "RED"}


def test_a_granular_red_marking_counts() -> None:
    granular = [{"marking_ref": RED, "selectors": ["pattern"]}]
    batch = run([indicator(1, granular_markings=granular, object_marking_refs=[GREEN])])
    assert tlp_by_ip(batch) == {"198.51.100.1": "RED"}


@pytest.mark.parametrize(
    "changes",
    [
        {"extensions": "x"},
        {"extensions": 5},
        {"extensions": [TLP_EXTENSION]},
        {"extensions": True},
        {"extensions": None},
        {"extensions": {TLP_EXTENSION: "green"}},
        {"extensions": {TLP_EXTENSION: {"tlp_2_0": "purple"}}},
        {"extensions": {TLP_EXTENSION: {"tlp_2_0": ["green"]}}},
        {"definition_type": "tlp", "definition": "green"},
        {"definition_type": "tlp", "definition": {"tlp": "mauve"}},
    ],
)
def test_a_marking_definition_that_cannot_be_read_is_red_and_does_not_abort_the_bundle(
    changes: dict[str, Any],
) -> None:
    """Before, ``extensions`` that is not an object raised in the parser and every indicator of
    the bundle was lost; now the objects it marks are RED and the others are read as usual."""
    objects = [
        definition(**changes),
        indicator(1, object_marking_refs=[OWN]),
        indicator(2, object_marking_refs=[GREEN]),
        indicator(3),
    ]
    batch = run(objects)
    assert tlp_by_ip(batch) == {
        "198.51.100.1": "RED",
        "198.51.100.2": "GREEN",
        "198.51.100.3": "GREEN",
    }
    assert batch.read == 3 and batch.quarantined == []


def test_a_statement_marking_of_the_input_does_not_count() -> None:
    """A well-formed definition that is not TLP (a copyright statement) leaves the other refs."""
    statement = definition(definition_type="statement", definition={"statement": "© Partner"})
    batch = run(
        [
            statement,
            indicator(1, object_marking_refs=[OWN, GREEN]),
            indicator(2, object_marking_refs=[OWN]),
        ],
        default_tlp="AMBER",
    )
    assert tlp_by_ip(batch) == {"198.51.100.1": "GREEN", "198.51.100.2": "AMBER"}


def test_a_malformed_marking_on_an_observable_makes_the_observation_red() -> None:
    ip = {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--1", "value": "192.0.2.9"}
    observed = {
        "type": "observed-data",
        "spec_version": "2.1",
        "id": "observed-data--0b7ad3b8-8f0f-4b51-9a8d-2c2c1e4b1f01",
        "created": "2026-11-20T08:00:00.000Z",
        "modified": "2026-11-20T08:00:00.000Z",
        "first_observed": "2026-11-20T07:00:00Z",
        "last_observed": "2026-11-20T07:00:00Z",
        "number_observed": 1,
        "object_refs": [ip["id"]],
        "object_marking_refs": [GREEN],
    }
    batch = run([{**ip, "object_marking_refs": RED}, observed])
    assert tlp_by_ip(batch) == {"192.0.2.9": "RED"}


def test_one_unreadable_object_is_quarantined_and_the_others_are_read() -> None:
    """An object that is not a STIX object is one quarantined row; read counts every row."""
    batch = run([indicator(1), 5, "x", indicator(2, object_marking_refs=RED)])
    assert tlp_by_ip(batch) == {"198.51.100.1": "GREEN", "198.51.100.2": "RED"}
    assert batch.read == 4 and len(batch.quarantined) == 2


def _good(value: Any) -> bool:
    """A marking refs value of the right shape: a non-empty list of TLP ids."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, str) and v in KNOWN for v in value)
    )


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.sampled_from([RED, GREEN, UNKNOWN, OWN]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(marks=JSON, extensions=JSON)
def test_any_marking_of_the_wrong_shape_is_red_or_quarantined_never_lower(
    marks: Any, extensions: Any
) -> None:
    """Whatever the refs value (and a definition whose ``extensions`` is anything but an
    object): the marked object is RED or quarantined, never lower, and the GREEN one beside it
    is read as GREEN."""
    assume(not _good(marks))
    objects = [indicator(1, object_marking_refs=marks), indicator(2, object_marking_refs=[GREEN])]
    if not isinstance(extensions, dict):
        objects += [definition(extensions=extensions), indicator(3, object_marking_refs=[OWN])]
    batch = run(objects, default_tlp="CLEAR")
    read = tlp_by_ip(batch)
    assert read.get("198.51.100.2") == "GREEN"
    assert all(read.get(ip, "RED") == "RED" for ip in ("198.51.100.1", "198.51.100.3"))
    assert batch.read == len(batch.events) + batch.duplicates + len(batch.quarantined)


@pytest.mark.parametrize("marks", [RED, [{}], [], None, [RED, {}]])
def test_an_object_posted_with_a_malformed_marking_is_kept_as_red(marks: Any) -> None:
    """A collection stores it as RED (before: a string read as no marking, so AMBER; ``[{}]``
    raised TypeError)."""
    item = {**indicator(1), "object_marking_refs": marks}
    assert stix_object(item).tlp is TLP.RED


def test_malformed_definitions_never_raise() -> None:
    assert tlp_of_definition({"extensions": "x"}) is TLP.RED
    assert tlp_of_definition({"definition_type": "statement", "definition": {}}) is None
